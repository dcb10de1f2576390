// The reports page of the admin app against the real server: a supervisor opens it
// (`/console/admin/reports`) and sees the report of the last seven days, axe finds no violation on it, and the CSV
// download has the report's columns; a representative is told the reports are not theirs.
//
// Other specs write to the same server at the same time, so the figures are checked for what this spec
// made, never for totals; the figures themselves are checked against a known set of requests by the Rust
// API tests (server/tests/api/console/reports.rs).
import AxeBuilder from "@axe-core/playwright";
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";

import { apiUrl } from "../support/server";

function supervisor(username: string, password: string): void {
  execFileSync(
    process.env.CRW_SERVER_BIN!,
    ["users", "add", "--username", username, "--name", "Sue Supervisor", "--role", "supervisor",
      "--password-stdin", "--database", process.env.CRW_DATABASE!],
    { input: password + "\n", env: { ...process.env, RUST_LOG: "error" }, stdio: ["pipe", "pipe", "pipe"] },
  );
}

test("a supervisor opens the reports of the last seven days, which pass axe, and downloads the CSV", async ({ page }) => {
  const username = `sue-${Date.now()}@example.com`;
  const password = "correct horse battery staple";
  supervisor(username, password);

  await page.goto(`${apiUrl()}/console/sign-in?next=${encodeURIComponent("/console/all")}`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/console\/all$/);

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
