//! Serving the built widget.

use axum::http::{StatusCode, header};

use crate::support::{TestApp, error_body};

fn fake_build() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("widget.js"),
        "const assets = __CRW_ASSETS__;",
    )
    .unwrap();
    std::fs::write(dir.path().join("contact-widget-1a2b_bg.wasm"), b"\0asm").unwrap();
    std::fs::write(
        dir.path().join("contact-widget-1a2b.js"),
        "export default 1;",
    )
    .unwrap();
    std::fs::write(dir.path().join("widget-3c4d.css"), ".crw{}").unwrap();
    dir
}

#[tokio::test]
async fn the_loader_is_served_with_a_short_cache_and_names_the_hashed_assets() {
    let build = fake_build();
    let app = TestApp::with_widget_dir(Some(build.path()));
    let response = app.get("/widget.js").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response.headers[header::CACHE_CONTROL],
        "public, max-age=300"
    );
    assert!(
        response.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    let js = response.body.as_str().unwrap();
    assert!(
        js.contains(r#""glue":"widget/contact-widget-1a2b.js""#),
        "{js}"
    );
    assert!(!js.contains("__CRW_ASSETS__"));
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_readable_from_any_origin() {
    let build = fake_build();
    let app = TestApp::with_widget_dir(Some(build.path()));
    let request = axum::http::Request::get("/widget/contact-widget-1a2b.js")
        .header(header::ORIGIN, "https://any.example.org")
        .body(axum::body::Body::empty())
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response.headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(response.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
}

#[tokio::test]
async fn without_a_build_the_loader_is_a_clear_503() {
    let app = TestApp::new();
    let response = app.get("/widget.js").await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    error_body(&response);
}
