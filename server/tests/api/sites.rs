//! Two sites side by side: settings, origins, offered reasons and channels, guests, and verified visitors.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::{Value, json};

use crate::support::{TestApp, TestResponse, error_body};

const SHOP: &str = "https://shop.example.com";
const MEMBERS: &str = "https://members.example.com";
const SHOP_SECRET: &str = "shop-secret-shop-secret-shop-secret!";
const MEMBERS_SECRET: &str = "members-secret-members-secret-members!";

fn sites_toml() -> String {
    format!(
        r#"
[[site]]
key = "shop"
name = "Example Shop"
allowed_origins = ["{SHOP}"]
reasons = ["Order", "Billing"]
channels = ["Phone", "Email"]
default_country_code = "44"
[site.labels]
Order = "Something I ordered"
[[site.identity_keys]]
kid = "shop-1"
alg = "HS256"
secret = "{SHOP_SECRET}"

[[site]]
key = "members"
name = "Members Area"
allowed_origins = ["{MEMBERS}"]
guests = false
[[site.identity_keys]]
kid = "members-1"
alg = "HS256"
secret = "{MEMBERS_SECRET}"
"#
    )
}

async fn app() -> TestApp {
    TestApp::with_sites(&sites_toml()).await
}

fn token(secret: &str, kid: &str, claims: Value) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut all = json!({"sub": "user-7", "exp": now + 300, "iat": now});
    for (k, v) in claims.as_object().unwrap() {
        all[k] = v.clone();
    }
    let header = Header {
        kid: Some(kid.into()),
        ..Header::new(jsonwebtoken::Algorithm::HS256)
    };
    encode(&header, &all, &EncodingKey::from_secret(secret.as_bytes())).unwrap()
}

async fn submit(
    app: &TestApp,
    site: &str,
    origin: &str,
    bearer: Option<&str>,
    form: Value,
) -> TestResponse {
    let mut request = Request::post(contact_shared::CONTACT_REQUESTS_PATH)
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-crw-site", site)
        .header(header::ORIGIN, origin);
    if let Some(token) = bearer {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    app.send(request.body(Body::from(form.to_string())).unwrap())
        .await
}

fn order_form() -> Value {
    json!({"request_reason": "Order", "preferred_phone": "020 7946 0958", "name": "Typed Name", "email": "typed@example.com"})
}

async fn settings(app: &TestApp, site: &str, origin: &str, etag: Option<&str>) -> TestResponse {
    let mut request = Request::get(format!("/api/v1/sites/{site}")).header(header::ORIGIN, origin);
    if let Some(etag) = etag {
        request = request.header(header::IF_NONE_MATCH, etag);
    }
    app.send(request.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn a_site_s_public_settings_carry_its_labels_and_are_cached_by_etag() {
    let app = app().await;
    let response = settings(&app, "shop", SHOP, None).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response.body,
        json!({
            "key": "shop", "name": "Example Shop", "sign_in_required": false,
            "reasons": [{"value": "Order", "label": "Something I ordered"}, {"value": "Billing", "label": "Billing"}],
            "channels": [{"value": "Phone", "label": "Phone"}, {"value": "Email", "label": "Email"}],
            "default_country_code": "44", "callback_slots": false
        })
    );
    assert_eq!(response.headers[header::CACHE_CONTROL], "no-cache");
    let etag = response.headers[header::ETAG].to_str().unwrap().to_owned();
    let again = settings(&app, "shop", SHOP, Some(&etag)).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert_eq!(
        settings(&app, "members", MEMBERS, None).await.body["sign_in_required"],
        true
    );
}

#[tokio::test]
async fn settings_explain_an_unknown_site_or_a_page_the_site_does_not_allow() {
    let app = app().await;
    let unknown = settings(&app, "nope", SHOP, None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(
        error_body(&unknown)
            .message
            .contains("There is no site \"nope\"")
    );

    let elsewhere = settings(&app, "shop", "https://copycat.example.net", None).await;
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN);
    assert_eq!(
        error_body(&elsewhere).message,
        "Example Shop does not allow its contact form on https://copycat.example.net; the site's owner can add \
         this origin to its allowed_origins."
    );
    assert_eq!(
        elsewhere.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "*",
        "the widget can read why"
    );
}

#[tokio::test]
async fn each_site_enforces_its_own_reasons_channels_and_country_code() {
    let app = app().await;
    let created = submit(&app, "shop", SHOP, None, order_form()).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let stored = app
        .store
        .find(created.body["id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.preferred_phone.as_deref(),
        Some("+442079460958"),
        "national number read as UK"
    );
    assert_eq!(stored.site_key.as_deref(), Some("shop"));
    assert_eq!(stored.visitor_sub, None);

    let table = [
        (
            json!({"request_reason": "Product", "preferred_phone": "+14155550100"}),
            "request_reason",
            "Choose one of: Order, Billing.",
        ),
        (
            json!({"request_reason": "Order", "preferred_channel": "Text", "preferred_phone": "+14155550100"}),
            "preferred_channel",
            "Choose one of: Phone, Email.",
        ),
    ];
    for (form, field, message) in table {
        let response = submit(&app, "shop", SHOP, None, form).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert_eq!(error_body(&response).field(field), Some(message));
    }
    assert_eq!(app.stored_count(), 1);
}

#[tokio::test]
async fn a_page_may_only_submit_to_a_site_that_allows_its_origin() {
    let app = app().await;
    let cross = submit(&app, "shop", MEMBERS, None, order_form()).await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    assert!(
        error_body(&cross)
            .message
            .contains("does not allow its contact form on https://members.example.com")
    );

    let preflight = Request::builder()
        .method("OPTIONS")
        .uri(contact_shared::CONTACT_REQUESTS_PATH)
        .header(header::ORIGIN, "https://copycat.example.net")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .body(Body::empty())
        .unwrap();
    let refused = app.send(preflight).await;
    assert!(
        refused
            .headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none(),
        "CORS refuses unknown origins"
    );
    assert_eq!(app.stored_count(), 0);
}

#[tokio::test]
async fn a_sign_in_only_site_refuses_guests_and_takes_verified_visitors_with_their_verified_values()
{
    let app = app().await;
    let form = json!({"request_reason": "Account", "preferred_channel": "Email", "name": "Typed Name", "email": "typed@example.com"});
    let guest = submit(&app, "members", MEMBERS, None, form.clone()).await;
    assert_eq!(guest.status, StatusCode::FORBIDDEN);
    assert_eq!(
        error_body(&guest).message,
        "Sign in to Members Area to send a contact request."
    );

    let token = token(
        MEMBERS_SECRET,
        "members-1",
        json!({"aud": "members", "name": "Verified Name", "email": "verified@example.com"}),
    );
    let created = submit(&app, "members", MEMBERS, Some(&token), form).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let stored = app
        .store
        .find(created.body["id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.visitor_sub.as_deref(), Some("user-7"));
    assert_eq!(stored.site_key.as_deref(), Some("members"));
    assert_eq!(
        stored.visitor_name.as_deref(),
        Some("Verified Name"),
        "the verified claim wins over what was typed"
    );
    assert_eq!(
        stored.visitor_email.as_deref(),
        Some("verified@example.com")
    );
}

#[tokio::test]
async fn a_bad_token_is_a_401_naming_the_reason_and_never_a_guest_submission() {
    let app = app().await;
    let table = [
        (
            token(SHOP_SECRET, "shop-1", json!({"aud": "members"})),
            "The identity token is for another site: its aud must be \"shop\".",
        ),
        (
            token(MEMBERS_SECRET, "shop-1", json!({"aud": "shop"})),
            "The identity token's signature does not match this site's key.",
        ),
        (
            token(MEMBERS_SECRET, "members-1", json!({"aud": "shop"})),
            "The identity token names a key this site does not have (kid \"members-1\").",
        ),
        (
            token(
                SHOP_SECRET,
                "shop-1",
                json!({"aud": "shop", "exp": 1_000_000}),
            ),
            "The identity token has expired; the site must issue a fresh one.",
        ),
        (
            "garbage".to_owned(),
            "The identity token is not a well-formed JWT.",
        ),
    ];
    for (token, message) in table {
        let response = submit(&app, "shop", SHOP, Some(&token), order_form()).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{message}");
        assert_eq!(error_body(&response).message, message);
        assert!(
            response.headers[header::WWW_AUTHENTICATE]
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
    }
    assert_eq!(
        app.stored_count(),
        0,
        "a guest-friendly site still refuses a bad token"
    );
}

#[tokio::test]
async fn the_same_person_is_linked_within_a_site_and_never_across_sites_or_to_guests() {
    let app = app().await;
    let shop_token = token(
        SHOP_SECRET,
        "shop-1",
        json!({"aud": "shop", "email": "same@example.com"}),
    );
    let members_token = token(
        MEMBERS_SECRET,
        "members-1",
        json!({"aud": "members", "email": "same@example.com"}),
    );
    let form = json!({"request_reason": "Billing", "preferred_channel": "Email", "email": "same@example.com"});
    for (site, origin, bearer) in [
        ("shop", SHOP, Some(shop_token.as_str())),
        ("shop", SHOP, Some(shop_token.as_str())),
        ("shop", SHOP, None),
        ("members", MEMBERS, Some(members_token.as_str())),
    ] {
        let mut form = form.clone();
        if site == "members" {
            form["request_reason"] = json!("Account");
        }
        assert_eq!(
            submit(&app, site, origin, bearer, form).await.status,
            StatusCode::CREATED
        );
    }
    // NULLS FIRST: each engine's own default differs.
    let rows: Vec<(String, Option<String>, i64)> = app
        .rows(
            "SELECT site_key, visitor_sub, count(*) FROM contact_requests
              GROUP BY site_key, visitor_sub ORDER BY 1, 2 NULLS FIRST",
            &[],
        )
        .into_iter()
        .map(|r| {
            let count = match r[2] {
                crate::support::StoredValue::Integer(n) => n,
                ref other => panic!("a count, not {other:?}"),
            };
            (
                r[0].as_text().unwrap().to_owned(),
                r[1].as_text().map(str::to_owned),
                count,
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("members".into(), Some("user-7".into()), 1),
            ("shop".into(), None, 1),
            ("shop".into(), Some("user-7".into()), 2),
        ]
    );
}

#[tokio::test]
async fn with_several_sites_a_request_must_name_its_site() {
    let app = app().await;
    let response = app.post_json(&order_form()).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert!(error_body(&response).message.contains("X-CRW-Site"));
}

#[tokio::test]
async fn a_site_s_requests_are_owned_by_its_queue_and_others_by_the_default_queue() {
    let toml = format!(
        "{}\n[[site]]\nkey = \"queued\"\nname = \"Queued\"\nallowed_origins = [\"https://queued.example.com\"]\ndefault_queue = \"Queued callbacks\"\n",
        sites_toml()
    );
    let app = TestApp::with_sites(&toml).await;
    let queue =
        contact_server::access::directory::ensure_queue(&app.store, "Queued callbacks".into())
            .await
            .unwrap();
    let again =
        contact_server::access::directory::ensure_queue(&app.store, "Queued callbacks".into())
            .await
            .unwrap();
    assert_eq!(queue, again, "an existing queue is found, not duplicated");

    let queued = submit(
        &app,
        "queued",
        "https://queued.example.com",
        None,
        json!({"request_reason": "Order", "preferred_phone": "+14155550100"}),
    )
    .await;
    let shop = submit(&app, "shop", SHOP, None, order_form()).await;
    let owner = |id: &Value| -> (String, String) {
        let row = &app.rows(
            "SELECT owner_id, created_by_id FROM contact_requests WHERE id = ?1",
            &[id.as_str().unwrap()],
        )[0];
        (
            row[0].as_text().unwrap().to_owned(),
            row[1].as_text().unwrap().to_owned(),
        )
    };
    assert_eq!(
        owner(&queued.body["id"]),
        (queue, "005000000000001AAA".to_owned())
    );
    assert_eq!(
        owner(&shop.body["id"]).0,
        "00G000000000001EAA",
        "the default queue"
    );
}

/// An `Origin` that is sent but cannot be an origin (too long, not text) is refused like a disallowed one,
/// by the intake and by the settings alike. Once, one longer than 255 characters skipped the intake's check.
#[tokio::test]
async fn an_origin_that_is_present_but_unusable_is_refused_everywhere() {
    let app = app().await;
    let long = format!("{SHOP}/{}", "x".repeat(300));
    let table: [(axum::http::HeaderValue, &str); 3] = [
        (long.parse().unwrap(), "longer than 255 characters"),
        (
            axum::http::HeaderValue::from_bytes(b"https://shop.example.com\xff").unwrap(),
            "not text",
        ),
        (
            format!("https://{}.example.com", "a".repeat(250))
                .parse()
                .unwrap(),
            "a long host",
        ),
    ];
    for (origin, why) in table {
        let intake = Request::post(contact_shared::CONTACT_REQUESTS_PATH)
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-crw-site", "shop")
            .header(header::ORIGIN, origin.clone())
            .body(Body::from(order_form().to_string()))
            .unwrap();
        let refused = app.send(intake).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "intake, {why}");
        assert!(
            error_body(&refused)
                .message
                .contains("cannot check the page's Origin header"),
            "{why}: {}",
            refused.body
        );
        let settings = Request::get("/api/v1/sites/shop")
            .header(header::ORIGIN, origin)
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            app.send(settings).await.status,
            StatusCode::FORBIDDEN,
            "settings, {why}"
        );
    }
    assert_eq!(app.stored_count(), 0);
}

#[tokio::test]
async fn a_verified_visitors_requests_on_one_site_are_found_through_the_api() {
    use contact_server::access::{Scope, directory, tokens};
    let app = app().await;
    let shop_token = token(SHOP_SECRET, "shop-1", json!({"aud": "shop"}));
    let members_token = token(MEMBERS_SECRET, "members-1", json!({"aud": "members"}));
    let form = json!({"request_reason": "Billing", "preferred_channel": "Email", "email": "same@example.com"});
    for (site, origin, bearer, reason) in [
        ("shop", SHOP, Some(shop_token.as_str()), "Billing"),
        ("shop", SHOP, Some(shop_token.as_str()), "Order"),
        ("shop", SHOP, None, "Billing"),
        ("members", MEMBERS, Some(members_token.as_str()), "Account"),
    ] {
        let mut form = form.clone();
        form["request_reason"] = json!(reason);
        let stored = submit(&app, site, origin, bearer, form).await;
        assert_eq!(stored.status, StatusCode::CREATED, "{}", stored.body);
    }
    let user = directory::add_user(
        &app.store,
        "sup@example.com".into(),
        "Sup".into(),
        None,
        contact_shared::console::Role::Supervisor,
    )
    .await
    .unwrap();
    let (_, bearer) = tokens::create(&app.store, user.id, Scope::Read, None)
        .await
        .unwrap();
    let soql = "SELECT SiteKey__c, VerifiedVisitor__c, RequestReason FROM ContactRequest \
                WHERE SiteKey__c = 'shop' AND VerifiedVisitor__c = 'user-7' ORDER BY RequestReason";
    let found = app
        .call(
            crate::support::call(
                "GET",
                &format!(
                    "/services/data/v62.0/query/?q={}",
                    soql.replace(' ', "+")
                        .replace('\'', "%27")
                        .replace('=', "%3D")
                ),
            )
            .bearer(&bearer),
        )
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert_eq!(
        found.body["totalSize"], 2,
        "the guest's and the other site's are not the same person's"
    );
    assert_eq!(found.body["records"][0]["SiteKey__c"], "shop");
    assert_eq!(found.body["records"][0]["VerifiedVisitor__c"], "user-7");
    assert_eq!(found.body["records"][0]["RequestReason"], "Billing");
}
