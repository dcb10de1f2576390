//! The webhook endpoints of `webhook_endpoints`: those an admin configures through the API, with their
//! sealed secrets, and those of the webhooks file, recorded so that a name is unique across both.

use super::StoreError;
use super::sql::{Row, args};
use super::tx::{Db, Tx};

/// A stored secret of an API endpoint: sealed, never in its `whsec_` form.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretRow {
    pub id: String,
    pub sealed: String,
    pub created_at: String,
    /// When it stops signing (Unix ms); `None` until it is removed.
    pub expires_at_ms: Option<i64>,
}

/// An endpoint as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct EndpointRow {
    pub name: String,
    /// `file` or `api`.
    pub source: String,
    pub url: String,
    pub events: Vec<String>,
    pub site: Option<String>,
    pub enabled: bool,
    pub created_at: String,
    pub updated_at: String,
    /// Since when its tries have failed with no 2xx between (Unix ms); `None` after a success.
    pub failing_since_ms: Option<i64>,
    /// When the server disabled it for failing (stored format), and why; `None` unless it did.
    pub disabled_at: Option<String>,
    pub disabled_reason: Option<String>,
    /// Oldest first; none for a file's endpoint, whose secrets stay in the file.
    pub secrets: Vec<SecretRow>,
}

/// What a change of an API endpoint sets; `None` leaves it as it is.
#[derive(Debug, Default, Clone)]
pub struct EndpointChange {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    /// `Some(None)` clears the site filter.
    pub site: Option<Option<String>>,
    pub enabled: Option<bool>,
}

const COLUMNS: &str = "name, source, url, events, site, enabled, created_at, updated_at,
                       failing_since_ms, disabled_at, disabled_reason";

fn endpoint(r: &Row) -> Result<EndpointRow, StoreError> {
    let events: String = r.get(3)?;
    Ok(EndpointRow {
        name: r.get(0)?,
        source: r.get(1)?,
        url: r.get(2)?,
        events: serde_json::from_str(&events)
            .map_err(|e| StoreError::Reader(format!("stored events: {e}")))?,
        site: r.get(4)?,
        enabled: r.get(5)?,
        created_at: r.get(6)?,
        updated_at: r.get(7)?,
        failing_since_ms: r.get(8)?,
        disabled_at: r.get(9)?,
        disabled_reason: r.get(10)?,
        secrets: Vec::new(),
    })
}

fn events_json(events: &[String]) -> String {
    serde_json::Value::from(events.to_vec()).to_string()
}

impl Db<'_> {
    /// Every endpoint, by name, each with its secrets.
    pub fn webhook_endpoints(&self) -> Result<Vec<EndpointRow>, StoreError> {
        let mut found: Vec<EndpointRow> = self
            .rows(
                &format!("SELECT {COLUMNS} FROM webhook_endpoints ORDER BY name"),
                args![],
            )?
            .iter()
            .map(endpoint)
            .collect::<Result<_, _>>()?;
        for r in &self.rows(
            "SELECT endpoint, id, sealed, created_at, expires_at_ms FROM webhook_secrets
              ORDER BY created_at, id",
            args![],
        )? {
            let name: String = r.get(0)?;
            if let Some(e) = found.iter_mut().find(|e| e.name == name) {
                e.secrets.push(secret(r)?);
            }
        }
        Ok(found)
    }

    /// The endpoint named `name`, with its secrets.
    pub fn webhook_endpoint(&self, name: &str) -> Result<Option<EndpointRow>, StoreError> {
        let Some(row) = self.row(
            &format!("SELECT {COLUMNS} FROM webhook_endpoints WHERE name = ?1"),
            args![name],
        )?
        else {
            return Ok(None);
        };
        let mut found = endpoint(&row)?;
        found.secrets = self
            .rows(
                "SELECT endpoint, id, sealed, created_at, expires_at_ms FROM webhook_secrets
                  WHERE endpoint = ?1 ORDER BY created_at, id",
                args![name],
            )?
            .iter()
            .map(secret)
            .collect::<Result<_, _>>()?;
        Ok(Some(found))
    }

    /// The names of the enabled endpoints configured through the API: those a delivery worker serves.
    pub fn enabled_api_endpoints(&self) -> Result<Vec<String>, StoreError> {
        self.rows(
            "SELECT name FROM webhook_endpoints WHERE source = 'api' AND enabled = 1 ORDER BY name",
            args![],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect()
    }
}

fn secret(r: &Row) -> Result<SecretRow, StoreError> {
    Ok(SecretRow {
        id: r.get(1)?,
        sealed: r.get(2)?,
        created_at: r.get(3)?,
        expires_at_ms: r.get(4)?,
    })
}

impl Tx<'_> {
    /// Records the webhooks file's endpoints (`source = 'file'`) and forgets file endpoints no longer in
    /// it; answers the names the API already took, which the file may not use.
    pub fn record_file_endpoints(
        &self,
        endpoints: &[EndpointRow],
    ) -> Result<Vec<String>, StoreError> {
        let mut taken = Vec::new();
        let names: Vec<String> = endpoints.iter().map(|e| e.name.clone()).collect();
        let names = serde_json::Value::from(names).to_string();
        self.run(
            &format!(
                "DELETE FROM webhook_endpoints WHERE source = 'file' AND NOT {}",
                super::outbox::in_json_list(self.dialect(), "name", 1)
            ),
            args![&names],
        )?;
        for e in endpoints {
            let stored = self.run(
                "INSERT INTO webhook_endpoints
                        (name, source, url, events, site, enabled, created_at, updated_at)
                 VALUES (?1, 'file', ?2, ?3, ?4, 1, ?5, ?5)
                 ON CONFLICT (name) DO UPDATE
                    SET url = excluded.url, events = excluded.events, site = excluded.site,
                        updated_at = excluded.updated_at
                  WHERE webhook_endpoints.source = 'file'",
                args![
                    &e.name,
                    &e.url,
                    &events_json(&e.events),
                    &e.site,
                    &e.updated_at
                ],
            )?;
            if stored == 0 {
                taken.push(e.name.clone());
            }
        }
        Ok(taken)
    }

    /// Adds an endpoint configured through the API with its first secret, its cursor at the outbox's end
    /// (it gets the events written from now on); answers false, adding nothing, when the name is taken.
    pub fn add_webhook_endpoint(
        &self,
        e: &EndpointRow,
        first: &SecretRow,
    ) -> Result<bool, StoreError> {
        let added = self.run(
            "INSERT INTO webhook_endpoints
                    (name, source, url, events, site, enabled, created_at, updated_at)
             VALUES (?1, 'api', ?2, ?3, ?4, ?5, ?6, ?6)
             ON CONFLICT (name) DO NOTHING",
            args![
                &e.name,
                &e.url,
                &events_json(&e.events),
                &e.site,
                e.enabled,
                &e.created_at
            ],
        )?;
        if added == 0 {
            return Ok(false);
        }
        self.add_webhook_secret(&e.name, first)?;
        self.restart_webhook_cursor(&e.name)?;
        Ok(true)
    }

    /// Moves `endpoint`'s cursor to the outbox's end (opening it if need be): events written before are
    /// not its to deliver.
    pub(super) fn restart_webhook_cursor(&self, endpoint: &str) -> Result<(), StoreError> {
        self.follow_outbox()?;
        self.run(
            "INSERT INTO webhook_cursors (endpoint, last_seq)
             SELECT CAST(?1 AS TEXT), coalesce(max(seq), 0) FROM outbox_events WHERE true
             ON CONFLICT (endpoint) DO UPDATE SET last_seq = excluded.last_seq",
            args![endpoint],
        )?;
        Ok(())
    }

    /// Applies `change` to the API endpoint `name` at `now`; answers false when there is none. An
    /// endpoint enabled again starts from the outbox's end (what was written while it was disabled is
    /// not delivered to it) and a new failing streak (see [`Tx::reenable_webhook_endpoint`]).
    pub fn change_webhook_endpoint(
        &self,
        name: &str,
        change: &EndpointChange,
        now: &str,
    ) -> Result<bool, StoreError> {
        let Some(before) = self.webhook_endpoint(name)? else {
            return Ok(false);
        };
        if before.source != "api" {
            return Ok(false);
        }
        let site = match &change.site {
            Some(site) => site.clone(),
            None => before.site.clone(),
        };
        let enabled = change.enabled.unwrap_or(before.enabled);
        self.run(
            "UPDATE webhook_endpoints
                SET url = ?2, events = ?3, site = ?4, enabled = ?5, updated_at = ?6
              WHERE name = ?1",
            args![
                name,
                change.url.as_ref().unwrap_or(&before.url),
                &events_json(change.events.as_ref().unwrap_or(&before.events)),
                &site,
                enabled,
                now
            ],
        )?;
        if enabled && !before.enabled {
            self.reenable_webhook_endpoint(name, now)?;
        }
        Ok(true)
    }

    /// Adds a secret to `endpoint`.
    pub fn add_webhook_secret(&self, endpoint: &str, s: &SecretRow) -> Result<(), StoreError> {
        self.run(
            "INSERT INTO webhook_secrets (id, endpoint, sealed, created_at, expires_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            args![&s.id, endpoint, &s.sealed, &s.created_at, s.expires_at_ms],
        )?;
        Ok(())
    }

    /// Makes `endpoint`'s secrets other than `keep` stop signing at `at_ms`, when they would sign longer;
    /// and forgets those that stopped before `now_ms`.
    pub fn expire_webhook_secrets(
        &self,
        endpoint: &str,
        keep: &str,
        at_ms: i64,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        self.run(
            "UPDATE webhook_secrets SET expires_at_ms = ?3
              WHERE endpoint = ?1 AND id <> ?2 AND (expires_at_ms IS NULL OR expires_at_ms > ?3)",
            args![endpoint, keep, at_ms],
        )?;
        self.run(
            "DELETE FROM webhook_secrets WHERE endpoint = ?1 AND expires_at_ms <= ?2",
            args![endpoint, now_ms],
        )?;
        Ok(())
    }

    /// Removes `endpoint`'s secret `id`; answers false when it has no such secret.
    pub fn remove_webhook_secret(&self, endpoint: &str, id: &str) -> Result<bool, StoreError> {
        Ok(self.run(
            "DELETE FROM webhook_secrets WHERE endpoint = ?1 AND id = ?2",
            args![endpoint, id],
        )? > 0)
    }

    /// Deletes the API endpoint `name` with its secrets, cursor, deliveries and their log; answers false
    /// when there is none.
    pub fn delete_webhook_endpoint(&self, name: &str) -> Result<bool, StoreError> {
        if self
            .webhook_endpoint(name)?
            .is_none_or(|e| e.source != "api")
        {
            return Ok(false);
        }
        // Its deliveries are locked before anything goes: a worker recording a try on one meanwhile
        // either finished (its attempt is then deleted with the rest) or waits and finds it gone; without
        // it, an attempt committed between the two deletes below would be left pointing at a delivery.
        self.rows(
            &format!(
                "SELECT event_seq FROM webhook_deliveries WHERE endpoint = ?1{}",
                self.for_update()
            ),
            args![name],
        )?;
        for table in ["webhook_attempts", "webhook_deliveries", "webhook_cursors"] {
            self.run(
                &format!("DELETE FROM {table} WHERE endpoint = ?1"),
                args![name],
            )?;
        }
        self.run(
            "DELETE FROM webhook_secrets WHERE endpoint = ?1",
            args![name],
        )?;
        self.run("DELETE FROM webhook_endpoints WHERE name = ?1", args![name])?;
        Ok(true)
    }
}
