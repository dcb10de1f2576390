//! SOSL under the sharing model: a search finds only the requests (and interactions) its caller may see.

use serde_json::json;

use super::support::{Team, sorted};

#[tokio::test]
async fn a_search_finds_only_the_requests_the_caller_may_see() {
    let t = Team::new().await;
    for id in [&t.of_billing, &t.of_support, &t.of_ann, &t.of_bob] {
        let tagged = t
            .api(
                &t.ada,
                "PATCH",
                &format!("/sobjects/ContactRequest/{id}"),
                Some(json!({ "RequestDescription": "Refund wanted" })),
            )
            .await;
        assert_eq!(tagged.status, 204, "{}", tagged.body);
    }
    let table = [
        (
            &t.ann,
            sorted(&[&t.of_billing, &t.of_ann]),
            "Ann: her queue's and her own",
        ),
        (
            &t.bob,
            sorted(&[&t.of_support, &t.of_bob]),
            "Bob: his queue's and his own",
        ),
        (
            &t.sue,
            sorted(&[&t.of_billing, &t.of_support, &t.of_ann, &t.of_bob]),
            "the supervisor: all",
        ),
    ];
    for (who, expected, why) in table {
        for path in [
            "/search/?q=FIND+%7Brefund%7D+RETURNING+ContactRequest",
            "/parameterizedSearch/?q=refund",
        ] {
            let response = t.api(who, "GET", path, None).await;
            assert_eq!(response.status, 200, "{why}: {}", response.body);
            let mut ids: Vec<String> = response.body["searchRecords"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["Id"].as_str().unwrap().to_owned())
                .collect();
            ids.sort();
            assert_eq!(ids, expected, "{why}: {path}");
        }
    }
}
