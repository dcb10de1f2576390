// How long a visitor waits from `ContactRequestWidget.open()` to a form they can type into, and what the
// tag costs the host page's main thread, in headless Chromium against the local server: medians of several
// runs, each on a cold cache (a fresh context), also with the CPU throttled 4x (CDP
// `Emulation.setCPUThrottlingRate`) to stand for a visitor's slower machine, and over a 100 ms round trip
// (CDP `Network.emulateNetworkConditions`) to stand for a mobile network, where each file fetched in series
// costs a round trip: opened at once, and opened 150 ms after the pointer reached the launcher (which
// fetches `open.js`, as a visitor's pointer or finger does before the click). The figures are printed and
// attached to the test's annotations; they are a report, not a pass/fail (goals: open to interactive
// under 100 ms, 300 ms at 4x; the tag's script before open under 5 ms).
import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";

import { demoUrl } from "../support/server";

const RUNS = 9;

/** How a run's page is slowed: its CPU `rate` times (1: not throttled), `latency` ms added to each request. */
interface Conditions {
  rate: number;
  latency?: number;
  /** The pointer reaches the launcher this many ms before open(). */
  hover?: number;
}

/** A page in `context`, slowed as `conditions` say. */
async function throttledPage(context: BrowserContext, { rate, latency }: Conditions): Promise<Page> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  if (rate !== 1) await cdp.send("Emulation.setCPUThrottlingRate", { rate });
  if (latency) {
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency, downloadThroughput: -1, uploadThroughput: -1 });
  }
  return page;
}

/** Milliseconds from open() to the reason select being focusable inside the shadow root. */
async function openToInteractive(context: BrowserContext, conditions: Conditions = { rate: 1 }): Promise<number> {
  const page = await throttledPage(context, conditions);
  await page.goto(demoUrl() + "/launcher");
  const launcher = page.locator("[data-crw-host=launcher] .crw-launch");
  await launcher.waitFor();
  if (conditions.hover) {
    await launcher.hover();
    // A visitor's pointer arrives before the click: the head start is the condition measured, not a wait for a result.
    await page.waitForTimeout(conditions.hover);
  }
  const ms = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const api = (window as unknown as { ContactRequestWidget: { on(t: string, f: () => void): void; open(): void } })
          .ContactRequestWidget;
        const start = performance.now();
        api.on("ready", () => {
          const root = document.querySelector("[data-crw-host=launcher]")!.shadowRoot!;
          const select = root.querySelector<HTMLSelectElement>("select")!;
          select.focus();
          if (root.activeElement === select) resolve(performance.now() - start);
        });
        api.open();
      }),
  );
  await page.close();
  return ms;
}

/** Open to interactive on a cold cache (a fresh context each run), `RUNS` times. */
async function coldRuns(browser: Browser, conditions: Conditions): Promise<number[]> {
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    runs.push(await openToInteractive(context, conditions));
    await context.close();
  }
  return runs;
}

/** The main thread's script and task time (ms) for loading the launcher page, with the tag or without it. */
async function mainThread(browser: Browser, rate: number, withTag: boolean): Promise<{ script: number; task: number }> {
  const context = await browser.newContext();
  const page = await throttledPage(context, { rate });
  if (!withTag) {
    // The same page, its widget tag taken out.
    await page.route(demoUrl() + "/launcher", async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, body: (await response.text()).replace(/<script[^>]*widget\.js[^>]*><\/script>/g, "") });
    });
  }
  const cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable");
  await page.goto(demoUrl() + "/launcher");
  await page.waitForLoadState("networkidle");
  if (withTag) await page.locator("[data-crw-host=launcher] .crw-launch").waitFor();
  const { metrics } = await cdp.send("Performance.getMetrics");
  const metric = (name: string) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
  await context.close();
  return { script: metric("ScriptDuration"), task: metric("TaskDuration") };
}

/** Median over `RUNS` pairs of the main thread's cost of the page with the tag minus without it. */
async function tagCost(browser: Browser, rate: number): Promise<{ script: number[]; task: number[] }> {
  const script: number[] = [];
  const task: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const without = await mainThread(browser, rate, false);
    const withTag = await mainThread(browser, rate, true);
    script.push(withTag.script - without.script);
    task.push(withTag.task - without.task);
  }
  return { script, task };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(", ");

function report(line: string): void {
  console.log(line);
  test.info().annotations.push({ type: "open-timing", description: line });
}

test("open() to an interactive form, cold and warm cache", async ({ browser }) => {
  test.setTimeout(180_000);
  const cold = await coldRuns(browser, { rate: 1 });
  const context = await browser.newContext();
  await openToInteractive(context);
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++) warm.push(await openToInteractive(context));
  await context.close();

  report(`open() to interactive form, median of ${RUNS}: cold ${median(cold).toFixed(0)} ms, warm ${median(warm).toFixed(0)} ms (cold ${list(cold)}; warm ${list(warm)})`);
  expect(median(cold)).toBeGreaterThan(0);
});

test("open() to an interactive form with the CPU throttled 4x, cold cache", async ({ browser }) => {
  test.setTimeout(240_000);
  const cold = await coldRuns(browser, { rate: 4 });
  report(`open() to interactive form at 4x CPU throttling, cold cache, median of ${RUNS}: ${median(cold).toFixed(0)} ms (${list(cold)})`);
  expect(median(cold)).toBeGreaterThan(0);
});

test("open() to an interactive form over a 100 ms round trip, cold cache, opened at once and after a hover", async ({ browser }) => {
  test.setTimeout(240_000);
  const now = await coldRuns(browser, { rate: 1, latency: 100 });
  const hovered = await coldRuns(browser, { rate: 1, latency: 100, hover: 150 });
  report(
    `open() to interactive form over a 100 ms round trip, cold cache, median of ${RUNS}: opened at once ${median(now).toFixed(0)} ms, ` +
      `150 ms after a hover ${median(hovered).toFixed(0)} ms (at once ${list(now)}; after a hover ${list(hovered)})`,
  );
  expect(median(now)).toBeGreaterThan(0);
});

test("the main-thread cost of the tag before open, plain and with the CPU throttled 4x", async ({ browser }) => {
  test.setTimeout(240_000);
  for (const rate of [1, 4]) {
    const cost = await tagCost(browser, rate);
    report(
      `main thread, page with the tag minus without, loading to idle, ${rate}x CPU, median of ${RUNS} pairs: ` +
        `script ${median(cost.script).toFixed(1)} ms, tasks ${median(cost.task).toFixed(1)} ms ` +
        `(script ${list(cost.script)}; tasks ${list(cost.task)})`,
    );
    expect(cost.script).toHaveLength(RUNS);
  }
});
