//! `callback.due`: a scheduled callback whose time has come is told once, by every process's scheduler
//! in turn. What was told is in the store, so a time that passed while the server was down is told
//! once it is back, and never twice.

use std::time::Duration;

use jiff::Timestamp;

use crate::instant::stored;
use crate::store::{Store, StoreError, Tx};

/// How often the scheduler looks.
const TICK: Duration = Duration::from_secs(1);
/// The most callbacks told in one round.
const ROUND: u32 = 200;

/// One round at `now`: tells each callback that fell due by then and was not told; answers their ids.
pub fn fire(tx: &Tx<'_>, now: Timestamp) -> Result<Vec<String>, StoreError> {
    tx.fire_due_callbacks(&stored(now), ROUND)
}

/// Starts the scheduler: a round each second something fell due (a read decides, so an idle server
/// writes nothing).
pub fn start(store: Store) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let now = Timestamp::now();
            let at = stored(now);
            match store.read(move |db| db.callbacks_fallen_due(&at)).await {
                Ok(false) => continue,
                Ok(true) => {}
                Err(error) => {
                    tracing::warn!(%error, "the callback scheduler cannot look; trying again");
                    continue;
                }
            }
            if let Err(error) = store.write(move |tx| fire(tx, now)).await {
                tracing::warn!(%error, "a callback scheduler round failed; trying again");
            }
        }
    });
}
