//! Push routing: a due callback owned by a queue is offered to one Available member of that queue with
//! spare capacity, the one idle longest; an offer not answered within the queue's timeout, or declined,
//! passes to the next, and whoever let it pass is not offered it again for the queue's cool-down. One
//! write decides each round, so an item is offered to one representative at a time (the store's unique
//! index holds that whoever writes), and accepting it is the claim: only a due, open, queue-owned request.

use contact_shared::console::Presence;
use jiff::Timestamp;

use crate::instant::{plus_seconds, stored};
use crate::store::{Store, StoreError, Tx};

/// A representative whose console has not been connected for this long is Offline, whatever they set.
pub const SEEN_WITHIN_MS: i64 = 60_000;
/// The most requests offered in one round.
const ROUND: u32 = 200;

/// A presence as set (`None`: never), as routing takes it at `now_ms`: Offline once the console has not
/// been seen for [`SEEN_WITHIN_MS`].
pub fn presence_now(set: Option<Presence>, seen_at_ms: i64, now_ms: i64) -> Presence {
    match set {
        Some(state) if seen_at_ms >= now_ms - SEEN_WITHIN_MS => state,
        _ => Presence::Offline,
    }
}

/// What one round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Round {
    /// Offers made.
    pub offered: usize,
    /// Offers ended because their time ran out or their request stopped being routable.
    pub ended: usize,
}

/// One round at `now`: ends stale offers, then offers each due, unoffered request to the member of its
/// queue who should have it, if anyone can. While another process's round runs, this one does nothing:
/// that one does the work.
pub fn route(tx: &Tx<'_>, now: Timestamp) -> Result<Round, StoreError> {
    if !tx.take_routing_turn()? {
        return Ok(Round::default());
    }
    let at = stored(now);
    let now_ms = now.as_millisecond();
    let ended = tx.end_stale_offers(&at, now_ms)?;
    let mut offered = 0;
    for item in tx.unoffered(&at, ROUND)? {
        let cooled_since = stored(plus_seconds(now, -item.cooldown_seconds));
        let Some(user) = tx.next_representative(
            &item.queue_id,
            &item.request_id,
            now_ms - SEEN_WITHIN_MS,
            &cooled_since,
        )?
        else {
            continue;
        };
        let expires_at_ms = now_ms + item.timeout_seconds * 1_000;
        if tx
            .make_offer(&item.request_id, &item.queue_id, &user, &at, expires_at_ms)?
            .is_some()
        {
            offered += 1;
        }
    }
    Ok(Round { offered, ended })
}

/// Starts the router: a round each second there is work for one (a read decides, so an idle server
/// writes nothing).
pub fn start(store: Store) {
    super::each_second(
        store,
        "routing",
        |db, now| {
            let now_ms = now.as_millisecond();
            db.routing_has_work(&stored(now), now_ms, now_ms - SEEN_WITHIN_MS)
        },
        route,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_presence_holds_while_the_console_was_seen_within_a_minute() {
        let now = 1_000_000;
        for (set, seen, expected, why) in [
            (
                Some(Presence::Available),
                now,
                Presence::Available,
                "just seen",
            ),
            (
                Some(Presence::Busy),
                now - SEEN_WITHIN_MS,
                Presence::Busy,
                "a minute ago",
            ),
            (
                Some(Presence::Available),
                now - SEEN_WITHIN_MS - 1,
                Presence::Offline,
                "gone over a minute",
            ),
            (Some(Presence::Offline), now, Presence::Offline, "set"),
            (None, now, Presence::Offline, "never set"),
        ] {
            assert_eq!(presence_now(set, seen, now), expected, "{why}");
        }
    }
}
