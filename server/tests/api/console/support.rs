//! A test app with a representative who has a console password, a clock the test turns, and one way to
//! call the console as a browser would (with the session cookie and the page's origin).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use contact_server::access::backoff::Backoff;
use contact_server::access::directory;
use contact_server::access::password::{self, Password};
use contact_server::access::session::Sessions;
use contact_shared::console::{API_PREFIX, Role};
use serde_json::{Value, json};

use crate::sobjects::support::Api;
use crate::support::{Call, Start, TestApp, TestResponse, call};

pub const USERNAME: &str = "rep@example.com";
pub const PASSWORD: &str = "correct horse battery staple";
/// Where the server is reached when a test does not give a public URL: the `Host` of every call.
pub const HOST: &str = "console.test";
pub const OWN_ORIGIN: &str = "http://console.test";

/// A console: the API's app and its admin user ([`Api`], `rep@example.com`), with a password, and a
/// turnable clock.
pub struct Console {
    pub api: Api,
    /// Seconds the sessions' clock has been moved on since the start.
    ahead: Arc<AtomicI64>,
}

/// What a console test app starts with.
pub struct Options {
    pub public_url: Option<&'static str>,
    pub idle: Duration,
    pub lifetime: Duration,
    pub backoff: Backoff,
    /// The call-center file's text, if any.
    pub call_centers: Option<&'static str>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            public_url: None,
            idle: Duration::from_secs(8 * 3_600),
            lifetime: Duration::from_secs(7 * 24 * 3_600),
            backoff: Backoff::default(),
            call_centers: None,
        }
    }
}

impl Console {
    pub async fn new() -> Self {
        Self::with(Options::default()).await
    }

    pub async fn with(options: Options) -> Self {
        let ahead = Arc::new(AtomicI64::new(0));
        let mut sessions =
            Sessions::new(options.public_url, options.idle, options.lifetime).unwrap();
        // Frozen at the start: it moves only when the test moves it, however slow the machine.
        let (clock, start) = (Arc::clone(&ahead), jiff::Timestamp::now());
        sessions.clock = Arc::new(move || {
            start
                .checked_add(jiff::SignedDuration::from_secs(
                    clock.load(Ordering::SeqCst),
                ))
                .unwrap()
        });
        let app = TestApp::start(Start {
            sessions,
            backoff: options.backoff,
            call_centers: options.call_centers,
            ..Start::new(tempfile::tempdir().unwrap())
        })
        .await;
        let api = Api::on(app).await;
        password::set(
            &api.app.store,
            api.user_id.clone(),
            Password::parse(PASSWORD.into()).unwrap(),
            contact_server::instant::now(),
        )
        .await
        .unwrap();
        Self { api, ahead }
    }

    /// Adds a user with `role` and the password [`PASSWORD`]; answers its id.
    pub async fn add_user(&self, username: &str, role: Role) -> String {
        let store = &self.api.app.store;
        let user = directory::add_user(store, username.into(), username.into(), None, role)
            .await
            .unwrap();
        password::set(
            store,
            user.id.clone(),
            Password::parse(PASSWORD.into()).unwrap(),
            contact_server::instant::now(),
        )
        .await
        .unwrap();
        user.id
    }

    /// Moves the sessions' clock on by `seconds`.
    pub fn advance(&self, seconds: i64) {
        self.ahead.fetch_add(seconds, Ordering::SeqCst);
    }

    pub async fn call(&self, call: Call) -> TestResponse {
        self.api.app.call(call.header("host", HOST)).await
    }

    /// Signs in as `username` with `password`, as the console page does (from its own origin).
    pub async fn sign_in_as(&self, username: &str, password: &str) -> TestResponse {
        self.call(
            call("POST", &format!("{API_PREFIX}/session"))
                .header("origin", OWN_ORIGIN)
                .json(&json!({"username": username, "password": password})),
        )
        .await
    }

    /// Signs in as the representative and answers the session cookie (`name=value`).
    pub async fn signed_in(&self) -> String {
        let response = self.sign_in_as(USERNAME, PASSWORD).await;
        assert_eq!(response.status, 200, "{}", response.body);
        session_cookie(&response).expect("a sign-in sets the session cookie")
    }

    /// `GET /console/api/me` with `cookie`.
    pub async fn me(&self, cookie: &str) -> TestResponse {
        self.call(call("GET", &format!("{API_PREFIX}/me")).header("cookie", cookie))
            .await
    }

    /// A change the page makes with its cookie, from its own origin.
    pub async fn change(
        &self,
        method: &str,
        path: &str,
        cookie: &str,
        body: Option<Value>,
    ) -> TestResponse {
        let mut request = call(method, path)
            .header("cookie", cookie)
            .header("origin", OWN_ORIGIN);
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.call(request).await
    }
}

/// The `Set-Cookie` header of `response` for the session cookie, if any, whole.
pub fn set_cookie(response: &TestResponse) -> Option<String> {
    response
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.contains("crw_session="))
        .map(str::to_owned)
}

/// The `name=value` of the session cookie `response` sets.
pub fn session_cookie(response: &TestResponse) -> Option<String> {
    set_cookie(response).map(|header| header.split(';').next().unwrap().to_owned())
}
