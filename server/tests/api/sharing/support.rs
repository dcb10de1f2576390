//! A team: two queues (Billing, Support), a representative in each (Ann in Billing, Bob in Support), a
//! supervisor (Sue) and an admin (Ada), each with a write token; and four requests, one owned by each
//! queue and one by each representative.

use contact_server::access::{Scope, directory, tokens};
use contact_shared::console::Role;
use serde_json::{Value, json};

use crate::support::{TestApp, TestResponse, call};

pub const BASE: &str = "/services/data/v62.0";

pub struct Member {
    pub id: String,
    pub token: String,
}

pub struct Team {
    pub app: TestApp,
    pub billing: String,
    pub support: String,
    pub ann: Member,
    pub bob: Member,
    pub sue: Member,
    pub ada: Member,
    /// Requests owned by Billing, Support, Ann and Bob.
    pub of_billing: String,
    pub of_support: String,
    pub of_ann: String,
    pub of_bob: String,
}

pub async fn member(app: &TestApp, username: &str, role: Role, queue: Option<&str>) -> Member {
    let user = directory::add_user(
        &app.store,
        format!("{username}@example.com"),
        username.into(),
        None,
        role,
    )
    .await
    .unwrap();
    if let Some(queue) = queue {
        directory::set_membership(&app.store, queue.into(), user.id.clone(), true)
            .await
            .unwrap();
    }
    let (_, token) = tokens::create(&app.store, user.id.clone(), Scope::Write, None)
        .await
        .unwrap();
    Member { id: user.id, token }
}

impl Team {
    pub async fn new() -> Self {
        let app = TestApp::new().await;
        let billing = directory::add_queue(&app.store, "Billing".into(), false)
            .await
            .unwrap()
            .id;
        let support = directory::add_queue(&app.store, "Support".into(), false)
            .await
            .unwrap()
            .id;
        let ann = member(&app, "ann", Role::Representative, Some("Billing")).await;
        let bob = member(&app, "bob", Role::Representative, Some("Support")).await;
        let sue = member(&app, "sue", Role::Supervisor, None).await;
        let ada = member(&app, "ada", Role::Admin, None).await;
        let mut team = Self {
            app,
            billing,
            support,
            ann,
            bob,
            sue,
            ada,
            of_billing: String::new(),
            of_support: String::new(),
            of_ann: String::new(),
            of_bob: String::new(),
        };
        team.of_billing = team.request_for(&team.billing.clone()).await;
        team.of_support = team.request_for(&team.support.clone()).await;
        team.of_ann = team.request_for(&team.ann.id.clone()).await;
        team.of_bob = team.request_for(&team.bob.id.clone()).await;
        team
    }

    /// A new request owned by `owner`, made by the admin.
    pub async fn request_for(&self, owner: &str) -> String {
        let made = self
            .api(
                &self.ada,
                "POST",
                "/sobjects/ContactRequest",
                Some(json!({ "OwnerId": owner, "PreferredPhone": "+14155550100" })),
            )
            .await;
        assert_eq!(made.status, 201, "{}", made.body);
        made.body["id"].as_str().unwrap().to_owned()
    }

    /// A call of the Salesforce-compatible API as `who`.
    pub async fn api(
        &self,
        who: &Member,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> TestResponse {
        self.send(Some(who), method, &format!("{BASE}{path}"), body)
            .await
    }

    /// A call of any route as `who` (or with no token).
    pub async fn send(
        &self,
        who: Option<&Member>,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> TestResponse {
        let mut request = call(method, path);
        if let Some(who) = who {
            request = request.bearer(&who.token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.app.call(request).await
    }

    /// The ids `who` finds with `soql`, following every page.
    pub async fn ids(&self, who: &Member, soql: &str) -> Vec<String> {
        let first = self
            .api(
                who,
                "GET",
                &crate::sobjects::support::query_path(soql),
                None,
            )
            .await;
        assert_eq!(first.status, 200, "{}", first.body);
        let mut page = first.body;
        let mut ids = Vec::new();
        loop {
            ids.extend(
                page["records"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["Id"].as_str().unwrap().to_owned()),
            );
            let Some(next) = page["nextRecordsUrl"].as_str() else {
                break;
            };
            let more = self.send(Some(who), "GET", next, None).await;
            assert_eq!(more.status, 200, "{}", more.body);
            page = more.body;
        }
        ids.sort();
        ids
    }
}

pub fn sorted(ids: &[&String]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(|s| (*s).clone()).collect();
    ids.sort();
    ids
}

/// The error code of a Salesforce error array.
pub fn code(response: &TestResponse) -> String {
    response.body[0]["errorCode"]
        .as_str()
        .unwrap_or_else(|| panic!("not an error array: {}", response.body))
        .to_owned()
}
