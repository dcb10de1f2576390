// Page object for the contact-request widget as a visitor meets it on a host page.
import { expect, type Locator, type Page, type Request } from "@playwright/test";

import { demoUrl } from "../support/server";

export type Field =
  | "request_reason"
  | "preferred_channel"
  | "preferred_phone"
  | "name"
  | "email"
  | "request_description";

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

  constructor(readonly page: Page) {
    this.root = page.locator("[data-crw-host] .crw");
    this.submit = this.root.locator("button[type=submit]");
    this.status = page.locator("[data-crw-host] [data-testid=status]");
    this.requestNumber = page.locator("[data-crw-host] [data-testid=request-number]");
    this.alert = page.locator("[data-crw-host] .crw-alert");
    this.signInHint = page.locator("[data-crw-host] [data-testid=sign-in]");
    page.on("request", (request) => {
      if (request.method() === "POST" && request.url().endsWith("/api/v1/contact-requests")) this.posts.push(request);
    });
  }

  /** Opens a demo host page (by path, such as `/signed-in`) and waits for the widget's form. */
  async open(path = "/"): Promise<this> {
    await this.page.goto(demoUrl() + path);
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

  async fill(values: Partial<Record<Exclude<Field, "request_reason" | "preferred_channel">, string>>): Promise<void> {
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
