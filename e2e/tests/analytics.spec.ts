// A visitor's journey as the widget measures it: the Contact Request Details events the page is told of
// (the `crw-analytics` DOM event, the API's `analytics` handlers, Google Tag Manager's `dataLayer`), and
// the ones the server stores, read back through the API's NDJSON export with a read token.
import { expect, test, type Page } from "@playwright/test";

import { EmbeddedWidget } from "../pages/embedded-widget";
import { apiUrl, demoUrl } from "../support/server";

interface Seen {
  source: string;
  name: string;
  session: string;
  [key: string]: unknown;
}

/** Records, from before the loader runs, what each of the three ways tells the page. */
async function recordAnalytics(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { seen: unknown[]; dataLayer: unknown[]; ContactRequestWidget: unknown[][] };
    w.seen = [];
    w.dataLayer = [];
    const push = w.dataLayer.push.bind(w.dataLayer);
    w.dataLayer.push = (...items: unknown[]) => {
      for (const item of items) w.seen.push({ source: "dataLayer", ...(item as object) });
      return push(...items);
    };
    w.ContactRequestWidget = [["on", "analytics", (detail: object) => w.seen.push({ source: "api", ...detail })]];
    document.addEventListener("crw-analytics", (e) => w.seen.push({ source: "dom", ...(e as CustomEvent).detail }));
  });
}

async function seen(page: Page, source: string): Promise<Seen[]> {
  const all = await page.evaluate(() => (window as unknown as { seen: Seen[] }).seen);
  return all.filter((s) => s.source === source);
}

/** The site's exported events since `from`, one JSON-LD ExperienceEvent a line. */
async function exported(page: Page, from: string): Promise<Record<string, unknown>[]> {
  const url = `${apiUrl()}/services/apexrest/xdm/events?site=demo&from=${encodeURIComponent(from)}`;
  const response = await page.request.get(url, {
    headers: { Authorization: `Bearer ${process.env.CRW_READ_TOKEN}` },
  });
  expect(response.status()).toBe(200);
  return (await response.text())
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line));
}

const feedback = (e: Record<string, unknown>) => e["xdm:customerFeedback"] as Record<string, unknown>;

/** The measures the export holds for `session`, in order. */
async function storedFor(page: Page, from: string, session: string): Promise<string[]> {
  return (await exported(page, from))
    .filter((e) => feedback(e)["xdm:chatSessionID"] === session)
    .map((e) => e["xdm:eventType"] as string);
}

test("a visitor's whole journey is on the page and in the export, without their phone or email", async ({ page }) => {
  const from = new Date(Date.now() - 60_000).toISOString();
  await recordAnalytics(page);
  await EmbeddedWidget.visit(page, "/launcher");
  const widget = new EmbeddedWidget(page, "launcher");

  await widget.open();
  const call = widget.host.locator("a[data-crw-ev=clickToCall]");
  await expect(call).toHaveAttribute("href", "tel:+442079460958");
  // A tel: link would hand the number to the system; the widget counts the click, not the call.
  await call.evaluate((a) => a.addEventListener("click", (e) => e.preventDefault()));
  await call.click();
  await widget.closeButton.click();
  await expect(widget.panel).toBeHidden();
  await widget.launcher.click();
  await expect(widget.submit).toBeEnabled();
  const phone = "+1 415 555 0100";
  await widget.submitValidRequest();

  const expected = ["chatOffered", "chatStart", "clickToCall", "chatEnd", "chatDeclined", "clickToDirectMessage"];
  await expect.poll(async () => (await seen(page, "dataLayer")).map((s) => s.name)).toEqual(expected);
  const layer = await seen(page, "dataLayer");
  const session = layer[0].session;
  expect(layer.map((s) => s.event)).toEqual(expected.map((name) => `contact_request_${name}`));
  expect(layer.every((s) => s.session === session && s.mode === "launcher")).toBe(true);
  expect((await seen(page, "dom")).map((s) => s.name)).toEqual(expected);
  await expect.poll(async () => (await seen(page, "api")).map((s) => s.name)).toEqual(expected);
  // Nothing the visitor typed reaches the page's tags: no phone number (nor any other field).
  const told = JSON.stringify(await page.evaluate(() => (window as unknown as { seen: unknown[] }).seen));
  expect(told).not.toContain("415");

  // The browser reports all but the sent request, which the server wrote with the request itself, in the
  // same session (the form sends it with the request), holding the phone number the page never saw. The
  // offer, which the loader records, goes when the page is left.
  await page.goto("about:blank");
  await expect
    .poll(() => storedFor(page, from, session))
    .toEqual([
      "contactRequest.offered",
      "contactRequest.started",
      "contactRequest.clickToCall",
      "contactRequest.ended",
      "contactRequest.declined",
      "web.formFilledOut",
    ]);
  const sent = (await exported(page, from)).filter(
    (e) => feedback(e)["xdm:chatSessionID"] === session && e["xdm:eventType"] === "web.formFilledOut",
  );
  expect(feedback(sent[0])["xdm:clickToDirectMessage"]).toBe(1);
  expect((feedback(sent[0])["xdm:callBackNumber"] as Record<string, unknown>)["xdm:number"]).toBe(phone.replace(/ /g, ""));
});

test("on a page that requires consent nothing is sent until consent(true)", async ({ page }) => {
  const posted: string[] = [];
  page.on("request", (r) => {
    if (new URL(r.url()).pathname === "/api/v1/events") posted.push(r.postData() ?? "");
  });
  await recordAnalytics(page);
  await page.goto(demoUrl() + "/consent");
  const widget = new EmbeddedWidget(page, "launcher");
  await widget.open();
  await widget.closeButton.click();
  // The page is told at once; the server nothing.
  await expect
    .poll(async () => (await seen(page, "dom")).map((s) => s.name))
    .toEqual(["chatOffered", "chatStart", "chatEnd", "chatDeclined"]);
  // One more task of the page's, after the batch would have been sent.
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve)));
  expect(posted).toEqual([]);

  await page.evaluate(() => (window as unknown as { ContactRequestWidget: { consent(y: boolean): void } }).ContactRequestWidget.consent(true));
  await expect.poll(() => posted.length).toBe(1);
  const batch = JSON.parse(posted[0]) as { events: Record<string, unknown>[] };
  expect(batch.events.map((e) => e["xdm:eventType"])).toEqual([
    "contactRequest.started",
    "contactRequest.ended",
    "contactRequest.declined",
  ]);
});

test("a widget is offered once it is in view, once, and a page left unopened still reports the offer", async ({ page }) => {
  const from = new Date(Date.now() - 60_000).toISOString();
  await recordAnalytics(page);
  // The inline form sits below the page's heading and text: out of view in a window this short.
  await page.setViewportSize({ width: 800, height: 120 });
  await EmbeddedWidget.visit(page, "/");
  const widget = new EmbeddedWidget(page, "inline");
  await expect(widget.submit).toBeAttached();
  // Two frames after the form is drawn, the observer has had its turn: nothing is offered yet.
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  expect((await seen(page, "dataLayer")).map((s) => s.name)).toEqual([]);

  await widget.host.scrollIntoViewIfNeeded();
  await expect.poll(async () => (await seen(page, "dataLayer")).map((s) => s.name)).toEqual(["chatOffered"]);
  const offer = (await seen(page, "dataLayer"))[0];
  expect(offer).toMatchObject({ event: "contact_request_chatOffered", mode: "inline" });
  expect((await seen(page, "dom")).map((s) => s.name)).toEqual(["chatOffered"]);
  // Out of view and back: still one offer.
  await page.evaluate(() => window.scrollTo(0, 0));
  await widget.host.scrollIntoViewIfNeeded();
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  expect((await seen(page, "dataLayer")).map((s) => s.name)).toEqual(["chatOffered"]);

  // Nobody opened it; leaving the page sends the offer as the loader's beacon.
  await page.goto("about:blank");
  await expect.poll(() => storedFor(page, from, offer.session)).toEqual(["contactRequest.offered"]);
  const stored = (await exported(page, from)).find((e) => feedback(e)["xdm:chatSessionID"] === offer.session)!;
  expect(stored["@id"]).toBe(`${offer.session}-o`);
  expect(feedback(stored)["xdm:chatOffered"]).toBe(1);
});

