//! The supervisor view's routes (supervisors and admins): the floor, and a take-back to the queue. Their
//! refusals are the console's `{"message","fields"}`, read into [`ApiError`].

use contact_shared::console::API_PREFIX;
use contact_shared::console::supervisor::{Floor, PATH, TAKE_BACK_PATH, TakeBack, TakenBack};
use gloo_net::http::Request;

use super::{ApiError, get, json, same_origin, send};

/// Who is on the floor, what each holds and what waits in each queue.
pub async fn floor() -> Result<Floor, ApiError> {
    get(&format!("{API_PREFIX}{PATH}")).await
}

/// Takes an item back to its queue, as it was seen held.
pub async fn take_back(item: &TakeBack) -> Result<TakenBack, ApiError> {
    let request = same_origin(Request::post(&format!("{API_PREFIX}{TAKE_BACK_PATH}"))).json(item);
    json(send(request).await?).await
}
