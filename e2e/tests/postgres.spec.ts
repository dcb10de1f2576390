// The product on PostgreSQL with two server processes on one database, as behind a load balancer: a
// visitor asks through the demo page of process A; a representative signed in to the console through
// process B sees the request arrive live (B hears A's commit), works it there, and the same browser
// session then works through process A, where the change shows. `cargo xtask test` passes the throwaway
// cluster's database in CRW_E2E_POSTGRES_URL.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { expect, test } from "@playwright/test";

import { ContactForm } from "../pages/contact-form";

const PASSWORD = "correct horse battery staple 20";
const DEMO_QUEUE = "00G000000000001EAA";

interface Process {
  child: ChildProcess;
  api: string;
  demo: string;
}

function database(): string {
  const url = process.env.CRW_E2E_POSTGRES_URL;
  if (!url) throw new Error("CRW_E2E_POSTGRES_URL is not set: run the browser tests through `cargo xtask test`");
  return url;
}

function cli(args: string[], input?: string): string {
  return execFileSync(process.env.CRW_SERVER_BIN!, [...args, "--database", database()], {
    input,
    env: { ...process.env, RUST_LOG: "error" },
  })
    .toString()
    .trim();
}

/** A server process on the PostgreSQL database, with its API and demo page on free ports. */
function serve(): Promise<Process> {
  const child = spawn(
    process.env.CRW_SERVER_BIN!,
    ["--listen", "127.0.0.1:0", "--demo-listen", "127.0.0.1:0", "--no-metrics", "--database", database(),
      "--widget-dir", process.env.CRW_WIDGET_DIR!],
    { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, RUST_LOG: "warn" } },
  );
  return new Promise((resolve, reject) => {
    const found: { api?: string; demo?: string } = {};
    child.once("exit", (code) => reject(new Error(`a server on PostgreSQL exited early with ${code}`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const match = /^(API and widget|Demo host page):\s+(\S+?)\/?(\s|$)/.exec(line);
      if (!match) return;
      if (match[1] === "API and widget") found.api = match[2];
      else found.demo = match[2];
      if (found.api && found.demo) resolve({ child, api: found.api, demo: found.demo });
    });
  });
}

async function stop(server: Process): Promise<void> {
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  server.child.kill("SIGTERM");
  await exited;
}

test("two server processes on one PostgreSQL: a request sent through one is seen live and worked through the other", async ({ browser }) => {
  test.setTimeout(90_000);
  const [a, b] = await Promise.all([serve(), serve()]);
  try {
    const rep = `pg-rep-${Date.now()}@example.com`;
    cli(["users", "add", "--username", rep, "--name", "Petra Postgres", "--role", "representative", "--password-stdin"],
      PASSWORD + "\n");
    cli(["queues", "add-member", DEMO_QUEUE, rep]);

    // The representative signs in through B and watches the queue there.
    const work = await (await browser.newContext()).newPage();
    await work.goto(`${b.api}/console/sign-in?next=${encodeURIComponent(`/console/queues/${DEMO_QUEUE}?sort=newest`)}`);
    await work.getByLabel("Username").fill(rep);
    await work.getByLabel("Password").fill(PASSWORD);
    await work.getByRole("button", { name: "Sign in" }).click();
    await expect(work.getByRole("heading", { level: 1 })).toBeVisible();

    // A visitor asks through A's demo page, whose widget talks to A.
    const visitor = await (await browser.newContext()).newPage();
    const form = await new ContactForm(visitor).open("/", a.demo);
    await form.chooseReason("Billing");
    await form.fill({ preferred_phone: "+44 20 7946 0111", name: "Vic Visitor", request_description: "Two processes, one request." });
    await form.submit.click();
    await expect(form.requestNumber).toHaveText(/^CR-\d{6}$/);
    const number = (await form.requestNumber.textContent())!;
    await visitor.context().close();

    // B's console shows it without a reload: B heard A's commit.
    const row = work.getByRole("row").filter({ has: work.getByRole("link", { name: number, exact: true }) });
    await expect(row).toContainText("New");
    await row.getByRole("link", { name: number, exact: true }).click();
    await work.getByLabel("Outcome").selectOption("Not Reached");
    await work.getByRole("button", { name: "Log the call" }).click();
    await expect(work.getByRole("heading", { level: 1 })).toContainText("Attempted");

    // The same session works through A: signed in there too, and the change is there.
    const path = new URL(work.url()).pathname;
    await work.goto(`${a.api}${path}`);
    await expect(work).toHaveURL(`${a.api}${path}`);
    await expect(work.getByRole("heading", { level: 1 })).toContainText(number);
    await expect(work.getByRole("heading", { level: 1 })).toContainText("Attempted");
    await expect(work.getByRole("region", { name: "History" })).toContainText("New → Attempted");
  } finally {
    await Promise.all([stop(a), stop(b)]);
  }
});
