// Page object for the widget as a site embeds it: its host element, the launcher and panel, and the form
// inside the shadow root (Playwright's CSS locators pierce open shadow roots).
import { expect, type Locator, type Page } from "@playwright/test";

import { demoUrl } from "../support/server";

export type Mode = "launcher" | "inline";

/** Records what the page's ContactRequestWidget API reports, from before the loader runs. */
export async function recordEvents(page: Page, queue: unknown[][] = []): Promise<void> {
  await page.addInitScript((queued) => {
    const w = window as unknown as { crwEvents: unknown[]; ContactRequestWidget: unknown[][] };
    w.crwEvents = [];
    const record = (type: string) => (detail: unknown) => w.crwEvents.push({ type, detail });
    w.ContactRequestWidget = [
      ...["ready", "open", "close", "submitted", "error"].map((type) => ["on", type, record(type)]),
      ...queued,
    ];
  }, queue);
}

/** The events recorded by [`recordEvents`], in order. */
export async function events(page: Page): Promise<{ type: string; detail: Record<string, string> }[]> {
  return page.evaluate(() => (window as unknown as { crwEvents: never[] }).crwEvents);
}

export class EmbeddedWidget {
  readonly host: Locator;
  readonly launcher: Locator;
  readonly panel: Locator;
  readonly closeButton: Locator;
  readonly form: Locator;
  readonly submit: Locator;
  readonly requestNumber: Locator;

  constructor(
    readonly page: Page,
    readonly mode: Mode,
  ) {
    this.host = page.locator(`[data-crw-host=${mode}]`);
    this.launcher = this.host.locator(".crw-launch");
    this.panel = this.host.locator(".crw-panel");
    this.closeButton = this.host.locator(".crw-close");
    this.form = this.host.locator(".crw-form");
    this.submit = this.form.locator("button[type=submit]");
    this.requestNumber = this.host.locator("[data-testid=request-number]");
  }

  /** Opens a demo page by path, such as `/launcher`. */
  static async visit(page: Page, path: string): Promise<void> {
    await page.goto(demoUrl() + path);
  }

  input(field: string): Locator {
    return this.form.locator(`[name=${field}]`).first();
  }

  /** Clicks the launcher and waits for the form to be interactive. */
  async open(): Promise<void> {
    await this.launcher.click();
    await expect(this.submit).toBeEnabled();
  }

  /** Fills a valid phone request and sends it; answers the request number. */
  async submitValidRequest(): Promise<string> {
    await this.input("request_reason").selectOption("Billing");
    await this.input("preferred_phone").fill("+1 415 555 0100");
    await this.submit.click();
    await expect(this.requestNumber).toHaveText(/^CR-\d{6}$/);
    return (await this.requestNumber.textContent())!;
  }
}
