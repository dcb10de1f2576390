//! The call panel of a request's page, drawn from its call center's softphone layout
//! (`GET /services/apexrest/callCenters/{id}/softphoneLayout`): the Outbound call type's facts about the
//! call, then each related object's fields in the layout's order, labelled as the API describes them.
//! Every call the console places is Outbound; Inbound and Internal are there for a CTI softphone.
//!
//! Dialling is click-to-dial (`contact_shared::dial`): a `tel:` link, or the call center's softphone URL
//! (the layout's `softphoneUrl`) opened beside the console; the page's actions dial another number
//! the same way.

use contact_shared::dial;
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

/// The panel and how its numbers are dialled.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub groups: Vec<Group>,
    /// The call center's softphone URL template; `tel:` links without one.
    pub softphone: Option<String>,
}

/// The softphone layout of the call center `center` (a request's), else of the representative's
/// (`mine`); none when neither has one or the layout cannot be read.
pub async fn layout_of(center: Option<&str>, mine: &str) -> Option<Value> {
    let center = match center {
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
    api::softphone_layout(&center).await.ok()
}

/// The template of a layout as [`layout_of`] reads it.
pub fn softphone_of(layout: Option<&Value>) -> Option<String> {
    layout?["softphoneUrl"].as_str().map(str::to_owned)
}

/// Follows `address` as a click on its link would: a softphone's opens in its own window beside the
/// console, a `tel:` link goes to the system's handler for calls (the console stays).
pub fn dial(address: &str) {
    let _ = window().open_with_url_and_target(address, window_of(address));
}

/// Where `address` opens: a softphone in its window, a `tel:` link in place.
fn window_of(address: &str) -> &'static str {
    if dial::is_softphone(address) {
        SOFTPHONE_WINDOW
    } else {
        "_self"
    }
}

/// The window a softphone opens in: one, used again for each call.
const SOFTPHONE_WINDOW: &str = "crw-softphone";

/// The panel for the request `record` (`id`), from its call center's layout (see [`layout_of`]).
pub async fn load(id: &str, record: &Record, mine: &str) -> Option<Panel> {
    let layout = layout_of(record.get("CallCenterId__c").and_then(Value::as_str), mine).await?;
    let softphone = softphone_of(Some(&layout));
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
    Some(Panel { groups, softphone })
}

/// The link that dials `phone` about the request `id`.
fn dial_link(softphone: Option<&str>, phone: String, id: &str) -> impl IntoView + use<> {
    let address = dial::address(softphone, &phone, id);
    view! { <a href=address.clone() target=window_of(&address)>{phone}</a> }
}

/// The panel of the request `id`, each group a labelled list.
pub fn view(panel: Panel, id: String, name_of: Callback<String, String>) -> impl IntoView {
    let Panel { groups, softphone } = panel;
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
                            Shown::Phone(phone) => dial_link(softphone.as_deref(), phone, &id).into_any(),
                            Shown::Owner(id) => view! { {move || name_of.run(id.clone())} }.into_any(),
                        }}</dd>
                    }).collect_view()}
                </dl>
            }).collect_view()}
        </section>
    }
}
