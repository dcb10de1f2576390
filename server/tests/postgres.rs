//! The PostgreSQL engine against a real PostgreSQL: `CRW_TEST_POSTGRES_URL` names a database whose user
//! may create databases (`cargo xtask postgres start` prints one). Each test works in a fresh database of
//! its own, dropped at the end. Without the variable, each test says it was skipped and passes.

use contact_server::store::{self, Database, PostgresUrl};
use tokio_postgres::NoTls;

/// A database of the test's own on the test server, dropped when this is dropped.
struct FreshDatabase {
    admin: String,
    name: String,
    url: PostgresUrl,
}

impl FreshDatabase {
    /// A new empty database, or `None` (printing why) when no test server is set.
    async fn create(test: &str) -> Option<Self> {
        let Ok(admin) = std::env::var("CRW_TEST_POSTGRES_URL") else {
            eprintln!(
                "{test}: skipped, CRW_TEST_POSTGRES_URL is not set (cargo xtask postgres start)"
            );
            return None;
        };
        let name = format!("crw_test_{}", rand::random::<u64>());
        run_as_admin(&admin, &format!("CREATE DATABASE {name}")).await;
        let (base, query) = admin
            .split_once('?')
            .map_or((admin.as_str(), None), |(b, q)| (b, Some(q)));
        let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
        let url = format!(
            "{server}/{name}{}",
            query.map(|q| format!("?{q}")).unwrap_or_default()
        );
        let Ok(Database::Postgres(url)) = url.parse() else {
            panic!("{url} is a PostgreSQL URL");
        };
        Some(Self { admin, name, url })
    }

    /// A connection of the test's own to the database.
    async fn client(&self) -> tokio_postgres::Client {
        connect(self.url.expose()).await
    }
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        let admin = self.admin.clone();
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        // The test's runtime is ending; the drop gets one of its own on a thread of its own.
        std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(run_as_admin(&admin, &sql));
        })
        .join()
        .unwrap();
    }
}

async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .expect("the test server answers");
    tokio::spawn(connection);
    client
}

async fn run_as_admin(admin: &str, sql: &str) {
    connect(admin).await.batch_execute(sql).await.expect(sql);
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
        applied,
        [0, 1],
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
    assert_eq!(versions, [1]);
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
