//! The call panel of a request's page, drawn from its call center's softphone layout
//! (`GET /services/apexrest/callCenters/{id}/softphoneLayout`): the Outbound call type's facts about the
//! call, then each related object's fields in the layout's order, labelled as the API describes them.
//! Every call the console places is Outbound; Inbound and Internal are there for a CTI softphone.

use leptos::prelude::*;
use serde_json::{Map, Value};

use crate::api;
use crate::time;
use crate::view_query::literal;

type Record = Map<String, Value>;

/// The call type the console's calls are.
const CONSOLE_CALL_TYPE: &str = "Outbound";

/// One value of the panel.
#[derive(Debug, Clone, PartialEq)]
pub enum Shown {
    Text(String),
    Phone(String),
    /// A user or queue id, shown by name.
    Owner(String),
}

/// A heading and its labelled values.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub heading: String,
    pub rows: Vec<(String, Shown)>,
}

fn shown(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "—".to_owned(),
        Some(Value::Bool(true)) => "Yes".to_owned(),
        Some(Value::Bool(false)) => "No".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The names of a layout list, e.g. `infoFields` by `name` or `items` by `itemApiName`.
fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item[key].as_str().map(str::to_owned))
        .collect()
}

/// The panel for the request `record` (`id`): from the call center it belongs to, else the
/// representative's (`mine`); none when neither has one or the layout cannot be read.
pub async fn load(id: &str, record: &Record, mine: &str) -> Option<Vec<Group>> {
    let center = match record.get("CallCenterId__c").and_then(Value::as_str) {
        Some(center) => center.to_owned(),
        None => api::query::<Value>(&format!(
            "SELECT CallCenterId FROM User WHERE Id = {}",
            literal(mine)
        ))
        .await
        .ok()?
        .records
        .first()?
        .get("CallCenterId")?
        .as_str()?
        .to_owned(),
    };
    let layout = api::softphone_layout(&center).await.ok()?;
    let call_type = layout["callTypes"]
        .as_array()?
        .iter()
        .find(|c| c["name"] == CONSOLE_CALL_TYPE)?
        .clone();
    let field = |name: &str| record.get(name);
    let info = names(&call_type["infoFields"], "name")
        .into_iter()
        .map(|name| match name.as_str() {
            "PhoneNumber" => (
                "Phone number".to_owned(),
                field("PreferredPhone")
                    .and_then(Value::as_str)
                    .map_or_else(|| Shown::Text("—".into()), |p| Shown::Phone(p.to_owned())),
            ),
            "Queue" => (
                "Queue or owner".to_owned(),
                Shown::Owner(shown(field("OwnerId"))),
            ),
            "ScheduledTime" => (
                "Callback time".to_owned(),
                Shown::Text(
                    field("ScheduledRoutingDateTime__c")
                        .and_then(Value::as_str)
                        .map_or_else(
                            || "As soon as possible".to_owned(),
                            |at| time::local(at, None),
                        ),
                ),
            ),
            other => (other.to_owned(), Shown::Text("—".into())),
        })
        .collect();
    let mut groups = vec![Group {
        heading: "This call".to_owned(),
        rows: info,
    }];
    for section in call_type["sections"].as_array()? {
        let object = section["entityApiName"].as_str()?;
        let items = names(&section["items"], "itemApiName");
        let (heading, labels) = api::labels(object).await.ok()?;
        let values: Record = match object {
            "ContactRequest" => record.clone(),
            // The latest of the request's calls and interactions.
            "Task" | "EngagementInteraction" => {
                let parent = if object == "Task" {
                    "WhatId"
                } else {
                    "ContactRequestId__c"
                };
                api::query::<Record>(&format!(
                    "SELECT Id, {} FROM {object} WHERE {parent} = {} ORDER BY CreatedDate DESC LIMIT 1",
                    items.join(", "),
                    literal(id)
                ))
                .await
                .ok()?
                .records
                .into_iter()
                .next()
                .unwrap_or_default()
            }
            _ => continue,
        };
        let rows = items
            .iter()
            .map(|item| {
                let label = labels
                    .iter()
                    .find(|(name, _)| name == item)
                    .map_or_else(|| item.clone(), |(_, label)| label.clone());
                (label, Shown::Text(shown(values.get(item))))
            })
            .collect();
        groups.push(Group {
            heading: if object == "ContactRequest" {
                heading
            } else {
                format!("Latest {heading}")
            },
            rows,
        });
    }
    Some(groups)
}

/// The panel, each group a labelled list.
pub fn view(groups: Vec<Group>, name_of: Callback<String, String>) -> impl IntoView {
    view! {
        <section aria-labelledby="call-panel-heading" class="card call-panel">
            <h2 id="call-panel-heading">"Call"</h2>
            {groups.into_iter().map(|group| view! {
                <h3>{group.heading}</h3>
                <dl>
                    {group.rows.into_iter().map(|(label, value)| view! {
                        <dt>{label}</dt>
                        <dd>{match value {
                            Shown::Text(text) => view! { {text} }.into_any(),
                            Shown::Phone(phone) => view! { <a href=format!("tel:{phone}")>{phone.clone()}</a> }.into_any(),
                            Shown::Owner(id) => view! { {move || name_of.run(id.clone())} }.into_any(),
                        }}</dd>
                    }).collect_view()}
                </dl>
            }).collect_view()}
        </section>
    }
}
