// Drives the dashboard in Debian's chromium through playwright-core. Started by the .NET test
// DashboardBrowserTests, which runs a Notifly node, makes a tenant, a user and some traffic, and
// passes them here through the environment. Prints one line per step; exits non-zero on the
// first failure, with the reason.
import { accessibilityCheck, check, env, launch } from "./browser-kit.mjs";

const url = env("NOTIFLY_URL");
const [tenant, email, password, apiKey] = ["NOTIFLY_TENANT", "NOTIFLY_EMAIL", "NOTIFLY_PASSWORD", "NOTIFLY_API_KEY"].map(env);
const expectedTotal = env("NOTIFLY_EXPECT_TOTAL");
const okUrl = env("NOTIFLY_WEBHOOK_OK"); // answers 200
const failOnceUrl = env("NOTIFLY_WEBHOOK_FAIL_ONCE"); // answers 404 (permanent: dead-lettered), then 200
const failOnceAgainUrl = env("NOTIFLY_WEBHOOK_FAIL_ONCE_AGAIN"); // the same, for a second dead letter
const viewerEmail = env("NOTIFLY_VIEWER_EMAIL");
const operatorToken = env("NOTIFLY_OPERATOR_TOKEN");

/** Sends a webhook notification through the API with the tenant's key; answers its request id. */
async function send(webhookUrl) {
  const response = await fetch(`${url}/api/notifications`, {
    method: "POST",
    headers: { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json" },
    body: JSON.stringify({ eventType: "browser.test", channels: ["WEBHOOK"], recipient: { webhookUrl }, payload: { n: 1 } }),
  });
  check(response.status === 202, `sending answered ${response.status}`);
  return (await response.json()).requestId;
}
const screenshots = process.env.NOTIFLY_SCREENSHOTS; // a folder: the main pages are saved there

const { browser, page, problems } = await launch();
// Chromium logs every 401 as a failed resource; the refresh on start (no cookie yet) and the
// wrong password are meant to get one, as is the 404 that says a recipient has no profile yet.
problems.expect((text, at) => text.includes("status of 401") || (text.includes("status of 404") && at.includes("/api/recipients/")));
try {
  const accessible = accessibilityCheck(page);
  /** Saves the whole page, when asked for screenshots, with the window as tall as the page (the sidebar stays put). */
  async function snap(name) {
    if (!screenshots) return;
    const size = page.viewportSize();
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: size.width, height: Math.max(size.height, height) });
    await page.screenshot({ path: `${screenshots}/${name}.png` });
    await page.setViewportSize(size);
  }

  await page.goto(url + "/");
  await page.waitForURL("**/login");
  console.log("ok: signed out, / goes to the login page");
  await accessible("login page");
  await snap("login");

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
  check(!(await page.locator("main").textContent()).includes("NaN"), "the overview shows NaN");
  await page.getByTestId("system").filter({ hasText: "1 active" }).filter({ hasText: "off (REST only)" }).waitFor();
  console.log(`ok: signed in; the overview shows ${expectedTotal} notifications, PostgreSQL, one silo and Kafka off`);
  check((await page.getByRole("link", { name: "Mailbox" }).count()) === 0, "a node outside single-node mode shows the mailbox");
  await accessible("overview");
  await snap("overview");

  // the live list: a notification sent now appears and reaches SENT without a reload
  await page.getByRole("link", { name: "Notifications", exact: true }).click();
  await page.getByRole("heading", { name: "Notifications" }).waitFor();
  await accessible("notifications");
  const navigations = [];
  page.on("framenavigated", (frame) => frame === page.mainFrame() && navigations.push(frame.url()));
  const live = await send(okUrl);
  const row = page.locator(`tr[data-request-id="${live}"]`);
  await row.getByTestId("status").filter({ hasText: "SENT" }).waitFor({ timeout: 20_000 });
  check(navigations.length === 0, `the page navigated: ${navigations.join(", ")}`);
  console.log("ok: a notification sent through the API reached SENT on the live list without a reload");
  await snap("notifications");
  await page.getByLabel("Created from").fill("2099-01-01T00:00");
  await page.getByRole("button", { name: "Filter" }).click();
  await page.getByText("No notifications match.").waitFor();
  await page.getByLabel("Created from").fill("");
  await page.getByRole("button", { name: "Filter" }).click();
  await row.waitFor();
  console.log("ok: the list filters by creation time");

  // its timeline
  await row.getByRole("link").click();
  await page.getByRole("list", { name: "Timeline" }).getByText("STATUS_CHANGED").first().waitFor();
  check((await page.getByTestId("detail-status").textContent()) === "SENT", "the detail page shows SENT");
  await page.getByRole("cell", { name: "WEBHOOK" }).first().waitFor();
  console.log("ok: the notification's page shows its attempts and timeline");
  await accessible("notification detail");
  await snap("notification");

  // a delivery that fails into the dead-letter queue, retried from the page
  const failing = await send(failOnceUrl);
  for (let i = 0; i < 100; i++) {
    const state = await (await fetch(`${url}/api/notifications/${failing}`, { headers: { Authorization: `Bearer ${apiKey}` } })).json();
    if (state.notification.status === "FAILED") break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await page.getByRole("link", { name: "Dead letters" }).click();
  const entry = page.locator(`tr[data-dead-letter="${failing}"]`);
  await entry.waitFor();
  await accessible("dead letters");
  await snap("dead-letters");
  await entry.getByRole("button", { name: "Retry" }).click();
  await page.getByRole("status").filter({ hasText: "Retried 1 of 1." }).waitFor();
  await entry.waitFor({ state: "detached" });
  await page.goto(`${url}/notifications/${failing}`);
  await page.getByTestId("detail-status").filter({ hasText: "SENT" }).waitFor({ timeout: 20_000 });
  console.log("ok: a dead-lettered delivery was retried from the page and reached SENT");
  // a template written, previewed, changed and activated on the page
  await page.getByRole("link", { name: "Templates" }).click();
  await accessible("templates");
  await page.getByLabel("Name").fill("welcome");
  await page.getByLabel("Channel").selectOption("EMAIL");
  await page.getByLabel("Subject (email, push)").fill("Welcome");
  await page.getByLabel("Body").fill("Hello {{name}}");
  await page.getByRole("button", { name: "Create (not active yet)" }).click();
  await page.getByRole("heading", { name: "welcome" }).waitFor();
  await page.getByLabel("Variables (JSON)").fill('{"name":"Ada"}');
  await page.getByTestId("preview").filter({ hasText: "Hello Ada" }).waitFor();
  await page.getByLabel("Body").fill("Hi <b>{{name}}</b>!");
  await page.getByTestId("preview").filter({ hasText: "Hi <b>Ada</b>!" }).waitFor(); // the text as typed, not saved yet
  await page.getByLabel("Variables (JSON)").fill('{"name":"<Al>"}');
  await page.getByTestId("preview").filter({ hasText: "Hi <b>&lt;Al&gt;</b>!" }).waitFor(); // escaped in HTML as a send would
  await page.getByLabel("Variables (JSON)").fill('{"name":"Ada"}');
  await page.getByRole("button", { name: "Save as a new version" }).click();
  const second = page.locator('li[data-version="2"]');
  await second.waitFor();
  await page.getByLabel("Preview of").selectOption("1");
  await page.getByTestId("preview").filter({ hasText: "Hello Ada" }).waitFor(); // a saved version, picked
  await page.getByLabel("Preview of").selectOption("2");
  await page.getByTestId("preview").filter({ hasText: "Hi <b>Ada</b>!" }).waitFor();
  await second.getByRole("button", { name: "Activate" }).click();
  await second.getByText("active", { exact: true }).waitFor();
  await accessible("template");
  await snap("template");
  console.log("ok: a template was written, previewed live as typed (escaped as a send would), saved, its versions previewed, and its second activated on the page");

  // a key created on the page is shown once, works, and stops working once revoked there
  await page.getByRole("link", { name: "API keys" }).click();
  await page.getByLabel("Name").fill("browser-key");
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = (await page.getByTestId("new-secret").textContent()).trim();
  check(secret.startsWith("nf_live_"), `the new key is shown: ${secret}`);
  const asNewKey = () => fetch(`${url}/api/notifications`, { headers: { Authorization: `Bearer ${secret}` } });
  check((await asNewKey()).status === 200, "the new key works");
  await accessible("API keys");
  await snap("api-keys");
  await page.getByRole("button", { name: "Done" }).click();
  check((await page.getByTestId("new-secret").count()) === 0, "the secret is gone once dismissed");
  page.once("dialog", (dialog) => void dialog.accept());
  const keyRow = page.locator('tr[data-key="browser-key"]');
  await keyRow.getByRole("button", { name: "Revoke" }).click();
  await keyRow.getByTestId("key-status").filter({ hasText: "revoked" }).waitFor();
  check((await asNewKey()).status === 401, "the revoked key is refused");
  console.log("ok: a key was created (shown once), used and revoked from the page");

  // a recipient created on the page with an address and opt-outs, as the API then tells
  await page.getByRole("link", { name: "Recipients" }).click();
  await page.getByLabel("User id").fill("browser-user");
  await page.getByRole("button", { name: "Open" }).click();
  await page.getByText("(no profile yet)").waitFor();
  await page.getByLabel("Email", { exact: true }).fill("browser-user@example.com");
  await page.getByLabel("every event: SMS").uncheck();
  await page.getByLabel("Event type with its own choices").fill("promo");
  await page.getByRole("button", { name: "Add event type" }).click();
  await page.getByLabel("promo: EMAIL").uncheck();
  await page.getByRole("button", { name: "Save recipient" }).click();
  await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
  const prefs = await (await fetch(`${url}/api/recipients/browser-user/preferences`, { headers: { Authorization: `Bearer ${apiKey}` } })).json();
  check(prefs.channels?.SMS === false && prefs.eventTypes?.promo?.EMAIL === false && prefs.channels?.EMAIL !== false, `the saved preferences: ${JSON.stringify(prefs)}`);
  await accessible("recipient");
  await page.getByRole("link", { name: "Recipients", exact: true }).first().click();
  await page.locator('tr[data-recipient="browser-user"]').getByText("browser-user@example.com").waitFor();
  await accessible("recipients");
  console.log("ok: a recipient was created on the page with an address, a channel opt-out and an event type's opt-out");

  // settings: a retry policy changed on the page redraws its backoff chart and is saved
  await page.getByRole("link", { name: "Settings" }).click();
  const preview = page.getByTestId("backoff-preview");
  await preview.getByText("4 retries").waitFor();
  await page.getByLabel("Attempts").first().fill("3");
  await preview.getByText("2 retries").waitFor();
  check((await preview.locator(".recharts-bar-rectangle").count()) >= 2, "the backoff chart draws a bar per retry");
  await page.getByLabel("Event type with a fallback order").fill("browser.test");
  await page.getByRole("button", { name: "Add fallback order" }).click();
  await page.getByLabel("browser.test", { exact: true }).fill("WEBHOOK, EMAIL");
  await page.getByLabel("Keep notifications for (days)").fill("14");
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
  const savedSettings = await (await fetch(`${url}/api/admin/settings`, { headers: { Authorization: `Bearer ${apiKey}` } })).json();
  check(savedSettings.retryPolicies.default.maxAttempts === 3, `the saved policy: ${JSON.stringify(savedSettings.retryPolicies)}`);
  check(JSON.stringify(savedSettings.channelFallback["browser.test"]) === '["WEBHOOK","EMAIL"]', `the saved fallback: ${JSON.stringify(savedSettings.channelFallback)}`);
  check(savedSettings.retention.days === 14, `the saved retention: ${JSON.stringify(savedSettings.retention)}`);
  await accessible("settings");
  await snap("settings");
  console.log("ok: a retry policy changed on the settings page redrew its backoff chart; it, a fallback order and a retention were saved");

  // a provider added on the page shows its circuit and sealed credential; an edit keeps the credential
  await page.getByRole("link", { name: "Providers" }).click();
  await page.getByLabel("Name").fill("twilio-browser");
  await page.getByLabel("Kind").selectOption("twilio");
  await page.getByLabel("Settings (JSON, shown to ADMINs)").fill(JSON.stringify({ accountSid: `AC${"0".repeat(32)}`, from: "+15005550006" }));
  await page.getByLabel("Auth token (sealed, never shown again)").fill("a-twilio-auth-token");
  await page.getByRole("button", { name: "Add provider" }).click();
  const providerRow = page.locator('tr[data-provider="twilio-browser"]');
  await providerRow.getByTestId("circuit").filter({ hasText: "closed" }).waitFor();
  check((await providerRow.textContent()).includes("authToken"), "the provider's sealed credential is named");
  check(!(await page.content()).includes("a-twilio-auth-token"), "the credential is shown");
  await providerRow.getByRole("button", { name: "Edit twilio-browser" }).click();
  await page.getByLabel("Priority (lowest first)").fill("5");
  await page.getByRole("button", { name: "Save provider" }).click();
  await providerRow.getByRole("cell", { name: "5", exact: true }).waitFor();
  check((await providerRow.textContent()).includes("authToken"), "an edit without a new credential keeps the stored one");
  await accessible("providers");
  await snap("providers");
  page.once("dialog", (dialog) => void dialog.accept());
  await providerRow.getByRole("button", { name: "Delete twilio-browser" }).click();
  await providerRow.waitFor({ state: "detached" });
  console.log("ok: a provider was added with its circuit shown, edited keeping its sealed credential, and deleted on the page");

  // a status webhook endpoint added on the page gets a test ping, a redelivery and a new secret
  await page.getByRole("link", { name: "Status webhooks" }).click();
  await page.getByLabel("URL").fill(okUrl);
  await page.getByLabel("Description").fill("browser test");
  await page.getByRole("button", { name: "Add endpoint" }).click();
  const firstSecret = (await page.getByTestId("webhook-secret").textContent()).trim();
  check(firstSecret.startsWith("whsec_"), `the endpoint's secret is shown: ${firstSecret}`);
  await accessible("status webhooks");
  await page.getByRole("link", { name: okUrl }).click();
  await page.getByRole("button", { name: "Send a test ping" }).click();
  const ping = page.locator('tr[data-delivery="webhook.test"]');
  await ping.getByTestId("delivery-status").filter({ hasText: "succeeded" }).waitFor({ timeout: 20_000 });
  await ping.getByRole("button", { name: "Redeliver" }).click();
  await ping.getByRole("cell", { name: "2", exact: true }).waitFor({ timeout: 20_000 }); // a second attempt
  await ping.getByTestId("delivery-status").filter({ hasText: "succeeded" }).waitFor({ timeout: 20_000 });
  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: "Rotate secret" }).click();
  const secondSecret = (await page.getByTestId("webhook-secret").textContent()).trim();
  check(secondSecret.startsWith("whsec_") && secondSecret !== firstSecret, "a rotation shows a new secret");
  await page.getByText("Previous secret signs until").waitFor();
  await accessible("status webhook");
  await snap("status-webhook");
  console.log("ok: a status webhook endpoint was added, pinged, redelivered to and its secret rotated on the page");

  // a failed notification retried from its own page; the status webhooks it caused are listed there
  const failing2 = await send(failOnceAgainUrl);
  await page.goto(`${url}/notifications/${failing2}`);
  await page.getByTestId("detail-status").filter({ hasText: "FAILED" }).waitFor({ timeout: 20_000 });
  await page.getByRole("button", { name: "Retry WEBHOOK" }).click();
  await page.getByTestId("detail-status").filter({ hasText: "SENT" }).waitFor({ timeout: 20_000 });
  const caused = page.getByRole("region", { name: "Status webhooks" });
  for (const event of ["notification.failed", "notification.sent"]) {
    await caused.locator(`tr[data-webhook-delivery="${event}"]`).getByText("succeeded").waitFor({ timeout: 20_000 });
  }
  check((await caused.getByRole("link", { name: okUrl }).count()) === 2, "each delivery names its endpoint");
  console.log("ok: a failed notification was retried from its page, which lists the status webhooks it caused");

  // a user invited on the page sets a password through the link, signs in with the role given,
  // and feels a role change and a deactivation made on the page on their next request
  await page.getByRole("link", { name: "Users" }).click();
  await page.getByLabel("Email").fill("invited@example.com");
  await page.getByLabel("Role", { exact: true }).selectOption("EDITOR");
  await page.getByRole("button", { name: "Invite" }).click();
  const link = (await page.getByTestId("invitation-link").textContent()).trim();
  await accessible("users");
  await snap("users");
  const invitedContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const invited = await invitedContext.newPage();
  await invited.goto(link);
  await accessibilityCheck(invited)("set password");
  await invited.getByLabel("Password", { exact: true }).fill("a long new password");
  await invited.getByLabel("Password again").fill("a long new password");
  await invited.getByRole("button", { name: "Set password" }).click();
  await invited.getByRole("link", { name: "Sign in" }).click();
  check((await invited.getByLabel("Tenant").inputValue()) === tenant, "the invitation's sign-in page knows the tenant");
  await invited.getByLabel("Email").fill("invited@example.com");
  await invited.getByLabel("Password").fill("a long new password");
  await invited.getByRole("button", { name: "Sign in" }).click();
  await invited.getByTestId("caller").filter({ hasText: "EDITOR" }).waitFor();
  const userRow = page.locator('tr[data-user="invited@example.com"]');
  await userRow.getByTestId("user-status").filter({ hasText: "invited" }).waitFor();
  const roleSaved = page.waitForResponse((r) => r.request().method() === "PATCH" && r.url().includes("/api/admin/users/"));
  await userRow.getByLabel("Role of invited@example.com").selectOption("VIEWER");
  check((await roleSaved).ok(), "the role change was refused");
  await invited.reload();
  await invited.getByTestId("caller").filter({ hasText: "VIEWER" }).waitFor();
  await userRow.getByRole("button", { name: "Deactivate" }).click();
  await userRow.getByTestId("user-status").filter({ hasText: "deactivated" }).waitFor();
  // their next request is refused (a reload's refresh here; the overview's own polling may get there first)
  await invited.reload();
  await invited.waitForURL("**/login");
  await invitedContext.close();
  console.log("ok: a user was invited, set a password and signed in; a role change and a deactivation on the page reached them");

  // the audit log shows what was just done to that user
  await page.getByRole("link", { name: "Audit log" }).click();
  await page.getByLabel("Resource type").fill("user");
  await page.getByRole("button", { name: "Filter" }).click();
  for (const action of ["user.invited", "user.password_set", "user.updated"]) {
    await page.locator(`tr[data-action="${action}"]`).first().waitFor();
  }
  // the filtered page replaces the first one, which had every resource's rows
  await page.locator('tr[data-action="api_key.revoked"]').first().waitFor({ state: "detached" });
  await accessible("audit log");
  await snap("audit-log");
  console.log("ok: the audit log shows the invitation, the password set and the changes, filtered by resource");

  await page.getByRole("link", { name: "Overview" }).click();
  await page.getByRole("heading", { name: "Last 24 hours" }).waitFor();

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

  // a VIEWER sees the pages without the buttons it may not press
  await page.getByLabel("Tenant").fill(tenant);
  await page.getByLabel("Email").fill(viewerEmail);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Last 24 hours" }).waitFor();
  await page.getByRole("link", { name: "Dead letters" }).click();
  await page.getByRole("heading", { name: "Dead letters" }).waitFor();
  await page.getByText("Failures in the last 7 days").waitFor();
  check((await page.getByRole("button", { name: /Retry|Delete/ }).count()) === 0, "a VIEWER is shown retry or delete buttons");
  check((await page.getByRole("link", { name: "API keys" }).count()) === 0, "a VIEWER is shown the API keys page");
  await page.goto(`${url}/notifications/${live}`);
  await page.getByTestId("detail-status").waitFor();
  check((await page.getByRole("button", { name: "Cancel" }).count()) === 0, "a VIEWER is shown a cancel button");
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByLabel("Attempts").first().waitFor();
  check(await page.getByLabel("Attempts").first().isDisabled(), "a VIEWER may change settings on the page");
  check((await page.getByRole("button", { name: "Save settings" }).count()) === 0, "a VIEWER is shown the save button");
  console.log("ok: a VIEWER's pages have no write actions");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL("**/login");

  await page.getByRole("tab", { name: "API key" }).click();
  await page.getByLabel("API key").fill(apiKey);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("caller").waitFor(); // back on the page the VIEWER left
  await page.getByRole("link", { name: "Overview" }).click();
  await page.getByRole("heading", { name: "Last 24 hours" }).waitFor();
  check((await page.getByTestId("caller").textContent()).includes("ADMIN"), "the API key's role is shown");
  console.log("ok: signed in with an API key");

  // the keyboard alone: the first Tab offers the skip link, then the menu, where Enter opens a page
  await page.reload(); // an API key lives in memory: sign in again, by keyboard this time
  await page.getByRole("tab", { name: "API key" }).click();
  await page.getByLabel("API key").fill(apiKey);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Last 24 hours" }).waitFor();
  const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim());
  await page.locator("body").focus();
  await page.keyboard.press("Tab");
  check((await focused()) === "Skip to content", `the first Tab reaches ${await focused()}`);
  for (let i = 0; i < 10 && (await focused()) !== "Dead letters"; i++) await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Dead letters" }).waitFor();
  console.log("ok: the skip link and the menu work from the keyboard");

  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole("button", { name: "Menu" }).click();
  await page.getByRole("link", { name: "Overview" }).click();
  await page.getByRole("heading", { name: "Last 24 hours" }).waitFor();
  check(!(await page.getByRole("link", { name: "Templates" }).isVisible()), "the phone's menu stays open after choosing a page");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  check(overflow <= 0, `on a phone the page scrolls sideways by ${overflow} px`);
  await accessible("overview on a phone");
  console.log("ok: fits a phone's width, with a menu that opens and closes");

  // an operator creates a tenant (its first key shown once, and working), suspends and resumes it
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("tab", { name: "Operator" }).click();
  await page.getByLabel("Operator token").fill(operatorToken);
  await page.getByRole("button", { name: "Sign in" }).click();
  const tenantsHeading = page.getByRole("heading", { name: "Tenants", level: 1 });
  await tenantsHeading.or(page.getByRole("alert")).first().waitFor();
  check(await tenantsHeading.isVisible(), `the operator's sign-in failed: ${await page.locator("body").innerText()} at ${page.url()}`);
  check((await page.getByRole("link", { name: "Notifications", exact: true }).count()) === 0, "an operator is shown a tenant's pages");
  await page.getByLabel("Name", { exact: true }).fill("Browser Co");
  await page.getByLabel("Slug (for signing in)").fill("browser-co");
  await page.getByRole("button", { name: "Create tenant" }).click();
  const tenantKey = (await page.getByTestId("tenant-key").textContent()).trim();
  const asTenant = async () => (await fetch(`${url}/api/auth/me`, { headers: { Authorization: `Bearer ${tenantKey}` } })).status;
  check((await asTenant()) === 200, "the new tenant's key works");
  const tenantRow = page.locator('tr[data-tenant="browser-co"]');
  page.once("dialog", (dialog) => void dialog.accept());
  await tenantRow.getByRole("button", { name: "Suspend browser-co" }).click();
  await tenantRow.getByTestId("tenant-status").filter({ hasText: "SUSPENDED" }).waitFor();
  check((await asTenant()) === 403, "a suspended tenant's key is refused");
  await tenantRow.getByRole("button", { name: "Resume browser-co" }).click();
  await tenantRow.getByTestId("tenant-status").filter({ hasText: "ACTIVE" }).waitFor();
  check((await asTenant()) === 200, "a resumed tenant's key works again");
  await accessible("tenants");
  await snap("tenants");
  console.log("ok: an operator created a tenant (its key shown once), suspended and resumed it on the page");

  problems.none();
  console.log("ok: no console errors");
} finally {
  await browser.close();
}
