//! A test app with two call centers (one routing callbacks, one not), a representative's token, and a
//! provider's signed JWTs.

use contact_server::Store;
use contact_server::access::{Scope, directory, tokens};
use contact_shared::console::Role;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use crate::support::{Start, TestApp, TestResponse, call};

pub const SECRET: &str = "0123456789abcdef0123456789abcdef";
pub const OLD_SECRET: &str = "fedcba9876543210fedcba9876543210";
pub const ISSUER: &str = "https://connect.example.com";
pub const AUDIENCE: &str = "contact-server";

pub const CENTERS: &str = r#"
[[call_center]]
internal_name = "main"
name = "Main support"
unified_routing = true
time_zone = "America/New_York"
business_hours = { mon = "09:00-17:00" }
retry_delay_minutes = 10
max_attempts = 3
additional_numbers = [{ name = "Billing line", phone = "+18005550100" }]
[call_center.jwt]
issuer = "https://connect.example.com"
audience = "contact-server"
[[call_center.jwt.keys]]
kid = "2025-01"
algorithm = "HS256"
secret = "fedcba9876543210fedcba9876543210"
[[call_center.jwt.keys]]
kid = "2026-01"
algorithm = "HS256"
secret = "0123456789abcdef0123456789abcdef"

[[call_center]]
internal_name = "legacy"
name = "Legacy desk"
unified_routing = false
time_zone = "Europe/London"
[call_center.jwt]
issuer = "https://connect.example.com"
audience = "contact-server"
[[call_center.jwt.keys]]
kid = "legacy-1"
algorithm = "HS256"
secret = "0123456789abcdef0123456789abcdef"
"#;

pub struct Callbacks {
    pub app: TestApp,
    pub rita: (String, String),
    pub sam: (String, String),
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// A JWT with these claims, signed by `kid` with `secret`.
pub fn jwt(kid: Option<&str>, secret: &str, claims: Value) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = kid.map(str::to_owned);
    encode(
        &header,
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

/// Valid claims: right issuer and audience, an hour to live.
pub fn claims() -> Value {
    json!({ "iss": ISSUER, "aud": AUDIENCE, "exp": now() + 3600, "sub": "connect" })
}

/// A token of the main call center's current key.
pub fn good_token() -> String {
    jwt(Some("2026-01"), SECRET, claims())
}

/// [`CENTERS`] with `settings` (TOML lines) added to its first center, "main", and one site.
pub async fn with_main_center(settings: &str) -> Callbacks {
    let centers = CENTERS.replacen(
        "[call_center.jwt]",
        &format!("{settings}\n[call_center.jwt]"),
        1,
    );
    let app = app_with_centers(
        tempfile::tempdir().expect("temp dir"),
        &centers,
        crate::support::ONE_SITE,
    )
    .await;
    Callbacks::with_app(app).await
}

/// The app on the database in `dir`, with the call centers of `centers` and the sites of `sites`.
pub async fn app_with_centers(dir: tempfile::TempDir, centers: &str, sites: &str) -> TestApp {
    app_with(
        dir,
        centers,
        sites,
        contact_server::protection::Protection::off(),
    )
    .await
}

/// [`app_with_centers`] with this protection.
pub async fn app_with(
    dir: tempfile::TempDir,
    centers: &str,
    sites: &str,
    protection: contact_server::protection::Protection,
) -> TestApp {
    TestApp::start(Start {
        sites,
        call_centers: Some(centers),
        protection,
        ..Start::new(dir)
    })
    .await
}

impl Callbacks {
    pub async fn new() -> Self {
        let app = app_with_centers(
            tempfile::tempdir().expect("temp dir"),
            CENTERS,
            crate::support::ONE_SITE,
        )
        .await;
        Self::with_app(app).await
    }

    /// Rita and Sam, representatives on `app`.
    pub async fn with_app(app: TestApp) -> Self {
        let rita = rep(&app.store, "rita@example.com").await;
        let sam = rep(&app.store, "sam@example.com").await;
        Self { app, rita, sam }
    }

    /// `POST /services/apexrest/callbacks/{id}/claim` as the representative with `token`.
    pub async fn claim(&self, token: &str, id: &str) -> TestResponse {
        let path = format!("/services/apexrest/callbacks/{id}/claim");
        self.api(token, "POST", &path, None).await
    }

    /// The routing view as Rita sees it, for `owner` or her own.
    pub async fn routable(&self, owner: Option<&str>) -> TestResponse {
        let path = match owner {
            Some(owner) => format!("/services/apexrest/callbacks/routable?owner={owner}"),
            None => "/services/apexrest/callbacks/routable".to_owned(),
        };
        self.api(&self.rita.1, "GET", &path, None).await
    }

    /// `POST requestCallback` with these headers and body.
    pub async fn request_callback(
        &self,
        call_id: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: &str,
    ) -> TestResponse {
        let mut request = call(
            "POST",
            &format!("/telephony/v1/voiceCalls/{call_id}/requestCallback"),
        )
        .header("Telephony-Provider-Name", "Amazon Connect");
        if let Some(token) = token {
            request = request.bearer(token);
        }
        self.app
            .call(request.body(content_type, body.to_owned()))
            .await
    }

    /// A callback requested the valid way; its record id.
    pub async fn callback(&self, call_id: &str, body: Value) -> String {
        let response = self
            .request_callback(
                call_id,
                Some(&good_token()),
                Some("application/json"),
                &body.to_string(),
            )
            .await;
        assert_eq!(response.status, 201, "{}", response.body);
        response.body["recordId"].as_str().unwrap().to_owned()
    }

    /// A call of the Salesforce-compatible API with a representative's token.
    pub async fn api(
        &self,
        token: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> TestResponse {
        let mut request = call(method, path).bearer(token);
        if let Some(json) = body {
            request = request.json(&json);
        }
        self.app.call(request).await
    }
}

/// A representative: (user id, write token).
pub async fn rep(store: &Store, username: &str) -> (String, String) {
    let user = directory::add_user(store, username.into(), username.into(), None, Role::Admin)
        .await
        .unwrap();
    let (_, token) = tokens::create(store, user.id.clone(), Scope::Write, None)
        .await
        .unwrap();
    (user.id, token)
}
