//! `POST /telephony/v1/voiceCalls/{CALL ID}/requestCallback`.

use serde_json::json;

use super::support::*;

/// Thirty days from now at 15:40:52 UTC, within the 90 days a callback may be scheduled ahead.
fn scheduled() -> jiff::Timestamp {
    let day = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .checked_add(jiff::Span::new().days(30))
        .unwrap();
    day.at(15, 40, 52, 0)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp()
}

/// The reference request's body, scheduled [`scheduled`].
fn body() -> String {
    json!({"callbackNumber": "+18445791189", "isPreviewCallback": true, "scheduledRoutingDateTime": scheduled().to_string()})
        .to_string()
}

#[tokio::test]
async fn the_reference_request_creates_a_callback_with_its_voice_call() {
    let t = Callbacks::new().await;
    let id = t
        .callback(
            "89328b83-ff42-4c85-a2af-e948124365de",
            serde_json::from_str(&body()).unwrap(),
        )
        .await;
    assert!(id.starts_with("0SR") && id.len() == 18, "{id}");
    let record = t
        .api(
            &t.rita.1,
            "GET",
            &format!("/services/data/v62.0/sobjects/ContactRequest/{id}"),
            None,
        )
        .await;
    assert_eq!(record.status, 200, "{}", record.body);
    let r = &record.body;
    assert_eq!(r["PreferredPhone"], "+18445791189");
    assert_eq!(r["PreferredChannel"], "Phone");
    assert_eq!(r["IsCallback"], true);
    assert_eq!(r["Status"], "New");
    assert_eq!(
        r["RequestReason"], "General",
        "RequestReason is Defaulted on create, on every create"
    );
    assert_eq!(
        r["ScheduledRoutingDateTime__c"],
        scheduled()
            .strftime("%Y-%m-%dT%H:%M:%S.000+0000")
            .to_string()
    );
    assert_eq!(r["VoiceCallId__c"], "89328b83-ff42-4c85-a2af-e948124365de");
    assert_eq!(r["TelephonyProviderName__c"], "Amazon Connect");
    assert!(r["CallCenterId__c"].as_str().unwrap().starts_with("04v"));
    // Every audit field is given by the server's one place for a new request's defaults, with no trigger
    // to fill them in: the default queue owns it, the site guest user created it.
    assert_eq!(r["OwnerId"], "00G000000000001EAA");
    assert_eq!(r["CreatedById"], "005000000000001AAA");
    assert_eq!(r["LastModifiedById"], "005000000000001AAA");
    assert_eq!(r["SystemModstamp"], r["CreatedDate"]);
    assert!(
        r["CreatedDate"]
            .as_str()
            .is_some_and(|d| d.ends_with("+0000"))
    );
}

/// The reference's own example (`001`), byte for byte: its time is in the past now, which asks for the
/// callback at once. Before, it was refused as "in the past", and so was a time a second behind ours.
#[tokio::test]
async fn the_references_own_example_is_a_callback_routable_at_once() {
    let t = Callbacks::new().await;
    let example = r#"{
    "callbackNumber": "+18445791189",
    "isPreviewCallback": true,
    "scheduledRoutingDateTime": "2026-02-26T15:40:52Z"
}"#;
    let answer = t
        .request_callback(
            "89328b83-ff42-4c85-a2af-e948124365de",
            Some(&good_token()),
            Some("application/json"),
            example,
        )
        .await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let id = answer.body["recordId"].as_str().unwrap().to_owned();
    let record = t
        .api(
            &t.rita.1,
            "GET",
            &format!("/services/data/v62.0/sobjects/ContactRequest/{id}"),
            None,
        )
        .await;
    assert_eq!(
        record.body["ScheduledRoutingDateTime__c"], "2026-02-26T15:40:52.000+0000",
        "stored as given"
    );
    let just_behind = (jiff::Timestamp::now() - jiff::SignedDuration::from_secs(2)).to_string();
    let skewed = t
        .request_callback(
            "5c2f3a4e-0000-4000-8000-000000000002",
            Some(&good_token()),
            Some("application/json"),
            &json!({"callbackNumber": "+18445791189", "scheduledRoutingDateTime": just_behind})
                .to_string(),
        )
        .await;
    assert_eq!(
        skewed.status, 201,
        "a provider's clock two seconds behind: {}",
        skewed.body
    );
    // Both are due now: the queue's routing view lists them.
    let routable = t.routable(Some("00G000000000001EAA")).await;
    assert_eq!(routable.status, 200, "{}", routable.body);
    let listed = routable.body.to_string();
    assert!(listed.contains(&id), "{listed}");
}

#[tokio::test]
async fn a_callback_number_written_as_the_xdm_reference_writes_it_takes_the_call_centers_country_code()
 {
    let t = with_main_center(r#"default_country_code = "+1""#).await;
    let id = t
        .callback(
            "5c2f3a4e-0000-4000-8000-000000000010",
            json!({"callbackNumber": "1-408-888-8888"}),
        )
        .await;
    let record = t
        .api(
            &t.rita.1,
            "GET",
            &format!("/services/data/v62.0/sobjects/ContactRequest/{id}"),
            None,
        )
        .await;
    assert_eq!(
        record.body["PreferredPhone"], "+14088888888",
        "{}",
        record.body
    );
    // A center without a country keeps asking for the country code, naming the field.
    let plain = Callbacks::new().await;
    let refused = plain
        .request_callback(
            "5c2f3a4e-0000-4000-8000-000000000011",
            Some(&good_token()),
            Some("application/json"),
            r#"{"callbackNumber": "1-408-888-8888"}"#,
        )
        .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    let text = refused.body.to_string();
    assert!(
        text.contains("callbackNumber") && text.contains("country code"),
        "{text}"
    );
}

#[tokio::test]
async fn a_repeated_call_id_returns_the_first_callback() {
    let t = Callbacks::new().await;
    let first = t
        .callback("call-1", json!({"callbackNumber": "+18445791189"}))
        .await;
    let again = t
        .request_callback(
            "call-1",
            Some(&good_token()),
            Some("application/json"),
            r#"{"callbackNumber": "+442079460958"}"#,
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["recordId"], first.as_str());
    let count = t
        .api(
            &t.rita.1,
            "GET",
            "/services/data/v62.0/query?q=SELECT+COUNT()+FROM+ContactRequest",
            None,
        )
        .await;
    assert_eq!(count.body["totalSize"], 1);
    let absent = t
        .callback("call-2", json!({"callbackNumber": "+18445791189"}))
        .await;
    assert_ne!(absent, first, "another CALL ID is another callback");
}

#[tokio::test]
async fn bad_tokens_are_refused_with_401_and_why() {
    let t = Callbacks::new().await;
    let mut expired = claims();
    expired["exp"] = json!(1_000_000);
    let mut wrong_iss = claims();
    wrong_iss["iss"] = json!("https://evil.example.com");
    let mut wrong_aud = claims();
    wrong_aud["aud"] = json!("someone-else");
    let mut no_exp = claims();
    no_exp.as_object_mut().unwrap().remove("exp");
    let table = [
        (None, "Authorization: Bearer", "no token"),
        (Some("not-a-jwt".to_owned()), "not a JWT", "garbage"),
        (Some(jwt(None, SECRET, claims())), "no kid", "no kid"),
        (
            Some(jwt(Some("unknown"), SECRET, claims())),
            "No call center has a key",
            "unknown kid",
        ),
        (
            Some(jwt(Some("2026-01"), OLD_SECRET, claims())),
            "signature does not match",
            "wrong key for the kid",
        ),
        (
            Some(jwt(Some("2026-01"), SECRET, expired)),
            "expired",
            "expired",
        ),
        (
            Some(jwt(Some("2026-01"), SECRET, wrong_iss)),
            "iss",
            "wrong issuer",
        ),
        (
            Some(jwt(Some("2026-01"), SECRET, wrong_aud)),
            "aud",
            "wrong audience",
        ),
        (
            Some(jwt(Some("2026-01"), SECRET, no_exp)),
            "exp, iss and aud",
            "no expiry",
        ),
    ];
    for (token, message, why) in table {
        let response = t
            .request_callback("c", token.as_deref(), Some("application/json"), &body())
            .await;
        assert_eq!(response.status, 401, "{why}: {}", response.body);
        let text = response.body["message"].as_str().unwrap();
        assert!(text.contains(message), "{why}: {text}");
    }
}

#[tokio::test]
async fn an_algorithm_other_than_the_keys_is_refused() {
    let t = Callbacks::new().await;
    let header = jsonwebtoken::Header {
        alg: jsonwebtoken::Algorithm::HS512,
        kid: Some("2026-01".into()),
        ..Default::default()
    };
    let token = jsonwebtoken::encode(
        &header,
        &claims(),
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    let response = t
        .request_callback("c", Some(&token), Some("application/json"), &body())
        .await;
    assert_eq!(response.status, 401, "{}", response.body);
    assert!(
        response.body["message"]
            .as_str()
            .unwrap()
            .contains("signs with HS256")
    );
}

#[tokio::test]
async fn the_previous_key_still_works_while_it_is_configured() {
    let t = Callbacks::new().await;
    let token = jwt(Some("2025-01"), OLD_SECRET, claims());
    let response = t
        .request_callback("rotated", Some(&token), Some("application/json"), &body())
        .await;
    assert_eq!(response.status, 201, "{}", response.body);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415() {
    let t = Callbacks::new().await;
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let response = t
            .request_callback("c", Some(&good_token()), content_type, &body())
            .await;
        assert_eq!(response.status, 415, "{content_type:?}");
        assert!(
            response.body["message"]
                .as_str()
                .unwrap()
                .contains("application/json")
        );
    }
}

#[tokio::test]
async fn bad_fields_are_400_naming_the_field() {
    let t = Callbacks::new().await;
    let table = [
        (
            r#"{"isPreviewCallback": true}"#,
            "callbackNumber",
            "missing number",
        ),
        (
            r#"{"callbackNumber": "not a number"}"#,
            "callbackNumber",
            "invalid number",
        ),
        (
            r#"{"callbackNumber": "+18445791189", "scheduledRoutingDateTime": "next tuesday"}"#,
            "scheduledRoutingDateTime",
            "malformed time",
        ),
        (
            r#"{"callbackNumber": "+18445791189", "scheduledRoutingDateTime": "2999-01-01T00:00:00Z"}"#,
            "scheduledRoutingDateTime",
            "centuries ahead",
        ),
    ];
    for (body, field, why) in table {
        let response = t
            .request_callback("c", Some(&good_token()), Some("application/json"), body)
            .await;
        assert_eq!(response.status, 400, "{why}: {}", response.body);
        assert!(
            response.body["fields"][field][0].is_string(),
            "{why}: {}",
            response.body
        );
    }
    let response = t
        .request_callback("c", Some(&good_token()), Some("application/json"), "{nope")
        .await;
    assert_eq!(response.status, 400);
}

#[tokio::test]
async fn a_call_center_without_unified_routing_is_refused() {
    let t = Callbacks::new().await;
    let token = jwt(Some("legacy-1"), SECRET, claims());
    let response = t
        .request_callback("c", Some(&token), Some("application/json"), &body())
        .await;
    assert_eq!(response.status, 403, "{}", response.body);
    assert!(
        response.body["message"]
            .as_str()
            .unwrap()
            .contains("unified routing")
    );
}

#[tokio::test]
async fn call_centers_are_readable_and_described_and_created_with_their_required_fields() {
    let t = Callbacks::new().await;
    let q = t
        .api(&t.rita.1, "GET", "/services/data/v62.0/query?q=SELECT+Id,Name,UnifiedRoutingEnabled__c,TimeZone__c,FromFile__c+FROM+CallCenter+ORDER+BY+Name", None)
        .await;
    assert_eq!(q.status, 200, "{}", q.body);
    assert_eq!(q.body["totalSize"], 2);
    assert_eq!(q.body["records"][1]["Name"], "Main support");
    assert_eq!(q.body["records"][1]["UnifiedRoutingEnabled__c"], true);
    assert_eq!(q.body["records"][1]["TimeZone__c"], "America/New_York");
    assert_eq!(q.body["records"][1]["FromFile__c"], true);
    let describe = t
        .api(
            &t.rita.1,
            "GET",
            "/services/data/v62.0/sobjects/CallCenter/describe",
            None,
        )
        .await;
    assert_eq!(describe.status, 200);
    assert_eq!(describe.body["createable"], true);
    assert_eq!(describe.body["deletable"], false);
    // Rita is an admin: the API creates call centers (see tests/api/call_centers).
    let create = t
        .api(
            &t.rita.1,
            "POST",
            "/services/data/v62.0/sobjects/CallCenter",
            Some(json!({})),
        )
        .await;
    assert_eq!(create.status, 400, "{}", create.body);
    assert_eq!(create.body[0]["errorCode"], "REQUIRED_FIELD_MISSING");
}

#[tokio::test]
async fn a_body_over_the_server_s_limit_is_refused_in_the_api_s_shape() {
    let t = Callbacks::new().await;
    let padding = "x".repeat(3 * 1024 * 1024);
    let body = format!(r#"{{"callbackNumber": "+18445791189", "pad": "{padding}"}}"#);
    let response = t
        .request_callback(
            "call-big",
            Some(&good_token()),
            Some("application/json"),
            &body,
        )
        .await;
    assert_eq!(response.status, 413);
    assert!(
        response.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("larger than 16 KB")),
        "{}",
        response.body
    );
}

#[tokio::test]
async fn a_call_id_that_is_not_utf8_is_refused_in_the_api_s_shape() {
    let t = Callbacks::new().await;
    let response = t
        .request_callback(
            "%FF%FE",
            Some(&good_token()),
            Some("application/json"),
            &body(),
        )
        .await;
    assert_eq!(response.status, 400);
    assert!(
        response.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("address is not valid")),
        "{}",
        response.body
    );
}

#[tokio::test]
async fn a_call_center_s_queue_owns_the_callbacks_its_telephony_requests_once_it_exists() {
    let t = with_main_center("queue = \"Phone callbacks\"").await;
    let owner = |id: String| {
        let t = &t;
        async move {
            let record = t
                .api(
                    &t.rita.1,
                    "GET",
                    &format!("/services/data/v62.0/sobjects/ContactRequest/{id}"),
                    None,
                )
                .await;
            record.body["OwnerId"].as_str().unwrap().to_owned()
        }
    };
    // No queue of that name yet: the default queue, as without the setting.
    let before = t
        .callback("call-q-1", json!({"callbackNumber": "+18445791189"}))
        .await;
    assert_eq!(owner(before).await, contact_server::ids::DEFAULT_QUEUE_ID);
    let queue =
        contact_server::access::directory::add_queue(&t.app.store, "Phone callbacks".into(), false)
            .await
            .unwrap()
            .id;
    let after = t
        .callback("call-q-2", json!({"callbackNumber": "+18445791189"}))
        .await;
    assert_eq!(owner(after).await, queue);
}
