//! `POST /api/v1/contact-requests`.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::support::{PAGE_ORIGIN, TestApp, error_body, submission, valid_form};

#[tokio::test]
async fn a_valid_submission_is_stored_normalised_and_answered_with_its_number() {
    let app = TestApp::new().await;
    let response = app.post_json(&valid_form()).await;

    assert_eq!(response.status, StatusCode::CREATED);
    let id = response.body["id"].as_str().unwrap();
    assert_eq!(response.body["name"], "CR-000001");
    assert_eq!(response.body["status"], "New");
    assert_eq!(id.len(), 18);
    assert_eq!(
        response.body.as_object().unwrap().len(),
        3,
        "only id, name and status are answered"
    );

    let stored = app
        .store
        .find(id)
        .await
        .unwrap()
        .expect("the record is stored");
    assert_eq!(stored.name, "CR-000001");
    assert_eq!(stored.status.as_str(), "New");
    assert_eq!(stored.request_reason.as_deref(), Some("Billing"));
    assert_eq!(stored.preferred_channel, "Phone");
    assert_eq!(stored.preferred_phone.as_deref(), Some("+442079460958"));
    assert_eq!(stored.visitor_name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(stored.visitor_email.as_deref(), Some("ada@example.com"));
    assert_eq!(
        stored.request_description.as_deref(),
        Some("I was charged twice.")
    );
    assert!(!stored.is_callback);
    assert_eq!(stored.source_origin.as_deref(), Some(PAGE_ORIGIN));
    assert_eq!(stored.created_at, stored.updated_at);
    assert!(stored.created_at.ends_with('Z'), "{}", stored.created_at);
}

#[tokio::test]
async fn request_numbers_count_up_and_ids_are_unguessable() {
    let app = TestApp::new().await;
    let mut ids = Vec::new();
    for expected in ["CR-000001", "CR-000002", "CR-000003"] {
        let response = app.post_json(&valid_form()).await;
        assert_eq!(response.body["name"], expected);
        ids.push(response.body["id"].as_str().unwrap().to_owned());
    }
    ids.dedup();
    assert_eq!(ids.len(), 3);
    assert!(ids.iter().all(|id| id.starts_with("0SR")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_submissions_each_get_their_own_number() {
    let app = TestApp::new().await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let router = app.router.clone();
        tasks.spawn(async move {
            let request = Request::post(contact_shared::CONTACT_REQUESTS_PATH)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(valid_form().to_string()))
                .unwrap();
            let response = tower::ServiceExt::oneshot(router, request).await.unwrap();
            assert_eq!(response.status(), StatusCode::CREATED);
            let bytes = http_body_util::BodyExt::collect(response.into_body())
                .await
                .unwrap()
                .to_bytes();
            let body: Value = serde_json::from_slice(&bytes).unwrap();
            body["name"].as_str().unwrap().to_owned()
        });
    }
    let mut names = tasks.join_all().await;
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 50);
    assert_eq!(names.first().map(String::as_str), Some("CR-000001"));
    assert_eq!(names.last().map(String::as_str), Some("CR-000050"));
    assert_eq!(app.stored_count(), 50);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_submission_of_a_group_commit_is_answered_with_its_own_record() {
    let app = TestApp::new().await;
    // 300 at once: group commits of several multi-row statements each.
    let forms: Vec<Value> = (0..300)
        .map(|i| {
            let mut form = valid_form();
            form["name"] = format!("Visitor {i}").into();
            form
        })
        .collect();
    let answers = app
        .send_all(forms.iter().map(|f| submission(f, None)).collect())
        .await;

    let mut names = std::collections::BTreeSet::new();
    for (form, answer) in forms.iter().zip(&answers) {
        assert_eq!(answer.status, StatusCode::CREATED);
        let id = answer.body["id"].as_str().unwrap();
        let stored = app.store.find(id).await.unwrap().expect("stored");
        assert_eq!(
            stored.name, answer.body["name"],
            "the number answered is the record's"
        );
        assert_eq!(stored.visitor_name.as_deref(), form["name"].as_str());
        names.insert(stored.name);
    }
    assert_eq!(names.len(), 300);
    assert_eq!(names.first().map(String::as_str), Some("CR-000001"));
    assert_eq!(names.last().map(String::as_str), Some("CR-000300"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_submission_that_cannot_be_written_fails_alone_and_the_rest_of_its_group_is_stored() {
    let app = TestApp::new().await;
    // A fault only one row meets: the database refuses it as it would a full disk or a broken constraint.
    app.execute(
        "CREATE TRIGGER refuse_for_test BEFORE INSERT ON contact_requests
         WHEN NEW.visitor_name = 'Refused Row'
         BEGIN SELECT RAISE(ABORT, 'refused for the test'); END;",
        "CREATE FUNCTION refuse_for_test() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
             IF NEW.visitor_name = 'Refused Row' THEN RAISE EXCEPTION 'refused for the test'; END IF;
             RETURN NEW;
         END $$;
         CREATE TRIGGER refuse_for_test BEFORE INSERT ON contact_requests
         FOR EACH ROW EXECUTE FUNCTION refuse_for_test();",
    ).await;
    let forms: Vec<Value> = (0..30)
        .map(|i| {
            let mut form = valid_form();
            if i == 10 {
                form["name"] = "Refused Row".into();
            }
            form
        })
        .collect();
    let answers = app
        .send_all(forms.iter().map(|f| submission(f, None)).collect())
        .await;

    for (i, answer) in answers.iter().enumerate() {
        if i == 10 {
            assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
            error_body(answer);
        } else {
            assert_eq!(answer.status, StatusCode::CREATED, "submission {i}");
        }
    }
    assert_eq!(app.stored_count(), 29);
}

#[tokio::test]
async fn broken_rules_are_422_naming_each_field_and_store_nothing() {
    let app = TestApp::new().await;
    // (form, the first message of each failing field, why)
    type Row = (Value, Vec<(&'static str, &'static str)>, &'static str);
    let table: Vec<Row> = vec![
        (
            json!({}),
            vec![
                (
                    "preferred_phone",
                    "Enter a phone number so we can call you.",
                ),
                ("request_reason", "Choose a reason for your request."),
            ],
            "an empty form",
        ),
        (
            json!({"request_reason": "Billing", "preferred_phone": "+44 20 7946 095x"}),
            vec![(
                "preferred_phone",
                "Remove \u{201c}x\u{201d}: a phone number can hold only digits, spaces, dashes, dots, parentheses and a leading +.",
            )],
            "a letter in the phone",
        ),
        (
            json!({"request_reason": "Billing", "preferred_channel": "Email"}),
            vec![("email", "Enter your email address so we can reply.")],
            "email channel without email",
        ),
        (
            json!({"request_reason": "Refunds", "preferred_phone": "+14155550100"}),
            vec![(
                "request_reason",
                "Choose one of: Account, Billing, Case, General, Order, Other, Product.",
            )],
            "a reason outside the picklist",
        ),
        (
            json!({"request_reason": "Billing", "preferred_phone": "+14155550100", "request_description": "x".repeat(4001)}),
            vec![(
                "request_description",
                "Shorten the description to 4000 characters or fewer (it has 4001).",
            )],
            "a description over 4,000 characters",
        ),
    ];
    for (form, expected, why) in table {
        let response = app.post_json(&form).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{why}");
        let body = error_body(&response);
        let got: Vec<(&str, &str)> = body
            .fields
            .iter()
            .map(|(k, v)| (k, v[0].as_str()))
            .collect();
        assert_eq!(got, expected, "{why}");
        assert!(body.message.contains("need"), "{why}: {}", body.message);
    }
    assert_eq!(app.stored_count(), 0);
}

#[tokio::test]
async fn the_visitors_time_zone_is_stored_when_the_widget_sends_it() {
    let app = TestApp::new().await;
    for (sent, stored_as) in [
        (Some("Europe/Paris"), Some("Europe/Paris")),
        (Some(" America/New_York "), Some("America/New_York")),
        (Some(""), None),
        (None, None),
    ] {
        let mut form = valid_form();
        if let Some(zone) = sent {
            form["time_zone"] = json!(zone);
        }
        let response = app.post_json(&form).await;
        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "{sent:?}: {}",
            response.body
        );
        let id = response.body["id"].as_str().unwrap();
        let stored = app.store.find(id).await.unwrap().unwrap();
        assert_eq!(stored.visitor_time_zone.as_deref(), stored_as, "{sent:?}");
    }
}

#[tokio::test]
async fn a_time_zone_that_is_not_a_real_iana_zone_is_refused_naming_the_field_and_stores_nothing() {
    let app = TestApp::new().await;
    for (zone, why) in [
        (json!("Europe/Atlantis"), "no such zone"),
        (json!("GMT+2:00"), "an offset is not a zone name"),
        (json!("../../etc/passwd"), "a path"),
        (json!("Z".repeat(200)), "far too long"),
    ] {
        let mut form = valid_form();
        form["time_zone"] = zone;
        let response = app.post_json(&form).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{why}");
        let body = error_body(&response);
        let fields: Vec<&str> = body.fields.iter().map(|(k, _)| k).collect();
        assert_eq!(fields, ["time_zone"], "{why}");
        assert!(
            body.fields.iter().next().unwrap().1[0].contains("IANA"),
            "{why}"
        );
    }
    let mut form = valid_form();
    form["time_zone"] = json!(7);
    let not_text = app.post_json(&form).await;
    assert_eq!(
        not_text.status,
        StatusCode::BAD_REQUEST,
        "a number is not our JSON"
    );
    assert!(
        error_body(&not_text).message.contains("time_zone"),
        "{}",
        not_text.body
    );
    assert_eq!(app.stored_count(), 0);
}

#[tokio::test]
async fn bodies_that_are_not_our_json_get_400_415_or_413_in_the_same_shape() {
    let app = TestApp::new().await;
    let huge = json!({"request_reason": "Billing", "preferred_phone": "+14155550100", "request_description": "x".repeat(17 * 1024)});
    let table: Vec<(Option<&str>, String, StatusCode, &str, &str)> = vec![
        (
            Some("application/json"),
            "{not json".into(),
            StatusCode::BAD_REQUEST,
            "The request body is not valid",
            "malformed JSON",
        ),
        (
            Some("application/json"),
            "".into(),
            StatusCode::BAD_REQUEST,
            "The request body is not valid",
            "an empty body",
        ),
        (
            Some("application/json"),
            "[1,2]".into(),
            StatusCode::BAD_REQUEST,
            "The request body is not valid",
            "an array",
        ),
        (
            Some("application/json"),
            r#"{"request_reason": 7}"#.into(),
            StatusCode::BAD_REQUEST,
            "request_reason",
            "a number for a string",
        ),
        (
            Some("application/json"),
            r#"{"is_callback": "yes"}"#.into(),
            StatusCode::BAD_REQUEST,
            "is_callback",
            "a string for a boolean",
        ),
        (
            Some("application/json"),
            r#"{"phone": "+14155550100"}"#.into(),
            StatusCode::BAD_REQUEST,
            "unknown field `phone`",
            "a misspelt field",
        ),
        (
            Some("text/plain"),
            valid_form().to_string(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type: application/json",
            "text/plain",
        ),
        (
            None,
            valid_form().to_string(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type: application/json",
            "no content type",
        ),
        (
            Some("application/x-www-form-urlencoded"),
            "request_reason=Billing".into(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type",
            "a form post",
        ),
        (
            Some("application/json"),
            huge.to_string(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "larger than 16 KB",
            "a body over 16 KB",
        ),
    ];
    for (content_type, body, status, says, why) in table {
        let response = app.post_raw(content_type, body).await;
        assert_eq!(response.status, status, "{why}");
        let error = error_body(&response);
        assert!(error.message.contains(says), "{why}: {}", error.message);
    }
    assert_eq!(app.stored_count(), 0);
}

#[tokio::test]
async fn invalid_utf8_is_a_400_not_a_crash() {
    let app = TestApp::new().await;
    let response = app
        .post_raw(
            Some("application/json"),
            vec![b'{', b'"', 0xff, 0xfe, b'"', b'}'],
        )
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    error_body(&response);
}

#[tokio::test]
async fn a_preflight_from_an_allowed_origin_is_answered_and_others_are_not() {
    let app = TestApp::new().await;
    let preflight = |origin: &str| {
        Request::builder()
            .method("OPTIONS")
            .uri(contact_shared::CONTACT_REQUESTS_PATH)
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type")
            .body(Body::empty())
            .unwrap()
    };
    let allowed = app.send(preflight(PAGE_ORIGIN)).await;
    assert!(
        allowed.status.is_success(),
        "{} {:?}",
        allowed.status,
        allowed.body
    );
    assert_eq!(
        allowed.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        PAGE_ORIGIN
    );
    assert!(
        allowed.headers[header::ACCESS_CONTROL_ALLOW_METHODS]
            .to_str()
            .unwrap()
            .contains("POST")
    );

    let other = app.send(preflight("https://evil.example.net")).await;
    assert!(
        other
            .headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );

    let created = app.post_json(&valid_form()).await;
    assert_eq!(
        created.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        PAGE_ORIGIN
    );
}

#[tokio::test]
async fn unknown_addresses_and_methods_answer_in_the_error_shape() {
    let app = TestApp::new().await;
    let missing = app.get("/api/v1/nothing-here").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    error_body(&missing);

    let wrong_method = app.get(contact_shared::CONTACT_REQUESTS_PATH).await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    error_body(&wrong_method);
}
