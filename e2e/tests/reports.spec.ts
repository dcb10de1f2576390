// The reports page of the admin app against the real server: a supervisor opens it
// (`/console/admin/reports`) and sees the report of the last seven days, axe finds no violation on it, and the CSV
// download has the report's columns; the widget's funnel shows each site's day as the daily counts have it;
// a representative is told the reports are not theirs.
//
// Other specs write to the same server at the same time, so the figures are checked for what this spec
// made, never for totals; the figures themselves are checked against a known set of requests by the Rust
// API tests (server/tests/api/console/reports.rs).
import AxeBuilder from "@axe-core/playwright";
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";

import { EmbeddedWidget } from "../pages/embedded-widget";
import { apiUrl } from "../support/server";

function supervisor(username: string, password: string): void {
  execFileSync(
    process.env.CRW_SERVER_BIN!,
    ["users", "add", "--username", username, "--name", "Sue Supervisor", "--role", "supervisor",
      "--password-stdin", "--database", process.env.CRW_DATABASE!],
    { input: password + "\n", env: { ...process.env, RUST_LOG: "error" }, stdio: ["pipe", "pipe", "pipe"] },
  );
}

/** A new supervisor, signed in on `page` (at every request, `/console/all`). */
async function signedInSupervisor(page: Page, username: string): Promise<void> {
  const password = "correct horse battery staple";
  supervisor(username, password);
  await page.goto(`${apiUrl()}/console/sign-in?next=${encodeURIComponent("/console/all")}`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/console\/all$/);
}

test("a supervisor opens the reports of the last seven days, which pass axe, and downloads the CSV", async ({ page }) => {
  await signedInSupervisor(page, `sue-${Date.now()}@example.com`);

  await page.goto(`${apiUrl()}/console/admin/reports`);
  await expect(page.getByRole("heading", { name: "Reports", level: 1 })).toBeVisible();
  const overall = page.getByRole("table", { name: "Service levels and outcomes" });
  await expect(overall.getByRole("rowheader", { name: "All requests" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Per queue" })).toBeVisible();
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download CSV" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^report-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = await readFile(await download.path(), "utf8");
  const lines = csv.split("\r\n");
  expect(lines[0]).toBe(
    "section,day,site,reason,id,name,requests,attempted,median_first_attempt_seconds," +
      "p90_first_attempt_seconds,breaches,closed,contacted,abandoned,contact_rate,abandonment_rate," +
      "attempts_per_contacted",
  );
  expect(lines.some((line) => line.startsWith("overall,"))).toBe(true);
});

test("a representative is told the reports are for supervisors", async ({ page }) => {
  const username = `rae-${Date.now()}@example.com`;
  const password = "correct horse battery staple";
  execFileSync(
    process.env.CRW_SERVER_BIN!,
    ["users", "add", "--username", username, "--name", "Rae Rep", "--role", "representative",
      "--password-stdin", "--database", process.env.CRW_DATABASE!],
    { input: password + "\n", env: { ...process.env, RUST_LOG: "error" }, stdio: ["pipe", "pipe", "pipe"] },
  );
  await page.goto(`${apiUrl()}/console/sign-in?next=${encodeURIComponent("/console/admin/reports")}`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Only supervisors and admins read the reports.");
});

type Count = { site: string; day: string; measure: string; count: number };

test("the widget's funnel shows each site's day as the daily counts have it, and passes axe", async ({ page, browser }) => {
  // A visitor's session on the demo page: offered, opened, then sent; leaving the page sends the offer.
  const visitor = await browser.newPage();
  await EmbeddedWidget.visit(visitor, "/launcher");
  const widget = new EmbeddedWidget(visitor, "launcher");
  await widget.open();
  await widget.submitValidRequest();
  await visitor.goto("about:blank");
  await visitor.close();

  const today = new Date().toISOString().slice(0, 10);
  const counts = async (): Promise<Count[]> => {
    const answer = await page.request.get(`${apiUrl()}/services/apexrest/xdm/daily-counts?from=${today}&to=${today}`, {
      headers: { Authorization: `Bearer ${process.env.CRW_API_TOKEN}` },
    });
    expect(answer.status()).toBe(200);
    return (await answer.json()).counts;
  };
  const of = (all: Count[], site: string, measure: string) =>
    all.filter((c) => c.site === site && c.measure === measure).reduce((n, c) => n + c.count, 0);
  await expect
    .poll(async () => {
      const all = await counts();
      return ["chatOffered", "chatStart"].every((m) => all.some((c) => c.measure === m));
    })
    .toBe(true);

  await signedInSupervisor(page, `sam-${Date.now()}@example.com`);
  // Other specs' visitors count on the same server meanwhile: the page holds at least what the counts
  // held before it loaded, and at most what they held after.
  const before = await counts();
  await page.goto(`${apiUrl()}/console/admin/reports`);
  const funnel = page.getByRole("table", { name: "Widget funnel, per day and site" });
  await expect(funnel).toBeVisible();
  const after = await counts();
  const headings = await funnel.locator("thead th").allTextContents();
  expect(headings.slice(0, 2)).toEqual(["Day", "Site"]);
  expect(headings).toEqual(expect.arrayContaining(["Offered", "Started", "Sent", "Declined", "Calls", "Emails", "Texts", "Sent of started"]));
  const sites = [...new Set(before.map((c) => c.site))];
  expect(sites.length).toBeGreaterThan(0);
  for (const site of sites) {
    const row = funnel.getByRole("row").filter({ has: page.getByRole("rowheader", { name: site, exact: true }) }).filter({ hasText: today });
    const cells = await row.locator("td, th").allTextContents();
    for (const [heading, measure] of [["Offered", "chatOffered"], ["Started", "chatStart"], ["Sent", "clickToDirectMessage"], ["Declined", "chatDeclined"], ["Calls", "clickToCall"]]) {
      const shown = Number(cells[headings.indexOf(heading)]);
      expect(shown, `${site} ${heading}`).toBeGreaterThanOrEqual(of(before, site, measure));
      expect(shown, `${site} ${heading}`).toBeLessThanOrEqual(of(after, site, measure));
    }
  }
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
});
