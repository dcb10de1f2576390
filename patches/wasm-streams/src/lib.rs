//! The part of [`wasm-streams`](https://crates.io/crates/wasm-streams) 0.5 that `server_fn` uses: a
//! `ReadableStream` made from a Rust `Stream` (a streaming request body), and a Rust `Stream` read from a
//! `ReadableStream` (a streaming response body).
//!
//! Leptos depends on `server_fn`, and `server_fn` on `wasm-streams`, whether or not an app calls server
//! functions (the widget calls none). `wasm-streams` exports three classes to JavaScript
//! (`IntoUnderlyingSource`, `IntoUnderlyingByteSource`, `IntoUnderlyingSink`), and an export is never
//! removed as dead code: with the futures behind them they were 6 KB of the widget's 60 KB budget
//! (brotli, wasm and JS glue). Here the underlying source is a plain object with a `pull` closure, which
//! is compiled only where `from_stream` is called.

use std::cell::RefCell;
use std::pin::Pin;
use std::rc::Rc;

use futures_util::stream::{self, Stream};
use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_futures::{JsFuture, future_to_promise};
use web_sys::{QueuingStrategy, ReadableStreamDefaultController, ReadableStreamDefaultReader};

/// A JavaScript `ReadableStream`, to and from Rust streams.
#[derive(Debug)]
pub struct ReadableStream {
    raw: web_sys::ReadableStream,
}

impl ReadableStream {
    /// Wraps a JavaScript stream.
    pub fn from_raw(raw: web_sys::ReadableStream) -> Self {
        Self { raw }
    }

    /// The JavaScript stream.
    pub fn into_raw(self) -> web_sys::ReadableStream {
        self.raw
    }

    /// A JavaScript stream whose chunks are `stream`'s items, pulled one at a time as it is read (its
    /// high-water mark is 0, so nothing is buffered ahead of the reader); an error item errors it.
    pub fn from_stream<St>(stream: St) -> Self
    where
        St: Stream<Item = Result<JsValue, JsValue>> + 'static,
    {
        let stream = Rc::new(RefCell::new(Box::pin(stream)));
        let pull = Closure::<dyn FnMut(ReadableStreamDefaultController) -> Promise>::new(
            move |controller: ReadableStreamDefaultController| {
                let stream = Rc::clone(&stream);
                future_to_promise(async move {
                    // Borrowed per poll, never across an await: the stream calls `pull` again only
                    // once this promise settles, but a borrow must not depend on that.
                    let next = futures_util::future::poll_fn(|cx| {
                        Pin::as_mut(&mut *stream.borrow_mut()).poll_next(cx)
                    })
                    .await;
                    match next {
                        Some(Ok(chunk)) => controller.enqueue_with_chunk(&chunk)?,
                        Some(Err(error)) => return Err(error),
                        None => controller.close()?,
                    }
                    Ok(JsValue::UNDEFINED)
                })
            },
        );
        let source = Object::new();
        let _ = Reflect::set(&source, &"pull".into(), &pull.into_js_value());
        let strategy = QueuingStrategy::new();
        strategy.set_high_water_mark(0.0);
        let raw =
            web_sys::ReadableStream::new_with_underlying_source_and_strategy(&source, &strategy)
                .unwrap_or_else(|error| wasm_bindgen::throw_val(error));
        Self { raw }
    }

    /// A Rust stream of the JavaScript stream's chunks, read through a default reader; it ends when the
    /// JavaScript stream is done, after yielding the error if it fails.
    pub fn into_stream(self) -> impl Stream<Item = Result<JsValue, JsValue>> + Unpin + 'static {
        let reader = self
            .raw
            .get_reader()
            .dyn_into::<ReadableStreamDefaultReader>()
            .ok();
        Box::pin(stream::unfold(reader, |reader| async move {
            let reader = reader?;
            let result = match JsFuture::from(reader.read()).await {
                Ok(result) => result,
                Err(error) => return Some((Err(error), None)),
            };
            let field =
                |name: &str| Reflect::get(&result, &name.into()).unwrap_or(JsValue::UNDEFINED);
            if field("done").is_truthy() {
                return None;
            }
            Some((Ok(field("value")), Some(reader)))
        }))
    }
}
