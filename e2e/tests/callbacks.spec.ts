// A visitor asks to be called back at a time they pick. The demo site's call center works London hours
// (weekdays 08:00-18:00, Saturdays 09:00-13:00, half-hour slots, three callbacks each); the visitors
// here are elsewhere, and see and choose its times on their own clocks, while the server stores UTC.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { Connection } from "jsforce";

import { ContactForm, type Slot } from "../pages/contact-form";
import { apiUrl, storedRequest } from "../support/server";

const FULL = "That time has just been fully booked: choose another time from the list.";

/** `instant` written as the widget writes a slot's time, on the clock of `timeZone`. */
function clock(instant: string, timeZone: string): string {
  const format = new Intl.DateTimeFormat("en", { hour: "numeric", minute: "2-digit", timeZoneName: "short", timeZone });
  return format.format(new Date(instant));
}

/** `instant`'s day as the widget heads a group of slots, on the clock of `timeZone`. */
function day(instant: string, timeZone: string): string {
  const format = new Intl.DateTimeFormat("en", { weekday: "long", day: "numeric", month: "long", timeZone });
  return format.format(new Date(instant));
}

/** The hour and minute of `instant` in London, where the call center works. */
function londonTime(instant: string): { hour: number; minute: number } {
  const parts = new Intl.DateTimeFormat("en-GB", { hour: "numeric", minute: "numeric", hourCycle: "h23", timeZone: "Europe/London" })
    .formatToParts(new Date(instant));
  const part = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return { hour: part("hour"), minute: part("minute") };
}

/** Browsers' and Node's Intl may differ only in which space they put before AM/PM. */
const spaced = (text: string) => text.replace(/\s+/g, " ");

/**
 * Opens the form as a visitor with a phone number of their own: a number holds one open booking at a time
 * (`--bookings-per-phone`), so each test that books is a different visitor.
 */
async function openWithPhone(page: Page, phone = "+1 212 555 0100"): Promise<ContactForm> {
  const form = await new ContactForm(page).open();
  await form.chooseReason("Order");
  await form.fill({ preferred_phone: phone, name: "Ned York" });
  return form;
}

test.describe("a visitor in New York", () => {
  test.use({ timezoneId: "America/New_York" });

  test("picks a London call center's slot on their own clock, and the server stores its UTC instant", async ({ page }) => {
    const form = await openWithPhone(page);
    await expect(form.callAsap).toBeChecked();
    await expect(form.callbackTime).toBeHidden();

    const slots = await form.pickCallbackTime();
    await expect(form.callbackTime).toHaveValue(slots[0].value);
    await expect(form.root.getByText("Times are in your own time zone.")).toBeVisible();
    for (const slot of slots) {
      expect(slot.value).toMatch(/^\d{4}-\d\d-\d\dT\d\d:(00|30):00Z$/);
      expect(spaced(slot.label)).toBe(spaced(clock(slot.value, "America/New_York")));
      expect(slot.label).toMatch(/ E[SD]T$/);
      expect(slot.day).toBe(day(slot.value, "America/New_York"));
      // The call center's own hours, in London.
      const london = londonTime(slot.value);
      expect(london.hour).toBeGreaterThanOrEqual(8);
      expect(london.hour).toBeLessThan(18);
    }
    const axe = await new AxeBuilder({ page }).include("[data-crw-host]").analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    // Not the earliest, which a slow machine could see pass into the lead time before it submits.
    const chosen = slots[2];
    expect(spaced(chosen.label)).not.toBe(spaced(clock(chosen.value, "Europe/London")));
    await form.callbackTime.selectOption(chosen.value);
    await form.submit.click();
    await expect(form.requestNumber).toHaveText(/^CR-\d{6}$/);

    expect(form.posts[0].postDataJSON().callback_time).toBe(chosen.value);
    const stored = storedRequest((await form.requestNumber.textContent())!);
    expect(stored.scheduled_routing_at).toBe(chosen.value.replace("Z", ".000Z"));
    expect(stored.call_center_id).toMatch(/^04v/);
    // IsCallback says how a representative returns the call (preview or not), not that a time was chosen.
    expect(stored.is_callback).toBe(false);
  });

  test("chooses with the keyboard alone, and going back to as soon as possible sends no time", async ({ page }) => {
    const form = await openWithPhone(page);
    await form.callAsap.focus();
    await page.keyboard.press("ArrowRight");
    await expect(form.pickTime).toBeChecked();
    await expect(form.callbackTime.locator("optgroup option").first()).toBeAttached();
    await page.keyboard.press("Tab");
    await expect(form.callbackTime).toBeFocused();
    const slots = await form.offeredTimes();
    await page.keyboard.press("ArrowDown");
    await expect(form.callbackTime).toHaveValue(slots[1].value);

    await form.pickTime.focus();
    await page.keyboard.press("ArrowLeft");
    await expect(form.callAsap).toBeChecked();
    await expect(form.callbackTime).toBeHidden();
    await form.submit.click();
    await expect(form.requestNumber).toHaveText(/^CR-\d{6}$/);
    expect(form.posts[0].postDataJSON().callback_time).toBeNull();
  });
});

test.describe("a visitor in Tokyo", () => {
  test.use({ timezoneId: "Asia/Tokyo" });

  test("sees London's working day split over their own evening and night, grouped by their days", async ({ page }) => {
    const form = await openWithPhone(page);
    const slots = await form.pickCallbackTime();
    for (const slot of slots) {
      expect(spaced(slot.label)).toBe(spaced(clock(slot.value, "Asia/Tokyo")));
      expect(slot.day).toBe(day(slot.value, "Asia/Tokyo"));
    }
    // London's 08:00 is Tokyo's afternoon and its 18:00 Tokyo's small hours, so one London day lands on two.
    const days = [...new Set(slots.map((s) => s.day))];
    const groups = await form.callbackTime.locator("optgroup").evaluateAll((g) => g.map((e) => (e as HTMLOptGroupElement).label));
    expect(groups).toEqual(days);
    expect(slots.some((s) => /AM/.test(s.label))).toBe(true);
    expect(slots.some((s) => /PM/.test(s.label))).toBe(true);
  });
});

test("a slot that fills while the visitor decides is refused with fresh slots, and another one goes through", async ({ page }) => {
  const form = await openWithPhone(page, "+1 212 555 0101");
  const slots = await form.pickCallbackTime();
  // The last time offered, which no other test takes.
  const wanted = slots[slots.length - 1];
  await form.callbackTime.selectOption(wanted.value);

  // Meanwhile, representatives book its remaining places through the API.
  const offered = await (await page.request.get(`${apiUrl()}/api/v1/sites/demo/callback-slots`)).json();
  const remaining: number = offered.slots.find((s: { start: string }) => s.start === wanted.value).remaining;
  const conn = new Connection({ instanceUrl: apiUrl(), accessToken: process.env.CRW_API_TOKEN! });
  const center = await conn.query<{ Id: string }>("SELECT Id FROM CallCenter WHERE InternalName = 'demo'");
  for (let i = 0; i < remaining; i++) {
    const booked = await conn.sobject("ContactRequest").create({
      RequestReason: "Order",
      PreferredPhone: "+442079460958",
      ScheduledRoutingDateTime__c: wanted.value,
      CallCenterId__c: center.records[0].Id,
    });
    expect(booked.success).toBe(true);
  }

  await form.submit.click();
  await form.expectError("callback_time", FULL);
  await expect(form.callbackTime).toBeFocused();
  await expect(form.callbackTime).toHaveValue("");
  await expect.poll(async () => (await form.offeredTimes()).map((s) => s.value)).not.toContain(wanted.value);
  expect(form.posts).toHaveLength(1);

  // Sending again without choosing is stopped in the browser: the message stays until a time is chosen.
  await form.submit.click();
  await form.expectError("callback_time", FULL);
  expect(form.posts).toHaveLength(1);

  const fresh: Slot[] = await form.offeredTimes();
  const other = fresh[fresh.length - 1];
  await form.callbackTime.selectOption(other.value);
  await expect(form.error("callback_time")).toHaveCount(0);
  await form.submit.click();
  await expect(form.requestNumber).toHaveText(/^CR-\d{6}$/);
  expect(form.posts[1].postDataJSON().callback_time).toBe(other.value);
});
