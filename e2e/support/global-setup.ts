// Starts the real server on free ports with a fresh database for the whole run, and stops it afterwards.
// The xtask passes the built binary and widget in CRW_SERVER_BIN and CRW_WIDGET_DIR.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

export default async function globalSetup(): Promise<() => Promise<void>> {
  const bin = required("CRW_SERVER_BIN");
  const widgetDir = required("CRW_WIDGET_DIR");
  const dir = mkdtempSync(join(tmpdir(), "crw-e2e-"));
  const database = join(dir, "e2e.sqlite3");
  // A representative with a write token and an integration with a read token, for the API suite.
  process.env.CRW_API_TOKEN = apiToken(bin, database, "rep@example.com", "Rita Rep", "write");
  process.env.CRW_READ_TOKEN = apiToken(bin, database, "reports@example.com", "Reporting", "read");
  // A representative, who sees only what is theirs or shared with them (the manual-share test).
  const rep = representative(bin, database, "rob@example.com", "Rob Rep");
  process.env.CRW_REP_ID = rep.id;
  process.env.CRW_REP_TOKEN = rep.token;

  const server = spawn(
    bin,
    [
      "--listen", "127.0.0.1:0", "--demo-listen", "127.0.0.1:0", "--database", database, "--widget-dir", widgetDir,
      // Seals the secrets of webhook endpoints an admin makes on the admin page.
      "--webhooks-key", "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=",
      // A telephony provider's call center beside the demo's (see the file).
      "--call-centers", join(__dirname, "call-centers.toml"),
    ],
    { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "warn" } },
  );
  const urls = await readUrls(server);
  process.env.CRW_API_URL = urls.api;
  process.env.CRW_DEMO_URL = urls.demo;
  process.env.CRW_DATABASE = database;

  return async () => {
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
}

/** Adds a user and creates a token for it with the server's own CLI; the token is printed once. */
function apiToken(bin: string, database: string, username: string, name: string, scope: string): string {
  const cli = (args: string[]) =>
    execFileSync(bin, [...args, "--database", database], { env: { ...process.env, RUST_LOG: "error" } })
      .toString()
      .trim();
  // Integrations see every request (the sharing model gives admins View All).
  cli(["users", "add", "--username", username, "--name", name, "--role", "admin"]);
  return cli(["tokens", "create", "--user", username, "--scope", scope, "--label", "e2e"]);
}

/** Adds a representative with a write token; answers their id and token. */
function representative(bin: string, database: string, username: string, name: string): { id: string; token: string } {
  const cli = (args: string[]) =>
    execFileSync(bin, [...args, "--database", database], { env: { ...process.env, RUST_LOG: "error" } })
      .toString()
      .trim();
  const id = cli(["users", "add", "--username", username, "--name", name, "--role", "representative"]);
  const token = cli(["tokens", "create", "--user", username, "--scope", "write", "--label", "e2e"]);
  return { id, token };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests through \`cargo xtask test\``);
  return value;
}

/** Reads the two URL lines the server prints once it listens. */
function readUrls(server: ReturnType<typeof spawn>): Promise<{ api: string; demo: string }> {
  return new Promise((resolve, reject) => {
    const found: { api?: string; demo?: string } = {};
    const timer = setTimeout(() => reject(new Error("the server did not start within 20 s")), 20_000);
    server.once("exit", (code) => reject(new Error(`the server exited early with ${code}`)));
    createInterface({ input: server.stdout! }).on("line", (line) => {
      const match = /^(API and widget|Demo host page):\s+(\S+?)\/?(\s|$)/.exec(line);
      if (!match) return;
      if (match[1] === "API and widget") found.api = match[2];
      else found.demo = match[2];
      if (found.api && found.demo) {
        clearTimeout(timer);
        resolve({ api: found.api, demo: found.demo });
      }
    });
  });
}
