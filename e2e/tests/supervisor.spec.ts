// The supervisor view, against the real server: a supervisor watches a representative go Available, sees
// a due callback offered to them, takes it back to the queue, and sees it waiting there with nobody
// available (whoever had it taken back cools down from it), all without a reload. Each person has a
// browser context of their own.
import AxeBuilder from "@axe-core/playwright";
import { execFileSync } from "node:child_process";
import { expect, test, type Browser, type Page } from "@playwright/test";

import { apiUrl } from "../support/server";

const PASSWORD = "correct horse battery staple 15";
const SHOTS = "screenshots/console";

function cli(args: string[], input?: string): string {
  return execFileSync(process.env.CRW_SERVER_BIN!, [...args, "--database", process.env.CRW_DATABASE!], {
    input,
    env: { ...process.env, RUST_LOG: "error" },
  })
    .toString()
    .trim();
}

/** A signed-in console in a browser context of its own, at `path`. */
async function consoleOf(browser: Browser, username: string, path: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${apiUrl()}/console/sign-in?next=${encodeURIComponent(path)}`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(`${path}$`));
  return page;
}

test("a supervisor sees a representative go Available and hold an offer, takes it back, and sees it wait", async ({ browser }) => {
  const stamp = Date.now();
  // A queue of its own, so that no other test's request is offered here.
  const queueName = `Supervised ${stamp}`;
  const queue = cli(["queues", "add", "--name", queueName]);
  const [rita, sue] = [`rita-${stamp}@example.com`, `sue-${stamp}@example.com`];
  const ritaName = `Rita Watched ${stamp}`;
  cli(["users", "add", "--username", rita, "--name", ritaName, "--role", "representative", "--password-stdin"], PASSWORD + "\n");
  cli(["queues", "add-member", queue, rita]);
  cli(["users", "add", "--username", sue, "--name", `Sue Supervisor ${stamp}`, "--role", "supervisor", "--password-stdin"], PASSWORD + "\n");

  // The supervisor reaches the view from the work app's one link.
  const supervisor = await consoleOf(browser, sue, "/console/");
  await supervisor.getByRole("link", { name: "Supervisor" }).click();
  await expect(supervisor).toHaveURL(/\/console\/admin\/supervisor$/);
  await expect(supervisor.getByRole("heading", { level: 1 })).toHaveText("Supervisor");
  await expect(supervisor.getByRole("link", { name: "Admin" })).toHaveCount(0);
  const people = supervisor.getByRole("region", { name: "People" });
  const card = people.getByRole("listitem").filter({ has: supervisor.getByRole("heading", { name: new RegExp(ritaName) }) });
  await expect(card.getByRole("heading")).toContainText("Offline");

  const rep = await consoleOf(browser, rita, "/console/");
  const set = rep.waitForResponse((r) => r.url().endsWith("/console/api/presence") && r.request().method() === "PUT");
  await rep.getByRole("combobox", { name: "Presence" }).selectOption("available");
  expect((await set).status()).toBe(200);
  await expect(card.getByRole("heading")).toContainText("Available");

  const api = { Authorization: `Bearer ${process.env.CRW_API_TOKEN}` };
  const made = await rep.request.post(`${apiUrl()}/services/data/v62.0/sobjects/ContactRequest`, {
    headers: api,
    data: { RequestReason: "Billing", PreferredPhone: "+442079460888", IsCallback: true, OwnerId: queue },
  });
  expect(made.status(), await made.text()).toBe(201);
  const id = (await made.json()).id;
  const number = (await (await rep.request.get(`${apiUrl()}/services/data/v62.0/sobjects/ContactRequest/${id}`, { headers: api })).json()).Name;

  // Offered to Rita: her console shows it, and the supervisor sees her hold it.
  await expect(rep.getByRole("region", { name: "Offered to you" }).getByRole("button", { name: `Accept ${number}` })).toBeVisible();
  const held = card.getByRole("list", { name: `${ritaName} holds` });
  await expect(held).toContainText(number);
  await expect(held).toContainText(/offered, \d+ s left/);
  await expect(card).toContainText("Holds 1 of 1");
  const row = supervisor.getByRole("region", { name: "Waiting" }).getByRole("row").filter({ has: supervisor.getByRole("rowheader", { name: queueName }) });
  await expect(row.getByRole("cell").nth(2)).toHaveText("1", { useInnerText: true });
  const results = await new AxeBuilder({ page: supervisor }).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
  await supervisor.screenshot({ path: `${SHOTS}/supervisor-1280.png`, fullPage: true });

  await held.getByRole("button", { name: `Take back ${number}` }).click();
  await expect(supervisor.getByRole("status")).toHaveText(`${number} is back in its queue, to be offered again.`);
  await expect(held).not.toContainText(number);
  await expect(card).toContainText("Holds 0 of 1");
  await expect(rep.getByRole("region", { name: "Offered to you" })).toBeHidden();
  // It waits in its queue: Rita cools down from it, so nobody can take it.
  await expect(row.getByRole("cell").first()).toHaveText("1");
  await expect(row).toContainText(number);
  await expect(row).toContainText("Nobody available");
  const owner = (await (await rep.request.get(`${apiUrl()}/services/data/v62.0/sobjects/ContactRequest/${id}`, { headers: api })).json()).OwnerId;
  expect(owner).toBe(queue);
});
