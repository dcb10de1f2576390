//! `query` and `queryAll`: run a SOQL query and answer its first batch, with `nextRecordsUrl` to fetch the
//! rest from a server-side cursor; `FOR VIEW` and `FOR REFERENCE` record the caller's view dates.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use rand::Rng;
use serde::Deserialize;
use serde_json::{Value, json};

use super::rows::{attributes, now, value};
use super::{ApiState, ApiVersion, SfError};
use crate::access::Caller;
use crate::sobjects::error::Path;
use crate::soql::ast::Tracking;
use crate::soql::check::{Checked, check};
use crate::soql::parser::parse;
use crate::soql::sql::{Translated, translate};

/// Rows per batch unless the client asks otherwise, and the bounds Salesforce puts on `batchSize`.
const DEFAULT_BATCH: u64 = 2_000;
const MIN_BATCH: u64 = 200;
/// How long an unused cursor lives, and how many may be open.
const CURSOR_LIFETIME: Duration = Duration::from_secs(15 * 60);
const MAX_CURSORS: usize = 10_000;

/// One open query: what it selects, for whom, and how far the client has read.
struct Cursor {
    query: Arc<Checked>,
    translated: Arc<Translated>,
    user: String,
    total: u64,
    batch: u64,
    touched: Instant,
}

/// The open query cursors, by locator.
#[derive(Default)]
pub struct Cursors(Mutex<HashMap<String, Cursor>>);

impl Cursors {
    fn open(&self, cursor: Cursor) -> String {
        let mut rng = rand::rng();
        let id: String = (0..15)
            .map(|_| {
                char::from(
                    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                        [rng.random_range(0..62)],
                )
            })
            .collect();
        let key = format!("01g{id}");
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, c| c.touched.elapsed() < CURSOR_LIFETIME);
        if map.len() >= MAX_CURSORS
            && let Some(oldest) = map
                .iter()
                .min_by_key(|(_, c)| c.touched)
                .map(|(k, _)| k.clone())
        {
            map.remove(&oldest);
        }
        map.insert(key.clone(), cursor);
        key
    }
}

#[derive(Debug, Deserialize)]
pub struct Q {
    q: Option<String>,
}

fn batch_size(headers: &HeaderMap) -> u64 {
    headers
        .get("sforce-query-options")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',')
                .filter_map(|p| p.trim().strip_prefix("batchSize="))
                .find_map(|n| n.trim().parse::<u64>().ok())
        })
        .map_or(DEFAULT_BATCH, |n| n.clamp(MIN_BATCH, DEFAULT_BATCH))
}

/// `GET query/?q=`.
pub async fn query(
    state: State<ApiState>,
    caller: Caller,
    version: ApiVersion,
    headers: HeaderMap,
    Query(q): Query<Q>,
) -> Result<axum::Json<Value>, SfError> {
    run(state, caller, version, headers, q, false).await
}

/// `GET queryAll/?q=`: as query, with the recycle bin.
pub async fn query_all(
    state: State<ApiState>,
    caller: Caller,
    version: ApiVersion,
    headers: HeaderMap,
    Query(q): Query<Q>,
) -> Result<axum::Json<Value>, SfError> {
    run(state, caller, version, headers, q, true).await
}

async fn run(
    State(state): State<ApiState>,
    caller: Caller,
    version: ApiVersion,
    headers: HeaderMap,
    q: Q,
    all_rows: bool,
) -> Result<axum::Json<Value>, SfError> {
    let text = q.q.filter(|t| !t.trim().is_empty()).ok_or_else(|| {
        SfError::bad_request(
            "MALFORMED_QUERY",
            "Send the query in the q parameter: query/?q=SELECT+Id+FROM+ContactRequest",
        )
    })?;
    let checked = parse(&text)
        .and_then(|tree| check(&tree, time::OffsetDateTime::now_utc()))
        .map_err(|e| SfError::bad_request(e.code, e.render(&text)))?;
    let translated = translate(&checked, &caller.user_id, all_rows);
    let count = translated.count(&checked);
    let total: i64 = state
        .store
        .read(move |conn| {
            conn.query_row(&count.sql, rusqlite::params_from_iter(count.params), |r| {
                r.get(0)
            })
        })
        .await?;
    let total = u64::try_from(total).unwrap_or(0);
    let cursor = Cursor {
        query: Arc::new(checked),
        translated: Arc::new(translated),
        user: caller.user_id,
        total,
        batch: batch_size(&headers),
        touched: Instant::now(),
    };
    answer(&state, &version.0, cursor, 0, None).await
}

/// `GET query/{locator}`: the next batch of an open query.
pub async fn more(
    State(state): State<ApiState>,
    caller: Caller,
    version: ApiVersion,
    Path((_, locator)): Path<(String, String)>,
) -> Result<axum::Json<Value>, SfError> {
    let invalid = || {
        SfError::bad_request(
            "INVALID_QUERY_LOCATOR",
            "invalid query locator: it has expired (after 15 minutes unused) or was never issued",
        )
    };
    let (key, position) = locator.split_once('-').ok_or_else(invalid)?;
    let position: u64 = position.parse().map_err(|_| invalid())?;
    let cursor = {
        let mut map = state.cursors.0.lock().unwrap_or_else(|p| p.into_inner());
        let found = map
            .get(key)
            .filter(|c| c.user == caller.user_id && c.touched.elapsed() < CURSOR_LIFETIME);
        if found.is_none() {
            map.remove(key);
            return Err(invalid());
        }
        map.remove(key).ok_or_else(invalid)?
    };
    if position >= cursor.total {
        return Err(invalid());
    }
    answer(&state, &version.0, cursor, position, Some(key.to_owned())).await
}

async fn answer(
    state: &ApiState,
    version: &str,
    mut cursor: Cursor,
    position: u64,
    key: Option<String>,
) -> Result<axum::Json<Value>, SfError> {
    let total = cursor.total;
    let Some(fields) = cursor.query.fields.clone() else {
        return Ok(axum::Json(
            json!({ "totalSize": total, "done": true, "records": [] }),
        ));
    };
    let take = cursor.batch.min(total.saturating_sub(position));
    let page = cursor.translated.page(&cursor.query, position, take);
    let object = cursor.query.object;
    let version_owned = version.to_owned();
    let (records, ids) = state
        .store
        .read(move |conn| {
            let mut statement = conn.prepare(&page.sql)?;
            let mut rows = statement.query(rusqlite::params_from_iter(page.params))?;
            let mut records = Vec::new();
            let mut ids = Vec::new();
            while let Some(row) = rows.next()? {
                let id: String = row.get(0)?;
                let mut map = serde_json::Map::new();
                map.insert(
                    "attributes".into(),
                    attributes(object, &version_owned, Some(&id)),
                );
                for (index, field) in fields.iter().enumerate() {
                    map.insert(field.name.into(), value(field, row, index + 1)?);
                }
                records.push(Value::Object(map));
                ids.push(id);
            }
            Ok((records, ids))
        })
        .await?;
    if let Some(tracking) = cursor.query.tracking {
        track(state, object.views_table, &cursor.user, ids, tracking).await?;
    }
    let next = position + records.len() as u64;
    let mut body = json!({ "totalSize": total, "done": next >= total, "records": records });
    if next < total && !records.is_empty() {
        cursor.touched = Instant::now();
        let key = match key {
            Some(key) => {
                state
                    .cursors
                    .0
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(key.clone(), cursor);
                key
            }
            None => state.cursors.open(cursor),
        };
        body["nextRecordsUrl"] = json!(format!("/services/data/v{version}/query/{key}-{next}"));
    }
    Ok(axum::Json(body))
}

/// Records that the caller viewed (and so referenced) or referenced these records just now.
async fn track(
    state: &ApiState,
    table: &'static str,
    user: &str,
    ids: Vec<String>,
    tracking: Tracking,
) -> Result<(), SfError> {
    if ids.is_empty() {
        return Ok(());
    }
    let user = user.to_owned();
    let sql = match tracking {
        Tracking::View => format!(
            "INSERT INTO {table} (user_id, record_id, last_viewed_at, last_referenced_at) VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT (user_id, record_id) DO UPDATE SET last_viewed_at = ?3, last_referenced_at = ?3"
        ),
        Tracking::Reference => format!(
            "INSERT INTO {table} (user_id, record_id, last_referenced_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (user_id, record_id) DO UPDATE SET last_referenced_at = ?3"
        ),
    };
    state
        .store
        .write(move |tx| {
            let at = now();
            let mut statement = tx.prepare(&sql)?;
            for id in &ids {
                statement.execute(rusqlite::params![user, id, at])?;
            }
            Ok(Ok::<_, SfError>(()))
        })
        .await??;
    Ok(())
}
