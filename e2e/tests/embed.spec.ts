// A site builder embeds the widget with one script tag on pages served from another origin than the
// server: as a launcher or inline, under hostile styles and a strict CSP, driven by the JS API.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";

import { EmbeddedWidget, events, recordEvents } from "../pages/embedded-widget";
import { apiUrl, demoUrl, storedRequest } from "../support/server";

test("the launcher fetches no WebAssembly until it is opened, then submits a request", async ({ page }) => {
  const wasm: string[] = [];
  page.on("request", (r) => r.url().endsWith(".wasm") && wasm.push(r.url()));
  await EmbeddedWidget.visit(page, "/launcher");
  const widget = new EmbeddedWidget(page, "launcher");
  await expect(widget.launcher).toHaveText("Contact us");
  await expect(widget.launcher).toHaveAttribute("aria-expanded", "false");
  await page.waitForLoadState("networkidle");
  expect(wasm).toHaveLength(0);

  await widget.open();
  expect(wasm).toHaveLength(1);
  expect(new URL(wasm[0]).origin).toBe(new URL(apiUrl()).origin);
  await expect(widget.launcher).toHaveAttribute("aria-expanded", "true");
  await expect(widget.input("request_reason")).toBeFocused();
  const number = await widget.submitValidRequest();
  expect(storedRequest(number).source_origin).toBe(new URL(demoUrl()).origin);

  await page.keyboard.press("Escape");
  await expect(widget.panel).toBeHidden();
  await expect(widget.launcher).toBeFocused();
});

test("inline mode renders the form where the tag is, without a launcher", async ({ page }) => {
  await EmbeddedWidget.visit(page, "/");
  const widget = new EmbeddedWidget(page, "inline");
  await expect(widget.submit).toBeEnabled();
  await expect(page.locator("section.contact > [data-crw-host=inline]")).toHaveCount(1);
  await expect(widget.launcher).toHaveCount(0);
});

/** Computed styles of the host page's own elements, to compare with and without the widget. */
async function pageStyles(page: Page): Promise<Record<string, string>[]> {
  return page.evaluate(() =>
    ["html", "body", "main", "h1", "p", "#page-button"].map((selector) => {
      const style = getComputedStyle(document.querySelector(selector)!);
      const keep = ["display", "color", "font-family", "font-size", "line-height", "background-color", "margin"];
      return Object.fromEntries(keep.map((k) => [`${selector} ${k}`, style.getPropertyValue(k)]));
    }),
  );
}

test("a hostile stylesheet does not reach the widget, and the widget does not change the page", async ({ page, browser }) => {
  const bare = await browser.newPage();
  await bare.route("**/widget.js", (route) => route.abort());
  await bare.goto(demoUrl() + "/hostile");
  const without = await pageStyles(bare);
  await bare.close();

  await EmbeddedWidget.visit(page, "/hostile");
  const inline = new EmbeddedWidget(page, "inline");
  const launcher = new EmbeddedWidget(page, "launcher");
  await expect(inline.submit).toBeVisible();
  await expect(launcher.launcher).toBeVisible();
  const input = inline.input("preferred_phone");
  await expect(input).toBeVisible();
  const look = await input.evaluate((el) => {
    const s = getComputedStyle(el);
    return { fontSize: s.fontSize, color: s.color, font: s.fontFamily };
  });
  expect(look.fontSize).toBe("16px");
  expect(look.color).not.toBe("rgb(255, 0, 255)");
  expect(look.font).not.toContain("Comic Sans");
  expect(await pageStyles(page)).toEqual(without);

  await inline.submitValidRequest();
  await launcher.open();
  await expect(launcher.input("name")).toBeVisible();
});

/** Records every Content-Security-Policy violation the page reports, as events and on the console. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  const problems: string[] = [];
  page.on("console", (m) => /Content.Security.Policy|Refused to/i.test(m.text()) && problems.push(m.text()));
  await page.addInitScript(() => {
    const w = window as unknown as { violations: string[] };
    w.violations = [];
    document.addEventListener(
      "securitypolicyviolation",
      (e) => w.violations.push(`${e.violatedDirective} ${e.blockedURI}`),
      true,
    );
  });
  return async () => [...(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)), ...problems];
}

/** Submits through the page's inline form, then opens its launcher's form. */
async function useBothWidgets(page: Page): Promise<void> {
  const inline = new EmbeddedWidget(page, "inline");
  await expect(inline.submit).toBeEnabled();
  await inline.submitValidRequest();
  const launcher = new EmbeddedWidget(page, "launcher");
  await launcher.open();
  await expect(launcher.input("name")).toBeVisible();
}

test("under a strict Content-Security-Policy the widget loads and submits with no violation", async ({ page }) => {
  const violations = await watchViolations(page);
  const response = await page.goto(demoUrl() + "/csp");
  const policy = response!.headers()["content-security-policy"];
  expect(policy).toContain("'wasm-unsafe-eval'");
  expect(policy).not.toContain("unsafe-inline");

  await useBothWidgets(page);
  expect(await violations()).toEqual([]);
});

test("under a nonce-based policy the nonce on the tag is all the widget needs", async ({ page }) => {
  const violations = await watchViolations(page);
  const response = await page.goto(demoUrl() + "/csp-nonce");
  const policy = response!.headers()["content-security-policy"];
  const nonce = /script-src 'nonce-([^']+)'/.exec(policy)![1];
  // The widget server is trusted for requests only: its scripts and styles run by the nonce alone.
  const server = new URL(apiUrl()).origin;
  expect(policy).toContain(`script-src 'nonce-${nonce}' 'wasm-unsafe-eval';`);
  expect(policy).toContain(`style-src 'self' 'nonce-${nonce}';`);
  expect(policy).not.toMatch(new RegExp(`(script|style)-src[^;]*${server}`));
  expect(policy).not.toContain("unsafe-inline");

  await useBothWidgets(page);
  // What the loader added carries the nonce: the stylesheet in each shadow root, the module preloads
  // (open.js, the form's module).
  const nonces = await page.evaluate(() => {
    const hosts = [...document.querySelectorAll("[data-crw-host]")];
    const links = [
      ...document.querySelectorAll("link[rel=modulepreload]"),
      ...hosts.flatMap((h) => [...h.shadowRoot!.querySelectorAll("link[rel=stylesheet]")]),
    ];
    return links.map((l) => (l as HTMLLinkElement).nonce);
  });
  expect(nonces).toEqual([nonce, nonce, nonce, nonce]);
  expect(await violations()).toEqual([]);
});

test("calls queued before the loader runs are kept, and every event reaches the page", async ({ page }) => {
  await recordEvents(page, [["prefill", { name: "Ada Lovelace", preferred_phone: "+44 20 7946 0958" }], ["open"]]);
  await EmbeddedWidget.visit(page, "/launcher");
  const widget = new EmbeddedWidget(page, "launcher");
  await expect(widget.panel).toBeVisible();
  await expect(widget.input("name")).toHaveValue("Ada Lovelace");
  await expect(widget.input("preferred_phone")).toHaveValue("+44 20 7946 0958");

  await page.evaluate(() => (window as unknown as { ContactRequestWidget: { prefill(v: object): void } }).ContactRequestWidget.prefill({ email: "ada@example.com" }));
  await expect(widget.input("email")).toHaveValue("ada@example.com");
  await widget.input("request_reason").selectOption("Order");
  await widget.submit.click();
  await expect(widget.requestNumber).toHaveText(/^CR-\d{6}$/);
  const number = await widget.requestNumber.textContent();
  expect(storedRequest(number!).visitor_name).toBe("Ada Lovelace");

  await page.evaluate(() => (window as unknown as { ContactRequestWidget: { close(): void } }).ContactRequestWidget.close());
  await expect(widget.panel).toBeHidden();
  await expect.poll(async () => (await events(page)).map((e) => e.type)).toEqual(["open", "ready", "submitted", "close"]);
  const submitted = (await events(page)).find((e) => e.type === "submitted")!;
  expect(submitted.detail).toEqual({ number, mode: "launcher" });
});

test("a failed submission is reported as an error event", async ({ page }) => {
  await recordEvents(page);
  await page.route("**/api/v1/contact-requests", (route) => route.abort("connectionrefused"));
  await EmbeddedWidget.visit(page, "/");
  const widget = new EmbeddedWidget(page, "inline");
  await widget.input("request_reason").selectOption("Billing");
  await widget.input("preferred_phone").fill("+14155550100");
  await widget.submit.click();
  await expect.poll(async () => (await events(page)).map((e) => e.type)).toContain("error");
});

test("an asset that does not match its pinned hash is refused and reported", async ({ page }) => {
  await recordEvents(page);
  await page.route(/contact-widget-[0-9a-f]+\.js$/, (route) =>
    route.fulfill({ contentType: "text/javascript", headers: { "access-control-allow-origin": "*" }, body: "export default () => {}; export function mount() {}" }),
  );
  await EmbeddedWidget.visit(page, "/");
  await expect.poll(async () => (await events(page)).map((e) => e.type)).toEqual(["error"]);
  await expect(page.locator("[data-crw-host] .crw-form")).toHaveCount(0);
  await expect(page.locator("[data-crw-host] .crw-body")).toHaveText("The form could not be loaded. Please try again later.");
});

test("two widgets on one page work independently", async ({ page }) => {
  await EmbeddedWidget.visit(page, "/two-widgets");
  const inline = new EmbeddedWidget(page, "inline");
  const launcher = new EmbeddedWidget(page, "launcher");
  await expect(inline.submit).toBeEnabled();
  await launcher.open();
  const ids = await page.locator("[data-crw-host] [name=preferred_phone]").evaluateAll((els) => els.map((e) => e.id));
  expect(new Set(ids).size).toBe(2);
  await launcher.input("name").fill("Only here");
  await expect(inline.input("name")).toHaveValue("");
  await inline.submitValidRequest();
  await expect(launcher.form).toBeVisible();
  const accent = await launcher.launcher.evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(accent).toBe("rgb(180, 83, 9)");
});

test("a single-page app re-rendering the embed does not duplicate the widget", async ({ page }) => {
  await EmbeddedWidget.visit(page, "/");
  const widget = new EmbeddedWidget(page, "inline");
  await widget.input("name").fill("Kept");
  await page.evaluate(() => {
    const section = document.querySelector("section.contact")!;
    const parent = section.parentNode!;
    section.remove();
    parent.appendChild(section);
    // The app renders the same embed tag again.
    const again = document.createElement("script");
    again.src = section.querySelector("script")!.src;
    again.dataset.site = "demo";
    again.dataset.mode = "inline";
    section.appendChild(again);
  });
  await page.waitForLoadState("networkidle");
  await expect(page.locator("[data-crw-host]")).toHaveCount(1);
  await expect(widget.input("name")).toHaveValue("Kept");
});

test.describe("at 320 px wide", () => {
  test.use({ viewport: { width: 320, height: 640 }, hasTouch: true, isMobile: true });

  test("the panel fits the viewport and inputs are at least 16 px", async ({ page }) => {
    await EmbeddedWidget.visit(page, "/launcher");
    const widget = new EmbeddedWidget(page, "launcher");
    await widget.open();
    const box = (await widget.panel.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(320);
    expect(box.y + box.height).toBeLessThanOrEqual(640);
    const sizes = await widget.form.locator("input, select, textarea").evaluateAll((els) =>
      els.map((e) => parseFloat(getComputedStyle(e).fontSize)),
    );
    for (const size of sizes) expect(size).toBeGreaterThanOrEqual(16);
    const overflow = await widget.panel.evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
});

test("the open form has no accessibility violations (axe-core)", async ({ page }) => {
  await EmbeddedWidget.visit(page, "/launcher");
  const widget = new EmbeddedWidget(page, "launcher");
  await widget.open();
  await widget.submit.click(); // errors on show are part of what is scanned
  const results = await new AxeBuilder({ page }).include("[data-crw-host]").analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
});

test("the locale, theme and picklist attributes apply, and bad values warn once each", async ({ page }) => {
  const warnings: string[] = [];
  page.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
  // Added to a real page of the demo origin: the browser keeps pages it did not load from the loopback
  // address out of the local server.
  await EmbeddedWidget.visit(page, "/launcher");
  await page.evaluate((src) => {
    const target = document.createElement("main");
    target.id = "m";
    document.body.prepend(target);
    const script = document.createElement("script");
    Object.assign(script.dataset, {
      site: "demo",
      mode: "inline",
      target: "#m",
      locale: "fr-CA",
      theme: "sepia",
      reasons: "Order, Billing, Sales",
      channel: "Email",
      accent: "not-a-colour",
    });
    script.src = src;
    document.body.append(script);
  }, `${apiUrl()}/widget.js`);
  const widget = new EmbeddedWidget(page, "inline");
  await expect(widget.submit).toHaveText("Être contacté");
  const options = await widget.input("request_reason").locator("option").allTextContents();
  // data-reasons narrows the site's reasons; the order is the site's.
  expect(options).toEqual(["Choisissez un motif", "Facturation", "Commande"]);
  await expect(widget.form.locator("[name=preferred_channel][value=Email]")).toBeChecked();
  expect(warnings.filter((w) => w.includes("ContactRequestWidget")).sort()).toEqual([
    "ContactRequestWidget: ignoring data-accent=not-a-colour",
    "ContactRequestWidget: ignoring data-reasons=Sales",
    "ContactRequestWidget: ignoring data-theme=sepia",
  ]);
});
