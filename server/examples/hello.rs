//! The benchmark's ceiling: a bare axum hello-world on the same runtime settings (and allocator) as the
//! server, so `cargo xtask bench` can say what share of a do-nothing endpoint's rate a durable submission
//! reaches.

use axum::Router;
use axum::routing::get;

#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("Hello world:     http://{}", listener.local_addr()?);
    let app = Router::new().route("/", get(|| async { "Hello, World!" }));
    axum::serve(listener, app).await
}
