// The representatives' console against the real server: every page renders, axe finds no violation on any
// of them, each is photographed at 1280 and 390 px (into e2e/screenshots/console/, gitignored: the run
// makes them), a wrong password shows the server's message on the form, an admin adds a representative
// through the admin page who then signs in, and an admin makes an API token that works until it is revoked.
//
// The signed-in pages need a user with a password, made with the server's CLI (`users add … --password-
// stdin`).
import AxeBuilder from "@axe-core/playwright";
import { execFileSync } from "node:child_process";
import { expect, test, type Page } from "@playwright/test";

import { apiUrl } from "../support/server";

const WIDTHS = [1280, 390];
const SHOTS = "screenshots/console";

/** Signs in on the sign-in page and waits for `next`. */
async function signIn(page: Page, username: string, password: string, next: string): Promise<void> {
  await page.goto(`${apiUrl()}/console/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(`${next.replace(/[/?]/g, "\\$&")}$`));
}

/** Adds a user with a password and role through the CLI. */
function userWithPassword(username: string, name: string, role: string, password: string): void {
  execFileSync(
    process.env.CRW_SERVER_BIN!,
    ["users", "add", "--username", username, "--name", name, "--role", role, "--password-stdin",
      "--database", process.env.CRW_DATABASE!],
    { input: password + "\n", env: { ...process.env, RUST_LOG: "error" }, stdio: ["pipe", "pipe", "pipe"] },
  );
}

async function noAxeViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
}

async function photograph(page: Page, name: string): Promise<void> {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `${SHOTS}/${name}-${width}.png`, fullPage: true });
  }
}

test("the sign-in page renders, passes axe and is photographed", async ({ page }) => {
  await page.goto(`${apiUrl()}/console/sign-in`);
  await expect(page.getByRole("heading", { name: "Sign in to the console" })).toBeVisible();
  await expect(page.getByLabel("Username")).toBeVisible();
  await expect(page.getByLabel("Password")).toBeVisible();
  await noAxeViolations(page);
  await photograph(page, "sign-in");
});

test("the page is served with a CSP that allows no inline script", async ({ request }) => {
  const response = await request.get(`${apiUrl()}/console/requests/0SR000000000001AAA`);
  expect(response.status()).toBe(200);
  const csp = response.headers()["content-security-policy"];
  expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(csp).not.toContain("unsafe-inline");
  expect(await response.text()).not.toMatch(/<script type="module">/);
});

test("a wrong password shows the server's message on the form", async ({ page }) => {
  await page.goto(`${apiUrl()}/console/sign-in`);
  await page.getByLabel("Username").fill("nobody@example.com");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Wrong username or password.")).toBeVisible();
  await expect(page).toHaveURL(/\/console\/sign-in/);
  await noAxeViolations(page);
});

test.describe("signed in", () => {
  test("every page renders, passes axe and is photographed", async ({ page }) => {
    // Five pages, each checked by axe and photographed twice: more than the default time on a busy machine.
    test.slow();
    const password = "correct horse battery staple 15";
    userWithPassword("console-admin@example.com", "Ada Admin", "admin", password);
    await page.goto(`${apiUrl()}/console/sign-in?next=${encodeURIComponent("/console/all")}`);
    await page.getByLabel("Username").fill("console-admin@example.com");
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/console\/all$/);
    const pages: [string, string, string][] = [
      ["my-work", "/console/", "My work"],
      ["all", "/console/all?status=any", "All requests"],
      ["queue", "/console/queues/00G000000000001EAA", ""],
      ["admin", "/console/admin", "Administration"],
    ];
    for (const [name, path, heading] of pages) {
      await page.goto(apiUrl() + path);
      if (heading) await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
      await expect(page.locator(".loading")).toHaveCount(0);
      await noAxeViolations(page);
      await photograph(page, name);
    }
    // A request's page, through the first row of All.
    await page.goto(`${apiUrl()}/console/all?status=any`);
    const first = page.locator("tbody th a").first();
    if (await first.count()) {
      await first.click();
      await expect(page.getByRole("heading", { name: "Work it" })).toBeVisible();
      await noAxeViolations(page);
      await photograph(page, "request");
    }
  });

  test("an admin adds a representative with a password on the admin page, who then signs in", async ({ page, browser }) => {
    const password = "correct horse battery staple 16";
    userWithPassword("console-admin-2@example.com", "Alan Admin", "admin", password);
    await signIn(page, "console-admin-2@example.com", password, "/console/admin");
    await expect(page.getByRole("heading", { level: 1, name: "Administration" })).toBeVisible();
    await expect(page.locator(".loading")).toHaveCount(0);

    // A username already taken: the server's message shows at the field, which takes focus.
    const username = page.locator("#new-username");
    await username.fill("console-admin-2@example.com");
    await page.locator("#new-name").fill("Someone Else");
    await page.locator("#new-name").press("Enter");
    await expect(page.locator("#new-username-error")).toContainText("already taken");
    await expect(username).toBeFocused();
    await expect(username).toHaveAttribute("aria-invalid", "true");

    // The representative, by keyboard: the outcome is announced and focused, and they are listed.
    await username.fill("rita.new@example.com");
    await page.locator("#new-email").fill("rita.new@example.com");
    await page.locator("#new-role").selectOption("representative");
    const repPassword = "a long enough password 42";
    await page.locator("#new-password").fill(repPassword);
    await page.locator("#new-password").press("Enter");
    const outcome = page.getByRole("status").filter({ hasText: "Added Someone Else (rita.new@example.com)." });
    await expect(outcome).toBeVisible();
    await expect(outcome).toBeFocused();
    await expect(page.getByRole("region", { name: "Table of users" })).toContainText("rita.new@example.com");
    await noAxeViolations(page);
    await photograph(page, "admin-added");

    // They sign in, in a browser of their own.
    const theirs = await browser.newContext();
    try {
      const repPage = await theirs.newPage();
      await signIn(repPage, "rita.new@example.com", repPassword, "/console/");
      await expect(repPage.getByRole("heading", { level: 1, name: "My work" })).toBeVisible();
      await expect(repPage.getByText("Someone Else · representative")).toBeVisible();
    } finally {
      await theirs.close();
    }
  });

  test("an admin makes an API token on the admin page that works against the API until it is revoked", async ({ page, request }) => {
    const password = "correct horse battery staple 17";
    const stamp = Date.now();
    userWithPassword(`console-admin-3-${stamp}@example.com`, "Ann Admin", "admin", password);
    await signIn(page, `console-admin-3-${stamp}@example.com`, password, "/console/");
    // The administration is an app of its own: the link to it is a full page load, and back again.
    await page.getByRole("link", { name: "Admin" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Administration" })).toBeVisible();
    await expect(page.locator(".loading")).toHaveCount(0);

    const label = `crm sync ${stamp}`;
    await page.locator("#token-user").selectOption({ label: `Ann Admin (console-admin-3-${stamp}@example.com)` });
    await page.locator("#token-scope").selectOption("read");
    await page.locator("#token-label").fill(label);
    await page.getByRole("button", { name: "Make the token" }).click();
    const made = page.getByRole("status").filter({ hasText: "Token made:" });
    await expect(made).toBeFocused();
    const token = (await made.textContent())!.match(/Token made: (\S+) \(copy it now/)![1];
    const tokens = page.getByRole("table", { name: "API tokens" });
    const row = tokens.getByRole("row").filter({ hasText: label });
    await expect(row).toContainText("read");
    await expect(row).toContainText("Active");
    await noAxeViolations(page);
    await photograph(page, "admin-token");

    const query = `${apiUrl()}/services/data/v62.0/query/?q=${encodeURIComponent("SELECT Id FROM ContactRequest LIMIT 1")}`;
    const asToken = { headers: { Authorization: `Bearer ${token}` } };
    expect((await request.get(query, asToken)).status()).toBe(200);
    // A read token cannot write.
    const write = await request.post(`${apiUrl()}/services/data/v62.0/sobjects/ContactRequest/`, {
      ...asToken, data: { RequestReason: "Billing" },
    });
    expect(write.status()).toBe(403);

    await row.getByRole("button", { name: `Revoke ${label}` }).click();
    await expect(page.getByRole("status").filter({ hasText: "Token revoked." })).toBeVisible();
    await expect(row).toContainText("Revoked");
    await expect(row.getByRole("button")).toHaveCount(0);
    expect((await request.get(query, asToken)).status()).toBe(401);

    await page.getByRole("link", { name: "My work" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "My work" })).toBeVisible();
  });

  test("an admin makes a webhook endpoint on the admin page and sees its secret once", async ({ page }) => {
    const password = "correct horse battery staple 18";
    const stamp = Date.now();
    userWithPassword(`console-admin-4-${stamp}@example.com`, "Abe Admin", "admin", password);
    await signIn(page, `console-admin-4-${stamp}@example.com`, password, "/console/admin");
    await expect(page.getByRole("heading", { level: 1, name: "Administration" })).toBeVisible();
    await expect(page.locator(".loading")).toHaveCount(0);

    const name = `crm-${stamp}`;
    await page.locator("#endpoint-name").fill(name);
    await page.locator("#endpoint-url").fill("https://receiver.example.com/hooks");
    await page.getByRole("button", { name: "Make the endpoint" }).click();
    const made = page.getByRole("status").filter({ hasText: "Endpoint made." });
    await expect(made).toBeFocused();
    const secret = (await made.textContent())!.match(/Its secret: (whsec_\S+) \(copy it now/)![1];
    const endpoints = page.getByRole("table", { name: "Webhook endpoints" });
    const row = endpoints.getByRole("row").filter({ hasText: name });
    await expect(row).toContainText("Enabled");
    await expect(row).toContainText("contact_request.created");
    await noAxeViolations(page);
    await photograph(page, "admin-webhook");

    // Shown once: a fresh load of the page lists the endpoint without its secret.
    await page.reload();
    await expect(page.locator(".loading")).toHaveCount(0);
    await expect(row).toBeVisible();
    await expect(page.getByText(secret)).toHaveCount(0);

    await row.getByRole("button", { name: `Disable ${name}` }).click();
    await expect(row).toContainText("Disabled");
    await row.getByRole("button", { name: `Delete ${name}` }).click();
    await expect(page.getByRole("status").filter({ hasText: `${name} deleted.` })).toBeVisible();
    await expect(row).toHaveCount(0);
  });

  test("a representative saves a view under a name, opens it from another page, and deletes it", async ({ page }) => {
    const password = "correct horse battery staple 18";
    const stamp = Date.now();
    const username = `console-rep-views-${stamp}@example.com`;
    userWithPassword(username, "Val Views", "representative", password);
    await signIn(page, username, password, "/console/");
    const views = page.getByRole("region", { name: "Saved views" });
    await expect(views).toContainText("None yet");

    await page.getByRole("combobox", { name: "Reason", exact: true }).selectOption("Billing");
    await page.getByRole("combobox", { name: "Sort", exact: true }).selectOption({ label: "Newest first" });
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/reason=Billing/);
    await page.getByLabel("Save this view as").fill("Billing, newest");
    await page.getByLabel("Save this view as").press("Enter");
    await expect(page.getByRole("status").filter({ hasText: "View Billing, newest saved." })).toBeFocused();
    await expect(views.getByRole("link", { name: "Billing, newest" })).toBeVisible();

    // The same name again: the server's message at the field, which takes focus.
    await page.getByLabel("Save this view as").fill("Billing, newest");
    await page.getByRole("button", { name: "Save the view" }).click();
    await expect(page.locator("#view-name-error")).toHaveText('You already have a view named "Billing, newest".');
    await expect(page.getByLabel("Save this view as")).toBeFocused();

    // From the plain view, after a reload: the saved one opens with its filters.
    await page.goto(`${apiUrl()}/console/`);
    await views.getByRole("link", { name: "Billing, newest" }).click();
    await expect(page).toHaveURL(/\/console\/\?reason=Billing&sort=newest$/);
    await expect(page.getByRole("combobox", { name: "Reason", exact: true })).toHaveValue("Billing");
    await expect(page.getByRole("combobox", { name: "Sort", exact: true })).toHaveValue("newest");
    await noAxeViolations(page);

    await views.getByRole("button", { name: "Delete the view Billing, newest" }).click();
    await expect(page.getByRole("status").filter({ hasText: "View Billing, newest deleted." })).toBeVisible();
    await expect(views.getByRole("link")).toHaveCount(0);
  });
});
