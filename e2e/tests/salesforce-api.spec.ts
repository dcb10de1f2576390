// jsforce, configured with only an instance URL and an access token, works the contact requests through
// the server's Salesforce-compatible REST API; a request sent through the widget shows up in its queries.
import { expect, test } from "@playwright/test";
import { Connection } from "jsforce";

import { ContactForm } from "../pages/contact-form";
import { apiUrl } from "../support/server";

// At the version the server lists last: as in Salesforce, an object or field exists only from the API
// version that introduced it (EngagementInteraction from 55.0), and jsforce's own default is older.
const connect = (token = process.env.CRW_API_TOKEN!, version = "66.0") =>
  new Connection({ instanceUrl: apiUrl(), accessToken: token, version });

// Each test tags its records so that tests running in parallel never count each other's.
const tag = (name: string) => `${name}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

test("create, retrieve, update, destroy and upsert a contact request", async () => {
  const conn = connect();
  const contactRequests = conn.sobject("ContactRequest");

  const created = await contactRequests.create({ RequestReason: "Billing", PreferredPhone: "+442079460958", IsCallback: true });
  expect(created.success).toBe(true);
  expect(created.id).toMatch(/^0SR[0-9A-Za-z]{15}$/);

  const record = await contactRequests.retrieve(created.id!);
  expect(record).toMatchObject({ Id: created.id, Status: "New", PreferredChannel: "Phone", RequestReason: "Billing", IsCallback: true });
  expect(record.Name).toMatch(/^CR-\d{6}$/);

  const updated = await contactRequests.update({ Id: created.id!, Status: "Attempted" });
  expect(updated.success).toBe(true);
  expect((await contactRequests.retrieve(created.id!)).Status).toBe("Attempted");

  const externalId = tag("crm");
  const inserted = await contactRequests.upsert({ ExternalId__c: externalId, RequestReason: "Order" }, "ExternalId__c");
  expect(inserted).toMatchObject({ success: true, created: true });
  const again = await contactRequests.upsert({ ExternalId__c: externalId, Status: "Contacted" }, "ExternalId__c");
  expect(again).toMatchObject({ success: true, created: false, id: inserted.id });

  const destroyed = await contactRequests.destroy(created.id!);
  expect(destroyed.success).toBe(true);
  await expect(contactRequests.retrieve(created.id!)).rejects.toMatchObject({ errorCode: "ENTITY_IS_DELETED" });
});

test("describe and describe layouts come from the object's description", async () => {
  const conn = connect();
  const describe = await conn.sobject("ContactRequest").describe();
  expect(describe.keyPrefix).toBe("0SR");
  const status = describe.fields.find((f) => f.name === "Status")!;
  expect(status.picklistValues.map((p) => p.value)).toEqual(["New", "Attempted", "Contacted", "Abandoned"]);
  expect(status.picklistValues.find((p) => p.defaultValue)?.value).toBe("New");
  expect(describe.fields.find((f) => f.name === "OwnerId")!.referenceTo).toEqual(["Group", "User"]);
  expect(describe.fields.find((f) => f.name === "Name")!.autoNumber).toBe(true);

  const layouts = await conn.sobject("ContactRequest").layouts();
  const fields = layouts.layouts[0].editLayoutSections[0].layoutRows.map((row: { layoutItems: { layoutComponents: { value: string }[] }[] }) => row.layoutItems[0].layoutComponents[0].value);
  expect(fields).toContain("RequestReason");
  expect(fields).toContain("PreferredPhone");
});

test("query pages with queryMore and autoFetch, and find takes conditions", async () => {
  const conn = connect();
  const reason = tag("page");
  const records = Array.from({ length: 205 }, (_, i) => ({ RequestReason: "Product", ExternalId__c: `${reason}-${i}` }));
  // One at a time in small groups, as the collection API is out of scope.
  for (let i = 0; i < records.length; i += 25) {
    await Promise.all(records.slice(i, i + 25).map((r) => conn.sobject("ContactRequest").create(r)));
  }
  const soql = `SELECT Id, Name, ExternalId__c FROM ContactRequest WHERE ExternalId__c LIKE '${reason}-%' ORDER BY Name`;

  const first = await conn.query(soql, { headers: { "Sforce-Query-Options": "batchSize=200" } });
  expect(first.totalSize).toBe(205);
  expect(first.done).toBe(false);
  expect(first.records).toHaveLength(200);
  const rest = await conn.queryMore(first.nextRecordsUrl!);
  expect(rest.done).toBe(true);
  expect(rest.records).toHaveLength(5);
  const names = [...first.records, ...rest.records].map((r) => r.Name);
  expect(new Set(names).size).toBe(205);
  expect([...names].sort()).toEqual(names);

  const all = await conn.query(soql).run({ autoFetch: true, maxFetch: 1000, headers: { "Sforce-Query-Options": "batchSize=200" } });
  expect(all.records).toHaveLength(205);

  const found = await conn
    .sobject("ContactRequest")
    .find({ ExternalId__c: { $like: `${reason}-1%` }, Status: "New" }, ["Id", "ExternalId__c", "Status"])
    .sort({ ExternalId__c: -1 })
    .limit(5);
  expect(found).toHaveLength(5);
  expect(found.every((r) => r.Status === "New" && String(r.ExternalId__c).startsWith(`${reason}-1`))).toBe(true);

  const counted = await conn.query(`SELECT COUNT() FROM ContactRequest WHERE ExternalId__c LIKE '${reason}-%'`);
  expect(counted.totalSize).toBe(205);
});

test("GROUP BY answers AggregateResult records with aliases and default names", async () => {
  const conn = connect();
  const reason = tag("group");
  for (const [i, channel] of ["Phone", "Phone", "Email"].entries()) {
    await conn.sobject("ContactRequest").create({ PreferredChannel: channel, ExternalId__c: `${reason}-${i}` });
  }
  const grouped = await conn.query(
    `SELECT PreferredChannel, COUNT(Id) n, MAX(ExternalId__c) FROM ContactRequest WHERE ExternalId__c LIKE '${reason}-%' ` +
      "GROUP BY PreferredChannel HAVING COUNT(Id) > 0 ORDER BY COUNT(Id) DESC",
  );
  expect(grouped.done).toBe(true);
  expect(grouped.totalSize).toBe(2);
  expect(grouped.records).toEqual([
    { attributes: { type: "AggregateResult" }, PreferredChannel: "Phone", n: 2, expr0: `${reason}-1` },
    { attributes: { type: "AggregateResult" }, PreferredChannel: "Email", n: 1, expr0: `${reason}-2` },
  ]);
  await expect(conn.query("SELECT PreferredChannel, COUNT(Id) FROM ContactRequest")).rejects.toMatchObject({
    errorCode: "MALFORMED_QUERY",
  });
});

test("a relationship subquery and a parent field come back nested, as jsforce reads Salesforce's", async () => {
  const conn = connect();
  const reason = tag("related");
  const made = await conn.sobject("ContactRequest").create({ PreferredChannel: "Phone", ExternalId__c: reason });
  const id = (made as { id: string }).id;
  for (const [subject, status] of [["call back", "Not Started"], ["called", "Completed"]]) {
    await conn.sobject("Task").create({ WhatId: id, Subject: `${reason} ${subject}`, Status: status });
  }
  const found = await conn.query<Record<string, any>>(
    "SELECT Id, Name, Owner.Name, CreatedBy.Name, (SELECT Subject FROM OpenActivities), " +
      `(SELECT Subject, IsClosed FROM ActivityHistories), (SELECT Id FROM Tasks) FROM ContactRequest WHERE Id = '${id}'`,
  );
  expect(found.totalSize).toBe(1);
  const [request] = found.records;
  expect(request.CreatedBy).toMatchObject({ attributes: { type: "User" }, Name: "Rita Rep" });
  expect(request.Owner.attributes.type).toBe("Name");
  expect(request.OpenActivities).toMatchObject({ totalSize: 1, done: true, records: [{ Subject: `${reason} call back` }] });
  expect(request.ActivityHistories.records).toEqual([
    expect.objectContaining({ attributes: expect.objectContaining({ type: "ActivityHistory" }), IsClosed: true }),
  ]);
  expect(request.Tasks.totalSize).toBe(2);
  const tasks = await conn.query<Record<string, any>>(`SELECT Subject, What.Name FROM Task WHERE What.Id = '${id}' ORDER BY Subject`);
  expect(tasks.records.map((task) => task.What.Name)).toEqual([request.Name, request.Name]);
  await expect(conn.query("SELECT Id FROM OpenActivity")).rejects.toMatchObject({ errorCode: "INVALID_TYPE_FOR_OPERATION" });
});

test("updated and deleted list the changes in a time window", async () => {
  const conn = connect();
  const start = new Date(Date.now() - 60_000);
  const created = await conn.sobject("ContactRequest").create({ RequestReason: "Case" });
  const gone = await conn.sobject("ContactRequest").create({ RequestReason: "Case" });
  await conn.sobject("ContactRequest").destroy(gone.id!);
  const end = new Date(Date.now() + 60_000);

  const updated = await conn.sobject("ContactRequest").updated(start, end);
  expect(updated.ids).toContain(created.id);
  expect(updated.ids).not.toContain(gone.id);
  expect(updated.latestDateCovered).toMatch(/^\d{4}-\d\d-\d\dT/);

  const deleted = await conn.sobject("ContactRequest").deleted(start, end);
  expect(deleted.deletedRecords.map((r) => r.id)).toContain(gone.id);
  expect(deleted.earliestDateAvailable).toMatch(/^\d{4}-\d\d-\d\dT/);

  const soql = `SELECT Id, IsDeleted FROM ContactRequest WHERE Id = '${gone.id}'`;
  expect((await conn.query(soql)).totalSize).toBe(0);
  const inBin = await conn.query(soql, { scanAll: true });
  expect(inBin.records).toEqual([expect.objectContaining({ Id: gone.id, IsDeleted: true })]);

  // The REST API has no undelete of its own; this server's is POST sobjects/ContactRequest/{id}/undelete.
  const restored = await conn.requestPost(`/sobjects/ContactRequest/${gone.id}/undelete`, {});
  expect(restored).toMatchObject({ id: gone.id, success: true });
  expect((await conn.query(soql)).records).toEqual([expect.objectContaining({ Id: gone.id, IsDeleted: false })]);
});

test("a request sent through the widget shows up in jsforce's queries, owned by the default queue", async ({ page }) => {
  const form = await new ContactForm(page).open();
  await form.chooseReason("General");
  await form.fill({ preferred_phone: "+1 415 555 0100", name: "Grace Hopper" });
  await form.submit.click();
  await expect(form.requestNumber).toHaveText(/^CR-\d{6}$/);
  const number = (await form.requestNumber.textContent())!;

  const result = await connect(process.env.CRW_READ_TOKEN!).query(
    `SELECT Id, Name, Status, RequestReason, PreferredPhone, OwnerId, VisitorName__c FROM ContactRequest WHERE Name = '${number}'`,
  );
  expect(result.records).toEqual([
    expect.objectContaining({
      Name: number,
      Status: "New",
      RequestReason: "General",
      PreferredPhone: "+14155550100",
      OwnerId: "00G000000000001EAA",
      VisitorName__c: "Grace Hopper",
    }),
  ]);
});

test("bad tokens, read-only tokens and bad queries get Salesforce's errors", async () => {
  await expect(connect("crw_wrong").query("SELECT Id FROM ContactRequest")).rejects.toMatchObject({ errorCode: "INVALID_SESSION_ID" });
  await expect(connect(process.env.CRW_READ_TOKEN!).sobject("ContactRequest").create({ RequestReason: "Other" })).rejects.toMatchObject({
    errorCode: "INSUFFICIENT_ACCESS_OR_READONLY",
  });
  await expect(connect().query("SELECT Nope FROM ContactRequest")).rejects.toMatchObject({ errorCode: "INVALID_FIELD" });
  // EngagementInteraction's picklists are restricted, as its reference says; ContactRequest's are not.
  await expect(
    connect().sobject("EngagementInteraction").create({ CommunicationChannel: "Carrier Pigeon", StartDateTime: "2024-05-01T09:00:00Z" }),
  ).rejects.toMatchObject({ errorCode: "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST" });
});

test("EngagementInteraction and CallCenter are objects jsforce describes, writes and reads", async () => {
  const conn = connect();
  const interactions = conn.sobject("EngagementInteraction");
  const created = await interactions.create({
    CommunicationChannel: "Voice Call",
    Type: "Outbound",
    Status: "Completed",
    StartDateTime: "2024-05-01T09:00:00Z",
    EndDateTime: "2024-05-01T09:04:10Z",
    IsAttendeeVerified: true,
    PhoneNumber: "+18445791189",
  });
  expect(created.success).toBe(true);
  const record = await interactions.retrieve(created.id!);
  expect(record).toMatchObject({ Duration: "0:04:10", MappedState: "Completed", IsAttendeeVerified: true });
  expect(record.AttendeeVerificationTime).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  const describe = await interactions.describe();
  expect(describe.fields.find((f) => f.name === "MappedState")!.picklistValues.map((p) => p.value)).toEqual(["Completed", "InProgress", "New"]);
  expect(describe.fields.find((f) => f.name === "Duration")!.updateable).toBe(false);

  const centers = await conn.sobject("CallCenter").describe();
  // Created and updated through the API (by admins), never deleted, as Salesforce's CallCenter.
  expect(centers.createable).toBe(true);
  expect(centers.deletable).toBe(false);
  expect(centers.fields.map((f) => f.name)).toContain("InternalName");
  const numbers = await conn.sobject("AdditionalNumber").describe();
  expect(numbers.keyPrefix).toBe("04m");
  expect(numbers.fields.map((f) => f.name)).toEqual(expect.arrayContaining(["CallCenterId", "Description", "Name", "Phone"]));
  const listed = await conn.query("SELECT Id, Name FROM CallCenter");
  expect(listed.done).toBe(true);
});

test("at jsforce's default API version EngagementInteraction and IsCallback do not exist yet, as in Salesforce", async () => {
  const old = new Connection({ instanceUrl: apiUrl(), accessToken: process.env.CRW_API_TOKEN! });
  expect(Number(old.version)).toBeLessThan(55);
  const global = await old.describeGlobal();
  expect(global.sobjects.map((o) => o.name)).toContain("ContactRequest");
  expect(global.sobjects.map((o) => o.name)).not.toContain("EngagementInteraction");
  await expect(old.query("SELECT Id FROM EngagementInteraction")).rejects.toMatchObject({ errorCode: "INVALID_TYPE" });
  await expect(old.query("SELECT Id, IsCallback FROM ContactRequest")).rejects.toMatchObject({ errorCode: "INVALID_FIELD" });
  const fields = (await old.sobject("ContactRequest").describe()).fields.map((f) => f.name);
  expect(fields).toContain("RequestReason");
  expect(fields).not.toContain("IsCallback");
  const now = connect();
  expect((await now.sobject("ContactRequest").describe()).fields.map((f) => f.name)).toEqual(
    expect.arrayContaining(["IsCallback", "AvailableCallbackAttempts", "DelayBetweenCallbackAttempts"]),
  );
});

test("conn.search finds requests with SOSL and answers only what the search returns", async () => {
  const conn = connect();
  const word = tag("sosl").replace(/-/g, "x");
  const made = await conn.sobject("ContactRequest").create({ RequestReason: "Billing", RequestDescription: `Refund ${word} please`, VisitorEmail__c: "sosl@example.com" });
  expect(made.success).toBe(true);
  const found = await conn.search(`FIND {${word.toUpperCase()}} IN ALL FIELDS RETURNING ContactRequest(Id, RequestDescription), EngagementInteraction`);
  expect(found.searchRecords).toHaveLength(1);
  expect(found.searchRecords[0]).toMatchObject({ Id: made.id, RequestDescription: `Refund ${word} please`, attributes: { type: "ContactRequest" } });
  const phrase = await conn.search(`FIND {"please ${word}"} RETURNING ContactRequest`);
  expect(phrase.searchRecords).toHaveLength(0);
  const prefix = await conn.search(`FIND {${word.slice(0, 8)}*} RETURNING ContactRequest(Id WHERE RequestReason = 'Billing')`);
  expect(prefix.searchRecords.map((r) => r.Id)).toContain(made.id);
  await expect(conn.search("FIND {x}")).rejects.toMatchObject({ errorCode: "MALFORMED_SEARCH" });
  await expect(conn.search(`FIND {${word}} RETURNING CallCenter`)).rejects.toMatchObject({ errorCode: "INVALID_TYPE" });
});

test("a manual share made with jsforce lets a representative read a request, not change it, until it is deleted", async () => {
  const admin = connect();
  const rep = connect(process.env.CRW_REP_TOKEN!);
  const made = await admin.sobject("ContactRequest").create({ RequestReason: "Billing", RequestDescription: tag("shared") });
  expect(made.success).toBe(true);
  await expect(rep.sobject("ContactRequest").retrieve(made.id!)).rejects.toMatchObject({ errorCode: "NOT_FOUND" });
  const share = await admin.sobject("ContactRequestShare").create({ ParentId: made.id, UserOrGroupId: process.env.CRW_REP_ID, AccessLevel: "Read" });
  expect(share.success).toBe(true);
  const read = await rep.sobject("ContactRequest").retrieve(made.id!);
  expect(read.Id).toBe(made.id);
  const listed = await rep.query<{ Id: string; AccessLevel: string; RowCause: string }>(
    `SELECT Id, AccessLevel, RowCause FROM ContactRequestShare WHERE ParentId = '${made.id}'`,
  );
  expect(listed.records).toMatchObject([{ Id: share.id, AccessLevel: "Read", RowCause: "Manual" }]);
  await expect(rep.sobject("ContactRequest").update({ Id: made.id!, Status: "Attempted" })).rejects.toMatchObject({
    errorCode: "INSUFFICIENT_ACCESS_OR_READONLY",
  });
  await admin.sobject("ContactRequestShare").destroy(share.id!);
  await expect(rep.sobject("ContactRequest").retrieve(made.id!)).rejects.toMatchObject({ errorCode: "NOT_FOUND" });
});
