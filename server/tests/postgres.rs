//! The PostgreSQL engine against a real PostgreSQL: `CRW_TEST_POSTGRES_URL` names a database whose user
//! may create databases (`cargo xtask postgres start` prints one). Each test works in a fresh database of
//! its own, dropped at the end. Without the variable, each test says it was skipped and passes.

use std::time::Duration;

use contact_server::protection::KeyedLimit;
use contact_server::store::{
    self, Booking, Charged, Database, IdempotencyKey, Inserted, LimitRule, PostgresOptions,
    SpentChallenge, Store, StoreError, Submission, Tx,
};
use contact_shared::ContactRequestForm;

// Shared with the API suite, which uses the rest of it.
#[allow(dead_code)]
#[path = "common/fresh_postgres.rs"]
mod fresh_postgres;

use fresh_postgres::FreshDatabase;

/// A server process's store on the database: each call is another process's, with a pool of its own.
async fn store_on(database: &FreshDatabase) -> Store {
    let (url, options) = fresh_postgres::serving(&database.url, 4);
    Store::open_postgres(&url, &options)
        .await
        .expect("the store opens")
}

#[tokio::test]
async fn two_processes_migrating_a_new_database_at_once_migrate_it_once() {
    let Some(database) = FreshDatabase::create("two_processes_migrating_at_once").await else {
        return;
    };
    let (first, second) = tokio::join!(
        store::migrate_postgres(&database.url),
        store::migrate_postgres(&database.url)
    );
    let mut applied = [first.unwrap(), second.unwrap()];
    applied.sort_unstable();
    assert_eq!(
        applied[0], 0,
        "one applies the schema, the other finds it done"
    );
    assert_eq!(
        store::migrate_postgres(&database.url).await.unwrap(),
        0,
        "a later start applies nothing"
    );

    let client = database.client().await;
    let versions: Vec<i64> = client
        .query(
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(versions.first(), Some(&1), "{versions:?}");
    assert_eq!(
        applied[1],
        versions.len(),
        "every migration applied once, by one process: {versions:?}"
    );
    let tables: i64 = client
        .query_one(
            "SELECT count(*) FROM information_schema.tables
              WHERE table_schema = 'public' AND table_name = 'contact_requests'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(tables, 1);
    let guests: i64 = client
        .query_one(
            "SELECT count(*) FROM users WHERE id = '005000000000001AAA'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(guests, 1, "the seeded rows are there once");
}

#[tokio::test]
async fn request_numbers_are_unique_and_increasing_across_connections() {
    let Some(database) = FreshDatabase::create("request_numbers_across_connections").await else {
        return;
    };
    store::migrate_postgres(&database.url).await.unwrap();
    let (a, b) = (database.client().await, database.client().await);
    let insert = "INSERT INTO contact_requests (id, created_at, updated_at)
                  VALUES ($1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z') RETURNING name";
    let mut names = Vec::new();
    for i in 0..4 {
        let client = if i % 2 == 0 { &a } else { &b };
        let row = client.query_one(insert, &[&format!("r{i}")]).await.unwrap();
        names.push(row.get::<_, String>(0));
    }
    assert_eq!(names, ["CR-000001", "CR-000002", "CR-000003", "CR-000004"]);
}

#[tokio::test]
async fn usernames_are_unique_without_regard_to_case_on_any_unicode_text() {
    let Some(database) = FreshDatabase::create("usernames_unique_without_case").await else {
        return;
    };
    store::migrate_postgres(&database.url).await.unwrap();
    let client = database.client().await;
    let add = "INSERT INTO users (id, username, name, created_at) VALUES ($1, $2, 'n', 't')";
    client
        .execute(add, &[&"u1", &"Ärger@Example.org"])
        .await
        .unwrap();
    let again = client.execute(add, &[&"u2", &"ärger@example.ORG"]).await;
    assert!(again.is_err(), "the same name in other case is taken");
}

#[tokio::test]
async fn a_status_change_is_kept_in_the_history_once() {
    let Some(database) = FreshDatabase::create("status_history").await else {
        return;
    };
    store::migrate_postgres(&database.url).await.unwrap();
    let client = database.client().await;
    client
        .batch_execute(
            "INSERT INTO contact_requests (id, created_at, updated_at)
             VALUES ('r1', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
             UPDATE contact_requests SET status = 'Attempted', last_modified_by_id = 'u1',
                    updated_at = '2026-01-02T00:00:00.000Z' WHERE id = 'r1';
             UPDATE contact_requests SET updated_at = '2026-01-03T00:00:00.000Z' WHERE id = 'r1';",
        )
        .await
        .unwrap();
    let history: Vec<(Option<String>, String, String)> = client
        .query(
            "SELECT old_status, new_status, changed_by FROM contact_request_status_history ORDER BY seq",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1), row.get(2)))
        .collect();
    assert_eq!(
        history,
        [
            (None, "New".into(), "005000000000001AAA".into()),
            (Some("New".into()), "Attempted".into(), "u1".into()),
        ]
    );
}

#[tokio::test]
async fn an_owner_change_is_kept_in_the_owner_history_once() {
    let Some(database) = FreshDatabase::create("owner_history").await else {
        return;
    };
    store::migrate_postgres(&database.url).await.unwrap();
    let client = database.client().await;
    client
        .batch_execute(
            "INSERT INTO contact_requests (id, owner_id, created_at, updated_at)
             VALUES ('r1', 'q1', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
             UPDATE contact_requests SET owner_id = 'u1', last_modified_by_id = 'u1',
                    updated_at = '2026-01-02T00:00:00.000Z' WHERE id = 'r1';
             UPDATE contact_requests SET owner_id = 'u1', updated_at = '2026-01-03T00:00:00.000Z'
              WHERE id = 'r1';",
        )
        .await
        .unwrap();
    let history: Vec<(Option<String>, String, String, String)> = client
        .query(
            "SELECT old_owner, new_owner, changed_by, changed_at FROM contact_request_owner_history ORDER BY seq",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1), row.get(2), row.get(3)))
        .collect();
    assert_eq!(
        history,
        [(
            Some("q1".into()),
            "u1".into(),
            "u1".into(),
            "2026-01-02T00:00:00.000Z".into()
        )]
    );
}

fn submission(phone: &str) -> Submission {
    let request = ContactRequestForm {
        request_reason: Some("Billing".into()),
        preferred_phone: Some(phone.into()),
        name: Some("Ada Lovelace".into()),
        ..ContactRequestForm::default()
    }
    .parse()
    .expect("a valid form");
    Submission {
        request,
        source_origin: Some(contact_server::origin::Origin::parse("https://shop.example").unwrap()),
        site_key: "shop".into(),
        visitor_sub: None,
        owner_queue: None,
        call_center: None,
        booking: None,
        spent_challenge: None,
        sent_event: None,
    }
}

fn key(value: &str, submission: &Submission) -> IdempotencyKey {
    IdempotencyKey::new(value, &submission.request, &submission.site_key, None).unwrap()
}

#[tokio::test]
async fn a_submission_is_stored_and_found_by_id_and_number() {
    let Some(database) = FreshDatabase::create("intake_stores_and_finds").await else {
        return;
    };
    let store = store_on(&database).await;
    store.ping().await.unwrap();
    assert_eq!(
        store.synchronous().await.unwrap(),
        2,
        "commits wait for the log's flush"
    );
    let created = store.insert(submission("+442079460958")).await.unwrap();
    assert_eq!(created.name, "CR-000001");

    let by_number = store_on(&database)
        .await
        .find("CR-000001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_number.id, created.id);
    assert_eq!(by_number.preferred_phone.as_deref(), Some("+442079460958"));
    assert_eq!(by_number.visitor_name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(by_number.site_key.as_deref(), Some("shop"));
    assert!(!by_number.is_callback);
    let by_id = store.find(&created.id).await.unwrap().unwrap();
    assert_eq!(by_id, by_number);
    assert!(store.find("CR-999999").await.unwrap().is_none());
}

#[tokio::test]
async fn a_retry_reaching_another_process_gets_the_first_answer() {
    let Some(database) = FreshDatabase::create("retry_across_processes").await else {
        return;
    };
    let (a, b) = (store_on(&database).await, store_on(&database).await);
    let sent = submission("+442079460958");
    let (first, second) = tokio::join!(
        a.insert_once(sent.clone(), Some(key("k-1", &sent))),
        b.insert_once(sent.clone(), Some(key("k-1", &sent)))
    );
    let created = match (first.unwrap(), second.unwrap()) {
        (Inserted::Created(c), Inserted::Replayed(r))
        | (Inserted::Replayed(r), Inserted::Created(c)) => {
            assert_eq!(c, r, "the replay is the first answer");
            c
        }
        other => panic!("one creates, the other replays: {other:?}"),
    };
    assert_eq!(
        b.earlier_answer(&key("k-1", &sent)).await.unwrap(),
        Some(Inserted::Replayed(created))
    );
    let other = submission("+442079460959");
    assert_eq!(
        a.insert_once(other.clone(), Some(key("k-1", &other)))
            .await
            .unwrap(),
        Inserted::Conflict,
        "the same key with another submission"
    );
    let count: i64 = database
        .client()
        .await
        .query_one("SELECT count(*) FROM contact_requests", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(count, 1);
}

#[tokio::test]
async fn two_processes_booking_a_slots_last_place_one_wins() {
    let Some(database) = FreshDatabase::create("last_place_across_processes").await else {
        return;
    };
    let (a, b) = (store_on(&database).await, store_on(&database).await);
    database
        .client()
        .await
        .batch_execute(
            "INSERT INTO call_centers (id, internal_name, name, time_zone, created_at, updated_at,
                                       system_modstamp, created_by_id, last_modified_by_id)
             VALUES ('04v000000000001AAA', 'desk', 'Desk', 'UTC', 't', 't', 't', 'u', 'u')",
        )
        .await
        .unwrap();
    let booked = |phone: &str| Submission {
        call_center: Some("desk".into()),
        booking: Some(Booking {
            call_center: "desk".into(),
            start: "2099-01-01T09:00:00.000Z".into(),
            end: "2099-01-01T09:30:00.000Z".into(),
            capacity: 1,
            per_phone: Some(1),
        }),
        ..submission(phone)
    };
    let (first, second) = tokio::join!(
        a.insert_once(booked("+442079460958"), None),
        b.insert_once(booked("+442079460959"), None)
    );
    let mut outcomes =
        [first.unwrap(), second.unwrap()].map(|answer| matches!(answer, Inserted::Created(_)));
    outcomes.sort_unstable();
    assert_eq!(
        outcomes,
        [false, true],
        "one books the place, the other is told it is full"
    );
}

#[tokio::test]
async fn a_proof_of_work_buys_one_record_across_processes() {
    let Some(database) = FreshDatabase::create("proof_across_processes").await else {
        return;
    };
    let (a, b) = (store_on(&database).await, store_on(&database).await);
    let spending = |phone: &str| Submission {
        spent_challenge: Some(SpentChallenge {
            nonce: "nonce-1".into(),
            expires_ms: 4_102_444_800_000,
        }),
        ..submission(phone)
    };
    assert!(matches!(
        a.insert_once(spending("+442079460958"), None)
            .await
            .unwrap(),
        Inserted::Created(_)
    ));
    assert_eq!(
        b.insert_once(spending("+442079460959"), None)
            .await
            .unwrap(),
        Inserted::ProofSpent { spent_with: None }
    );
}

#[tokio::test]
async fn a_retry_with_the_same_proof_reaching_another_process_at_once_gets_the_first_answer() {
    let Some(database) = FreshDatabase::create("retry_with_proof_across_processes").await else {
        return;
    };
    let (a, b) = (store_on(&database).await, store_on(&database).await);
    let sent = Submission {
        spent_challenge: Some(SpentChallenge {
            nonce: "nonce-1".into(),
            expires_ms: 4_102_444_800_000,
        }),
        ..submission("+442079460958")
    };
    let (first, second) = tokio::join!(
        a.insert_once(sent.clone(), Some(key("k-1", &sent))),
        b.insert_once(sent.clone(), Some(key("k-1", &sent)))
    );
    match (first.unwrap(), second.unwrap()) {
        (Inserted::Created(c), Inserted::Replayed(r))
        | (Inserted::Replayed(r), Inserted::Created(c)) => {
            assert_eq!(c, r);
        }
        other => panic!("one creates, the other replays: {other:?}"),
    }
}

#[tokio::test]
async fn sslmode_require_refuses_a_server_without_tls() {
    let Some(database) = FreshDatabase::create("sslmode_require").await else {
        return;
    };
    let separator = if database.url.expose().contains('?') {
        '&'
    } else {
        '?'
    };
    let Ok(Database::Postgres(url)) =
        format!("{}{separator}sslmode=require", database.url.expose()).parse()
    else {
        panic!("a PostgreSQL URL");
    };
    // The throwaway test server has no certificate; a server that has one is verified against the
    // system's roots.
    match Store::open_postgres(&url, &PostgresOptions::default().with_pool_size(1)).await {
        Err(StoreError::Unreachable(reason)) => assert!(!reason.is_empty()),
        Err(other) => panic!("refused as unreachable, not {other}"),
        Ok(_) => panic!("a server without TLS is refused"),
    }
}

#[tokio::test]
async fn the_sweep_deletes_old_keys_and_expired_challenges() {
    let Some(database) = FreshDatabase::create("sweep").await else {
        return;
    };
    let store = store_on(&database).await;
    let sent = Submission {
        spent_challenge: Some(SpentChallenge {
            nonce: "nonce-1".into(),
            expires_ms: 1_000,
        }),
        ..submission("+442079460958")
    };
    store
        .insert_once(sent.clone(), Some(key("k-1", &sent)))
        .await
        .unwrap();
    let now = jiff::Timestamp::now();
    let later = now + jiff::SignedDuration::from_hours(1);
    assert_eq!(store.sweep(later, now).await.unwrap(), (1, 1));
    assert_eq!(
        store.earlier_answer(&key("k-1", &sent)).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn a_client_spreading_its_requests_over_two_processes_gets_the_limit_once_in_total() {
    let Some(database) = FreshDatabase::create("limit_across_processes").await else {
        return;
    };
    let (a, b) = (store_on(&database).await, store_on(&database).await);
    // One back an hour: no charge comes back while the test runs, however slow the machine.
    let limit_on = |store: &Store| {
        let mut limit = KeyedLimit::<String>::per_hour(1, 3);
        limit.share(store.shared_limits().expect("PostgreSQL shares"), "site");
        limit
    };
    let (on_a, on_b) = (limit_on(&a), limit_on(&b));
    let mut answers = Vec::new();
    for n in 0..10 {
        let process = if n % 2 == 0 { &on_a } else { &on_b };
        answers.push(process.charge(&"shop".to_owned()).await.unwrap());
    }
    assert_eq!(
        answers[..3],
        [Ok(()), Ok(()), Ok(())],
        "the burst, taken alternately"
    );
    for (n, answer) in answers.iter().enumerate().skip(3) {
        let retry_after = answer.expect_err("past the burst in total, every process refuses");
        assert!((1..=3_600).contains(&retry_after), "{n}: {retry_after}");
    }
    assert_eq!(
        on_b.charge(&"blog".to_owned()).await.unwrap(),
        Ok(()),
        "another key has its own budget"
    );
}

#[tokio::test]
async fn shared_counts_give_one_charge_back_each_interval_and_say_when() {
    let Some(database) = FreshDatabase::create("limit_counts").await else {
        return;
    };
    let (a, b) = (store_on(&database).await, store_on(&database).await);
    let (a, b) = (a.shared_limits().unwrap(), b.shared_limits().unwrap());
    let rule = LimitRule {
        interval: Duration::from_secs(10),
        burst: 2,
    };
    let start: jiff::Timestamp = "2026-03-01T12:00:00Z".parse().unwrap();
    let at = |seconds: i64| start + jiff::SignedDuration::from_secs(seconds);
    let refused = |seconds| Charged::Refused {
        retry_after: Duration::from_secs(seconds),
    };
    let steps = [
        (&a, 0, Charged::Taken, "the burst's first"),
        (&b, 0, Charged::Taken, "its second, from the other process"),
        (&a, 0, refused(10), "past the burst, until one interval on"),
        (&b, 4, refused(6), "still, and the wait counts down"),
        (&a, 10, Charged::Taken, "one is back after an interval"),
        (&b, 10, refused(10), "and only one"),
        (&b, 40, Charged::Taken, "after long enough, the whole burst"),
        (&a, 40, Charged::Taken, "its second"),
        (&a, 40, refused(10), "and no more"),
    ];
    for (process, seconds, expected, why) in steps {
        let charged = process.charge("ip", "192.0.2.1", rule, at(seconds)).await;
        assert_eq!(charged.unwrap(), expected, "at {seconds}s: {why}");
    }
    assert_eq!(
        b.charge("site", "192.0.2.1", rule, at(40)).await.unwrap(),
        Charged::Taken,
        "another limit counts apart"
    );
    let store = store_on(&database).await;
    assert_eq!(
        store.sweep_limits(at(59)).await.unwrap(),
        1,
        "the site's count is whole again at 50s, the IP's only at 60s"
    );
    assert_eq!(store.sweep_limits(at(60)).await.unwrap(), 1);
    assert_eq!(
        a.charge("ip", "192.0.2.1", rule, at(60)).await.unwrap(),
        Charged::Taken,
        "a swept count starts whole"
    );
}

#[tokio::test]
async fn a_booked_slot_is_counted_as_taken() {
    let Some(database) = FreshDatabase::create("taken_slots").await else {
        return;
    };
    let store = store_on(&database).await;
    database
        .client()
        .await
        .batch_execute(
            "INSERT INTO call_centers (id, internal_name, name, time_zone, created_at, updated_at,
                                       system_modstamp, created_by_id, last_modified_by_id)
             VALUES ('04v000000000001AAA', 'desk', 'Desk', 'UTC', 't', 't', 't', 'u', 'u')",
        )
        .await
        .unwrap();
    let start = "2099-01-01T09:00:00.000Z";
    store
        .insert(Submission {
            call_center: Some("desk".into()),
            booking: Some(Booking {
                call_center: "desk".into(),
                start: start.into(),
                end: "2099-01-01T09:30:00.000Z".into(),
                capacity: 2,
                per_phone: None,
            }),
            ..submission("+442079460958")
        })
        .await
        .unwrap();
    let taken = store
        .taken_slots(
            "desk".into(),
            "2099-01-01T00:00:00.000Z".into(),
            "2099-01-02T00:00:00.000Z".into(),
        )
        .await
        .unwrap();
    assert_eq!(taken, [start]);
}

/// The Task whose logged call [`apply_logged_call`] applies.
const TASK: &str = "00T000000000001AAA";

/// Applies the call `TASK` logs if no one has yet; answers whether this writer did.
fn apply_logged_call(tx: &Tx<'_>) -> Result<bool, StoreError> {
    let unapplied = tx.unapplied_call(TASK)?.is_some();
    if unapplied {
        tx.mark_call_applied(TASK)?;
    }
    Ok(unapplied)
}

/// Whether a statement of `database` waits for another transaction's lock.
async fn waits_for_a_lock(database: &FreshDatabase) -> bool {
    let waiting: i64 = database
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    waiting > 0
}

#[tokio::test]
async fn two_processes_applying_one_logged_call_apply_it_once() {
    let Some(database) = FreshDatabase::create("logged_call_applied_once").await else {
        return;
    };
    let (a, b) = (store_on(&database).await, store_on(&database).await);
    database
        .client()
        .await
        .batch_execute(&format!(
            "INSERT INTO tasks (id, what_id, call_result, owner_id, created_at, updated_at,
                                system_modstamp, created_by_id, last_modified_by_id)
             VALUES ('{TASK}', 'a0B000000000001AAA', 'Reached', 'u', 't', 't', 't', 'u', 'u')"
        ))
        .await
        .unwrap();
    // The first writer has read the call and holds its transaction open until told to commit.
    let (read, first_has_read) = std::sync::mpsc::channel();
    let (commit, may_commit) = std::sync::mpsc::channel::<()>();
    let first = tokio::spawn(async move {
        a.write(move |tx| {
            let applied = apply_logged_call(tx)?;
            read.send(()).unwrap();
            may_commit.recv().unwrap();
            Ok::<_, StoreError>(applied)
        })
        .await
    });
    tokio::task::spawn_blocking(move || first_has_read.recv())
        .await
        .unwrap()
        .unwrap();
    let second = tokio::spawn(async move { b.write(apply_logged_call).await });
    // The second reads while the first is open: it waits for the first's lock (or, were there none,
    // would read the call as unapplied too and finish).
    while !second.is_finished() && !waits_for_a_lock(&database).await {
        tokio::task::yield_now().await;
    }
    commit.send(()).unwrap();
    let mut applied = [
        first.await.unwrap().unwrap(),
        second.await.unwrap().unwrap(),
    ];
    applied.sort_unstable();
    assert_eq!(applied, [false, true], "one process applies the call");
}

#[tokio::test]
async fn two_processes_upserting_one_new_external_identifier_take_turns_and_the_second_finds_the_first()
 {
    let Some(database) = FreshDatabase::create("upserts_take_turns").await else {
        return;
    };
    let (a, b) = (store_on(&database).await, store_on(&database).await);
    let table = contact_server::callbacks::objects::ENGAGEMENT_INTERACTION.storage();
    let (read, first_has_read) = std::sync::mpsc::channel();
    let (commit, may_commit) = std::sync::mpsc::channel::<()>();
    // The first upsert finds no record of the value, creates one and holds its transaction open.
    let first = tokio::spawn(async move {
        a.write(move |tx| {
            let found = tx.live_records_with(table, "external_identifier", "amzn-7")?;
            tx.run(
                "INSERT INTO engagement_interactions (id, external_identifier, owner_id, created_at,
                        updated_at, system_modstamp, created_by_id, last_modified_by_id)
                 VALUES ('0eI000000000001AAA', 'amzn-7', 'u', 't', 't', 't', 'u', 'u')",
                &[],
            )?;
            read.send(()).unwrap();
            may_commit.recv().unwrap();
            Ok::<_, StoreError>(found.len())
        })
        .await
    });
    tokio::task::spawn_blocking(move || first_has_read.recv())
        .await
        .unwrap()
        .unwrap();
    let second = tokio::spawn(async move {
        b.write(move |tx| tx.live_records_with(table, "external_identifier", "amzn-7"))
            .await
    });
    // The second waits for the value's lock (without it, it would find nothing and create a second).
    while !second.is_finished() && !waits_for_a_lock(&database).await {
        tokio::task::yield_now().await;
    }
    commit.send(()).unwrap();
    assert_eq!(first.await.unwrap().unwrap(), 0);
    assert_eq!(
        second.await.unwrap().unwrap(),
        ["0eI000000000001AAA".to_owned()],
        "the second upsert updates the first's record"
    );
}

/// The tables and their columns of a schema, by table name.
type Schema = std::collections::BTreeMap<String, std::collections::BTreeSet<String>>;

#[tokio::test]
async fn every_table_of_the_sqlite_schema_has_its_postgresql_twin_with_every_column() {
    let Some(database) = FreshDatabase::create("every_table_has_its_twin").await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schema.db");
    drop(Store::open_sqlite(&path).expect("SQLite migrates"));
    let sqlite = rusqlite::Connection::open(&path).unwrap();
    let mut sqlite_schema = Schema::new();
    let tables: Vec<String> = sqlite
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for table in tables {
        let columns = sqlite
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        sqlite_schema.insert(table, columns);
    }
    store::migrate_postgres(&database.url).await.unwrap();
    let mut postgres_schema = Schema::new();
    for row in database
        .client()
        .await
        .query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = 'public'",
            &[],
        )
        .await
        .unwrap()
    {
        postgres_schema
            .entry(row.get(0))
            .or_default()
            .insert(row.get(1));
    }
    assert!(sqlite_schema.len() > 10, "{sqlite_schema:?}");
    let mut missing = Vec::new();
    for (table, columns) in &sqlite_schema {
        match postgres_schema.get(table) {
            None => missing.push(format!("table {table}")),
            Some(twin) => missing.extend(
                columns
                    .difference(twin)
                    .map(|column| format!("{table}.{column}")),
            ),
        }
    }
    assert_eq!(
        missing,
        Vec::<String>::new(),
        "SQLite has them, PostgreSQL does not"
    );
}

#[tokio::test]
async fn a_commit_adding_outbox_events_is_heard_by_every_other_process() {
    let Some(database) = FreshDatabase::create("commits_are_heard").await else {
        return;
    };
    // Another process's commit: the test's own connection's.
    let listener = store_on(&database).await;
    let mut heard = listener.committed();
    // The listener's first move comes once its LISTEN took effect: from then on it hears every commit.
    let guard = std::time::Duration::from_secs(60);
    tokio::time::timeout(guard, heard.changed())
        .await
        .expect("the listener listens")
        .unwrap();
    let before = *heard.borrow_and_update();
    database
        .client()
        .await
        .batch_execute(
            "INSERT INTO outbox_events (event_id, type, record_id, payload, created_at)
             VALUES ('msg_1', 'contact_request.created', '0SR1', '{}', '2026-12-01T00:00:00.000Z')",
        )
        .await
        .unwrap();
    tokio::time::timeout(guard, heard.changed())
        .await
        .expect("the commit is heard")
        .unwrap();
    assert!(*heard.borrow() > before);
}

/// The ids' visitor names of what `soql` selects on `store`, and its count.
async fn soql(store: &Store, soql: &str) -> (u64, Vec<String>) {
    use contact_server::soql::{check::check, parser::parse};
    let now: jiff::Timestamp = "2026-12-01T12:00:00Z".parse().unwrap();
    let checked = check(&parse(soql).unwrap(), now).unwrap();
    let prepared = store.prepare(&checked.select("005000000000002AAA", false, &|_| None));
    let budget = std::time::Duration::from_secs(30);
    let count = store.query(budget, {
        let count = prepared.count.clone();
        move |db| db.count(&count)
    });
    let page = store.query(budget, move |db| db.page(&prepared.page, 0, 100));
    let (count, page) = (count.await.unwrap(), page.await.unwrap());
    let names = page
        .into_iter()
        .map(|(_, values)| values[0].as_text().unwrap_or("").to_owned())
        .collect();
    (count, names)
}

#[tokio::test]
async fn soql_compares_text_without_regard_to_case_on_any_unicode_text() {
    let Some(database) = FreshDatabase::create("soql_on_postgres").await else {
        return;
    };
    let store = store_on(&database).await;
    database
        .client()
        .await
        .batch_execute(
            "INSERT INTO contact_requests (id, visitor_name, created_at, updated_at) VALUES
               ('0SR000000000001AAA', 'Émile', '2026-11-30T10:00:00.000Z', '2026-11-30T10:00:00.000Z'),
               ('0SR000000000002AAA', 'ÉMILE', '2026-11-30T11:00:00.000Z', '2026-11-30T11:00:00.000Z'),
               ('0SR000000000003AAA', 'Zoë 50%', '2026-12-01T10:00:00.000Z', '2026-12-01T10:00:00.000Z'),
               ('0SR000000000004AAA', 'Anna', '2026-12-01T11:00:00.000Z', '2026-12-01T11:00:00.000Z')",
        )
        .await
        .unwrap();
    let table: [(&str, &[&str]); 7] = [
        (
            "SELECT VisitorName__c FROM ContactRequest WHERE VisitorName__c = 'émile'",
            &["Émile", "ÉMILE"],
        ),
        (
            "SELECT VisitorName__c FROM ContactRequest WHERE VisitorName__c IN ('ÉMILE', 'anna')",
            &["Émile", "ÉMILE", "Anna"],
        ),
        (
            "SELECT VisitorName__c FROM ContactRequest WHERE VisitorName__c LIKE 'zoË%'",
            &["Zoë 50%"],
        ),
        (
            "SELECT VisitorName__c FROM ContactRequest WHERE VisitorName__c LIKE '%50\\%'",
            &["Zoë 50%"],
        ),
        (
            "SELECT VisitorName__c FROM ContactRequest WHERE VisitorName__c != 'anna' AND Status IN ('new')",
            &["Émile", "ÉMILE", "Zoë 50%"],
        ),
        (
            "SELECT VisitorName__c FROM ContactRequest WHERE CreatedDate = YESTERDAY",
            &["Émile", "ÉMILE"],
        ),
        (
            "SELECT VisitorName__c FROM ContactRequest WHERE CreatedDate < TODAY ORDER BY CreatedDate DESC OFFSET 1",
            &["Émile"],
        ),
    ];
    for (query, expected) in table {
        let (count, names) = soql(&store, query).await;
        assert_eq!(names, expected, "{query}");
        assert_eq!(count, expected.len() as u64, "{query}");
    }
}

/// Two representatives, Available with room for one item each, members of the default queue that
/// `count` new requests go to; answers the database's own client.
async fn routable_work(
    database: &FreshDatabase,
    store: &Store,
    count: usize,
) -> tokio_postgres::Client {
    let client = database.client().await;
    let seen = jiff::Timestamp::now().as_millisecond();
    for user in ["u1", "u2"] {
        client
            .execute(
                "INSERT INTO users (id, username, name, is_active, created_at)
                 VALUES ($1, $1, $1, 1, '2026-01-01T00:00:00.000Z')",
                &[&user],
            )
            .await
            .unwrap();
        client
            .execute(
                "INSERT INTO queue_members (queue_id, user_id, added_at)
                 VALUES ('00G000000000001EAA', $1, '2026-01-01T00:00:00.000Z')",
                &[&user],
            )
            .await
            .unwrap();
        client
            .execute(
                "INSERT INTO presence (user_id, state, capacity, changed_at, seen_at_ms, idle_since)
                 VALUES ($1, 'available', 1, '2026-01-01T00:00:00.000Z', $2, '2026-01-01T00:00:00.000Z')",
                &[&user, &seen],
            )
            .await
            .unwrap();
    }
    for i in 0..count {
        store
            .insert(submission(&format!("+44207946{i:04}")))
            .await
            .unwrap();
    }
    client
}

/// The open offers: (request, representative).
async fn open_offers(client: &tokio_postgres::Client) -> Vec<(String, String)> {
    client
        .query(
            "SELECT request_id, user_id FROM offers WHERE state = 'open' ORDER BY user_id",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect()
}

/// Guards a wait on another process against a hang: a bug fails the test, never the machine's speed.
async fn unless_hung<T>(work: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(std::time::Duration::from_secs(60), work)
        .await
        .expect("the other process's work should not wait on this one")
}

#[tokio::test]
async fn a_routing_round_in_one_process_keeps_another_s_from_offering_until_it_commits() {
    use contact_server::callbacks::offers::{Round, route};
    let Some(database) = FreshDatabase::create("routing_takes_turns").await else {
        return;
    };
    let (a, b) = (store_on(&database).await, store_on(&database).await);
    let client = routable_work(&database, &a, 3).await;
    let (held, holding) = std::sync::mpsc::channel();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let first = tokio::spawn({
        let a = a.clone();
        async move {
            a.write(move |tx| {
                let round = route(tx, jiff::Timestamp::now())?;
                held.send(()).unwrap();
                released.recv().unwrap();
                Ok::<_, StoreError>(round)
            })
            .await
        }
    });
    tokio::task::spawn_blocking(move || holding.recv().unwrap())
        .await
        .unwrap();

    let meanwhile = unless_hung(b.write(|tx| route(tx, jiff::Timestamp::now())))
        .await
        .unwrap();
    assert_eq!(
        meanwhile,
        Round::default(),
        "the other process's round is running"
    );
    release.send(()).unwrap();
    let round = first.await.unwrap().unwrap();
    assert_eq!(
        round.offered, 2,
        "one item for each of the two representatives"
    );

    let after = b
        .write(|tx| route(tx, jiff::Timestamp::now()))
        .await
        .unwrap();
    assert_eq!(after.offered, 0, "both are at their capacity");
    let offers = open_offers(&client).await;
    assert_eq!(
        offers
            .iter()
            .map(|(_, user)| user.as_str())
            .collect::<Vec<_>>(),
        ["u1", "u2"],
        "{offers:?}"
    );
    assert_ne!(offers[0].0, offers[1].0, "two requests, one holder each");
}

#[tokio::test]
async fn two_routers_at_once_never_offer_one_item_twice_or_beyond_capacity() {
    use contact_server::callbacks::offers::route;
    let Some(database) = FreshDatabase::create("routers_at_once").await else {
        return;
    };
    let (a, b) = (store_on(&database).await, store_on(&database).await);
    let client = routable_work(&database, &a, 5).await;
    let rounds = |store: Store| async move {
        for _ in 0..10 {
            store
                .write(|tx| route(tx, jiff::Timestamp::now()))
                .await
                .unwrap();
        }
    };
    tokio::join!(rounds(a.clone()), rounds(b.clone()));
    let offers = open_offers(&client).await;
    let users: Vec<&str> = offers.iter().map(|(_, user)| user.as_str()).collect();
    assert_eq!(
        users,
        ["u1", "u2"],
        "one item each, their capacity: {offers:?}"
    );
    let all: i64 = client
        .query_one("SELECT count(*) FROM offers", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(all, 2, "no item was offered twice");
}

/// An endpoint's subscription to every request made.
fn every_created(types: &[String]) -> store::Subscription<'_> {
    store::Subscription {
        endpoint: "hook",
        types,
        site: None,
    }
}

#[tokio::test]
async fn two_deliverers_never_take_the_same_delivery_at_once_and_a_gone_one_s_come_back() {
    let Some(database) = FreshDatabase::create("deliverers_at_once").await else {
        return;
    };
    let (a, b) = (store_on(&database).await, store_on(&database).await);
    a.write(|tx| tx.open_webhook_cursors(&["hook".to_owned()]))
        .await
        .unwrap();
    for i in 0..4 {
        a.insert(submission(&format!("+44207946{i:04}")))
            .await
            .unwrap();
    }
    let types = vec!["contact_request.created".to_owned()];
    let now = 1_000_000_i64;
    let (made_a, made_b) = tokio::join!(
        a.write({
            let types = types.clone();
            move |tx| tx.fan_out(&every_created(&types), now)
        }),
        b.write({
            let types = types.clone();
            move |tx| tx.fan_out(&every_created(&types), now)
        }),
    );
    assert_eq!(
        made_a.unwrap() + made_b.unwrap(),
        4,
        "each event is one delivery"
    );

    let (held, holding) = std::sync::mpsc::channel();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let first = tokio::spawn({
        let a = a.clone();
        async move {
            a.write(move |tx| {
                let taken = tx.claim_deliveries("hook", now, 2, 10_000)?;
                held.send(()).unwrap();
                released.recv().unwrap();
                Ok::<_, StoreError>(taken)
            })
            .await
        }
    });
    tokio::task::spawn_blocking(move || holding.recv().unwrap())
        .await
        .unwrap();
    let meanwhile = unless_hung(b.write(move |tx| tx.claim_deliveries("hook", now, 10, 10_000)))
        .await
        .unwrap();
    release.send(()).unwrap();
    let taken = first.await.unwrap().unwrap();
    let seqs = |deliveries: &[store::DueDelivery]| -> Vec<i64> {
        deliveries.iter().map(|d| d.event_seq).collect()
    };
    assert_eq!(seqs(&taken).len(), 2);
    assert_eq!(seqs(&meanwhile).len(), 2, "the two the first did not take");
    assert!(
        seqs(&meanwhile)
            .iter()
            .all(|seq| !seqs(&taken).contains(seq)),
        "{taken:?} {meanwhile:?}"
    );
    let again = b
        .write(move |tx| tx.claim_deliveries("hook", now, 10, 10_000))
        .await
        .unwrap();
    assert!(again.is_empty(), "every delivery is taken: {again:?}");

    // Neither answered: once their leases are over, their deliveries are another's to post.
    let later = now + 2 * 10_000;
    let back = b
        .write(move |tx| tx.claim_deliveries("hook", later, 10, 10_000))
        .await
        .unwrap();
    assert_eq!(back.len(), 4, "{back:?}");
}

#[tokio::test]
async fn a_fan_out_waits_for_an_event_still_being_written_so_it_misses_none() {
    let Some(database) = FreshDatabase::create("fan_out_waits_for_writers").await else {
        return;
    };
    let (a, b, c) = (
        store_on(&database).await,
        store_on(&database).await,
        store_on(&database).await,
    );
    c.write(|tx| tx.open_webhook_cursors(&["hook".to_owned()]))
        .await
        .unwrap();
    let early = a.insert(submission("+442079460001")).await.unwrap();
    let client = database.client().await;
    client
        .execute("DELETE FROM outbox_events", &[])
        .await
        .unwrap();

    // A writes an event and holds its transaction open; B writes a later-numbered one and commits.
    let (held, holding) = std::sync::mpsc::channel();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let writing = tokio::spawn({
        let a = a.clone();
        async move {
            a.write(move |tx| {
                tx.record_created(&early.id)?;
                held.send(()).unwrap();
                released.recv().unwrap();
                Ok::<_, StoreError>(())
            })
            .await
        }
    });
    tokio::task::spawn_blocking(move || holding.recv().unwrap())
        .await
        .unwrap();
    b.insert(submission("+442079460002")).await.unwrap();

    let types = vec!["contact_request.created".to_owned()];
    let fan_out = tokio::spawn(async move {
        c.write(move |tx| tx.fan_out(&every_created(&types), 0))
            .await
    });
    // Once the fan-out waits for A's transaction, A commits.
    unless_hung(async {
        while client
            .query_one(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
                   AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                &[],
            )
            .await
            .unwrap()
            .get::<_, i64>(0)
            == 0
        {
            tokio::task::yield_now().await;
        }
    })
    .await;
    release.send(()).unwrap();
    writing.await.unwrap().unwrap();
    assert_eq!(
        unless_hung(fan_out).await.unwrap().unwrap(),
        2,
        "both events, the earlier-numbered one committed last"
    );
}

/// A created event's payload with what differs between two records (ids, names, instants) blanked.
fn shape(payload: &str) -> serde_json::Value {
    let mut json: serde_json::Value = serde_json::from_str(payload).unwrap();
    json["timestamp"] = "t".into();
    let data = &mut json["data"];
    for field in ["Id", "Name", "CreatedDate", "LastModifiedDate"] {
        data[field] = "x".into();
    }
    data["attributes"]["url"] = "u".into();
    json
}

#[tokio::test]
async fn a_created_event_says_the_same_on_both_engines() {
    let Some(database) = FreshDatabase::create("created_event_on_both").await else {
        return;
    };
    let postgres = store_on(&database).await;
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Store::open_sqlite(&dir.path().join("events.db")).unwrap();
    let mut payloads = Vec::new();
    for store in [&sqlite, &postgres] {
        let created = store.insert(submission("+442079460958")).await.unwrap();
        let events = store
            .read(move |db| db.outbox_events(&created.id))
            .await
            .unwrap();
        assert_eq!(events.len(), 1, "{events:?}");
        assert!(events[0].event_id.starts_with("msg_") && events[0].event_id.len() == 36);
        payloads.push(shape(&events[0].payload));
    }
    assert_eq!(payloads[0], payloads[1]);
    assert_eq!(payloads[1]["data"]["IsCallback"], false);
}

#[tokio::test]
async fn the_outbox_mail_and_routing_writes_and_reads_answer_on_postgresql() {
    use contact_shared::Status;
    use contact_shared::console::Presence;
    let Some(database) = FreshDatabase::create("outbox_mail_routing_answer").await else {
        return;
    };
    let store = store_on(&database).await;
    let client = database.client().await;
    store.write(|tx| tx.open_mail_cursor()).await.unwrap();
    client
        .batch_execute(
            "INSERT INTO users (id, username, name, email, is_active, created_at)
             VALUES ('u1', 'u1', 'Ann', 'ann@example.com', 1, '2026-01-01T00:00:00.000Z');
             INSERT INTO queue_members (queue_id, user_id, added_at)
             VALUES ('00G000000000001EAA', 'u1', '2026-01-01T00:00:00.000Z');",
        )
        .await
        .unwrap();
    let created = store.insert(submission("+442079460958")).await.unwrap();
    let id = created.id.clone();
    let now = jiff::Timestamp::now();
    let (at, now_ms) = (contact_server::instant::stored(now), now.as_millisecond());

    // Mail: a notice for the queue's member, claimed, failed once, then sent.
    let made = store
        .write(move |tx| tx.take_mail_notices(5))
        .await
        .unwrap();
    assert_eq!(made, 1);
    let due = store
        .write(|tx| tx.claim_digests(5, 10, 1_000))
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    let notices = store.read(|db| db.pending_notices("u1", 50)).await.unwrap();
    let last = notices[0].event_seq;
    store
        .write(move |tx| tx.mail_attempt_failed("u1", last, "down", Some(50), 10))
        .await
        .unwrap();
    store
        .write(move |tx| tx.mail_sent("u1", last, 100))
        .await
        .unwrap();
    let state = store.read(|db| db.mail_state("u1")).await.unwrap().unwrap();
    assert_eq!((state.next_at_ms, state.sent, state.pending), (100, 1, 0));

    // Events of a status change and an update.
    {
        let id = id.clone();
        store
            .write(move |tx| {
                tx.assign_owner(&id, "u1", &crate_now())?;
                tx.record_updated(&id, "u1", Some("00G000000000001EAA"))?;
                tx.record_status_changed(&id, Status::Attempted.as_str(), "u1")
            })
            .await
            .unwrap();
    }
    let events = {
        let id = id.clone();
        store.read(move |db| db.outbox_events(&id)).await.unwrap()
    };
    let kinds: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "contact_request.created",
            "contact_request.updated",
            "contact_request.status_changed"
        ]
    );
    let updated: serde_json::Value = serde_json::from_str(&events[1].payload).unwrap();
    assert_eq!(updated["data"]["fromOwnerId"], "00G000000000001EAA");
    assert_eq!(updated["data"]["record"]["OwnerId"], "u1");
    let changed: serde_json::Value = serde_json::from_str(&events[2].payload).unwrap();
    assert_eq!(changed["data"]["from"], "Attempted");
    assert_eq!(changed["data"]["to"], "New");
    let newest = store.read(|db| db.outbox_newest()).await.unwrap();
    assert_eq!(
        store
            .read(move |db| db.outbox_after(newest - 2, 10))
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(store.read(|db| db.outbox_len()).await.unwrap(), 3);

    // Deliveries: one failed try, then delivered.
    store
        .write(|tx| tx.open_webhook_cursors(&["hook".to_owned()]))
        .await
        .unwrap();
    client
        .execute("UPDATE webhook_cursors SET last_seq = 0", &[])
        .await
        .unwrap();
    let types = vec!["contact_request.status_changed".to_owned()];
    let made = store
        .write(move |tx| tx.fan_out(&every_created(&types), 0))
        .await
        .unwrap();
    assert_eq!(made, 1, "only the type it wants");
    let seq = store
        .read(|db| db.due_deliveries("hook", 0, 10))
        .await
        .unwrap()[0]
        .event_seq;
    store
        .write(move |tx| {
            tx.delivery_attempt_failed("hook", seq, Some(503), "answered 503", Some(7))
        })
        .await
        .unwrap();
    store
        .write(move |tx| tx.delivery_succeeded("hook", seq, 204))
        .await
        .unwrap();
    let log = store.read(|db| db.deliveries("hook")).await.unwrap();
    assert_eq!(
        (log[0].state.as_str(), log[0].attempts, log[0].last_status),
        ("delivered", 2, Some(204))
    );

    // Presence, routing and offers.
    let presence = store
        .write(move |tx| {
            tx.set_capacity("u1", 2, "u1", &crate_now())?;
            tx.touch_presence("u1", now_ms)?;
            tx.set_presence("u1", Presence::Available, &crate_now(), now_ms)
        })
        .await
        .unwrap();
    assert_eq!(
        (presence.state, presence.capacity),
        (Presence::Available, 2)
    );
    let routable = {
        let at = at.clone();
        store
            .read(move |db| db.routable("u1", &at, 10))
            .await
            .unwrap()
    };
    assert_eq!(routable.len(), 1);
    let claimed = {
        let id = id.clone();
        store
            .write(move |tx| tx.claimed(&id))
            .await
            .unwrap()
            .unwrap()
    };
    assert_eq!(claimed.owner_id, "u1");
    let offer = {
        let (id, at) = (id.clone(), at.clone());
        store
            .write(move |tx| tx.make_offer(&id, "00G000000000001EAA", "u1", &at, now_ms + 30_000))
            .await
            .unwrap()
            .unwrap()
    };
    let open = store
        .read(move |db| db.open_offers_of("u1", now_ms))
        .await
        .unwrap();
    assert_eq!(open[0].id, offer);
    assert!(
        store
            .read(move |db| db.offer(offer))
            .await
            .unwrap()
            .is_some()
    );
    let call = {
        let id = id.clone();
        store
            .read(move |db| db.offered_request(&id))
            .await
            .unwrap()
            .unwrap()
    };
    assert!(!call.is_callback);
    assert_eq!(call.phone.as_deref(), Some("+442079460958"));
    let has_work = {
        let at = at.clone();
        store
            .read(move |db| db.routing_has_work(&at, now_ms + 60_000, 0))
            .await
            .unwrap()
    };
    assert!(has_work, "the offer runs out by then");
    let ended = {
        let at = at.clone();
        store
            .write(move |tx| tx.end_stale_offers(&at, now_ms))
            .await
            .unwrap()
    };
    assert_eq!(ended, 1, "withdrawn: its request is no longer the queue's");
    assert!(
        !store
            .write(move |tx| tx.end_offer(offer, "declined", &crate_now()))
            .await
            .unwrap()
    );

    // The supervisor view's reads, and a take-back's marks.
    let (people, holds, queues, takers, oldest) = {
        let at = at.clone();
        store
            .read(move |db| {
                Ok((
                    db.floor_people("nobody")?,
                    db.floor_holds()?,
                    db.floor_queues(&at)?,
                    db.takers("00G000000000001EAA", Some(&at), 0, &at)?,
                    db.oldest_waiting("00G000000000001EAA", &at)?,
                ))
            })
            .await
            .unwrap()
    };
    assert!(
        people
            .iter()
            .any(|p| p.id == "u1" && p.capacity == 2 && p.state == Some(Presence::Available)),
        "{people:?}"
    );
    assert!(holds.is_empty(), "the offer ended: {holds:?}");
    assert!(queues.iter().any(|q| q.id == "00G000000000001EAA"));
    assert!(takers <= 1);
    assert!(oldest.is_none(), "the request is u1's");
    let again = {
        let (id, at) = (id.clone(), at.clone());
        store
            .write(move |tx| tx.make_offer(&id, "00G000000000001EAA", "u1", &at, now_ms + 30_000))
            .await
            .unwrap()
            .unwrap()
    };
    let (first, second) = store
        .write(move |tx| {
            let first = tx.take_back_offer(again, "u1", &crate_now())?;
            let second = tx.take_back_offer(again, "u1", &crate_now())?;
            tx.mark_taken_back(again, "u1", &crate_now())?;
            Ok::<_, StoreError>((first, second))
        })
        .await
        .unwrap();
    assert!(first && !second, "taken back once");

    // Releasing open bookings.
    client
        .execute(
            "UPDATE contact_requests SET scheduled_routing_at = '2999-01-01T00:00:00.000Z' WHERE id = $1",
            &[&id],
        )
        .await
        .unwrap();
    let released = {
        let id = id.clone();
        store
            .write(move |tx| {
                tx.release_bookings(store::Bookings::Ids(&[id]), Some("u1"), &crate_now())
            })
            .await
            .unwrap()
    };
    assert_eq!(released, [id]);
}

fn crate_now() -> String {
    contact_server::instant::now()
}

#[tokio::test]
async fn an_outbox_read_while_an_event_is_being_written_is_not_settled() {
    let Some(database) = FreshDatabase::create("outbox_settled").await else {
        return;
    };
    let store = store_on(&database).await;
    let read = || {
        store.read(|db| {
            db.outbox_settled_after(0, 10)
                .map(|(events, settled)| (events.len(), settled))
        })
    };
    assert_eq!(read().await.unwrap(), (0, true), "nobody writes");
    let mut writer = database.client().await;
    let writing = writer.transaction().await.unwrap();
    writing
        .batch_execute(
            "INSERT INTO outbox_events (event_id, type, record_id, payload, created_at)
             VALUES ('msg_1', 'contact_request.created', '0SR1', '{}', '2026-12-01T00:00:00.000Z')",
        )
        .await
        .unwrap();
    assert_eq!(
        read().await.unwrap(),
        (0, false),
        "an event is being written: a gap may still fill"
    );
    writing.commit().await.unwrap();
    assert_eq!(read().await.unwrap(), (1, true), "committed");
}

/// A cursor of `user`'s, as the API keeps one.
fn query_cursor(user: &str) -> store::QueryCursor {
    store::QueryCursor {
        user: user.to_owned(),
        soql: "SELECT Id FROM ContactRequest".into(),
        all_rows: false,
        checked_at: "2026-02-26T15:40:52.123Z".into(),
        sharing: Some(format!("{{\"owners\":[\"{user}\"]}}")),
        total: 5_000,
        batch: 2_000,
    }
}

#[tokio::test]
async fn two_processes_opening_one_users_cursors_at_once_keep_ten_and_each_reads_the_others() {
    let Some(database) = FreshDatabase::create("cursors_across_processes").await else {
        return;
    };
    let (a, b) = (store_on(&database).await, store_on(&database).await);
    let bounds = store::CursorBounds {
        per_user: 10,
        in_all: 10_000,
    };
    let mut opening = tokio::task::JoinSet::new();
    for i in 0..24 {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        opening.spawn(async move {
            store
                .write(move |tx| {
                    tx.open_query_cursor(
                        &format!("01g{i}"),
                        &query_cursor("me"),
                        &crate_now(),
                        bounds,
                    )
                })
                .await
        });
    }
    for opened in opening.join_all().await {
        opened.unwrap();
    }
    let client = database.client().await;
    let count: i64 = client
        .query_one(
            "SELECT count(*) FROM query_cursors WHERE user_id = 'me'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(count, 10, "one user's opens, in two processes at once");

    a.write(move |tx| tx.open_query_cursor("01gmine", &query_cursor("me"), &crate_now(), bounds))
        .await
        .unwrap();
    let found = b
        .read(|db| db.query_cursor("01gmine", "me", "2000-01-01T00:00:00.000Z"))
        .await
        .unwrap();
    assert_eq!(
        found,
        Some(query_cursor("me")),
        "opened by one, read by the other"
    );
    let theirs = b
        .read(|db| db.query_cursor("01gmine", "them", "2000-01-01T00:00:00.000Z"))
        .await
        .unwrap();
    assert_eq!(theirs, None, "another user's locator finds nothing");
}
