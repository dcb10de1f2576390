// Nobody misses a request: a visitor submits in the widget, and a webhook receiver started here gets a
// `contact_request.created` that the Standard Webhooks reference library (npm `standardwebhooks`)
// verifies, while a real SMTP server (the project's aiosmtpd script) gets an email to the members of
// the queue that owns the request. The server is one of this test's own, with a webhooks file and
// SMTP settings, on a database of its own.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { expect, test } from "@playwright/test";
import { Webhook } from "standardwebhooks";

import { ContactForm } from "../pages/contact-form";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const DEMO_QUEUE = "00G000000000001EAA";
const MEMBER = "mia@example.com";

interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver on loopback that keeps every post and answers 204. */
async function receiver(): Promise<{ server: Server; url: string; received: Delivery[] }> {
  const received: Delivery[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/hook`, received };
}

/** A port free at this moment, for the SMTP server (its script takes a port, not 0). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, "127.0.0.1", done));
  const { port } = probe.address() as AddressInfo;
  await new Promise((done) => probe.close(done));
  return port;
}

/** The project's aiosmtpd script on `port`, writing each accepted message into `folder`. */
function smtpServer(port: number, folder: string): Promise<ChildProcess> {
  const script = resolve(__dirname, "../../server/tests/mail/smtpd.py");
  const child = spawn("python3", [script, String(port), folder], { stdio: ["pipe", "pipe", "inherit"] });
  return new Promise((ready, failed) => {
    child.once("exit", (code) => failed(new Error(`the SMTP server exited with ${code} (pip install aiosmtpd)`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.trim() === "ready") ready(child);
    });
  });
}

/** The server with these extra flags; answers the process and its demo page's URL. */
function serve(database: string, flags: string[]): Promise<{ child: ChildProcess; demo: string }> {
  const child = spawn(
    process.env.CRW_SERVER_BIN!,
    ["--listen", "127.0.0.1:0", "--demo-listen", "127.0.0.1:0", "--no-metrics", "--database", database,
      "--widget-dir", process.env.CRW_WIDGET_DIR!, ...flags],
    { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, RUST_LOG: "warn" } },
  );
  return new Promise((ready, failed) => {
    child.once("exit", (code) => failed(new Error(`the server exited early with ${code}`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const match = /^Demo host page:\s+(\S+?)\/?(\s|$)/.exec(line);
      if (match) ready({ child, demo: match[1] });
    });
  });
}

function cli(database: string, args: string[]): string {
  return execFileSync(process.env.CRW_SERVER_BIN!, [...args, "--database", database], {
    env: { ...process.env, RUST_LOG: "error" },
  })
    .toString()
    .trim();
}

/** The messages the SMTP server accepted, as its script parsed them. */
function mails(folder: string): { rcpt_tos: string[]; headers: Record<string, string>; text: string; html: string }[] {
  return readdirSync(folder)
    .filter((name) => name.endsWith(".json"))
    .map((name) => JSON.parse(readFileSync(join(folder, name), "utf8")));
}

async function stop(child: ChildProcess, how: "SIGTERM" | "stdin"): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((done) => child.once("exit", done));
  if (how === "stdin") child.stdin!.end();
  else child.kill("SIGTERM");
  await exited;
}

test("a request submitted in the widget reaches a webhook receiver, verified, and the queue's members by email", async ({ page }) => {
  test.setTimeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), "crw-e2e-notify-"));
  const database = join(dir, "notify.sqlite3");
  const inbox = join(dir, "inbox");
  execFileSync("mkdir", ["-p", inbox]);
  const hooks = await receiver();
  const smtpPort = await freePort();
  const smtp = await smtpServer(smtpPort, inbox);
  let server: ChildProcess | undefined;
  try {
    cli(database, ["users", "add", "--username", MEMBER, "--name", "Mia Member", "--email", MEMBER,
      "--role", "representative"]);
    cli(database, ["queues", "add-member", DEMO_QUEUE, MEMBER]);
    const file = join(dir, "webhooks.toml");
    writeFileSync(file, [
      "[[endpoint]]",
      'name = "receiver"',
      `url = "${hooks.url}"`,
      `secrets = ["${SECRET}"]`,
      'events = ["contact_request.created"]',
      'site = "demo"',
      "",
    ].join("\n"));
    const started = await serve(database, [
      "--webhooks", file, "--webhooks-allow-private",
      "--smtp-host", "127.0.0.1", "--smtp-port", String(smtpPort), "--smtp-security", "none",
      "--mail-from", "Contact requests <requests@example.com>",
    ]);
    server = started.child;

    const form = await new ContactForm(page).open("/", started.demo);
    await form.chooseReason("Billing");
    await form.fill({ preferred_phone: "+44 20 7946 0123", name: "Nora Notify", request_description: "Tell someone, please." });
    await form.submit.click();
    await expect(form.requestNumber).toHaveText(/^CR-\d{6}$/);
    const number = (await form.requestNumber.textContent())!;

    // The receiver gets the request, signed so that the reference library verifies it.
    await expect.poll(() => hooks.received.length, { timeout: 20_000 }).toBe(1);
    const { headers, body } = hooks.received[0];
    const verified = new Webhook(SECRET).verify(body, {
      "webhook-id": String(headers["webhook-id"]),
      "webhook-timestamp": String(headers["webhook-timestamp"]),
      "webhook-signature": String(headers["webhook-signature"]),
    }) as { data: { Name: string; VisitorName__c: string } };
    expect(verified.data.Name).toBe(number);
    expect(verified.data.VisitorName__c).toBe("Nora Notify");
    const payload = JSON.parse(body);
    expect(payload.type).toBe("contact_request.created");
    expect(() => new Webhook("whsec_dGhpcyBpcyBub3QgdGhlIHNlY3JldCBhdCBhbGw=").verify(body, {
      "webhook-id": String(headers["webhook-id"]),
      "webhook-timestamp": String(headers["webhook-timestamp"]),
      "webhook-signature": String(headers["webhook-signature"]),
    })).toThrow();

    // The queue's member gets an email naming the request.
    await expect.poll(() => mails(inbox).length, { timeout: 20_000 }).toBe(1);
    const [mail] = mails(inbox);
    expect(mail.rcpt_tos).toEqual([MEMBER]);
    expect(mail.headers.subject).toContain(number);
    expect(mail.text).toContain("Nora Notify");
    expect(mail.html).toContain("Nora Notify");
  } finally {
    if (server) await stop(server, "SIGTERM");
    await stop(smtp, "stdin");
    await new Promise((done) => hooks.server.close(done));
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
});
