// What the browser scripts share: reading their settings, failing with a reason, starting
// Debian's chromium through playwright-core, collecting what the page logs as an error, and
// axe-core's check of a page.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

/**
 * Chromium at 1280 × 900 with one page. `problems` collects console errors and page errors;
 * `problems.expect(rule)` excuses the ones a script causes on purpose; `problems.none()` fails
 * when anything else was logged.
 */
export async function launch() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const found = [];
  let expected = () => false;
  page.on("console", (message) => {
    if (message.type() === "error" && !expected(message.text(), message.location().url)) {
      found.push(`console: ${message.text()} (${message.location().url})`);
    }
  });
  page.on("pageerror", (error) => found.push(`page error: ${error.message}`));
  const problems = {
    expect: (rule) => (expected = rule),
    none: () => check(found.length === 0, `the browser reported: ${found.join(" | ")}`),
  };
  return { browser, page, problems };
}

/** axe-core on the page as it is now; fails on a serious or critical violation. */
export function accessibilityCheck(page) {
  return async (name) => {
    // evaluated through the DevTools protocol, which the page's CSP does not govern
    await page.evaluate(axeSource);
    const result = await page.evaluate(() => globalThis.axe.run(document, { resultTypes: ["violations"] }));
    const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    check(serious.length === 0, `${name}: accessibility: ${serious.map((v) => `${v.id} (${v.nodes.length}): ${v.help}`).join("; ")}`);
    console.log(`ok: ${name} has no serious accessibility violations`);
  };
}
