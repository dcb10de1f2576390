//! A test app with a representative's write token and a read-only token.

use contact_server::access::{Scope, directory, tokens};
use contact_shared::console::Role;
use serde_json::Value;

use crate::support::{TestApp, TestResponse, call};

pub const BASE: &str = "/services/data/v66.0";

pub struct Api {
    pub app: TestApp,
    pub write: String,
    pub read: String,
    pub user_id: String,
}

impl Api {
    pub async fn new() -> Self {
        Self::on(TestApp::new().await).await
    }

    /// An API whose queries run under `limits`.
    pub async fn with_query_limits(limits: contact_server::sobjects::QueryLimits) -> Self {
        Self::on(TestApp::with_query_limits(limits).await).await
    }

    pub async fn on(app: TestApp) -> Self {
        let user = directory::add_user(
            &app.store,
            "rep@example.com".into(),
            "Rita Rep".into(),
            None,
            Role::Admin,
        )
        .await
        .unwrap();
        let (_, write) = tokens::create(&app.store, user.id.clone(), Scope::Write, None)
            .await
            .unwrap();
        let (_, read) = tokens::create(&app.store, user.id.clone(), Scope::Read, None)
            .await
            .unwrap();
        Self {
            app,
            write,
            read,
            user_id: user.id,
        }
    }

    /// A read token for a second user, another integration.
    pub async fn other_token(&self) -> String {
        let user = directory::add_user(
            &self.app.store,
            "other@example.com".into(),
            "Other".into(),
            None,
            Role::Admin,
        )
        .await
        .unwrap();
        tokens::create(&self.app.store, user.id, Scope::Read, None)
            .await
            .unwrap()
            .1
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> TestResponse {
        let mut request = call(method, &format!("{BASE}{path}"));
        if let Some(token) = token {
            request = request.bearer(token);
        }
        if let Some(json) = body {
            request = request.json(&json);
        }
        self.app.call(request).await
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.call("GET", path, Some(&self.write), None).await
    }

    pub async fn query(&self, soql: &str) -> TestResponse {
        self.get(&query_path(soql)).await
    }

    /// Stores `n` contact requests at once, a few statements of many rows (far faster than `n` calls), each with
    /// the visitor name `Visitor <i>`.
    pub async fn add_rows(&self, n: usize) {
        let ids: Vec<String> = (0..n)
            .map(|_| contact_server::ids::new_id(contact_server::ids::CONTACT_REQUEST_PREFIX))
            .collect();
        let names: Vec<String> = (0..n).map(|i| format!("Visitor {i}")).collect();
        let params: Vec<&str> = ids
            .iter()
            .zip(&names)
            .flat_map(|(id, name)| [id.as_str(), name.as_str()])
            .collect();
        // Many rows a statement, within both engines' limits on a statement's parameters.
        for chunk in params.chunks(800) {
            let rows: Vec<String> = (1..=chunk.len() / 2)
                .map(|i| {
                    format!(
                        "(?{}, ?{}, '2024-05-01T00:00:00.000Z', '2024-05-01T00:00:00.000Z')",
                        2 * i - 1,
                        2 * i
                    )
                })
                .collect();
            self.app.run(
                &format!(
                    "INSERT INTO contact_requests (id, visitor_name, created_at, updated_at) VALUES {}",
                    rows.join(", ")
                ),
                chunk,
            ).await;
        }
    }

    pub async fn create(&self, body: Value) -> String {
        let response = self
            .call(
                "POST",
                "/sobjects/ContactRequest",
                Some(&self.write),
                Some(body),
            )
            .await;
        assert_eq!(response.status, 201, "{}", response.body);
        response.body["id"].as_str().unwrap().to_owned()
    }
}

/// The address of `query/?q=` for `soql`: spaces as `+`, and percent-encoded but for letters, digits and
/// the punctuation a URL's query takes as it is (so that long queries stay within a URL's length).
pub fn query_path(soql: &str) -> String {
    let q: String = soql
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"'(),=!*-._~:@/?;$".contains(&b) {
                (b as char).to_string()
            } else if b == b' ' {
                "+".to_owned()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("/query?q={q}")
}

/// The error code of a Salesforce error array.
pub fn code(response: &TestResponse) -> &str {
    response.body[0]["errorCode"]
        .as_str()
        .unwrap_or_else(|| panic!("not an error array: {}", response.body))
}
