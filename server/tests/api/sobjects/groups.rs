//! SOQL's aggregate queries: GROUP BY, COUNT, COUNT_DISTINCT, MIN, MAX, SUM, AVG, aliases and the
//! default `exprN` names, HAVING, ORDER BY an aggregate and LIMIT, answered as `AggregateResult` records;
//! text grouped without regard to case the same way on both engines.

use serde_json::{Value, json};

use super::support::{Api, code};

/// Five requests: three visitors spelling one name three ways and two another two ways, with 1, 2, 3,
/// 4 and 6 call attempts.
async fn visitors() -> Api {
    let api = Api::new().await;
    for (name, attempts) in [
        ("zoë smith", 1),
        ("ZOË SMITH", 2),
        ("Zoë Smith", 3),
        ("ann", 4),
        ("Ann", 6),
    ] {
        let id = api
            .create(json!({ "VisitorName__c": name, "PreferredPhone": "+14155550100" }))
            .await;
        api.app
            .run(
                &format!("UPDATE contact_requests SET call_attempts = {attempts} WHERE id = ?1"),
                &[&id],
            )
            .await;
    }
    api
}

/// The records of a query that must succeed.
async fn records(api: &Api, soql: &str) -> Vec<Value> {
    let answer = api.query(soql).await;
    assert_eq!(answer.status, 200, "{soql}: {}", answer.body);
    assert_eq!(answer.body["done"], true, "{}", answer.body);
    let records = answer.body["records"].as_array().unwrap().clone();
    assert_eq!(answer.body["totalSize"], records.len(), "{}", answer.body);
    records
}

#[tokio::test]
async fn groups_answer_aggregate_results_with_aliases_and_default_names() {
    let api = visitors().await;
    let found = records(
        &api,
        "SELECT VisitorName__c, COUNT(Id), SUM(CallAttempts__c) total, AVG(CallAttempts__c), \
         MIN(CallAttempts__c), MAX(CallAttempts__c) FROM ContactRequest GROUP BY VisitorName__c \
         ORDER BY COUNT(Id) DESC",
    )
    .await;
    assert_eq!(
        found,
        vec![
            json!({
                "attributes": { "type": "AggregateResult" },
                "VisitorName__c": "ZOË SMITH",
                "expr0": 3,
                "total": 6,
                "expr1": 2.0,
                "expr2": 1,
                "expr3": 3,
            }),
            json!({
                "attributes": { "type": "AggregateResult" },
                "VisitorName__c": "Ann",
                "expr0": 2,
                "total": 10,
                "expr1": 5.0,
                "expr2": 4,
                "expr3": 6,
            }),
        ],
        "each name's spellings are one group, shown by its smallest spelling by code point"
    );
}

#[tokio::test]
async fn having_order_and_limit_pick_the_groups() {
    let api = visitors().await;
    let table = [
        (
            "SELECT VisitorName__c n, COUNT(Id) c FROM ContactRequest GROUP BY VisitorName__c HAVING COUNT(Id) > 2",
            json!([{ "n": "ZOË SMITH", "c": 3 }]),
            "HAVING an aggregate",
        ),
        (
            "SELECT VisitorName__c n FROM ContactRequest GROUP BY VisitorName__c HAVING VisitorName__c = 'ANN'",
            json!([{ "n": "Ann" }]),
            "HAVING a grouped field, without regard to case",
        ),
        (
            "SELECT VisitorName__c n FROM ContactRequest GROUP BY VisitorName__c \
             HAVING VisitorName__c IN ('zoË smith', 'nobody') AND SUM(CallAttempts__c) >= 6",
            json!([{ "n": "ZOË SMITH" }]),
            "HAVING IN and a sum",
        ),
        (
            "SELECT VisitorName__c n FROM ContactRequest GROUP BY VisitorName__c HAVING VisitorName__c LIKE 'z%'",
            json!([{ "n": "ZOË SMITH" }]),
            "HAVING LIKE",
        ),
        (
            "SELECT VisitorName__c n FROM ContactRequest GROUP BY VisitorName__c ORDER BY VisitorName__c DESC LIMIT 1",
            json!([{ "n": "ZOË SMITH" }]),
            "ORDER BY a grouped field and LIMIT",
        ),
        (
            "SELECT VisitorName__c n FROM ContactRequest GROUP BY VisitorName__c ORDER BY MAX(CallAttempts__c) DESC",
            json!([{ "n": "Ann" }, { "n": "ZOË SMITH" }]),
            "ORDER BY an aggregate that is not selected",
        ),
        (
            "SELECT VisitorName__c n FROM ContactRequest GROUP BY VisitorName__c ORDER BY VisitorName__c OFFSET 1",
            json!([{ "n": "ZOË SMITH" }]),
            "OFFSET",
        ),
        (
            "SELECT VisitorName__c n FROM ContactRequest WHERE CallAttempts__c > 3 GROUP BY VisitorName__c",
            json!([{ "n": "Ann" }]),
            "WHERE before the grouping",
        ),
    ];
    for (soql, expected, why) in table {
        let found: Vec<Value> = records(&api, soql)
            .await
            .into_iter()
            .map(|mut r| {
                r.as_object_mut().unwrap().remove("attributes");
                r
            })
            .collect();
        assert_eq!(Value::from(found), expected, "{why}: {soql}");
    }
}

#[tokio::test]
async fn counts_without_groups_answer_as_salesforce_does() {
    let api = visitors().await;
    let counted = api.query("SELECT COUNT() FROM ContactRequest").await;
    assert_eq!(
        counted.body,
        json!({ "totalSize": 5, "done": true, "records": [] }),
        "COUNT(): the count in totalSize and no records"
    );
    assert_eq!(
        records(
            &api,
            "SELECT COUNT(Id), COUNT_DISTINCT(VisitorName__c), COUNT(WhatId) FROM ContactRequest"
        )
        .await,
        vec![json!({
            "attributes": { "type": "AggregateResult" },
            "expr0": 5,
            "expr1": 2,
            "expr2": 0,
        })],
        "one group of every record; distinct names without regard to case; COUNT(field) counts values"
    );
    assert_eq!(
        records(
            &api,
            "SELECT IsCallback, MIN(VisitorName__c) FROM ContactRequest GROUP BY IsCallback"
        )
        .await,
        vec![json!({
            "attributes": { "type": "AggregateResult" },
            "IsCallback": false,
            "expr0": "Ann",
        })],
        "a boolean group as a boolean; MIN of text by code point"
    );
    let none = records(
        &api,
        "SELECT SUM(CallAttempts__c), MAX(Name) FROM ContactRequest WHERE VisitorName__c = 'nobody'",
    )
    .await;
    assert_eq!(none[0]["expr0"], Value::Null, "the sum of nothing is empty");
    assert_eq!(none[0]["expr1"], Value::Null);
}

#[tokio::test]
async fn aggregate_queries_salesforce_refuses_are_refused_with_its_words() {
    let api = visitors().await;
    let table = [
        (
            "SELECT VisitorName__c, COUNT(Id) FROM ContactRequest",
            "MALFORMED_QUERY",
            "Field must be grouped or aggregated: VisitorName__c",
        ),
        (
            "SELECT Status, COUNT(Id) FROM ContactRequest GROUP BY Status HAVING VisitorName__c = 'x'",
            "MALFORMED_QUERY",
            "Field must be grouped or aggregated: VisitorName__c",
        ),
        (
            "SELECT Status FROM ContactRequest GROUP BY Status ORDER BY Name",
            "MALFORMED_QUERY",
            "Ordered field must be grouped or aggregated: Name",
        ),
        (
            "SELECT COUNT(Id) FROM ContactRequest GROUP BY RequestDescription",
            "INVALID_FIELD",
            "field 'RequestDescription' can not be grouped in a query call",
        ),
        (
            "SELECT COUNT(Id) FROM ContactRequest GROUP BY ScheduledRoutingDateTime__c",
            "INVALID_FIELD",
            "field 'ScheduledRoutingDateTime__c' can not be grouped in a query call",
        ),
        (
            "SELECT COUNT(Id) FROM ContactRequest GROUP BY Nope",
            "INVALID_FIELD",
            "No such column 'Nope' on entity 'ContactRequest'",
        ),
        (
            "SELECT SUM(VisitorName__c) FROM ContactRequest",
            "INVALID_FIELD",
            "field VisitorName__c does not support aggregate operator SUM",
        ),
        (
            "SELECT MAX(IsCallback) FROM ContactRequest",
            "INVALID_FIELD",
            "field IsCallback does not support aggregate operator MAX",
        ),
        (
            "SELECT COUNT_DISTINCT(RequestDescription) FROM ContactRequest",
            "INVALID_FIELD",
            "field RequestDescription does not support aggregate operator COUNT_DISTINCT",
        ),
        (
            "SELECT COUNT() FROM ContactRequest GROUP BY Status",
            "MALFORMED_QUERY",
            "COUNT() cannot be used with GROUP BY",
        ),
        (
            "SELECT COUNT(Id) FROM ContactRequest WHERE COUNT(Id) > 1",
            "MALFORMED_QUERY",
            "not allowed in a WHERE clause",
        ),
        (
            "SELECT Status s FROM ContactRequest",
            "MALFORMED_QUERY",
            "unexpected token: s",
        ),
        (
            "SELECT COUNT(Id), MAX(Name) expr0 FROM ContactRequest",
            "MALFORMED_QUERY",
            "duplicate alias: expr0",
        ),
        (
            "SELECT COUNT(Id) FROM ContactRequest HAVING COUNT(Id) > 'many'",
            "INVALID_FIELD",
            "must be of type integer",
        ),
        (
            "SELECT COUNT(Id) FROM ContactRequest FOR VIEW",
            "MALFORMED_QUERY",
            "cannot be used in an aggregate query",
        ),
    ];
    for (soql, expected_code, words) in table {
        let answer = api.query(soql).await;
        assert_eq!(answer.status, 400, "{soql}: {}", answer.body);
        assert_eq!(code(&answer), expected_code, "{soql}: {}", answer.body);
        let message = answer.body[0]["message"].as_str().unwrap();
        assert!(message.contains(words), "{soql}: {message}");
    }
}

/// Whatever describe calls groupable, GROUP BY takes, and nothing else.
#[tokio::test]
async fn describe_and_group_by_agree_on_every_field() {
    let api = Api::new().await;
    for object in [
        "ContactRequest",
        "Task",
        "EngagementInteraction",
        "User",
        "CallCenter",
    ] {
        let described = api.get(&format!("/sobjects/{object}/describe")).await;
        assert_eq!(described.status, 200, "{}", described.body);
        for field in described.body["fields"].as_array().unwrap() {
            let name = field["name"].as_str().unwrap();
            let soql = format!("SELECT COUNT(Id) FROM {object} GROUP BY {name}");
            let answer = api.query(&soql).await;
            if field["groupable"] == true {
                assert_eq!(answer.status, 200, "{soql}: {}", answer.body);
            } else {
                assert_eq!(code(&answer), "INVALID_FIELD", "{soql}: {}", answer.body);
            }
        }
    }
}

#[tokio::test]
async fn more_groups_than_a_batch_are_refused_and_a_limit_answers_them() {
    let api = Api::new().await;
    api.add_rows(2_001).await;
    let all = api
        .query("SELECT VisitorName__c FROM ContactRequest GROUP BY VisitorName__c")
        .await;
    assert_eq!(code(&all), "EXCEEDED_ID_LIMIT", "{}", all.body);
    let limited = records(
        &api,
        "SELECT VisitorName__c FROM ContactRequest GROUP BY VisitorName__c LIMIT 2000",
    )
    .await;
    assert_eq!(limited.len(), 2_000);
    assert_eq!(
        limited[0]["VisitorName__c"], "Visitor 0",
        "ordered by the group"
    );
}

#[tokio::test]
async fn the_columns_of_an_aggregate_query_are_its_groups_and_aggregates() {
    let api = Api::new().await;
    let columns = api
        .get(&format!(
            "{}&columns=true",
            super::support::query_path(
                "SELECT Status, COUNT(Id) n, AVG(CallAttempts__c) FROM ContactRequest GROUP BY Status"
            )
        ))
        .await;
    assert_eq!(columns.status, 200, "{}", columns.body);
    let names: Vec<(&str, bool, &str)> = columns.body["columnMetadata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["columnName"].as_str().unwrap(),
                c["aggregate"].as_bool().unwrap(),
                c["apexType"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        vec![
            ("Status", false, "String"),
            ("n", true, "Integer"),
            ("expr0", true, "Double")
        ]
    );
    assert_eq!(columns.body["groupBy"], true);
}
