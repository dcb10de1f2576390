//! A database of a test's own on the test PostgreSQL server that `CRW_TEST_POSTGRES_URL` names (a user
//! that may create databases: `cargo xtask postgres start` prints one), dropped when the test ends.
//!
//! [`FreshDatabase::create`] gives an empty one; [`FreshDatabase::migrated`] one with the schema, copied
//! from a template migrated once per build of the migrations (PostgreSQL copies a database in a few
//! milliseconds, where running every migration takes a few hundred).

use contact_server::store::{Database, PostgresOptions, PostgresUrl};
use tokio_postgres::NoTls;

/// The test server's admin URL, if the tests are given one.
pub fn admin_url() -> Option<String> {
    std::env::var("CRW_TEST_POSTGRES_URL").ok()
}

/// A pooler in transaction mode in front of the test server, if the tests are given one
/// (`cargo xtask test` starts PgBouncer for a second run of the suites): its URL, any database.
pub fn pooler_url() -> Option<String> {
    std::env::var("CRW_TEST_POSTGRES_POOLER_URL").ok()
}

/// What a server process of the test opens its store with, on the database `direct` names: that URL,
/// or with a pooler given, the same database through the pooler, its statements sent unnamed and its
/// live feed listening on `direct`.
pub fn serving(direct: &PostgresUrl, pool_size: usize) -> (PostgresUrl, PostgresOptions) {
    let Some(pooler) = pooler_url() else {
        return (
            direct.clone(),
            PostgresOptions::default().with_pool_size(pool_size),
        );
    };
    let base = direct.expose().split('?').next().unwrap_or_default();
    let name = base.rsplit_once('/').map_or(base, |(_, name)| name);
    let Ok(Database::Postgres(through)) = on_database(&pooler, name).parse() else {
        panic!("{pooler} is a PostgreSQL URL");
    };
    let options = PostgresOptions::new(pool_size, true, Some(direct.clone()))
        .expect("a pooler with a listen URL is accepted");
    (through, options)
}

/// A database of the test's own, dropped when this is dropped.
pub struct FreshDatabase {
    admin: String,
    name: String,
    pub url: PostgresUrl,
}

impl FreshDatabase {
    /// A new empty database, or `None` (printing why) when no test server is set.
    pub async fn create(test: &str) -> Option<Self> {
        let Some(admin) = admin_url() else {
            eprintln!(
                "{test}: skipped, CRW_TEST_POSTGRES_URL is not set (cargo xtask postgres start)"
            );
            return None;
        };
        Some(Self::named(admin, "", "").await)
    }

    /// A new database with the whole schema, on the server `admin` names.
    pub async fn migrated(admin: String) -> Self {
        let template = template(&admin).await;
        Self::named(admin, " TEMPLATE ", &template).await
    }

    async fn named(admin: String, template_clause: &str, template: &str) -> Self {
        let name = format!("crw_test_{}", rand::random::<u64>());
        run_as_admin(
            &admin,
            &format!("CREATE DATABASE {name}{template_clause}{template}"),
        )
        .await;
        let url = on_database(&admin, &name);
        let Ok(Database::Postgres(url)) = url.parse() else {
            panic!("{url} is a PostgreSQL URL");
        };
        Self { admin, name, url }
    }

    /// A connection of the test's own to the database.
    pub async fn client(&self) -> tokio_postgres::Client {
        connect(self.url.expose()).await
    }
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        let admin = self.admin.clone();
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        // The test's runtime may be ending; the drop gets one of its own on a thread of its own.
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

/// `admin`'s URL with its database replaced by `name`.
fn on_database(admin: &str, name: &str) -> String {
    let (base, query) = admin
        .split_once('?')
        .map_or((admin, None), |(b, q)| (b, Some(q)));
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    format!(
        "{server}/{name}{}",
        query.map(|q| format!("?{q}")).unwrap_or_default()
    )
}

/// The name of a database holding this build's whole schema and nothing else, migrated the first time
/// it is asked for (named after the migrations, so a changed migration gets a template of its own).
async fn template(admin: &str) -> String {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    // Each test runs on a runtime of its own, so the one migrating runs on a thread and runtime of its
    // own too: a connection it opened must not belong to a runtime that ends with its test.
    let admin = admin.to_owned();
    TEMPLATE
        .get_or_init(|| async move {
            tokio::task::spawn_blocking(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap()
                    .block_on(make_template(&admin))
            })
            .await
            .unwrap()
        })
        .await
        .clone()
}

async fn make_template(admin: &str) -> String {
    let name = format!(
        "crw_template_{:016x}",
        contact_server::store::postgres_schema_hash()
    );
    let client = connect(admin).await;
    let exists = client
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await
        .unwrap()
        .is_some();
    if !exists {
        let building = format!("{name}_building_{}", rand::random::<u32>());
        client
            .batch_execute(&format!("CREATE DATABASE {building}"))
            .await
            .unwrap();
        let url = on_database(admin, &building);
        let Ok(Database::Postgres(url)) = url.parse() else {
            panic!("{url} is a PostgreSQL URL");
        };
        contact_server::store::migrate_postgres(&url)
            .await
            .expect("the template migrates");
        // Renamed only once complete, so a template by this name is always whole; another test
        // process that got there first leaves this one to be dropped.
        let renamed = client
            .batch_execute(&format!("ALTER DATABASE {building} RENAME TO {name}"))
            .await;
        if renamed.is_err() {
            let _ = client
                .batch_execute(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
                .await;
        }
    }
    name
}

pub async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .expect("the test server answers");
    tokio::spawn(connection);
    client
}

pub async fn run_as_admin(admin: &str, sql: &str) {
    connect(admin).await.batch_execute(sql).await.expect(sql);
}
