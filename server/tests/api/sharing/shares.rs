//! Manual shares (ContactRequestShare), owner sharing rules (ContactRequestOwnerSharingRule) and the
//! organisation-wide default, over every path a representative reads and changes a request through.

use contact_server::access::sharing;
use contact_shared::console::Role;
use serde_json::{Value, json};

use super::support::{Member, Team, code, member};
use crate::support::TestResponse;

const WINDOW: &str = "start=2000-01-01T00:00:00%2B00:00&end=2100-01-01T00:00:00%2B00:00";

/// The team, with a third queue (Claims) whose representative Cal owns a request, and Bob's view of
/// five requests: his own, one Ann shares with him at Read, one she shares at Edit, Cal's (which a rule
/// shares with Bob's queue at Edit) and Billing's, shared with him by nothing.
struct Shared {
    t: Team,
    cal: Member,
    claims: String,
    owned: String,
    read: String,
    edit: String,
    ruled: String,
    hidden: String,
}

async fn share(t: &Team, who: &Member, parent: &str, with: &str, level: &str) -> TestResponse {
    t.api(
        who,
        "POST",
        "/sobjects/ContactRequestShare",
        Some(json!({ "ParentId": parent, "UserOrGroupId": with, "AccessLevel": level })),
    )
    .await
}

async fn rule(t: &Team, who: &Member, from: &str, to: &str, level: &str) -> TestResponse {
    t.api(
        who,
        "POST",
        "/sobjects/ContactRequestOwnerSharingRule",
        Some(json!({
            "Name": "Claims to Support",
            "GroupId": from,
            "UserOrGroupId": to,
            "AccessLevel": level,
        })),
    )
    .await
}

async fn shared() -> Shared {
    let t = Team::new().await;
    let claims = contact_server::access::directory::add_queue(&t.app.store, "Claims".into(), false)
        .await
        .unwrap()
        .id;
    let cal = member(&t.app, "cal", Role::Representative, Some("Claims")).await;
    let edit = t.request_for(&t.ann.id).await;
    let ruled = t.request_for(&cal.id).await;
    let made = share(&t, &t.ann, &t.of_ann, &t.bob.id, "Read").await;
    assert_eq!(made.status, 201, "{}", made.body);
    let made = share(&t, &t.ann, &edit, &t.bob.id, "Edit").await;
    assert_eq!(made.status, 201, "{}", made.body);
    let made = rule(&t, &t.ada, &claims, &t.support, "Edit").await;
    assert_eq!(made.status, 201, "{}", made.body);
    let (owned, read, hidden) = (t.of_bob.clone(), t.of_ann.clone(), t.of_billing.clone());
    for id in [&owned, &read, &edit, &ruled, &hidden] {
        let tagged = t
            .api(
                &t.ada,
                "PATCH",
                &format!("/sobjects/ContactRequest/{id}"),
                Some(json!({ "RequestDescription": "Refund wanted" })),
            )
            .await;
        assert_eq!(tagged.status, 204, "{}", tagged.body);
    }
    Shared {
        t,
        cal,
        claims,
        owned,
        read,
        edit,
        ruled,
        hidden,
    }
}

/// The ids an answer lists at `pointer` (each an object with `key`, or the id itself).
fn listed(body: &Value, pointer: &str, key: &str) -> Vec<String> {
    body.pointer(pointer)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("no {pointer} in {body}"))
        .iter()
        .map(|item| item.get(key).unwrap_or(item).as_str().unwrap().to_owned())
        .collect()
}

async fn retrieve(t: &Team, who: &Member, id: &str) -> TestResponse {
    t.api(who, "GET", &format!("/sobjects/ContactRequest/{id}"), None)
        .await
}

#[tokio::test]
async fn every_path_gives_bob_exactly_what_owning_sharing_and_rules_give_him() {
    let s = shared().await;
    let t = &s.t;
    // (what gives Bob access, the request, whether he reads it, whether he edits it)
    let table = [
        ("he owns it", &s.owned, true, true),
        ("a manual share at Read", &s.read, true, false),
        ("a manual share at Edit", &s.edit, true, true),
        (
            "a rule sharing Claims' requests with Support at Edit",
            &s.ruled,
            true,
            true,
        ),
        ("nothing", &s.hidden, false, false),
    ];
    let searched = t
        .api(
            &t.bob,
            "GET",
            "/search/?q=FIND+%7Brefund%7D+RETURNING+ContactRequest(Id)",
            None,
        )
        .await;
    assert_eq!(searched.status, 200, "{}", searched.body);
    let found = listed(&searched.body, "/searchRecords", "Id");
    let updated = t
        .api(
            &t.bob,
            "GET",
            &format!("/sobjects/ContactRequest/updated/?{WINDOW}"),
            None,
        )
        .await;
    let replicated = listed(&updated.body, "/ids", "id");
    for (why, id, reads, edits) in table {
        let read = retrieve(t, &t.bob, id).await;
        assert_eq!(
            read.status,
            if reads { 200 } else { 404 },
            "retrieve, {why}: {}",
            read.body
        );
        let queried = t
            .ids(
                &t.bob,
                &format!("SELECT Id FROM ContactRequest WHERE Id = '{id}'"),
            )
            .await;
        assert_eq!(queried.len(), usize::from(reads), "SOQL, {why}");
        assert_eq!(found.contains(id), reads, "SOSL, {why}");
        assert_eq!(replicated.contains(id), reads, "getUpdated, {why}");
        let changed = t
            .api(
                &t.bob,
                "PATCH",
                &format!("/sobjects/ContactRequest/{id}"),
                Some(json!({ "RequestDescription": "Called back" })),
            )
            .await;
        let expected = match (reads, edits) {
            (_, true) => 204,
            (true, false) => 403,
            (false, _) => 404,
        };
        assert_eq!(changed.status, expected, "update, {why}: {}", changed.body);
        if expected == 403 {
            assert_eq!(code(&changed), "INSUFFICIENT_ACCESS_OR_READONLY", "{why}");
        }
        let after = retrieve(t, &t.ada, id).await;
        let description = if edits {
            "Called back"
        } else {
            "Refund wanted"
        };
        assert_eq!(after.body["RequestDescription"], description, "{why}");
    }
    for (_, id, ..) in table {
        let deleted = t
            .api(
                &t.sue,
                "DELETE",
                &format!("/sobjects/ContactRequest/{id}"),
                None,
            )
            .await;
        assert_eq!(deleted.status, 204, "{}", deleted.body);
    }
    let deleted = t
        .api(
            &t.bob,
            "GET",
            &format!("/sobjects/ContactRequest/deleted/?{WINDOW}"),
            None,
        )
        .await;
    let gone = listed(&deleted.body, "/deletedRecords", "id");
    for (why, id, reads, _) in table {
        assert_eq!(gone.contains(id), reads, "getDeleted, {why}");
    }
}

#[tokio::test]
async fn only_the_owner_a_supervisor_or_an_admin_shares_and_a_removed_share_takes_access_at_once() {
    let s = shared().await;
    let t = &s.t;
    let table = [
        (&t.bob, &t.of_ann, 400, "another's request"),
        (
            &t.bob,
            &t.of_support,
            400,
            "his queue's request: the queue owns it",
        ),
        (&t.bob, &t.of_bob, 201, "his own"),
        (&t.sue, &t.of_billing, 201, "a supervisor: any"),
    ];
    for (who, parent, status, why) in table {
        let made = share(t, who, parent, &s.cal.id, "Read").await;
        assert_eq!(made.status, status, "{why}: {}", made.body);
        if status == 400 {
            assert_eq!(
                code(&made),
                "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
                "{why}"
            );
        }
    }
    let shares = t
        .ids(
            &t.bob,
            &format!(
                "SELECT Id FROM ContactRequestShare WHERE ParentId = '{}' AND UserOrGroupId = '{}'",
                s.read, t.bob.id
            ),
        )
        .await;
    assert_eq!(shares.len(), 1, "Bob sees the share of what he reads");
    let path = format!("/sobjects/ContactRequestShare/{}", shares[0]);
    let refused = t.api(&t.bob, "DELETE", &path, None).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(code(&refused), "INSUFFICIENT_ACCESS_OR_READONLY");
    let hidden = t.api(&s.cal, "GET", &path, None).await;
    assert_eq!(
        hidden.status, 404,
        "Cal does not see the request, nor its shares"
    );
    assert_eq!(retrieve(t, &t.bob, &s.read).await.status, 200);
    let removed = t.api(&t.ann, "DELETE", &path, None).await;
    assert_eq!(removed.status, 204, "{}", removed.body);
    assert_eq!(retrieve(t, &t.bob, &s.read).await.status, 404, "at once");
    let queried = t
        .ids(
            &t.bob,
            &format!("SELECT Id FROM ContactRequest WHERE Id = '{}'", s.read),
        )
        .await;
    assert!(queried.is_empty());
}

#[tokio::test]
async fn a_share_gives_only_read_or_edit_above_the_default_and_repeating_one_changes_it() {
    let s = shared().await;
    let t = &s.t;
    let table = [
        (
            json!({ "AccessLevel": "All" }),
            "FIELD_INTEGRITY_EXCEPTION",
            "All: the owner's",
        ),
        (
            json!({ "AccessLevel": "Owner" }),
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            "no such level",
        ),
        (
            json!({ "AccessLevel": "Read", "RowCause": "Rule" }),
            "FIELD_INTEGRITY_EXCEPTION",
            "only Manual",
        ),
        (json!({}), "REQUIRED_FIELD_MISSING", "no level"),
    ];
    for (extra, expected, why) in table {
        let mut body = json!({ "ParentId": t.of_ann, "UserOrGroupId": s.cal.id });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let refused = t
            .api(&t.ann, "POST", "/sobjects/ContactRequestShare", Some(body))
            .await;
        assert_eq!(refused.status, 400, "{why}: {}", refused.body);
        assert_eq!(code(&refused), expected, "{why}");
    }
    let again = share(t, &t.ann, &s.read, &t.bob.id, "Edit").await;
    assert_eq!(again.status, 201, "{}", again.body);
    let levels = t
        .api(
            &t.ann,
            "GET",
            &crate::sobjects::support::query_path(&format!(
                "SELECT Id, AccessLevel, RowCause FROM ContactRequestShare WHERE ParentId = '{}'",
                s.read
            )),
            None,
        )
        .await;
    assert_eq!(
        levels.body["totalSize"], 1,
        "changed, not added: {}",
        levels.body
    );
    assert_eq!(levels.body["records"][0]["Id"], again.body["id"]);
    assert_eq!(levels.body["records"][0]["AccessLevel"], "Edit");
    assert_eq!(levels.body["records"][0]["RowCause"], "Manual");

    sharing::set_default(&t.app.store, "Read").await.unwrap();
    let refused = share(t, &t.ann, &t.of_ann, &s.cal.id, "Read").await;
    assert_eq!(
        code(&refused),
        "FIELD_INTEGRITY_EXCEPTION",
        "Read gives nothing now"
    );
    assert_eq!(
        retrieve(t, &s.cal, &s.hidden).await.status,
        200,
        "Public Read Only"
    );
    let change = Some(json!({ "RequestDescription": "Mine now" }));
    let path = format!("/sobjects/ContactRequest/{}", s.hidden);
    let read_only = t.api(&s.cal, "PATCH", &path, change.clone()).await;
    assert_eq!(read_only.status, 403, "{}", read_only.body);
    sharing::set_default(&t.app.store, "Edit").await.unwrap();
    let writable = t.api(&s.cal, "PATCH", &path, change).await;
    assert_eq!(writable.status, 204, "Public Read/Write: {}", writable.body);
}

#[tokio::test]
async fn sharing_rules_are_managed_by_admins_and_apply_at_once() {
    let s = shared().await;
    let t = &s.t;
    for who in [&t.bob, &t.sue] {
        let refused = rule(t, who, &s.claims, &t.ann.id, "Read").await;
        assert_eq!(refused.status, 403, "{}", refused.body);
        assert_eq!(code(&refused), "INSUFFICIENT_ACCESS_OR_READONLY");
    }
    assert_eq!(retrieve(t, &t.ann, &s.ruled).await.status, 404);
    let routable = format!("/services/apexrest/callbacks/routable?owner={}", s.claims);
    let routed = t.send(Some(&t.ann), "GET", &routable, None).await;
    assert_eq!(routed.status, 403, "{}", routed.body);

    let made = rule(t, &t.ada, &s.claims, &t.ann.id, "Read").await;
    assert_eq!(made.status, 201, "{}", made.body);
    let id = made.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        retrieve(t, &t.ann, &s.ruled).await.status,
        200,
        "Cal's, a member's"
    );
    let queue_owned = t.request_for(&s.claims).await;
    assert_eq!(
        retrieve(t, &t.ann, &queue_owned).await.status,
        200,
        "the queue's own"
    );
    let routed = t.send(Some(&t.ann), "GET", &routable, None).await;
    assert_eq!(routed.status, 200, "{}", routed.body);
    assert_eq!(
        listed(&routed.body, "/records", "Id"),
        vec![queue_owned.clone()]
    );
    let change = Some(json!({ "RequestDescription": "Read only" }));
    let path = format!("/sobjects/ContactRequest/{}", s.ruled);
    let read_only = t.api(&t.ann, "PATCH", &path, change).await;
    assert_eq!(read_only.status, 403, "a rule at Read: {}", read_only.body);

    let rules = t
        .ids(
            &t.ada,
            "SELECT Id FROM ContactRequestOwnerSharingRule WHERE AccessLevel = 'Read'",
        )
        .await;
    assert_eq!(rules, vec![id.clone()]);
    let named = t
        .api(
            &t.ada,
            "GET",
            &format!("/sobjects/ContactRequestOwnerSharingRule/{id}"),
            None,
        )
        .await;
    let developer = named.body["DeveloperName"].as_str().unwrap_or_default();
    assert!(
        developer.starts_with("Claims_to_Support_"),
        "the label's name is taken: {developer}"
    );
    let path = format!("/sobjects/ContactRequestOwnerSharingRule/{id}");
    let widened = Some(json!({ "AccessLevel": "Edit" }));
    let refused = t.api(&t.sue, "PATCH", &path, widened.clone()).await;
    assert_eq!(
        refused.status, 403,
        "a supervisor changes no rule: {}",
        refused.body
    );
    let refused = t.api(&t.sue, "DELETE", &path, None).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let widened = t.api(&t.ada, "PATCH", &path, widened).await;
    assert_eq!(widened.status, 204, "{}", widened.body);
    let changed = Some(json!({ "RequestDescription": "Edited" }));
    let edited = t
        .api(
            &t.ann,
            "PATCH",
            &format!("/sobjects/ContactRequest/{}", s.ruled),
            changed,
        )
        .await;
    assert_eq!(
        edited.status, 204,
        "the rule at Edit, at once: {}",
        edited.body
    );
    let removed = t.api(&t.ada, "DELETE", &path, None).await;
    assert_eq!(removed.status, 204, "{}", removed.body);
    assert_eq!(retrieve(t, &t.ann, &s.ruled).await.status, 404, "at once");
    let routed = t.send(Some(&t.ann), "GET", &routable, None).await;
    assert_eq!(routed.status, 403, "{}", routed.body);
}

#[tokio::test]
async fn shares_and_rules_are_described_with_their_reference_fields() {
    let s = shared().await;
    let t = &s.t;
    let table = [
        (
            "ContactRequestShare",
            &[
                "Id",
                "ParentId",
                "UserOrGroupId",
                "AccessLevel",
                "RowCause",
                "IsDeleted",
            ][..],
        ),
        (
            "ContactRequestOwnerSharingRule",
            &[
                "Id",
                "Name",
                "DeveloperName",
                "Description",
                "GroupId",
                "UserOrGroupId",
                "AccessLevel",
            ][..],
        ),
    ];
    for (object, fields) in table {
        let described = t
            .api(&t.bob, "GET", &format!("/sobjects/{object}/describe"), None)
            .await;
        assert_eq!(described.status, 200, "{object}: {}", described.body);
        let names = listed(&described.body, "/fields", "name");
        for field in fields {
            assert!(
                names.iter().any(|n| n == field),
                "{object}.{field} in {names:?}"
            );
        }
        let basic = t
            .api(&t.bob, "GET", &format!("/sobjects/{object}"), None)
            .await;
        assert_eq!(basic.status, 200, "{object}: {}", basic.body);
    }
    let levels = t
        .api(
            &t.bob,
            "GET",
            "/sobjects/ContactRequestShare/describe",
            None,
        )
        .await;
    let access = levels.body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "AccessLevel")
        .unwrap();
    let values: Vec<&str> = access["picklistValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["Read", "Edit", "All"]);
}

#[tokio::test]
async fn a_task_follows_its_request_at_the_level_it_is_shared() {
    let s = shared().await;
    let t = &s.t;
    let mut tasks = Vec::new();
    for request in [&s.read, &s.edit, &s.hidden] {
        let logged = json!({ "WhatId": request, "Subject": "Called" });
        let made = t.api(&t.ada, "POST", "/sobjects/Task", Some(logged)).await;
        assert_eq!(made.status, 201, "{}", made.body);
        tasks.push(made.body["id"].as_str().unwrap().to_owned());
    }
    let seen = t.ids(&t.bob, "SELECT Id FROM Task").await;
    let mut expected = vec![tasks[0].clone(), tasks[1].clone()];
    expected.sort();
    assert_eq!(seen, expected, "the tasks of the requests shared with him");
    let table = [
        (&tasks[0], 403, "Read"),
        (&tasks[1], 204, "Edit"),
        (&tasks[2], 404, "none"),
    ];
    for (task, status, why) in table {
        let changed = t
            .api(
                &t.bob,
                "PATCH",
                &format!("/sobjects/Task/{task}"),
                Some(json!({ "Subject": "Called again" })),
            )
            .await;
        assert_eq!(changed.status, status, "a share at {why}: {}", changed.body);
    }
    let logged = json!({ "WhatId": s.read, "Subject": "Noted" });
    let made = t.api(&t.bob, "POST", "/sobjects/Task", Some(logged)).await;
    assert_eq!(
        made.status, 201,
        "a call logged on a request he reads: {}",
        made.body
    );
}

#[tokio::test]
async fn an_open_query_loses_a_removed_share_on_its_next_page_and_gains_nothing_added() {
    let t = Team::new().await;
    let requests: Vec<String> = (0..300)
        .map(|_| contact_server::ids::new_id(contact_server::ids::CONTACT_REQUEST_PREFIX))
        .collect();
    let at = "2024-05-01T00:00:00.000Z";
    let shares: Vec<String> = (0..300)
        .map(|_| contact_server::ids::new_id(contact_server::ids::CONTACT_REQUEST_SHARE_PREFIX))
        .collect();
    for (requests, shares) in requests.chunks(100).zip(shares.chunks(100)) {
        let rows = |first: usize, each: &dyn Fn(usize) -> String| -> String {
            (0..requests.len())
                .map(|i| each(first + i))
                .collect::<Vec<_>>()
                .join(", ")
        };
        // ?1 the owner (Bob), ?2 the instant; then the ids.
        let mut params: Vec<&str> = vec![&t.bob.id, at];
        params.extend(requests.iter().map(String::as_str));
        let made = rows(3, &|i| format!("(?{i}, ?1, 'Visitor', ?2, ?2)"));
        t.app
            .run(
                &format!(
                    "INSERT INTO contact_requests (id, owner_id, visitor_name, created_at, updated_at) \
                     VALUES {made}"
                ),
                &params,
            )
            .await;
        // ?1 the owner, ?2 the grantee (Ann), ?3 the instant; then the requests' ids, then the shares'.
        let mut params: Vec<&str> = vec![&t.bob.id, &t.ann.id, at];
        params.extend(requests.iter().map(String::as_str));
        params.extend(shares.iter().map(String::as_str));
        let n = requests.len();
        let shared = rows(4, &|i| {
            format!("(?{}, ?{i}, ?2, 'Read', ?1, ?3, ?3, ?3, ?1, ?1)", i + n)
        });
        t.app
            .run(
                &format!(
                    "INSERT INTO contact_request_shares (id, parent_id, user_or_group_id, access_level, \
                     owner_id, created_at, updated_at, system_modstamp, created_by_id, \
                     last_modified_by_id) VALUES {shared}"
                ),
                &params,
            )
            .await;
    }
    let first = t
        .app
        .call(
            crate::support::call(
                "GET",
                &format!(
                    "{}{}",
                    super::support::BASE,
                    crate::sobjects::support::query_path("SELECT Id, OwnerId FROM ContactRequest")
                ),
            )
            .bearer(&t.ann.token)
            .header("Sforce-Query-Options", "batchSize=200"),
        )
        .await;
    assert_eq!(first.body["totalSize"], 302, "her two and the 300 shared");
    // Between pages Bob takes his shares back, and a rule gives Ann Support's requests: the next page
    // shows no request shared no more, and nothing the first page could not have shown.
    t.app
        .run("UPDATE contact_request_shares SET is_deleted = 1", &[])
        .await;
    let made = rule(&t, &t.ada, &t.support, &t.ann.id, "Read").await;
    assert_eq!(made.status, 201, "{}", made.body);
    let mut page = first.body;
    while let Some(next) = page["nextRecordsUrl"].as_str().map(str::to_owned) {
        page = t.send(Some(&t.ann), "GET", &next, None).await.body;
        for record in page["records"].as_array().unwrap() {
            let owner = record["OwnerId"].as_str().unwrap();
            assert!(
                owner == t.billing || owner == t.ann.id,
                "a record of {owner}"
            );
        }
    }
    let fresh = t.ids(&t.ann, "SELECT Id FROM ContactRequest").await;
    assert_eq!(
        fresh.len(),
        2 + 2 + 300,
        "a new query: hers, and by the rule Support's and its members' (Bob's)"
    );
}

#[tokio::test]
async fn bad_shares_and_rules_are_refused_in_salesforces_shape_and_store_nothing() {
    let s = shared().await;
    let t = &s.t;
    let nobody = contact_server::ids::new_id(contact_server::ids::USER_PREFIX);
    let no_request = contact_server::ids::new_id(contact_server::ids::CONTACT_REQUEST_PREFIX);
    let share = |body: Value| ("ContactRequestShare", body);
    let rule = |body: Value| ("ContactRequestOwnerSharingRule", body);
    let table = [
        (
            share(
                json!({ "ParentId": no_request, "UserOrGroupId": s.cal.id, "AccessLevel": "Read" }),
            ),
            "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
            "a request that does not exist",
        ),
        (
            share(json!({ "ParentId": t.of_ann, "UserOrGroupId": nobody, "AccessLevel": "Read" })),
            "INVALID_CROSS_REFERENCE_KEY",
            "a user who does not exist",
        ),
        (
            share(
                json!({ "ParentId": s.cal.id, "UserOrGroupId": t.bob.id, "AccessLevel": "Read" }),
            ),
            "FIELD_INTEGRITY_EXCEPTION",
            "a user where a request is expected",
        ),
        (
            rule(
                json!({ "Name": "R", "GroupId": t.ann.id, "UserOrGroupId": t.bob.id, "AccessLevel": "Read" }),
            ),
            "FIELD_INTEGRITY_EXCEPTION",
            "a user where a group is expected",
        ),
        (
            rule(
                json!({ "Name": "R", "GroupId": s.claims, "UserOrGroupId": t.bob.id, "AccessLevel": "All" }),
            ),
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            "All: no rule gives the owner's access",
        ),
        (
            rule(json!({ "GroupId": s.claims, "UserOrGroupId": t.bob.id, "AccessLevel": "Read" })),
            "REQUIRED_FIELD_MISSING",
            "no Name",
        ),
        (
            rule(json!({
                "Name": "R", "DeveloperName": "Claims_to_Support", "GroupId": s.claims,
                "UserOrGroupId": t.bob.id, "AccessLevel": "Read",
            })),
            "DUPLICATE_VALUE",
            "a DeveloperName taken",
        ),
    ];
    let count = |object: &'static str| async move {
        t.ids(&t.ada, &format!("SELECT Id FROM {object}"))
            .await
            .len()
    };
    let before = (
        count("ContactRequestShare").await,
        count("ContactRequestOwnerSharingRule").await,
    );
    for ((object, body), expected, why) in table {
        let refused = t
            .api(&t.ada, "POST", &format!("/sobjects/{object}"), Some(body))
            .await;
        assert_eq!(refused.status, 400, "{why}: {}", refused.body);
        assert_eq!(code(&refused), expected, "{why}: {}", refused.body);
    }
    let after = (
        count("ContactRequestShare").await,
        count("ContactRequestOwnerSharingRule").await,
    );
    assert_eq!(after, before, "nothing stored");
    let share_id = t.ids(&t.ada, "SELECT Id FROM ContactRequestShare").await[0].clone();
    let moved = t
        .api(
            &t.ada,
            "PATCH",
            &format!("/sobjects/ContactRequestShare/{share_id}"),
            Some(json!({ "ParentId": t.of_billing })),
        )
        .await;
    assert_eq!(
        code(&moved),
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        "a share names one request for good"
    );
}
