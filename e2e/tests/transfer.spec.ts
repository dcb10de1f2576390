// What a host page really pays for the widget, as a real Chromium receives it: every response from the
// widget's server, per phase (page load, open, submit), with its transferred body bytes (as encoded on the
// wire) and its headers. The host pages are hostile (the hostile page's stylesheet) and under the strict or
// the nonce CSP of the embed tests, with the launcher alone, so nothing opens before the visitor does. The
// figures are printed and attached to the test's annotations; the budgets are asserted (`cargo xtask sizes`
// counts the same sets from the build).
import { expect, test, type Page, type Request } from "@playwright/test";

import { EmbeddedWidget } from "../pages/embedded-widget";
import { apiUrl, demoUrl } from "../support/server";

/** Before open: the loader alone, which carries the facade. */
const BEFORE_OPEN_BYTES = 2048;
const BEFORE_OPEN_REQUESTS = 1;
/** On open: the product's 60 KB budget (xtask/src/sizes.rs holds the ratchet under it). */
const OPEN_BYTES = 61_440;

type Phase = "page load" | "open" | "submit";

interface Fetched {
  phase: Phase;
  path: string;
  status: number;
  body: number;
  headers: number;
}

/** Records every request to the widget's server, in the phase it was made in, once it has finished. */
class Transfers {
  phase: Phase = "page load";
  readonly done: Fetched[] = [];
  private pending = new Map<Request, Phase>();

  constructor(page: Page) {
    const server = new URL(apiUrl()).origin;
    page.on("request", (r) => new URL(r.url()).origin === server && this.pending.set(r, this.phase));
    const finish = async (r: Request) => {
      const phase = this.pending.get(r);
      if (!phase) return;
      const response = await r.response();
      const sizes = response ? await r.sizes() : { responseBodySize: 0, responseHeadersSize: 0 };
      const url = new URL(r.url());
      this.done.push({
        phase,
        path: url.pathname.replace(/[0-9a-f]{16}/, "…") + url.search.replace(/=[0-9a-f]+$/, "=…"),
        status: response?.status() ?? 0,
        body: sizes.responseBodySize,
        headers: sizes.responseHeadersSize,
      });
      this.pending.delete(r);
    };
    page.on("requestfinished", finish);
    page.on("requestfailed", finish);
  }

  /** Waits until nothing this page asked the widget's server for is still on its way. */
  async settled(): Promise<void> {
    await expect.poll(() => this.pending.size, { timeout: 20_000 }).toBe(0);
  }

  of(phase: Phase): Fetched[] {
    return this.done.filter((f) => f.phase === phase);
  }

  report(title: string): string {
    const lines = [title];
    for (const phase of ["page load", "open", "submit"] as Phase[]) {
      const fetched = this.of(phase);
      const body = fetched.reduce((n, f) => n + f.body, 0);
      const headers = fetched.reduce((n, f) => n + f.headers, 0);
      lines.push(`  ${phase}: ${fetched.length} requests, ${body} B body (+ ${headers} B headers)`);
      for (const f of fetched) lines.push(`    ${f.status} ${f.path.padEnd(52)} ${String(f.body).padStart(7)} B`);
    }
    return lines.join("\n");
  }
}

const sum = (fetched: Fetched[]) => fetched.reduce((n, f) => n + f.body, 0);

for (const [path, policy] of [
  ["/csp-launcher", "the strict CSP"],
  ["/csp-nonce-launcher", "the nonce CSP"],
]) {
  test(`under ${policy}, a hostile page fetches one file of at most 2 KB before open, and at most 60 KB on open`, async ({ page }) => {
    const transfers = new Transfers(page);
    const response = await page.goto(demoUrl() + path);
    expect(response!.headers()["content-security-policy"]).not.toContain("unsafe-inline");
    const widget = new EmbeddedWidget(page, "launcher");
    await expect(widget.launcher).toHaveText("Contact us");
    await expect(widget.launcher).toBeVisible();
    await page.waitForLoadState("networkidle");
    await transfers.settled();

    transfers.phase = "open";
    await widget.open();
    await transfers.settled();

    transfers.phase = "submit";
    await widget.submitValidRequest();
    await transfers.settled();

    const report = transfers.report(`widget server responses under ${policy} (${path}), cold cache:`);
    console.log(report);
    test.info().annotations.push({ type: "transfer", description: report });

    const before = transfers.of("page load");
    expect(before.map((f) => f.path)).toEqual(["/widget.js"]);
    expect(before.length).toBeLessThanOrEqual(BEFORE_OPEN_REQUESTS);
    expect(sum(before)).toBeLessThanOrEqual(BEFORE_OPEN_BYTES);
    expect(sum(transfers.of("open"))).toBeLessThanOrEqual(OPEN_BYTES);
    expect(transfers.done.every((f) => f.status < 400)).toBe(true);
  });
}
