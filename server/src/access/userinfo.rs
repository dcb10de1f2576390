//! `GET /services/oauth2/userinfo`: who the bearer token acts as, in the fields of Salesforce's OpenID
//! Connect userinfo. Salesforce clients ask it when they sign in with an access token (the `sf` CLI reads
//! `preferred_username`, `user_id`, `organization_id` and `urls` from it).

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::HOST;
use serde_json::{Value, json};

use super::Caller;
use crate::ids;
use crate::salesforce::SfError;
use crate::store::{Store, UserRow};

/// The address userinfo is served at, under `/services`.
pub const PATH: &str = "/services/oauth2/userinfo";

/// The caller's user and organisation, with the addresses of the API it may call.
pub async fn userinfo(
    caller: Caller,
    State(store): State<Store>,
    headers: HeaderMap,
) -> Result<Json<Value>, SfError> {
    let id = caller.user_id.as_str().to_owned();
    // A token of a user who is gone fails to verify; the user is there unless it was removed meanwhile.
    let user = store
        .read(move |db| db.user(&id))
        .await?
        .ok_or_else(SfError::session)?;
    Ok(Json(body(&user, &instance_url(&headers))))
}

/// The instance's address as the client reached it: the API answers at whatever host it was asked on.
fn instance_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}

fn body(user: &UserRow, instance: &str) -> Value {
    let organisation = ids::ORGANIZATION_ID;
    let data = format!("{instance}/services/data/v{{version}}");
    json!({
        "sub": format!("{instance}/id/{organisation}/{}", user.id),
        "user_id": user.id,
        "organization_id": organisation,
        "preferred_username": user.username,
        "nickname": user.username,
        "name": user.name,
        "email": user.email,
        "email_verified": user.email.is_some(),
        "active": user.is_active,
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": 0,
        "is_app_installed": true,
        "urls": {
            "rest": format!("{data}/"),
            "sobjects": format!("{data}/sobjects/"),
            "query": format!("{data}/query/"),
            "users": format!("{data}/sobjects/User/"),
            "custom_domain": instance,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_names_the_user_the_organisation_and_the_rest_base() {
        let user = UserRow {
            id: "005000000000002AAA".into(),
            username: "ada@example.com".into(),
            name: "Ada Lovelace".into(),
            email: Some("ada@example.com".into()),
            is_active: true,
            role: contact_shared::console::Role::Representative,
        };
        let body = body(&user, "http://127.0.0.1:8080");
        assert_eq!(body["user_id"], "005000000000002AAA");
        assert_eq!(body["organization_id"], ids::ORGANIZATION_ID);
        assert_eq!(body["preferred_username"], "ada@example.com");
        assert_eq!(body["name"], "Ada Lovelace");
        assert_eq!(body["email"], "ada@example.com");
        assert_eq!(
            body["urls"]["rest"],
            "http://127.0.0.1:8080/services/data/v{version}/"
        );
    }
}
