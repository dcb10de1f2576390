//! Reads that must not starve other callers or the store: query budgets, per-user limits, SOQL past the
//! database's limits, cursors' bounds and the view dates `FOR VIEW` writes.

use std::num::NonZeroU32;
use std::time::Duration;

use axum::http::StatusCode;
use contact_server::sobjects::QueryLimits;
use governor::Quota;

use super::support::{Api, code, query_path};

/// A filter that reads every row and makes SQLite work hard on each: 300 OR-ed LIKEs with leading `%`.
fn slow_filter() -> String {
    (0..300)
        .map(|i| format!("VisitorName__c LIKE '%9%9%9%x{i}'"))
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// A statement past its budget is stopped and answered in the API's shape; the API goes on answering
/// queries after it. A zero budget stops the statement at SQLite's first look at the clock, which any scan
/// of 2,000 rows reaches whatever the machine's speed. Before, nothing stopped a statement.
#[tokio::test]
async fn a_query_past_its_budget_answers_query_timeout_and_the_api_goes_on() {
    let api = Api::with_query_limits(QueryLimits {
        timeout: Duration::ZERO,
        ..Default::default()
    })
    .await;
    api.add_rows(2_000).await;
    let slow = api
        .query(&format!(
            "SELECT Id FROM ContactRequest WHERE {} ORDER BY VisitorName__c",
            slow_filter()
        ))
        .await;
    assert_eq!(slow.status, StatusCode::BAD_REQUEST, "{}", slow.body);
    assert_eq!(code(&slow), "QUERY_TIMEOUT");
    // The connection it ran on is back in use: every other read answers.
    let id = api
        .create(serde_json::json!({ "RequestReason": "Billing" }))
        .await;
    let record = api.get(&format!("/sobjects/ContactRequest/{id}")).await;
    assert_eq!(record.status, StatusCode::OK, "{}", record.body);
    let ready = api.app.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
}

/// A user running as many queries as it may is refused another, in Salesforce's shape, while another
/// user's query and every token check are answered; once one ends, the user may query again. Before,
/// one token could run any number at once and hold every reader.
#[tokio::test]
async fn a_user_at_its_query_limit_is_refused_and_other_users_are_not() {
    let api = Api::new().await;
    let other = api.other_token().await;
    let held: Vec<_> = (0..api.app.queries.limits.per_user)
        .map(|_| api.app.queries.enter(&api.user_id).expect("a place"))
        .collect();
    let refused = api.query("SELECT Id FROM ContactRequest").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(code(&refused), "REQUEST_LIMIT_EXCEEDED");
    let theirs = api
        .call(
            "GET",
            &query_path("SELECT Id FROM ContactRequest"),
            Some(&other),
            None,
        )
        .await;
    assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.body);
    let describe = api.get("/sobjects").await;
    assert_eq!(
        describe.status,
        StatusCode::OK,
        "the token check is not a query"
    );
    drop(held);
    let again = api.query("SELECT Id FROM ContactRequest").await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
}

/// While every read connection of the API is held by a slow read, token checks and `/readyz` are still
/// answered: they have connections of their own. Before, every read shared one connection and waited
/// behind the slowest statement.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_checks_and_probes_are_answered_while_every_reader_is_busy() {
    let api = Api::new().await;
    let readers = contact_server::store::default_read_connections();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let released = std::sync::Arc::new(std::sync::Mutex::new(released));
    let (started, mut running) = tokio::sync::mpsc::unbounded_channel();
    let mut held = Vec::new();
    for _ in 0..readers {
        let (released, started, store) = (released.clone(), started.clone(), api.app.store.clone());
        held.push(tokio::spawn(async move {
            store
                .read(move |_| {
                    let _ = started.send(());
                    // Held until the test lets go (or gives up): a statement that runs for as long.
                    let _ = released
                        .lock()
                        .unwrap()
                        .recv_timeout(Duration::from_secs(120));
                    Ok(())
                })
                .await
        }));
    }
    let guard = Duration::from_secs(60);
    for _ in 0..readers {
        tokio::time::timeout(guard, running.recv())
            .await
            .expect("every read connection is taken by a read of its own")
            .expect("a reader started");
    }
    let ready = tokio::time::timeout(guard, api.app.get("/readyz"))
        .await
        .expect("/readyz answered while the readers are busy");
    assert_eq!(ready.status, StatusCode::OK);
    let describe = tokio::time::timeout(guard, api.get("/sobjects"))
        .await
        .expect("a token check answered while the readers are busy");
    assert_eq!(describe.status, StatusCode::OK);
    let slots = tokio::time::timeout(
        guard,
        api.app.store.taken_slots(
            "demo".into(),
            "2026-01-01T00:00:00.000Z".into(),
            "2026-01-02T00:00:00.000Z".into(),
        ),
    )
    .await
    .expect("a visitor's slot count answered while the readers are busy");
    assert_eq!(slots.unwrap(), Vec::<String>::new());
    assert!(
        held.iter().all(|h| !h.is_finished()),
        "the slow reads were still running"
    );
    for _ in 0..readers {
        let _ = release.send(());
    }
    for h in held {
        h.await.unwrap().unwrap();
    }
}

/// SOQL past what SQLite takes is refused by the checker, a 400 in Salesforce's shape that says what to
/// change, never `503 SERVER_UNAVAILABLE`. Before, each of these reached SQLite and answered 503.
#[tokio::test]
async fn queries_past_the_databases_limits_are_refused_as_the_clients_mistake() {
    let api = Api::new().await;
    api.add_rows(3).await;
    let and_ed = (0..1_001)
        .map(|i| format!("VisitorName__c != 'x{i}'"))
        .collect::<Vec<_>>()
        .join(" AND ");
    let or_ed = (0..1_100)
        .map(|i| format!("VisitorName__c = 'x{i}'"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let ordered = vec!["Name"; 2_100].join(", ");
    let long_string = "x".repeat(60_000);
    let table = [
        (
            query_path(&format!("SELECT Id FROM ContactRequest WHERE {and_ed}")),
            "QUERY_TOO_COMPLICATED",
            "1,001 AND-ed conditions",
        ),
        (
            query_path(&format!("SELECT Id FROM ContactRequest WHERE {or_ed}")),
            "QUERY_TOO_COMPLICATED",
            "1,100 OR-ed conditions",
        ),
        (
            query_path(&format!("SELECT Id FROM ContactRequest ORDER BY {ordered}")),
            "MALFORMED_QUERY",
            "2,100 ORDER BY terms",
        ),
        (
            query_path(&format!(
                "SELECT Id FROM ContactRequest WHERE VisitorName__c LIKE '%{long_string}%'"
            )),
            "MALFORMED_QUERY",
            "a LIKE pattern past SQLite's length",
        ),
    ];
    for (path, expected, why) in table {
        let response = api.get(&path).await;
        assert_eq!(
            response.status,
            StatusCode::BAD_REQUEST,
            "{why}: {}",
            response.body
        );
        assert_eq!(code(&response), expected, "{why}");
    }
    let first = api.query("SELECT Id FROM ContactRequest LIMIT 1").await;
    let id = first.body["records"][0]["Id"].as_str().unwrap().to_owned();
    let fields = vec!["Name"; 2_100].join(",");
    let response = api
        .get(&format!("/sobjects/ContactRequest/{id}?fields={fields}"))
        .await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "?fields= with 2,100 names: {}",
        response.body
    );
    assert_eq!(response.body["Name"], "CR-000001");
}

/// A query of many conditions, but within the checker's bounds, runs: the bounds are SQLite's, not
/// lower.
#[tokio::test]
async fn a_query_within_the_bounds_runs() {
    let api = Api::new().await;
    api.add_rows(3).await;
    let and_ed = (0..880)
        .map(|i| format!("VisitorName__c != 'x{i}'"))
        .collect::<Vec<_>>()
        .join(" AND ");
    let response = api
        .query(&format!(
            "SELECT Id FROM ContactRequest WHERE (NOT (VisitorName__c IN ('a', null))) AND {and_ed}"
        ))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.body["totalSize"], 3);
}

/// A query whose filter is too large to keep for paging is refused when it needs a cursor, and answers
/// when one batch holds its rows. Before, a 3,900-value NOT IN kept about 294 KiB per cursor.
#[tokio::test]
async fn a_query_too_large_to_page_is_refused_only_when_it_needs_a_cursor() {
    let api = Api::new().await;
    api.add_rows(2_001).await;
    let list = (0..3_900)
        .map(|i| format!("'nobody{i}'"))
        .collect::<Vec<_>>()
        .join(",");
    let paged = api
        .query(&format!(
            "SELECT Id FROM ContactRequest WHERE VisitorName__c NOT IN ({list})"
        ))
        .await;
    assert_eq!(paged.status, StatusCode::BAD_REQUEST, "{}", paged.body);
    assert_eq!(code(&paged), "QUERY_TOO_COMPLICATED");
    let one_batch = api
        .query(&format!(
            "SELECT Id FROM ContactRequest WHERE VisitorName__c NOT IN ({list}) LIMIT 2000"
        ))
        .await;
    assert_eq!(one_batch.status, StatusCode::OK, "{}", one_batch.body);
    assert_eq!(one_batch.body["done"], true);
    assert_eq!(
        api.app
            .text("SELECT CAST(count(*) AS TEXT) FROM query_cursors", &[]),
        "0",
        "no cursor is kept"
    );
}

/// How many records the API's user has viewed.
async fn viewed(api: &Api) -> serde_json::Value {
    api.query("SELECT Id FROM ContactRequest WHERE LastViewedDate != null")
        .await
        .body["totalSize"]
        .clone()
}

/// `FOR VIEW` marks at most a batch's first records, and a user's batches mark at a bounded rate; past
/// it the query still answers. Before, a read token's every GET upserted up to 2,000 rows on the writer.
#[tokio::test]
async fn for_view_marks_a_bounded_number_of_records_at_a_bounded_rate() {
    let api = Api::with_query_limits(QueryLimits {
        tracked_per_batch: 2,
        // One marking batch, then none for an hour: far longer than the test.
        tracking: Quota::per_hour(NonZeroU32::new(1).unwrap()),
        ..Default::default()
    })
    .await;
    api.add_rows(5).await;
    let first = api
        .call(
            "GET",
            &query_path("SELECT Id FROM ContactRequest FOR VIEW"),
            Some(&api.read),
            None,
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["totalSize"], 5);
    assert_eq!(
        viewed(&api).await,
        2,
        "only the batch's first two are marked"
    );
    let second = api
        .call(
            "GET",
            &query_path("SELECT Id FROM ContactRequest WHERE Name = 'CR-000005' FOR VIEW"),
            Some(&api.read),
            None,
        )
        .await;
    assert_eq!(
        second.status,
        StatusCode::OK,
        "past the rate the query still answers"
    );
    assert_eq!(
        viewed(&api).await,
        2,
        "past the rate nothing more is marked"
    );
}
