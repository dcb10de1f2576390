//! `search/?q=FIND …` (SOSL) and `parameterizedSearch/` (GET with parameters, POST with a JSON body):
//! the records of each object searched whose fields in scope hold the terms, narrowed to what the caller
//! sees exactly as SOQL's queries are ([`Visibility::narrow`]), answered as `{"searchRecords": […]}`.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use serde_json::{Value, json};

use super::query::enter;
use super::{ApiState, ApiVersion, SfError};
use crate::access::{Caller, Visibility};
use crate::salesforce::json_body;
use crate::salesforce::rows::record;
use crate::soql::ast::Spanned;
use crate::soql::lexer::lex;
use crate::soql::parser::{Clauses, Parser};
use crate::sosl::check::{CheckedSearch, check};
use crate::sosl::parser::{Returning, Search, parse};
use crate::sosl::{MAX_RECORDS, Scope, term};

/// `GET search/?q=FIND {…} …`.
pub async fn search(
    State(state): State<ApiState>,
    caller: Caller,
    version: ApiVersion,
    Query(params): Query<HashMap<String, String>>,
) -> Result<axum::Json<Value>, SfError> {
    let text = params
        .get("q")
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            SfError::bad_request(
                "MALFORMED_SEARCH",
                "Send the search in the q parameter: search/?q=FIND+%7BAcme%7D",
            )
        })?;
    let now = jiff::Timestamp::now();
    let checked = parse(text)
        .and_then(|search| check(&search, now, version.major()))
        .map_err(|e| SfError::bad_request(e.code, e.render(text)))?;
    run(&state, &caller, &version.0, checked).await
}

/// `GET parameterizedSearch/?q=…&sobject=…&<sobject>.fields=…&<sobject>.limit=…&<sobject>.where=…`.
pub async fn parameterized(
    State(state): State<ApiState>,
    caller: Caller,
    version: ApiVersion,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<axum::Json<Value>, SfError> {
    let one = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let list = |text: String| -> Vec<String> {
        text.split(',')
            .map(|f| f.trim().to_owned())
            .filter(|f| !f.is_empty())
            .collect()
    };
    let sobjects = pairs
        .iter()
        .filter(|(k, _)| k == "sobject")
        .map(|(_, name)| Wanted {
            fields: one(&format!("{name}.fields")).map(list),
            limit: one(&format!("{name}.limit")).map(Value::String),
            filter: one(&format!("{name}.where")),
            name: name.clone(),
        })
        .collect();
    let params = Params {
        q: one("q"),
        scope: one("in"),
        fields: one("fields").map(list),
        sobjects,
        overall: one("overallLimit").map(Value::String),
        default: one("defaultLimit").map(Value::String),
    };
    let checked = params.search(version.major())?;
    run(&state, &caller, &version.0, checked).await
}

/// `POST parameterizedSearch/` with `{"q", "in", "fields", "sobjects": [{"name", "fields", "limit",
/// "where"}], "overallLimit", "defaultLimit"}`.
pub async fn parameterized_body(
    State(state): State<ApiState>,
    caller: Caller,
    version: ApiVersion,
    headers: HeaderMap,
    body: Bytes,
) -> Result<axum::Json<Value>, SfError> {
    let body = json_body(&headers, &body)?;
    let text = |v: &Value, name: &str| -> Result<Option<String>, SfError> {
        match v.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(invalid(name, "a string")),
        }
    };
    let strings = |v: &Value, name: &str| -> Result<Option<Vec<String>>, SfError> {
        match v.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| i.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .map(Some)
                .ok_or_else(|| invalid(name, "an array of field names")),
            Some(_) => Err(invalid(name, "an array of field names")),
        }
    };
    let sobjects = match body.get("sobjects") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                Ok(Wanted {
                    name: text(item, "name")?
                        .ok_or_else(|| invalid("sobjects", "objects each with a name"))?,
                    fields: strings(item, "fields")?,
                    limit: item.get("limit").cloned(),
                    filter: text(item, "where")?,
                })
            })
            .collect::<Result<_, SfError>>()?,
        Some(_) => return Err(invalid("sobjects", "an array of objects")),
    };
    let params = Params {
        q: text(&body, "q")?,
        scope: text(&body, "in")?,
        fields: strings(&body, "fields")?,
        sobjects,
        overall: body.get("overallLimit").cloned(),
        default: body.get("defaultLimit").cloned(),
    };
    let checked = params.search(version.major())?;
    run(&state, &caller, &version.0, checked).await
}

/// What a parameterized search asks, from its URL or its body.
struct Params {
    q: Option<String>,
    scope: Option<String>,
    fields: Option<Vec<String>>,
    sobjects: Vec<Wanted>,
    overall: Option<Value>,
    default: Option<Value>,
}

/// One object a parameterized search names.
struct Wanted {
    name: String,
    fields: Option<Vec<String>>,
    limit: Option<Value>,
    filter: Option<String>,
}

fn invalid(name: &str, what: &str) -> SfError {
    SfError::bad_request("INVALID_PARAMETER_VALUE", format!("{name} must be {what}"))
}

/// A limit parameter: a whole number from 1 to [`MAX_RECORDS`], as a number or a string.
fn limit(name: &str, value: &Option<Value>) -> Result<Option<Spanned<u64>>, SfError> {
    let number = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
        Some(_) => None,
    };
    number
        .filter(|n| (1..=MAX_RECORDS).contains(n))
        .map(|value| Some(Spanned { value, position: 0 }))
        .ok_or_else(|| invalid(name, &format!("a whole number from 1 to {MAX_RECORDS}")))
}

impl Params {
    /// The search these parameters ask for, checked as SOSL's would be.
    fn search(self, major: u32) -> Result<CheckedSearch, SfError> {
        let q = self.q.filter(|q| !q.trim().is_empty()).ok_or_else(|| {
            SfError::bad_request(
                "MALFORMED_SEARCH",
                "Send the search string in the q parameter: parameterizedSearch/?q=Acme",
            )
        })?;
        let terms = term::parse(&q, 0).map_err(|e| SfError::bad_request(e.code, e.render(&q)))?;
        let scope = match &self.scope {
            None => Scope::All,
            Some(word) => Scope::named(word)
                .ok_or_else(|| invalid("in", "one of ALL, NAME, EMAIL, PHONE or SIDEBAR"))?,
        };
        if self.sobjects.is_empty() && (self.fields.is_some() || self.default.is_some()) {
            return Err(SfError::bad_request(
                "INVALID_PARAMETER_VALUE",
                "fields and defaultLimit apply to the objects searched: name at least one with sobject",
            ));
        }
        let default = limit("defaultLimit", &self.default)?;
        let mut returning: Vec<Returning> = Vec::new();
        for wanted in self.sobjects {
            if returning
                .iter()
                .any(|r| r.object.value.eq_ignore_ascii_case(&wanted.name))
            {
                return Err(invalid("sobject", "each object once"));
            }
            let fields = wanted
                .fields
                .or_else(|| self.fields.clone())
                .unwrap_or_default();
            let filter = match &wanted.filter {
                None => None,
                Some(text) => Some(condition(text)?),
            };
            let own = limit(&format!("{}.limit", wanted.name), &wanted.limit)?;
            returning.push(Returning {
                object: Spanned {
                    value: wanted.name,
                    position: 0,
                },
                fields: fields
                    .into_iter()
                    .map(|value| Spanned { value, position: 0 })
                    .collect(),
                clauses: Clauses {
                    filter,
                    order: Vec::new(),
                    limit: own.or_else(|| default.clone()),
                    offset: None,
                },
            });
        }
        let search = Search {
            terms,
            scope,
            returning,
            limit: limit("overallLimit", &self.overall)?,
        };
        check(&search, jiff::Timestamp::now(), major)
            .map_err(|e| SfError::bad_request(e.code, e.message))
    }
}

/// An object's `where` parameter, a SOQL condition.
fn condition(text: &str) -> Result<crate::soql::ast::Condition, SfError> {
    let parsed = lex(text).and_then(|tokens| {
        let mut parser = Parser::over(tokens, text.chars().count());
        let condition = parser.condition(0)?;
        parser.finish()?;
        Ok(condition)
    });
    parsed.map_err(|e| SfError::bad_request(e.code, e.render(text)))
}

/// Runs `checked` for `caller`: each object's records in turn, narrowed to what the caller sees, until
/// the search's limit.
async fn run(
    state: &ApiState,
    caller: &Caller,
    version: &str,
    checked: CheckedSearch,
) -> Result<axum::Json<Value>, SfError> {
    let _running = enter(state, caller)?;
    let reader = caller.clone();
    let seen = state
        .store
        .read(move |db| Visibility::of(db, &reader))
        .await?;
    let user = caller.user_id.as_str();
    let plans: Vec<_> = checked
        .objects
        .iter()
        .map(|found| {
            let mut select = found.select(user, checked.limit);
            seen.narrow(found.query.object, &mut select);
            let limit = select.limit.unwrap_or(checked.limit);
            (found.clone(), state.store.prepare(&select).page, limit)
        })
        .collect();
    let overall = checked.limit;
    let version = version.to_owned();
    let records = state
        .store
        .query(state.queries.limits.timeout, move |db| {
            let mut records = Vec::new();
            let mut left = overall;
            for (found, page, limit) in &plans {
                let take = (*limit).min(left);
                if take == 0 {
                    break;
                }
                let rows = db.page(page, 0, take)?;
                left -= rows.len() as u64;
                records.extend(rows.iter().map(|(id, values)| {
                    record(
                        found.query.object,
                        &version,
                        Some(id),
                        &found.fields,
                        values,
                    )
                }));
            }
            Ok(records)
        })
        .await?;
    Ok(axum::Json(json!({ "searchRecords": records })))
}
