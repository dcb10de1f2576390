//! The reports (`GET /console/api/reports`) against a known set of requests: made through the API, their
//! calls logged as Tasks, then their times moved to known instants (the figures read the stored times,
//! so the test moves the times, not the clock); and the queues' service-level target.

use contact_server::access::directory;
use contact_shared::console::{API_PREFIX, Role};
use serde_json::{Value, json};

use super::support::*;
use crate::support::call;

/// A call center open on weekdays 09:00-17:00 in New York, trying three times.
const CENTERS: &str = r#"
[[call_center]]
internal_name = "main"
name = "Main support"
time_zone = "America/New_York"
business_hours = { mon = "09:00-17:00", tue = "09:00-17:00", wed = "09:00-17:00", thu = "09:00-17:00", fri = "09:00-17:00" }
max_attempts = 3
[call_center.jwt]
issuer = "https://connect.example.com"
audience = "contact-server"
[[call_center.jwt.keys]]
kid = "2026-01"
algorithm = "HS256"
secret = "0123456789abcdef0123456789abcdef"
"#;

async fn log(console: &Console, request: &str, result: &str) {
    let response = console
        .api
        .call(
            "POST",
            "/sobjects/Task",
            Some(&console.api.write),
            Some(json!({"WhatId": request, "CallType": "Outbound", "CallResult__c": result})),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.body);
}

/// Moves the request `id`'s stored instants (and site) to the test's.
async fn moved(console: &Console, id: &str, set: &str) {
    let sql = format!("UPDATE contact_requests SET {set} WHERE id = '{id}'");
    console.api.app.execute(&sql, &sql).await;
}

async fn report(console: &Console, cookie: &str, query: &str) -> crate::support::TestResponse {
    console
        .call(call("GET", &format!("{API_PREFIX}/reports?{query}")).header("cookie", cookie))
        .await
}

fn group<'a>(groups: &'a Value, name: &str) -> &'a Value {
    groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {groups}"))
}

#[tokio::test]
async fn the_report_counts_a_known_set_of_requests_in_business_time_per_queue_and_representative() {
    let console = Console::with(Options {
        call_centers: Some(CENTERS),
        ..Options::default()
    })
    .await;
    let store = console.api.app.store.clone();
    let callbacks = directory::add_queue(&store, "Callbacks".into(), false)
        .await
        .unwrap()
        .id;
    let orders = directory::add_queue(&store, "Orders".into(), false)
        .await
        .unwrap()
        .id;
    let rep = console
        .add_user("rep0@example.com", Role::Representative)
        .await;
    let admin = console.signed_in().await;
    let center = console.api.app.text(
        "SELECT id FROM call_centers WHERE internal_name = ?1",
        &["main"],
    );

    // The Orders queue's target is 30 minutes; Callbacks keeps the default 15.
    let path = format!("{API_PREFIX}/admin/queues/{orders}");
    let set = console
        .change(
            "PATCH",
            &path,
            &admin,
            Some(json!({"serviceTargetSeconds": 1800})),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(set.body["serviceTargetSeconds"], 1800);
    let refused = console
        .change(
            "PATCH",
            &path,
            &admin,
            Some(json!({"serviceTargetSeconds": 59})),
        )
        .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(
        refused.body["fields"]["serviceTargetSeconds"].is_array(),
        "{}",
        refused.body
    );

    let new = |reason: &str, queue: &str, center: Option<&str>| {
        let mut body = json!({"RequestReason": reason, "PreferredPhone": "+12125550123",
                              "IsCallback": true, "OwnerId": queue});
        if let Some(center) = center {
            body["CallCenterId__c"] = json!(center);
        }
        body
    };
    // 1: made Monday 09:00 New York, taken by the representative, reached 10 minutes later.
    let first = console
        .api
        .create(new("Billing", &callbacks, Some(&center)))
        .await;
    let taken = console
        .api
        .call(
            "PATCH",
            &format!("/sobjects/ContactRequest/{first}"),
            Some(&console.api.write),
            Some(json!({"OwnerId": rep})),
        )
        .await;
    assert_eq!(taken.status, 204, "{}", taken.body);
    log(&console, &first, "Reached").await;
    moved(
        &console,
        &first,
        "created_at = '2026-03-02T14:00:00.000Z', first_attempt_at = '2026-03-02T14:10:00.000Z', site_key = 'shop'",
    )
    .await;
    // 2: made Monday 16:50, ten minutes before closing; first tried Tuesday 09:10 (20 business
    // minutes: a breach of 15), reached on the second try.
    let second = console
        .api
        .create(new("Billing", &callbacks, Some(&center)))
        .await;
    log(&console, &second, "Not Reached").await;
    log(&console, &second, "Reached").await;
    moved(
        &console,
        &second,
        "created_at = '2026-03-02T21:50:00.000Z', first_attempt_at = '2026-03-03T14:10:00.000Z', site_key = 'shop'",
    )
    .await;
    // 3: made at 10:00 for 11:00, first tried at 11:25 (25 minutes, within Orders' 30), never reached.
    let mut body = new("Order", &orders, Some(&center));
    body["ScheduledRoutingDateTime__c"] = json!("2026-03-02T16:00:00.000Z");
    let third = console.api.create(body).await;
    for _ in 0..3 {
        log(&console, &third, "Not Reached").await;
    }
    moved(
        &console,
        &third,
        "created_at = '2026-03-02T15:00:00.000Z', first_attempt_at = '2026-03-02T16:25:00.000Z', site_key = 'other'",
    )
    .await;
    // 4: of no call center, made Monday and never tried: past its target, a breach while it waits.
    let fourth = console.api.create(new("Product", &callbacks, None)).await;
    moved(&console, &fourth, "created_at = '2026-03-02T14:00:00.000Z'").await;
    // Made on another day: not in the report.
    let later = console.api.create(new("Product", &callbacks, None)).await;
    moved(&console, &later, "created_at = '2026-03-04T14:00:00.000Z'").await;

    let answer = report(&console, &admin, "from=2026-03-02&to=2026-03-03").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let r = &answer.body;
    assert_eq!(
        (&r["from"], &r["to"]),
        (&json!("2026-03-02"), &json!("2026-03-03"))
    );
    assert_eq!(
        r["perDay"],
        json!([
            {"day": "2026-03-02", "site": null, "reason": "Product", "requests": 1},
            {"day": "2026-03-02", "site": "other", "reason": "Order", "requests": 1},
            {"day": "2026-03-02", "site": "shop", "reason": "Billing", "requests": 2},
        ])
    );
    let all = &r["overall"];
    assert_eq!(all["requests"], 4);
    assert_eq!(all["attempted"], 3);
    assert_eq!(all["medianFirstAttemptSeconds"], 1200, "of 600, 1200, 1500");
    assert_eq!(all["p90FirstAttemptSeconds"], 1500);
    assert_eq!(
        all["breaches"], 2,
        "the late first attempt and the one still waiting"
    );
    assert_eq!(
        (&all["closed"], &all["contacted"], &all["abandoned"]),
        (&json!(3), &json!(2), &json!(1))
    );
    assert!((all["contactRate"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9);
    assert!((all["abandonmentRate"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);
    assert_eq!(all["attemptsPerContacted"], 1.5, "one try and two");

    let queue = group(&r["perQueue"], "Callbacks");
    assert_eq!(queue["id"], callbacks.as_str());
    assert_eq!(
        (&queue["requests"], &queue["attempted"]),
        (&json!(3), &json!(2))
    );
    assert_eq!(
        (
            &queue["medianFirstAttemptSeconds"],
            &queue["p90FirstAttemptSeconds"]
        ),
        (&json!(600), &json!(1200))
    );
    assert_eq!(queue["breaches"], 2);
    assert_eq!(queue["contactRate"], 1.0);
    let queue = group(&r["perQueue"], "Orders");
    assert_eq!(
        (
            &queue["requests"],
            &queue["medianFirstAttemptSeconds"],
            &queue["breaches"]
        ),
        (&json!(1), &json!(1500), &json!(0)),
        "25 minutes is within Orders' 30"
    );
    assert_eq!(
        (&queue["abandoned"], &queue["contactRate"]),
        (&json!(1), &json!(0.0))
    );
    assert_eq!(queue["attemptsPerContacted"], Value::Null);
    let person = group(&r["perRepresentative"], "rep0@example.com");
    assert_eq!(person["id"], rep.as_str());
    assert_eq!(
        (
            &person["requests"],
            &person["contacted"],
            &person["medianFirstAttemptSeconds"]
        ),
        (&json!(1), &json!(1), &json!(600))
    );

    // The same report as CSV.
    let csv = report(&console, &admin, "from=2026-03-02&to=2026-03-03&format=csv").await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    assert!(
        csv.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("report-2026-03-02-2026-03-03.csv")
    );
    let text = String::from_utf8(csv.bytes.clone()).unwrap();
    assert!(
        text.starts_with("section,day,site,reason,id,name,requests,"),
        "{text}"
    );
    assert!(
        text.contains("\r\nper_day,2026-03-02,shop,Billing,,,2,"),
        "{text}"
    );
    assert!(
        text.contains("\r\noverall,,,,,,4,3,1200,1500,2,3,2,1,0.6667,0.3333,1.5000\r\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "\r\nqueue,,,,{orders},Orders,1,1,1500,1500,0,1,0,1,"
        )),
        "{text}"
    );
}

#[tokio::test]
async fn only_supervisors_and_admins_read_the_reports_and_a_bad_query_is_refused_at_its_key() {
    let console = Console::new().await;
    console
        .add_user("rep0@example.com", Role::Representative)
        .await;
    console.add_user("sup@example.com", Role::Supervisor).await;
    let rep = session_cookie(&console.sign_in_as("rep0@example.com", PASSWORD).await).unwrap();
    let sup = session_cookie(&console.sign_in_as("sup@example.com", PASSWORD).await).unwrap();
    let refused = report(&console, &rep, "").await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let plain = report(&console, &sup, "").await;
    assert_eq!(plain.status, 200, "{}", plain.body);
    assert_eq!(plain.body["overall"]["requests"], 0);
    assert_eq!(plain.body["overall"]["contactRate"], Value::Null);
    for (query, key) in [
        ("from=2026-3-1", "from"),
        ("from=2026-03-05&to=2026-03-01", "from"),
        ("format=pdf", "format"),
        ("site=shop", "query"),
    ] {
        let answer = report(&console, &sup, query).await;
        assert_eq!(answer.status, 400, "{query}: {}", answer.body);
        assert!(
            answer.body["fields"][key].is_array(),
            "{query}: {}",
            answer.body
        );
    }
    let unsigned = console
        .call(call("GET", &format!("{API_PREFIX}/reports")))
        .await;
    assert_eq!(unsigned.status, 401);
}

/// The requests' ids and service-level deadlines, closest to its target first, as the console's list
/// sorts them.
async fn by_target(console: &Console) -> Vec<(String, Value)> {
    let soql = "SELECT Id, ServiceLevelDueDateTime__c FROM ContactRequest \
                ORDER BY ServiceLevelDueDateTime__c ASC NULLS LAST, CreatedDate ASC";
    let answer = console
        .api
        .call(
            "GET",
            &format!("/query?q={}", soql.replace(' ', "+")),
            Some(&console.api.read),
            None,
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["Id"].as_str().unwrap().to_owned(),
                r["ServiceLevelDueDateTime__c"].clone(),
            )
        })
        .collect()
}

async fn refreshed(console: &Console) {
    console
        .api
        .app
        .store
        .write(contact_server::reports::refresh)
        .await
        .unwrap();
}

#[tokio::test]
async fn lists_sort_by_the_deadline_of_each_queues_target_in_business_time_and_follow_a_new_target()
{
    let console = Console::with(Options {
        call_centers: Some(CENTERS),
        ..Options::default()
    })
    .await;
    let store = console.api.app.store.clone();
    let callbacks = directory::add_queue(&store, "Callbacks".into(), false)
        .await
        .unwrap()
        .id;
    let orders = directory::add_queue(&store, "Orders".into(), false)
        .await
        .unwrap()
        .id;
    let admin = console.signed_in().await;
    let center = console.api.app.text(
        "SELECT id FROM call_centers WHERE internal_name = ?1",
        &["main"],
    );
    let target = |queue: &str, seconds: u32| {
        let path = format!("{API_PREFIX}/admin/queues/{queue}");
        let body = json!({"serviceTargetSeconds": seconds});
        let (console, admin) = (&console, admin.clone());
        async move {
            let set = console.change("PATCH", &path, &admin, Some(body)).await;
            assert_eq!(set.status, 200, "{}", set.body);
        }
    };
    target(&orders, 1800).await;
    let new = |queue: &str| {
        json!({"RequestReason": "Billing", "PreferredPhone": "+12125550123", "IsCallback": true,
               "OwnerId": queue, "CallCenterId__c": center})
    };
    // Monday 09:00 New York in Orders (30 minutes), 09:10 in Callbacks (15), and 16:55 in Callbacks.
    let early = console.api.create(new(&orders)).await;
    moved(&console, &early, "created_at = '2026-03-02T14:00:00.000Z'").await;
    let later = console.api.create(new(&callbacks)).await;
    moved(&console, &later, "created_at = '2026-03-02T14:10:00.000Z'").await;
    let closing = console.api.create(new(&callbacks)).await;
    moved(
        &console,
        &closing,
        "created_at = '2026-03-02T21:55:00.000Z'",
    )
    .await;
    refreshed(&console).await;
    assert_eq!(
        by_target(&console).await,
        vec![
            (later.clone(), json!("2026-03-02T14:25:00.000+0000")),
            (early.clone(), json!("2026-03-02T14:30:00.000+0000")),
            // 5 minutes on Monday, the other 10 from Tuesday's opening.
            (closing.clone(), json!("2026-03-03T14:10:00.000+0000")),
        ]
    );

    // An hour's target for Callbacks: what waits there is due later.
    target(&callbacks, 3600).await;
    refreshed(&console).await;
    assert_eq!(
        by_target(&console).await,
        vec![
            (early.clone(), json!("2026-03-02T14:30:00.000+0000")),
            (later.clone(), json!("2026-03-02T15:10:00.000+0000")),
            (closing.clone(), json!("2026-03-03T14:55:00.000+0000")),
        ]
    );

    // Once tried, a request waits for a first attempt no more: it has no deadline, and comes last.
    log(&console, &early, "Not Reached").await;
    refreshed(&console).await;
    let sorted = by_target(&console).await;
    assert_eq!(sorted[2], (early.clone(), Value::Null), "{sorted:?}");
    assert_eq!(sorted[0].0, later);
}
