//! How the call-center file and the API share the records across a restart: the file's are written
//! again as the file has them (and go to the recycle bin when it drops them), the API's persist as
//! written, and a file center taking an API center's internal name takes its record over, with the
//! telephony keys only the file holds.

use serde_json::json;

use super::support::{Centers, west};
use crate::callbacks::support::{AUDIENCE, CENTERS, ISSUER, SECRET, jwt};

/// [`CENTERS`] after an edit: main's Billing line has a new number and a Support line beside it, the
/// legacy desk is gone, and `west` is declared with a key of its own.
fn edited_file() -> String {
    let main = CENTERS
        .split("[[call_center]]\ninternal_name = \"legacy\"")
        .next()
        .unwrap()
        .replace(
            "additional_numbers = [{ name = \"Billing line\", phone = \"+18005550100\" }]",
            "additional_numbers = [{ name = \"Billing line\", phone = \"+18005550101\" },\n  \
             { name = \"Support line\", phone = \"+18005550102\", description = \"Tier 2\" }]",
        );
    format!(
        r#"{main}
[[call_center]]
internal_name = "west"
name = "West desk (file)"
unified_routing = true
time_zone = "America/Denver"
[call_center.jwt]
issuer = "{ISSUER}"
audience = "{AUDIENCE}"
[[call_center.jwt.keys]]
kid = "west-1"
algorithm = "HS256"
secret = "{SECRET}"
"#
    )
}

#[tokio::test]
async fn the_file_stays_authoritative_for_its_records_and_the_api_s_persist_across_a_restart() {
    let t = Centers::new().await;
    let main = t.center_id("main").await;
    let legacy = t.center_id("legacy").await;
    let billing = t
        .soql(
            &t.ada,
            "SELECT Id FROM AdditionalNumber WHERE Name = 'Billing line'",
        )
        .await[0]["Id"]
        .clone();
    let west = t.create("CallCenter", west()).await;
    let mut east = west_body("east");
    east["RetryDelaySeconds__c"] = json!(300);
    let east = t.create("CallCenter", east).await;
    let night = t
        .create(
            "AdditionalNumber",
            json!({"CallCenterId": main, "Name": "Night line", "Phone": "+18005550122"}),
        )
        .await;
    let west_desk = t
        .create(
            "AdditionalNumber",
            json!({"CallCenterId": west, "Name": "West front desk", "Phone": "+18005550133"}),
        )
        .await;

    let t = t.restart(&edited_file()).await;

    // The file's: written again as the file has them, with their ids.
    let numbers = t
        .soql(
            &t.ada,
            "SELECT Id, Name, Phone, Description, CallCenterId, FromFile__c FROM AdditionalNumber \
             ORDER BY Name",
        )
        .await;
    let rows: Vec<(String, String, bool)> = numbers
        .iter()
        .map(|r| {
            (
                r["Name"].as_str().unwrap().to_owned(),
                r["Phone"].as_str().unwrap().to_owned(),
                r["FromFile__c"].as_bool().unwrap(),
            )
        })
        .collect();
    let row = |name: &str, phone: &str, file: bool| (name.to_owned(), phone.to_owned(), file);
    assert_eq!(
        rows,
        [
            row("Billing line", "+18005550101", true),
            row("Night line", "+18005550122", false),
            row("Support line", "+18005550102", true),
            row("West front desk", "+18005550133", false),
        ]
    );
    assert_eq!(numbers[0]["Id"], billing, "the Billing line keeps its id");
    assert_eq!(numbers[1]["Id"], night.as_str());
    assert_eq!(numbers[2]["Description"], "Tier 2");
    assert_eq!(numbers[3]["Id"], west_desk.as_str());
    assert_eq!(numbers[3]["CallCenterId"], west.as_str());
    let gone = t
        .api(
            &t.ada,
            "GET",
            &format!("/sobjects/CallCenter/{legacy}"),
            None,
        )
        .await;
    assert_eq!(gone.status, 404, "the legacy desk is in the recycle bin");
    assert_eq!(gone.body[0]["errorCode"], "ENTITY_IS_DELETED");

    // West is the file's now, under its id; east stays the API's as written.
    let centers = t
        .soql(
            &t.ada,
            "SELECT Id, InternalName, Name, TimeZone__c, RetryDelaySeconds__c, FromFile__c \
             FROM CallCenter ORDER BY InternalName",
        )
        .await;
    let names: Vec<&str> = centers
        .iter()
        .map(|c| c["InternalName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["east", "main", "west"]);
    assert_eq!(
        (
            &centers[0]["Id"],
            &centers[0]["RetryDelaySeconds__c"],
            &centers[0]["FromFile__c"]
        ),
        (&json!(east), &json!(300), &json!(false))
    );
    assert_eq!(
        (
            &centers[2]["Id"],
            &centers[2]["Name"],
            &centers[2]["TimeZone__c"],
            &centers[2]["FromFile__c"]
        ),
        (
            &json!(west),
            &json!("West desk (file)"),
            &json!("America/Denver"),
            &json!(true)
        )
    );
    let refused = t
        .api(
            &t.ada,
            "PATCH",
            &format!("/sobjects/CallCenter/{west}"),
            Some(json!({"Name": "Back to the API"})),
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);

    // Its key is the file's: the provider's callbacks reach it now.
    let token = jwt(
        Some("west-1"),
        SECRET,
        json!({ "iss": ISSUER, "aud": AUDIENCE, "exp": jiff::Timestamp::now().as_second() + 3600 }),
    );
    let callback = t
        .app
        .call(
            crate::support::call(
                "POST",
                "/telephony/v1/voiceCalls/west-call-1/requestCallback",
            )
            .bearer(&token)
            .json(&json!({"callbackNumber": "+18445791189"})),
        )
        .await;
    assert_eq!(callback.status, 201, "{}", callback.body);
    let record = callback.body["recordId"].as_str().unwrap();
    let request = t
        .api(
            &t.ada,
            "GET",
            &format!("/sobjects/ContactRequest/{record}"),
            None,
        )
        .await;
    assert_eq!(request.body["CallCenterId__c"], west.as_str());
}

/// [`west`] under another internal name.
fn west_body(internal_name: &str) -> serde_json::Value {
    let mut body = west();
    body["InternalName"] = json!(internal_name);
    body["Name"] = json!(format!("{internal_name} desk"));
    body
}
