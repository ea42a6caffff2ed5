// The dashboard's single-node tools in Debian's chromium: started by DevModeTests against the
// `notifly dev` process after README's example went out. Signs in with the demo tenant's key,
// finds the example's email in the mailbox and its webhook in the sink.
import { accessibilityCheck, check, env, launch } from "./browser-kit.mjs";

const url = env("NOTIFLY_URL");
const apiKey = env("NOTIFLY_API_KEY");
const requestId = env("NOTIFLY_REQUEST_ID");
const screenshots = process.env.NOTIFLY_SCREENSHOTS;

const { browser, page, problems } = await launch();
problems.expect((text) => text.includes("status of 401")); // the refresh on start, without a session cookie
try {
  const accessible = accessibilityCheck(page);
  await page.goto(`${url}/login`);
  await page.getByRole("tab", { name: "API key" }).click();
  await page.getByLabel("API key").fill(apiKey);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Last 24 hours" }).waitFor();

  await page.getByRole("link", { name: "Mailbox" }).click();
  await page.getByRole("button", { name: "Thanks for your order" }).click();
  await page.getByTestId("mail-text").filter({ hasText: "42" }).waitFor();
  await accessible("mailbox");
  if (screenshots) await page.screenshot({ path: `${screenshots}/mailbox.png` }); // one screen: the sidebar fits
  console.log("ok: the example's email is in the mailbox, with its text");

  await page.getByRole("link", { name: "Webhook sink" }).click();
  const call = page.locator("li[data-sink-call]").filter({ hasText: requestId });
  await call.waitFor();
  check((await call.textContent()).includes('"orderId": 42'), "the sink shows the webhook's body");
  await accessible("webhook sink");
  console.log("ok: the example's webhook is in the sink, with its body");
  problems.none();
  console.log("ok: no console errors");
} finally {
  await browser.close();
}
