//! Relationship queries under the sharing model: a representative's parent fields and relationship
//! subqueries reach only what they may see, as their other queries do.

use serde_json::{Value, json};

use super::support::{Member, Team};
use crate::sobjects::support::query_path;

/// The records `who` finds with `soql` (one batch).
async fn records(t: &Team, who: &Member, soql: &str) -> Vec<Value> {
    let answer = t.api(who, "GET", &query_path(soql), None).await;
    assert_eq!(answer.status, 200, "{soql}: {}", answer.body);
    answer.body["records"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_representative_sees_no_parent_or_child_of_anothers_private_request() {
    let t = Team::new().await;
    for request in [&t.of_ann, &t.of_bob] {
        let logged = json!({ "WhatId": request, "Subject": "call back", "Status": "Not Started" });
        let made = t.api(&t.ada, "POST", "/sobjects/Task", Some(logged)).await;
        assert_eq!(made.status, 201, "{}", made.body);
    }
    let found = records(
        &t,
        &t.ann,
        "SELECT Id, Owner.Name, (SELECT Id FROM OpenActivities), (SELECT Id FROM Tasks) \
         FROM ContactRequest ORDER BY Name",
    )
    .await;
    let ids: Vec<&str> = found.iter().filter_map(|r| r["Id"].as_str()).collect();
    assert!(!ids.contains(&t.of_bob.as_str()), "{ids:?}");
    let own = found
        .iter()
        .find(|r| r["Id"] == t.of_ann.as_str())
        .expect("her own request");
    assert_eq!(own["Owner"]["Name"], "ann");
    assert_eq!(own["OpenActivities"]["totalSize"], 1, "{own}");
    assert!(
        found
            .iter()
            .filter(|r| r["Id"] != t.of_ann.as_str())
            .all(|r| r["Tasks"].is_null()),
        "the only task she sees is her request's: {found:?}"
    );
    let by_owner = records(
        &t,
        &t.ann,
        "SELECT Id FROM ContactRequest WHERE Owner.Name = 'bob'",
    )
    .await;
    assert_eq!(by_owner, Vec::<Value>::new(), "Bob's request stays hidden");
    let tasks = records(&t, &t.ann, "SELECT Id, What.Name FROM Task").await;
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert!(tasks[0]["What"]["Name"].as_str().is_some(), "{tasks:?}");
    let everyone = records(
        &t,
        &t.sue,
        &format!(
            "SELECT Id, (SELECT Id FROM Tasks) FROM ContactRequest WHERE Id = '{}'",
            t.of_bob
        ),
    )
    .await;
    assert_eq!(
        everyone[0]["Tasks"]["totalSize"], 1,
        "a supervisor sees all"
    );
}
