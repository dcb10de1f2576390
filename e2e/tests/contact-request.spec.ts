// A visitor asks to be contacted through the widget on the demo host page, which is served from a
// different origin than the API, and the request lands in the server's database.
import { expect, test } from "@playwright/test";

import { ContactForm } from "../pages/contact-form";
import { apiUrl, demoUrl, storedRequest } from "../support/server";

test("the widget is embedded from the server's origin into a shadow root on the host page", async ({ page }) => {
  const form = await new ContactForm(page).open();
  expect(new URL(demoUrl()).origin).not.toBe(new URL(apiUrl()).origin);
  const inShadow = await page.locator("[data-crw-host]").evaluate((host) => host.shadowRoot !== null);
  expect(inShadow).toBe(true);
  await expect(form.input("request_reason")).toBeVisible();
});

test("a visitor submits a valid request, sees its number, and the server holds it", async ({ page }) => {
  const challenges: URL[] = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.pathname === "/api/v1/challenge") challenges.push(url);
  });
  const form = await new ContactForm(page).open();
  await form.chooseReason("Billing");
  await form.fill({
    preferred_phone: "+44 (20) 7946-0958",
    name: "Ada Lovelace",
    email: "ada@example.com",
    request_description: "I was charged twice for March.",
  });
  await form.submit.click();

  await expect(form.requestNumber).toHaveText(/^CR-\d{6}$/);
  const number = (await form.requestNumber.textContent())!;
  await expect(form.status).toContainText(number);
  expect(form.posts).toHaveLength(1);
  // The proof of work was solved for this site's own difficulty.
  expect(challenges.length).toBeGreaterThan(0);
  for (const url of challenges) expect(url.searchParams.get("site")).toBe("demo");

  const stored = storedRequest(number);
  expect(stored).toMatchObject({
    name: number,
    status: "New",
    request_reason: "Billing",
    preferred_channel: "Phone",
    preferred_phone: "+442079460958",
    visitor_name: "Ada Lovelace",
    visitor_email: "ada@example.com",
    request_description: "I was charged twice for March.",
    is_callback: false,
    source_origin: new URL(demoUrl()).origin,
  });
});

test("missing required fields show what to fix, focus the first, and send nothing", async ({ page }) => {
  const form = await new ContactForm(page).open();
  await form.submit.click();

  await form.expectError("request_reason", "Choose a reason for your request.");
  await form.expectError("preferred_phone", "Enter a phone number so we can call you.");
  await expect(form.input("request_reason")).toBeFocused();
  await expect(form.error("email")).toHaveCount(0);

  await form.channel("Email").check();
  await form.submit.click();
  await form.expectError("email", "Enter your email address so we can reply.");
  await expect(form.error("preferred_phone")).toHaveCount(0);
  expect(form.posts).toHaveLength(0);
});

test("an invalid phone number is explained once the visitor leaves the field, and nothing is sent", async ({ page }) => {
  const form = await new ContactForm(page).open();
  await form.chooseReason("Order");
  await form.input("preferred_phone").fill("020 7946 0958");
  await expect(form.error("preferred_phone")).toHaveCount(0);
  await form.input("name").focus();
  await form.expectError("preferred_phone", "Start with + and the country code, for example +44 20 7946 0958.");

  await form.input("preferred_phone").fill("+44 20 7946 095x");
  await form.expectError(
    "preferred_phone",
    "Remove \u201cx\u201d: a phone number can hold only digits, spaces, dashes, dots, parentheses and a leading +.",
  );
  await form.submit.click();
  await expect(form.input("preferred_phone")).toBeFocused();
  expect(form.posts).toHaveLength(0);

  await form.input("preferred_phone").fill("+44 20 7946 0958");
  await expect(form.error("preferred_phone")).toHaveCount(0);
  await expect(form.input("preferred_phone")).not.toHaveAttribute("aria-invalid", "true");
});

test("the server's 422 is shown against the field it names", async ({ page }) => {
  const form = await new ContactForm(page).open();
  // Something between the page and the server alters the phone after the widget checked it; the real
  // server refuses it and the widget shows the server's message on the phone field.
  await page.route("**/api/v1/contact-requests", async (route) => {
    const body = JSON.parse(route.request().postData()!);
    await route.continue({ postData: JSON.stringify({ ...body, preferred_phone: "+0 20 7946 0958" }) });
  });
  await form.chooseReason("Account");
  await form.fill({ preferred_phone: "+44 20 7946 0958" });
  await form.submit.click();

  await form.expectError("preferred_phone", "A country code never starts with 0: check the digits after the +.");
  await expect(form.input("preferred_phone")).toBeFocused();
  await expect(form.status).toContainText("One field needs fixing.");
  await expect(form.requestNumber).toHaveCount(0);

  await form.input("preferred_phone").fill("+44 20 7946 0959");
  await expect(form.error("preferred_phone")).toHaveCount(0);
});

test("a network failure keeps the visitor's input and offers a retry", async ({ page }) => {
  const form = await new ContactForm(page).open();
  await page.route("**/api/v1/contact-requests", (route) => route.abort("internetdisconnected"));
  await form.chooseReason("Product");
  await form.fill({ preferred_phone: "+1 415 555 0100", request_description: "Is the X200 in stock?" });
  await form.submit.click();

  await expect(form.status).toContainText("We couldn't reach the server. Check your connection and try again.");
  await expect(form.submit).toHaveText("Try again");
  await expect(form.input("preferred_phone")).toHaveValue("+1 415 555 0100");
  await expect(form.input("request_description")).toHaveValue("Is the X200 in stock?");

  await page.unroute("**/api/v1/contact-requests");
  await form.submit.click();
  await expect(form.requestNumber).toHaveText(/^CR-\d{6}$/);
  expect(storedRequest((await form.requestNumber.textContent())!).request_description).toBe("Is the X200 in stock?");
});

test("one click sends one request, with the button disabled while sending", async ({ page }) => {
  const form = await new ContactForm(page).open();
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/api/v1/contact-requests", async (route) => {
    await held;
    await route.continue();
  });
  await form.chooseReason("General");
  await form.fill({ preferred_phone: "+61 2 9876 5432" });
  await form.submit.click();
  await expect(form.submit).toBeDisabled();
  await form.submit.click({ force: true }).catch(() => {});
  release();
  await expect(form.requestNumber).toHaveText(/^CR-\d{6}$/);
  expect(form.posts).toHaveLength(1);
});

test("a visitor can fill and send the form with the keyboard alone", async ({ page }) => {
  const form = await new ContactForm(page).open();
  await form.input("request_reason").focus();
  // A focused select takes arrow keys; the first option is the empty placeholder, then Account.
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await expect(form.input("request_reason")).toHaveValue("Billing");

  // Tab through the form to the phone field, typing as a keyboard user would.
  for (let i = 0; i < 10 && !(await form.input("preferred_phone").evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)); i++) {
    await page.keyboard.press("Tab");
  }
  await expect(form.input("preferred_phone")).toBeFocused();
  await page.keyboard.type("+1 415 555 0100");
  // Then "When should we call?", its checked radio first: as soon as possible.
  await page.keyboard.press("Tab");
  await expect(form.callAsap).toBeFocused();
  await page.keyboard.press("Tab");
  await page.keyboard.type("Grace Hopper");
  await page.keyboard.press("Enter");

  await expect(form.requestNumber).toHaveText(/^CR-\d{6}$/);
  const stored = storedRequest((await form.requestNumber.textContent())!);
  expect(stored.preferred_phone).toBe("+14155550100");
  expect(stored.visitor_name).toBe("Grace Hopper");
  expect(stored.request_reason).toBe("Billing");
});
