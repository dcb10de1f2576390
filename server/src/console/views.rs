//! A person's saved views: `GET /console/api/views` (their own, by name), `POST /console/api/views` with
//! a `NewSavedView` (201 with the view; a name they already use is a 409 at `name`) and
//! `DELETE /console/api/views/{id}` (204; another person's view is not found). Each person sees and
//! changes only their own.

use axum::extract::State;
use axum::http::StatusCode;
use contact_shared::console::{SavedView, ViewPath};

use super::{ConsoleError, Signed, required, text};
use crate::error::{AppError, Json, Path};
use crate::instant::now;
use crate::store::Store;

/// The longest name, in characters after trimming.
pub const MAX_NAME: usize = 80;
/// The longest query, in bytes (a URL query is ASCII).
pub const MAX_QUERY: usize = 2_000;
/// The most views one person keeps.
pub const MAX_VIEWS: usize = 100;

/// The view's URL query: printable ASCII as a URL query is written (its leading `?` dropped), no fragment.
fn query(body: &serde_json::Map<String, serde_json::Value>) -> Result<String, AppError> {
    let raw = text(body, "query")?.unwrap_or_default();
    let query = raw.strip_prefix('?').unwrap_or(&raw);
    let written = query.bytes().all(|b| b.is_ascii_graphic() && b != b'#');
    if !written || query.len() > MAX_QUERY {
        return Err(ConsoleError::Field(
            "query",
            format!(
                "query must be a view's URL query (at most {MAX_QUERY} characters, percent-encoded, no #)"
            ),
        )
        .into());
    }
    Ok(query.to_owned())
}

/// `GET /console/api/views`.
pub async fn list(
    State(store): State<Store>,
    Signed(caller): Signed,
) -> Result<axum::Json<Vec<SavedView>>, AppError> {
    let views = store
        .read(move |db| db.saved_views(caller.user_id.as_str()))
        .await?;
    Ok(axum::Json(views))
}

/// `POST /console/api/views`.
pub async fn save(
    State(store): State<Store>,
    Signed(caller): Signed,
    Json(body): Json<serde_json::Map<String, serde_json::Value>>,
) -> Result<(StatusCode, axum::Json<SavedView>), AppError> {
    let name = required(&body, "name", MAX_NAME)?;
    let path = text(&body, "path")?
        .and_then(|path| ViewPath::parse(&path))
        .ok_or_else(|| {
            ConsoleError::Field(
                "path",
                "path must be a list page of the console: /console/, /console/all or \
                 /console/queues/{queue id}"
                    .into(),
            )
        })?;
    let query = query(&body)?;
    let view = store
        .write(move |tx| {
            let user = caller.user_id.as_str();
            if tx.saved_view_count(user)? >= MAX_VIEWS {
                return Err(AppError::from(ConsoleError::Field(
                    "name",
                    format!("You have {MAX_VIEWS} saved views already: delete one first."),
                )));
            }
            tx.insert_saved_view(user, &name, path.as_str(), &query, &now())?
                .ok_or_else(|| {
                    ConsoleError::Taken("name", format!("You already have a view named {name:?}."))
                        .into()
                })
        })
        .await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// `DELETE /console/api/views/{id}`.
pub async fn delete(
    State(store): State<Store>,
    Signed(caller): Signed,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let id: i64 = id.parse().map_err(|_| ConsoleError::NotFound)?;
    let deleted = store
        .write(move |tx| tx.delete_saved_view(caller.user_id.as_str(), id))
        .await?;
    if deleted {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ConsoleError::NotFound.into())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_query_is_kept_as_written_without_its_question_mark() {
        let table = [
            (
                json!("status=open&sort=newest"),
                Some("status=open&sort=newest"),
                "plain",
            ),
            (
                json!("?q=%C3%A9t%C3%A9"),
                Some("q=%C3%A9t%C3%A9"),
                "leading ? dropped, encoded",
            ),
            (json!(""), Some(""), "the default view"),
            (json!(null), Some(""), "absent"),
            (json!("q=two words"), None, "a space"),
            (json!("q=été"), None, "not encoded"),
            (json!("status=open#top"), None, "a fragment"),
            (json!(7), None, "not text"),
            (
                json!("q=".to_owned() + &"a".repeat(MAX_QUERY)),
                None,
                "too long",
            ),
        ];
        for (value, kept, what) in table {
            let body = json!({ "query": value });
            let answer = query(body.as_object().unwrap());
            assert_eq!(answer.ok().as_deref(), kept, "{what}");
        }
    }
}
