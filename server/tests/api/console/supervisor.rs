//! The supervisor view: who is Available, Busy or Offline, what each holds, what waits per queue; and a
//! take-back to the queue, decided under the request's lock (a take-back racing an accept has one
//! winner). Routing rounds run at instants the test gives, never on the clock.

use contact_shared::console::{API_PREFIX, Role};
use serde_json::{Value, json};

use super::offers::Floor;
use super::support::*;
use crate::support::{TestResponse, call, error_body};

/// A floor with a supervisor signed in.
struct Watched {
    floor: Floor,
    supervisor: String,
    supervisor_id: String,
}

impl Watched {
    async fn new(reps: usize) -> Self {
        let floor = Floor::new(reps).await;
        let supervisor_id = floor
            .console
            .add_user("sue@example.com", Role::Supervisor)
            .await;
        let supervisor =
            session_cookie(&floor.console.sign_in_as("sue@example.com", PASSWORD).await).unwrap();
        Self {
            floor,
            supervisor,
            supervisor_id,
        }
    }

    async fn view_as(&self, cookie: &str) -> TestResponse {
        self.floor
            .console
            .call(call("GET", &format!("{API_PREFIX}/supervisor")).header("cookie", cookie))
            .await
    }

    async fn view(&self) -> Value {
        let response = self.view_as(&self.supervisor).await;
        assert_eq!(response.status, 200, "{}", response.body);
        response.body
    }

    async fn take_back_as(&self, cookie: &str, body: Value) -> TestResponse {
        self.floor
            .console
            .change(
                "POST",
                &format!("{API_PREFIX}/supervisor/take-back"),
                cookie,
                Some(body),
            )
            .await
    }

    async fn take_back(&self, body: Value) -> TestResponse {
        self.take_back_as(&self.supervisor, body).await
    }

    /// The view's entry for the floor's representative `rep`.
    async fn person(&self, rep: usize) -> Value {
        let id = &self.floor.reps[rep].1;
        self.view().await["people"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id.as_str())
            .cloned()
            .unwrap_or_else(|| panic!("rep {rep} is listed"))
    }

    /// The view's entry for the floor's queue.
    async fn queue(&self) -> Value {
        self.view().await["queues"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["id"] == self.floor.queue.as_str())
            .cloned()
            .unwrap()
    }

    /// Everyone who holds `request`, by the view.
    async fn holders_of(&self, request: &str) -> Vec<String> {
        self.view().await["people"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| {
                p["holds"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|h| h["requestId"] == request)
            })
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .collect()
    }
}

#[tokio::test]
async fn the_view_shows_each_presence_what_each_holds_and_what_waits_with_nobody_available() {
    let watched = Watched::new(3).await;
    let floor = &watched.floor;
    floor.set_presence(0, "available").await;
    floor.set_presence(1, "busy").await;
    let first = floor.request().await;
    let second = floor.request().await;
    assert_eq!(floor.round(0).await.offered, 1, "capacity 1");

    let view = watched.view().await;
    let names: Vec<&str> = view["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["username"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["rep0@example.com", "rep1@example.com", "rep2@example.com"],
        "the queue's members, by name; not the admin nor the supervisor, who take no work"
    );
    let rep0 = watched.person(0).await;
    assert_eq!(
        (&rep0["presence"], &rep0["capacity"], &rep0["role"]),
        (&json!("available"), &json!(1), &json!("representative"))
    );
    let holds = rep0["holds"].as_array().unwrap();
    assert_eq!(holds.len(), 1, "{rep0}");
    assert_eq!(holds[0]["requestId"], first.as_str());
    assert_eq!(holds[0]["holding"], "offered");
    assert_eq!(holds[0]["queueName"], "Callbacks");
    assert!(holds[0]["since"].as_str().unwrap().ends_with("+0000"));
    assert!(
        (1..=30).contains(&holds[0]["secondsLeft"].as_u64().unwrap()),
        "{rep0}"
    );
    assert_eq!(watched.person(1).await["presence"], "busy");
    assert_eq!(watched.person(2).await["presence"], "offline", "never set");

    let queue = watched.queue().await;
    assert_eq!(
        (&queue["waiting"], &queue["offered"]),
        (&json!(1), &json!(1))
    );
    assert_eq!(queue["oldest"]["requestId"], second.as_str());
    assert!(queue["oldest"]["waitSeconds"].as_u64().is_some());
    assert_eq!(
        (&queue["takers"], &queue["nobodyAvailable"]),
        (&json!(0), &json!(true)),
        "the only Available one is full: {queue}"
    );

    // Accepting keeps the item held, now as accepted.
    let offer = floor.offers_of(0).await.remove(0);
    assert_eq!(floor.answer(0, &offer, "accept").await.status, 200);
    let holds = watched.person(0).await["holds"].clone();
    assert_eq!(holds[0]["holding"], "accepted", "{holds}");
    assert_eq!(holds[0]["secondsLeft"], Value::Null);

    // The busy one becomes Available: somebody can take what waits.
    floor.set_presence(1, "available").await;
    let queue = watched.queue().await;
    assert_eq!(
        (&queue["takers"], &queue["nobodyAvailable"]),
        (&json!(1), &json!(false))
    );
    // An admin sees it too.
    let admin = floor.console.signed_in().await;
    assert_eq!(watched.view_as(&admin).await.status, 200);
}

#[tokio::test]
async fn a_representative_is_refused_the_view_and_the_take_back_in_the_consoles_error_shape() {
    let watched = Watched::new(1).await;
    let rep = &watched.floor.reps[0].2;
    let view = watched.view_as(rep).await;
    assert_eq!(view.status, 403, "{}", view.body);
    assert_eq!(
        error_body(&view).message,
        "Only supervisors and admins see the supervisor view and take items back."
    );
    let taken = watched.take_back_as(rep, json!({"offerId": 1})).await;
    assert_eq!(taken.status, 403, "{}", taken.body);
    assert!(error_body(&taken).message.starts_with("Only supervisors"));
    let anonymous = watched
        .floor
        .console
        .call(call("GET", &format!("{API_PREFIX}/supervisor")))
        .await;
    assert_eq!(anonymous.status, 401);
}

#[tokio::test]
async fn an_offer_taken_back_is_withdrawn_and_offered_to_another_never_back_to_its_holder() {
    let watched = Watched::new(2).await;
    let floor = &watched.floor;
    floor.set_presence(0, "available").await;
    floor.set_presence(1, "available").await;
    let request = floor.request().await;
    floor.round(0).await;
    let [holder] = floor.holders().await[..] else {
        panic!("one holder")
    };
    let offer = floor.offers_of(holder).await.remove(0);

    let taken = watched
        .take_back(json!({"offerId": offer["id"], "held": "offered"}))
        .await;
    assert_eq!(taken.status, 200, "{}", taken.body);
    assert_eq!(
        taken.body,
        json!({"requestId": request, "name": offer["name"], "queueId": floor.queue,
               "from": floor.reps[holder].1, "held": "offered"})
    );
    assert!(floor.offers_of(holder).await.is_empty(), "withdrawn");
    let late = floor.answer(holder, &offer, "accept").await;
    assert_eq!(late.status, 409, "{}", late.body);
    assert_eq!(
        floor.owner_of(&request).await,
        floor.queue,
        "still the queue's"
    );
    let queue = watched.queue().await;
    assert_eq!(
        (&queue["waiting"], &queue["offered"]),
        (&json!(1), &json!(0))
    );

    assert_eq!(floor.round(0).await.offered, 1, "offered again");
    assert_eq!(
        floor.holders().await,
        [1 - holder],
        "to the other, not back to whom it was taken from"
    );
    let id = request.clone();
    let ended: Vec<Value> = floor
        .console
        .api
        .app
        .store
        .read(move |db| db.outbox_events(&id))
        .await
        .unwrap()
        .iter()
        .filter(|e| e.event_type == "offer.ended")
        .map(|e| serde_json::from_str::<Value>(&e.payload).unwrap()["data"].clone())
        .collect();
    assert_eq!(ended.len(), 1, "{ended:?}");
    assert_eq!(
        (&ended[0]["state"], &ended[0]["OwnerId"]),
        (&json!("withdrawn"), &json!(floor.reps[holder].1))
    );
}

#[tokio::test]
async fn an_accepted_item_taken_back_returns_to_its_queue_with_its_owner_change_written_and_waits()
{
    let watched = Watched::new(1).await;
    let floor = &watched.floor;
    floor.set_presence(0, "available").await;
    let request = floor.request().await;
    floor.round(0).await;
    let offer = floor.offers_of(0).await.remove(0);
    assert_eq!(floor.answer(0, &offer, "accept").await.status, 200);
    let refused = watched
        .take_back(json!({"offerId": offer["id"], "held": "offered"}))
        .await;
    assert_eq!(refused.status, 409, "seen as offered, accepted since");
    assert!(
        error_body(&refused)
            .message
            .contains("was accepted meanwhile"),
        "{}",
        refused.body
    );

    let taken = watched
        .take_back(json!({"offerId": offer["id"], "held": "accepted"}))
        .await;
    assert_eq!(taken.status, 200, "{}", taken.body);
    assert_eq!(taken.body["held"], "accepted");
    assert_eq!(
        floor.owner_of(&request).await,
        floor.queue,
        "back in its queue"
    );
    assert_eq!(
        watched.person(0).await["holds"],
        json!([]),
        "their place is free"
    );

    // The owner change is written as every owner change is: the history and `contact_request.assigned`.
    let history = floor
        .console
        .call(
            call("GET", &format!("{API_PREFIX}/requests/{request}/history"))
                .header("cookie", &watched.supervisor),
        )
        .await;
    let moved = &history.body[0];
    assert_eq!(
        (
            &moved["kind"],
            &moved["fromId"],
            &moved["toId"],
            &moved["byId"]
        ),
        (
            &json!("owner"),
            &json!(floor.reps[0].1),
            &json!(floor.queue),
            &json!(watched.supervisor_id)
        ),
        "{}",
        history.body
    );
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
    let last = assigned.last().unwrap();
    assert_eq!(
        (&last["from"], &last["to"], &last["who"]),
        (
            &json!(floor.reps[0].1),
            &json!(floor.queue),
            &json!(watched.supervisor_id)
        )
    );

    // Its only member had it taken back: they cool down from it, so it waits with nobody available.
    assert_eq!(floor.round(0).await.offered, 0);
    let queue = watched.queue().await;
    assert_eq!(queue["waiting"], 1);
    assert_eq!(queue["oldest"]["requestId"], request.as_str());
    assert_eq!(queue["nobodyAvailable"], true, "{queue}");
    // Once the cool-down (300 s) is over, it is offered to them again.
    floor.seen_in(0, 301).await;
    assert_eq!(floor.round(301).await.offered, 1);
}

#[tokio::test]
async fn a_take_back_of_what_is_no_longer_held_is_refused_and_a_bad_body_names_its_field() {
    let watched = Watched::new(1).await;
    let floor = &watched.floor;
    floor.set_presence(0, "available").await;
    floor.request().await;
    floor.round(0).await;
    let offer = floor.offers_of(0).await.remove(0);
    let wrong = watched
        .take_back(json!({"offerId": offer["id"], "held": "accepted"}))
        .await;
    assert_eq!(wrong.status, 409, "an open offer is not an accepted item");
    assert_eq!(
        watched
            .take_back(json!({"offerId": offer["id"]}))
            .await
            .status,
        200
    );
    let again = watched.take_back(json!({"offerId": offer["id"]})).await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(
        error_body(&again).message.ends_with(
            "is no longer held there: its offer ended or the request moved on meanwhile."
        )
    );
    let missing = watched.take_back(json!({"offerId": 999_999})).await;
    assert_eq!(missing.status, 404);
    assert_eq!(error_body(&missing).message, "There is no offer 999999.");
    for (body, field, why) in [
        (json!({}), "offerId", "missing"),
        (json!({"offerId": "7"}), "offerId", "text"),
        (json!({"offerId": 1.5}), "offerId", "not whole"),
        (
            json!({"offerId": offer["id"], "held": "maybe"}),
            "held",
            "no such holding",
        ),
        (
            json!({"offerId": offer["id"], "held": 1}),
            "held",
            "not text",
        ),
    ] {
        let refused = watched.take_back(body).await;
        assert_eq!(refused.status, 400, "{why}: {}", refused.body);
        assert_eq!(
            error_body(&refused).fields.keys().collect::<Vec<_>>(),
            [field],
            "{why}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_take_back_racing_an_accept_has_one_winner_and_never_two_holders() {
    let watched = Watched::new(1).await;
    let floor = &watched.floor;
    floor.set_presence(0, "available").await;
    let mut winners = [0, 0];
    for _ in 0..12 {
        let request = floor.request().await;
        floor.round(0).await;
        let offer = floor.offers_of(0).await.remove(0);
        assert_eq!(offer["requestId"], request.as_str());
        let (accepted, taken) = tokio::join!(
            floor.answer(0, &offer, "accept"),
            watched.take_back(json!({"offerId": offer["id"], "held": "offered"}))
        );
        let mut statuses = [accepted.status.as_u16(), taken.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "{} / {}", accepted.body, taken.body);
        let holders = watched.holders_of(&request).await;
        if accepted.status == 200 {
            winners[0] += 1;
            assert_eq!(floor.owner_of(&request).await, floor.reps[0].1);
            assert_eq!(holders, [floor.reps[0].1.clone()]);
            // Their place freed for the next round.
            let back = watched
                .take_back(json!({"offerId": offer["id"], "held": "accepted"}))
                .await;
            assert_eq!(back.status, 200, "{}", back.body);
        } else {
            winners[1] += 1;
            assert_eq!(floor.owner_of(&request).await, floor.queue);
            assert!(holders.is_empty(), "{holders:?}");
        }
        assert!(watched.holders_of(&request).await.is_empty());
    }
    // Which wins is the machine's to decide; that there is exactly one each time is the point.
    assert_eq!(winners[0] + winners[1], 12);
}

#[tokio::test]
async fn a_supervisor_hears_presence_changes_and_offers_live_and_a_colleague_does_not() {
    let watched = Watched::new(2).await;
    let floor = &watched.floor;
    let mut theirs = super::live::Feed::open(&floor.console, &watched.supervisor, None).await;
    let mut colleague = super::live::Feed::open(&floor.console, &floor.reps[1].2, None).await;
    floor.set_presence(0, "available").await;
    let changed = theirs.next().await;
    assert_eq!(changed.event.as_deref(), Some("presence.changed"));
    assert_eq!(changed.data["id"], floor.reps[0].1.as_str());
    assert_eq!(changed.data["by"], floor.reps[0].1.as_str());
    let request = floor.request().await;
    assert_eq!(theirs.next().await.data["id"], request.as_str());
    floor.round(0).await;
    let made = theirs.next().await;
    assert_eq!(made.event.as_deref(), Some("offer.made"));
    assert_eq!(made.data["ownerId"], floor.reps[0].1.as_str());
    // Setting the same presence again tells nothing; a change does.
    floor.set_presence(0, "available").await;
    floor.set_presence(0, "busy").await;
    let busy = theirs.next().await;
    assert_eq!(busy.event.as_deref(), Some("presence.changed"));
    // The colleague heard the request, but neither the presence changes nor the offer.
    assert_eq!(colleague.next().await.data["id"], request.as_str());
    let next = floor.request().await;
    assert_eq!(colleague.next().await.data["id"], next.as_str());
}
