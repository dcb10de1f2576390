//! SOSL at `search/` and `parameterizedSearch/`: each clause, wildcards, phrases, Unicode case,
//! describe's `searchable`, and malformed searches answered in Salesforce's shape.

use serde_json::{Value, json};

use super::support::{Api, code};

/// The address of `search/?q=` for `sosl`, percent-encoded.
fn search_path(sosl: &str) -> String {
    let q: String = sosl
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("/search/?q={q}")
}

/// Three requests with names, emails, phones and descriptions to find.
async fn requests(api: &Api) -> [String; 3] {
    let zoe = api
        .create(json!({
            "VisitorName__c": "Zoë Åström", "VisitorEmail__c": "zoe@example.com",
            "PreferredPhone": "+14155550100", "RequestDescription": "Billing question about my invoice",
        }))
        .await;
    let john = api
        .create(json!({
            "VisitorName__c": "Johnson Smith", "VisitorEmail__c": "js@example.org",
            "PreferredPhone": "+442071838750", "RequestDescription": "question: billing, twice",
        }))
        .await;
    let petr = api
        .create(json!({
            "VisitorName__c": "ПЕТР Иванов", "VisitorEmail__c": "petr@example.net",
            "PreferredPhone": "+14155550199", "RequestDescription": "Delivery late",
        }))
        .await;
    [zoe, john, petr]
}

async fn found(api: &Api, sosl: &str) -> Vec<String> {
    let response = api.get(&search_path(sosl)).await;
    assert_eq!(response.status, 200, "{sosl}: {}", response.body);
    ids(&response.body)
}

fn ids(body: &Value) -> Vec<String> {
    let mut ids: Vec<String> = body["searchRecords"]
        .as_array()
        .unwrap_or_else(|| panic!("no searchRecords: {body}"))
        .iter()
        .map(|r| r["Id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

fn sorted(ids: &[&String]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(|s| (*s).clone()).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn a_search_answers_search_records_with_attributes_and_the_fields_asked_for() {
    let api = Api::new().await;
    let [zoe, ..] = requests(&api).await;
    let response = api
        .get(&search_path(
            "FIND {invoice} IN ALL FIELDS RETURNING ContactRequest(Id, VisitorName__c)",
        ))
        .await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(
        response.body,
        json!({ "searchRecords": [{
            "attributes": {
                "type": "ContactRequest",
                "url": format!("/services/data/v66.0/sobjects/ContactRequest/{zoe}"),
            },
            "Id": zoe,
            "VisitorName__c": "Zoë Åström",
        }]})
    );
    let bare = api
        .get(&search_path("FIND {invoice} RETURNING ContactRequest"))
        .await;
    let record = &bare.body["searchRecords"][0];
    assert_eq!(record["Id"], zoe.as_str());
    assert_eq!(
        record.as_object().unwrap().len(),
        2,
        "attributes and Id: {record}"
    );
}

#[tokio::test]
async fn terms_match_whole_words_without_regard_to_case_in_any_script() {
    let api = Api::new().await;
    let [zoe, john, petr] = requests(&api).await;
    let table = [
        ("FIND {ZOË}", sorted(&[&zoe]), "accented capitals"),
        ("FIND {åSTRÖM}", sorted(&[&zoe]), "mixed case"),
        ("FIND {петр}", sorted(&[&petr]), "Cyrillic"),
        (
            "FIND {john}",
            Vec::new(),
            "a word is matched whole: not Johnson",
        ),
        ("FIND {BILLING}", sorted(&[&zoe, &john]), "in descriptions"),
    ];
    for (sosl, expected, why) in table {
        assert_eq!(found(&api, sosl).await, expected, "{why}: {sosl}");
    }
}

#[tokio::test]
async fn wildcards_phrases_and_operators_find_what_salesforce_finds() {
    let api = Api::new().await;
    let [zoe, john, petr] = requests(&api).await;
    let table = [
        ("FIND {john*}", sorted(&[&john]), "* as a prefix"),
        ("FIND {j?hnson}", sorted(&[&john]), "? as one character"),
        (
            "FIND {\"billing question\"}",
            sorted(&[&zoe]),
            "a phrase in its order",
        ),
        (
            "FIND {\"question billing\"}",
            sorted(&[&john]),
            "the other order",
        ),
        (
            "FIND {billing question}",
            sorted(&[&zoe, &john]),
            "terms side by side are ANDed",
        ),
        ("FIND {invoice OR delivery}", sorted(&[&zoe, &petr]), "OR"),
        (
            "FIND {billing AND NOT invoice}",
            sorted(&[&john]),
            "AND NOT",
        ),
        (
            "FIND {(invoice OR late) AND delivery}",
            sorted(&[&petr]),
            "parentheses",
        ),
        (
            "FIND {zoe\\@example.com}",
            sorted(&[&zoe]),
            "an escaped character",
        ),
    ];
    for (sosl, expected, why) in table {
        assert_eq!(found(&api, sosl).await, expected, "{why}: {sosl}");
    }
}

#[tokio::test]
async fn each_scope_searches_its_own_fields() {
    let api = Api::new().await;
    let [zoe, john, petr] = requests(&api).await;
    let table = [
        (
            "FIND {example} IN EMAIL FIELDS",
            sorted(&[&zoe, &john, &petr]),
            "emails",
        ),
        (
            "FIND {invoice} IN EMAIL FIELDS",
            Vec::new(),
            "a description is not an email",
        ),
        (
            "FIND {\"415-555-0100\"} IN PHONE FIELDS",
            sorted(&[&zoe]),
            "a phone number however written",
        ),
        (
            "FIND {415\\-555\\-0100} IN PHONE FIELDS",
            sorted(&[&zoe]),
            "escaped",
        ),
        (
            "FIND {4155550100} IN PHONE FIELDS",
            sorted(&[&zoe]),
            "its digits alone",
        ),
        (
            "FIND {zoe} IN PHONE FIELDS",
            Vec::new(),
            "a name is not a phone",
        ),
        (
            "FIND {zoe} IN ALL FIELDS",
            sorted(&[&zoe]),
            "all text fields",
        ),
    ];
    for (sosl, expected, why) in table {
        assert_eq!(found(&api, sosl).await, expected, "{why}: {sosl}");
    }
    let named = api
        .get(&format!("/sobjects/ContactRequest/{zoe}"))
        .await
        .body["Name"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        found(
            &api,
            &format!("FIND {{{}}} IN NAME FIELDS", named.replace('-', "\\-"))
        )
        .await,
        sorted(&[&zoe]),
        "the Name field"
    );
}

#[tokio::test]
async fn returning_where_order_and_limits_shape_the_records() {
    let api = Api::new().await;
    let [zoe, john, _] = requests(&api).await;
    let filtered = found(
        &api,
        "FIND {billing} RETURNING ContactRequest(Id WHERE PreferredPhone LIKE '+44%')",
    )
    .await;
    assert_eq!(filtered, sorted(&[&john]), "WHERE");
    let ordered = api
        .get(&search_path(
            "FIND {billing} RETURNING ContactRequest(VisitorName__c ORDER BY VisitorName__c DESC)",
        ))
        .await;
    let names: Vec<&str> = ordered.body["searchRecords"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["VisitorName__c"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Zoë Åström", "Johnson Smith"], "ORDER BY");
    for sosl in [
        "FIND {billing} RETURNING ContactRequest(Id LIMIT 1)",
        "FIND {billing} RETURNING ContactRequest LIMIT 1",
    ] {
        assert_eq!(found(&api, sosl).await.len(), 1, "{sosl}");
    }
    let offset = found(
        &api,
        "FIND {billing} RETURNING ContactRequest(Id ORDER BY VisitorName__c OFFSET 1)",
    )
    .await;
    assert_eq!(offset, sorted(&[&zoe]), "OFFSET");
}

#[tokio::test]
async fn a_search_covers_every_searchable_object_in_the_order_returning_names_them() {
    let api = Api::new().await;
    let [zoe, ..] = requests(&api).await;
    let made = api
        .call(
            "POST",
            "/sobjects/EngagementInteraction",
            Some(&api.write),
            Some(json!({
                "CommunicationChannel": "Web Chat", "Status": "In Progress",
                "StartDateTime": "2024-05-01T09:00:00Z", "Reason": "Invoice dispute",
            })),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let interaction = made.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        found(&api, "FIND {invoice}").await,
        sorted(&[&zoe, &interaction])
    );
    let both = api
        .get(&search_path(
            "FIND {invoice} RETURNING EngagementInteraction(Reason), ContactRequest",
        ))
        .await;
    let types: Vec<&str> = both.body["searchRecords"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["attributes"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["EngagementInteraction", "ContactRequest"]);
    assert_eq!(both.body["searchRecords"][0]["Reason"], "Invoice dispute");
}

#[tokio::test]
async fn describe_says_which_objects_are_searchable() {
    let api = Api::new().await;
    let global = api.get("/sobjects").await;
    for object in global.body["sobjects"].as_array().unwrap() {
        let name = object["name"].as_str().unwrap();
        let searchable = matches!(name, "ContactRequest" | "EngagementInteraction");
        assert_eq!(object["searchable"], searchable, "{name}");
        let described = api.get(&format!("/sobjects/{name}/describe")).await;
        assert_eq!(described.body["searchable"], searchable, "{name} describe");
    }
}

#[tokio::test]
async fn malformed_searches_are_refused_in_salesforces_shape_naming_what_to_fix() {
    let api = Api::new().await;
    let table = [
        ("FIND invoice", "MALFORMED_SEARCH", "braces", "no braces"),
        (
            "FIND {a}",
            "MALFORMED_SEARCH",
            "longer than one character",
            "a one-letter term",
        ),
        (
            "FIND {ann-marie}",
            "MALFORMED_SEARCH",
            "\\-",
            "an unescaped reserved character",
        ),
        (
            "FIND {ann} IN ALL TYPE",
            "MALFORMED_SEARCH",
            "FIELDS",
            "IN without FIELDS",
        ),
        (
            "FIND {ann} RETURNING Account",
            "INVALID_TYPE",
            "Account",
            "an unknown object",
        ),
        (
            "FIND {ann} RETURNING CallCenter",
            "INVALID_TYPE",
            "does not support search",
            "an object not searchable",
        ),
        (
            "FIND {ann} RETURNING ContactRequest(Nope)",
            "INVALID_FIELD",
            "Nope",
            "an unknown field",
        ),
        (
            "FIND {ann} RETURNING ContactRequest(Id WHERE)",
            "MALFORMED_SEARCH",
            "ERROR at Row:1",
            "WHERE without a condition",
        ),
    ];
    for (sosl, expected, says, why) in table {
        let response = api.get(&search_path(sosl)).await;
        assert_eq!(response.status, 400, "{why}: {}", response.body);
        assert_eq!(code(&response), expected, "{why}: {}", response.body);
        let message = response.body[0]["message"].as_str().unwrap();
        assert!(message.contains(says), "{why}: {message}");
    }
    let empty = api.get("/search/").await;
    assert_eq!(empty.status, 400);
    assert_eq!(code(&empty), "MALFORMED_SEARCH");
}

#[tokio::test]
async fn a_parameterized_search_by_url_or_body_finds_what_sosl_finds() {
    let api = Api::new().await;
    let [zoe, john, _] = requests(&api).await;
    let everywhere = api.get("/parameterizedSearch/?q=billing").await;
    assert_eq!(everywhere.status, 200, "{}", everywhere.body);
    assert_eq!(ids(&everywhere.body), sorted(&[&zoe, &john]));
    let narrowed = api
        .get(
            "/parameterizedSearch/?q=billing&sobject=ContactRequest&ContactRequest.fields=Id,VisitorName__c\
             &ContactRequest.where=PreferredPhone+LIKE+%27%2B44%25%27&in=ALL",
        )
        .await;
    assert_eq!(narrowed.status, 200, "{}", narrowed.body);
    assert_eq!(ids(&narrowed.body), sorted(&[&john]));
    assert_eq!(
        narrowed.body["searchRecords"][0]["VisitorName__c"],
        "Johnson Smith"
    );
    let limited = api
        .get("/parameterizedSearch/?q=billing&sobject=ContactRequest&defaultLimit=1")
        .await;
    assert_eq!(ids(&limited.body).len(), 1, "{}", limited.body);
    let posted = api
        .call(
            "POST",
            "/parameterizedSearch/",
            Some(&api.write),
            Some(json!({
                "q": "example", "in": "EMAIL", "fields": ["Id", "VisitorEmail__c"],
                "sobjects": [{ "name": "ContactRequest", "where": "VisitorEmail__c LIKE '%.com'" }],
                "overallLimit": 10,
            })),
        )
        .await;
    assert_eq!(posted.status, 200, "{}", posted.body);
    assert_eq!(ids(&posted.body), sorted(&[&zoe]));
    assert_eq!(
        posted.body["searchRecords"][0]["VisitorEmail__c"],
        "zoe@example.com"
    );
    let table = [
        ("/parameterizedSearch/", "MALFORMED_SEARCH", "no q"),
        (
            "/parameterizedSearch/?q=billing&in=EVERYWHERE",
            "INVALID_PARAMETER_VALUE",
            "an unknown scope",
        ),
        (
            "/parameterizedSearch/?q=billing&sobject=ContactRequest&defaultLimit=0",
            "INVALID_PARAMETER_VALUE",
            "a zero limit",
        ),
        (
            "/parameterizedSearch/?q=billing&sobject=Task",
            "INVALID_TYPE",
            "an object not searchable",
        ),
        (
            "/parameterizedSearch/?q=billing&fields=Id",
            "INVALID_PARAMETER_VALUE",
            "fields without an object",
        ),
    ];
    for (path, expected, why) in table {
        let response = api.get(path).await;
        assert_eq!(response.status, 400, "{why}: {}", response.body);
        assert_eq!(code(&response), expected, "{why}: {}", response.body);
    }
}
