//! Forwarding each site's events to Adobe Experience Platform's HTTP API streaming ingestion, for the
//! sites whose `[site.experience_platform]` says where.
//!
//! One worker per such site, in every server process: it claims the events after the site's cursor
//! (a lease keeps every other process off them), converts each to the platform's form
//! ([`super::platform`]), posts them as one batch (`{"messages": [...]}`, each message in the envelope
//! the platform documents) with the site's bearer token, and records the outcome in the transaction
//! that moves the cursor. Events go in order and at least once: a timeout, a refused connection, a
//! 5xx, 429, 408, 401, 403 or 404 leaves them to be sent again after the webhooks' retry schedule; a
//! message the platform answers with a 4xx of its own (in the batch's `responses`) is settled as failed
//! for good, as is every message of a batch refused whole with another 4xx, or still failing once the
//! schedule is spent. The token is never logged.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::platform;
use crate::sites::Site;
use crate::sites::experience_platform::ExperiencePlatform;
use crate::store::{BatchOutcome, ClaimedBatch, FailedMessage, Store, StoreError};
use crate::webhooks::address::refusal;
use crate::webhooks::deliver::{client, describe, first_bytes};
use crate::webhooks::{Clock, SCHEDULE, retry_at, system_clock};

/// The content type of a message's schema reference, as the platform documents it.
const XED_FULL: &str = "application/vnd.adobe.xed-full+json;version=1";
/// Events per batch: far under the platform's 1 MB a request (an event is a few hundred bytes).
const BATCH: u32 = 100;
/// How long a claimed batch is kept from other processes: past the post's deadline (the webhooks'
/// client's ten seconds), so that only a process gone meanwhile leaves it to another.
const LEASE_MS: i64 = 15_000;
/// The most of the platform's answer read: its `responses` for a full batch.
const ANSWER_BYTES: usize = 256 * 1024;
/// The most of an error kept with the cursor or a failed message.
const ERROR_CHARS: usize = 500;

/// How events are forwarded: to which addresses, after which waits, on which clock.
#[derive(Clone)]
pub struct Forwarding {
    /// Post to `http://` and to loopback, private and link-local addresses too (tests, a private
    /// network the operator trusts).
    pub allow_private: bool,
    pub schedule: Vec<Duration>,
    pub clock: Clock,
    /// How often a worker looks for new events when it has nothing to do.
    pub poll: Duration,
}

impl Forwarding {
    /// On the machine's clock and the webhooks' retry schedule.
    pub fn new(allow_private: bool) -> Self {
        Self {
            allow_private,
            schedule: SCHEDULE.to_vec(),
            clock: system_clock(),
            poll: Duration::from_secs(1),
        }
    }
}

/// Opens the cursor of every site that forwards and starts its worker; each runs until the runtime
/// stops. An event committed once this returns is forwarded.
pub async fn start(
    store: &Store,
    sites: &[Site],
    forwarding: Forwarding,
) -> Result<(), StoreError> {
    let targets: Vec<(String, ExperiencePlatform)> = sites
        .iter()
        .filter_map(|s| Some((s.key.clone(), s.experience_platform.clone()?)))
        .collect();
    if targets.is_empty() {
        return Ok(());
    }
    let keys: Vec<String> = targets.iter().map(|(key, _)| key.clone()).collect();
    store
        .write(move |tx| tx.open_platform_cursors(&keys))
        .await?;
    let client = client(forwarding.allow_private).map_err(|e| StoreError::Reader(e.to_string()))?;
    let forwarding = Arc::new(forwarding);
    for (site, target) in targets {
        tokio::spawn(run(
            store.clone(),
            client.clone(),
            Arc::clone(&forwarding),
            site,
            target,
        ));
    }
    Ok(())
}

async fn run(
    store: Store,
    client: reqwest::Client,
    forwarding: Arc<Forwarding>,
    site: String,
    target: ExperiencePlatform,
) {
    loop {
        let worked = match round(&store, &client, &forwarding, &site, &target).await {
            Ok(worked) => worked,
            Err(error) => {
                tracing::warn!(%site, %error, "forwarding events to Experience Platform stalled; retrying");
                false
            }
        };
        if !worked {
            tokio::time::sleep(forwarding.poll).await;
        }
    }
}

/// One look: a batch claimed, sent and its outcome recorded. Answers whether it sent one.
async fn round(
    store: &Store,
    client: &reqwest::Client,
    forwarding: &Forwarding,
    site: &str,
    target: &ExperiencePlatform,
) -> Result<bool, StoreError> {
    let now = (forwarding.clock)();
    let key = site.to_owned();
    let Some(batch) = store
        .write(move |tx| tx.claim_platform_batch(&key, now, BATCH, LEASE_MS))
        .await?
    else {
        return Ok(false);
    };
    let (messages, unconvertible) = envelope(target, &batch);
    let answer = match messages.is_empty() {
        true => Answer::Status(200, String::new()),
        false => send(client, forwarding, target, &messages).await,
    };
    let outcome = outcome(
        &batch,
        &unconvertible,
        &answer,
        &forwarding.schedule,
        (forwarding.clock)(),
    );
    if let Some(error) = &outcome.error {
        tracing::info!(%site, status = outcome.status, %error, next_at_ms = outcome.next_at_ms,
            "Experience Platform did not take every event of a batch");
    }
    let (key, after) = (site.to_owned(), batch.after_seq);
    let settled = store
        .write(move |tx| tx.settle_platform_batch(&key, after, &outcome))
        .await?;
    if !settled {
        tracing::warn!(%site, "a batch for Experience Platform was taken over by another process after its lease ran out");
    }
    Ok(true)
}

/// The batch's messages in the platform's envelope, in order, and the events that have no platform form
/// (by index), which are settled as failed rather than sent.
fn envelope(
    target: &ExperiencePlatform,
    batch: &ClaimedBatch,
) -> (Vec<Value>, Vec<(usize, String)>) {
    let mut messages = Vec::with_capacity(batch.events.len());
    let mut unconvertible = Vec::new();
    for (index, event) in batch.events.iter().enumerate() {
        let converted = serde_json::from_str::<Value>(&event.body)
            .map_err(|e| e.to_string())
            .and_then(|json_ld| platform::to_platform(&json_ld).map_err(|e| e.to_string()));
        match converted {
            Ok(entity) => messages.push(message(target, entity)),
            Err(error) => unconvertible.push((index, format!("not converted: {error}"))),
        }
    }
    (messages, unconvertible)
}

/// One message: `header` (the schema, the organisation, the dataset, the source) and `body` (the
/// schema again, and the event itself in the platform's form).
fn message(target: &ExperiencePlatform, entity: Value) -> Value {
    let schema_ref = json!({ "id": target.schema_id, "contentType": XED_FULL });
    json!({
        "header": {
            "schemaRef": schema_ref,
            "imsOrgId": target.ims_org,
            "datasetId": target.dataset_id,
            "source": { "name": target.source_name },
        },
        "body": {
            "xdmMeta": { "schemaRef": schema_ref },
            "xdmEntity": entity,
        },
    })
}

/// What the platform answered a batch with: a status and the first of its body, or why nothing came.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    Status(u16, String),
    Unanswered(String),
}

async fn send(
    client: &reqwest::Client,
    forwarding: &Forwarding,
    target: &ExperiencePlatform,
    messages: &[Value],
) -> Answer {
    if let Some(refused) = refusal(&target.inlet_url, forwarding.allow_private) {
        return Answer::Unanswered(refused.to_owned());
    }
    let sent = client
        .post(target.inlet_url.clone())
        .bearer_auth(target.token.expose())
        .json(&json!({ "messages": messages }))
        .send()
        .await;
    match sent {
        Ok(mut answer) => {
            let status = answer.status().as_u16();
            Answer::Status(status, first_bytes(&mut answer, ANSWER_BYTES).await)
        }
        Err(error) => Answer::Unanswered(describe(&error)),
    }
}

/// Whether a batch refused whole with `status` may succeed when sent again: the platform busy or
/// failing, or a token or inlet the operator can put right.
fn retryable(status: u16) -> bool {
    status >= 500 || matches!(status, 401 | 403 | 404 | 408 | 429)
}

/// What became of each event of `batch`: in order, each settled (accepted, or failed for good) until
/// the first that is to be sent again, which the cursor stops before.
fn outcome(
    batch: &ClaimedBatch,
    unconvertible: &[(usize, String)],
    answer: &Answer,
    schedule: &[Duration],
    now_ms: i64,
) -> BatchOutcome {
    let short = |text: &str| text.chars().take(ERROR_CHARS).collect::<String>();
    // Each event's verdict: None accepted, Some((status, error, retry)) otherwise.
    let mut sent = 0;
    let verdicts: Vec<Option<(Option<u16>, String, bool)>> = (0..batch.events.len())
        .map(|index| {
            if let Some((_, error)) = unconvertible.iter().find(|(i, _)| *i == index) {
                return Some((None, error.clone(), false));
            }
            let place = sent;
            sent += 1;
            match answer {
                Answer::Unanswered(error) => Some((None, short(error), true)),
                Answer::Status(status, body) if (200..300).contains(status) => {
                    per_message(body, place)
                        .map(|(code, error)| (Some(code), short(&error), retryable(code)))
                }
                Answer::Status(status, body) => Some((
                    Some(*status),
                    short(&format!("answered {status}: {body}")),
                    retryable(*status),
                )),
            }
        })
        .collect();
    let first_retry = verdicts
        .iter()
        .position(|v| v.as_ref().is_some_and(|(_, _, retry)| *retry));
    let settled = first_retry.unwrap_or(batch.events.len());
    let moved = settled > 0;
    let attempts_before = if moved { 0 } else { batch.attempts };
    let mut outcome = BatchOutcome {
        through_seq: match settled {
            0 => batch.after_seq,
            n => batch.events[n - 1].seq,
        },
        accepted: 0,
        failed: Vec::new(),
        attempts: 0,
        next_at_ms: now_ms,
        at_ms: now_ms,
        status: match answer {
            Answer::Status(status, _) => Some(*status),
            Answer::Unanswered(_) => None,
        },
        error: None,
    };
    let settle = |outcome: &mut BatchOutcome, upto: usize| {
        for (event, verdict) in batch.events.iter().zip(&verdicts).take(upto) {
            match verdict {
                None => outcome.accepted += 1,
                Some((status, error, _)) => outcome.failed.push(FailedMessage {
                    seq: event.seq,
                    event_id: event.id.clone(),
                    status: *status,
                    error: error.clone(),
                }),
            }
        }
    };
    settle(&mut outcome, settled);
    if let Some(index) = first_retry {
        let (_, error, _) = verdicts[index].clone().unwrap_or_default();
        outcome.error = Some(error.clone());
        match retry_at(schedule, attempts_before, now_ms) {
            Some(at) => {
                outcome.attempts = attempts_before + 1;
                outcome.next_at_ms = at;
            }
            None => {
                // The schedule is spent: the rest of the batch fails for good, and the cursor moves on.
                let spent = format!("retries spent; last: {error}");
                for (event, verdict) in batch.events.iter().zip(&verdicts).skip(index) {
                    match verdict {
                        None => outcome.accepted += 1,
                        Some((status, _, _)) => outcome.failed.push(FailedMessage {
                            seq: event.seq,
                            event_id: event.id.clone(),
                            status: *status,
                            error: short(&spent),
                        }),
                    }
                }
                outcome.through_seq = batch.events.last().map_or(batch.after_seq, |e| e.seq);
            }
        }
    } else if let Some(failed) = outcome.failed.first() {
        outcome.error = Some(failed.error.clone());
    }
    outcome
}

/// The `place`th message's own answer in a 2xx's `responses`: `None` when it was taken (an
/// `xactionId`, or no answer of its own), else its `statusCode` and `message`.
fn per_message(body: &str, place: usize) -> Option<(u16, String)> {
    let answers: Value = serde_json::from_str(body).ok()?;
    let own = answers.get("responses")?.get(place)?;
    let code = own.get("statusCode")?.as_u64()?;
    let code = u16::try_from(code).unwrap_or(u16::MAX);
    if code < 300 {
        return None;
    }
    let message = own
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("refused");
    Some((code, format!("{code}: {message}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ForwardEvent;

    const NOW: i64 = 1_800_000_000_000;

    fn batch(attempts: u32) -> ClaimedBatch {
        ClaimedBatch {
            after_seq: 10,
            attempts,
            events: (11..=13)
                .map(|seq| ForwardEvent {
                    seq,
                    id: format!("e{seq}"),
                    body: String::new(),
                })
                .collect(),
        }
    }

    fn schedule() -> Vec<Duration> {
        vec![Duration::from_secs(5), Duration::from_secs(60)]
    }

    fn answer(status: u16, body: Value) -> Answer {
        Answer::Status(status, body.to_string())
    }

    #[test]
    fn a_batch_the_platform_takes_moves_the_cursor_past_it() {
        let taken = json!({ "responses": [{ "xactionId": "a" }, { "xactionId": "b" }, { "xactionId": "c" }] });
        for answer in [answer(207, taken), Answer::Status(200, String::new())] {
            let outcome = outcome(&batch(2), &[], &answer, &schedule(), NOW);
            assert_eq!(outcome.through_seq, 13, "{answer:?}");
            assert_eq!((outcome.accepted, outcome.attempts), (3, 0));
            assert!(outcome.failed.is_empty() && outcome.error.is_none());
            assert_eq!(outcome.next_at_ms, NOW);
        }
    }

    #[test]
    fn a_message_refused_with_a_4xx_of_its_own_fails_for_good_and_the_rest_go_on() {
        let body = json!({ "responses": [
            { "xactionId": "a" },
            { "statusCode": 400, "message": "Message has unknown xdm format" },
            { "xactionId": "c" },
        ] });
        let outcome = outcome(&batch(0), &[], &answer(207, body), &schedule(), NOW);
        assert_eq!((outcome.through_seq, outcome.accepted), (13, 2));
        assert_eq!(outcome.failed.len(), 1);
        assert_eq!(outcome.failed[0].seq, 12);
        assert_eq!(outcome.failed[0].status, Some(400));
        assert!(outcome.failed[0].error.contains("unknown xdm format"));
    }

    #[test]
    fn a_message_answered_with_a_5xx_of_its_own_is_sent_again_from_there() {
        let body = json!({ "responses": [{ "xactionId": "a" }, { "statusCode": 503, "message": "busy" }, {}] });
        let outcome = outcome(&batch(4), &[], &answer(207, body), &schedule(), NOW);
        assert_eq!((outcome.through_seq, outcome.accepted), (11, 1));
        assert_eq!(
            outcome.attempts, 1,
            "the schedule starts over for the new first event"
        );
        assert!((NOW + 5_000..NOW + 6_001).contains(&outcome.next_at_ms));
    }

    #[test]
    fn a_failing_or_unanswered_batch_waits_by_the_schedule_and_keeps_its_cursor() {
        let table = [
            (Answer::Status(500, "oops".into()), Some(500)),
            (Answer::Status(429, String::new()), Some(429)),
            (Answer::Status(401, String::new()), Some(401)),
            (Answer::Unanswered("timed out".into()), None),
        ];
        for (answer, status) in table {
            let outcome = outcome(&batch(1), &[], &answer, &schedule(), NOW);
            assert_eq!(outcome.through_seq, 10, "{answer:?}");
            assert_eq!((outcome.accepted, outcome.attempts), (0, 2));
            assert_eq!(outcome.status, status);
            assert!((NOW + 60_000..NOW + 72_001).contains(&outcome.next_at_ms));
            assert!(outcome.failed.is_empty());
        }
    }

    #[test]
    fn a_batch_refused_whole_with_another_4xx_or_past_its_schedule_fails_for_good() {
        let refused = outcome(
            &batch(0),
            &[],
            &Answer::Status(400, "bad".into()),
            &schedule(),
            NOW,
        );
        let spent = outcome(
            &batch(2),
            &[],
            &Answer::Status(503, "down".into()),
            &schedule(),
            NOW,
        );
        for outcome in [refused, spent] {
            assert_eq!(outcome.through_seq, 13);
            assert_eq!(
                outcome.failed.iter().map(|f| f.seq).collect::<Vec<_>>(),
                [11, 12, 13]
            );
            assert_eq!((outcome.attempts, outcome.next_at_ms), (0, NOW));
        }
    }

    #[test]
    fn an_event_without_a_platform_form_fails_alone() {
        let taken = json!({ "responses": [{ "xactionId": "a" }, { "xactionId": "c" }] });
        let unconvertible = [(1, "not converted: /x: no".to_owned())];
        let outcome = outcome(
            &batch(0),
            &unconvertible,
            &answer(207, taken),
            &schedule(),
            NOW,
        );
        assert_eq!((outcome.through_seq, outcome.accepted), (13, 2));
        assert_eq!(outcome.failed[0].seq, 12);
        assert_eq!(outcome.failed[0].status, None);
    }
}
