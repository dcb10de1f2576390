//! Binding the listeners and running the server until it is told to stop.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::WidgetAssets;
use crate::config::{ProtectionArgs, ServeArgs};
use crate::connections::ConnectionLimits;
use crate::origin::Origin;
use crate::protection::Protection;
use crate::startup::{Settings, Started, start};

/// Serves the API, the widget and the demo page until SIGINT or SIGTERM, then lets in-flight requests
/// finish and the store commit what it was given.
pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let call_centers = match &args.call_centers {
        Some(path) => crate::call_centers::file::load(path, crate::softphone::known_field)
            .map_err(anyhow::Error::msg)?,
        None => crate::call_centers::CallCenters::default(),
    };
    let listener = bind(args.listen).await?;
    let api_addr = listener.local_addr()?;
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{api_addr}"))
        .trim_end_matches('/')
        .to_owned();

    let extra_origins = args
        .allowed_origins
        .iter()
        .filter(|o| !o.trim().is_empty())
        .map(|o| Origin::parse(o.trim()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(anyhow::Error::msg)?;
    // The demo page signs identity tokens for the built-in demo sites for anyone who asks; a server with
    // its own sites has no use for it, so it is off there whatever the demo flags say.
    let has_sites_file = args.sites.exists();
    if has_sites_file && !args.no_demo {
        tracing::info!(file = %args.sites.display(), "a sites file is given: the demo page is off");
    }
    let demo = if args.no_demo || has_sites_file {
        None
    } else {
        let demo_listener = bind(args.demo_listen).await?;
        let demo_origin = format!("http://{}", demo_listener.local_addr()?);
        Some((demo_listener, demo_origin))
    };
    let (sites, request_reasons, signer, call_centers) = if has_sites_file {
        let file = crate::sites::file::load(&args.sites, &call_centers)
            .map_err(|e| anyhow::anyhow!("invalid sites configuration: {e}"))?;
        (file.sites, file.reasons, None, call_centers)
    } else {
        tracing::info!(file = %args.sites.display(), "no sites file; serving the built-in demo sites");
        let mut origins = extra_origins;
        if let Some((_, origin)) = &demo {
            origins.push(Origin::parse(origin).map_err(anyhow::Error::msg)?);
        }
        // The demo call center, unless the call-center file declares one of that name.
        let call_centers = call_centers.with(crate::call_centers::demo_center());
        let center = call_centers
            .by_internal_name(crate::call_centers::DEMO_CALL_CENTER)
            .cloned();
        let (sites, signer) = crate::sites::demo_sites(origins, center);
        (sites, Default::default(), Some(signer), call_centers)
    };
    let key = args
        .webhooks_key
        .as_deref()
        .map(crate::webhooks::SealKey::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("invalid --webhooks-key (CRW_WEBHOOKS_KEY): {e}"))?;
    let webhooks = match (&args.webhooks, key) {
        (None, None) => None,
        (file, key) => Some(crate::webhooks::Webhooks {
            key,
            ..crate::webhooks::Webhooks::new(
                match file {
                    Some(path) => crate::webhooks::file::load(path)
                        .map_err(|e| anyhow::anyhow!("invalid webhooks configuration: {e}"))?,
                    None => Vec::new(),
                },
                args.webhooks_allow_private,
            )
        }),
    };
    let mail = args
        .mail
        .mail(&public_url)
        .map_err(|e| anyhow::anyhow!("invalid email configuration: {e}"))?;
    let site_keys: Vec<String> = sites.iter().map(|s| s.key.clone()).collect();
    // Only a configured public URL fixes the console's origin; otherwise it is the Host browsers use.
    let sessions = crate::access::session::Sessions::new(
        args.public_url.as_deref(),
        args.session_idle,
        args.session_lifetime,
    )
    .map_err(anyhow::Error::msg)?;
    let Started {
        router: app,
        store,
        feed,
        ..
    } = start(Settings {
        database: args.database.clone(),
        read_connections: args.reads.read_connections,
        postgres: args.postgres()?,
        sites,
        request_reasons,
        call_centers,
        protection: Protection::from(&args.protection),
        query_limits: args.reads.query_limits(),
        widget: WidgetAssets::load(&args.widget_dir),
        webhooks,
        forwarding: crate::xdm::forward::Forwarding::new(args.events_forward_allow_private),
        mail,
        sessions,
        backoff: crate::access::backoff::Backoff::default(),
        push_routing: true,
    })
    .await?;
    let limits = connection_limits(&args.protection);

    say(&format!("API and widget:  {public_url}"));
    say(&format!(
        "Console:         {public_url}{}",
        contact_shared::console::APP_PATH
    ));
    if demo.is_some() && args.demo_users {
        for user in crate::demo::users::ensure(&store).await? {
            say(&format!(
                "  {:<15} {:<20} password {}",
                user.role.as_str(),
                user.username,
                user.password
            ));
        }
    }
    let demo_task = demo.map(|(demo_listener, demo_origin)| {
        say(&format!(
            "Demo host page:  {demo_origin}/   <- open this in a browser"
        ));
        let demo_app = crate::protection::security_headers_for_pages(crate::demo_app(
            &format!("{public_url}/widget.js"),
            signer,
        ));
        tokio::spawn(crate::connections::serve(
            demo_listener,
            demo_app,
            limits.clone(),
            shutdown_signal(),
        ))
    });
    if !args.protection.no_metrics {
        serve_metrics(args.protection.metrics_listen, store.clone()).await;
    }
    tracing::info!(%api_addr, database = %args.database, sites = ?site_keys, "serving");
    let sweeper = tokio::spawn(sweep_loop(
        store.clone(),
        std::time::Duration::from_secs(args.protection.idempotency_retention_hours * 3_600),
        // Past both, no session is alive and no failure is counted.
        args.session_lifetime
            .max(crate::access::backoff::Backoff::default().forget_after),
        args.reads.query_limits().cursor_lifetime,
        args.events_retention_days,
    ));

    // Open live feeds end at once on the signal: they never finish by themselves, so the drain would
    // otherwise wait its whole timeout on every console left open.
    let stopping = async move {
        shutdown_signal().await;
        feed.close();
    };
    crate::connections::serve(listener, app, limits, stopping).await?;
    if let Some(task) = demo_task {
        task.await??;
    }
    sweeper.abort();
    store.shutdown().await;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// Every few minutes, forgets idempotency keys older than `retention` and spent challenges that have
/// expired, console sessions and sign-in failures older than `sign_ins`, query cursors unused for
/// `cursors`, experience events older than `events_retention_days`, webhook delivery tries older than `webhooks::log::ATTEMPTS_KEPT`, and rate-limit counts
/// whose budget is whole again, so no table grows without end. A failed
/// sweep is retried at the next tick.
async fn sweep_loop(
    store: crate::Store,
    retention: std::time::Duration,
    sign_ins: Duration,
    cursors: Duration,
    events_retention_days: u32,
) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(5 * 60));
    loop {
        tick.tick().await;
        let now = jiff::Timestamp::now();
        let keys_before = jiff::SignedDuration::try_from(retention)
            .ok()
            .and_then(|retention| now.checked_sub(retention).ok())
            .unwrap_or(jiff::Timestamp::MIN);
        match store.sweep(keys_before, now).await {
            Ok((keys, challenges)) => {
                tracing::debug!(keys, challenges, "swept expired keys and challenges");
            }
            Err(error) => tracing::warn!(%error, "cannot sweep expired keys and challenges"),
        }
        let before = crate::instant::stored(
            jiff::SignedDuration::try_from(sign_ins)
                .ok()
                .and_then(|age| now.checked_sub(age).ok())
                .unwrap_or(jiff::Timestamp::MIN),
        );
        if let Err(error) = store.write(move |tx| tx.sweep_sign_ins(&before)).await {
            tracing::warn!(%error, "cannot sweep old console sessions");
        }
        let unused_since = crate::sobjects::cursor_alive_after(now, cursors);
        if let Err(error) = store
            .write(move |tx| tx.sweep_query_cursors(&unused_since))
            .await
        {
            tracing::warn!(%error, "cannot sweep expired query cursors");
        }
        let tries_before = now.as_millisecond()
            - i64::try_from(crate::webhooks::log::ATTEMPTS_KEPT.as_millis()).unwrap_or(i64::MAX);
        if let Err(error) = store
            .write(move |tx| tx.sweep_delivery_attempts(tries_before))
            .await
        {
            tracing::warn!(%error, "cannot sweep old webhook delivery tries");
        }
        let events_before = crate::xdm::swept_before(now, events_retention_days);
        if let Err(error) = store
            .write(move |tx| tx.sweep_experience_events(&events_before))
            .await
        {
            tracing::warn!(%error, "cannot sweep old experience events");
        }
        match store.sweep_limits(now).await {
            Ok(counts) => tracing::debug!(counts, "swept rate-limit counts whose budget is whole"),
            Err(error) => tracing::warn!(%error, "cannot sweep rate-limit counts"),
        }
    }
}

/// The connection limits the flags ask for. A connection may sit with nothing moving for as long as its
/// headers, its request and one stalled write may each take, and no longer.
fn connection_limits(args: &ProtectionArgs) -> ConnectionLimits {
    let header_timeout = Duration::from_secs(args.header_timeout_secs);
    let write_timeout = Duration::from_secs(args.write_timeout_secs);
    ConnectionLimits {
        max_connections: args.max_connections,
        max_connections_per_ip: args.max_connections_per_ip,
        trusted_proxies: Arc::new(args.trusted_proxies.clone()),
        header_timeout,
        write_timeout,
        stall_limit: header_timeout
            + Duration::from_secs(args.request_timeout_secs)
            + write_timeout,
        max_header_bytes: args.max_header_bytes as usize,
    }
}

/// Serves `/metrics` on its own listener. Metrics are an aid, not the service: if the address is taken, say
/// so and serve the API without them.
async fn serve_metrics(addr: SocketAddr, store: crate::store::Store) {
    let handle = match crate::metrics::install() {
        Ok(handle) => handle,
        Err(error) => {
            tracing::warn!(%error, "metrics are off: cannot install the recorder");
            return;
        }
    };
    let listener = match bind(addr).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::warn!("metrics are off: {error:#}");
            return;
        }
    };
    if let Ok(addr) = listener.local_addr() {
        tracing::info!("metrics at http://{addr}/metrics");
    }
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            tick.tick().await;
            upkeep.run_upkeep();
        }
    });
    tokio::spawn(async move {
        axum::serve(
            listener,
            crate::metrics::routes(handle, crate::webhooks::depth::scrape(store)),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await
    });
}

async fn bind(addr: SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} (is another server running there?)"))
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// Prints a line for the person who started the server. One whose reader has gone (a closed pipe) is
/// dropped: the server goes on serving, where `println!` would panic.
fn say(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}").and_then(|()| out.flush());
}
