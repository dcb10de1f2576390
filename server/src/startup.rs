//! The one wiring of a server: the store opened, the configuration's call centers and queues stored,
//! the state and the router built. `serve` runs what [`start`] builds on its listeners; the tests run
//! the same thing without a port, so what they drive is what a user starts.

use std::sync::Arc;

use anyhow::Context;
use axum::Router;

use crate::call_centers::CallCenters;
use crate::protection::Protection;
use crate::sites::Site;
use crate::sobjects::{Queries, QueryLimits};
use crate::{AppState, Sites, Store, WidgetAssets};

/// What a server is started with, once its configuration files are read.
pub struct Settings {
    /// The database the store opens.
    pub database: crate::store::Database,
    /// How many read connections the API's reads get (SQLite).
    pub read_connections: usize,
    /// How the store uses PostgreSQL (its pool, a pooler in front of it), when it runs on it.
    pub postgres: crate::store::PostgresOptions,
    pub sites: Vec<Site>,
    /// The organisation's RequestReason values (the sites file's `[[request_reason]]`).
    pub request_reasons: crate::salesforce::reasons::RequestReasons,
    pub call_centers: CallCenters,
    pub protection: Protection,
    pub query_limits: QueryLimits,
    pub widget: WidgetAssets,
    /// The webhook endpoints and how to deliver to them; `None` for none.
    pub webhooks: Option<crate::webhooks::Webhooks>,
    /// How the sites' events are forwarded to Adobe Experience Platform (to the sites whose settings
    /// say where).
    pub forwarding: crate::xdm::forward::Forwarding,
    /// The email sent to queue members; `None` for none.
    pub mail: Option<crate::mail::Mail>,
    /// How the console's sessions are made and checked.
    pub sessions: crate::access::session::Sessions,
    /// How failed console sign-ins slow down the next.
    pub backoff: crate::access::backoff::Backoff,
    /// Whether this process offers due callbacks to Available representatives (`callbacks::offers`);
    /// tests that run routing rounds at instants of their own leave it off.
    pub push_routing: bool,
}

/// A started server, without its listeners.
pub struct Started {
    pub router: Router,
    pub store: Store,
    /// The API's query state (its per-user places; the open cursors are in the store).
    pub queries: Arc<Queries>,
    /// The console's live feed, which the server closes when it stops.
    pub feed: Arc<crate::live::Feed>,
}

/// Opens the store, stores the call centers and every queue a site names, and builds the router.
pub async fn start(settings: Settings) -> anyhow::Result<Started> {
    // The event schemas are built into the binary; checking them costs a few milliseconds, once.
    crate::xdm::schema::load();
    let store = Store::open_to_serve(
        &settings.database,
        settings.read_connections,
        &settings.postgres,
    )
    .await
    .with_context(|| format!("cannot open the database {}", settings.database))?;
    settings
        .call_centers
        .sync(&store)
        .await
        .context("cannot store the call centers")?;
    for queue in settings
        .sites
        .iter()
        .filter_map(|s| s.default_queue.clone())
    {
        crate::access::directory::ensure_queue(&store, queue.clone())
            .await
            .with_context(|| {
                format!("cannot create the queue {queue:?} named in the sites file")
            })?;
    }
    let registry = settings
        .webhooks
        .as_ref()
        .map(crate::webhooks::Webhooks::registry)
        .unwrap_or_default();
    if let Some(webhooks) = settings.webhooks {
        crate::webhooks::deliver::start(&store, webhooks)
            .await
            .context("cannot start the webhook deliveries")?;
    }
    crate::xdm::forward::start(&store, &settings.sites, settings.forwarding)
        .await
        .context("cannot start forwarding events to Adobe Experience Platform")?;
    if let Some(mail) = settings.mail {
        crate::mail::deliver::start(&store, mail.clone())
            .await
            .context("cannot start the email")?;
        crate::mail::confirmation::start(&store, mail, &settings.sites)
            .await
            .context("cannot start the visitors' confirmation emails")?;
    } else if let Some(site) = settings.sites.iter().find(|s| s.confirmation_email) {
        tracing::warn!(
            site = %site.key,
            "confirmation_email is on but no SMTP server is configured (--smtp-host): no confirmation is sent"
        );
    }
    crate::callbacks::due::start(store.clone());
    crate::reports::start(store.clone());
    if settings.push_routing {
        crate::callbacks::offers::start(store.clone());
    }
    let mut protection = settings.protection;
    protection.count_in(&store);
    let queries = Queries::new(settings.query_limits);
    let feed = crate::live::Feed::new(store.clone());
    let state = AppState {
        store: store.clone(),
        sites: Arc::new(Sites::new(settings.sites)),
        request_reasons: Arc::new(settings.request_reasons),
        protection: Arc::new(protection),
        call_centers: settings.call_centers,
        queries: Arc::clone(&queries),
        sessions: Arc::new(settings.sessions),
        backoff: Arc::new(settings.backoff),
        feed: Arc::clone(&feed),
        webhooks: registry,
    };
    let router = crate::app(state, &settings.widget);
    Ok(Started {
        router,
        store,
        queries,
        feed,
    })
}
