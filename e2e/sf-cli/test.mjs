// Salesforce's own CLI (`sf`) against the real server, with only an instance URL and a token: the server
// starts on a free port with a fresh database, its CLI makes a user and a token, and each `sf` command runs
// with its `--json` output asserted. `cargo xtask test` runs it with CRW_SERVER_BIN set.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const sfBin = join(here, "node_modules", ".bin", "sf");
const bin = process.env.CRW_SERVER_BIN;
if (!bin) throw new Error("CRW_SERVER_BIN is not set: run this suite through `cargo xtask test`");

const dir = mkdtempSync(join(tmpdir(), "crw-sf-"));
const database = join(dir, "sf.sqlite3");
const home = join(dir, "home");
mkdirSync(home);
let server;
let instanceUrl;
let token;

/** Runs the server's own CLI on the suite's database. */
function serverCli(args) {
  return execFileSync(bin, [...args, "--database", database], { env: { ...process.env, RUST_LOG: "error" } })
    .toString()
    .trim();
}

/** Runs `sf` with its own home (no config or keychain of the machine's), answering its `--json` result. */
function sf(args, { env = {} } = {}) {
  let out;
  try {
    out = execFileSync(sfBin, [...args, "--json"], {
      env: {
        ...process.env,
        HOME: home,
        SF_DISABLE_TELEMETRY: "true",
        SF_AUTOUPDATE_DISABLE: "true",
        SF_SKIP_NEW_VERSION_CHECK: "true",
        SF_USE_GENERIC_UNIX_KEYCHAIN: "true",
        SF_DISABLE_LOG_FILE: "true",
        NODE_NO_WARNINGS: "1",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 120_000,
    }).toString();
  } catch (error) {
    throw new Error(`sf ${args.join(" ")} failed: ${error.stdout ?? ""}${error.stderr ?? ""}`);
  }
  const answer = JSON.parse(out);
  assert.equal(answer.status, 0, out);
  return answer.result;
}

const org = ["--target-org", "crw"];

before(async () => {
  serverCli(["users", "add", "--username", "cli@example.com", "--name", "Cli User", "--email", "cli@example.com", "--role", "admin"]);
  token = serverCli(["tokens", "create", "--user", "cli@example.com", "--scope", "write", "--label", "sf-cli"]);
  server = spawn(bin, ["--listen", "127.0.0.1:0", "--no-demo", "--database", database, "--widget-dir", dir], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "warn" },
  });
  instanceUrl = await apiUrl(server);
});

after(async () => {
  if (server) {
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

/** The URL of the `API and widget:` line the server prints once it listens. */
function apiUrl(child) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the server did not start within 20 s")), 20_000);
    child.once("exit", (code) => reject(new Error(`the server exited early with ${code}`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      const match = /^API and widget:\s+(\S+?)\/?$/.exec(line.trim());
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
}

test("the server's token is in the form sf org login access-token requires", () => {
  assert.match(token, /^00D\w{15}!crw_\w+$/);
});

test("sf org login access-token signs in as the token's user", () => {
  const result = sf(["org", "login", "access-token", "--instance-url", instanceUrl, "--alias", "crw", "--no-prompt"], {
    env: { SF_ACCESS_TOKEN: token },
  });
  assert.equal(result.username, "cli@example.com");
  assert.match(result.orgId, /^00D\w{15}$/);
  assert.equal(result.orgId, token.split("!")[0]);
});

test("sf org display shows the org connected", () => {
  const result = sf(["org", "display", ...org]);
  assert.equal(result.connectedStatus, "Connected");
  assert.equal(result.username, "cli@example.com");
  assert.equal(result.id, token.split("!")[0]);
});

test("sf sobject describe describes ContactRequest", () => {
  const result = sf(["sobject", "describe", ...org, "--sobject", "ContactRequest"]);
  assert.equal(result.name, "ContactRequest");
  assert.equal(result.keyPrefix, "0SR");
  const names = result.fields.map((f) => f.name);
  for (const name of ["Id", "Status", "PreferredChannel", "PreferredPhone", "RequestDescription"]) {
    assert.ok(names.includes(name), `${name} in ${names}`);
  }
});

test("sf data create, get, query, update, export tree and delete a ContactRequest", () => {
  const created = sf([
    "data", "create", "record", ...org, "--sobject", "ContactRequest",
    "--values", "PreferredChannel=Phone PreferredPhone='+14155550100' RequestDescription='Call about billing'",
  ]);
  assert.equal(created.success, true);
  const id = created.id;
  assert.match(id, /^0SR\w{15}$/);

  const got = sf(["data", "get", "record", ...org, "--sobject", "ContactRequest", "--record-id", id]);
  assert.equal(got.Id, id);
  assert.equal(got.Status, "New");
  assert.equal(got.PreferredPhone, "+14155550100");
  assert.equal(got.RequestDescription, "Call about billing");

  const query = `SELECT Id, Status, PreferredChannel FROM ContactRequest WHERE Id = '${id}'`;
  const queried = sf(["data", "query", ...org, "--query", query]);
  assert.equal(queried.totalSize, 1);
  assert.equal(queried.records[0].Id, id);
  assert.equal(queried.records[0].PreferredChannel, "Phone");

  // The table needs the query's columns (`columns=true`); it is printed only without --json.
  const table = execFileSync(sfBin, ["data", "query", ...org, "--query", query], {
    env: { ...process.env, HOME: home, SF_DISABLE_TELEMETRY: "true", SF_AUTOUPDATE_DISABLE: "true", NODE_NO_WARNINGS: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  }).toString();
  assert.match(table, /PREFERREDCHANNEL/);
  assert.match(table, new RegExp(id));
  assert.match(table, /Total number of records retrieved: 1\./);

  const updated = sf([
    "data", "update", "record", ...org, "--sobject", "ContactRequest", "--record-id", id,
    "--values", "RequestDescription='Changed by sf'",
  ]);
  assert.equal(updated.success, true);
  assert.equal(
    sf(["data", "get", "record", ...org, "--sobject", "ContactRequest", "--record-id", id]).RequestDescription,
    "Changed by sf",
  );

  const exportDir = join(dir, "export");
  const exported = sf(["data", "export", "tree", ...org, "--query", query, "--output-dir", exportDir]);
  assert.equal(exported.records.length, 1);
  const files = readdirSync(exportDir);
  const tree = JSON.parse(readFileSync(join(exportDir, files[0]), "utf8"));
  assert.equal(tree.records[0].PreferredChannel, "Phone");

  const deleted = sf(["data", "delete", "record", ...org, "--sobject", "ContactRequest", "--record-id", id]);
  assert.equal(deleted.success, true);
  assert.equal(sf(["data", "query", ...org, "--query", query]).totalSize, 0);
});
