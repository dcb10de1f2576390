//! Rate limits, bot friction and security headers, through the real router.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use contact_server::protection::{Challenger, Friction, Protection, solve};
use serde_json::Value;

use crate::support::{PAGE_ORIGIN, TestApp, TestResponse, error_body, valid_form};

fn post(site: &str, extra: &[(&str, &str)]) -> Request<Body> {
    let mut request = Request::post(contact_shared::CONTACT_REQUESTS_PATH)
        .header(header::ORIGIN, PAGE_ORIGIN)
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-crw-site", site);
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    request.body(Body::from(valid_form().to_string())).unwrap()
}

fn limited(ip: (u32, u32), site: (u32, u32)) -> TestApp {
    TestApp::with_protection(Protection {
        rate_limit_ip: ip,
        rate_limit_site: site,
        ..Protection::off()
    })
}

fn assert_limited(response: &TestResponse) {
    assert_eq!(response.status, StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let body = error_body(response);
    assert_eq!(
        body.message,
        format!(
            "Too many requests. Try again in {retry_after} second{}.",
            if retry_after == 1 { "" } else { "s" }
        )
    );
    assert_eq!(
        response.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        PAGE_ORIGIN,
        "the page's script can read it"
    );
    assert!(
        response.headers[header::ACCESS_CONTROL_EXPOSE_HEADERS]
            .to_str()
            .unwrap()
            .to_lowercase()
            .contains("retry-after"),
        "and its Retry-After"
    );
}

#[tokio::test]
async fn a_client_over_its_rate_gets_429_with_retry_after_and_nothing_is_stored() {
    let app = limited((6, 2), (0, 0));
    assert_eq!(app.send(post("a", &[])).await.status, StatusCode::CREATED);
    assert_eq!(app.send(post("b", &[])).await.status, StatusCode::CREATED);
    assert_limited(&app.send(post("c", &[])).await);
    assert_eq!(app.stored_count(), 2);
}

#[tokio::test]
async fn each_site_has_its_own_budget() {
    let app = limited((0, 0), (6, 1));
    assert_eq!(
        app.send(post("shop", &[])).await.status,
        StatusCode::CREATED
    );
    assert_limited(&app.send(post("shop", &[])).await);
    assert_eq!(
        app.send(post("blog", &[])).await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn a_preflight_is_never_rate_limited() {
    let app = limited((6, 1), (0, 0));
    for _ in 0..3 {
        let preflight = Request::options(contact_shared::CONTACT_REQUESTS_PATH)
            .header(header::ORIGIN, PAGE_ORIGIN)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                "content-type,idempotency-key,x-crw-site,x-crw-proof",
            )
            .body(Body::empty())
            .unwrap();
        let response = app.send(preflight).await;
        assert_eq!(response.status, StatusCode::OK);
        let allowed = response.headers[header::ACCESS_CONTROL_ALLOW_HEADERS]
            .to_str()
            .unwrap();
        assert!(
            allowed.contains("idempotency-key") && allowed.contains("x-crw-proof"),
            "{allowed}"
        );
    }
}

fn with_friction(difficulty: u8, min_fill: Duration) -> TestApp {
    TestApp::with_protection(Protection {
        challenger: Challenger::new(
            b"test".to_vec(),
            Friction {
                difficulty,
                min_fill,
            },
        ),
        ..Protection::off()
    })
}

async fn solved_proof(app: &TestApp) -> String {
    solved_proof_from(app, "/api/v1/challenge").await
}

async fn solved_proof_from(app: &TestApp, path: &str) -> String {
    let challenge = app.get(path).await;
    assert_eq!(challenge.status, StatusCode::OK, "{}", challenge.body);
    assert_eq!(challenge.headers[header::CACHE_CONTROL], "no-store");
    let token = challenge.body["token"].as_str().unwrap();
    let difficulty = challenge.body["difficulty"].as_u64().unwrap() as u8;
    format!("{token}:{}", solve(token, difficulty))
}

#[tokio::test]
async fn a_solved_challenge_lets_one_submission_through() {
    let app = with_friction(10, Duration::ZERO);
    let proof = solved_proof(&app).await;
    let first = app
        .send(post(
            "s",
            &[("x-crw-proof", &proof), ("idempotency-key", "k1")],
        ))
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    let retry = app
        .send(post(
            "s",
            &[("x-crw-proof", &proof), ("idempotency-key", "k1")],
        ))
        .await;
    assert_eq!(
        retry.body, first.body,
        "a retry with the same key may reuse its proof"
    );
    let reuse = app
        .send(post(
            "s",
            &[("x-crw-proof", &proof), ("idempotency-key", "k2")],
        ))
        .await;
    assert_eq!(reuse.status, StatusCode::FORBIDDEN);
    assert!(error_body(&reuse).message.contains("already spent"));
    assert_eq!(app.stored_count(), 1);
}

#[tokio::test]
async fn failed_friction_is_refused_with_a_reason_and_stores_nothing() {
    let app = with_friction(10, Duration::ZERO);
    let proof = solved_proof(&app).await;
    let slow_app = with_friction(0, Duration::from_secs(60));
    let slow_proof = solved_proof(&slow_app).await;
    let unsolved = format!("{}:x", proof.rsplit_once(':').unwrap().0);
    type Row<'a> = (&'a TestApp, Vec<(&'a str, &'a str)>, &'a str, &'a str);
    let table: [Row; 5] = [
        (&app, vec![], "Missing proof of work", "no proof"),
        (
            &app,
            vec![("x-crw-proof", "v1.1.10.abc.def:1")],
            "not issued by this server",
            "a forged token",
        ),
        (
            &app,
            vec![("x-crw-proof", &unsolved)],
            "does not solve",
            "an unsolved challenge",
        ),
        (
            &app,
            vec![
                ("x-crw-proof", &proof),
                ("x-crw-trap", "https://spam.example"),
            ],
            "looks automated",
            "a filled honeypot",
        ),
        (
            &slow_app,
            vec![("x-crw-proof", &slow_proof)],
            "too soon",
            "under the minimum fill time",
        ),
    ];
    for (app, headers, message, why) in table {
        let response = app.send(post("s", &headers)).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{why}");
        let body = error_body(&response);
        assert!(body.message.contains(message), "{why}: {}", body.message);
    }
    assert_eq!(app.stored_count(), 0);
    assert_eq!(slow_app.stored_count(), 0);
}

#[tokio::test]
async fn each_site_sets_its_own_friction_and_an_easier_site_s_proof_does_not_pass_a_stricter_one() {
    let sites: String = [
        ("strict", "pow_difficulty = 12\nmin_fill_ms = 0\n"),
        ("light", "pow_difficulty = 2\nmin_fill_ms = 0\n"),
        ("open", "pow_difficulty = 0\nmin_fill_ms = 0\n"),
        ("plain", ""),
    ]
    .iter()
    .map(|(key, friction)| {
        format!("[[site]]\nkey = \"{key}\"\nname = \"{key}\"\nallowed_origins = [\"{PAGE_ORIGIN}\"]\n{friction}")
    })
    .collect();
    let protection = Protection {
        challenger: Challenger::new(
            b"test".to_vec(),
            Friction {
                difficulty: 10,
                min_fill: Duration::ZERO,
            },
        ),
        ..Protection::off()
    };
    let app = TestApp::with_sites_and_protection(&sites, protection);
    let difficulty = async |path: &str| {
        let answer = app.get(path).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body);
        answer.body["difficulty"].as_u64()
    };
    assert_eq!(difficulty("/api/v1/challenge?site=strict").await, Some(12));
    assert_eq!(difficulty("/api/v1/challenge?site=light").await, Some(2));
    assert_eq!(
        difficulty("/api/v1/challenge?site=plain").await,
        Some(10),
        "the server's"
    );
    assert_eq!(
        difficulty("/api/v1/challenge").await,
        Some(10),
        "no site named"
    );

    let unknown = app.get("/api/v1/challenge?site=nope").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(
        error_body(&unknown)
            .message
            .contains("There is no site \"nope\"")
    );

    // A site without friction takes submissions with no proof; the others do not.
    assert_eq!(
        app.send(post("open", &[])).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        app.send(post("plain", &[])).await.status,
        StatusCode::FORBIDDEN
    );

    let light = solved_proof_from(&app, "/api/v1/challenge?site=light").await;
    let refused = app.send(post("strict", &[("x-crw-proof", &light)])).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        error_body(&refused)
            .message
            .contains("easier challenge than this site asks for"),
        "{}",
        refused.body
    );
    let strict = solved_proof_from(&app, "/api/v1/challenge?site=strict").await;
    let accepted = app.send(post("strict", &[("x-crw-proof", &strict)])).await;
    assert_eq!(accepted.status, StatusCode::CREATED, "{}", accepted.body);
    let light = solved_proof_from(&app, "/api/v1/challenge?site=light").await;
    assert_eq!(
        app.send(post("light", &[("x-crw-proof", &light)]))
            .await
            .status,
        StatusCode::CREATED
    );
    assert_eq!(app.stored_count(), 3);
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = TestApp::new();
    for path in [
        "/healthz",
        "/api/v1/challenge",
        "/no/such/page",
        "/widget.js",
    ] {
        let response = app.get(path).await;
        let h = &response.headers;
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(h[header::REFERRER_POLICY], "no-referrer", "{path}");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY", "{path}");
        assert_eq!(
            h[header::CONTENT_SECURITY_POLICY],
            "default-src 'none'; frame-ancestors 'none'",
            "{path}"
        );
        assert_eq!(
            h["cross-origin-resource-policy"], "cross-origin",
            "{path}: embeddable on any site"
        );
    }
    let created = app.post_json(&valid_form()).await;
    assert_eq!(created.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let _: &Value = &created.body;
}
