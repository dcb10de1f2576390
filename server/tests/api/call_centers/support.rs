//! The callbacks' two call centers from the file ("main", with its Billing line, and "legacy"), an
//! admin (Ada) and a representative (Ann), each with a write token.

use serde_json::{Value, json};

use crate::callbacks::support::{CENTERS, app_with_centers};
use crate::sharing::support::{BASE, Member, member};
use crate::support::{ONE_SITE, Start, TestApp, TestResponse, call};
use contact_shared::console::Role;

pub struct Centers {
    pub app: TestApp,
    pub ada: Member,
    pub ann: Member,
}

/// A valid body for a new call center, `west`.
pub fn west() -> Value {
    json!({
        "Name": "West desk",
        "InternalName": "west",
        "UnifiedRoutingEnabled__c": true,
        "TimeZone__c": "America/Los_Angeles",
        "BusinessHours__c": "{\"mon\": \"08:00-16:00\"}",
        "RetryDelaySeconds__c": 1200,
        "MaxAttempts__c": 2,
    })
}

impl Centers {
    /// The app with the callbacks' call-center file.
    pub async fn new() -> Self {
        let app = app_with_centers(tempfile::tempdir().expect("temp dir"), CENTERS, ONE_SITE).await;
        let ada = member(&app, "ada", Role::Admin, None).await;
        let ann = member(&app, "ann", Role::Representative, None).await;
        Self { app, ada, ann }
    }

    /// The same server started again on its database with the call-center file `centers`.
    pub async fn restart(self, centers: &str) -> Self {
        let Self { app, ada, ann } = self;
        app.store.shutdown().await;
        let TestApp { dir, postgres, .. } = app;
        let app = TestApp::start(Start {
            call_centers: Some(centers),
            postgres,
            ..Start::new(dir)
        })
        .await;
        Self { app, ada, ann }
    }

    /// A call of the Salesforce-compatible API (under `/services/data/v62.0`) as `who`.
    pub async fn api(
        &self,
        who: &Member,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> TestResponse {
        let mut request = call(method, &format!("{BASE}{path}")).bearer(&who.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.app.call(request).await
    }

    /// The records of `soql` as `who` reads them.
    pub async fn soql(&self, who: &Member, soql: &str) -> Vec<Value> {
        let path = crate::sobjects::support::query_path(soql);
        let found = self.api(who, "GET", &path, None).await;
        assert_eq!(found.status, 200, "{soql}: {}", found.body);
        found.body["records"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The id of the call center with this internal name.
    pub async fn center_id(&self, internal_name: &str) -> String {
        let found = self
            .soql(
                &self.ada,
                &format!("SELECT Id FROM CallCenter WHERE InternalName = '{internal_name}'"),
            )
            .await;
        found[0]["Id"].as_str().expect("the center").to_owned()
    }

    /// Creates `body` as `object` as Ada; its id.
    pub async fn create(&self, object: &str, body: Value) -> String {
        let made = self
            .api(
                &self.ada,
                "POST",
                &format!("/sobjects/{object}"),
                Some(body),
            )
            .await;
        assert_eq!(made.status, 201, "{}", made.body);
        made.body["id"].as_str().unwrap().to_owned()
    }
}

/// The one error of an answer: its code, fields and message.
pub fn error(response: &TestResponse) -> (String, Vec<String>, String) {
    let first = &response.body[0];
    (
        first["errorCode"].as_str().unwrap_or_default().to_owned(),
        first["fields"]
            .as_array()
            .map(|f| {
                f.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        first["message"].as_str().unwrap_or_default().to_owned(),
    )
}
