//! Query cursors behind `nextRecordsUrl`: kept in the database, so a next batch is served by another
//! process or after a restart; bounded per user, owned by the user who opened them, and gone once unused
//! for their lifetime.

use std::collections::HashSet;
use std::time::Duration;

use axum::http::StatusCode;
use contact_server::protection::Protection;
use contact_server::store::StoreError;
use serde_json::Value;

use super::support::{Api, BASE, code, query_path};
use crate::support::{TestApp, TestResponse, call};

/// Every request's id, as the first batch reads them.
const QUERY: &str = "SELECT Id FROM ContactRequest";

/// The first batch of `soql` for `token`, 200 records a batch.
async fn first_batch(app: &TestApp, token: &str, soql: &str) -> TestResponse {
    app.call(
        call("GET", &format!("{BASE}{}", query_path(soql)))
            .bearer(token)
            .header("Sforce-Query-Options", "batchSize=200"),
    )
    .await
}

/// The `nextRecordsUrl` of a first batch of [`QUERY`], which has one.
async fn next_url(app: &TestApp, token: &str) -> String {
    let first = first_batch(app, token, QUERY).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    first.body["nextRecordsUrl"]
        .as_str()
        .unwrap_or_else(|| panic!("no next batch: {}", first.body))
        .to_owned()
}

async fn get(app: &TestApp, token: &str, url: &str) -> TestResponse {
    app.call(call("GET", url).bearer(token)).await
}

fn ids(batch: &Value) -> HashSet<String> {
    batch["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Id"].as_str().unwrap().to_owned())
        .collect()
}

/// How many cursors the database keeps.
fn open_cursors(app: &TestApp) -> usize {
    app.text("SELECT CAST(count(*) AS TEXT) FROM query_cursors", &[])
        .parse()
        .unwrap()
}

/// Before, the cursor was in the memory of the process that answered the first batch, so a next batch
/// after a restart (or reaching another process) answered INVALID_QUERY_LOCATOR.
#[tokio::test]
async fn a_cursor_opened_before_a_restart_serves_the_next_batch_after_it() {
    let api = Api::new().await;
    api.add_rows(205).await;
    let first = first_batch(&api.app, &api.write, QUERY).await;
    let next = first.body["nextRecordsUrl"].as_str().unwrap().to_owned();
    let api = Api {
        app: api.app.restart(Protection::off()).await,
        ..api
    };
    let rest = get(&api.app, &api.write, &next).await;
    assert_eq!(rest.status, StatusCode::OK, "{}", rest.body);
    assert_eq!(rest.body["totalSize"], 205);
    assert_eq!(rest.body["done"], true);
    assert_eq!(ids(&rest.body).len(), 5);
    assert!(ids(&first.body).is_disjoint(&ids(&rest.body)));
    assert_eq!(open_cursors(&api.app), 0, "read to the end, it is released");
}

/// Two processes on one PostgreSQL database: the first batch from one, the next from the other, and
/// the cursor that the second released is gone for the first too. SQLite is one process: skipped there.
#[tokio::test]
async fn a_cursor_opened_in_one_process_serves_its_next_batch_in_another() {
    let api = Api::new().await;
    let Some(other) = api.app.another_process().await else {
        eprintln!("skipped: one process serves a SQLite database");
        return;
    };
    api.add_rows(405).await;
    let first = first_batch(&api.app, &api.write, QUERY).await;
    let second = get(
        &other,
        &api.write,
        first.body["nextRecordsUrl"].as_str().unwrap(),
    )
    .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert_eq!(second.body["done"], false);
    let last_url = second.body["nextRecordsUrl"].as_str().unwrap().to_owned();
    let last = get(&api.app, &api.write, &last_url).await;
    assert_eq!(last.status, StatusCode::OK, "{}", last.body);
    assert_eq!(last.body["done"], true);
    let seen: HashSet<String> = [&first, &second, &last]
        .iter()
        .flat_map(|batch| ids(&batch.body))
        .collect();
    assert_eq!(seen.len(), 405, "three disjoint batches");
    let again = get(&other, &api.write, &last_url).await;
    assert_eq!(code(&again), "INVALID_QUERY_LOCATOR", "{}", again.body);
}

/// A user's eleventh cursor releases that user's oldest, as Salesforce does, and no other user's.
#[tokio::test]
async fn an_eleventh_cursor_releases_the_users_oldest_and_no_one_elses() {
    let api = Api::new().await;
    api.add_rows(201).await;
    let theirs_token = api.other_token().await;
    let theirs = next_url(&api.app, &theirs_token).await;
    let mut mine = Vec::new();
    for _ in 0..=10 {
        mine.push(next_url(&api.app, &api.write).await);
    }
    assert_eq!(open_cursors(&api.app), 11, "ten of mine and theirs");
    let oldest = get(&api.app, &api.write, &mine[0]).await;
    assert_eq!(
        code(&oldest),
        "INVALID_QUERY_LOCATOR",
        "my oldest was released"
    );
    for url in &mine[1..] {
        let batch = get(&api.app, &api.write, url).await;
        assert_eq!(batch.status, StatusCode::OK, "{url} is still open");
    }
    let batch = get(&api.app, &theirs_token, &theirs).await;
    assert_eq!(batch.status, StatusCode::OK, "theirs is still open");
}

/// A cursor is its user's: another user's token gets what a locator never issued gets, and the cursor
/// still serves its own user after.
#[tokio::test]
async fn another_users_locator_answers_as_one_never_issued() {
    let api = Api::new().await;
    api.add_rows(201).await;
    let url = next_url(&api.app, &api.write).await;
    let theirs = get(&api.app, &api.other_token().await, &url).await;
    let never = get(&api.app, &api.write, &format!("{BASE}/query/01gnope-200")).await;
    assert_eq!(theirs.status, StatusCode::BAD_REQUEST);
    assert_eq!(theirs.body, never.body);
    assert_eq!(code(&theirs), "INVALID_QUERY_LOCATOR");
    let mine = get(&api.app, &api.write, &url).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
}

/// A cursor unused for its lifetime (15 minutes) is refused, and the sweep deletes it and keeps one
/// in use. The lapse of time is written into the row, so no test waits for it.
#[tokio::test]
async fn a_cursor_unused_for_its_lifetime_is_refused_and_swept_and_one_in_use_kept() {
    let api = Api::new().await;
    api.add_rows(201).await;
    let stale = next_url(&api.app, &api.write).await;
    let fresh = next_url(&api.app, &api.write).await;
    let locator = stale.rsplit('/').next().unwrap().split('-').next().unwrap();
    api.app
        .run(
            "UPDATE query_cursors SET touched_at = ?1 WHERE locator = ?2",
            &[
                &contact_server::instant::stored(
                    jiff::Timestamp::now() - jiff::SignedDuration::from_secs(15 * 60 + 1),
                ),
                locator,
            ],
        )
        .await;
    let refused = get(&api.app, &api.write, &stale).await;
    assert_eq!(code(&refused), "INVALID_QUERY_LOCATOR", "{}", refused.body);
    let before = contact_server::sobjects::cursor_alive_after(
        jiff::Timestamp::now(),
        Duration::from_secs(15 * 60),
    );
    let swept = api
        .app
        .store
        .write(move |tx| tx.sweep_query_cursors(&before))
        .await
        .unwrap_or_else(|e: StoreError| panic!("the sweep runs: {e}"));
    assert_eq!(swept, 1);
    assert_eq!(open_cursors(&api.app), 1);
    let kept = get(&api.app, &api.write, &fresh).await;
    assert_eq!(kept.status, StatusCode::OK, "{}", kept.body);
}
