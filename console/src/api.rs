//! Every HTTP call of the console, with one error type.
//!
//! Records are read and changed through the Salesforce-compatible API, authenticated by the session cookie
//! (`credentials: "same-origin"`); the console's own calls go to [`API_PREFIX`]. Both dialects' errors are
//! read into [`ApiError`], so pages handle one type.

use contact_shared::ErrorBody;
use contact_shared::console::{
    API_PREFIX, HistoryEntry, Me, NewNote, NewSavedView, Offer, Presence, PresenceState, QueueRef,
    SavedView, SignIn,
};
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use web_sys::RequestCredentials;

pub mod admin;
pub mod reports;
pub mod supervisor;

/// The API version the console speaks.
pub const DATA: &str = "/services/data/v62.0";

/// What went wrong with a call, as a page shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// 401: the session expired or was ended; the page sends the person to sign in.
    SignedOut,
    /// 412: someone else changed the record since it was read.
    Conflict,
    /// 429: too many attempts; try again after this many seconds.
    Throttled {
        message: String,
        retry_after: Option<u32>,
    },
    /// Any other refusal, with the message and, where known, the field it is about.
    Refused {
        message: String,
        fields: Vec<(String, String)>,
    },
    /// The server could not be reached or answered something unreadable.
    Network(String),
}

impl ApiError {
    /// The sentence to show.
    pub fn message(&self) -> String {
        match self {
            Self::SignedOut => "Your session has ended. Sign in again.".into(),
            Self::Conflict => "Someone else changed this request first: the page now shows its current state. Check it and try again.".into(),
            Self::Throttled {
                message,
                retry_after,
            } => match retry_after {
                Some(seconds) => format!("{message} Try again in {seconds} s."),
                None => message.clone(),
            },
            Self::Refused { message, .. } => message.clone(),
            Self::Network(problem) => format!("The server could not be reached ({problem})."),
        }
    }

    /// The message about `field`, if the server named it.
    pub fn field(&self, field: &str) -> Option<String> {
        match self {
            Self::Refused { fields, .. } => fields
                .iter()
                .find(|(name, _)| name == field)
                .map(|(_, message)| message.clone()),
            _ => None,
        }
    }
}

/// One error of Salesforce's error array.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SalesforceError {
    message: String,
    #[serde(default)]
    error_code: String,
    #[serde(default)]
    fields: Vec<String>,
}

/// Reads a refusal of either dialect: the console's `{"message","fields"}` or Salesforce's array.
pub fn parse_refusal(status: u16, body: &str, retry_after: Option<u32>) -> ApiError {
    let mut busy = false;
    let (message, fields) = if let Ok(errors) = serde_json::from_str::<Vec<SalesforceError>>(body) {
        // The user runs as many queries at once as the server allows (other tabs, a page's own reads).
        busy = errors
            .iter()
            .any(|e| e.error_code == "REQUEST_LIMIT_EXCEEDED");
        let message = errors
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let fields = errors
            .into_iter()
            .flat_map(|e| {
                let message = e.message;
                e.fields.into_iter().map(move |f| (f, message.clone()))
            })
            .collect();
        (message, fields)
    } else if let Ok(error) = serde_json::from_str::<ErrorBody>(body) {
        let fields = error
            .fields
            .iter()
            .filter_map(|(name, messages)| Some((name.to_owned(), messages.first()?.clone())))
            .collect();
        (error.message, fields)
    } else {
        (format!("The server answered {status}."), Vec::new())
    };
    match status {
        401 => ApiError::SignedOut,
        412 => ApiError::Conflict,
        _ if busy => ApiError::Throttled {
            message,
            retry_after,
        },
        429 => ApiError::Throttled {
            message,
            retry_after,
        },
        _ => ApiError::Refused { message, fields },
    }
}

fn same_origin(builder: RequestBuilder) -> RequestBuilder {
    builder
        .credentials(RequestCredentials::SameOrigin)
        .header("Accept", "application/json")
}

async fn send(request: Result<Request, gloo_net::Error>) -> Result<Response, ApiError> {
    send_as(request, false).await
}

/// Sends `request`; `signing_in` reads a 401 as the refusal of the credentials, not an ended session.
async fn send_as(
    request: Result<Request, gloo_net::Error>,
    signing_in: bool,
) -> Result<Response, ApiError> {
    let response = request
        .map_err(|e| ApiError::Network(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    if response.ok() {
        return Ok(response);
    }
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.trim().parse().ok());
    let body = response.text().await.unwrap_or_default();
    let status = match response.status() {
        401 if signing_in => 400,
        status => status,
    };
    Err(parse_refusal(status, &body, retry_after))
}

// Reading an answer's body is not generic, and parsing it is not async: each type of answer then adds
// only its parsing to the wasm, not one more copy of the fetch's future (1.3 KB brotli in all).

/// The body of an answer.
async fn text(response: Response) -> Result<String, ApiError> {
    response
        .text()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))
}

/// An answer's body as `T`.
fn parse<T: DeserializeOwned>(body: &str) -> Result<T, ApiError> {
    serde_json::from_str(body).map_err(|e| ApiError::Network(e.to_string()))
}

async fn json<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    parse(&text(response).await?)
}

/// The body of `GET url`.
async fn get_text(url: &str) -> Result<String, ApiError> {
    text(send(same_origin(Request::get(url)).build()).await?).await
}

async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    parse(&get_text(url).await?)
}

/// The softphone layout of the call center `id` (DescribeSoftphoneLayoutResult).
pub async fn softphone_layout(id: &str) -> Result<serde_json::Value, ApiError> {
    get(&format!(
        "/services/apexrest/callCenters/{}/softphoneLayout",
        js_sys::encode_uri_component(id)
    ))
    .await
}

/// An object's label and its fields' (name, label), as describe gives them.
pub async fn labels(object: &str) -> Result<(String, Vec<(String, String)>), ApiError> {
    let described: serde_json::Value = get(&format!("{DATA}/sobjects/{object}/describe")).await?;
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    let fields = described["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| (text(&f["name"]), text(&f["label"])))
        .collect();
    Ok((text(&described["label"]), fields))
}

/// Who is signed in.
pub async fn me() -> Result<Me, ApiError> {
    get(&format!("{API_PREFIX}/me")).await
}

/// Signs in.
pub async fn sign_in(credentials: &SignIn) -> Result<Me, ApiError> {
    let request = same_origin(Request::post(&format!("{API_PREFIX}/session"))).json(credentials);
    json(send_as(request, true).await?).await
}

/// Signs out, ending the session on the server.
pub async fn sign_out() -> Result<(), ApiError> {
    send(same_origin(Request::delete(&format!("{API_PREFIX}/session"))).build()).await?;
    Ok(())
}

/// A query's answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryResult<T> {
    pub total_size: u64,
    #[serde(default = "Vec::new")]
    pub records: Vec<T>,
}

/// Runs a SOQL query.
/// How many times a query refused for the user's queries at once is sent again, after a pause that
/// doubles from [`FIRST_PAUSE_MS`] (about 5 s in all).
const QUERY_TRIES: u32 = 8;
const FIRST_PAUSE_MS: i32 = 20;

/// Runs a SOQL query. A page reads several things at once, and the server lets one user run only a few
/// queries at a time (`REQUEST_LIMIT_EXCEEDED` past them): such a refusal is sent again after a pause.
pub async fn query<T: DeserializeOwned>(soql: &str) -> Result<QueryResult<T>, ApiError> {
    parse(&query_text(soql).await?)
}

/// The body of [`query`]'s answer, sent again as it says.
async fn query_text(soql: &str) -> Result<String, ApiError> {
    let url = format!("{DATA}/query/?q={}", js_sys::encode_uri_component(soql));
    let mut pause = FIRST_PAUSE_MS;
    for _ in 1..QUERY_TRIES {
        match get_text(&url).await {
            Err(ApiError::Throttled {
                retry_after: None, ..
            }) => {
                sleep(pause).await;
                pause = (pause * 2).min(1_000);
            }
            answer => return answer,
        }
    }
    get_text(&url).await
}

/// Resolves after `ms` milliseconds (at once where there is no window).
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let timer = web_sys::window().map(|window| {
            window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
        });
        if !matches!(timer, Some(Ok(_))) {
            let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// A record as retrieved, with the ETag that names this version of it.
#[derive(Debug, Clone)]
pub struct Versioned {
    pub record: serde_json::Map<String, serde_json::Value>,
    pub etag: String,
}

/// Retrieves a record with every field, and its version.
pub async fn retrieve(object: &str, id: &str) -> Result<Versioned, ApiError> {
    let url = format!("{DATA}/sobjects/{object}/{id}");
    let response = send(same_origin(Request::get(&url)).build()).await?;
    let etag = response.headers().get("etag").unwrap_or_default();
    let record = json(response).await?;
    Ok(Versioned { record, etag })
}

/// Updates the version `etag` of a record, refused with [`ApiError::Conflict`] if it has changed since:
/// `If-Match` is exact, where a date would miss two changes within one second.
pub async fn update(
    object: &str,
    id: &str,
    fields: &serde_json::Value,
    etag: &str,
) -> Result<(), ApiError> {
    let request = same_origin(Request::patch(&format!("{DATA}/sobjects/{object}/{id}")))
        .header("If-Match", etag)
        .json(fields);
    send(request).await?;
    Ok(())
}

#[derive(Deserialize)]
struct Created {
    id: String,
}

/// Creates a record; answers its id.
pub async fn create(object: &str, fields: &serde_json::Value) -> Result<String, ApiError> {
    let request = same_origin(Request::post(&format!("{DATA}/sobjects/{object}/"))).json(fields);
    let created: Created = json(send(request).await?).await?;
    Ok(created.id)
}

/// A request's history, newest first.
pub async fn history(id: &str) -> Result<Vec<HistoryEntry>, ApiError> {
    get(&format!("{API_PREFIX}/requests/{id}/history")).await
}

/// Adds a note to a request.
pub async fn add_note(id: &str, note: &NewNote) -> Result<(), ApiError> {
    let request =
        same_origin(Request::post(&format!("{API_PREFIX}/requests/{id}/notes"))).json(note);
    send(request).await?;
    Ok(())
}

/// My presence.
pub async fn presence() -> Result<PresenceState, ApiError> {
    get(&format!("{API_PREFIX}/presence")).await
}

/// Sets my presence.
pub async fn set_presence(state: Presence) -> Result<PresenceState, ApiError> {
    let request = same_origin(Request::put(&format!("{API_PREFIX}/presence")))
        .json(&serde_json::json!({ "state": state }));
    json(send(request).await?).await
}

/// The offers open to me.
pub async fn offers() -> Result<Vec<Offer>, ApiError> {
    get(&format!("{API_PREFIX}/offers")).await
}

/// What accepting an offer answers: the request, now mine, and how to call it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Accepted {
    pub request_id: String,
    pub is_callback: bool,
    pub phone: Option<String>,
    /// The call center whose softphone URL dials it.
    pub call_center_id: Option<String>,
}

/// Transfers the request `id` to the queue or representative `to`, where it is offered.
pub async fn transfer(id: &str, to: &str) -> Result<(), ApiError> {
    let request = same_origin(Request::post(&format!(
        "{API_PREFIX}/requests/{}/transfer",
        js_sys::encode_uri_component(id)
    )))
    .json(&TransferTo { to });
    send(request).await?;
    Ok(())
}

#[derive(serde::Serialize)]
struct TransferTo<'a> {
    to: &'a str,
}

/// Accepts (`true`) or declines an offer; a declined one answers `None`.
pub async fn answer_offer(id: i64, accept: bool) -> Result<Option<Accepted>, ApiError> {
    let how = if accept { "accept" } else { "decline" };
    let request = same_origin(Request::post(&format!("{API_PREFIX}/offers/{id}/{how}"))).build();
    let response = send(request).await?;
    if accept {
        Ok(Some(json(response).await?))
    } else {
        Ok(None)
    }
}

/// My saved views, by name.
pub async fn views() -> Result<Vec<SavedView>, ApiError> {
    get(&format!("{API_PREFIX}/views")).await
}

/// Saves a view.
pub async fn save_view(view: &NewSavedView) -> Result<SavedView, ApiError> {
    let request = same_origin(Request::post(&format!("{API_PREFIX}/views"))).json(view);
    json(send(request).await?).await
}

/// Deletes one of my saved views.
pub async fn delete_view(id: i64) -> Result<(), ApiError> {
    send(same_origin(Request::delete(&format!("{API_PREFIX}/views/{id}"))).build()).await?;
    Ok(())
}

/// Every user and every queue, by id and name.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Directory {
    pub users: Vec<DirectoryUser>,
    pub queues: Vec<QueueRef>,
}

/// A user of the directory (their other details are not read).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryUser {
    pub id: String,
    pub name: String,
    /// Whether a request can still be given to them.
    pub is_active: bool,
}

/// Who and where a request can be given or transferred to.
pub async fn directory() -> Result<Directory, ApiError> {
    get(&format!("{API_PREFIX}/directory")).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_salesforce_error_array_names_its_fields() {
        let body = r#"[{"message":"Bad value","errorCode":"INVALID_FIELD","fields":["CallType"]}]"#;
        let error = parse_refusal(400, body, None);
        assert_eq!(error.message(), "Bad value");
        assert_eq!(error.field("CallType").as_deref(), Some("Bad value"));
    }

    #[test]
    fn a_console_error_body_names_its_fields() {
        let body = r#"{"message":"One field needs fixing.","fields":{"password":["Wrong username or password."]}}"#;
        let error = parse_refusal(422, body, None);
        assert_eq!(
            error.field("password").as_deref(),
            Some("Wrong username or password.")
        );
    }

    #[test]
    fn statuses_with_a_meaning_of_their_own_are_told_apart() {
        assert_eq!(parse_refusal(401, "", None), ApiError::SignedOut);
        assert_eq!(parse_refusal(412, "[]", None), ApiError::Conflict);
        let throttled = parse_refusal(429, r#"{"message":"Too many attempts."}"#, Some(30));
        assert_eq!(throttled.message(), "Too many attempts. Try again in 30 s.");
        assert_eq!(
            parse_refusal(500, "<html>", None).message(),
            "The server answered 500."
        );
        let busy = r#"[{"message":"ConcurrentQueries Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#;
        assert!(matches!(
            parse_refusal(403, busy, None),
            ApiError::Throttled {
                retry_after: None,
                ..
            }
        ));
        let forbidden = r#"[{"message":"No access.","errorCode":"INSUFFICIENT_ACCESS"}]"#;
        assert!(matches!(
            parse_refusal(403, forbidden, None),
            ApiError::Refused { .. }
        ));
    }
}
