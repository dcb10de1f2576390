//! Every HTTP call the widget makes, and the one error type they answer with.
//!
//! The widget runs on the host site's origin and posts cross-origin to the intake server, so requests are
//! `mode: cors`; the JSON `Content-Type` makes the browser send a preflight, which the server answers.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use contact_shared::{
    CHALLENGE_PATH, CONTACT_REQUESTS_PATH, ContactRequestCreated, ContactRequestForm, ErrorBody,
    IDEMPOTENCY_KEY_HEADER, PROOF_HEADER, ProofHash, SESSION_HEADER, SITE_HEADER, TRAP_HEADER,
};
use sha2::{Digest, Sha256};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestInit, RequestMode, Response};

/// Sends of one submission at most: the first, then retries after 0.5, 1 and 2 seconds.
const ATTEMPTS: u32 = 4;
/// Hashes tried between yields to the page, so solving never blocks typing.
const HASHES_PER_SLICE: u64 = 2_048;

/// Why a submission did not create a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitError {
    /// The request never got an answer (offline, DNS, CORS refused, connection reset): worth retrying as is.
    Network,
    /// The server refused the submission (a 4xx) and said why, possibly per field.
    Rejected(ErrorBody),
    /// The server did not take the proof of work (stale, spent) or saw a filled honeypot (a 403).
    Refused(ErrorBody),
    /// Too many requests from here: the server said how many seconds to wait.
    RateLimited(u64),
    /// Any other answer, such as a 5xx or a body that is not the documented JSON.
    Unexpected(u16),
}

impl SubmitError {
    /// Whether sending the same input again may succeed.
    pub fn is_retryable(&self) -> bool {
        !matches!(self, Self::Rejected(_))
    }
}

impl fmt::Display for SubmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Network => {
                f.write_str("We couldn't reach the server. Check your connection and try again.")
            }
            Self::Rejected(body) | Self::Refused(body) => f.write_str(&body.message),
            Self::RateLimited(seconds) => write!(
                f,
                "Too many requests \u{2014} try again in {seconds} second{}.",
                if *seconds == 1 { "" } else { "s" }
            ),
            Self::Unexpected(_) => {
                f.write_str("Something went wrong on our side. Please try again in a moment.")
            }
        }
    }
}

/// A solved challenge and when it may be spent (`Date.now()` milliseconds).
#[derive(Debug, Clone)]
struct Proof {
    value: String,
    ready_at: f64,
}

#[derive(Debug, Default)]
struct SenderState {
    /// One per filled form: made on the first send, kept across retries, dropped once a request is created.
    key: Option<String>,
    proof: Option<Proof>,
    solving: bool,
}

/// Sends one form exactly once: with an idempotency key kept across retries, a proof of work solved in
/// the background while the visitor types, and retries with backoff when the network fails.
#[derive(Debug, Clone)]
pub struct Sender {
    api_base: String,
    /// The site key (the tag's `data-site`): the server applies that site's rules and limits.
    site: String,
    /// The widget's analytics session, which the server's event of the request carries.
    session: String,
    state: Rc<RefCell<SenderState>>,
}

impl Sender {
    /// A sender for `site` on the intake server at `api_base` (an origin, no trailing slash); starts
    /// solving a challenge at once.
    pub fn new(api_base: &str, site: &str, session: &str) -> Self {
        let sender = Self {
            api_base: api_base.trim_end_matches('/').to_owned(),
            site: site.to_owned(),
            session: session.to_owned(),
            state: Rc::default(),
        };
        sender.prepare();
        sender
    }

    /// Fetches and solves a challenge in the background, unless one is ready or on its way.
    fn prepare(&self) {
        {
            let mut state = self.state.borrow_mut();
            if state.proof.is_some() || state.solving {
                return;
            }
            state.solving = true;
        }
        let sender = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let proof = sender.fetch_proof().await.ok();
            let mut state = sender.state.borrow_mut();
            state.proof = proof;
            state.solving = false;
        });
    }

    async fn fetch_proof(&self) -> Result<Proof, JsValue> {
        // As hard as this site asks.
        let url = format!("{}{CHALLENGE_PATH}?site={}", self.api_base, self.site);
        let answer = fetch("GET", &url, &[], None).await?;
        let challenge = match answer.status {
            200 => crate::wire::challenge(&answer.text).ok_or(JsValue::NULL)?,
            _ => return Err(JsValue::NULL),
        };
        let received = js_sys::Date::now();
        let counter = solve(&challenge.token, challenge.difficulty.into()).await;
        Ok(Proof {
            value: contact_shared::proof_value(&challenge.token, counter),
            ready_at: received + challenge.not_before_ms as f64,
        })
    }

    /// A proof to send now: the one solved in the background, or a fresh one; waits out the minimum fill time.
    async fn proof(&self) -> Result<String, SubmitError> {
        self.prepare();
        while self.state.borrow().solving {
            sleep(50).await;
        }
        let proof = self.state.borrow().proof.clone();
        let proof = proof.ok_or(SubmitError::Network)?;
        let wait = proof.ready_at - js_sys::Date::now();
        if wait > 0.0 {
            sleep(wait as i32).await;
        }
        Ok(proof.value)
    }

    /// Sends `form`; `trap` is the honeypot input's value, empty for people; `token` is the signed-in
    /// visitor's identity token, sent as a bearer token, empty for a guest.
    pub async fn submit(
        &self,
        form: &ContactRequestForm,
        trap: &str,
        token: &str,
    ) -> Result<ContactRequestCreated, SubmitError> {
        let key = self
            .state
            .borrow_mut()
            .key
            .get_or_insert_with(new_key)
            .clone();
        let url = format!("{}{CONTACT_REQUESTS_PATH}", self.api_base);
        let body = crate::wire::form_json(form);
        let bearer = if token.is_empty() {
            String::new()
        } else {
            format!("Bearer {token}")
        };
        let mut refreshed = false;
        let mut attempt = 0;
        loop {
            let result = match self.proof().await {
                Ok(proof) => {
                    let headers = [
                        (IDEMPOTENCY_KEY_HEADER, key.as_str()),
                        (SITE_HEADER, self.site.as_str()),
                        (PROOF_HEADER, proof.as_str()),
                        (TRAP_HEADER, trap),
                        (SESSION_HEADER, self.session.as_str()),
                        ("Authorization", bearer.as_str()),
                    ];
                    match fetch("POST", &url, &headers, Some(&body)).await {
                        Ok(answer) => {
                            let retry_after = answer
                                .header("retry-after")
                                .and_then(|v| v.trim().parse().ok());
                            classify(answer.status, retry_after, &answer.text)
                        }
                        Err(_) => Err(SubmitError::Network),
                    }
                }
                Err(error) => Err(error),
            };
            match result {
                Ok(created) => {
                    let mut state = self.state.borrow_mut();
                    state.key = None;
                    state.proof = None;
                    return Ok(created);
                }
                // A spent or stale challenge (the server restarted, say): solve a fresh one, once.
                Err(SubmitError::Refused(_)) if !refreshed => {
                    refreshed = true;
                    self.state.borrow_mut().proof = None;
                }
                Err(SubmitError::Network | SubmitError::Unexpected(500..))
                    if attempt + 1 < ATTEMPTS =>
                {
                    sleep(500 << attempt).await;
                    attempt += 1;
                }
                Err(error) => return Err(error),
            }
        }
    }
}

/// A key for one filled form: the time (milliseconds, 48 bits) then 80 random bits from the browser's
/// cryptographic generator. Keys sort by when they were made, so the server's key index grows at its end
/// instead of touching a random page for every submission.
fn new_key() -> String {
    let mut random = [0u8; 10];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut random).is_ok());
    if !filled {
        // Without Web Crypto a clock-and-Math.random key still tells retries from new forms.
        let seed = [js_sys::Date::now(), js_sys::Math::random()].map(|x| x.to_bits().to_le_bytes());
        random.copy_from_slice(&Sha256::digest(seed.as_flattened())[..10]);
    }
    key_at(js_sys::Date::now(), random)
}

/// The key made at `now_ms` (`Date.now()`) with these random bytes, in lower-case hex.
fn key_at(now_ms: f64, random: [u8; 10]) -> String {
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(&(now_ms as u64).to_be_bytes()[2..]);
    bytes[6..].copy_from_slice(&random);
    hex(&bytes)
}

/// Lower-case hex, without the formatting machinery `format!("{:02x}")` would link.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    // A loop rather than `flat_map(..).collect()`, whose adapters cost the wasm more than this.
    let mut hex = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        hex.push(char::from(DIGITS[usize::from(b >> 4)]));
        hex.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    hex
}

/// The widget's SHA-256 for the proof-of-work rule of [`contact_shared::search`].
#[derive(Clone, Default)]
struct Sha(Sha256);

impl ProofHash for Sha {
    type Digest = sha2::digest::Output<Sha256>;

    fn update(&mut self, bytes: &[u8]) {
        Digest::update(&mut self.0, bytes);
    }

    fn finish(self) -> Self::Digest {
        self.0.finalize()
    }
}

/// The counter that solves `token` at `difficulty`, found in slices that yield to the page between them.
async fn solve(token: &str, difficulty: u32) -> u64 {
    let mut from = 0u64;
    loop {
        let slice = from..from + HASHES_PER_SLICE;
        if let Some(counter) = contact_shared::search(Sha::default(), token, difficulty, slice) {
            return counter;
        }
        from += HASHES_PER_SLICE;
        sleep(0).await;
    }
}

/// Resolves after `ms` milliseconds (a `setTimeout`).
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// A whole answer: its status, headers and text.
pub(crate) struct Answer {
    pub status: u16,
    pub headers: Headers,
    pub text: String,
}

impl Answer {
    /// The value of the header `name`, if the answer has it (and CORS exposes it).
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).ok().flatten()
    }
}

/// Sends a request (JSON when there is a body) and reads the whole answer. Headers with empty values
/// are left out.
pub(crate) async fn fetch(
    method: &str,
    url: &str,
    extra: &[(&str, &str)],
    body: Option<&str>,
) -> Result<Answer, JsValue> {
    let headers = Headers::new()?;
    headers.set("Accept", "application/json")?;
    for (name, value) in extra.iter().filter(|(_, v)| !v.is_empty()) {
        headers.set(name, value)?;
    }
    let init = RequestInit::new();
    init.set_method(method);
    init.set_mode(RequestMode::Cors);
    if let Some(body) = body {
        headers.set("Content-Type", "application/json")?;
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    let request = Request::new_with_str_and_init(url, &init)?;
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await?
        .unchecked_into();
    let text = JsFuture::from(response.text()?).await?;
    Ok(Answer {
        status: response.status(),
        headers: response.headers(),
        text: text.as_string().unwrap_or_default(),
    })
}

/// Reads an answer: 2xx carries the created request, 429 how long to wait, other 4xx the error body,
/// anything else is unexpected.
fn classify(
    status: u16,
    retry_after: Option<u64>,
    body: &str,
) -> Result<ContactRequestCreated, SubmitError> {
    match status {
        200..=299 => crate::wire::created(body).ok_or(SubmitError::Unexpected(status)),
        429 => Err(SubmitError::RateLimited(retry_after.unwrap_or(60))),
        400..=499 => match crate::wire::error_body(body) {
            Some(error) if status == 403 => Err(SubmitError::Refused(error)),
            Some(error) => Err(SubmitError::Rejected(error)),
            None => Err(SubmitError::Unexpected(status)),
        },
        _ => Err(SubmitError::Unexpected(status)),
    }
}

#[cfg(test)]
mod tests {
    use contact_shared::Status;

    use super::*;

    #[test]
    fn keys_are_lower_case_hex() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
    }

    #[test]
    fn keys_begin_with_their_time_so_later_keys_sort_after_earlier_ones() {
        let key = key_at(1_795_000_000_000.0, [0xab; 10]);
        assert_eq!(key, "01a1ee565e00abababababababababab");
        assert_eq!(key.len(), 32);
        let later = key_at(1_795_000_000_001.0, [0x00; 10]);
        assert!(later > key, "{later} sorts after {key}");
    }

    #[test]
    fn a_201_carries_the_request_number() {
        let created = classify(
            201,
            None,
            r#"{"id":"a1b2","name":"CR-000001","status":"New"}"#,
        )
        .unwrap();
        assert_eq!(created.name, "CR-000001");
        assert_eq!(created.status, Status::New);
    }

    #[test]
    fn a_422_with_the_error_body_is_a_rejection_with_its_fields() {
        let body = r#"{"message":"One field needs fixing.","fields":{"email":["Enter an email address."]}}"#;
        let Err(SubmitError::Rejected(error)) = classify(422, None, body) else {
            panic!("expected a rejection");
        };
        assert_eq!(error.field("email"), Some("Enter an email address."));
        assert!(!SubmitError::Rejected(error).is_retryable());
    }

    #[test]
    fn answers_outside_the_contract_are_unexpected_and_retryable() {
        let table = [
            (
                500,
                r#"{"message":"Internal error."}"#,
                "a 5xx, even with a body",
            ),
            (502, "<html>Bad gateway</html>", "a proxy's HTML page"),
            (418, "I'm a teapot", "a 4xx without the JSON body"),
            (201, "{}", "a success without the request number"),
        ];
        for (status, body, why) in table {
            let error = classify(status, None, body).unwrap_err();
            assert_eq!(error, SubmitError::Unexpected(status), "{why}");
            assert!(error.is_retryable(), "{why}");
        }
    }

    #[test]
    fn a_429_says_when_to_try_again() {
        let table = [
            (
                Some(7),
                "Too many requests \u{2014} try again in 7 seconds.",
                "Retry-After in seconds",
            ),
            (
                Some(1),
                "Too many requests \u{2014} try again in 1 second.",
                "one second",
            ),
            (
                None,
                "Too many requests \u{2014} try again in 60 seconds.",
                "no Retry-After",
            ),
        ];
        for (retry_after, message, why) in table {
            let error =
                classify(429, retry_after, r#"{"message":"Too many requests."}"#).unwrap_err();
            assert_eq!(error.to_string(), message, "{why}");
            assert!(error.is_retryable(), "{why}");
        }
    }

    #[test]
    fn the_widget_s_hash_finds_counters_whose_sha_256_has_the_leading_zero_bits() {
        let token = "v1.1700000000000.8.abc.def";
        let counter = contact_shared::search(Sha::default(), token, 8, 0..u64::MAX).unwrap();
        let hash = Sha256::digest(contact_shared::proof_value(token, counter).as_bytes());
        assert_eq!(hash[0], 0, "{counter}");
    }

    #[test]
    fn the_network_message_says_what_to_do() {
        assert_eq!(
            SubmitError::Network.to_string(),
            "We couldn't reach the server. Check your connection and try again."
        );
    }
}
