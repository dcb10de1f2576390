//! `callback.due`: a scheduled callback whose time has come is told once, by every process's scheduler
//! in turn. What was told is in the store, so a time that passed while the server was down is told
//! once it is back, and never twice.

use jiff::Timestamp;

use crate::instant::stored;
use crate::store::{Store, StoreError, Tx};

/// The most callbacks told in one round.
const ROUND: u32 = 200;

/// One round at `now`: tells each callback that fell due by then and was not told; answers their ids.
pub fn fire(tx: &Tx<'_>, now: Timestamp) -> Result<Vec<String>, StoreError> {
    tx.fire_due_callbacks(&stored(now), ROUND)
}

/// Starts the scheduler: a round each second something fell due (a read decides, so an idle server
/// writes nothing).
pub fn start(store: Store) {
    super::each_second(
        store,
        "the callback scheduler",
        |db, now| db.callbacks_fallen_due(&stored(now)),
        fire,
    );
}
