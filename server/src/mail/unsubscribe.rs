//! One-click unsubscribe (RFC 8058) from the staff notifications: each email of a kind a person may turn
//! off (new requests in their queues, their callbacks falling due) carries `List-Unsubscribe` with a
//! link holding a random token of theirs for that kind, and `List-Unsubscribe-Post`. A `POST` to the
//! link turns that kind off, without signing in (the token is the proof); a `GET` only shows a page
//! whose button posts, so a link scanner following it unsubscribes no one. An admin's alert about a
//! disabled endpoint has no link: it is not a notification one opts out of.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::get;
use lettre::Message;
use lettre::message::header::{Header, HeaderName, HeaderValue};

use crate::error::{AppError, Path};
use crate::store::{CALLBACK_DUE_NOTICES, NEW_REQUESTS, Store, StoreError};

/// Where the unsubscribe links point, under the server's public URL.
pub const PATH: &str = "/mail/unsubscribe";

/// A new random token: 32 bytes, in hex.
pub fn fresh_token() -> String {
    let mut token = [0u8; 32];
    rand::fill(&mut token);
    hex::encode(token)
}

/// What a person reads that a kind of notification is.
fn described(kind: &str) -> &'static str {
    match kind {
        NEW_REQUESTS => "new requests in your queues",
        CALLBACK_DUE_NOTICES => "your callbacks falling due",
        _ => "these notifications",
    }
}

/// `List-Unsubscribe: <URL>`.
#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click`: the link unsubscribes by a `POST` of this.
#[derive(Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

/// The token of `user_id`'s link for `kind`, made with their first email of it.
pub(super) async fn token(store: &Store, user_id: &str, kind: &str) -> Result<String, StoreError> {
    let (user, kind, fresh) = (user_id.to_owned(), kind.to_owned(), fresh_token());
    store
        .write(move |tx| tx.unsubscribe_token(&user, &kind, &fresh))
        .await
}

/// `email` with the one-click unsubscribe headers for `token`.
pub(super) fn with_link(mut email: Message, public_url: &str, token: &str) -> Message {
    let headers = email.headers_mut();
    headers.set(ListUnsubscribe(format!("<{public_url}{PATH}/{token}>")));
    headers.set(ListUnsubscribePost);
    email
}

/// The unsubscribe routes, which need no sign-in.
pub fn routes<S: Clone + Send + Sync + 'static>(store: Store) -> Router<S> {
    Router::new()
        .route(&format!("{PATH}/{{token}}"), get(page).post(unsubscribe))
        .with_state(store)
}

/// A small page saying `text`, with a button posting to this address when `button` is given.
fn html(
    status: StatusCode,
    title: &str,
    text: &str,
    button: Option<&str>,
) -> (StatusCode, Html<String>) {
    use html_escape::encode_text as escape;
    let form = button
        .map(|label| {
            format!(
                "<form method=\"post\"><button type=\"submit\" name=\"List-Unsubscribe\" \
                 value=\"One-Click\">{}</button></form>\n",
                escape(label)
            )
        })
        .unwrap_or_default();
    (
        status,
        Html(format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
             <meta name=\"viewport\" content=\"width=device-width\"></head>\n<body>\n<h1>{title}</h1>\n\
             <p>{}</p>\n{form}</body></html>\n",
            escape(text),
            title = escape(title),
        )),
    )
}

/// The answer to a token that is no one's.
fn no_such_link() -> (StatusCode, Html<String>) {
    html(
        StatusCode::NOT_FOUND,
        "Unknown unsubscribe link",
        "This unsubscribe link is not valid: it may have been cut short or mistyped. Copy the whole \
         link from the email, or sign in to the console to change which emails you get.",
        None,
    )
}

/// `GET /mail/unsubscribe/{token}`: what the link turns off, and a button that does it.
async fn page(
    State(store): State<Store>,
    Path(token): Path<String>,
) -> Result<(StatusCode, Html<String>), AppError> {
    let kind = store.read(move |db| db.unsubscribe_kind(&token)).await?;
    Ok(match kind {
        None => no_such_link(),
        Some(kind) => html(
            StatusCode::OK,
            "Unsubscribe",
            &format!("Stop the emails about {}?", described(&kind)),
            Some("Unsubscribe"),
        ),
    })
}

/// `POST /mail/unsubscribe/{token}` (RFC 8058's one click, or the page's button): that kind turned off.
async fn unsubscribe(
    State(store): State<Store>,
    Path(token): Path<String>,
) -> Result<(StatusCode, Html<String>), AppError> {
    let kind = store.write(move |tx| tx.unsubscribe(&token)).await?;
    Ok(match kind {
        None => no_such_link(),
        Some(kind) => html(
            StatusCode::OK,
            "Unsubscribed",
            &format!(
                "You will get no more emails about {}. Turn them on again in the console.",
                described(&kind)
            ),
            None,
        ),
    })
}
