//! Relationship queries: parent fields through a reference's relationship (`Owner.Name`, `What.Name`,
//! `CreatedBy.Name`), polymorphic ones read as Salesforce's `Name` object, and relationship subqueries
//! of a request's children (`Tasks`, `OpenActivities`, `ActivityHistories`, `Shares`,
//! `EngagementInteractions__r`), each read for a whole batch at once; OpenActivity and ActivityHistory
//! only through them; and the errors of each, in Salesforce's words.

use serde_json::{Value, json};

use super::support::{Api, BASE, code};

/// The queue that owns widget requests.
const QUEUE: &str = "00G000000000001EAA";

/// The records of a query that must succeed.
async fn records(api: &Api, soql: &str) -> Vec<Value> {
    let answer = api.query(soql).await;
    assert_eq!(answer.status, 200, "{soql}: {}", answer.body);
    answer.body["records"].as_array().unwrap().clone()
}

/// A task about `request` with `status`, as the API's writer logs one.
async fn task(api: &Api, request: &str, subject: &str, status: &str) -> String {
    let made = api
        .call(
            "POST",
            "/sobjects/Task",
            Some(&api.write),
            Some(json!({ "WhatId": request, "Subject": subject, "Status": status })),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    made.body["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn parent_fields_through_relationship_names_answer_nested_parents_as_salesforce_does() {
    let api = Api::new().await;
    let mine = api
        .create(json!({ "OwnerId": api.user_id, "PreferredPhone": "+14155550100" }))
        .await;
    let queued = api
        .create(json!({ "OwnerId": QUEUE, "PreferredPhone": "+14155550101" }))
        .await;
    let found = records(
        &api,
        &format!(
            "SELECT Id, Owner.Name, Owner.Type, What.Name, CreatedBy.Name FROM ContactRequest \
             WHERE Id IN ('{mine}', '{queued}') ORDER BY Owner.Name"
        ),
    )
    .await;
    assert_eq!(found.len(), 2, "{found:?}");
    let queue = &found[0];
    assert_eq!(queue["Id"], queued.as_str());
    assert_eq!(queue["Owner"]["attributes"]["type"], "Name");
    assert!(
        queue["Owner"]["attributes"]["url"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{BASE}/sobjects/Group/00G")),
        "{queue}"
    );
    assert_eq!(queue["Owner"]["Name"], "Contact Requests");
    assert_eq!(queue["Owner"]["Type"], "Queue");
    assert_eq!(
        queue["What"],
        Value::Null,
        "an Account or Case is not kept here"
    );
    let rep = &found[1];
    assert_eq!(
        rep["Owner"],
        json!({
            "attributes": {
                "type": "Name",
                "url": format!("{BASE}/sobjects/User/{}", api.user_id),
            },
            "Name": "Rita Rep",
            "Type": "User",
        })
    );
    assert_eq!(rep["CreatedBy"]["attributes"]["type"], "User");
    assert_eq!(rep["CreatedBy"]["Name"], "Rita Rep");
}

#[tokio::test]
async fn parent_fields_filter_and_order_and_reach_two_levels() {
    let api = Api::new().await;
    let mine = api
        .create(json!({ "OwnerId": api.user_id, "PreferredPhone": "+14155550100" }))
        .await;
    api.create(json!({ "OwnerId": QUEUE, "PreferredPhone": "+14155550101" }))
        .await;
    let owned = records(
        &api,
        "SELECT Id FROM ContactRequest WHERE Owner.Type = 'User' AND Owner.Name LIKE 'rita%'",
    )
    .await;
    assert_eq!(owned.len(), 1, "{owned:?}");
    assert_eq!(owned[0]["Id"], mine.as_str());
    let made = task(&api, &mine, "Call back", "Not Started").await;
    let tasks = records(
        &api,
        &format!(
            "SELECT Id, What.Name, What.Type, CreatedBy.Name, CreatedBy.CallCenter.Name FROM Task \
             WHERE Id = '{made}' AND What.Type = 'ContactRequest'"
        ),
    )
    .await;
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_eq!(tasks[0]["What"]["attributes"]["type"], "Name");
    assert!(
        tasks[0]["What"]["Name"]
            .as_str()
            .unwrap()
            .starts_with("CR-")
    );
    assert_eq!(
        tasks[0]["CreatedBy"]["CallCenter"],
        Value::Null,
        "Rita belongs to no call center: {}",
        tasks[0]
    );
}

#[tokio::test]
async fn a_relationship_subquery_of_open_activities_returns_each_requests_open_tasks() {
    let api = Api::new().await;
    let first = api
        .create(json!({ "PreferredPhone": "+14155550100" }))
        .await;
    let second = api
        .create(json!({ "PreferredPhone": "+14155550101" }))
        .await;
    let quiet = api
        .create(json!({ "PreferredPhone": "+14155550102" }))
        .await;
    let open_a = task(&api, &first, "b: call back", "Not Started").await;
    let open_b = task(&api, &first, "a: call again", "In Progress").await;
    let done = task(&api, &first, "called", "Completed").await;
    let other = task(&api, &second, "second's", "Deferred").await;
    let found = records(
        &api,
        &format!(
            "SELECT Id, (SELECT Id, Subject FROM OpenActivities ORDER BY Subject), \
             (SELECT Id, IsTask, IsClosed FROM ActivityHistories), (SELECT Id FROM Tasks LIMIT 2) \
             FROM ContactRequest WHERE Id IN ('{first}', '{second}', '{quiet}') ORDER BY Name"
        ),
    )
    .await;
    assert_eq!(found.len(), 3);
    let open = &found[0]["OpenActivities"];
    assert_eq!(open["totalSize"], 2, "{open}");
    assert_eq!(open["done"], true);
    assert_eq!(
        open["records"][0]["Id"],
        open_b.as_str(),
        "ordered by Subject"
    );
    assert_eq!(open["records"][1]["Id"], open_a.as_str());
    assert_eq!(open["records"][0]["attributes"]["type"], "OpenActivity");
    let history = &found[0]["ActivityHistories"]["records"];
    assert_eq!(
        history,
        &json!([{
            "attributes": {
                "type": "ActivityHistory",
                "url": format!("{BASE}/sobjects/ActivityHistory/{done}"),
            },
            "Id": done,
            "IsTask": true,
            "IsClosed": true,
        }])
    );
    assert_eq!(
        found[0]["Tasks"]["totalSize"], 2,
        "each request's LIMIT 2 of its three"
    );
    assert_eq!(
        found[1]["OpenActivities"]["records"][0]["Id"],
        other.as_str()
    );
    assert_eq!(found[1]["ActivityHistories"], Value::Null, "none: null");
    assert_eq!(found[2]["Tasks"], Value::Null);
    assert_eq!(found[2]["OpenActivities"], Value::Null);
}

#[tokio::test]
async fn a_subquery_takes_where_and_parent_fields_and_shares_are_children_too() {
    let api = Api::new().await;
    let request = api
        .create(json!({ "PreferredPhone": "+14155550100" }))
        .await;
    task(&api, &request, "first", "Completed").await;
    let second = task(&api, &request, "second", "Completed").await;
    let found = records(
        &api,
        &format!(
            "SELECT Name, (SELECT Subject, Owner.Name FROM Tasks WHERE Subject != 'first'), \
             (SELECT Id FROM Shares), (SELECT Id FROM EngagementInteractions__r) \
             FROM ContactRequest WHERE Id = '{request}'"
        ),
    )
    .await;
    let tasks = &found[0]["Tasks"];
    assert_eq!(tasks["totalSize"], 1, "{tasks}");
    assert_eq!(tasks["records"][0]["Subject"], "second");
    assert_eq!(tasks["records"][0]["Owner"]["Name"], "Rita Rep");
    assert_eq!(tasks["records"][0]["Owner"]["attributes"]["type"], "User");
    assert!(
        tasks["records"][0]["attributes"]["url"]
            .as_str()
            .unwrap()
            .ends_with(&second)
    );
    assert_eq!(found[0]["Shares"], Value::Null);
    assert_eq!(found[0]["EngagementInteractions__r"], Value::Null);
}

#[tokio::test]
async fn open_activity_and_activity_history_are_described_but_queried_only_as_subqueries() {
    let api = Api::new().await;
    for object in ["OpenActivity", "ActivityHistory"] {
        let described = api.get(&format!("/sobjects/{object}/describe")).await;
        assert_eq!(described.status, 200, "{}", described.body);
        assert_eq!(described.body["createable"], false);
        let names: Vec<&str> = described.body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["name"].as_str())
            .collect();
        for name in [
            "Id",
            "Subject",
            "Status",
            "OwnerId",
            "WhoId",
            "WhatId",
            "IsTask",
            "CallType",
            "CallDurationInSeconds",
            "CallDisposition",
            "CallObject",
            "CreatedDate",
            "LastModifiedDate",
        ] {
            assert!(names.contains(&name), "{object}.{name}");
        }
        let queried = api.query(&format!("SELECT Id FROM {object}")).await;
        assert_eq!(queried.status, 400, "{}", queried.body);
        assert_eq!(code(&queried), "INVALID_TYPE_FOR_OPERATION");
        assert!(
            queried.body[0]["message"]
                .as_str()
                .unwrap()
                .contains(&format!("entity type {object} does not support query"))
        );
        let read = api
            .get(&format!("/sobjects/{object}/00T000000000001AAA"))
            .await;
        assert_eq!(read.status, 400, "{}", read.body);
        assert_eq!(code(&read), "INVALID_TYPE_FOR_OPERATION");
    }
    let described = api.get("/sobjects/ContactRequest/describe").await;
    let children: Vec<(String, String)> = described.body["childRelationships"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| {
            Some((
                r["relationshipName"].as_str()?.to_owned(),
                r["childSObject"].as_str()?.to_owned(),
            ))
        })
        .collect();
    for (name, child) in [
        ("Tasks", "Task"),
        ("OpenActivities", "OpenActivity"),
        ("ActivityHistories", "ActivityHistory"),
        ("Shares", "ContactRequestShare"),
        ("EngagementInteractions__r", "EngagementInteraction"),
    ] {
        assert!(
            children.contains(&(name.to_owned(), child.to_owned())),
            "{name}: {children:?}"
        );
    }
}

#[tokio::test]
async fn bad_relationship_queries_are_refused_in_salesforces_words() {
    let api = Api::new().await;
    let table = [
        (
            "SELECT Foo.Name FROM ContactRequest",
            "INVALID_FIELD",
            "Didn't understand relationship 'Foo' in field path",
            "an unknown relationship",
        ),
        (
            "SELECT OwnerId.Name FROM ContactRequest",
            "INVALID_FIELD",
            "Didn't understand relationship 'OwnerId'",
            "a field's name for its relationship's",
        ),
        (
            "SELECT Owner.Email FROM ContactRequest",
            "INVALID_FIELD",
            "No such column 'Email' on entity 'Name'",
            "a field the Name object does not have",
        ),
        (
            "SELECT CreatedBy.Nope FROM ContactRequest",
            "INVALID_FIELD",
            "No such column 'Nope' on entity 'User'",
            "a field the parent does not have",
        ),
        (
            "SELECT Owner.Owner.Name FROM ContactRequest",
            "INVALID_FIELD",
            "Didn't understand relationship 'Owner'",
            "a relationship of a polymorphic parent",
        ),
        (
            "SELECT Id FROM ContactRequest WHERE Owner.Nope = 'x'",
            "INVALID_FIELD",
            "No such column 'Nope' on entity 'Name'",
            "an unknown parent field in WHERE",
        ),
        (
            "SELECT Id, (SELECT Id FROM Foos) FROM ContactRequest",
            "INVALID_TYPE",
            "Didn't understand relationship 'Foos' in FROM part of query call",
            "a subquery of an unknown child relationship",
        ),
        (
            "SELECT Id, (SELECT Id, (SELECT Id FROM Tasks) FROM Tasks) FROM ContactRequest",
            "MALFORMED_QUERY",
            "cannot hold another",
            "a nested subquery",
        ),
        (
            "SELECT COUNT(Id), (SELECT Id FROM Tasks) FROM ContactRequest",
            "MALFORMED_QUERY",
            "aggregate query cannot hold a relationship subquery",
            "a subquery in an aggregate query",
        ),
        (
            "SELECT Id, (SELECT COUNT(Id) FROM Tasks) FROM ContactRequest",
            "MALFORMED_QUERY",
            "cannot have GROUP BY, HAVING or aggregate functions",
            "an aggregate in a subquery",
        ),
        (
            "SELECT Id, (SELECT Id FROM Tasks OFFSET 1) FROM ContactRequest",
            "MALFORMED_QUERY",
            "cannot have an OFFSET",
            "an OFFSET in a subquery",
        ),
        (
            "SELECT Id, (SELECT Nope FROM Tasks) FROM ContactRequest",
            "INVALID_FIELD",
            "No such column 'Nope' on entity 'Task'",
            "an unknown field in a subquery",
        ),
        (
            "SELECT Id, (SELECT Id FROM Tasks), (SELECT Id FROM tasks) FROM ContactRequest",
            "MALFORMED_QUERY",
            "duplicate relationship subquery",
            "the same subquery twice",
        ),
        (
            "SELECT Id, (SELECT Id FROM Tasks FROM ContactRequest",
            "MALFORMED_QUERY",
            "",
            "an unclosed subquery",
        ),
        (
            "SELECT Owner. FROM ContactRequest",
            "MALFORMED_QUERY",
            "",
            "a path ending in a dot",
        ),
        (
            "SELECT Owner.Name, owner.name FROM ContactRequest",
            "MALFORMED_QUERY",
            "duplicate field selected",
            "a parent field twice",
        ),
        (
            "SELECT a.b.c.d.e.f.Name FROM ContactRequest",
            "MALFORMED_QUERY",
            "at most 5 relationships",
            "a path past five relationships",
        ),
        (
            "SELECT Id, (SELECT Id FROM OpenActivities) FROM Task",
            "INVALID_TYPE",
            "Didn't understand relationship 'OpenActivities'",
            "a child relationship of another object",
        ),
    ];
    for (soql, expected, words, why) in table {
        let answer = api.query(soql).await;
        assert_eq!(answer.status, 400, "{why}: {}", answer.body);
        assert_eq!(code(&answer), expected, "{why}: {}", answer.body);
        let message = answer.body[0]["message"].as_str().unwrap();
        assert!(message.contains(words), "{why}: {message}");
    }
}

#[tokio::test]
async fn columns_of_a_relationship_query_join_the_parents_and_children_fields() {
    let api = Api::new().await;
    let answer = api
        .get(&format!(
            "{}&columns=true",
            super::support::query_path(
                "SELECT Id, Owner.Name, (SELECT Subject FROM Tasks) FROM ContactRequest"
            )
        ))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let columns = answer.body["columnMetadata"].as_array().unwrap();
    assert_eq!(columns.len(), 3, "{columns:?}");
    assert_eq!(columns[1]["columnName"], "Owner");
    assert_eq!(columns[1]["joinColumns"][0]["columnName"], "Name");
    assert_eq!(columns[1]["joinColumns"][0]["displayName"], "Owner.Name");
    assert_eq!(columns[2]["columnName"], "Tasks");
    assert_eq!(columns[2]["aggregate"], true);
    assert_eq!(columns[2]["joinColumns"][0]["displayName"], "Tasks.Subject");
}
