//! Email against a real SMTP server on loopback (Python's aiosmtpd, started here): a new request is
//! mailed to the active members of its queue who have an address, with both bodies and the headers; a
//! burst of requests within a person's digest window goes out as one email; and a down SMTP server
//! delays the email until it is back. The mail's clock is turned by the test, so backoff and the window
//! are stepped over, never slept through.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use contact_server::access::directory;
use contact_server::mail::{Mail, Security, Smtp};
use contact_server::store::MailState;
use contact_shared::console::Role;
use serde_json::Value;

use super::until;
use crate::support::{Start, TestApp, submission, valid_form};

pub(super) const PUBLIC_URL: &str = "https://crm.example.com";
/// The queue that owns the widget's requests when a site names none.
const DEFAULT_QUEUE: &str = "Contact Requests";

/// aiosmtpd on 127.0.0.1:`port`, writing what it accepts into a folder of its own.
pub(super) struct SmtpServer {
    child: Child,
    folder: tempfile::TempDir,
}

impl SmtpServer {
    /// The server on `port`; `None` when aiosmtpd is not installed and this run does not require it.
    pub(super) fn start(port: u16) -> Option<Self> {
        let installed = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .output()
            .is_ok_and(|out| out.status.success());
        if !installed {
            assert!(
                std::env::var_os("CRW_REQUIRE_SMTP_SERVER").is_none(),
                "aiosmtpd is not installed for python3, and this run requires it (cargo xtask test installs it)"
            );
            eprintln!("aiosmtpd is not installed for python3; skipping (pip install aiosmtpd)");
            return None;
        }
        let folder = tempfile::tempdir().unwrap();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mail/smtpd.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .arg(folder.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP server did not start");
        Some(Self { child, folder })
    }

    /// Every message accepted so far, in order: envelope, headers and both bodies as Python parsed them.
    pub(super) fn messages(&self) -> Vec<Value> {
        let mut numbered: Vec<(u32, Value)> = std::fs::read_dir(self.folder.path())
            .unwrap()
            .filter_map(|entry| {
                let path = entry.unwrap().path();
                let n = path
                    .file_name()?
                    .to_str()?
                    .strip_suffix(".json")?
                    .parse()
                    .ok()?;
                Some((
                    n,
                    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap(),
                ))
            })
            .collect();
        numbered.sort_by_key(|(n, _)| *n);
        numbered.into_iter().map(|(_, m)| m).collect()
    }

    /// The messages whose envelope is to `address`.
    pub(super) fn to(&self, address: &str) -> Vec<Value> {
        self.messages()
            .into_iter()
            .filter(|m| {
                m["rcpt_tos"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r == address)
            })
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nothing listens on (just freed).
pub(super) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Mail through 127.0.0.1:`port` on a clock read from `now_ms`.
pub(super) fn mail(port: u16, now_ms: Arc<AtomicI64>) -> Mail {
    let smtp = Smtp::parse("127.0.0.1", Some(port), Security::None, None, None).unwrap();
    Mail {
        clock: Arc::new(move || now_ms.load(Ordering::SeqCst)),
        poll: Duration::from_millis(20),
        ..Mail::new(
            smtp,
            "Contact requests <requests@crm.example.com>"
                .parse()
                .unwrap(),
            PUBLIC_URL,
        )
    }
}

/// An app mailing through 127.0.0.1:`port` on a clock read from `now_ms`.
pub(super) async fn app(port: u16, now_ms: Arc<AtomicI64>) -> TestApp {
    TestApp::start(Start {
        mail: Some(mail(port, now_ms)),
        ..Start::new(tempfile::tempdir().unwrap())
    })
    .await
}

/// Adds a user `name` with `email`, a member of the default queue when `member`; answers their id.
pub(super) async fn person(app: &TestApp, name: &str, email: Option<&str>, member: bool) -> String {
    let user = staff(app, name, email, Role::Representative).await;
    if member {
        directory::set_membership(&app.store, DEFAULT_QUEUE.into(), user.clone(), true)
            .await
            .unwrap();
    }
    user
}

/// Adds a user `name` with `email` and `role`; answers their id.
pub(super) async fn staff(app: &TestApp, name: &str, email: Option<&str>, role: Role) -> String {
    directory::add_user(
        &app.store,
        format!("{name}@users.example.com"),
        name.into(),
        email.map(Into::into),
        role,
    )
    .await
    .unwrap()
    .id
}

pub(super) async fn state(app: &TestApp, user: &str) -> Option<MailState> {
    let user = user.to_owned();
    app.store
        .read(move |db| db.mail_state(&user))
        .await
        .unwrap()
}

pub(super) fn real_now() -> Arc<AtomicI64> {
    Arc::new(AtomicI64::new(jiff::Timestamp::now().as_millisecond()))
}

/// Submits a request through the widget; answers its id and number.
pub(super) async fn submit(app: &TestApp, form: &Value) -> (String, String) {
    let response = app.send(submission(form, None)).await;
    assert_eq!(response.status, 201, "{}", response.body);
    let id = response.body["id"].as_str().unwrap().to_owned();
    let number = app
        .store
        .read({
            let id = id.clone();
            move |db| db.outbox_events(&id)
        })
        .await
        .unwrap()
        .iter()
        .find_map(|e| {
            let payload: Value = serde_json::from_str(&e.payload).ok()?;
            Some(payload["data"]["Name"].as_str()?.to_owned())
        })
        .unwrap();
    (id, number)
}

#[tokio::test]
async fn a_new_request_is_emailed_to_each_active_member_of_its_queue_with_both_bodies() {
    let port = free_port();
    let Some(smtp) = SmtpServer::start(port) else {
        return;
    };
    let app = app(port, real_now()).await;
    let ann = person(&app, "Ann Agent", Some("ann@example.com"), true).await;
    let bob = person(&app, "Bob Agent", Some("bob@example.com"), true).await;
    person(&app, "No Address", None, true).await;
    person(&app, "Not A Member", Some("eve@example.com"), false).await;
    let gone = person(&app, "Gone Agent", Some("gone@example.com"), true).await;
    app.store
        .write(move |tx| tx.set_active(&gone, false))
        .await
        .unwrap();

    let mut form = valid_form();
    form["request_description"] = "Call me <b>after</b> 5 & not before".into();
    let (id, number) = submit(&app, &form).await;
    until("both members' emails are accepted", || async {
        state(&app, &ann).await.is_some_and(|s| s.sent == 1)
            && state(&app, &bob).await.is_some_and(|s| s.sent == 1)
    })
    .await;

    let all = smtp.messages();
    assert_eq!(all.len(), 2, "one email per active member with an address");
    for (address, message) in [
        ("ann@example.com", &smtp.to("ann@example.com")),
        ("bob@example.com", &smtp.to("bob@example.com")),
    ] {
        assert_eq!(message.len(), 1, "{address} gets one email");
        let message = &message[0];
        assert_eq!(message["rcpt_tos"], serde_json::json!([address]));
        assert_eq!(message["mail_from"], "requests@crm.example.com");
        let headers = &message["headers"];
        assert_eq!(headers["subject"], format!("New request {number}: Billing"));
        assert!(
            headers["to"].as_str().unwrap().contains(address),
            "{headers}"
        );
        assert_eq!(
            headers["from"],
            "Contact requests <requests@crm.example.com>"
        );
        let message_id = headers["message-id"].as_str().unwrap();
        assert!(
            message_id.starts_with("<requests.") && message_id.ends_with("@crm.example.com>"),
            "{message_id}"
        );
        assert!(
            headers["date"].as_str().is_some_and(|d| !d.is_empty()),
            "{headers}"
        );
        assert_eq!(message["content_type"], "multipart/alternative");
        let link = format!("{PUBLIC_URL}/console/requests/{id}");
        let text = message["text"].as_str().unwrap();
        assert!(text.contains(&format!("{number} - Billing")), "{text}");
        assert!(
            text.contains("Ada Lovelace") && text.contains("+442079460958"),
            "{text}"
        );
        assert!(
            text.contains("Call me <b>after</b> 5 & not before"),
            "{text}"
        );
        assert!(text.contains(&link), "{text}");
        let html = message["html"].as_str().unwrap();
        assert!(
            html.contains("Call me &lt;b&gt;after&lt;/b&gt; 5 &amp; not before"),
            "{html}"
        );
        assert!(!html.contains("<b>after"), "{html}");
        assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
    }
}

#[tokio::test]
async fn a_burst_of_requests_within_the_window_sends_each_member_one_email_listing_them_all() {
    let port = free_port();
    let Some(smtp) = SmtpServer::start(port) else {
        return;
    };
    let now = real_now();
    let app = app(port, Arc::clone(&now)).await;
    let ann = person(&app, "Ann Agent", Some("ann@example.com"), true).await;
    let bob = person(&app, "Bob Agent", Some("bob@example.com"), true).await;
    submit(&app, &valid_form()).await;
    until("the first request is mailed at once", || async {
        smtp.messages().len() == 2
    })
    .await;

    let mut burst = Vec::new();
    for _ in 0..5 {
        burst.push(submit(&app, &valid_form()).await.1);
    }
    until("the burst waits for the window", || async {
        state(&app, &ann).await.is_some_and(|s| s.pending == 5)
            && state(&app, &bob).await.is_some_and(|s| s.pending == 5)
    })
    .await;
    now.fetch_add(
        contact_server::mail::DIGEST_WINDOW.as_millis() as i64 + 1_000,
        Ordering::SeqCst,
    );
    until("the window is over and the burst is mailed", || async {
        smtp.messages().len() == 4
    })
    .await;

    for address in ["ann@example.com", "bob@example.com"] {
        let mine = smtp.to(address);
        assert_eq!(
            mine.len(),
            2,
            "{address}: the first request, then one for the burst"
        );
        let digest = &mine[1];
        assert_eq!(
            digest["headers"]["subject"],
            format!("5 new requests: {}", burst.join(", "))
        );
        let (text, html) = (
            digest["text"].as_str().unwrap(),
            digest["html"].as_str().unwrap(),
        );
        for number in &burst {
            assert!(text.contains(number.as_str()), "{number} in {text}");
            assert!(html.contains(number.as_str()), "{number} in {html}");
        }
    }
    until("every notice is recorded as sent", || async {
        state(&app, &ann).await.is_some_and(|s| s.sent == 6)
            && state(&app, &bob).await.is_some_and(|s| s.sent == 6)
    })
    .await;
    assert_eq!(smtp.messages().len(), 4, "no other email went out");
}

#[tokio::test]
async fn a_down_smtp_server_delays_the_email_until_it_is_back() {
    let port = free_port();
    let now = real_now();
    let app = app(port, Arc::clone(&now)).await;
    let ann = person(&app, "Ann Agent", Some("ann@example.com"), true).await;
    let (_, number) = submit(&app, &valid_form()).await;
    until("a try fails while the server is down", || async {
        state(&app, &ann).await.is_some_and(|s| s.attempts >= 1)
    })
    .await;
    let failed = state(&app, &ann).await.unwrap();
    assert_eq!((failed.pending, failed.sent), (1, 0), "kept, not lost");
    assert_eq!(
        failed.last_error.as_deref(),
        Some("could not reach the SMTP server")
    );

    let Some(smtp) = SmtpServer::start(port) else {
        return;
    };
    // Past the first retry's wait (5 s and its jitter), never slept through.
    now.fetch_add(60_000, Ordering::SeqCst);
    until("the email is sent once the server is back", || async {
        !smtp.messages().is_empty()
    })
    .await;
    until("its success is recorded", || async {
        state(&app, &ann).await.is_some_and(|s| s.sent == 1)
    })
    .await;
    let messages = smtp.to("ann@example.com");
    assert_eq!(messages.len(), 1);
    assert_eq!(
        messages[0]["headers"]["subject"],
        format!("New request {number}: Billing")
    );
    let after = state(&app, &ann).await.unwrap();
    assert_eq!(
        (after.pending, after.attempts, after.last_error),
        (0, 0, None)
    );
}

#[tokio::test]
async fn the_digest_window_is_stored_so_a_restarted_server_keeps_it() {
    // No mail worker runs here: the test takes the steps it would, on a clock of its own.
    let app = TestApp::new().await;
    let ann = person(&app, "Ann Agent", Some("ann@example.com"), true).await;
    app.store.write(|tx| tx.open_mail_cursor()).await.unwrap();
    let (start, window) = (1_000_000_i64, 300_000_i64);
    submit(&app, &valid_form()).await;
    app.store
        .write(move |tx| tx.take_mail_notices(start))
        .await
        .unwrap();
    let due = app
        .store
        .read(move |db| db.due_digests(start, 10))
        .await
        .unwrap();
    assert_eq!(due.len(), 1, "the first request may go at once");
    let last = {
        let ann = ann.clone();
        app.store
            .read(move |db| db.pending_notices(&ann, 50))
            .await
            .unwrap()[0]
            .event_seq
    };
    {
        let ann = ann.clone();
        app.store
            .write(move |tx| tx.mail_sent(&ann, last, start + window))
            .await
            .unwrap();
    }
    submit(&app, &valid_form()).await;
    app.store
        .write(move |tx| tx.take_mail_notices(start + 1))
        .await
        .unwrap();

    // Another store on the same database, as a restarted server's.
    let (database, options) = match &app.postgres {
        Some(fresh) => crate::support::store_on_postgres(&fresh.url),
        None => (
            contact_server::store::Database::Sqlite(app.dir.path().join("test.sqlite3")),
            contact_server::store::PostgresOptions::default(),
        ),
    };
    let reopened = contact_server::store::Store::open(&database, 2, &options)
        .await
        .unwrap();
    let due_at = |at: i64| {
        let reopened = reopened.clone();
        async move {
            reopened
                .read(move |db| db.due_digests(at, 10))
                .await
                .unwrap()
        }
    };
    assert!(
        due_at(start + window - 1).await.is_empty(),
        "still within the window"
    );
    let due = due_at(start + window).await;
    assert_eq!(due.len(), 1, "the window is over");
    assert_eq!(due[0].user_id, ann);
}
