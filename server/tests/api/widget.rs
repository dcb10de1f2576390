//! Serving the built widget.

use axum::http::{StatusCode, header};

use crate::support::{TestApp, error_body};

/// The default locale of the fake build: the strings the loader draws the facade with.
const EN: &str = r#"{"launcher":"L","loading":"W","load_failed":"F"}"#;

fn fake_build() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("widget.js"),
        "const assets = __CRW_ASSETS__;",
    )
    .unwrap();
    // The loader's open path, which names the rest.
    std::fs::write(dir.path().join("open.js"), "const open = __CRW_OPEN__;").unwrap();
    std::fs::write(dir.path().join("contact-widget-1a2b_bg.wasm"), b"\0asm").unwrap();
    std::fs::write(
        dir.path().join("contact-widget-1a2b.js"),
        "export default 1;",
    )
    .unwrap();
    std::fs::write(dir.path().join("widget-3c4d.css"), ".crw{}").unwrap();
    // The facade's rules, which the loader carries, and the default locale's facade strings.
    std::fs::write(dir.path().join("launcher-5e6f.css"), ".crw-launch{}").unwrap();
    std::fs::create_dir(dir.path().join("locales")).unwrap();
    std::fs::write(dir.path().join("locales/en.json"), EN).unwrap();
    // What `cargo xtask build` writes beside each asset; the contents only need to differ.
    std::fs::write(dir.path().join("contact-widget-1a2b_bg.wasm.br"), b"brotli").unwrap();
    std::fs::write(dir.path().join("contact-widget-1a2b_bg.wasm.gz"), b"gzip").unwrap();
    // What Trunk and the build leave beside the assets, which the loader does not name.
    std::fs::write(dir.path().join("index.html"), "<html>trunk</html>").unwrap();
    std::fs::write(dir.path().join("locales/en.json.br"), b"brotli").unwrap();
    dir
}

fn get_wasm(accept_encoding: Option<&str>) -> axum::http::Request<axum::body::Body> {
    let mut request = axum::http::Request::get("/widget/contact-widget-1a2b_bg.wasm");
    if let Some(encoding) = accept_encoding {
        request = request.header(header::ACCEPT_ENCODING, encoding);
    }
    request.body(axum::body::Body::empty()).unwrap()
}

#[tokio::test]
async fn the_loader_is_served_with_a_short_cache_and_names_the_hashed_assets() {
    let build = fake_build();
    let app = TestApp::with_widget_dir(Some(build.path())).await;
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
    assert!(js.contains(r#"[["widget/open.js?v="#), "{js}");
    // The facade's strings, in the order the loader reads them; the wasm is pinned by open.js.
    assert!(js.contains(r#"["L","W","F"]"#), "{js}");
    assert!(!js.contains("_bg.wasm"), "{js}");
    assert!(!js.contains("__CRW_ASSETS__"));
}

#[tokio::test]
async fn open_js_is_served_as_the_loader_pins_it_and_names_the_rest() {
    let build = fake_build();
    let app = TestApp::with_widget_dir(Some(build.path())).await;
    let loader = app.get("/widget.js").await;
    let loader = loader.body.as_str().unwrap();
    let path = loader
        .split('"')
        .find(|s| s.starts_with("widget/open.js?v="))
        .unwrap();
    let request = axum::http::Request::get(format!("/{path}"))
        .header(header::ACCEPT_ENCODING, "br")
        .header(header::ORIGIN, "https://any.example.org")
        .body(axum::body::Body::empty())
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.headers[header::CONTENT_ENCODING], "br");
    assert_eq!(
        response.headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(response.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let plain = app.get(&format!("/{path}")).await;
    let js = plain.body.as_str().unwrap();
    assert!(
        js.contains(r#"[["widget/contact-widget-1a2b.js","sha256-"#),
        "{js}"
    );
    assert!(
        js.contains(r#"["widget/contact-widget-1a2b_bg.wasm","sha256-"#),
        "{js}"
    );
    assert!(!js.contains("__CRW_OPEN__"), "{js}");
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_readable_from_any_origin() {
    let build = fake_build();
    let app = TestApp::with_widget_dir(Some(build.path())).await;
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
    let app = TestApp::new().await;
    let response = app.get("/widget.js").await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    error_body(&response);
}

#[tokio::test]
async fn assets_are_served_precompressed_as_the_browser_accepts() {
    let build = fake_build();
    let app = TestApp::with_widget_dir(Some(build.path())).await;
    let table = [
        (
            Some("gzip, deflate, br, zstd"),
            Some("br"),
            "brotli".as_bytes(),
            "a browser that takes brotli",
        ),
        (
            Some("gzip"),
            Some("gzip"),
            b"gzip".as_slice(),
            "a client that takes gzip only",
        ),
        (
            None,
            None,
            b"\0asm".as_slice(),
            "a client that asks for no encoding",
        ),
    ];
    for (accept, encoding, body, why) in table {
        let response = app.send(get_wasm(accept)).await;
        assert_eq!(response.status, StatusCode::OK, "{why}");
        assert_eq!(
            response
                .headers
                .get(header::CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap()),
            encoding,
            "{why}"
        );
        assert_eq!(
            response.headers[header::CONTENT_TYPE],
            "application/wasm",
            "{why}"
        );
        let vary = response.headers[header::VARY]
            .to_str()
            .unwrap()
            .to_ascii_lowercase();
        assert!(vary.contains("accept-encoding"), "{why}: {vary}");
        assert_eq!(response.bytes, body, "{why}");
    }
}

#[tokio::test]
async fn the_loader_is_compressed_for_browsers_that_accept_it() {
    let build = fake_build();
    let app = TestApp::with_widget_dir(Some(build.path())).await;
    let request = axum::http::Request::get("/widget.js")
        .header(header::ACCEPT_ENCODING, "br")
        .body(axum::body::Body::empty())
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.headers[header::CONTENT_ENCODING], "br");
    assert_eq!(
        response.headers[header::CACHE_CONTROL],
        "public, max-age=300"
    );
}

#[tokio::test]
async fn only_the_assets_the_loader_names_are_served() {
    let build = fake_build();
    let app = TestApp::with_widget_dir(Some(build.path())).await;
    for named in [
        "/widget/contact-widget-1a2b.js",
        "/widget/contact-widget-1a2b_bg.wasm",
        "/widget/widget-3c4d.css",
        "/widget/locales/en.json?v=e03db787",
    ] {
        assert_eq!(app.get(named).await.status, StatusCode::OK, "{named}");
    }
    let table = [
        ("/widget/index.html", "Trunk's page"),
        (
            "/widget/launcher-5e6f.css",
            "the facade's stylesheet, which the loader carries",
        ),
        (
            "/widget/widget.js",
            "the loader before its hashes are written",
        ),
        (
            "/widget/contact-widget-1a2b_bg.wasm.br",
            "a compressed file by its own name",
        ),
        (
            "/widget/locales/en.json.br",
            "a compressed locale by its own name",
        ),
        ("/widget/nothing.js", "a file that does not exist"),
        ("/widget/", "the folder"),
    ];
    for (path, what) in table {
        let response = app.get(path).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{what}");
        error_body(&response);
        assert_ne!(
            response
                .headers
                .get(header::CACHE_CONTROL)
                .map(|v| v.to_str().unwrap()),
            Some("public, max-age=31536000, immutable"),
            "{what}: a refusal is not cached for a year"
        );
    }
}
