// The representatives' work, end to end, against the real server: a visitor asks through the widget, the
// request appears live in two representatives' queue views, one works it to Contacted while the other
// watches it change without reloading, two changing one request at once are told, a supervisor
// reassigns, an expired session comes back to the same page with the draft kept, and a cross-site post
// changes nothing. Each person has a browser context of their own, as each has a browser of their own.
import AxeBuilder from "@axe-core/playwright";
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";

import { ContactForm } from "../pages/contact-form";
import { apiUrl, demoUrl } from "../support/server";

const PASSWORD = "correct horse battery staple 15";
/** The queue the demo's widget requests go to. */
const DEMO_QUEUE = "00G000000000001EAA";
const SHOTS = "screenshots/console";

function cli(args: string[], input?: string): string {
  return execFileSync(process.env.CRW_SERVER_BIN!, [...args, "--database", process.env.CRW_DATABASE!], {
    input,
    env: { ...process.env, RUST_LOG: "error" },
  })
    .toString()
    .trim();
}

/** A user with the console password, made with the server's CLI; a representative joins the demo queue. */
function person(username: string, name: string, role: string): string {
  const id = cli(["users", "add", "--username", username, "--name", name, "--role", role, "--password-stdin"], PASSWORD + "\n");
  if (role === "representative") cli(["queues", "add-member", DEMO_QUEUE, username]);
  return id;
}

async function signIn(page: Page, username: string): Promise<void> {
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** A signed-in console in a browser context of its own, at `path`. */
async function consoleOf(browser: Browser, username: string, path: string, feedDown = false, dialler = false): Promise<Page> {
  const context = await browser.newContext();
  // A feed that is down (a dropped connection): the page cannot know of others' changes.
  if (feedDown) await context.route("**/console/api/events", (route) => route.abort());
  if (dialler) await recordCalls(context);
  const page = await context.newPage();
  await page.goto(`${apiUrl()}/console/sign-in?next=${encodeURIComponent(path)}`);
  await signIn(page, username);
  // Anchored: `/console/` alone also matches the sign-in page's own address, and a test that went on from
  // there raced the full load of `next` that signing in starts (its next navigation was aborted).
  await expect(page).toHaveURL(new RegExp(`${path.replace(/[?]/g, "\\?")}$`));
  return page;
}

/** The softphone of the tests' telephony call center (`e2e/support/call-centers.toml`). */
const SOFTPHONE = "https://softphone.test/dial";
/** Where that center's telephony callbacks go. */
const PHONE_QUEUE = "Phone callbacks (e2e)";

/**
 * Records each call a page of `context` places: a `tel:` address followed, by a link or by the console's
 * own dialling (`window.open`), is kept in `window.dialled` and goes nowhere (a headless browser has
 * nothing to hand it to); the softphone's address answers a page of its own, as a browser softphone would.
 */
async function recordCalls(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { dialled: string[]; open: typeof window.open };
    w.dialled = [];
    document.addEventListener("click", (event) => {
      const link = (event.target as Element | null)?.closest?.("a[href^='tel:']") as HTMLAnchorElement | null;
      if (link) {
        w.dialled.push(link.getAttribute("href")!);
        event.preventDefault();
      }
    }, true);
    const open = w.open.bind(window);
    w.open = (url?: string | URL, target?: string, features?: string) => {
      if (String(url ?? "").startsWith("tel:")) {
        w.dialled.push(String(url));
        return null;
      }
      return open(url, target, features);
    };
  });
  await context.route(`${SOFTPHONE}**`, (route) =>
    route.fulfill({ contentType: "text/html", body: "<!doctype html><title>Softphone</title><p>Calling…</p>" }));
}

const dialled = (page: Page) => page.evaluate(() => (window as unknown as { dialled: string[] }).dialled);

/** The telephony provider's JWT for the tests' call center, signed with its HS256 secret. */
function telephonyToken(): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const signed = `${part({ alg: "HS256", typ: "JWT", kid: "e2e-2026" })}.${part({
    iss: "https://connect.example.com", aud: "contact-server", iat: now, exp: now + 300,
  })}`;
  return `${signed}.${createHmac("sha256", "e2e-telephony-secret-0123456789abcdef").update(signed).digest("base64url")}`;
}

/** Sets a console's presence to Available and waits for the server to have it. */
async function available(page: Page): Promise<void> {
  const set = page.waitForResponse((r) => r.url().endsWith("/console/api/presence") && r.request().method() === "PUT");
  await page.getByRole("combobox", { name: "Presence" }).selectOption("available");
  expect((await set).status()).toBe(200);
}

/** A visitor's request through the widget on the demo page; answers its number. */
async function visitorAsks(browser: Browser, phone: string): Promise<string> {
  const page = await (await browser.newContext()).newPage();
  const form = await new ContactForm(page).open();
  await form.chooseReason("Billing");
  await form.fill({ preferred_phone: phone, name: "Vera Visitor", request_description: "Please call me back." });
  await form.submit.click();
  await expect(form.requestNumber).toHaveText(/^CR-\d{6}$/);
  const number = (await form.requestNumber.textContent())!;
  await page.context().close();
  return number;
}

/** A request of the demo's signed-in visitor (Dana, verified as demo-user-1); answers its number. */
async function signedInVisitorAsks(browser: Browser, description: string): Promise<string> {
  const page = await (await browser.newContext()).newPage();
  const form = await new ContactForm(page).open("/signed-in");
  await form.chooseReason("Billing");
  await form.fill({ request_description: description });
  await form.submit.click();
  await expect(form.requestNumber).toHaveText(/^CR-\d{6}$/);
  const number = (await form.requestNumber.textContent())!;
  await page.context().close();
  return number;
}

function row(page: Page, number: string) {
  return page.getByRole("row").filter({ has: page.getByRole("link", { name: number, exact: true }) });
}

async function noAxeViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
}

/** The request's id from its page's address. */
function idOf(page: Page): string {
  return new URL(page.url()).pathname.split("/").pop()!;
}

test.describe.configure({ mode: "serial" });

test("a widget request is worked to Contacted while a colleague watches it change, live", async ({ browser }) => {
  test.setTimeout(120_000);
  const stamp = Date.now();
  const [ada, grace] = [`ada-${stamp}@example.com`, `grace-${stamp}@example.com`];
  person(ada, "Ada Rep", "representative");
  person(grace, "Grace Rep", "representative");
  const queue = `/console/queues/${DEMO_QUEUE}?sort=newest`;
  const adaPage = await consoleOf(browser, ada, queue);
  const gracePage = await consoleOf(browser, grace, queue);

  const number = await visitorAsks(browser, "+44 20 7946 0123");
  // Both queue views show it without a reload.
  await expect(row(adaPage, number)).toContainText("New");
  await expect(row(gracePage, number)).toContainText("New");

  await adaPage.getByRole("link", { name: number, exact: true }).click();
  await expect(adaPage.getByRole("heading", { level: 1 })).toContainText(number);
  // The visitor's card and the call panel each link the number.
  for (const region of ["Visitor", "Call"]) {
    await expect(adaPage.getByRole("region", { name: region, exact: true }).getByRole("link", { name: "+442079460123" }))
      .toHaveAttribute("href", "tel:+442079460123");
  }
  await noAxeViolations(adaPage);
  for (const width of [1280, 390]) {
    await adaPage.setViewportSize({ width, height: 900 });
    await adaPage.screenshot({ path: `${SHOTS}/request-${width}.png`, fullPage: true });
  }
  await adaPage.setViewportSize({ width: 1280, height: 900 });

  // Not reached: Attempted, with who and when in the history; the colleague's view follows.
  await adaPage.getByLabel("Outcome").selectOption("Not Reached");
  await adaPage.getByRole("button", { name: "Log the call" }).click();
  await expect(adaPage.locator("p.announce")).toContainText("Call logged");
  await expect(adaPage.getByRole("heading", { level: 1 })).toContainText("Attempted");
  const history = adaPage.getByRole("region", { name: "History" });
  await expect(history).toContainText("New → Attempted");
  await expect(history).toContainText("by Ada Rep");
  await expect(row(gracePage, number)).toContainText("Attempted");

  // Reached: Contacted, and the engagement interaction shows; it leaves the open queue view.
  await adaPage.getByLabel("Outcome").selectOption("Reached");
  await adaPage.getByRole("button", { name: "Log the call" }).click();
  await expect(adaPage.getByRole("heading", { level: 1 })).toContainText("Contacted");
  await expect(history).toContainText("Attempted → Contacted");
  await expect(adaPage.getByRole("region", { name: "Engagement interactions" })).not.toContainText("None");
  await expect(adaPage.getByRole("region", { name: "Call log" })).toContainText("Not Reached");
  await expect(row(gracePage, number)).toHaveCount(0);
});

test("two changing one request at once: the second is told and sees the current state", async ({ browser }) => {
  const stamp = Date.now();
  const [ada, grace] = [`ada2-${stamp}@example.com`, `grace2-${stamp}@example.com`];
  person(ada, "Ada Second", "representative");
  person(grace, "Grace Second", "representative");
  const number = await visitorAsks(browser, "+44 20 7946 0456");
  const queue = `/console/queues/${DEMO_QUEUE}?sort=newest`;
  const adaPage = await consoleOf(browser, ada, queue);
  // Grace's feed is down: her page cannot know of Ada's change.
  const gracePage = await consoleOf(browser, grace, queue, true);
  for (const page of [adaPage, gracePage]) {
    await page.getByRole("link", { name: number, exact: true }).click();
    await expect(page.getByRole("heading", { level: 1 })).toContainText("New");
  }
  await adaPage.getByLabel("Status", { exact: true }).selectOption("Attempted");
  await adaPage.getByRole("button", { name: "Change the status" }).click();
  await expect(adaPage.getByRole("heading", { level: 1 })).toContainText("Attempted");

  await gracePage.getByLabel("Status", { exact: true }).selectOption("Abandoned");
  await gracePage.getByRole("button", { name: "Change the status" }).click();
  await expect(gracePage.locator("p.announce")).toContainText("Someone else changed this request first");
  await expect(gracePage.getByRole("heading", { level: 1 })).toContainText("Attempted");
  await expect(gracePage.getByText(/Last changed by Ada Second/)).toBeVisible();
});

test("what a representative is typing keeps its focus while others' requests arrive and a colleague changes this one", async ({ browser }) => {
  const stamp = Date.now();
  const [ada, grace] = [`ada7-${stamp}@example.com`, `grace7-${stamp}@example.com`];
  person(ada, "Ada Seventh", "representative");
  person(grace, "Grace Seventh", "representative");
  const number = await visitorAsks(browser, "+44 20 7946 0987");
  const queue = `/console/queues/${DEMO_QUEUE}?sort=newest`;
  const adaPage = await consoleOf(browser, ada, queue);
  const gracePage = await consoleOf(browser, grace, queue);
  for (const page of [adaPage, gracePage]) {
    await page.getByRole("link", { name: number, exact: true }).click();
    await expect(page.getByRole("heading", { level: 1 })).toContainText("New");
  }
  await expect(adaPage).toHaveTitle(/^\(\d+\) waiting/);
  const title = await adaPage.title();

  // Ada is typing a note. Whatever happens now, the page must not take the field out of the document.
  const note = adaPage.getByLabel("Add a note");
  await note.click();
  await note.pressSequentially("Left a voicemail, will try");
  await adaPage.evaluate(() => {
    const w = window as unknown as { removals: number };
    w.removals = 0;
    const field = document.activeElement!;
    new MutationObserver((records) => {
      for (const record of records) {
        for (const node of record.removedNodes) if (node.contains(field)) w.removals += 1;
      }
    }).observe(document.body, { childList: true, subtree: true });
  });

  // Another visitor asks: the live feed tells Ada's page, whose tab title counts what waits.
  await visitorAsks(browser, "+44 20 7946 0988");
  await expect(adaPage).not.toHaveTitle(title);
  // A colleague changes this very request: Ada's page redraws it.
  await gracePage.getByLabel("Status", { exact: true }).selectOption("Attempted");
  await gracePage.getByRole("button", { name: "Change the status" }).click();
  await expect(adaPage.getByRole("heading", { level: 1 })).toContainText("Attempted");

  await expect(note).toBeFocused();
  await expect(note).toHaveValue("Left a voicemail, will try");
  expect(await adaPage.evaluate(() => (window as unknown as { removals: number }).removals)).toBe(0);
  await note.pressSequentially(" again");
  await expect(note).toHaveValue("Left a voicemail, will try again");
});

test("a read refused because the representative runs too many queries at once is sent again, and the page loads", async ({ browser }) => {
  const stamp = Date.now();
  const ada = `ada8-${stamp}@example.com`;
  person(ada, "Ada Eighth", "representative");
  const number = await visitorAsks(browser, "+44 20 7946 0989");
  const page = await consoleOf(browser, ada, `/console/queues/${DEMO_QUEUE}?sort=newest`);
  // The server lets one user run a few queries at once; the request page reads several. The first read
  // of its call log is refused as the server refuses one too many.
  let refused = 0;
  await page.route(/\/query\/\?q=SELECT%20CallType/, async (route) => {
    if (refused++ > 0) return route.continue();
    await route.fulfill({
      status: 403,
      contentType: "application/json",
      body: JSON.stringify([{ message: "ConcurrentQueries Limit exceeded: this user already runs 2 queries at once; send the next when one has been answered.", errorCode: "REQUEST_LIMIT_EXCEEDED" }]),
    });
  });
  await page.getByRole("link", { name: number, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(number);
  await expect(page.getByRole("region", { name: "Call log" })).toContainText("No calls yet.");
  expect(refused).toBe(2);
});

test("a supervisor reassigns, and the new owner's work list shows it at once", async ({ browser }) => {
  const stamp = Date.now();
  const [sam, grace] = [`sam-${stamp}@example.com`, `grace3-${stamp}@example.com`];
  person(sam, "Sam Supervisor", "supervisor");
  person(grace, `Grace Third ${stamp}`, "representative");
  const number = await visitorAsks(browser, "+44 20 7946 0789");
  const gracePage = await consoleOf(browser, grace, "/console/?sort=newest");
  const samPage = await consoleOf(browser, sam, "/console/all?sort=newest");
  await samPage.getByRole("link", { name: number, exact: true }).click();
  await expect(samPage.getByRole("heading", { level: 1 })).toContainText(number);
  await samPage.getByLabel("Give it to").selectOption({ label: `Grace Third ${stamp}` });
  await samPage.getByRole("button", { name: "Reassign" }).click();
  await expect(samPage.locator("p.announce")).toContainText("Saved");
  await expect(samPage.getByRole("region", { name: "History" })).toContainText(`→ Grace Third ${stamp}`);
  await expect(row(gracePage, number)).toBeVisible();
});

test("an expired session signs in again and comes back to the same page with the draft kept", async ({ browser }) => {
  const stamp = Date.now();
  const ada = `ada4-${stamp}@example.com`;
  person(ada, "Ada Fourth", "representative");
  const number = await visitorAsks(browser, "+44 20 7946 0321");
  const page = await consoleOf(browser, ada, `/console/queues/${DEMO_QUEUE}?sort=newest`);
  await page.getByRole("link", { name: number, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(number);
  const requestPath = new URL(page.url()).pathname;

  await page.getByLabel("Add a note").fill("Called twice, left a voicemail");
  // The session ends on the server (as after the idle expiry), and with it the cookie.
  await page.context().clearCookies();
  await page.getByRole("button", { name: "Add the note" }).click();
  await expect(page).toHaveURL(/\/console\/sign-in\?next=/);
  await signIn(page, ada);
  await expect(page).toHaveURL(new RegExp(`${requestPath}$`));
  await expect(page.getByLabel("Add a note")).toHaveValue("Called twice, left a voicemail");
  await page.getByRole("button", { name: "Add the note" }).click();
  await expect(page.getByRole("region", { name: "History" })).toContainText("Note: Called twice, left a voicemail");
});

test("a form on another site posting to the API with the session changes nothing", async ({ browser }) => {
  const stamp = Date.now();
  const ada = `ada5-${stamp}@example.com`;
  person(ada, "Ada Fifth", "representative");
  const number = await visitorAsks(browser, "+44 20 7946 0654");
  const page = await consoleOf(browser, ada, `/console/queues/${DEMO_QUEUE}?sort=newest`);
  await page.getByRole("link", { name: number, exact: true }).click();
  const id = idOf(page);

  // The same browser (same context, with the session cookie) visits a page of another origin whose form
  // posts to the API.
  const other = await page.context().newPage();
  await other.goto(`${demoUrl()}/`);
  const answered = other.waitForResponse((r) => r.url().startsWith(`${apiUrl()}/services/data/v62.0/sobjects/Task`));
  await other.evaluate(
    ([api, target]) => {
      const form = document.createElement("form");
      form.method = "POST";
      // A logged call that, if taken, would move the request to Attempted.
      form.action = `${api}/services/data/v62.0/sobjects/Task/`;
      form.enctype = "text/plain";
      const field = document.createElement("input");
      field.name = `{"WhatId":"${target}","Subject":"Call","CallResult__c":"Not Reached","x":"`;
      field.value = '"}';
      form.appendChild(field);
      document.body.appendChild(form);
      form.submit();
    },
    [apiUrl(), id],
  );
  expect((await answered).status()).toBeGreaterThanOrEqual(400);
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("New");
});

test("measures how soon a new request appears in an open view (median and p99 of 100)", async ({ browser }) => {
  test.setTimeout(180_000);
  const stamp = Date.now();
  const ada = `ada6-${stamp}@example.com`;
  person(ada, "Ada Sixth", "representative");
  const page = await consoleOf(browser, ada, "/console/?sort=newest");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  // In the page itself, on one clock: from sending the create (the API call the widget's intake makes
  // durable the same way) to the new row being in the open view. Nothing is asserted of the figures.
  const samples: number[] = await page.evaluate(async () => {
    const out: number[] = [];
    for (let i = 0; i < 100; i++) {
      const started = performance.now();
      const response = await fetch("/services/data/v62.0/sobjects/ContactRequest/", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ RequestReason: "Billing", PreferredPhone: `+4420794${String(60000 + i)}` }),
      });
      const created = await response.json();
      if (!response.ok) throw new Error(`the create answered ${response.status}: ${JSON.stringify(created)}`);
      // Looked for at every frame: the figure is to within one frame.
      await new Promise<void>((resolve, reject) => {
        const give_up = performance.now() + 20_000;
        const look = () => {
          if (document.querySelector(`a[href$="/console/requests/${created.id}"]`)) resolve();
          else if (performance.now() > give_up) reject(new Error(`${created.id} never appeared`));
          else requestAnimationFrame(look);
        };
        look();
      });
      out.push(performance.now() - started);
    }
    return out;
  });
  expect(samples).toHaveLength(100);
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.round((samples.length - 1) * q)];
  const figures = { samples: samples.length, median_ms: at(0.5), p99_ms: at(0.99), max_ms: at(1) };
  mkdirSync("test-results", { recursive: true });
  writeFileSync("test-results/console-latency.json", JSON.stringify(figures, null, 2));
  console.log(`a new request appears in an open console view: median ${figures.median_ms.toFixed(1)} ms, p99 ${figures.p99_ms.toFixed(1)} ms (${figures.samples} samples)`);
});

test("repeated wrong passwords make the form wait, and signing out ends the session", async ({ browser }) => {
  const stamp = Date.now();
  const ada = `ada7-${stamp}@example.com`;
  person(ada, "Ada Seventh", "representative");
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${apiUrl()}/console/sign-in`);
  // Five failures are free; the sixth is told to wait, on the form.
  for (let attempt = 1; attempt <= 6; attempt++) {
    await page.getByLabel("Username").fill(ada);
    await page.getByLabel("Password").fill(`not the password ${attempt}`);
    const answered = page.waitForResponse((r) => r.url().endsWith("/console/api/session"));
    await page.getByRole("button", { name: "Sign in" }).click();
    expect((await answered).status()).toBe(attempt <= 5 ? 401 : 429);
  }
  await expect(page.getByText(/Too many failed sign-ins\. Try again in/)).toBeVisible();
  await noAxeViolations(page);

  // Another person signs in and out: the session ends on the server, not only in this tab.
  const grace = `grace7-${stamp}@example.com`;
  person(grace, "Grace Seventh", "representative");
  const console = await consoleOf(browser, grace, "/console/");
  const cookies = await console.context().cookies();
  await console.getByRole("button", { name: "Sign out" }).click();
  await expect(console).toHaveURL(/\/console\/sign-in/);
  // The old cookie, presented again, opens nothing.
  const replayed = await console.context().request.get(`${apiUrl()}/console/api/me`, {
    headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join("; ") },
  });
  expect(replayed.status()).toBe(401);
  await console.goto(`${apiUrl()}/console/`);
  await expect(console).toHaveURL(/\/console\/sign-in/);
});

test("a signed-in visitor's request shows their verified identity and their other requests on the site", async ({ browser }) => {
  const stamp = Date.now();
  const ada = `ada8-${stamp}@example.com`;
  person(ada, "Ada Eighth", "representative");
  const earlier = await signedInVisitorAsks(browser, "The boiler again.");
  const later = await signedInVisitorAsks(browser, "Still the boiler.");
  const page = await consoleOf(browser, ada, `/console/queues/${DEMO_QUEUE}?sort=newest`);
  // By the link's address: other tests add requests to the same queue meanwhile, and the live list moving
  // its rows between finding this link and clicking it once opened another request (a guest's) in CI.
  const href = await page.getByRole("link", { name: later, exact: true }).getAttribute("href");
  await page.goto(new URL(href!, page.url()).toString());
  const visitor = page.getByRole("region", { name: "Visitor", exact: true });
  await expect(visitor).toContainText("demo-user-1");
  await expect(visitor).toContainText("As typed in the form (not verified)");
  const others = page.getByRole("region", { name: "The same visitor's other requests" });
  await expect(others.getByRole("link", { name: earlier, exact: true })).toBeVisible();
  await expect(others.getByRole("link", { name: later, exact: true })).toHaveCount(0);
  await noAxeViolations(page);
});

test("a visitor's own time zone, from their browser, is shown beside the representative's on the request page", async ({ browser }) => {
  const stamp = Date.now();
  const ada = `ada9-${stamp}@example.com`;
  person(ada, "Ada Ninth", "representative");
  const visitor = await (await browser.newContext({ timezoneId: "Europe/Paris" })).newPage();
  const form = await new ContactForm(visitor).open();
  await form.chooseReason("Order");
  await form.fill({ preferred_phone: "+1 212 555 0190", name: "Pierre Paris" });
  const slots = await form.pickCallbackTime();
  // Not the earliest, which a slow machine could see pass into the lead time before it submits.
  await form.callbackTime.selectOption(slots[2].value);
  await form.submit.click();
  await expect(form.requestNumber).toHaveText(/^CR-\d{6}$/);
  expect(form.posts[0].postDataJSON().time_zone).toBe("Europe/Paris");
  const { id } = await (await form.posts[0].response())!.json();
  await visitor.context().close();

  const page = await consoleOf(browser, ada, `/console/requests/${id}`);
  const card = page.getByRole("region", { name: "Visitor", exact: true });
  await expect(card.locator("dt:text-is('Time zone') + dd")).toHaveText("Europe/Paris");
  await expect(card).toContainText("(the visitor's, Europe/Paris)");
  await expect(card).not.toContainText("the call center's");
  await noAxeViolations(page);

  // A request made through the API has no visitor's zone: the call center's stands in, named as such.
  const api = { Authorization: `Bearer ${process.env.CRW_API_TOKEN}` };
  const soql = encodeURIComponent("SELECT Id, TimeZone__c FROM CallCenter WHERE InternalName = 'demo'");
  const center = (await (await page.request.get(`${apiUrl()}/services/data/v62.0/query/?q=${soql}`, { headers: api })).json()).records[0];
  const made = await page.request.post(`${apiUrl()}/services/data/v62.0/sobjects/ContactRequest`, {
    headers: api,
    data: { RequestReason: "Order", PreferredPhone: "+442079460958", OwnerId: DEMO_QUEUE, CallCenterId__c: center.Id, ScheduledRoutingDateTime__c: slots[3].value },
  });
  expect(made.status(), await made.text()).toBe(201);
  await page.goto(`${apiUrl()}/console/requests/${(await made.json()).id}`);
  await expect(card.locator("dt:text-is('Time zone') + dd")).toHaveText("—");
  await expect(card).toContainText(`(the call center's, ${center.TimeZone__c})`);
  await expect(card).not.toContainText("the visitor's");
});

test("a due callback is offered to the Available representative idle longest, who declines; the next accepts and owns it", async ({ browser }) => {
  const stamp = Date.now();
  // A queue of their own, so that no other test's request is offered to them first.
  const queue = cli(["queues", "add", "--name", `Offers ${stamp}`]);
  const [olga, otto] = [`olga-${stamp}@example.com`, `otto-${stamp}@example.com`];
  for (const [username, name] of [[olga, "Olga Offer"], [otto, `Otto Offer ${stamp}`]]) {
    cli(["users", "add", "--username", username, "--name", name, "--role", "representative", "--password-stdin"], PASSWORD + "\n");
    cli(["queues", "add-member", queue, username]);
  }
  const olgaPage = await consoleOf(browser, olga, "/console/");
  const ottoPage = await consoleOf(browser, otto, "/console/");
  // Olga first: she has been idle longest when the callback comes.
  for (const page of [olgaPage, ottoPage]) {
    const set = page.waitForResponse((r) => r.url().endsWith("/console/api/presence") && r.request().method() === "PUT");
    await page.getByRole("combobox", { name: "Presence" }).selectOption("available");
    expect((await set).status()).toBe(200);
  }
  const api = { Authorization: `Bearer ${process.env.CRW_API_TOKEN}` };
  const made = await olgaPage.request.post(`${apiUrl()}/services/data/v62.0/sobjects/ContactRequest`, {
    headers: api,
    data: { RequestReason: "Billing", PreferredPhone: "+442079460777", IsCallback: true, OwnerId: queue },
  });
  expect(made.status(), await made.text()).toBe(201);
  const id = (await made.json()).id;
  const number = (await (await olgaPage.request.get(`${apiUrl()}/services/data/v62.0/sobjects/ContactRequest/${id}`, { headers: api })).json()).Name;

  const offers = (page: Page) => page.getByRole("region", { name: "Offered to you" });
  await expect(offers(olgaPage).getByRole("button", { name: `Accept ${number}` })).toBeVisible();
  await expect(olgaPage.getByRole("alert").filter({ hasText: `New callback offered: ${number}` })).toBeAttached();
  await expect(offers(olgaPage)).toContainText("+442079460777");
  await expect(offers(olgaPage)).toContainText(/\d+ s left/);
  await expect(offers(ottoPage)).toBeHidden();
  await noAxeViolations(olgaPage);
  await olgaPage.screenshot({ path: `${SHOTS}/offer-1280.png` });

  await offers(olgaPage).getByRole("button", { name: "Decline" }).click();
  await expect(offers(olgaPage)).toBeHidden();
  await offers(ottoPage).getByRole("button", { name: `Accept ${number}` }).click();
  await expect(ottoPage).toHaveURL(new RegExp(`/console/requests/${id}$`));
  await expect(ottoPage.getByRole("heading", { level: 1 })).toContainText(number);
  await expect(ottoPage.getByRole("region", { name: "Visitor", exact: true })).toContainText(`Otto Offer ${stamp}`);
  await expect(offers(ottoPage)).toBeHidden();
  await expect(offers(olgaPage)).toBeHidden();
});

test("whoever turns alerts on hears a tone and gets a desktop notification for each new offer, naming the request and not the visitor", async ({ browser }) => {
  const stamp = Date.now();
  const queue = cli(["queues", "add", "--name", `Alerts ${stamp}`]);
  const alma = `alma-${stamp}@example.com`;
  cli(["users", "add", "--username", alma, "--name", "Alma Alert", "--role", "representative", "--password-stdin"], PASSWORD + "\n");
  cli(["queues", "add-member", queue, alma]);
  const context = await browser.newContext();
  await context.grantPermissions(["notifications"], { origin: apiUrl() });
  // Records what the page asks of the browser's Notification and Web Audio APIs (the real ones still
  // run), which a headless browser shows and plays nowhere.
  await context.addInitScript(() => {
    const w = window as unknown as { Notification: typeof Notification; shown: { title: string; body?: string }[]; tones: number };
    w.shown = [];
    w.tones = 0;
    const Real = w.Notification;
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        w.shown.push({ title, body: options?.body });
      }
    }
    Object.defineProperty(Recorded, "permission", { get: () => Real.permission });
    Object.defineProperty(Recorded, "requestPermission", { value: Real.requestPermission.bind(Real) });
    w.Notification = Recorded;
    const oscillator = AudioContext.prototype.createOscillator;
    AudioContext.prototype.createOscillator = function () {
      w.tones += 1;
      return oscillator.call(this);
    };
  });
  const page = await context.newPage();
  await page.goto(`${apiUrl()}/console/sign-in?next=${encodeURIComponent("/console/")}`);
  await signIn(page, alma);
  await expect(page).toHaveURL(/\/console\/$/);
  const alerts = page.getByRole("checkbox", { name: "Alert me to offers (sound and notification)" });
  await expect(alerts).not.toBeChecked();
  await alerts.check();
  const set = page.waitForResponse((r) => r.url().endsWith("/console/api/presence") && r.request().method() === "PUT");
  await page.getByRole("combobox", { name: "Presence" }).selectOption("available");
  expect((await set).status()).toBe(200);

  const api = { Authorization: `Bearer ${process.env.CRW_API_TOKEN}` };
  const ask = async (phone: string) => {
    const made = await page.request.post(`${apiUrl()}/services/data/v62.0/sobjects/ContactRequest`, {
      headers: api,
      data: { RequestReason: "Billing", PreferredPhone: phone, VisitorName__c: "Vicky Private", IsCallback: true, OwnerId: queue },
    });
    expect(made.status(), await made.text()).toBe(201);
    const id = (await made.json()).id;
    return (await (await page.request.get(`${apiUrl()}/services/data/v62.0/sobjects/ContactRequest/${id}`, { headers: api })).json()).Name as string;
  };
  const offers = page.getByRole("region", { name: "Offered to you" });
  const first = await ask("+442079460611");
  await expect(offers.getByRole("button", { name: `Accept ${first}` })).toBeVisible();
  const shown = () => page.evaluate(() => (window as unknown as { shown: { title: string; body?: string }[] }).shown);
  await expect.poll(shown).toHaveLength(1);
  const [notification] = await shown();
  expect(notification.title).toBe("Callback offered");
  expect(notification.body).toContain(first);
  expect(notification.body).toContain("Billing");
  expect(notification.body).not.toContain("+442079460611");
  expect(notification.body).not.toContain("Vicky");
  expect(await page.evaluate(() => (window as unknown as { tones: number }).tones)).toBe(1);

  // The choice is this browser's: still on after a reload; off, the next offer comes silently.
  await offers.getByRole("button", { name: "Decline" }).click();
  await expect(offers).toBeHidden();
  await page.reload();
  await expect(alerts).toBeChecked();
  await alerts.uncheck();
  const second = await ask("+442079460612");
  await expect(offers.getByRole("button", { name: `Accept ${second}` })).toBeVisible();
  expect(await shown()).toHaveLength(0);
  expect(await page.evaluate(() => (window as unknown as { tones: number }).tones)).toBe(0);
  await context.close();
});

test("the call panel shows the call center's softphone layout in order, and a reviewed callback is logged as a Callback call", async ({ browser }) => {
  const stamp = Date.now();
  const cora = `cora-${stamp}@example.com`;
  person(cora, "Cora Caller", "representative");
  const api = { Authorization: `Bearer ${process.env.CRW_API_TOKEN}` };
  const data = `${apiUrl()}/services/data/v62.0`;
  const soql = encodeURIComponent("SELECT Id FROM CallCenter WHERE InternalName = 'demo'");
  const page = await consoleOf(browser, cora, "/console/");
  const center = (await (await page.request.get(`${data}/query/?q=${soql}`, { headers: api })).json()).records[0].Id;
  const layout = await (await page.request.get(`${apiUrl()}/services/apexrest/callCenters/${center}/softphoneLayout`, { headers: api })).json();
  const outbound = layout.callTypes.find((c: { name: string }) => c.name === "Outbound");
  const request = outbound.sections.find((s: { entityApiName: string }) => s.entityApiName === "ContactRequest");
  const described = await (await page.request.get(`${data}/sobjects/ContactRequest/describe`, { headers: api })).json();
  const labels = request.items.map((i: { itemApiName: string }) =>
    described.fields.find((f: { name: string }) => f.name === i.itemApiName).label);

  for (const [isCallback, kind] of [[true, "Callback call"], [false, "Outbound call"]] as const) {
    const made = await page.request.post(`${data}/sobjects/ContactRequest`, {
      headers: api,
      data: { RequestReason: "Order", PreferredPhone: "+442079460555", OwnerId: DEMO_QUEUE, CallCenterId__c: center, IsCallback: isCallback },
    });
    expect(made.status(), await made.text()).toBe(201);
    const id = (await made.json()).id;
    await page.goto(`${apiUrl()}/console/requests/${id}`);
    const panel = page.getByRole("region", { name: "Call", exact: true });
    // The call's facts first, then the request's fields, in the layout's order with describe's labels.
    await expect(panel.locator("dl").first().locator("dt")).toHaveText(["Phone number", "Queue or owner", "Callback time"]);
    await expect(panel.locator("dl").nth(1).locator("dt")).toHaveText(labels);
    await expect(panel.getByRole("link", { name: "+442079460555" })).toHaveAttribute("href", "tel:+442079460555");
    await noAxeViolations(page);

    await page.getByLabel("Outcome").selectOption("Not Reached");
    await page.getByRole("button", { name: "Log the call" }).click();
    await expect(page.locator("p.announce")).toContainText("Call logged");
    await expect(page.getByRole("region", { name: "Call log" })).toContainText(`Not Reached · ${kind}`);
    const tasks = encodeURIComponent(`SELECT CallType, IsCallback__c FROM Task WHERE WhatId = '${id}'`);
    const logged = (await (await page.request.get(`${data}/query/?q=${tasks}`, { headers: api })).json()).records;
    expect(logged.map((t: { CallType: string; IsCallback__c: boolean }) => [t.CallType, t.IsCallback__c])).toEqual([["Outbound", isCallback]]);
  }
});

test("a callback requested as in the reference and a visitor's request from the widget each reach an Available representative, are dialled as IsCallback says, logged, and end Contacted", async ({ browser }) => {
  // A Not Reached call comes back after the call center's retry delay: a minute.
  test.setTimeout(180_000);
  const stamp = Date.now();
  const api = { Authorization: `Bearer ${process.env.CRW_API_TOKEN}` };
  const data = `${apiUrl()}/services/data/v62.0`;
  // The call center's queue, by the name its file gives; the telephony API puts its callbacks there.
  const queue = cli(["queues", "add", "--name", PHONE_QUEUE]);
  const [pia, pete] = [`pia-${stamp}@example.com`, `pete-${stamp}@example.com`];
  const ids = [[pia, "Pia Phones"], [pete, "Pete Phones"]].map(([username, name]) => {
    const id = cli(["users", "add", "--username", username, "--name", name, "--role", "representative", "--password-stdin"], PASSWORD + "\n");
    cli(["queues", "add-member", queue, username]);
    return id;
  });
  const piaPage = await consoleOf(browser, pia, "/console/", false, true);
  const petePage = await consoleOf(browser, pete, "/console/", false, true);
  // Pia first: she has been idle longest when the first callback comes.
  await available(piaPage);
  await available(petePage);
  const offers = (page: Page) => page.getByRole("region", { name: "Offered to you" });
  const record = async (id: string) => (await (await piaPage.request.get(`${data}/sobjects/ContactRequest/${id}`, { headers: api })).json());

  // The reference's own example (`001`), byte for byte, from a telephony provider.
  const asked = await piaPage.request.post(`${apiUrl()}/telephony/v1/voiceCalls/89328b83-ff42-4c85-a2af-e948124365de/requestCallback`, {
    headers: { Authorization: `Bearer ${telephonyToken()}`, "Content-Type": "application/json", "Telephony-Provider-Name": "Amazon Connect" },
    data: '{\n "callbackNumber": "+18445791189",\n "isPreviewCallback": true,\n "scheduledRoutingDateTime": "2026-02-26T15:40:52Z"\n}',
  });
  expect(asked.status(), await asked.text()).toBe(201);
  const phoned = (await asked.json()).recordId as string;
  const phonedNumber = (await record(phoned)).Name as string;
  expect((await record(phoned)).OwnerId).toBe(queue);

  // Offered to Pia, who declines; then to Pete, who accepts. A preview callback (IsCallback): nothing is
  // dialled until he chooses to.
  await offers(piaPage).getByRole("button", { name: `Accept ${phonedNumber}` }).waitFor();
  await expect(offers(piaPage)).toContainText("Review the details, then dial.");
  await offers(piaPage).getByRole("button", { name: "Decline" }).click();
  await offers(petePage).getByRole("button", { name: `Accept ${phonedNumber}` }).click();
  await expect(petePage).toHaveURL(new RegExp(`/console/requests/${phoned}$`));
  const panel = petePage.getByRole("region", { name: "Call", exact: true });
  const link = panel.getByRole("link", { name: "+18445791189" });
  const softphoneUrl = `${SOFTPHONE}?to=%2B18445791189&ref=${phoned}`;
  await expect(link).toHaveAttribute("href", softphoneUrl);
  expect(petePage.context().pages()).toHaveLength(1);
  expect(await dialled(petePage)).toEqual([]);
  // Dialling is his choice: through the call center's softphone, in a window beside the console.
  const softphone = petePage.context().waitForEvent("page");
  await link.click();
  expect((await softphone).url()).toBe(softphoneUrl);
  // Nobody answered: the request goes back to its queue, to be tried again after the retry delay.
  await petePage.getByLabel("Outcome").selectOption("Not Reached");
  await petePage.getByRole("button", { name: "Log the call" }).click();
  await expect(petePage.getByRole("region", { name: "Call log" })).toContainText("Not Reached · Callback call");
  await expect.poll(async () => (await record(phoned)).OwnerId).toBe(queue);
  expect((await record(phoned)).Status).toBe("Attempted");
  const triedAt = Date.now();

  // A visitor asks in the widget; a supervisor gives it to the phone queue. Not a preview callback: the
  // call starts as soon as Pia accepts, by the `tel:` link of the demo's call center.
  const number = await visitorAsks(browser, "+442079460888");
  const soql = encodeURIComponent(`SELECT Id FROM ContactRequest WHERE Name = '${number}'`);
  const widgetId = (await (await piaPage.request.get(`${data}/query/?q=${soql}`, { headers: api })).json()).records[0].Id as string;
  const moved = await piaPage.request.patch(`${data}/sobjects/ContactRequest/${widgetId}`, { headers: api, data: { OwnerId: queue } });
  expect(moved.status(), await moved.text()).toBe(204);
  await offers(piaPage).getByRole("button", { name: `Accept ${number}` }).click();
  await expect(piaPage).toHaveURL(new RegExp(`/console/requests/${widgetId}$`));
  await expect.poll(() => dialled(piaPage)).toEqual(["tel:+442079460888"]);
  await piaPage.getByLabel("Outcome").selectOption("Reached");
  await piaPage.getByRole("button", { name: "Log the call" }).click();
  await expect(piaPage.getByRole("region", { name: "Call log" })).toContainText("Reached · Outbound call");
  await expect(piaPage.getByRole("heading", { level: 1 })).toContainText("Contacted");
  expect(await record(widgetId)).toMatchObject({ Status: "Contacted", OwnerId: ids[0] });

  // A minute after the Not Reached call the callback is offered again: to Pete, as Pia declined it within
  // the queue's cool-down. Reached this time, it ends Contacted.
  await offers(petePage).getByRole("button", { name: `Accept ${phonedNumber}` }).click({ timeout: 90_000 });
  expect(Date.now() - triedAt, "not before the retry delay").toBeGreaterThanOrEqual(55_000);
  await expect(petePage.getByRole("heading", { level: 1 })).toContainText(phonedNumber);
  expect(await dialled(petePage)).toEqual([]);
  await petePage.getByLabel("Outcome").selectOption("Reached");
  await petePage.getByRole("button", { name: "Log the call" }).click();
  await expect(petePage.getByRole("region", { name: "Call log" })).toContainText("Reached · Callback call");
  await expect(petePage.getByRole("heading", { level: 1 })).toContainText("Contacted");
  expect(await record(phoned)).toMatchObject({ Status: "Contacted", OwnerId: ids[1] });

  const tasks = encodeURIComponent(`SELECT WhatId, CallType, IsCallback__c, CallResult__c FROM Task WHERE WhatId IN ('${phoned}', '${widgetId}') ORDER BY CreatedDate`);
  const logged = (await (await piaPage.request.get(`${data}/query/?q=${tasks}`, { headers: api })).json()).records;
  expect(logged.map((t: { WhatId: string; CallType: string; IsCallback__c: boolean; CallResult__c: string }) => [t.WhatId, t.CallType, t.IsCallback__c, t.CallResult__c]))
    .toEqual([[phoned, "Outbound", true, "Not Reached"], [widgetId, "Outbound", false, "Reached"], [phoned, "Outbound", true, "Reached"]]);
  for (const page of [piaPage, petePage]) await page.context().close();
});

test("a reviewed callback dialled at another number, then transferred to another queue, is offered there; an unanswered offer passes on", async ({ browser }) => {
  test.setTimeout(90_000);
  const stamp = Date.now();
  const [first, second] = [cli(["queues", "add", "--name", `First line ${stamp}`]), cli(["queues", "add", "--name", `Second line ${stamp}`])];
  const [tara, uma, vic] = [`tara-${stamp}@example.com`, `uma-${stamp}@example.com`, `vic-${stamp}@example.com`];
  const ids: Record<string, string> = {};
  for (const [username, name, queue] of [[tara, "Tara Transfer", first], [uma, "Uma Second", second], [vic, "Vic Second", second]]) {
    ids[username] = cli(["users", "add", "--username", username, "--name", name, "--role", "representative", "--password-stdin"], PASSWORD + "\n");
    cli(["queues", "add-member", queue, username]);
  }
  const taraPage = await consoleOf(browser, tara, "/console/", false, true);
  // Offers in the second line wait 5 s for an answer (an admin's setting; the integration token is an admin's).
  const timeout = await taraPage.request.fetch(`${apiUrl()}/console/api/admin/queues/${second}`, {
    method: "PATCH", headers: { Authorization: `Bearer ${process.env.CRW_API_TOKEN}` }, data: { offerTimeoutSeconds: 5 },
  });
  expect(timeout.status(), await timeout.text()).toBe(200);
  const umaPage = await consoleOf(browser, uma, "/console/");
  const vicPage = await consoleOf(browser, vic, "/console/");
  await available(taraPage);
  await available(umaPage);
  await available(vicPage);
  const api = { Authorization: `Bearer ${process.env.CRW_API_TOKEN}` };
  const made = await taraPage.request.post(`${apiUrl()}/services/data/v62.0/sobjects/ContactRequest`, {
    headers: api,
    data: { RequestReason: "Billing", PreferredPhone: "+442079460999", IsCallback: true, OwnerId: first },
  });
  expect(made.status(), await made.text()).toBe(201);
  const id = (await made.json()).id as string;
  const number = (await (await taraPage.request.get(`${apiUrl()}/services/data/v62.0/sobjects/ContactRequest/${id}`, { headers: api })).json()).Name;
  const offers = (page: Page) => page.getByRole("region", { name: "Offered to you" });
  await offers(taraPage).getByRole("button", { name: `Accept ${number}` }).click();
  await expect(taraPage).toHaveURL(new RegExp(`/console/requests/${id}$`));
  const work = taraPage.getByRole("region", { name: "Work it" });
  await expect(taraPage.getByRole("heading", { level: 1 })).toContainText(number);
  await expect(work.getByLabel("Give it to").locator("option", { hasText: `Queue: Second line ${stamp}` })).toBeAttached();
  await noAxeViolations(taraPage);

  // Another number than the one asked for: checked as the widget checks a phone, then dialled.
  await work.getByLabel("Another number").fill("020 7946 0000");
  await work.getByRole("button", { name: "Dial" }).click();
  await expect(taraPage.locator("#other-number-error")).toContainText("country code");
  expect(await dialled(taraPage)).toEqual([]);
  await work.getByLabel("Another number").fill("+44 20 7946 0001");
  await work.getByRole("button", { name: "Dial" }).click();
  await expect.poll(() => dialled(taraPage)).toEqual(["tel:+442079460001"]);

  // Transferred to the second line: offered to one of its members; left unanswered, it passes to the other.
  await work.getByLabel("Give it to").selectOption({ label: `Queue: Second line ${stamp}` });
  const transferred = taraPage.waitForResponse((r) => r.url().endsWith(`/requests/${id}/transfer`));
  await work.getByRole("button", { name: "Transfer" }).click();
  expect((await transferred).status()).toBe(200);
  const offeredTo = async () => {
    for (const page of [umaPage, vicPage]) if (await offers(page).getByRole("button", { name: `Accept ${number}` }).isVisible()) return page;
    return null;
  };
  await expect.poll(offeredTo, { timeout: 15_000 }).not.toBeNull();
  const firstTaker = (await offeredTo())!;
  const other = firstTaker === umaPage ? vicPage : umaPage;
  // Five seconds without an answer: the offer passes on.
  await expect(offers(other).getByRole("button", { name: `Accept ${number}` })).toBeVisible({ timeout: 15_000 });
  await expect(offers(firstTaker)).toBeHidden();
  await offers(other).getByRole("button", { name: `Accept ${number}` }).click();
  await expect(other).toHaveURL(new RegExp(`/console/requests/${id}$`));
  const owner = (await (await other.request.get(`${apiUrl()}/services/data/v62.0/sobjects/ContactRequest/${id}`, { headers: api })).json()).OwnerId;
  expect(owner).toBe(ids[other === umaPage ? uma : vic]);
  for (const page of [taraPage, umaPage, vicPage]) await page.context().close();
});
