//! An endpoint failing every delivery for [`DISABLE_AFTER`] is disabled: each failed try extends its
//! failing streak (a 2xx ends it), and the try that finds the streak that old disables the endpoint
//! and, in the same transaction, writes one alert email for each admin. The webhooks file's endpoints
//! are disabled alike (in the store; the file is not rewritten) and enabled again through the API.

use std::time::Duration;

use serde_json::json;

use crate::instant;
use crate::store::{ENDPOINT_DISABLED_ALERT, StoreError, Tx};

/// How long an endpoint may fail every delivery before it is disabled: five days.
pub const DISABLE_AFTER: Duration = Duration::from_secs(5 * 24 * 3_600);

/// Unix milliseconds in the store's format.
fn stored(ms: i64) -> String {
    instant::stored(jiff::Timestamp::from_millisecond(ms).unwrap_or_default())
}

/// Records a failed try of `endpoint` at `now_ms` that went wrong with `error`, disabling the endpoint
/// and alerting the admins when it has failed every delivery for [`DISABLE_AFTER`].
pub fn after_failure(
    tx: &Tx<'_>,
    endpoint: &str,
    now_ms: i64,
    error: &str,
) -> Result<(), StoreError> {
    let days = DISABLE_AFTER.as_secs() / 86_400;
    let reason = format!("no delivery succeeded for {days} days; the last try {error}");
    let now = stored(now_ms);
    let after_ms = DISABLE_AFTER.as_millis() as i64;
    let Some(disabled) = tx.endpoint_failed(endpoint, now_ms, &now, after_ms, &reason)? else {
        return Ok(());
    };
    tracing::warn!(endpoint, %error, "webhook endpoint disabled: no delivery succeeded for {days} days");
    let payload = json!({
        "name": endpoint,
        "url": disabled.url,
        "failingSince": instant::wire(&stored(disabled.failing_since_ms)),
        "disabledAt": instant::wire(&now),
        "lastError": error,
    });
    // One alert per disabling: enabled again and disabled later, the admins are told again.
    let about = format!("{endpoint}@{now_ms}");
    tx.alert_admins(
        ENDPOINT_DISABLED_ALERT,
        &about,
        &payload.to_string(),
        now_ms,
    )?;
    Ok(())
}
