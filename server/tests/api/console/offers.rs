//! Push routing: presence, offers of due callbacks to the Available members of their queue, and the
//! answers. Rounds run at instants the test gives (`callbacks::offers::route`), never on the clock.

use contact_server::access::directory;
use contact_server::callbacks::offers::{self, Round};
use contact_shared::console::{API_PREFIX, Role};
use jiff::Timestamp;
use serde_json::{Value, json};

use super::support::*;
use crate::support::{call, error_body};

/// A queue with representatives, each signed in; requests made through the API into the queue.
pub(super) struct Floor {
    pub(super) console: Console,
    pub(super) queue: String,
    /// (username, user id, cookie)
    pub(super) reps: Vec<(String, String, String)>,
}

impl Floor {
    pub(super) async fn new(reps: usize) -> Self {
        let console = Console::new().await;
        let store = &console.api.app.store;
        let queue = directory::add_queue(store, "Callbacks".into(), false)
            .await
            .unwrap()
            .id;
        let mut people = Vec::new();
        for n in 0..reps {
            let username = format!("rep{n}@example.com");
            let id = console.add_user(&username, Role::Representative).await;
            directory::set_membership(store, queue.clone(), username.clone(), true)
                .await
                .unwrap();
            let cookie = session_cookie(&console.sign_in_as(&username, PASSWORD).await).unwrap();
            people.push((username, id, cookie));
        }
        Self {
            console,
            queue,
            reps: people,
        }
    }

    pub(super) async fn request(&self) -> String {
        self.console
            .api
            .create(
                json!({"RequestReason": "Billing", "PreferredPhone": "+442079460123",
                           "IsCallback": true, "OwnerId": self.queue}),
            )
            .await
    }

    pub(super) async fn set_presence(&self, rep: usize, state: &str) -> Value {
        let response = self
            .console
            .change(
                "PUT",
                &format!("{API_PREFIX}/presence"),
                &self.reps[rep].2,
                Some(json!({"state": state})),
            )
            .await;
        assert_eq!(response.status, 200, "{}", response.body);
        response.body
    }

    /// One routing round, `seconds` from now.
    pub(super) async fn round(&self, seconds: i64) -> Round {
        let at = Timestamp::now()
            .checked_add(jiff::SignedDuration::from_secs(seconds))
            .unwrap();
        self.console
            .api
            .app
            .store
            .write(move |tx| offers::route(tx, at))
            .await
            .unwrap()
    }

    pub(super) async fn offers_of(&self, rep: usize) -> Vec<Value> {
        let response = self
            .console
            .call(call("GET", &format!("{API_PREFIX}/offers")).header("cookie", &self.reps[rep].2))
            .await;
        assert_eq!(response.status, 200, "{}", response.body);
        response.body.as_array().unwrap().clone()
    }

    /// Notes `rep`'s console as connected `seconds` from now.
    pub(super) async fn seen_in(&self, rep: usize, seconds: i64) {
        let user = self.reps[rep].1.clone();
        let at = Timestamp::now().as_millisecond() + seconds * 1_000;
        self.console
            .api
            .app
            .store
            .write(move |tx| tx.touch_presence(&user, at))
            .await
            .unwrap();
    }

    /// Who holds an open offer.
    pub(super) async fn holders(&self) -> Vec<usize> {
        let mut holders = Vec::new();
        for rep in 0..self.reps.len() {
            if !self.offers_of(rep).await.is_empty() {
                holders.push(rep);
            }
        }
        holders
    }

    pub(super) async fn answer(
        &self,
        rep: usize,
        offer: &Value,
        how: &str,
    ) -> crate::support::TestResponse {
        let path = format!("{API_PREFIX}/offers/{}/{how}", offer["id"]);
        self.console
            .change("POST", &path, &self.reps[rep].2, None)
            .await
    }

    pub(super) async fn owner_of(&self, request: &str) -> String {
        let record = self
            .console
            .api
            .call(
                "GET",
                &format!("/sobjects/ContactRequest/{request}"),
                Some(&self.console.api.write),
                None,
            )
            .await;
        record.body["OwnerId"].as_str().unwrap().to_owned()
    }
}

#[tokio::test]
async fn presence_starts_offline_and_is_set_and_refused_at_its_field() {
    let floor = Floor::new(1).await;
    let cookie = &floor.reps[0].2;
    let mine = floor
        .console
        .call(call("GET", &format!("{API_PREFIX}/presence")).header("cookie", cookie))
        .await;
    assert_eq!(mine.body, json!({"state": "offline", "capacity": 1}));
    assert_eq!(
        floor.set_presence(0, "available").await,
        json!({"state": "available", "capacity": 1})
    );
    let bad = floor
        .console
        .change(
            "PUT",
            &format!("{API_PREFIX}/presence"),
            cookie,
            Some(json!({"state": "asleep"})),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        error_body(&bad).fields["state"],
        ["state must be available, busy or offline"]
    );
}

#[tokio::test]
async fn a_due_callback_is_offered_to_one_available_member_who_accepts_and_owns_it() {
    let floor = Floor::new(2).await;
    floor.set_presence(0, "available").await;
    floor.set_presence(1, "busy").await;
    let request = floor.request().await;
    assert_eq!(floor.round(0).await.offered, 1);
    assert!(
        floor.offers_of(1).await.is_empty(),
        "nothing for the busy one"
    );
    let offered = floor.offers_of(0).await;
    assert_eq!(offered.len(), 1);
    let offer = &offered[0];
    assert_eq!(offer["requestId"], request.as_str());
    assert_eq!(offer["phone"], "+442079460123");
    assert_eq!(offer["isCallback"], true);
    assert_eq!(offer["queueName"], "Callbacks");
    assert!(
        (1..=30).contains(&offer["secondsLeft"].as_u64().unwrap()),
        "{offer}"
    );
    assert_eq!(floor.round(0).await, Round::default(), "offered once");

    let accepted = floor.answer(0, offer, "accept").await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert_eq!(accepted.body["requestId"], request.as_str());
    assert_eq!(accepted.body["isCallback"], true);
    assert_eq!(floor.owner_of(&request).await, floor.reps[0].1);
    assert!(floor.offers_of(0).await.is_empty());
    let again = floor.answer(0, offer, "accept").await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert_eq!(floor.round(0).await, Round::default(), "it is theirs now");
}

#[tokio::test]
async fn an_accepted_offer_writes_one_assigned_from_the_queue_to_the_representative() {
    let floor = Floor::new(1).await;
    floor.set_presence(0, "available").await;
    let request = floor.request().await;
    assert_eq!(floor.round(0).await.offered, 1);
    let offer = floor.offers_of(0).await.remove(0);
    assert_eq!(floor.answer(0, &offer, "accept").await.status, 200);
    assert_eq!(floor.answer(0, &offer, "accept").await.status, 409);
    let id = request.clone();
    let assigned: Vec<Value> = floor
        .console
        .api
        .app
        .store
        .read(move |db| db.outbox_events(&id))
        .await
        .unwrap()
        .iter()
        .filter(|e| e.event_type == "contact_request.assigned")
        .map(|e| serde_json::from_str::<Value>(&e.payload).unwrap()["data"].clone())
        .collect();
    assert_eq!(assigned.len(), 1, "{assigned:?}");
    let rep = floor.reps[0].1.as_str();
    assert_eq!(
        (
            &assigned[0]["from"],
            &assigned[0]["to"],
            &assigned[0]["who"]
        ),
        (&json!(floor.queue), &json!(rep), &json!(rep))
    );
    assert_eq!(assigned[0]["record"]["Id"], request.as_str());
}

#[tokio::test]
async fn a_declined_or_unanswered_offer_passes_on_and_is_not_offered_again_during_the_cool_down() {
    let floor = Floor::new(3).await;
    for rep in 0..3 {
        floor.set_presence(rep, "available").await;
    }
    floor.request().await;
    floor.round(0).await;
    let [first] = floor.holders().await[..] else {
        panic!("one holder")
    };
    let offer = floor.offers_of(first).await.remove(0);
    let declined = floor.answer(first, &offer, "decline").await;
    assert_eq!(declined.status, 204, "{}", declined.body);
    assert_eq!(floor.round(0).await.offered, 1);
    let [second] = floor.holders().await[..] else {
        panic!("one holder")
    };
    assert_ne!(second, first, "not back to who declined");
    // The second lets it run out (30 s): it goes to the third, never back to the first two.
    let round = floor.round(31).await;
    assert_eq!((round.ended, round.offered), (1, 1));
    let third = 3 - first - second;
    assert_eq!(floor.holders().await, [third]);
    let theirs = floor.offers_of(third).await.remove(0);
    let late = floor.answer(second, &theirs, "accept").await;
    assert_eq!(late.status, 404, "another's offer is not found");
    // Once the cool-down (300 s) is over, the first may be offered it again.
    let declined = floor.answer(third, &theirs, "decline").await;
    assert_eq!(declined.status, 204);
    assert_eq!(
        floor.round(1).await.offered,
        0,
        "all three are cooling down"
    );
    floor.seen_in(0, 400).await;
    assert_eq!(floor.round(400).await.offered, 1);
    assert_eq!(floor.holders().await, [0]);
}

#[tokio::test]
async fn nobody_is_offered_more_than_their_capacity_and_the_idle_longest_goes_first() {
    let floor = Floor::new(2).await;
    floor.set_presence(0, "available").await;
    floor.set_presence(1, "available").await;
    let requests = [
        floor.request().await,
        floor.request().await,
        floor.request().await,
    ];
    assert_eq!(floor.round(0).await.offered, 2, "one each, capacity 1");
    assert_eq!(floor.holders().await, [0, 1]);
    // An admin lets the first hold two.
    let admin = floor.console.signed_in().await;
    let raised = floor
        .console
        .change(
            "PUT",
            &format!("{API_PREFIX}/admin/users/{}/capacity", floor.reps[0].1),
            &admin,
            Some(json!({"capacity": 2})),
        )
        .await;
    assert_eq!(raised.status, 204, "{}", raised.body);
    assert_eq!(floor.round(0).await.offered, 1);
    assert_eq!(floor.offers_of(0).await.len(), 2);
    // Accepting keeps the item held while the request is open.
    let offer = floor.offers_of(1).await.remove(0);
    assert_eq!(floor.answer(1, &offer, "accept").await.status, 200);
    let fourth = floor.request().await;
    assert_eq!(floor.round(0).await.offered, 0, "both are full");
    assert!(!requests.contains(&fourth));
    let refused = floor
        .console
        .change(
            "PUT",
            &format!("{API_PREFIX}/admin/users/{}/capacity", floor.reps[0].1),
            &floor.reps[1].2,
            Some(json!({"capacity": 5})),
        )
        .await;
    assert_eq!(refused.status, 403, "only an admin sets a capacity");
}

#[tokio::test]
async fn an_offline_or_disconnected_representative_or_a_future_callback_is_not_offered() {
    let floor = Floor::new(1).await;
    floor.request().await;
    assert_eq!(floor.round(0).await.offered, 0, "never set: offline");
    floor.set_presence(0, "offline").await;
    assert_eq!(floor.round(0).await.offered, 0);
    floor.set_presence(0, "available").await;
    // Their console has not been seen for over a minute.
    assert_eq!(floor.round(61).await.offered, 0);
    assert_eq!(floor.round(0).await.offered, 1);
}

#[tokio::test]
async fn an_offer_whose_request_is_taken_meanwhile_is_withdrawn() {
    let floor = Floor::new(1).await;
    floor.set_presence(0, "available").await;
    let request = floor.request().await;
    floor.round(0).await;
    let offer = floor.offers_of(0).await.remove(0);
    // Someone claims it through the API first.
    let claimed = floor
        .console
        .api
        .app
        .call(
            call(
                "POST",
                &format!("/services/apexrest/callbacks/{request}/claim"),
            )
            .header(
                "authorization",
                &format!("Bearer {}", floor.console.api.write),
            ),
        )
        .await;
    assert_eq!(claimed.status, 200, "{}", claimed.body);
    let late = floor.answer(0, &offer, "accept").await;
    assert_eq!(late.status, 409);
    assert_eq!(
        error_body(&late).message,
        "This offer has ended: it ran out, or the request was taken or changed meanwhile."
    );
    assert_eq!(floor.owner_of(&request).await, floor.console.api.user_id);
}

#[tokio::test]
async fn signing_out_is_offline() {
    let floor = Floor::new(1).await;
    floor.set_presence(0, "available").await;
    let out = floor
        .console
        .change(
            "DELETE",
            &format!("{API_PREFIX}/session"),
            &floor.reps[0].2,
            None,
        )
        .await;
    assert_eq!(out.status, 204, "{}", out.body);
    floor.request().await;
    assert_eq!(floor.round(0).await.offered, 0);
    let again =
        session_cookie(&floor.console.sign_in_as("rep0@example.com", PASSWORD).await).unwrap();
    let mine = floor
        .console
        .call(call("GET", &format!("{API_PREFIX}/presence")).header("cookie", &again))
        .await;
    assert_eq!(mine.body["state"], "offline");
}

#[tokio::test]
async fn an_offer_is_told_live_to_the_representative_it_is_made_to_and_its_end_too() {
    let floor = Floor::new(2).await;
    floor.set_presence(0, "available").await;
    let mut theirs = super::live::Feed::open(&floor.console, &floor.reps[0].2, None).await;
    let mut others = super::live::Feed::open(&floor.console, &floor.reps[1].2, None).await;
    let request = floor.request().await;
    // The request's own event first, to both members of its queue.
    assert_eq!(theirs.next().await.data["id"], request.as_str());
    assert_eq!(others.next().await.data["id"], request.as_str());
    floor.round(0).await;
    let made = theirs.next().await;
    assert_eq!(made.event.as_deref(), Some("offer.made"));
    assert_eq!(made.data["id"], request.as_str());
    assert_eq!(made.data["ownerId"], floor.reps[0].1.as_str());
    let offer = floor.offers_of(0).await.remove(0);
    assert_eq!(floor.answer(0, &offer, "decline").await.status, 204);
    let ended = theirs.next().await;
    assert_eq!(ended.event.as_deref(), Some("offer.ended"));
    // The other representative heard of neither: their next event is the next request.
    let next = floor.request().await;
    assert_eq!(others.next().await.data["id"], next.as_str());
}

impl Floor {
    /// An admin's `PATCH` of the floor's queue (by `key`: its id or name) with `body`.
    async fn set_queue(&self, key: &str, body: Value) -> crate::support::TestResponse {
        let admin = self.console.signed_in().await;
        self.console
            .change(
                "PATCH",
                &format!("{API_PREFIX}/admin/queues/{key}"),
                &admin,
                Some(body),
            )
            .await
    }
}

#[tokio::test]
async fn an_admin_sets_a_queues_offer_timeout_and_cool_down_and_the_next_round_uses_them() {
    let floor = Floor::new(1).await;
    floor.set_presence(0, "available").await;
    let changed = floor
        .set_queue(
            &floor.queue,
            json!({"offerTimeoutSeconds": 5, "offerCooldownSeconds": 0}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.body["id"], floor.queue.as_str());
    assert_eq!(changed.body["offerTimeoutSeconds"], 5);
    assert_eq!(changed.body["offerCooldownSeconds"], 0);
    assert_eq!(changed.body["members"][0]["id"], floor.reps[0].1.as_str());
    let admin = floor.console.signed_in().await;
    let listed = floor
        .console
        .call(call("GET", &format!("{API_PREFIX}/admin/queues")).header("cookie", &admin))
        .await;
    let queue = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["id"] == floor.queue.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (
            &queue["offerTimeoutSeconds"],
            &queue["offerCooldownSeconds"]
        ),
        (&json!(5), &json!(0))
    );

    floor.request().await;
    assert_eq!(floor.round(0).await.offered, 1);
    let offer = floor.offers_of(0).await.remove(0);
    assert!(
        (1..=5).contains(&offer["secondsLeft"].as_u64().unwrap()),
        "the queue's 5 s: {offer}"
    );
    // 6 s on, the 5 s offer has run out; with no cool-down it comes straight back to the only member.
    let round = floor.round(6).await;
    assert_eq!((round.ended, round.offered), (1, 1));
    let again = floor.offers_of(0).await.remove(0);
    assert_eq!(
        floor.answer(0, &again, "decline").await.status,
        204,
        "declined"
    );
    // (At the round's instant after the expiry: a cool-down counts from when the offer ended.)
    assert_eq!(
        floor.round(7).await.offered,
        1,
        "no cool-down: offered again"
    );

    // Only the cool-down changes; the timeout stays.
    let cooled = floor
        .set_queue("Callbacks", json!({"offerCooldownSeconds": 600}))
        .await;
    assert_eq!(cooled.status, 200, "{}", cooled.body);
    assert_eq!(cooled.body["offerTimeoutSeconds"], 5, "left as it was");
    let third = floor.offers_of(0).await.remove(0);
    assert_eq!(floor.answer(0, &third, "decline").await.status, 204);
    assert_eq!(floor.round(7).await.offered, 0, "cooling down for 600 s");
}

#[tokio::test]
async fn queue_settings_out_of_bounds_are_refused_at_their_field_and_only_for_an_admin() {
    let floor = Floor::new(1).await;
    let table = [
        (
            json!({"offerTimeoutSeconds": 4}),
            "offerTimeoutSeconds",
            "too short",
        ),
        (
            json!({"offerTimeoutSeconds": 601}),
            "offerTimeoutSeconds",
            "too long",
        ),
        (
            json!({"offerTimeoutSeconds": 12.5}),
            "offerTimeoutSeconds",
            "not whole",
        ),
        (
            json!({"offerTimeoutSeconds": "30"}),
            "offerTimeoutSeconds",
            "text",
        ),
        (
            json!({"offerCooldownSeconds": -1}),
            "offerCooldownSeconds",
            "negative",
        ),
        (
            json!({"offerCooldownSeconds": 86_401}),
            "offerCooldownSeconds",
            "over a day",
        ),
    ];
    for (body, field, why) in table {
        let refused = floor.set_queue(&floor.queue, body).await;
        assert_eq!(refused.status, 400, "{why}: {}", refused.body);
        let fields = error_body(&refused).fields;
        assert_eq!(fields.keys().collect::<Vec<_>>(), [field], "{why}");
        assert!(
            fields[field][0].contains("whole number of seconds"),
            "{why}"
        );
    }
    let unchanged = floor.set_queue(&floor.queue, json!({})).await;
    assert_eq!(
        (
            &unchanged.body["offerTimeoutSeconds"],
            &unchanged.body["offerCooldownSeconds"]
        ),
        (&json!(30), &json!(300)),
        "nothing refused was written"
    );
    let missing = floor
        .set_queue("no-such-queue", json!({"offerTimeoutSeconds": 10}))
        .await;
    assert_eq!(missing.status, 404);
    let by_rep = floor
        .console
        .change(
            "PATCH",
            &format!("{API_PREFIX}/admin/queues/{}", floor.queue),
            &floor.reps[0].2,
            Some(json!({"offerTimeoutSeconds": 10})),
        )
        .await;
    assert_eq!(by_rep.status, 403, "only an admin sets them");
}

#[tokio::test]
async fn an_accepted_offer_not_reached_goes_back_to_the_queue_and_is_offered_again_after_the_delay()
{
    let floor = Floor::new(2).await;
    floor.set_presence(0, "available").await;
    let request = floor.request().await;
    floor.round(0).await;
    let offer = floor.offers_of(0).await.remove(0);
    assert_eq!(floor.answer(0, &offer, "accept").await.status, 200);
    floor.set_presence(1, "available").await;
    let logged = floor
        .console
        .api
        .call(
            "POST",
            "/sobjects/Task",
            Some(&floor.console.api.write),
            Some(
                json!({"WhatId": request, "CallType": "Outbound", "CallResult__c": "Not Reached",
                        "Subject": "Callback"}),
            ),
        )
        .await;
    assert_eq!(logged.status, 201, "{}", logged.body);
    assert_eq!(
        floor.owner_of(&request).await,
        floor.queue,
        "back in the queue"
    );
    assert_eq!(
        floor.round(0).await.offered,
        0,
        "not before the retry delay"
    );
    // No call center: the default 15 minutes. Both are still connected then.
    floor.seen_in(0, 901).await;
    floor.seen_in(1, 901).await;
    assert_eq!(floor.round(901).await.offered, 1, "offered again once due");
    let [holder] = floor.holders().await[..] else {
        panic!("one holder")
    };
    let again = floor.offers_of(holder).await.remove(0);
    assert_eq!(again["requestId"], request.as_str());
}
