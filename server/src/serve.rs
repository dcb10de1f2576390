//! Binding the listeners and running the server until it is told to stop.

use std::net::SocketAddr;

use anyhow::Context;
use axum::http::HeaderValue;
use tokio::net::TcpListener;

use crate::config::{ServeArgs, parse_origin};
use crate::{AppState, Store, WidgetAssets};

/// Serves the API, the widget and the demo page until SIGINT or SIGTERM, then lets in-flight requests
/// finish and the store commit what it was given.
pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let call_centers = match &args.call_centers {
        Some(path) => crate::call_centers::file::load(path).map_err(anyhow::Error::msg)?,
        None => crate::call_centers::CallCenters::default(),
    };
    let store = Store::open_sqlite(&args.database)
        .with_context(|| format!("cannot open the database {}", args.database.display()))?;
    call_centers
        .sync(&store)
        .await
        .context("cannot store the call centers")?;
    let listener = bind(args.listen).await?;
    let api_addr = listener.local_addr()?;
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{api_addr}"))
        .trim_end_matches('/')
        .to_owned();

    let mut origins = args
        .allowed_origins
        .iter()
        .filter(|o| !o.trim().is_empty())
        .map(|o| parse_origin(o.trim()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(anyhow::Error::msg)?;
    let demo = if args.no_demo {
        None
    } else {
        let demo_listener = bind(args.demo_listen).await?;
        let demo_origin = format!("http://{}", demo_listener.local_addr()?);
        origins.push(demo_origin.clone());
        Some((demo_listener, demo_origin))
    };
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .map(|o| HeaderValue::from_str(o))
        .collect::<Result<_, _>>()?;

    let widget = WidgetAssets::load(&args.widget_dir);
    let app = crate::app(
        AppState {
            store: store.clone(),
            call_centers,
        },
        allowed,
        &widget,
    );

    println!("API and widget:  {public_url}");
    let demo_task = demo.map(|(demo_listener, demo_origin)| {
        println!("Demo host page:  {demo_origin}/   <- open this in a browser");
        let demo_app = crate::demo_app(&format!("{public_url}/widget.js"));
        tokio::spawn(async move {
            axum::serve(demo_listener, demo_app)
                .with_graceful_shutdown(shutdown_signal())
                .await
        })
    });
    tracing::info!(%api_addr, database = %args.database.display(), origins = ?origins, "serving");

    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    if let Some(task) = demo_task {
        task.await??;
    }
    store.shutdown().await;
    tracing::info!("stopped cleanly");
    Ok(())
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
