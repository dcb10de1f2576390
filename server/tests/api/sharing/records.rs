//! Who sees and changes which request through the Salesforce-compatible API and the callback routes.

use serde_json::json;

use super::support::{Team, code, sorted};

#[tokio::test]
async fn each_role_queries_exactly_the_requests_it_may_see() {
    let t = Team::new().await;
    let table = [
        (
            &t.ann,
            sorted(&[&t.of_billing, &t.of_ann]),
            "Ann: her queue's and her own",
        ),
        (
            &t.bob,
            sorted(&[&t.of_support, &t.of_bob]),
            "Bob: his queue's and his own",
        ),
        (
            &t.sue,
            sorted(&[&t.of_billing, &t.of_support, &t.of_ann, &t.of_bob]),
            "the supervisor: all",
        ),
    ];
    for (who, expected, why) in table {
        assert_eq!(
            t.ids(who, "SELECT Id FROM ContactRequest").await,
            expected,
            "{why}"
        );
        let counted = t
            .api(
                who,
                "GET",
                &crate::sobjects::support::query_path("SELECT COUNT() FROM ContactRequest"),
                None,
            )
            .await;
        assert_eq!(
            counted.body["totalSize"],
            expected.len(),
            "{why}: {}",
            counted.body
        );
    }
}

/// A representative's aggregates count only the requests they may see, as their other queries do: per
/// owner, in all, and through queryAll.
#[tokio::test]
async fn each_role_aggregates_exactly_the_requests_it_may_see() {
    let t = Team::new().await;
    let table = [
        (
            &t.ann,
            vec![&t.billing, &t.ann.id],
            "Ann: her queue's and her own",
        ),
        (
            &t.bob,
            vec![&t.support, &t.bob.id],
            "Bob: his queue's and his own",
        ),
        (
            &t.sue,
            vec![&t.billing, &t.support, &t.ann.id, &t.bob.id],
            "the supervisor: all",
        ),
    ];
    for (who, owners, why) in table {
        for path in ["/query", "/queryAll"] {
            let soql = "SELECT OwnerId, COUNT(Id) FROM ContactRequest GROUP BY OwnerId";
            let grouped = t
                .api(
                    who,
                    "GET",
                    &crate::sobjects::support::query_path(soql).replacen("/query", path, 1),
                    None,
                )
                .await;
            assert_eq!(grouped.status, 200, "{why}: {}", grouped.body);
            let mut seen: Vec<(String, i64)> = grouped.body["records"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["OwnerId"].as_str().unwrap().to_owned(),
                        r["expr0"].as_i64().unwrap(),
                    )
                })
                .collect();
            seen.sort();
            let mut expected: Vec<(String, i64)> =
                owners.iter().map(|o| ((*o).clone(), 1)).collect();
            expected.sort();
            assert_eq!(seen, expected, "{why} ({path})");
        }
        let counted = t
            .api(
                who,
                "GET",
                &crate::sobjects::support::query_path(
                    "SELECT COUNT(Id) n, COUNT_DISTINCT(OwnerId) owners FROM ContactRequest",
                ),
                None,
            )
            .await;
        assert_eq!(counted.body["records"][0]["n"], owners.len(), "{why}");
        assert_eq!(counted.body["records"][0]["owners"], owners.len(), "{why}");
    }
}

#[tokio::test]
async fn a_request_the_caller_cannot_see_answers_as_one_that_does_not_exist() {
    let t = Team::new().await;
    let missing = contact_server::ids::new_id(contact_server::ids::CONTACT_REQUEST_PREFIX);
    let change = json!({ "RequestDescription": "changed" });
    let table = [
        ("GET", "", None, "retrieve"),
        ("PATCH", "", Some(change.clone()), "update"),
        ("DELETE", "", None, "delete"),
        ("POST", "/undelete", None, "undelete"),
    ];
    for (method, tail, body, why) in table {
        let hidden = t
            .api(
                &t.ann,
                method,
                &format!("/sobjects/ContactRequest/{}{tail}", t.of_support),
                body.clone(),
            )
            .await;
        let absent = t
            .api(
                &t.ann,
                method,
                &format!("/sobjects/ContactRequest/{missing}{tail}"),
                body,
            )
            .await;
        assert_eq!(hidden.status, 404, "{why}: {}", hidden.body);
        assert_eq!(
            hidden.body, absent.body,
            "{why}: the same answer as for no record"
        );
    }
    let by_id = t
        .api(
            &t.ann,
            "GET",
            &format!("/sobjects/ContactRequest/Id/{}", t.of_bob),
            None,
        )
        .await;
    assert_eq!(by_id.status, 404, "by an idLookup field: {}", by_id.body);
    let upsert = t
        .api(
            &t.ann,
            "PATCH",
            &format!("/sobjects/ContactRequest/Id/{}", t.of_bob),
            Some(change),
        )
        .await;
    assert_eq!(upsert.status, 404, "upsert by Id: {}", upsert.body);
    let untouched = t
        .api(
            &t.sue,
            "GET",
            &format!("/sobjects/ContactRequest/{}", t.of_support),
            None,
        )
        .await;
    assert_eq!(
        untouched.body["RequestDescription"],
        serde_json::Value::Null
    );
}

#[tokio::test]
async fn a_representative_reads_and_changes_their_queues_requests_and_their_own() {
    let t = Team::new().await;
    for id in [&t.of_billing, &t.of_ann] {
        let read = t
            .api(
                &t.ann,
                "GET",
                &format!("/sobjects/ContactRequest/{id}"),
                None,
            )
            .await;
        assert_eq!(read.status, 200, "{}", read.body);
        let changed = t
            .api(
                &t.ann,
                "PATCH",
                &format!("/sobjects/ContactRequest/{id}"),
                Some(json!({ "RequestDescription": "Called back" })),
            )
            .await;
        assert_eq!(changed.status, 204, "{}", changed.body);
    }
}

#[tokio::test]
async fn logging_a_call_on_a_request_the_caller_cannot_see_is_refused_as_salesforce_does() {
    let t = Team::new().await;
    let task = |what: &str| json!({ "WhatId": what, "CallType": "Outbound", "CallResult__c": "Not Reached" });
    let refused = t
        .api(&t.ann, "POST", "/sobjects/Task", Some(task(&t.of_support)))
        .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert_eq!(
        code(&refused),
        "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY"
    );
    assert_eq!(refused.body[0]["fields"], json!(["WhatId"]));
    let missing = contact_server::ids::new_id(contact_server::ids::CONTACT_REQUEST_PREFIX);
    let absent = t
        .api(&t.ann, "POST", "/sobjects/Task", Some(task(&missing)))
        .await;
    assert_eq!(
        code(&absent),
        "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
        "as for one that does not exist"
    );
    let logged = t
        .api(&t.ann, "POST", "/sobjects/Task", Some(task(&t.of_billing)))
        .await;
    assert_eq!(logged.status, 201, "{}", logged.body);
    let status = t
        .api(
            &t.ann,
            "GET",
            &format!("/sobjects/ContactRequest/{}?fields=Status", t.of_billing),
            None,
        )
        .await;
    assert_eq!(status.body["Status"], "Attempted");
}

#[tokio::test]
async fn tasks_and_interactions_follow_their_request() {
    let t = Team::new().await;
    let mut tasks = Vec::new();
    for request in [&t.of_billing, &t.of_support] {
        let reached =
            json!({ "WhatId": request, "CallType": "Outbound", "CallResult__c": "Reached" });
        let made = t.api(&t.ada, "POST", "/sobjects/Task", Some(reached)).await;
        assert_eq!(made.status, 201, "{}", made.body);
        tasks.push(made.body["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        t.ids(&t.ann, "SELECT Id FROM Task").await,
        vec![tasks[0].clone()]
    );
    assert_eq!(t.ids(&t.sue, "SELECT Id FROM Task").await.len(), 2);
    let hidden = t
        .api(&t.ann, "GET", &format!("/sobjects/Task/{}", tasks[1]), None)
        .await;
    assert_eq!(hidden.status, 404, "{}", hidden.body);
    let interactions = t.ids(&t.ann, "SELECT Id FROM EngagementInteraction").await;
    assert_eq!(
        interactions.len(),
        1,
        "only the interaction of her queue's request"
    );
    let all = t.ids(&t.sue, "SELECT Id FROM EngagementInteraction").await;
    assert_eq!(all.len(), 2);

    let own = t
        .api(
            &t.ann,
            "POST",
            "/sobjects/Task",
            Some(json!({ "Subject": "Read the manual" })),
        )
        .await;
    assert_eq!(own.status, 201, "{}", own.body);
    let own = own.body["id"].as_str().unwrap().to_owned();
    let path = format!("/sobjects/Task/{own}");
    assert_eq!(
        t.api(&t.ann, "GET", &path, None).await.status,
        200,
        "a task of no request follows its owner"
    );
    assert_eq!(t.api(&t.bob, "GET", &path, None).await.status, 404);
}

#[tokio::test]
async fn a_queue_member_claims_from_their_queue_and_returns_it() {
    let t = Team::new().await;
    let path = format!("/sobjects/ContactRequest/{}", t.of_billing);
    for owner in [&t.ann.id, &t.billing] {
        let moved = t
            .api(&t.ann, "PATCH", &path, Some(json!({ "OwnerId": owner })))
            .await;
        assert_eq!(moved.status, 204, "to {owner}: {}", moved.body);
        let read = t
            .api(&t.ann, "GET", &format!("{path}?fields=OwnerId"), None)
            .await;
        assert_eq!(&read.body["OwnerId"], owner);
    }
}

#[tokio::test]
async fn a_representative_cannot_give_a_request_to_another_person_or_queue() {
    let t = Team::new().await;
    let path = format!("/sobjects/ContactRequest/{}", t.of_ann);
    for (owner, why) in [
        (&t.bob.id, "another representative"),
        (&t.support, "a queue she is not in"),
    ] {
        let refused = t
            .api(&t.ann, "PATCH", &path, Some(json!({ "OwnerId": owner })))
            .await;
        assert_eq!(refused.status, 403, "{why}: {}", refused.body);
        assert_eq!(code(&refused), "INSUFFICIENT_ACCESS_OR_READONLY", "{why}");
        assert!(
            refused.body[0]["message"]
                .as_str()
                .unwrap()
                .contains(owner.as_str()),
            "{why}: says why"
        );
    }
    let made = t
        .api(
            &t.ann,
            "POST",
            "/sobjects/ContactRequest",
            Some(json!({ "OwnerId": t.bob.id })),
        )
        .await;
    assert_eq!(made.status, 403, "nor create one for him: {}", made.body);
}

#[tokio::test]
async fn a_supervisor_reassigns_any_request_to_anyone() {
    let t = Team::new().await;
    let path = format!("/sobjects/ContactRequest/{}", t.of_support);
    let moved = t
        .api(&t.sue, "PATCH", &path, Some(json!({ "OwnerId": t.ann.id })))
        .await;
    assert_eq!(moved.status, 204, "{}", moved.body);
    let now_hers = t.api(&t.ann, "GET", &path, None).await;
    assert_eq!(now_hers.status, 200, "Ann now sees it: {}", now_hers.body);
    let gone = t.api(&t.bob, "GET", &path, None).await;
    assert_eq!(gone.status, 404, "Bob no longer does");
}

#[tokio::test]
async fn only_supervisors_and_admins_delete_requests() {
    let t = Team::new().await;
    let path = format!("/sobjects/ContactRequest/{}", t.of_ann);
    let refused = t.api(&t.ann, "DELETE", &path, None).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(code(&refused), "INSUFFICIENT_ACCESS_OR_READONLY");
    let deleted = t.api(&t.sue, "DELETE", &path, None).await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
}

#[tokio::test]
async fn later_pages_never_show_more_than_the_first_query_may() {
    let t = Team::new().await;
    let (billing, support) = (t.billing.clone(), t.support.clone());
    let ids: Vec<String> = (0..500)
        .map(|_| contact_server::ids::new_id(contact_server::ids::CONTACT_REQUEST_PREFIX))
        .collect();
    let params: Vec<&str> = ids
        .iter()
        .enumerate()
        .flat_map(|(i, id)| [id.as_str(), if i % 2 == 0 { &billing } else { &support }])
        .collect();
    for chunk in params.chunks(400) {
        let rows: Vec<String> = (1..=chunk.len() / 2)
            .map(|i| {
                format!(
                    "(?{}, ?{}, 'Visitor', '2024-05-01T00:00:00.000Z', '2024-05-01T00:00:00.000Z')",
                    2 * i - 1,
                    2 * i
                )
            })
            .collect();
        t.app.run(
            &format!(
                "INSERT INTO contact_requests (id, owner_id, visitor_name, created_at, updated_at) VALUES {}",
                rows.join(", ")
            ),
            chunk,
        ).await;
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
    assert_eq!(first.body["totalSize"], 252, "{}", first.body["totalSize"]);
    assert!(
        first.body["nextRecordsUrl"].is_string(),
        "more than one page"
    );
    // Ann leaves Billing between pages: the cursor keeps what the first query saw, never more.
    contact_server::access::directory::set_membership(
        &t.app.store,
        "Billing".into(),
        t.ann.id.clone(),
        false,
    )
    .await
    .unwrap();
    let mut page = first.body;
    let mut seen = 0;
    loop {
        for record in page["records"].as_array().unwrap() {
            let owner = record["OwnerId"].as_str().unwrap();
            assert!(
                owner == t.billing || owner == t.ann.id,
                "a record of {owner}"
            );
            seen += 1;
        }
        let Some(next) = page["nextRecordsUrl"].as_str() else {
            break;
        };
        page = t.send(Some(&t.ann), "GET", next, None).await.body;
    }
    assert_eq!(seen, 252);
}

#[tokio::test]
async fn replication_lists_only_what_the_caller_sees() {
    let t = Team::new().await;
    let window = "start=2000-01-01T00:00:00%2B00:00&end=2100-01-01T00:00:00%2B00:00";
    let updated = t
        .api(
            &t.ann,
            "GET",
            &format!("/sobjects/ContactRequest/updated/?{window}"),
            None,
        )
        .await;
    let mut ids: Vec<String> = serde_json::from_value(updated.body["ids"].clone()).unwrap();
    ids.sort();
    assert_eq!(ids, sorted(&[&t.of_billing, &t.of_ann]));
    for id in [&t.of_billing, &t.of_support] {
        let deleted = t
            .api(
                &t.sue,
                "DELETE",
                &format!("/sobjects/ContactRequest/{id}"),
                None,
            )
            .await;
        assert_eq!(deleted.status, 204);
    }
    let deleted = t
        .api(
            &t.ann,
            "GET",
            &format!("/sobjects/ContactRequest/deleted/?{window}"),
            None,
        )
        .await;
    let records = deleted.body["deletedRecords"].as_array().unwrap();
    assert_eq!(records.len(), 1, "{}", deleted.body);
    assert_eq!(records[0]["id"], t.of_billing.as_str());
}

#[tokio::test]
async fn a_representative_routes_and_claims_only_for_themselves_and_their_queues() {
    let t = Team::new().await;
    let routable = |owner: &str| format!("/services/apexrest/callbacks/routable?owner={owner}");
    let theirs = t
        .send(Some(&t.ann), "GET", &routable(&t.billing), None)
        .await;
    assert_eq!(theirs.status, 200, "{}", theirs.body);
    assert_eq!(theirs.body["totalSize"], 1);
    let others = t
        .send(Some(&t.ann), "GET", &routable(&t.support), None)
        .await;
    assert_eq!(others.status, 403, "{}", others.body);
    assert_eq!(code(&others), "INSUFFICIENT_ACCESS_OR_READONLY");
    let supervised = t
        .send(Some(&t.sue), "GET", &routable(&t.support), None)
        .await;
    assert_eq!(supervised.body["totalSize"], 1, "{}", supervised.body);

    let claim = |id: &str| format!("/services/apexrest/callbacks/{id}/claim");
    let hidden = t
        .send(Some(&t.ann), "POST", &claim(&t.of_support), None)
        .await;
    assert_eq!(
        hidden.status, 404,
        "another queue's request: {}",
        hidden.body
    );
    let won = t
        .send(Some(&t.ann), "POST", &claim(&t.of_billing), None)
        .await;
    assert_eq!(won.status, 200, "{}", won.body);
    assert_eq!(won.body["OwnerId"], t.ann.id.as_str());
}

#[tokio::test]
async fn releasing_bookings_in_bulk_is_for_supervisors_and_admins() {
    let t = Team::new().await;
    let body = json!({ "ids": [t.of_billing] });
    let refused = t
        .send(
            Some(&t.ann),
            "POST",
            "/services/apexrest/callbacks/release",
            Some(body.clone()),
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let released = t
        .send(
            Some(&t.sue),
            "POST",
            "/services/apexrest/callbacks/release",
            Some(body),
        )
        .await;
    assert_eq!(released.status, 200, "{}", released.body);
}

#[tokio::test]
async fn recently_viewed_lists_only_what_the_caller_still_sees() {
    let t = Team::new().await;
    let viewed = t
        .ids(&t.ann, "SELECT Id FROM ContactRequest FOR VIEW")
        .await;
    assert_eq!(viewed.len(), 2);
    assert_eq!(recent(&t).await, sorted(&[&t.of_billing, &t.of_ann]));
    let moved = t
        .api(
            &t.sue,
            "PATCH",
            &format!("/sobjects/ContactRequest/{}", t.of_billing),
            Some(json!({ "OwnerId": t.bob.id })),
        )
        .await;
    assert_eq!(moved.status, 204);
    assert_eq!(
        recent(&t).await,
        vec![t.of_ann.clone()],
        "reassigned away, it is gone"
    );
}

/// The ids of Ann's recently viewed requests.
async fn recent(t: &Team) -> Vec<String> {
    let answer = t
        .api(&t.ann, "GET", "/sobjects/ContactRequest/", None)
        .await;
    let mut ids: Vec<String> = answer.body["recentItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}
