//! The visitor's side of callbacks: the slots a site's call center offers, and a submission that books
//! one, checked again by the server (past, too soon, not a slot, full) and atomically against capacity.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use super::support::{SECRET, claims, jwt};
use crate::support::{PAGE_ORIGIN, Start, StoredValue, TestApp, TestResponse, error_body, from};

/// A center open around the clock in Tokyo: two callbacks per half hour, an hour's lead, two days.
const CENTERS: &str = r#"
[[call_center]]
internal_name = "always"
name = "Round the clock"
unified_routing = true
time_zone = "Asia/Tokyo"
business_hours = { mon = "00:00-24:00", tue = "00:00-24:00", wed = "00:00-24:00", thu = "00:00-24:00", fri = "00:00-24:00", sat = "00:00-24:00", sun = "00:00-24:00" }
slot_minutes = 30
lead_time_minutes = 60
slot_capacity = 2
booking_days = 2
[call_center.jwt]
issuer = "https://connect.example.com"
audience = "contact-server"
[[call_center.jwt.keys]]
kid = "always-1"
algorithm = "HS256"
secret = "0123456789abcdef0123456789abcdef"
"#;

const SITES: &str = r#"
[[site]]
key = "shop"
name = "Example Shop"
allowed_origins = ["https://shop.example.com"]
call_center = "always"

[[site]]
key = "blog"
name = "Example Blog"
allowed_origins = ["https://shop.example.com"]
"#;

async fn app() -> TestApp {
    app_in(tempfile::tempdir().expect("temp dir"), CENTERS).await
}

/// The app on the database in `dir`, with these call centers.
async fn app_in(dir: tempfile::TempDir, centers: &str) -> TestApp {
    super::support::app_with_centers(dir, centers, SITES).await
}

async fn slots(app: &TestApp, site: &str, origin: &str) -> TestResponse {
    let request = Request::get(format!("/api/v1/sites/{site}/callback-slots"))
        .header(header::ORIGIN, origin)
        .body(Body::empty())
        .unwrap();
    app.send(request).await
}

/// The starts offered now, earliest first.
async fn offered(app: &TestApp) -> Vec<(String, u64)> {
    let response = slots(app, "shop", PAGE_ORIGIN).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.body["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["start"].as_str().unwrap().to_owned(),
                s["remaining"].as_u64().unwrap(),
            )
        })
        .collect()
}

async fn submit(app: &TestApp, site: &str, form: Value) -> TestResponse {
    submit_with_key(app, site, form, None).await
}

async fn submit_with_key(
    app: &TestApp,
    site: &str,
    form: Value,
    key: Option<&str>,
) -> TestResponse {
    app.send(submission(site, form, key)).await
}

fn submission(site: &str, form: Value, key: Option<&str>) -> Request<Body> {
    let mut request = Request::post(contact_shared::CONTACT_REQUESTS_PATH)
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-crw-site", site)
        .header(header::ORIGIN, PAGE_ORIGIN);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    request.body(Body::from(form.to_string())).unwrap()
}

fn phone_form(time: &str) -> Value {
    json!({"request_reason": "Billing", "preferred_phone": "+81 3 1234 5678", "callback_time": time})
}

fn at(text: &str) -> jiff::Timestamp {
    text.parse().unwrap()
}

/// The scheduled routing time and call center of the stored request `name`.
async fn stored(app: &TestApp, name: &str) -> (Option<String>, Option<String>) {
    let found = app.store.find(name).await.unwrap().expect("stored");
    (found.scheduled_routing_at, found.call_center_id)
}

#[tokio::test]
async fn a_site_s_call_center_offers_half_hour_slots_beyond_the_lead_time_with_their_room() {
    let app = app().await;
    let before = jiff::Timestamp::now();
    let response = slots(&app, "shop", PAGE_ORIGIN).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(response.body["time_zone"], "Asia/Tokyo");
    assert_eq!(response.body["slot_minutes"], 30);
    let slots = offered(&app).await;
    // Open around the clock: today's remaining half hours and tomorrow's 48, in Tokyo's days.
    assert!(slots.len() > 48 && slots.len() <= 96, "{}", slots.len());
    let first = at(&slots[0].0);
    let lead = jiff::SignedDuration::from_mins(60);
    assert!(first >= before + lead, "{first} is an hour away at least");
    assert!(first < before + lead + jiff::SignedDuration::from_mins(31));
    for (start, remaining) in &slots {
        assert!(
            start.ends_with(":00:00Z") || start.ends_with(":30:00Z"),
            "{start}"
        );
        assert_eq!(*remaining, 2);
    }
    let settings = app
        .send(
            Request::get("/api/v1/sites/shop")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(settings.body["callback_slots"], true);
}

#[tokio::test]
async fn slots_are_refused_like_settings_and_absent_without_a_call_center() {
    let app = app().await;
    let table = [
        (
            "shop",
            "https://evil.example",
            403,
            "does not allow its contact form on https://evil.example",
        ),
        ("nope", PAGE_ORIGIN, 404, "There is no site \"nope\""),
        (
            "blog",
            PAGE_ORIGIN,
            404,
            "Example Blog does not offer callback times",
        ),
    ];
    for (site, origin, status, says) in table {
        let response = slots(&app, site, origin).await;
        assert_eq!(response.status, status, "{site} from {origin}");
        let body = error_body(&response);
        assert!(body.message.contains(says), "{}", body.message);
    }
}

#[tokio::test]
async fn a_chosen_slot_is_stored_as_the_scheduled_routing_time_and_takes_a_place() {
    let app = app().await;
    let slots = offered(&app).await;
    let (slot, _) = &slots[3];
    let response = submit(&app, "shop", phone_form(slot)).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let name = response.body["name"].as_str().unwrap();
    let (scheduled, center) = stored(&app, name).await;
    assert_eq!(scheduled.map(|s| at(&s)), Some(at(slot)));
    assert!(center.is_some_and(|c| c.starts_with("04v")));
    let after = offered(&app).await;
    assert_eq!(after.iter().find(|(s, _)| s == slot).map(|s| s.1), Some(1));

    let asap = submit(
        &app,
        "shop",
        json!({"request_reason": "Billing", "preferred_phone": "+81 3 1234 5678", "is_callback": true}),
    )
    .await;
    assert_eq!(asap.status, StatusCode::CREATED);
    let name = asap.body["name"].as_str().unwrap();
    let (scheduled, center) = stored(&app, name).await;
    assert_eq!(scheduled, None, "as soon as possible: routable at once");
    assert!(center.is_some(), "the site's call center calls back");
    let found = app.store.find(name).await.unwrap().unwrap();
    assert!(found.is_callback, "IsCallback stays what the form said");
}

#[tokio::test]
async fn a_time_that_is_not_an_offered_slot_is_refused_on_its_field_and_nothing_is_stored() {
    let app = app().await;
    let slots = offered(&app).await;
    let first = at(&slots[0].0);
    let shifted = |minutes: i64| {
        (first + jiff::SignedDuration::from_mins(minutes))
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    let table = [
        (
            "shop",
            phone_form("2020-01-06T09:00:00Z"),
            "That time has passed: choose a time from the list.",
            "a time in the past",
        ),
        (
            "shop",
            phone_form(&shifted(-30)),
            "That time is too soon: choose a time at least 1 hour from now.",
            "within the lead time",
        ),
        (
            "shop",
            phone_form(&shifted(10)),
            "We do not call back at that time: choose a time from the list, which follows our business hours.",
            "not the start of a slot",
        ),
        (
            "shop",
            phone_form(&shifted(3 * 24 * 60)),
            "We do not call back at that time: choose a time from the list, which follows our business hours.",
            "beyond the days offered",
        ),
        (
            "shop",
            phone_form("tomorrow at ten"),
            "Choose a time from the list, or ask us to call as soon as possible (a time is sent in UTC, such as 2026-03-02T14:30:00Z).",
            "not a UTC time",
        ),
        (
            "shop",
            json!({"request_reason": "Billing", "preferred_channel": "Email", "email": "a@example.com", "callback_time": slots[0].0}),
            "A callback time is only for phone calls: choose Phone, or leave the time out.",
            "a time for an email reply",
        ),
        (
            "blog",
            phone_form(&slots[0].0),
            "This site does not offer callback times: ask us to call you as soon as possible.",
            "a site without a call center",
        ),
    ];
    for (site, form, message, why) in table {
        let response = submit(&app, site, form).await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{why}: {}",
            response.body
        );
        assert_eq!(
            error_body(&response).field("callback_time"),
            Some(message),
            "{why}"
        );
    }
    assert_eq!(app.stored_count(), 0);
}

#[tokio::test]
async fn a_full_slot_is_refused_leaves_the_list_and_comes_back_when_a_callback_closes() {
    let app = app().await;
    let slot = offered(&app).await[1].0.clone();
    for _ in 0..2 {
        let response = submit(&app, "shop", phone_form(&slot)).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    }
    let full = submit(&app, "shop", phone_form(&slot)).await;
    assert_eq!(full.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_body(&full).field("callback_time"),
        Some("That time has just been fully booked: choose another time from the list.")
    );
    assert_eq!(app.stored_count(), 2);
    assert!(
        !offered(&app).await.iter().any(|(s, _)| *s == slot),
        "a full slot is not offered"
    );

    // An abandoned callback no longer holds its place.
    let abandon = "UPDATE contact_requests SET status = 'Abandoned'
                    WHERE seq = (SELECT min(seq) FROM contact_requests)";
    app.execute(abandon, abandon).await;
    let again = offered(&app).await;
    assert_eq!(again.iter().find(|(s, _)| *s == slot).map(|s| s.1), Some(1));
}

#[tokio::test]
async fn two_visitors_for_the_last_place_one_wins_and_the_other_is_told_it_is_full() {
    let app = app().await;
    for round in 0..5 {
        let slot = offered(&app).await[2 + round].0.clone();
        let taken = submit(&app, "shop", phone_form(&slot)).await;
        assert_eq!(taken.status, StatusCode::CREATED);
        let (a, b) = tokio::join!(
            submit(&app, "shop", phone_form(&slot)),
            submit(&app, "shop", phone_form(&slot))
        );
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 422], "round {round}");
    }
    let most = app.rows(
        "SELECT max(n) FROM (SELECT count(*) AS n FROM contact_requests GROUP BY scheduled_routing_at) s",
        &[],
    );
    assert_eq!(
        most[0][0],
        StoredValue::Integer(2),
        "no slot holds more than its capacity"
    );
}

#[tokio::test]
async fn a_provider_s_scheduled_callback_takes_a_place_in_its_slot_too() {
    let app = app().await;
    let slot = offered(&app).await[5].0.clone();
    let inside = (at(&slot) + jiff::SignedDuration::from_mins(12)).to_string();
    let token = jwt(Some("always-1"), SECRET, claims());
    let request = Request::post("/telephony/v1/voiceCalls/call-1/requestCallback")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"callbackNumber": "+81312345678", "scheduledRoutingDateTime": inside})
                .to_string(),
        ))
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let after = offered(&app).await;
    assert_eq!(after.iter().find(|(s, _)| *s == slot).map(|s| s.1), Some(1));
}

#[tokio::test]
async fn many_visitors_at_once_for_one_slot_get_exactly_its_capacity() {
    let app = app().await;
    let slot = offered(&app).await[4].0.clone();
    // Sent together, they reach the writer together and are committed in one or a few batches: the
    // capacity check must count the places taken earlier in the same batch, not only stored ones.
    let requests = (0..12)
        .map(|_| submission("shop", phone_form(&slot), None))
        .collect();
    let answers = app.send_all(requests).await;
    let created = answers
        .iter()
        .filter(|a| a.status == StatusCode::CREATED)
        .count();
    let full = answers
        .iter()
        .filter(|a| {
            a.status == StatusCode::UNPROCESSABLE_ENTITY
                && error_body(a).field("callback_time")
                    == Some(
                        "That time has just been fully booked: choose another time from the list.",
                    )
        })
        .count();
    assert_eq!((created, full), (2, 10), "capacity 2 of 12 visitors");
    assert_eq!(app.stored_count(), 2);
    assert!(!offered(&app).await.iter().any(|(s, _)| *s == slot));
}

#[tokio::test]
async fn a_retry_after_its_slot_moved_inside_the_lead_time_gets_the_first_answer() {
    let app = app().await;
    let slot = offered(&app).await[0].0.clone();
    let first = submit_with_key(&app, "shop", phone_form(&slot), Some("retry-1")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);

    // The answer was lost and time went by: the slot is now inside the lead time. A restart with a
    // three-hour lead stands in for the wait.
    app.store.shutdown().await;
    let TestApp { dir, postgres, .. } = app;
    let later = TestApp::start(Start {
        sites: SITES,
        call_centers: Some(&CENTERS.replace("lead_time_minutes = 60", "lead_time_minutes = 180")),
        postgres,
        ..Start::new(dir)
    })
    .await;
    let retry = submit_with_key(&later, "shop", phone_form(&slot), Some("retry-1")).await;
    assert_eq!(retry.status, StatusCode::CREATED, "{}", retry.body);
    assert_eq!(retry.headers["idempotent-replayed"], "true");
    assert_eq!(retry.body["name"], first.body["name"]);

    let other = phone_form(&slot).as_object().cloned().map(|mut form| {
        form.insert("preferred_phone".into(), json!("+81 3 1234 0000"));
        Value::Object(form)
    });
    let conflict = submit_with_key(&later, "shop", other.unwrap(), Some("retry-1")).await;
    assert_eq!(conflict.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error_body(&conflict).message.contains("Idempotency-Key"),
        "{}",
        conflict.body
    );

    let fresh = submit_with_key(&later, "shop", phone_form(&slot), Some("retry-2")).await;
    assert_eq!(fresh.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_body(&fresh).field("callback_time"),
        Some("That time is too soon: choose a time at least 3 hours from now.")
    );
    assert_eq!(later.stored_count(), 1);
}

/// The shop's app with these booking limits.
async fn limited(protection: contact_server::protection::Protection) -> TestApp {
    super::support::app_with(
        tempfile::tempdir().expect("temp dir"),
        CENTERS,
        SITES,
        protection,
    )
    .await
}

fn phone_form_for(phone: &str, time: &str) -> Value {
    json!({"request_reason": "Billing", "preferred_phone": phone, "callback_time": time})
}

/// Once, anonymous visitors booked all of a call center's places within seconds, one number or address
/// taking as many as it liked.
#[tokio::test]
async fn a_phone_number_holds_one_open_booking_until_it_is_closed() {
    let app = limited(contact_server::protection::Protection {
        bookings_per_phone: Some(1),
        ..contact_server::protection::Protection::off()
    })
    .await;
    let slots = offered(&app).await;
    let first = submit(&app, "shop", phone_form(&slots[1].0)).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let second = submit(&app, "shop", phone_form(&slots[2].0)).await;
    assert_eq!(second.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error_body(&second)
            .field("callback_time")
            .is_some_and(|m| m.contains("already has a callback time booked")),
        "{}",
        second.body
    );
    let other = submit(&app, "shop", phone_form_for("+81 3 9999 0000", &slots[2].0)).await;
    assert_eq!(other.status, StatusCode::CREATED, "another number");
    let soon = json!({"request_reason": "Billing", "preferred_phone": "+81 3 1234 5678"});
    assert_eq!(
        submit(&app, "shop", soon).await.status,
        StatusCode::CREATED,
        "asking to be called as soon as possible is not a booking"
    );
    let contacted = format!(
        "UPDATE contact_requests SET status = 'Contacted' WHERE id = '{}'",
        first.body["id"].as_str().unwrap()
    );
    app.execute(&contacted, &contacted).await;
    let after = submit(&app, "shop", phone_form(&slots[2].0)).await;
    assert_eq!(after.status, StatusCode::CREATED, "its booking was closed");
    assert_eq!(app.stored_count(), 4);
}

#[tokio::test]
async fn numbers_sent_at_once_get_one_booking_each() {
    let app = limited(contact_server::protection::Protection {
        bookings_per_phone: Some(1),
        ..contact_server::protection::Protection::off()
    })
    .await;
    let slots = offered(&app).await;
    // Sent together they are decided in one or a few batches: the limit counts the batch's own rows.
    let requests = (0..6)
        .map(|n| submission("shop", phone_form(&slots[3 + n % 2].0), None))
        .collect();
    let answers = app.send_all(requests).await;
    let created = answers
        .iter()
        .filter(|a| a.status == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1, "one number, one booking");
    assert_eq!(app.stored_count(), 1);
}

#[tokio::test]
async fn one_client_books_a_few_times_an_hour_and_may_still_ask_to_be_called_soon() {
    let app = limited(contact_server::protection::Protection {
        booking_limit: contact_server::protection::KeyedLimit::per_hour(2, 2),
        ..contact_server::protection::Protection::off()
    })
    .await;
    let slots = offered(&app).await;
    for (n, (slot, _)) in slots.iter().take(2).enumerate() {
        let phone = format!("+81 3 1234 000{n}");
        let booked = app
            .send(from(
                [10, 0, 0, 1],
                submission("shop", phone_form_for(&phone, slot), None),
            ))
            .await;
        assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    }
    let third = app
        .send(from(
            [10, 0, 0, 1],
            submission("shop", phone_form_for("+81 3 1234 0009", &slots[3].0), None),
        ))
        .await;
    assert_eq!(third.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(third.headers.contains_key(header::RETRY_AFTER));
    let body = error_body(&third);
    assert!(
        body.message.contains("Too many callback times were booked"),
        "{}",
        body.message
    );
    assert!(body.field("callback_time").is_some());
    let soon = json!({"request_reason": "Billing", "preferred_phone": "+81 3 1234 0009"});
    assert_eq!(
        app.send(from([10, 0, 0, 1], submission("shop", soon, None)))
            .await
            .status,
        StatusCode::CREATED,
        "without a time"
    );
    let elsewhere = app
        .send(from(
            [10, 0, 0, 2],
            submission("shop", phone_form_for("+81 3 1234 0009", &slots[3].0), None),
        ))
        .await;
    assert_eq!(elsewhere.status, StatusCode::CREATED, "another client");
    assert_eq!(app.stored_count(), 4);
}

const SIGNED_IN_SECRET: &str = "signed-in-secret-signed-in-secret!!";

#[tokio::test]
async fn a_site_that_lets_only_signed_in_visitors_pick_a_time_refuses_guests_a_time() {
    let sites = format!(
        "[[site]]\nkey = \"shop\"\nname = \"Example Shop\"\nallowed_origins = [\"{PAGE_ORIGIN}\"]\n\
         call_center = \"always\"\ncallback_times = \"signed-in\"\n\
         [[site.identity_keys]]\nkid = \"k\"\nalg = \"HS256\"\nsecret = \"{SIGNED_IN_SECRET}\"\n"
    );
    let app =
        super::support::app_with_centers(tempfile::tempdir().expect("temp dir"), CENTERS, &sites)
            .await;
    let slot = offered(&app).await[1].0.clone();
    let guest = submit(&app, "shop", phone_form(&slot)).await;
    assert_eq!(guest.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_body(&guest).field("callback_time"),
        Some("Sign in to choose a callback time, or ask us to call you as soon as possible.")
    );
    let soon = json!({"request_reason": "Billing", "preferred_phone": "+81 3 1234 5678"});
    assert_eq!(
        submit(&app, "shop", soon).await.status,
        StatusCode::CREATED,
        "a guest may still ask to be called soon"
    );
    let now = jiff::Timestamp::now().as_second();
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &json!({"sub": "member-1", "aud": "shop", "iat": now, "exp": now + 300}),
        &jsonwebtoken::EncodingKey::from_secret(SIGNED_IN_SECRET.as_bytes()),
    )
    .unwrap();
    let mut signed_in = submission("shop", phone_form(&slot), None);
    signed_in.headers_mut().insert(
        header::AUTHORIZATION,
        format!("Bearer {token}").parse().unwrap(),
    );
    let member = app.send(signed_in).await;
    assert_eq!(member.status, StatusCode::CREATED, "{}", member.body);
    assert_eq!(app.stored_count(), 2);
}

/// `POST /services/apexrest/callbacks/release` as the representative with `token`.
async fn release(app: &TestApp, token: &str, body: Value) -> TestResponse {
    let request = Request::post("/services/apexrest/callbacks/release")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    app.send(request).await
}

#[tokio::test]
async fn a_representative_releases_junk_bookings_in_bulk_and_their_places_come_back() {
    let app = app().await;
    let (_, rita) = super::support::rep(&app.store, "rita@example.com").await;
    let slot = offered(&app).await[2].0.clone();
    let mut ids = Vec::new();
    for n in 0..2 {
        let booked = submit(
            &app,
            "shop",
            phone_form_for(&format!("+81 3 0000 000{n}"), &slot),
        )
        .await;
        assert_eq!(booked.status, StatusCode::CREATED);
        ids.push(booked.body["id"].as_str().unwrap().to_owned());
    }
    assert!(!offered(&app).await.iter().any(|(s, _)| *s == slot), "full");

    let released = release(&app, &rita, json!({"ids": [ids[0]]})).await;
    assert_eq!(released.status, StatusCode::OK, "{}", released.body);
    assert_eq!(released.body, json!({"released": 1, "ids": [ids[0]]}));
    let again = release(&app, &rita, json!({"ids": [ids[0]]})).await;
    assert_eq!(again.body["released"], 0, "a closed booking is left alone");
    assert_eq!(
        offered(&app)
            .await
            .iter()
            .find(|(s, _)| *s == slot)
            .map(|s| s.1),
        Some(1)
    );

    let before = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(10);
    let since = release(&app, &rita, json!({"bookedSince": before.to_string()})).await;
    assert_eq!(since.body, json!({"released": 1, "ids": [ids[1]]}));
    assert_eq!(
        offered(&app)
            .await
            .iter()
            .find(|(s, _)| *s == slot)
            .map(|s| s.1),
        Some(2)
    );
    let found = app.store.find(&ids[1]).await.unwrap().unwrap();
    assert_eq!(found.status.as_str(), "Abandoned");

    let refused = release(&app, &rita, json!({"ids": []})).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.body[0]["errorCode"], "INVALID_FIELD");
}

#[tokio::test]
async fn the_release_subcommand_frees_the_places_of_the_bookings_it_names() {
    let app = app().await;
    let slot = offered(&app).await[3].0.clone();
    let booked = submit(&app, "shop", phone_form(&slot)).await;
    let id = booked.body["id"].as_str().unwrap().to_owned();
    let database = app.database_arg();
    app.store.shutdown().await;
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_contact-server"))
        .args(["callbacks", "release", "--id", &id, "--database"])
        .arg(&database)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), id);
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_contact-server"))
        .args([
            "callbacks",
            "release",
            "--booked-since",
            "yesterday",
            "--database",
        ])
        .arg(&database)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is not an ISO 8601 date and time"));
    let TestApp { dir, postgres, .. } = app;
    let app = TestApp::start(Start {
        sites: SITES,
        call_centers: Some(CENTERS),
        postgres,
        ..Start::new(dir)
    })
    .await;
    assert_eq!(
        offered(&app)
            .await
            .iter()
            .find(|(s, _)| *s == slot)
            .map(|s| s.1),
        Some(2)
    );
}
