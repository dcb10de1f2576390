//! PostgreSQL's schema, brought up to date at start by whichever process gets there first: the
//! migrations run in one transaction that first takes an advisory lock, so ten processes starting at
//! once on a new database migrate it once, and the other nine find it done.

use tokio_postgres::Client;
use tokio_postgres::types::Type;

use crate::store::{PostgresUrl, StoreError};

/// Each migration's version, name and SQL, in order; server/migrations/postgres/ holds the files.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "schema",
        include_str!("../../../migrations/postgres/0001_schema.sql"),
    ),
    (
        2,
        "outbox",
        include_str!("../../../migrations/postgres/0002_outbox.sql"),
    ),
    (
        3,
        "roles_and_queue_members",
        include_str!("../../../migrations/postgres/0003_roles_and_queue_members.sql"),
    ),
    (
        4,
        "console_sessions",
        include_str!("../../../migrations/postgres/0004_console_sessions.sql"),
    ),
    (
        5,
        "request_history_and_notes",
        include_str!("../../../migrations/postgres/0005_request_history_and_notes.sql"),
    ),
    (
        6,
        "visitor_time_zone",
        include_str!("../../../migrations/postgres/0006_visitor_time_zone.sql"),
    ),
    (
        7,
        "saved_views",
        include_str!("../../../migrations/postgres/0007_saved_views.sql"),
    ),
    (
        8,
        "mail",
        include_str!("../../../migrations/postgres/0008_mail.sql"),
    ),
    (
        9,
        "presence_and_offers",
        include_str!("../../../migrations/postgres/0009_presence_and_offers.sql"),
    ),
    (
        11,
        "outbox_writers_lock",
        include_str!("../../../migrations/postgres/0011_outbox_writers_lock.sql"),
    ),
    (
        12,
        "outbox_notify",
        include_str!("../../../migrations/postgres/0012_outbox_notify.sql"),
    ),
    (
        13,
        "query_cursors",
        include_str!("../../../migrations/postgres/0013_query_cursors.sql"),
    ),
    (
        14,
        "rate_limits",
        include_str!("../../../migrations/postgres/0014_rate_limits.sql"),
    ),
    (
        15,
        "callbacks_due",
        include_str!("../../../migrations/postgres/0015_callbacks_due.sql"),
    ),
    (
        16,
        "webhook_attempts",
        include_str!("../../../migrations/postgres/0016_webhook_attempts.sql"),
    ),
    (
        17,
        "experience_events",
        include_str!("../../../migrations/postgres/0017_experience_events.sql"),
    ),
    (
        18,
        "webhook_endpoints",
        include_str!("../../../migrations/postgres/0018_webhook_endpoints.sql"),
    ),
    (
        19,
        "platform_forwarding",
        include_str!("../../../migrations/postgres/0019_platform_forwarding.sql"),
    ),
    (
        20,
        "pending_deliveries",
        include_str!("../../../migrations/postgres/0020_pending_deliveries.sql"),
    ),
    (
        21,
        "visitor_confirmations",
        include_str!("../../../migrations/postgres/0021_visitor_confirmations.sql"),
    ),
    (
        22,
        "task_is_callback",
        include_str!("../../../migrations/postgres/0022_task_is_callback.sql"),
    ),
    (
        23,
        "mail_alerts",
        include_str!("../../../migrations/postgres/0023_mail_alerts.sql"),
    ),
    (
        24,
        "endpoint_disabling",
        include_str!("../../../migrations/postgres/0024_endpoint_disabling.sql"),
    ),
    (
        25,
        "contact_request_sharing",
        include_str!("../../../migrations/postgres/0025_contact_request_sharing.sql"),
    ),
    (
        26,
        "offer_take_back",
        include_str!("../../../migrations/postgres/0026_offer_take_back.sql"),
    ),
    (
        27,
        "service_levels",
        include_str!("../../../migrations/postgres/0027_service_levels.sql"),
    ),
    (
        28,
        "callback_attempts_external_ids",
        include_str!("../../../migrations/postgres/0028_callback_attempts_external_ids.sql"),
    ),
    (
        29,
        "call_centers_api",
        include_str!("../../../migrations/postgres/0029_call_centers_api.sql"),
    ),
    (
        30,
        "request_reasons",
        include_str!("../../../migrations/postgres/0030_request_reasons.sql"),
    ),
    (
        31,
        "open_picklists",
        include_str!("../../../migrations/postgres/0031_open_picklists.sql"),
    ),
];

/// The advisory lock the migrations hold: an arbitrary key of this application's own ("crw_migr" in
/// ASCII), held until the migrations' transaction ends, however that ends.
const LOCK: i64 = 0x6372_775f_6d69_6772;

/// Connects to `url` and applies the migrations its database does not have yet; answers how many.
pub async fn migrate(url: &PostgresUrl) -> Result<usize, StoreError> {
    let mut client = super::connect(url).await?;
    migrate_on(&mut client).await
}

/// Applies, on `client`, the migrations its database does not have yet; answers how many.
pub(super) async fn migrate_on(client: &mut Client) -> Result<usize, StoreError> {
    let tx = client.transaction().await?;
    // Waits for another process's migrations to end: it then sees their table and their rows.
    // Every statement here is sent unnamed, so migrating works behind a pooler in transaction mode too.
    tx.execute_typed("SELECT pg_advisory_xact_lock($1)", &[(&LOCK, Type::INT8)])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    BIGINT PRIMARY KEY,
             name       TEXT NOT NULL,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
         )",
    )
    .await?;
    let applied: Vec<i64> = tx
        .query_typed("SELECT version FROM schema_migrations", &[])
        .await?
        .iter()
        .map(|row| row.get(0))
        .collect();
    let known = MIGRATIONS.last().map_or(0, |(version, ..)| *version);
    if let Some(newer) = applied.iter().copied().filter(|v| *v > known).max() {
        return Err(StoreError::SchemaNewer {
            found: newer,
            known,
        });
    }
    let mut count = 0;
    for (version, name, sql) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        let failed = |source| StoreError::PostgresMigration {
            version: *version,
            source,
        };
        tx.batch_execute(sql).await.map_err(failed)?;
        tx.execute_typed(
            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            &[(version, Type::INT8), (name, Type::TEXT)],
        )
        .await
        .map_err(failed)?;
        count += 1;
    }
    tx.commit().await?;
    Ok(count)
}

/// A hash of every migration's SQL: two builds with the same schema have the same, so a copy of a
/// migrated database (a test's template) is known to match this build's.
pub fn schema_hash() -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    MIGRATIONS.hash(&mut hasher);
    hasher.finish()
}
