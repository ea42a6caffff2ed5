// Drives the dashboard in Debian's chromium through playwright-core. Started by the .NET test
// DashboardBrowserTests, which runs a Notifly node, makes a tenant, a user and some traffic, and
// passes them here through the environment. Prints one line per step; exits non-zero on the
// first failure, with the reason.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const url = env("NOTIFLY_URL");
const [tenant, email, password, apiKey] = ["NOTIFLY_TENANT", "NOTIFLY_EMAIL", "NOTIFLY_PASSWORD", "NOTIFLY_API_KEY"].map(env);
const expectedTotal = env("NOTIFLY_EXPECT_TOTAL");
const screenshots = process.env.NOTIFLY_SCREENSHOTS; // a folder: the main pages are saved there

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
const problems = [];
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  // Chromium logs every 401 as a failed resource; the refresh on start (no cookie yet) and the
  // wrong password are meant to get one. Anything else is a problem.
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().includes("status of 401")) problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));

  async function accessible(name) {
    // evaluated through the DevTools protocol, which the page's CSP does not govern
    await page.evaluate(axeSource);
    const result = await page.evaluate(() => globalThis.axe.run(document, { resultTypes: ["violations"] }));
    const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    check(serious.length === 0, `${name}: accessibility: ${serious.map((v) => `${v.id} (${v.nodes.length}): ${v.help}`).join("; ")}`);
    console.log(`ok: ${name} has no serious accessibility violations`);
  }

  await page.goto(url + "/");
  await page.waitForURL("**/login");
  console.log("ok: signed out, / goes to the login page");
  await accessible("login page");
  if (screenshots) await page.screenshot({ path: `${screenshots}/login.png` });

  await page.getByLabel("Tenant").fill(tenant);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").waitFor();
  console.log("ok: a wrong password is refused on the page");

  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Last 24 hours" }).waitFor();
  const total = page.getByTestId("total");
  await total.filter({ hasText: expectedTotal }).waitFor({ timeout: 15_000 });
  console.log(`ok: signed in; the overview shows ${expectedTotal} notifications`);
  await accessible("overview");
  if (screenshots) await page.screenshot({ path: `${screenshots}/overview.png`, fullPage: true });

  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
  check(!/eyJ|nf_live_/.test(stored), `a token is readable by scripts: ${stored}`);
  console.log("ok: no token in localStorage, sessionStorage or script-readable cookies");

  await page.reload();
  await page.getByRole("heading", { name: "Last 24 hours" }).waitFor();
  console.log("ok: the session survives a reload (refresh cookie)");

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL("**/login");
  await page.reload();
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  check(page.url().endsWith("/login"), `after sign-out a reload should stay signed out, at ${page.url()}`);
  console.log("ok: signed out, and a reload stays signed out");

  await page.getByRole("tab", { name: "API key" }).click();
  await page.getByLabel("API key").fill(apiKey);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Last 24 hours" }).waitFor();
  check((await page.getByTestId("caller").textContent()).includes("ADMIN"), "the API key's role is shown");
  console.log("ok: signed in with an API key");

  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole("heading", { name: "Last 24 hours" }).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  check(overflow <= 0, `on a phone the page scrolls sideways by ${overflow} px`);
  console.log("ok: fits a phone's width");

  check(problems.length === 0, `the browser reported: ${problems.join(" | ")}`);
  console.log("ok: no console errors");
} finally {
  await browser.close();
}
