// One server, several sites: guests on a site that lets them submit, signed-in visitors whose verified
// account fills (and locks) their details, a sign-in-only site, and a page on an origin its site does not
// allow. The demo host page runs the built-in sites "demo" (guests allowed) and "demo-members" (sign-in only).
import { expect, test, type Page } from "@playwright/test";

import { ContactForm } from "../pages/contact-form";
import { events, recordEvents } from "../pages/embedded-widget";
import { apiUrl, demoUrl, storedRequest } from "../support/server";

/** The identity token the demo's server side signs for its signed-in visitor on the page at `path`. */
async function demoToken(page: Page, path: string): Promise<string> {
  const html = await (await page.request.get(demoUrl() + path)).text();
  const token = /data-identity-token="([^"]+)"/.exec(html)?.[1];
  expect(token, `${path} embeds a token`).toBeTruthy();
  return token!;
}

/** Opens the demo's guest page on another origin than the one its sites allow: the same server reached as
 * `localhost` rather than `127.0.0.1`, so the page and its requests stay real and on loopback (Chromium
 * refuses requests from a public origin to a loopback one). With `site`, the page's tag names that site. */
async function embedOnForeignOrigin(page: Page, site?: string): Promise<string> {
  const url = new URL(demoUrl());
  url.hostname = "localhost";
  if (site) {
    // Rewrites the tag as the parser adds it, before the async loader runs (a fulfilled page would lose
    // its loopback address and be refused).
    await page.addInitScript((key) => {
      new MutationObserver((records) => {
        for (const r of records)
          for (const n of r.addedNodes) if (n instanceof HTMLScriptElement && n.dataset.site) n.dataset.site = key;
      }).observe(document, { childList: true, subtree: true });
    }, site);
  }
  await page.goto(url.href);
  return url.origin;
}

test("a guest submits on a site that lets guests in, with the site's reasons and channels", async ({ page }) => {
  const form = await new ContactForm(page).open("/");
  await expect(form.input("request_reason").locator("option")).toHaveText([
    "Choose a reason",
    "Account",
    "Billing",
    "Case",
    "General",
    "Order",
    "Other",
    "Product",
  ]);
  await expect(form.root.locator("[name=preferred_channel]")).toHaveCount(3);
  for (const field of ["preferred_phone", "name", "email"] as const) await form.expectEditable(field);

  await form.chooseReason("Order");
  await form.fill({ preferred_phone: "+1 415 555 0100", name: "Gus Guest" });
  await form.submit.click();
  await expect(form.requestNumber).toHaveText(/^CR-\d{6}$/);

  expect(form.posts).toHaveLength(1);
  expect(form.posts[0].headers()["authorization"]).toBeUndefined();
  expect(form.posts[0].headers()["x-crw-site"]).toBe("demo");
  expect(storedRequest((await form.requestNumber.textContent())!)).toMatchObject({
    site_key: "demo",
    visitor_sub: null,
    visitor_name: "Gus Guest",
  });
});

test("a signed-in visitor sees their account's details read-only, and the record carries the verified identity", async ({
  page,
}) => {
  const form = await new ContactForm(page).open("/signed-in");
  await form.expectFromAccount("name", "Dana Demo");
  await form.expectFromAccount("email", "dana@example.com");
  await form.expectFromAccount("preferred_phone", "+44 20 7946 0000");
  await form.expectEditable("request_description");

  await form.chooseReason("Billing");
  await form.fill({ request_description: "The boiler again." });
  await form.submit.click();
  await expect(form.requestNumber).toHaveText(/^CR-\d{6}$/);

  expect(form.posts[0].headers()["authorization"]).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  expect(storedRequest((await form.requestNumber.textContent())!)).toMatchObject({
    site_key: "demo",
    visitor_sub: "demo-user-1",
    visitor_name: "Dana Demo",
    visitor_email: "dana@example.com",
    preferred_phone: "+442079460000",
    request_description: "The boiler again.",
    source_origin: new URL(demoUrl()).origin,
  });
});

test("the server takes the verified values even when the browser sends others", async ({ page }) => {
  const form = await new ContactForm(page).open("/signed-in");
  // A visitor who edits the page's DOM cannot change who they are: the server replaces these fields.
  await page.route(`${apiUrl()}/api/v1/contact-requests`, (route) => {
    const body = JSON.parse(route.request().postData()!);
    route.continue({ postData: JSON.stringify({ ...body, name: "Mallory", email: "mallory@example.com" }) });
  });
  await form.chooseReason("Account");
  await form.submit.click();
  await expect(form.requestNumber).toHaveText(/^CR-\d{6}$/);
  expect(storedRequest((await form.requestNumber.textContent())!)).toMatchObject({
    visitor_sub: "demo-user-1",
    visitor_name: "Dana Demo",
    visitor_email: "dana@example.com",
  });
});

test("a guest on a sign-in-only site sees a sign-in hint instead of the form", async ({ page }) => {
  await recordEvents(page);
  const form = new ContactForm(page);
  await page.goto(demoUrl() + "/members");
  await expect(form.signInHint).toHaveText("Sign in to Northwind Members to ask us to contact you.");
  await expect(form.root.locator("form")).toHaveCount(0);
  await expect.poll(async () => (await events(page)).map((e) => e.type)).toEqual(["ready"]);
  expect(form.posts).toHaveLength(0);
});

test("a signed-in visitor on a sign-in-only site submits, linked to that site", async ({ page }) => {
  const form = await new ContactForm(page).open("/members/signed-in");
  await expect(form.signInHint).toHaveCount(0);
  await form.expectFromAccount("name", "Dana Demo");
  await form.chooseReason("Account");
  await form.submit.click();
  await expect(form.requestNumber).toHaveText(/^CR-\d{6}$/);
  expect(storedRequest((await form.requestNumber.textContent())!)).toMatchObject({
    site_key: "demo-members",
    visitor_sub: "demo-user-1",
    visitor_name: "Dana Demo",
  });
});

test("identify(token), queued before the loader runs, signs the visitor in on a sign-in-only site", async ({ page }) => {
  const token = await demoToken(page, "/members/signed-in");
  await recordEvents(page, [["identify", token]]);
  const form = await new ContactForm(page).open("/members");
  await form.expectFromAccount("email", "dana@example.com");
  await form.chooseReason("Case");
  await form.submit.click();
  await expect(form.requestNumber).toHaveText(/^CR-\d{6}$/);
  expect(storedRequest((await form.requestNumber.textContent())!).visitor_sub).toBe("demo-user-1");
});

test("identify(token) after the hint is shown replaces it with the form, and identify(null) signs out", async ({ page }) => {
  const token = await demoToken(page, "/members/signed-in");
  const form = new ContactForm(page);
  await page.goto(demoUrl() + "/members");
  await expect(form.signInHint).toBeVisible();

  await page.evaluate((t) => (window as unknown as { ContactRequestWidget: { identify(t: string | null): void } }).ContactRequestWidget.identify(t), token);
  await form.expectFromAccount("name", "Dana Demo");

  await page.evaluate(() => (window as unknown as { ContactRequestWidget: { identify(t: null): void } }).ContactRequestWidget.identify(null));
  await expect(form.signInHint).toBeVisible();
  await expect(form.root.locator("form")).toHaveCount(0);
});

test("a token the server cannot verify gets the server's 401 message, never a guest submission", async ({ page }) => {
  const token = await demoToken(page, "/signed-in");
  // The same claims under a signature the site's key did not make, passed through the JS API.
  const forged = token.replace(/\.[\w-]+$/, ".c2lnbmVkIGJ5IHNvbWVvbmUgZWxzZQ");
  await recordEvents(page, [["identify", forged]]);
  const form = await new ContactForm(page).open("/signed-in");
  await form.expectFromAccount("name", "Dana Demo");
  await form.chooseReason("Other");
  await form.submit.click();

  await expect(form.alert).toHaveText("The identity token's signature does not match this site's key.");
  await expect(form.requestNumber).toHaveCount(0);
  expect(form.posts).toHaveLength(1);
  await expect
    .poll(async () => (await events(page)).filter((e) => e.type === "error").map((e) => e.detail.message))
    .toEqual(["The identity token's signature does not match this site's key."]);
});

test("a widget on an origin its site does not allow says so, shows no form and sends nothing", async ({ page }) => {
  await recordEvents(page);
  const form = new ContactForm(page);
  const origin = await embedOnForeignOrigin(page);
  const message = `Northwind Plumbing does not allow its contact form on ${origin}; the site's owner can add this origin to its allowed_origins.`;
  await expect(form.alert).toHaveText(message);
  await expect(form.alert).toHaveAttribute("role", "alert");
  await expect(form.root.locator("form")).toHaveCount(0);
  await expect
    .poll(async () => (await events(page)).map((e) => [e.type, e.detail.message ?? ""]))
    .toEqual([["error", message]]);
  expect(form.posts).toHaveLength(0);
});

test("a widget naming a site the server does not have says so and sends nothing", async ({ page }) => {
  const form = new ContactForm(page);
  await embedOnForeignOrigin(page, "no-such-site");
  await expect(form.alert).toHaveText(
    'There is no site "no-such-site" on this server: check the data-site attribute of the script tag.',
  );
  await expect(form.root.locator("form")).toHaveCount(0);
  expect(form.posts).toHaveLength(0);
});

test("each open asks for the settings again, conditionally, and an unchanged site costs a 304", async ({ page }) => {
  const answers: number[] = [];
  page.on("response", (r) => r.url().endsWith("/api/v1/sites/demo") && answers.push(r.status()));
  await page.goto(demoUrl() + "/two-widgets");
  await expect(page.locator("[data-crw-host=inline] button[type=submit]")).toBeEnabled();
  await page.locator("[data-crw-host=launcher] .crw-launch").click();
  await expect(page.locator("[data-crw-host=launcher] button[type=submit]")).toBeEnabled();
  expect(answers).toEqual([200, 304]);
});
