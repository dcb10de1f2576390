//! A test app with a representative's write token and a read-only token.

use axum::body::Body;
use axum::http::{Request, header};
use contact_server::access::{Scope, directory, tokens};
use serde_json::Value;

use crate::support::{TestApp, TestResponse};

pub const BASE: &str = "/services/data/v50.0";

pub struct Api {
    pub app: TestApp,
    pub write: String,
    pub read: String,
    pub user_id: String,
}

impl Api {
    pub async fn new() -> Self {
        let app = TestApp::new();
        let user = directory::add_user(
            &app.store,
            "rep@example.com".into(),
            "Rita Rep".into(),
            None,
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

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> TestResponse {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{BASE}{path}"));
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = match body {
            Some(json) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        self.app.send(request.body(body).unwrap()).await
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.call("GET", path, Some(&self.write), None).await
    }

    pub async fn query(&self, soql: &str) -> TestResponse {
        let q: String = soql
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        self.get(&format!("/query?q={q}")).await
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

/// The error code of a Salesforce error array.
pub fn code(response: &TestResponse) -> &str {
    response.body[0]["errorCode"]
        .as_str()
        .unwrap_or_else(|| panic!("not an error array: {}", response.body))
}
