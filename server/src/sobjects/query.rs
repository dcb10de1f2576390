//! `query` and `queryAll`: run a SOQL query and answer its first batch, with `nextRecordsUrl` to fetch the
//! rest from a server-side cursor; `FOR VIEW` and `FOR REFERENCE` record the caller's view dates.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::Deserialize;
use serde_json::{Value, json};

use super::columns;
use super::cursors::{self, Plan};
use super::{ApiState, ApiVersion, SfError};
use crate::access::{Caller, Visibility};
use crate::instant::now;
use crate::salesforce::SfPath as Path;
use crate::soql::ast::Tracking;
use crate::soql::check::check_at;
use crate::soql::parser::parse;
use crate::store::{QueryCursor, Table, Viewing};

/// Rows per batch unless the client asks otherwise, and the bounds Salesforce puts on `batchSize`.
const DEFAULT_BATCH: u64 = 2_000;
const MIN_BATCH: u64 = 200;

/// How much of the store one caller's queries may take.
#[derive(Debug, Clone)]
pub struct QueryLimits {
    /// How long one statement of a query may run before it is stopped (`QUERY_TIMEOUT`).
    pub timeout: Duration,
    /// How many queries one user may run at once (`REQUEST_LIMIT_EXCEEDED` past it).
    pub per_user: usize,
    /// How many records of one batch `FOR VIEW`/`FOR REFERENCE` marks, at most.
    pub tracked_per_batch: usize,
    /// How often one user's batches may mark records; past it a batch is answered without marking.
    pub tracking: Quota,
    /// How long an unused cursor lives.
    pub cursor_lifetime: Duration,
}

impl Default for QueryLimits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(5),
            per_user: 2,
            tracked_per_batch: 200,
            tracking: Quota::per_minute(NonZeroU32::new(30).expect("non-zero"))
                .allow_burst(NonZeroU32::new(10).expect("non-zero")),
            cursor_lifetime: Duration::from_secs(15 * 60),
        }
    }
}

/// The server's query state: its limits, the queries running per user, and the rate at which each
/// user's queries mark view dates. The open cursors are in the store.
pub struct Queries {
    pub limits: QueryLimits,
    running: Mutex<HashMap<String, usize>>,
    tracking: DefaultKeyedRateLimiter<String>,
}

/// One running query of a user; the user may run another once it is dropped.
pub struct Running {
    queries: Arc<Queries>,
    user: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let mut running = self.queries.running();
        if let Some(n) = running.get_mut(&self.user) {
            *n -= 1;
            if *n == 0 {
                running.remove(&self.user);
            }
        }
    }
}

impl Queries {
    /// The query state for `limits`.
    pub fn new(limits: QueryLimits) -> Arc<Self> {
        Arc::new(Self {
            tracking: RateLimiter::keyed(limits.tracking),
            limits,
            running: Mutex::new(HashMap::new()),
        })
    }

    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<String, usize>> {
        // Each change is one step that cannot panic halfway, so a poisoned lock is safe.
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts one more running query of `user`, unless it already runs as many as it may.
    pub fn enter(self: &Arc<Self>, user: &str) -> Option<Running> {
        let mut running = self.running();
        let n = running.entry(user.to_owned()).or_insert(0);
        if *n >= self.limits.per_user {
            return None;
        }
        *n += 1;
        Some(Running {
            queries: Arc::clone(self),
            user: user.to_owned(),
        })
    }
}

#[derive(Debug, Deserialize)]
pub struct Q {
    q: Option<String>,
    /// `true` answers the query's columns instead of its records.
    columns: Option<String>,
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
    let only_columns = columns::wanted(q.columns.as_deref())
        .map_err(|message| SfError::bad_request("INVALID_PARAMETER_VALUE", message))?;
    // Checked at a stored instant, so that each later batch, checked again at the same, means the same.
    let checked_at = now();
    let at = crate::instant::parse(&checked_at).unwrap_or_else(jiff::Timestamp::now);
    let checked = parse(&text)
        .and_then(|tree| check_at(&tree, at, version.major()))
        .map_err(|e| SfError::bad_request(e.code, e.render(&text)))?;
    if only_columns {
        return Ok(axum::Json(match &checked.aggregation {
            Some(aggregation) => columns::aggregate(checked.object, aggregation),
            None => columns::metadata(&checked),
        }));
    }
    if checked.aggregation.is_some() {
        let _running = enter(&state, &caller)?;
        let answer = super::aggregate::answer(&state, &caller, checked, all_rows).await?;
        return Ok(axum::Json(answer));
    }
    let _running = enter(&state, &caller)?;
    let reader = caller.clone();
    let seen = state
        .store
        .read(move |db| Visibility::of(db, &reader))
        .await?;
    let user = caller.user_id.as_str().to_owned();
    let (count, plan) = Plan::of(&state.store, checked, &user, all_rows, &seen);
    let total = state
        .store
        .query(state.queries.limits.timeout, move |db| db.count(&count))
        .await?;
    let batch = batch_size(&headers);
    let cursor = QueryCursor {
        user,
        soql: text,
        all_rows,
        checked_at,
        sharing: seen.kept_grants(),
        total,
        batch,
    };
    if total > batch
        && plan.fields.is_some()
        && plan.bytes().max(cursor.bytes()) > cursors::MAX_BYTES
    {
        return Err(SfError::bad_request(
            "QUERY_TOO_COMPLICATED",
            format!(
                "This query matches {total} records, more than one batch of {batch}, and its filter is too large \
                 to keep for paging (over {} KiB): shorten its IN lists, or add a LIMIT of at most {batch}.",
                cursors::MAX_BYTES / 1024
            ),
        ));
    }
    answer(&state, &version.0, Arc::new(plan), cursor, 0, None).await
}

/// Counts a running query of the caller, or refuses it when the caller runs as many as it may.
pub(super) fn enter(state: &ApiState, caller: &Caller) -> Result<Running, SfError> {
    state
        .queries
        .enter(caller.user_id.as_str())
        .ok_or_else(|| SfError::too_many_queries(state.queries.limits.per_user))
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
    let _running = enter(&state, &caller)?;
    let cursor = cursors::find(
        &state.store,
        key,
        caller.user_id.as_str(),
        state.queries.limits.cursor_lifetime,
    )
    .await?
    .filter(|cursor| position < cursor.total)
    .ok_or_else(invalid)?;
    let plan = Plan::again(&state.store, &cursor, &caller).ok_or_else(invalid)?;
    answer(
        &state,
        &version.0,
        Arc::new(plan),
        cursor,
        position,
        Some(key.to_owned()),
    )
    .await
}

/// The batch of `plan` at `position`, with the locator of the next if there is one: `key`'s, or a new
/// cursor's.
async fn answer(
    state: &ApiState,
    version: &str,
    plan: Arc<Plan>,
    cursor: QueryCursor,
    position: u64,
    key: Option<String>,
) -> Result<axum::Json<Value>, SfError> {
    let total = cursor.total;
    if plan.fields.is_none() {
        return Ok(axum::Json(
            json!({ "totalSize": total, "done": true, "records": [] }),
        ));
    }
    let take = cursor.batch.min(total.saturating_sub(position));
    let read = Arc::clone(&plan);
    let rows = state
        .store
        .query(state.queries.limits.timeout, move |db| {
            db.page(&read.page, position, take)
        })
        .await?;
    let mut records: Vec<Value> = rows
        .iter()
        .map(|(id, values)| plan.shape.record(version, id, values))
        .collect();
    let ids: Vec<String> = rows.into_iter().map(|(id, _)| id).collect();
    children(state, version, &plan, &ids, &mut records).await?;
    if let Some(tracking) = plan.tracking {
        track(state, plan.object.storage(), &cursor.user, ids, tracking).await?;
    }
    let next = position + records.len() as u64;
    let more = next < total && !records.is_empty();
    let mut body = json!({ "totalSize": total, "done": next >= total, "records": records });
    let next_key = match key {
        Some(key) => {
            cursors::used(&state.store, key.clone(), !more).await?;
            more.then_some(key)
        }
        None if more => Some(cursors::open(&state.store, cursor).await?),
        None => None,
    };
    if let Some(key) = next_key {
        body["nextRecordsUrl"] = json!(format!("/services/data/v{version}/query/{key}-{next}"));
    }
    Ok(axum::Json(body))
}

/// Adds each relationship subquery's answer to the `records` of `ids`: one query per subquery for the
/// whole batch.
async fn children(
    state: &ApiState,
    version: &str,
    plan: &Plan,
    ids: &[String],
    records: &mut [Value],
) -> Result<(), SfError> {
    if plan.children.is_empty() || ids.is_empty() {
        return Ok(());
    }
    let pages: Vec<_> = plan
        .children
        .iter()
        .map(|children| children.statement(&state.store, ids))
        .collect();
    let rows = state
        .store
        .query(state.queries.limits.timeout, move |db| {
            pages
                .iter()
                .map(|page| db.page(page, 0, u64::MAX))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    for (children, rows) in plan.children.iter().zip(rows) {
        let mut answers = children.answers(version, rows);
        for (id, record) in ids.iter().zip(records.iter_mut()) {
            if let Value::Object(map) = record {
                let answer = answers.remove(id).unwrap_or(Value::Null);
                map.insert(children.name.into(), answer);
            }
        }
    }
    Ok(())
}

/// Records that the caller viewed (and so referenced) or referenced these records just now: a write on
/// the one writer, which a read token makes too, so it is bounded: the first
/// [`QueryLimits::tracked_per_batch`] records of a batch, and batches at [`QueryLimits::tracking`]'s rate
/// per user; past the rate the batch is answered without marking.
async fn track(
    state: &ApiState,
    table: Table,
    user: &str,
    mut ids: Vec<String>,
    tracking: Tracking,
) -> Result<(), SfError> {
    if ids.is_empty() {
        return Ok(());
    }
    if state.queries.tracking.check_key(&user.to_owned()).is_err() {
        metrics::counter!("crw_api_view_tracking_skipped_total").increment(1);
        return Ok(());
    }
    ids.truncate(state.queries.limits.tracked_per_batch);
    let user = user.to_owned();
    let viewing = match tracking {
        Tracking::View => Viewing::Viewed,
        Tracking::Reference => Viewing::Referenced,
    };
    state
        .store
        .write(move |tx| tx.mark_viewed(table, &user, &ids, viewing, &now()))
        .await?;
    Ok(())
}
