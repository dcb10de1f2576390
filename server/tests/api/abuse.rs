//! Rate limits, bot friction and security headers, through the real router.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use contact_server::protection::{Challenger, Friction, KeyedLimit, Protection, solve};
use serde_json::Value;

use crate::support::{PAGE_ORIGIN, TestApp, TestResponse, error_body, from, valid_form};

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

async fn limited(ip: (u32, u32), site: (u32, u32)) -> TestApp {
    TestApp::with_protection(Protection {
        ip_limit: KeyedLimit::per_minute(ip.0, ip.1),
        site_limit: KeyedLimit::per_minute(site.0, site.1),
        ..Protection::off()
    })
    .await
}

fn assert_limited(response: &TestResponse) {
    assert_limited_within(response, 60);
}

/// A 429 in the intake's shape, whose `Retry-After` (the page's script may read it) is at most `most`.
fn assert_limited_within(response: &TestResponse, most: u64) {
    assert_eq!(response.status, StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=most).contains(&retry_after), "{retry_after}");
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
    let app = limited((6, 2), (0, 0)).await;
    assert_eq!(app.send(post("a", &[])).await.status, StatusCode::CREATED);
    assert_eq!(app.send(post("b", &[])).await.status, StatusCode::CREATED);
    assert_limited(&app.send(post("c", &[])).await);
    assert_eq!(app.stored_count(), 2);
}

/// Requests sent alternately to two server processes on one PostgreSQL are refused past the limit in
/// total, not past twice it: the counts are the database's. (SQLite serves one process: skipped there.)
#[tokio::test]
async fn a_client_alternating_between_two_processes_gets_each_limit_once_in_total() {
    // One back every ten minutes: none comes back while the test runs, however slow the machine.
    let protection = || Protection {
        ip_limit: KeyedLimit::per_hour(6, 3),
        site_limit: KeyedLimit::per_hour(6, 2),
        ..Protection::off()
    };
    let a = TestApp::with_protection(protection()).await;
    let Some(b) = a.beside(protection()).await else {
        return;
    };
    let client = |n: u8, site| from([10, 0, 3, n], post(site, &[]));
    assert_eq!(a.send(client(1, "shop")).await.status, StatusCode::CREATED);
    assert_eq!(b.send(client(1, "shop")).await.status, StatusCode::CREATED);
    assert_limited_within(&a.send(client(2, "shop")).await, 600);
    assert_eq!(
        b.send(client(1, "blog")).await.status,
        StatusCode::CREATED,
        "the site's budget is spent in total; the client's has its third place"
    );
    assert_limited_within(&a.send(client(1, "blog")).await, 600);
    assert_eq!(a.stored_count(), 3);
}

#[tokio::test]
async fn each_site_has_its_own_budget() {
    let app = limited((0, 0), (6, 1)).await;
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

/// Once, the site's bucket was charged before the body, the site, the origin and the proof were checked:
/// 250 addresses sending `junk` locked real visitors out. Now only requests that pass those checks count.
#[tokio::test]
async fn junk_from_many_addresses_does_not_spend_a_site_s_budget() {
    let app = TestApp::with_protection(Protection {
        challenger: Challenger::new(
            b"test".to_vec(),
            Friction {
                difficulty: 4,
                min_fill: Duration::ZERO,
            },
        ),
        ip_limit: KeyedLimit::per_minute(6, 2),
        site_limit: KeyedLimit::per_minute(6, 3),
        ..Protection::off()
    })
    .await;
    let junk = |n: u8, body: String, proof: Option<&str>| {
        let mut request = Request::post(contact_shared::CONTACT_REQUESTS_PATH)
            .header(header::ORIGIN, PAGE_ORIGIN)
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-crw-site", "shop");
        if let Some(proof) = proof {
            request = request.header("x-crw-proof", proof);
        }
        from([10, 0, 1, n], request.body(Body::from(body)).unwrap())
    };
    let form = valid_form().to_string();
    for n in 0..20 {
        let kind = match n % 3 {
            0 => junk(n, "junk".into(), None),
            1 => junk(n, form.clone(), None),
            _ => junk(n, form.clone(), Some("v1.1.4.abc.def:1")),
        };
        let response = app.send(kind).await;
        assert!(
            matches!(response.status.as_u16(), 400 | 403),
            "junk {n} is refused for what it is, not rate limited: {}",
            response.status
        );
    }
    for n in 0..3 {
        let proof = solved_proof(&app).await;
        let visitor = from([10, 0, 2, n], post("shop", &[("x-crw-proof", &proof)]));
        let response = app.send(visitor).await;
        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "real visitor {n}: {}",
            response.body
        );
    }
    let proof = solved_proof(&app).await;
    assert_limited(
        &app.send(from(
            [10, 0, 2, 9],
            post("shop", &[("x-crw-proof", &proof)]),
        ))
        .await,
    );
    assert_eq!(app.stored_count(), 3);
}

/// On a server with one site, a request without `X-CRW-Site` is for that site, and counts in its bucket:
/// once, it counted in a bucket of its own, doubling the site's limit.
#[tokio::test]
async fn a_request_that_names_no_site_counts_in_the_only_site_s_bucket() {
    let app = TestApp::with_sites_and_protection(
        crate::support::ONE_SITE,
        Protection {
            site_limit: KeyedLimit::per_minute(6, 1),
            ..Protection::off()
        },
    )
    .await;
    assert_eq!(
        app.post_json(&valid_form()).await.status,
        StatusCode::CREATED
    );
    assert_limited(&app.send(post("shop", &[])).await);
    assert_limited(&app.post_json(&valid_form()).await);
    assert_eq!(app.stored_count(), 1);
}

#[tokio::test]
async fn a_preflight_is_never_rate_limited() {
    let app = limited((6, 1), (0, 0)).await;
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

async fn with_friction(difficulty: u8, min_fill: Duration) -> TestApp {
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
    .await
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
    let app = with_friction(10, Duration::ZERO).await;
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

/// Once, spent proofs were remembered by the process alone: after a restart (or on another process sharing
/// the secret) a spent proof bought one more record. The store keeps them now.
#[tokio::test]
async fn a_spent_proof_is_refused_after_a_restart_on_the_same_database() {
    let protection = || Protection {
        challenger: Challenger::new(
            b"shared secret".to_vec(),
            Friction {
                difficulty: 4,
                min_fill: Duration::ZERO,
            },
        ),
        ..Protection::off()
    };
    let app = TestApp::with_protection(protection()).await;
    let proof = solved_proof(&app).await;
    let first = app
        .send(post(
            "s",
            &[("x-crw-proof", &proof), ("idempotency-key", "k1")],
        ))
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);

    let app = app.restart(protection()).await;
    let reuse = app
        .send(post(
            "s",
            &[("x-crw-proof", &proof), ("idempotency-key", "k2")],
        ))
        .await;
    assert_eq!(reuse.status, StatusCode::FORBIDDEN, "{}", reuse.body);
    assert!(error_body(&reuse).message.contains("already spent"));
    let retry = app
        .send(post(
            "s",
            &[("x-crw-proof", &proof), ("idempotency-key", "k1")],
        ))
        .await;
    assert_eq!(
        (retry.status, &retry.body),
        (StatusCode::CREATED, &first.body),
        "a retry with the first key still gets the first answer"
    );
    assert_eq!(retry.headers["idempotent-replayed"], "true");
    assert_eq!(app.stored_count(), 1);
}

#[tokio::test]
async fn failed_friction_is_refused_with_a_reason_and_stores_nothing() {
    let app = with_friction(10, Duration::ZERO).await;
    let proof = solved_proof(&app).await;
    let slow_app = with_friction(0, Duration::from_secs(60)).await;
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
    let app = TestApp::with_sites_and_protection(&sites, protection).await;
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
    let app = TestApp::new().await;
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
