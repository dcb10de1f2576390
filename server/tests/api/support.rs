//! A fresh app per test: its own database, the real router, no port. The database is a SQLite file in a
//! temporary folder, or with `CRW_TEST_ENGINE=postgres` a fresh database on the PostgreSQL server that
//! `CRW_TEST_POSTGRES_URL` names: the whole suite runs on either engine.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use contact_server::protection::Protection;
use contact_server::store::PostgresOptions;
use contact_server::{Store, WidgetAssets, startup};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub use crate::fresh_postgres::{FreshDatabase, admin_url, connect};
pub use contact_server::store::Value as StoredValue;

/// Runs `work` to its end on a thread and runtime of its own: for a test's synchronous helpers, whose
/// caller's runtime may be single-threaded.
fn on_a_runtime_of_its_own<T: Send + 'static>(
    work: impl std::future::Future<Output = T> + Send + 'static,
) -> T {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(work)
    })
    .join()
    .expect("the test's statement ran")
}

pub const PAGE_ORIGIN: &str = "https://shop.example.com";

/// One guest-friendly site on [`PAGE_ORIGIN`], offering everything.
pub const ONE_SITE: &str = r#"
[[site]]
key = "shop"
name = "Example Shop"
allowed_origins = ["https://shop.example.com"]
"#;

pub struct TestApp {
    pub router: Router,
    pub store: Store,
    /// The API's query state, so tests can take its per-user places and read its cursors.
    pub queries: std::sync::Arc<contact_server::sobjects::Queries>,
    pub dir: tempfile::TempDir,
    /// The PostgreSQL database the app runs on, when it runs on one: dropped with the app.
    pub postgres: Option<FreshDatabase>,
}

/// Whether the suite runs on PostgreSQL (`CRW_TEST_ENGINE=postgres`), which then needs its server.
pub fn on_postgres() -> bool {
    match std::env::var("CRW_TEST_ENGINE").as_deref() {
        Ok("postgres") => {
            assert!(
                admin_url().is_some(),
                "CRW_TEST_ENGINE=postgres needs CRW_TEST_POSTGRES_URL (cargo xtask postgres start)"
            );
            true
        }
        Ok("sqlite") | Err(_) => false,
        Ok(other) => panic!("CRW_TEST_ENGINE is sqlite or postgres, not {other}"),
    }
}

/// What a server process opens the database `direct` names with: directly, or through the pooler the
/// tests are given (see [`crate::fresh_postgres::serving`]).
pub fn store_on_postgres(
    direct: &contact_server::store::PostgresUrl,
) -> (contact_server::store::Database, PostgresOptions) {
    let (url, options) =
        crate::fresh_postgres::serving(direct, contact_server::store::DEFAULT_POOL_SIZE);
    (contact_server::store::Database::Postgres(url), options)
}

/// The sites [`TestApp::with_protection`] serves: several guest sites on [`PAGE_ORIGIN`].
fn protection_sites() -> String {
    ["a", "b", "c", "s", "shop", "blog"]
        .iter()
        .map(|key| format!("[[site]]\nkey = \"{key}\"\nname = \"{key}\"\nallowed_origins = [\"{PAGE_ORIGIN}\"]\n"))
        .collect()
}

/// What a test app starts with; [`Start::new`] gives the defaults: one guest site, no protection.
pub struct Start<'a> {
    pub dir: tempfile::TempDir,
    pub widget_dir: Option<&'a std::path::Path>,
    pub sites: &'a str,
    /// The call centers file's text, if any.
    pub call_centers: Option<&'a str>,
    pub protection: Protection,
    pub query_limits: contact_server::sobjects::QueryLimits,
    pub webhooks: Option<contact_server::webhooks::Webhooks>,
    /// How events are forwarded to Adobe Experience Platform; the server's defaults when `None`.
    pub forwarding: Option<contact_server::xdm::forward::Forwarding>,
    /// The environment variables the sites file may name (`token_env`, `secret_env`).
    pub env: &'a [(&'a str, &'a str)],
    pub mail: Option<contact_server::mail::Mail>,
    pub sessions: contact_server::access::session::Sessions,
    pub backoff: contact_server::access::backoff::Backoff,
    /// The PostgreSQL database to start on (a restart's); a fresh one when the suite runs there.
    pub postgres: Option<FreshDatabase>,
    /// Another app's PostgreSQL database, to start on beside it as a second server process would.
    pub beside: Option<contact_server::store::PostgresUrl>,
}

impl Start<'_> {
    pub fn new(dir: tempfile::TempDir) -> Self {
        Self {
            dir,
            widget_dir: None,
            sites: ONE_SITE,
            call_centers: None,
            protection: Protection::off(),
            query_limits: contact_server::sobjects::QueryLimits::default(),
            webhooks: None,
            forwarding: None,
            env: &[],
            mail: None,
            sessions: Default::default(),
            backoff: Default::default(),
            postgres: None,
            beside: None,
        }
    }
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
    /// The body exactly as sent, for answers that are not JSON.
    pub bytes: Vec<u8>,
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_widget_dir(None).await
    }

    pub async fn with_widget_dir(widget_dir: Option<&std::path::Path>) -> Self {
        Self::build(widget_dir, ONE_SITE, Protection::off()).await
    }

    /// An app serving the sites declared in `sites_toml`.
    pub async fn with_sites(sites_toml: &str) -> Self {
        Self::build(None, sites_toml, Protection::off()).await
    }

    /// An app with these rate limits and this bot friction, serving several guest sites on [`PAGE_ORIGIN`].
    pub async fn with_protection(protection: Protection) -> Self {
        Self::build(None, &protection_sites(), protection).await
    }

    /// A restart of an app made by [`Self::with_protection`]: its store shut down, and a new app (with
    /// this protection and fresh memory) on the same database.
    pub async fn restart(self, protection: Protection) -> Self {
        self.store.shutdown().await;
        Self::start(Start {
            sites: &protection_sites(),
            protection,
            postgres: self.postgres,
            ..Start::new(self.dir)
        })
        .await
    }

    /// A second server process beside an app made by [`Self::with_protection`] on PostgreSQL: another
    /// app, with this protection and memory of its own, on the same database (which the first keeps).
    /// `None` on SQLite, which serves one process.
    pub async fn beside(&self, protection: Protection) -> Option<Self> {
        let url = self.postgres.as_ref()?.url.clone();
        Some(
            Self::start(Start {
                sites: &protection_sites(),
                protection,
                beside: Some(url),
                ..Start::new(tempfile::tempdir().expect("temp dir"))
            })
            .await,
        )
    }

    /// A second server process on this app's PostgreSQL database, with the defaults and memory of its
    /// own; `None` on SQLite, which one process serves. The database stays this app's: it must outlive
    /// the second.
    pub async fn another_process(&self) -> Option<Self> {
        let url = self.postgres.as_ref()?.url.clone();
        Some(
            Self::start(Start {
                beside: Some(url),
                ..Start::new(tempfile::tempdir().expect("temp dir"))
            })
            .await,
        )
    }

    /// An app serving the sites declared in `sites_toml`, with this protection.
    pub async fn with_sites_and_protection(sites_toml: &str, protection: Protection) -> Self {
        Self::build(None, sites_toml, protection).await
    }

    /// An app whose API queries run under `limits`.
    pub async fn with_query_limits(limits: contact_server::sobjects::QueryLimits) -> Self {
        Self::start(Start {
            query_limits: limits,
            ..Start::new(tempfile::tempdir().expect("temp dir"))
        })
        .await
    }

    async fn build(
        widget_dir: Option<&std::path::Path>,
        sites_toml: &str,
        protection: Protection,
    ) -> Self {
        Self::start(Start {
            widget_dir,
            sites: sites_toml,
            protection,
            ..Start::new(tempfile::tempdir().expect("temp dir"))
        })
        .await
    }

    /// The app `start` describes, started the way the server starts (`startup::start`).
    pub async fn start(start: Start<'_>) -> Self {
        let dir = start.dir;
        let widget = WidgetAssets::load(start.widget_dir.unwrap_or(&dir.path().join("no-widget")));
        let call_centers = match start.call_centers {
            Some(toml) => contact_server::call_centers::file::parse(
                toml,
                contact_server::softphone::known_field,
            )
            .expect("centers parse"),
            None => contact_server::call_centers::CallCenters::default(),
        };
        let sites = contact_server::sites::file::parse(
            std::path::Path::new("test.toml"),
            start.sites,
            &|name| {
                start
                    .env
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| (*value).to_owned())
            },
            &call_centers,
        )
        .expect("test sites parse");
        let postgres = match start.postgres {
            Some(database) => Some(database),
            None if on_postgres() && start.beside.is_none() => {
                Some(FreshDatabase::migrated(admin_url().unwrap()).await)
            }
            None => None,
        };
        let (database, postgres_options) = match (&postgres, start.beside) {
            (Some(fresh), _) => store_on_postgres(&fresh.url),
            (None, Some(url)) => store_on_postgres(&url),
            (None, None) => (
                contact_server::store::Database::Sqlite(dir.path().join("test.sqlite3")),
                PostgresOptions::default(),
            ),
        };
        let started = startup::start(startup::Settings {
            database,
            read_connections: contact_server::store::default_read_connections(),
            postgres: postgres_options,
            sites: sites.sites,
            request_reasons: sites.reasons,
            call_centers,
            protection: start.protection,
            query_limits: start.query_limits,
            widget,
            webhooks: start.webhooks,
            forwarding: start
                .forwarding
                .unwrap_or_else(|| contact_server::xdm::forward::Forwarding::new(false)),
            mail: start.mail,
            sessions: start.sessions,
            backoff: start.backoff,
            push_routing: false,
        })
        .await
        .expect("the app starts");
        Self {
            router: started.router,
            store: started.store,
            queries: started.queries,
            dir,
            postgres,
        }
    }

    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        answer(self.router.clone(), request).await
    }

    /// Sends the request `call` describes.
    pub async fn call(&self, call: Call) -> TestResponse {
        self.send(call.build()).await
    }

    /// Sends every request at once, each from a task of its own (so the store commits them in groups), and
    /// returns the answers in the order of the requests.
    pub async fn send_all(&self, requests: Vec<Request<Body>>) -> Vec<TestResponse> {
        let mut tasks = tokio::task::JoinSet::new();
        for (index, request) in requests.into_iter().enumerate() {
            let router = self.router.clone();
            tasks.spawn(async move { (index, answer(router, request).await) });
        }
        let mut answers = tasks.join_all().await;
        answers.sort_by_key(|(index, _)| *index);
        answers.into_iter().map(|(_, answer)| answer).collect()
    }

    /// Posts raw bytes to the intake endpoint with the given content type.
    pub async fn post_raw(
        &self,
        content_type: Option<&str>,
        body: impl Into<Body>,
    ) -> TestResponse {
        self.call(
            call("POST", contact_shared::CONTACT_REQUESTS_PATH)
                .header(header::ORIGIN.as_str(), PAGE_ORIGIN)
                .body(content_type, body),
        )
        .await
    }

    pub async fn post_json(&self, json: &Value) -> TestResponse {
        self.post_raw(Some("application/json"), json.to_string())
            .await
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.call(call("GET", path)).await
    }

    /// How many contact requests the database holds, read from the database itself.
    pub fn stored_count(&self) -> i64 {
        match &self.rows("SELECT count(*) FROM contact_requests", &[])[0][0] {
            StoredValue::Integer(n) => *n,
            other => panic!("a count is an integer, not {other:?}"),
        }
    }

    /// What a subcommand of the binary is given as `--database` to reach this app's database.
    pub fn database_arg(&self) -> std::ffi::OsString {
        match &self.postgres {
            Some(fresh) => fresh.url.expose().into(),
            None => self.dir.path().join("test.sqlite3").into(),
        }
    }

    /// The rows `sql` answers with `params`, on a connection of the test's own to the database beside
    /// the server's: to read what no API offers. Reads only, which wait for no lock on either engine, so
    /// blocking the test's thread is safe; writes go through [`Self::execute`] or [`Self::run`]. `sql` is
    /// in the dialect both engines share, with SQLite's placeholders (`?1`).
    pub fn rows(&self, sql: &str, params: &[&str]) -> Vec<Vec<StoredValue>> {
        match &self.postgres {
            Some(fresh) => {
                let url = fresh.url.expose().to_owned();
                let sql = contact_server::store::sql::to_postgres(sql);
                let params: Vec<String> = params.iter().map(|p| (*p).to_owned()).collect();
                on_a_runtime_of_its_own(async move {
                    let client = connect(&url).await;
                    let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = params
                        .iter()
                        .map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync))
                        .collect();
                    client
                        .query(&sql, &params)
                        .await
                        .expect("the test's statement runs")
                        .iter()
                        .map(|row| contact_server::store::sql::postgres_values(row).unwrap())
                        .collect()
                })
            }
            None => {
                let conn = self.sqlite();
                let mut statement = conn.prepare(sql).expect("the test's statement parses");
                let width = statement.column_count();
                statement
                    .query_map(rusqlite::params_from_iter(params), |row| {
                        (0..width)
                            .map(|i| row.get_ref(i).map(StoredValue::from))
                            .collect::<rusqlite::Result<Vec<_>>>()
                    })
                    .and_then(Iterator::collect)
                    .expect("the test's statement runs")
            }
        }
    }

    /// The text in the first column of the first row `sql` answers.
    pub fn text(&self, sql: &str, params: &[&str]) -> String {
        self.rows(sql, params)
            .first()
            .and_then(|row| row.first())
            .and_then(|value| value.as_text())
            .unwrap_or_else(|| panic!("{sql} answers text"))
            .to_owned()
    }

    /// Runs `sqlite`'s statements on SQLite or `postgres`'s on PostgreSQL, on a connection of the test's
    /// own: to set up what no API offers (the two texts, where the dialects differ). Awaited, never run
    /// blocking: a write may wait for a lock that a transaction of the app's holds, and on PostgreSQL that
    /// transaction commits only through a connection task on this test's runtime, which a blocked thread
    /// would never run again (a test once hung for good that way).
    pub async fn execute(&self, sqlite: &str, postgres: &str) {
        match &self.postgres {
            Some(fresh) => connect(fresh.url.expose())
                .await
                .batch_execute(postgres)
                .await
                .expect("the test's statements run"),
            None => {
                let (path, sql) = (self.sqlite_path(), sqlite.to_owned());
                tokio::task::spawn_blocking(move || {
                    sqlite_connection(&path)
                        .execute_batch(&sql)
                        .expect("the test's statements run")
                })
                .await
                .unwrap()
            }
        }
    }

    /// Runs the one statement `sql` (in [`Self::rows`]'s dialect) with `params` on a connection of the
    /// test's own, awaited as [`Self::execute`] is: for the writes a test sets up with values.
    pub async fn run(&self, sql: &str, params: &[&str]) {
        let params: Vec<String> = params.iter().map(|p| (*p).to_owned()).collect();
        match &self.postgres {
            Some(fresh) => {
                let sql = contact_server::store::sql::to_postgres(sql);
                let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = params
                    .iter()
                    .map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync))
                    .collect();
                connect(fresh.url.expose())
                    .await
                    .execute(&sql, &params)
                    .await
                    .expect("the test's statement runs");
            }
            None => {
                let (path, sql) = (self.sqlite_path(), sql.to_owned());
                tokio::task::spawn_blocking(move || {
                    sqlite_connection(&path)
                        .execute(&sql, rusqlite::params_from_iter(params))
                        .expect("the test's statement runs")
                })
                .await
                .unwrap();
            }
        }
    }

    fn sqlite_path(&self) -> std::path::PathBuf {
        self.dir.path().join("test.sqlite3")
    }

    /// A connection of the test's own to the SQLite file.
    fn sqlite(&self) -> rusqlite::Connection {
        sqlite_connection(&self.sqlite_path())
    }
}

fn sqlite_connection(path: &std::path::Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(30))
        .unwrap();
    conn
}

/// One request of a test, the one way every test builds one: a method and a path, then what it carries.
pub struct Call {
    request: axum::http::request::Builder,
    body: Body,
}

/// A request of `method` to `path`, with no headers and no body yet.
pub fn call(method: &str, path: &str) -> Call {
    Call {
        request: Request::builder().method(method).uri(path),
        body: Body::empty(),
    }
}

impl Call {
    /// With `Authorization: Bearer {token}`.
    pub fn bearer(self, token: &str) -> Self {
        self.header(header::AUTHORIZATION.as_str(), &format!("Bearer {token}"))
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.request = self.request.header(name, value);
        self
    }

    /// With `body` as JSON.
    pub fn json(self, body: &Value) -> Self {
        self.body(Some("application/json"), body.to_string())
    }

    /// With `body`, of `content_type` when given.
    pub fn body(mut self, content_type: Option<&str>, body: impl Into<Body>) -> Self {
        if let Some(content_type) = content_type {
            self.request = self.request.header(header::CONTENT_TYPE, content_type);
        }
        self.body = body.into();
        self
    }

    pub fn build(self) -> Request<Body> {
        self.request
            .body(self.body)
            .expect("a test's request is well formed")
    }
}

/// The router's answer to `request`, read whole.
async fn answer(router: Router, request: Request<Body>) -> TestResponse {
    let response = router.oneshot(request).await.expect("router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    TestResponse {
        status,
        headers,
        body,
        bytes: bytes.to_vec(),
    }
}

/// A submission of `form` from a page of the test site, with an `Idempotency-Key` if given.
pub fn submission(form: &Value, key: Option<&str>) -> Request<Body> {
    let mut request = Request::post(contact_shared::CONTACT_REQUESTS_PATH)
        .header(header::ORIGIN, PAGE_ORIGIN)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    request.body(Body::from(form.to_string())).unwrap()
}

pub fn valid_form() -> Value {
    serde_json::json!({
        "request_reason": "Billing",
        "preferred_channel": "Phone",
        "preferred_phone": "+44 20 7946 0958",
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "request_description": "I was charged twice.",
        "is_callback": false
    })
}

/// Asserts the body is the shared error shape and returns it.
pub fn error_body(response: &TestResponse) -> contact_shared::ErrorBody {
    assert_eq!(
        response
            .headers
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap()),
        Some("application/json"),
        "errors are JSON"
    );
    serde_json::from_value(response.body.clone()).expect("the error has the shared shape")
}

/// `request` as if sent from `ip`, the way the server's listener names the peer.
pub fn from(ip: [u8; 4], mut request: Request<Body>) -> Request<Body> {
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            ip, 40_000,
        ))));
    request
}
