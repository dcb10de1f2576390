//! The PostgreSQL engine against a real PostgreSQL: `CRW_TEST_POSTGRES_URL` names a database whose user
//! may create databases (`cargo xtask postgres start` prints one). Each test works in a fresh database of
//! its own, dropped at the end. Without the variable, each test says it was skipped and passes.

use contact_server::store::{
    self, Booking, Database, IdempotencyKey, Inserted, SpentChallenge, Store, StoreError,
    Submission, Tx,
};
use contact_shared::ContactRequestForm;

// Shared with the API suite, which uses the rest of it.
#[allow(dead_code)]
#[path = "common/fresh_postgres.rs"]
mod fresh_postgres;

use fresh_postgres::FreshDatabase;

/// A server process's store on the database: each call is another process's, with a pool of its own.
async fn store_on(database: &FreshDatabase) -> Store {
    Store::open_postgres(&database.url, 4)
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
    match Store::open_postgres(&url, 1).await {
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
async fn a_read_not_written_for_postgres_yet_says_so() {
    let Some(database) = FreshDatabase::create("not_on_postgres_yet").await else {
        return;
    };
    let store = store_on(&database).await;
    let read = store
        .read(|db| db.reference_exists("005000000000001AAA"))
        .await;
    assert!(
        matches!(read, Err(StoreError::NotOnPostgres(_))),
        "{read:?}"
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
