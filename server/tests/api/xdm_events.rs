//! Contact Request Details events: the widget's batches (`POST /api/v1/events`), the event the intake
//! writes with each stored request, and reading them back through the API's bearer token.

use axum::http::{StatusCode, header};
use contact_server::access::{Scope, directory, tokens};
use contact_server::store::{NewEvent, StoreError};
use contact_server::xdm::schema;
use contact_shared::console::Role;
use serde_json::{Value, json};

use crate::support::{
    PAGE_ORIGIN, StoredValue, TestApp, TestResponse, call, submission, valid_form,
};

/// The test site, with a label of its own for the Billing reason.
const SITE: &str = r#"
[[site]]
key = "shop"
name = "Example Shop"
allowed_origins = ["https://shop.example.com"]
[site.labels]
Billing = "A billing question"
"#;

async fn app() -> TestApp {
    TestApp::with_sites(SITE).await
}

/// An event of `kind` counting `measure`, a minute ago, in session `s-1`.
fn event(id: &str, kind: &str, measure: &str) -> Value {
    let at = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(1);
    json!({
        "@id": id,
        "xdm:timestamp": at.to_string(),
        "xdm:eventType": kind,
        "xdm:producedBy": "self",
        "xdm:customerFeedback": { "xdm:chatSessionID": "s-1", (format!("xdm:{measure}")): 1 },
    })
}

fn offered(id: &str) -> Value {
    event(id, "contactRequest.offered", "chatOffered")
}

/// Posts `events` from a page of the site, with these extra headers.
async fn post(app: &TestApp, events: &[Value], headers: &[(&str, &str)]) -> TestResponse {
    let mut request = call("POST", "/api/v1/events")
        .header(header::ORIGIN.as_str(), PAGE_ORIGIN)
        .header("x-crw-site", "shop");
    for (name, value) in headers {
        request = request.header(name, value);
    }
    app.call(request.json(&json!({ "events": events }))).await
}

/// An admin's API token.
async fn token(app: &TestApp) -> String {
    let user = directory::add_user(
        &app.store,
        "ana@example.com".into(),
        "Ana".into(),
        None,
        Role::Admin,
    )
    .await
    .unwrap();
    tokens::create(&app.store, user.id, Scope::Read, None)
        .await
        .unwrap()
        .1
}

/// The exported events of the test site since yesterday, one JSON value a line.
async fn export(app: &TestApp, token: &str) -> Vec<Value> {
    let from = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24)).to_string();
    let response = app
        .call(
            call(
                "GET",
                &format!("/services/apexrest/xdm/events?site=shop&from={from}"),
            )
            .bearer(token),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{:?}", response.body);
    assert_eq!(
        response.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/x-ndjson"
    );
    String::from_utf8(response.bytes)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn count(app: &TestApp, sql: &str) -> i64 {
    match &app.rows(sql, &[])[0][0] {
        StoredValue::Integer(n) => *n,
        other => panic!("a count, not {other:?}"),
    }
}

#[tokio::test]
async fn a_batch_of_events_is_stored_and_exported_as_valid_experience_events() {
    let app = app().await;
    let events = [
        offered("e-1"),
        event("e-2", "contactRequest.started", "chatStart"),
        event("e-3", "contactRequest.clickToCall", "clickToCall"),
    ];
    let response = post(&app, &events, &[]).await;
    assert_eq!(response.status, StatusCode::ACCEPTED, "{:?}", response.body);
    assert_eq!(response.body["accepted"], json!([0, 1, 2]));
    // A beacon sent again is kept once.
    assert_eq!(
        post(&app, &events[..1], &[]).await.status,
        StatusCode::ACCEPTED
    );

    let exported = export(&app, &token(&app).await).await;
    let ids: Vec<&str> = exported
        .iter()
        .map(|e| e["@id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["e-1", "e-2", "e-3"]);
    for event in &exported {
        assert_eq!(schema::check(event), Ok(()), "{event}");
        assert_eq!(event["xdm:customerFeedback"]["xdm:chatSessionID"], "s-1");
    }
    assert_eq!(exported[2]["xdm:customerFeedback"]["xdm:clickToCall"], 1);
}

#[tokio::test]
async fn a_bad_event_is_refused_by_its_index_and_field_and_the_rest_are_kept() {
    let app = app().await;
    let mut late = offered("e-2");
    late["xdm:timestamp"] = json!("not a time");
    let response = post(&app, &[offered("e-1"), late, offered("e-3")], &[]).await;
    assert_eq!(response.status, StatusCode::ACCEPTED, "{:?}", response.body);
    assert_eq!(response.body["accepted"], json!([0, 2]));
    let fields = response.body["fields"].as_object().unwrap();
    assert!(fields.contains_key("events[1]/xdm:timestamp"), "{fields:?}");
    assert!(
        fields.keys().all(|f| f.starts_with("events[1]")),
        "{fields:?}"
    );
    assert_eq!(count(&app, "SELECT count(*) FROM experience_events"), 2);

    // A batch with nothing to keep is refused whole, in the intake's error shape.
    let mut bad = offered("e-4");
    bad["xdm:producedBy"] = json!("system");
    let response = post(&app, &[bad], &[]).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = crate::support::error_body(&response);
    assert!(
        body.fields.contains_key("events[0]/xdm:producedBy"),
        "{body:?}"
    );
}

#[tokio::test]
async fn batches_that_are_not_a_bounded_list_of_events_are_refused() {
    let app = app().await;
    let too_many: Vec<Value> = (0..51).map(|i| offered(&format!("e-{i}"))).collect();
    let table: [(Value, StatusCode, &str); 4] = [
        (
            json!({ "events": [] }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "an empty batch",
        ),
        (
            json!({ "events": too_many }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "51 events",
        ),
        (
            json!([offered("e-1")]),
            StatusCode::BAD_REQUEST,
            "a bare array",
        ),
        (
            json!({ "events": [offered(&"x".repeat(70 * 1024))] }),
            StatusCode::PAYLOAD_TOO_LARGE,
            "a body past 64 KB",
        ),
    ];
    for (body, status, why) in table {
        let response = app
            .call(
                call("POST", "/api/v1/events")
                    .header(header::ORIGIN.as_str(), PAGE_ORIGIN)
                    .header("x-crw-site", "shop")
                    .json(&body),
            )
            .await;
        assert_eq!(response.status, status, "{why}: {:?}", response.body);
        crate::support::error_body(&response);
    }
    assert_eq!(count(&app, "SELECT count(*) FROM experience_events"), 0);
}

#[tokio::test]
async fn events_from_another_origin_or_for_an_unknown_site_are_refused() {
    let app = app().await;
    let batch = json!({ "events": [offered("e-1")] });
    let table = [
        (
            call("POST", "/api/v1/events")
                .header(header::ORIGIN.as_str(), "https://evil.example")
                .header("x-crw-site", "shop"),
            "another origin",
        ),
        (
            call("POST", "/api/v1/events?site=nope").header(header::ORIGIN.as_str(), PAGE_ORIGIN),
            "an unknown site",
        ),
    ];
    for (request, why) in table {
        let response = app.call(request.json(&batch)).await;
        assert!(
            response.status.is_client_error(),
            "{why}: {}",
            response.status
        );
        crate::support::error_body(&response);
    }
    assert_eq!(count(&app, "SELECT count(*) FROM experience_events"), 0);
    // A beacon, which cannot set headers, names its site in the address.
    let response = app
        .call(
            call("POST", "/api/v1/events?site=shop")
                .header(header::ORIGIN.as_str(), PAGE_ORIGIN)
                .body(Some("text/plain;charset=UTF-8"), batch.to_string()),
        )
        .await;
    assert_eq!(response.status, StatusCode::ACCEPTED, "{:?}", response.body);
}

#[tokio::test]
async fn personal_data_from_the_browser_is_refused() {
    let app = app().await;
    let mut phone = offered("e-1");
    phone["xdm:customerFeedback"]["xdm:callBackNumber"] = json!({ "xdm:number": "+442079460958" });
    let mut email = offered("e-2");
    email["xdm:customerFeedback"]["xdm:replyToEmailAddress"] =
        json!({ "xdm:address": "ada@example.com" });
    let response = post(&app, &[phone, email], &[]).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = crate::support::error_body(&response);
    assert!(
        body.fields
            .contains_key("events[0]/xdm:customerFeedback/xdm:callBackNumber"),
        "{body:?}"
    );
    assert!(
        body.fields
            .contains_key("events[1]/xdm:customerFeedback/xdm:replyToEmailAddress"),
        "{body:?}"
    );
    assert_eq!(count(&app, "SELECT count(*) FROM experience_events"), 0);
}

/// The loader's beacon for an offer: no body, the session and the time (Unix ms) in the address.
fn offer_beacon(session: &str, at: &str) -> crate::support::Call {
    call(
        "POST",
        &format!("/api/v1/events?site=shop&offered={session}&at={at}"),
    )
    .header(header::ORIGIN.as_str(), PAGE_ORIGIN)
}

#[tokio::test]
async fn the_loaders_offer_beacon_is_stored_as_its_sessions_offer_and_checked_like_any_event() {
    let app = app().await;
    let at = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(2);
    let ms = at.as_millisecond().to_string();
    let response = app.call(offer_beacon("k3x9", &ms)).await;
    assert_eq!(response.status, StatusCode::ACCEPTED, "{:?}", response.body);
    assert_eq!(response.body["accepted"], json!([0]));
    // Sent again (a page hidden, shown and left), it is kept once.
    let again = app.call(offer_beacon("k3x9", &ms)).await;
    assert_eq!(again.status, StatusCode::ACCEPTED);

    let exported = export(&app, &token(&app).await).await;
    assert_eq!(exported.len(), 1, "{exported:?}");
    let offer = &exported[0];
    assert_eq!(schema::check(offer), Ok(()), "{offer}");
    assert_eq!(offer["@id"], "k3x9-o");
    assert_eq!(offer["xdm:eventType"], "contactRequest.offered");
    assert_eq!(offer["xdm:producedBy"], "self");
    assert_eq!(
        offer["xdm:customerFeedback"],
        json!({ "xdm:chatSessionID": "k3x9", "xdm:chatOffered": 1 })
    );
    let stored: jiff::Timestamp = offer["xdm:timestamp"].as_str().unwrap().parse().unwrap();
    assert_eq!(stored.as_millisecond(), at.as_millisecond());

    // Each bad beacon is refused in the intake's error shape, naming what to fix, and stores nothing.
    let old = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * 8))
        .as_millisecond()
        .to_string();
    let table = [
        (
            offer_beacon("k4", "yesterday"),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("at"),
            "a time that is not one",
        ),
        (
            call("POST", "/api/v1/events?site=shop&offered=k4")
                .header(header::ORIGIN.as_str(), PAGE_ORIGIN),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("at"),
            "no time",
        ),
        (
            offer_beacon("k4", &old),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("events[0]/xdm:timestamp"),
            "a week old",
        ),
        (
            offer_beacon("k%01x", &ms),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("offered"),
            "a control character in the session id",
        ),
        (
            offer_beacon("k4", &ms).body(Some("text/plain;charset=UTF-8"), "{\"events\": []}"),
            StatusCode::BAD_REQUEST,
            None,
            "a body as well",
        ),
    ];
    for (request, status, field, why) in table {
        let response = app.call(request).await;
        assert_eq!(response.status, status, "{why}: {:?}", response.body);
        let body = crate::support::error_body(&response);
        if let Some(field) = field {
            assert!(body.fields.contains_key(field), "{why}: {body:?}");
        }
    }
    let from_elsewhere = app
        .call(
            call(
                "POST",
                &format!("/api/v1/events?site=shop&offered=k5&at={ms}"),
            )
            .header(header::ORIGIN.as_str(), "https://evil.example"),
        )
        .await;
    assert!(from_elsewhere.status.is_client_error());
    assert_eq!(count(&app, "SELECT count(*) FROM experience_events"), 1);

    // A browser that sends Sec-GPC: 1 has its offer counted, not stored.
    let gpc = app
        .call(offer_beacon("k6", &ms).header("sec-gpc", "1"))
        .await;
    assert_eq!(gpc.status, StatusCode::ACCEPTED, "{:?}", gpc.body);
    assert_eq!(count(&app, "SELECT count(*) FROM experience_events"), 1);
    assert_eq!(
        count(
            &app,
            "SELECT count FROM experience_event_totals WHERE measure = 'chatOffered'"
        ),
        1
    );
}

#[tokio::test]
async fn a_browser_sending_sec_gpc_is_counted_in_aggregate_only() {
    let app = app().await;
    let response = post(&app, &[offered("e-1"), offered("e-2")], &[("sec-gpc", "1")]).await;
    assert_eq!(response.status, StatusCode::ACCEPTED, "{:?}", response.body);
    assert_eq!(count(&app, "SELECT count(*) FROM experience_events"), 0);
    let totals = app.rows(
        "SELECT site_key, measure, count FROM experience_event_totals",
        &[],
    );
    assert_eq!(
        totals,
        [vec![
            StoredValue::Text("shop".into()),
            StoredValue::Text("chatOffered".into()),
            StoredValue::Integer(2)
        ]]
    );
    let token = token(&app).await;
    let counts = app
        .call(call("GET", "/services/apexrest/xdm/daily-counts?site=shop").bearer(&token))
        .await;
    assert_eq!(counts.body["counts"][0]["count"], 2, "{:?}", counts.body);
}

#[tokio::test]
async fn a_sent_request_writes_its_event_with_it_and_a_refused_one_writes_none() {
    let app = app().await;
    let created = app.send(submission(&valid_form(), Some("k-1"))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    // Its retry is answered from its key and writes no second event.
    assert_eq!(
        app.send(submission(&valid_form(), Some("k-1")))
            .await
            .status,
        StatusCode::CREATED
    );
    let mut broken = valid_form();
    broken["preferred_phone"] = json!("not a phone");
    assert_eq!(
        app.send(submission(&broken, None)).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let rows = app.rows(
        "SELECT contact_request_id, event_type, measure, session_id FROM experience_events",
        &[],
    );
    assert_eq!(
        rows,
        [vec![
            StoredValue::Text(created.body["id"].as_str().unwrap().into()),
            StoredValue::Text("web.formFilledOut".into()),
            StoredValue::Text("clickToDirectMessage".into()),
            StoredValue::Null,
        ]]
    );
    let exported = export(&app, &token(&app).await).await;
    let [event] = &exported[..] else {
        panic!("one event: {exported:?}")
    };
    assert_eq!(schema::check(event), Ok(()), "{event}");
    let feedback = &event["xdm:customerFeedback"];
    assert_eq!(feedback["xdm:clickToDirectMessage"], 1);
    assert_eq!(feedback["xdm:subject"], "A billing question");
    assert_eq!(
        feedback["xdm:callBackNumber"]["xdm:number"],
        "+442079460958"
    );
    assert_eq!(
        feedback["xdm:replyToEmailAddress"]["xdm:address"],
        "ada@example.com"
    );
    assert_eq!(
        feedback["xdm:replyToEmailAddress"]["xdm:label"],
        "Ada Lovelace"
    );
}

#[tokio::test]
async fn a_sent_requests_event_joins_the_widget_session_that_sent_it_unless_the_browser_sends_gpc()
{
    let app = app().await;
    let with = |headers: &[(&'static str, &'static str)], key: &str| {
        let mut request = submission(&valid_form(), Some(key));
        for (name, value) in headers {
            request
                .headers_mut()
                .insert(*name, header::HeaderValue::from_static(value));
        }
        request
    };
    for (headers, key) in [
        (&[("x-crw-session", "s-42")][..], "k-1"),
        (&[("x-crw-session", "s-43"), ("sec-gpc", "1")][..], "k-2"),
        (&[("x-crw-session", "")][..], "k-3"),
    ] {
        let created = app.send(with(headers, key)).await;
        assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    }
    let rows = app.rows("SELECT session_id FROM experience_events ORDER BY seq", &[]);
    assert_eq!(
        rows,
        [
            vec![StoredValue::Text("s-42".into())],
            vec![StoredValue::Null],
            vec![StoredValue::Null],
        ]
    );
    let exported = export(&app, &token(&app).await).await;
    let sessions: Vec<&Value> = exported
        .iter()
        .map(|e| &e["xdm:customerFeedback"]["xdm:chatSessionID"])
        .collect();
    assert_eq!(sessions, [&json!("s-42"), &Value::Null, &Value::Null]);
    for event in &exported {
        assert_eq!(schema::check(event), Ok(()), "{event}");
    }
}

#[tokio::test]
async fn daily_counts_are_answered_per_site_day_and_measure_in_json_and_csv() {
    let app = app().await;
    let events = [
        offered("e-1"),
        offered("e-2"),
        event("e-3", "contactRequest.started", "chatStart"),
    ];
    post(&app, &events, &[]).await;
    post(&app, &[offered("e-4")], &[("sec-gpc", "1")]).await;
    let day = (jiff::Timestamp::now() - jiff::SignedDuration::from_mins(1))
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .to_string();
    let token = token(&app).await;
    let path = format!("/services/apexrest/xdm/daily-counts?site=shop&from={day}&to={day}");
    let json = app.call(call("GET", &path).bearer(&token)).await;
    assert_eq!(json.status, StatusCode::OK, "{:?}", json.body);
    assert_eq!(
        json.body,
        json!({ "counts": [
            { "site": "shop", "day": day, "measure": "chatOffered", "count": 3 },
            { "site": "shop", "day": day, "measure": "chatStart", "count": 1 },
        ] })
    );
    let expected =
        format!("site,day,measure,count\r\nshop,{day},chatOffered,3\r\nshop,{day},chatStart,1\r\n");
    let by_accept = app
        .call(
            call("GET", &path)
                .bearer(&token)
                .header("accept", "text/csv"),
        )
        .await;
    let by_format = app
        .call(call("GET", &format!("{path}&format=csv")).bearer(&token))
        .await;
    for csv in [by_accept, by_format] {
        assert_eq!(csv.status, StatusCode::OK);
        assert_eq!(
            csv.headers.get(header::CONTENT_TYPE).unwrap(),
            "text/csv; charset=utf-8"
        );
        assert_eq!(String::from_utf8(csv.bytes).unwrap(), expected);
    }
    // Without a token, nothing.
    let anonymous = app.call(call("GET", &path)).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_sweep_deletes_events_and_counts_past_their_retention() {
    let app = app().await;
    let stored = |id: &str, at: &str| NewEvent {
        id: id.into(),
        at: at.into(),
        event_type: "contactRequest.offered".into(),
        measure: "chatOffered",
        session_id: Some("s-1".into()),
        body: "{}".into(),
    };
    let (old, recent) = (
        stored("old", "2025-01-01T00:00:00.000Z"),
        stored("new", "2026-11-30T00:00:00.000Z"),
    );
    app.store
        .write(move |tx| {
            tx.insert_experience_event("shop", &old)?;
            tx.insert_experience_event("shop", &recent)?;
            tx.count_experience_event("shop", "2025-01-01", "chatOffered")?;
            tx.count_experience_event("shop", "2026-11-30", "chatOffered")
        })
        .await
        .unwrap_or_else(|e: StoreError| panic!("{e}"));
    let now: jiff::Timestamp = "2026-12-02T00:00:00Z".parse().unwrap();
    let before =
        contact_server::xdm::swept_before(now, contact_server::xdm::DEFAULT_RETENTION_DAYS);
    assert_eq!(before, "2025-11-01T00:00:00.000Z");
    let swept = app
        .store
        .write(move |tx| tx.sweep_experience_events(&before))
        .await
        .unwrap_or_else(|e: StoreError| panic!("{e}"));
    assert_eq!(swept, 2);
    assert_eq!(
        app.rows("SELECT id FROM experience_events", &[]),
        [vec![StoredValue::Text("new".into())]]
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM experience_event_totals"),
        1
    );
}

#[tokio::test]
async fn event_batches_have_a_rate_limit_of_their_own_that_spends_no_submissions() {
    use contact_server::protection::{KeyedLimit, Protection};
    let app = TestApp::with_protection(Protection {
        ip_limit: KeyedLimit::per_minute(1, 1),
        events_limit: KeyedLimit::per_minute(1, 1),
        ..Protection::off()
    })
    .await;
    let batch = |id: &str| {
        crate::support::from(
            [192, 0, 2, 7],
            call("POST", "/api/v1/events")
                .header(header::ORIGIN.as_str(), PAGE_ORIGIN)
                .header("x-crw-site", "shop")
                .json(&json!({ "events": [offered(id)] }))
                .build(),
        )
    };
    assert_eq!(app.send(batch("e-1")).await.status, StatusCode::ACCEPTED);
    let limited = app.send(batch("e-2")).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers.contains_key(header::RETRY_AFTER));
    let mut request = submission(&valid_form(), None);
    request
        .headers_mut()
        .insert("x-crw-site", "shop".parse().unwrap());
    let submitted = app
        .send(crate::support::from([192, 0, 2, 7], request))
        .await;
    assert_eq!(
        submitted.status,
        StatusCode::CREATED,
        "{:?}",
        submitted.body
    );
}

#[tokio::test]
async fn requests_stored_together_each_get_their_own_event() {
    let app = app().await;
    let requests = (0..6).map(|_| submission(&valid_form(), None)).collect();
    let answers = app.send_all(requests).await;
    let mut created: Vec<String> = answers
        .iter()
        .map(|a| {
            assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.body);
            a.body["id"].as_str().unwrap().to_owned()
        })
        .collect();
    created.sort();
    let recorded: Vec<String> = app
        .rows(
            "SELECT contact_request_id FROM experience_events ORDER BY contact_request_id",
            &[],
        )
        .into_iter()
        .map(|row| row[0].as_text().unwrap().to_owned())
        .collect();
    assert_eq!(recorded, created);
}
