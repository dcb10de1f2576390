// Page object for the contact-request widget as a visitor meets it on a host page.
import { expect, type Locator, type Page, type Request } from "@playwright/test";

import { demoUrl } from "../support/server";

export type Field =
  | "request_reason"
  | "preferred_channel"
  | "preferred_phone"
  | "name"
  | "email"
  | "request_description"
  | "callback_time";

/** A time the callback list offers: its UTC start (the option's value), as shown, and under which day. */
export interface Slot {
  value: string;
  label: string;
  day: string;
}

export class ContactForm {
  readonly root: Locator;
  readonly submit: Locator;
  readonly status: Locator;
  readonly requestNumber: Locator;
  /** The widget's alert: a failure the visitor should read. */
  readonly alert: Locator;
  /** The hint a guest sees on a site that only signed-in visitors may use. */
  readonly signInHint: Locator;
  /** Every contact-request POST the page has sent. */
  readonly posts: Request[] = [];
  /** "When should we call?": its radios, and the list of times once the visitor picks one. */
  readonly callAsap: Locator;
  readonly pickTime: Locator;
  readonly callbackTime: Locator;

  constructor(readonly page: Page) {
    this.root = page.locator("[data-crw-host] .crw");
    this.submit = this.root.locator("button[type=submit]");
    this.status = page.locator("[data-crw-host] [data-testid=status]");
    this.requestNumber = page.locator("[data-crw-host] [data-testid=request-number]");
    this.alert = page.locator("[data-crw-host] .crw-alert");
    this.signInHint = page.locator("[data-crw-host] [data-testid=sign-in]");
    this.callAsap = this.root.getByRole("radio", { name: "As soon as possible" });
    this.pickTime = this.root.getByRole("radio", { name: "Pick a time" });
    this.callbackTime = this.root.getByRole("combobox", { name: "Time" });
    page.on("request", (request) => {
      if (request.method() === "POST" && request.url().endsWith("/api/v1/contact-requests")) this.posts.push(request);
    });
  }

  /** Opens a demo host page (by path, such as `/signed-in`; of the run's server unless `demo` names
   * another's) and waits for the widget's form. */
  async open(path = "/", demo = demoUrl()): Promise<this> {
    await this.page.goto(demo + path);
    await expect(this.submit).toBeEnabled();
    return this;
  }

  /** Asserts `field` shows `value` from the visitor's account: read-only, marked so, and saying why. */
  async expectFromAccount(field: Field, value: string): Promise<void> {
    const input = this.input(field);
    await expect(input).toHaveValue(value);
    await expect(input).toHaveAttribute("readonly", "");
    await expect(input).toHaveAttribute("aria-readonly", "true");
    await expect(input).not.toBeEditable();
    const hintId = (await input.getAttribute("aria-describedby"))?.split(/\s+/)[0];
    await expect(this.root.locator(`[id="${hintId}"]`)).toHaveText("From your account.");
  }

  /** Asserts `field` is an ordinary input the visitor types into. */
  async expectEditable(field: Field): Promise<void> {
    await expect(this.input(field)).toBeEditable();
    await expect(this.input(field)).not.toHaveAttribute("aria-readonly", "true");
  }

  input(field: Field): Locator {
    return this.root.locator(`[name=${field}]`).first();
  }

  channel(value: "Phone" | "Email" | "Text"): Locator {
    return this.root.locator(`[name=preferred_channel][value=${value}]`);
  }

  error(field: Field): Locator {
    return this.root.locator(`[data-error-for=${field}]`);
  }

  async chooseReason(reason: string): Promise<void> {
    await this.input("request_reason").selectOption(reason);
  }

  /** Picks a time: the list loads with the earliest chosen; answers the offered times, earliest first. */
  async pickCallbackTime(): Promise<Slot[]> {
    await this.pickTime.check();
    await expect(this.callbackTime).toBeVisible();
    await expect(this.callbackTime.locator("optgroup option").first()).toBeAttached();
    return this.offeredTimes();
  }

  /** The times the list offers now, with the day each is listed under. */
  async offeredTimes(): Promise<Slot[]> {
    return this.callbackTime.locator("optgroup option").evaluateAll((options) =>
      options.map((o) => ({
        value: (o as HTMLOptionElement).value,
        label: o.textContent ?? "",
        day: (o.parentElement as HTMLOptGroupElement).label,
      })),
    );
  }

  async fill(values: Partial<Record<Exclude<Field, "request_reason" | "preferred_channel" | "callback_time">, string>>): Promise<void> {
    for (const [field, value] of Object.entries(values)) {
      await this.input(field as Field).fill(value);
    }
  }

  /** Asserts `field` shows `message`, wired to its input for assistive technology. */
  async expectError(field: Field, message: string): Promise<void> {
    const error = this.error(field);
    await expect(error).toHaveText(message);
    const input = field === "preferred_channel" ? this.channel("Phone") : this.input(field);
    await expect(input).toHaveAttribute("aria-invalid", "true");
    const errorId = await error.getAttribute("id");
    expect(errorId).toBeTruthy();
    expect((await input.getAttribute("aria-describedby"))?.split(/\s+/)).toContain(errorId);
  }
}
