//! Administration under `/console/api/admin` (admins only): users and their roles, queues with their
//! members, offer settings and service-level targets, API tokens, as the CLI manages them; and `/console/api/directory`
//! (supervisors and admins), whom a request can be reassigned to.

use axum::extract::State;
use axum::http::StatusCode;
use contact_shared::console::{
    OFFER_COOLDOWN, OFFER_TIMEOUT, QueueRef, Role, SERVICE_TARGET, SecondsSetting,
};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::{ConsoleError, Signed, required, text};
use crate::access::directory::{self, DirectoryError, Membership, Queue, User};
use crate::access::{Scope, tokens};
use crate::error::{AppError, Json, Path};
use crate::store::Store;

type Body = Json<Map<String, Value>>;

/// A user as the console lists them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    id: String,
    username: String,
    name: String,
    email: Option<String>,
    role: Role,
    is_active: bool,
}

impl From<User> for Person {
    fn from(user: User) -> Self {
        Self {
            id: user.id,
            username: user.username,
            name: user.name,
            email: user.email,
            role: user.role,
            is_active: user.is_active,
        }
    }
}

/// The answer to a directory refusal; a name already taken is the body field `taken`'s to fix.
fn directory_error(error: DirectoryError, taken: &'static str) -> AppError {
    match error {
        DirectoryError::Taken(what) => {
            ConsoleError::Taken(taken, format!("{what} is already taken")).into()
        }
        DirectoryError::NoSuchUser(_) | DirectoryError::NoSuchQueue(_) => {
            ConsoleError::NotFound.into()
        }
        DirectoryError::Store(error) => error.into(),
    }
}

fn role_of(body: &Map<String, Value>) -> Result<Option<Role>, AppError> {
    match text(body, "role")? {
        None => Ok(None),
        Some(name) => Role::parse(&name).map(Some).ok_or_else(|| {
            ConsoleError::Field(
                "role",
                format!("role must be representative, supervisor or admin, not {name:?}"),
            )
            .into()
        }),
    }
}

/// `GET /console/api/directory`: every user (`isActive` says who a request can still be given to) and
/// every queue, for any signed-in user: a request's page names the people in its history by it, and
/// its owner list (reassign, transfer) is made from it. A representative gets each user's id, name and
/// `isActive` (what SOQL on User answers them anyway); supervisors and admins also the username and role.
pub async fn directory(
    State(store): State<Store>,
    Signed(caller): Signed,
) -> Result<axum::Json<Value>, AppError> {
    let full = caller.role.sees_everything();
    let users: Vec<Value> = directory::users(&store)
        .await?
        .into_iter()
        .map(|u| {
            let mut user = json!({ "id": u.id, "name": u.name, "isActive": u.is_active });
            if full {
                user["username"] = u.username.into();
                user["role"] = json!(u.role);
            }
            user
        })
        .collect();
    let queues: Vec<QueueRef> = directory::queues(&store)
        .await?
        .into_iter()
        .map(|q| QueueRef {
            id: q.id,
            name: q.name,
        })
        .collect();
    Ok(axum::Json(json!({ "users": users, "queues": queues })))
}

/// `GET /console/api/admin/users`.
pub async fn users(
    State(store): State<Store>,
    signed: Signed,
) -> Result<axum::Json<Vec<Person>>, AppError> {
    signed.admin()?;
    let users = directory::users(&store).await?;
    Ok(axum::Json(users.into_iter().map(Person::from).collect()))
}

/// `POST /console/api/admin/users` with `{username, name, email?, role}`: 201 with the user.
pub async fn add_user(
    State(store): State<Store>,
    signed: Signed,
    Json(body): Body,
) -> Result<(StatusCode, axum::Json<Person>), AppError> {
    signed.admin()?;
    let username = required(&body, "username", 80)?;
    let name = required(&body, "name", 121)?;
    let email = text(&body, "email")?
        .map(|e| e.trim().to_owned())
        .filter(|e| !e.is_empty());
    if let Some(email) = &email
        && (email.chars().count() > 128 || !email.contains('@'))
    {
        return Err(ConsoleError::Field(
            "email",
            "email must be an address such as ada@example.com, at most 128 characters".into(),
        )
        .into());
    }
    let role =
        role_of(&body)?.ok_or_else(|| ConsoleError::Field("role", "role is required".into()))?;
    let user = directory::add_user(&store, username, name, email, role)
        .await
        .map_err(|e| directory_error(e, "username"))?;
    Ok((StatusCode::CREATED, axum::Json(user.into())))
}

/// `PATCH /console/api/admin/users/{id}` with `{role?, isActive?}`: the user as changed.
pub async fn change_user(
    State(store): State<Store>,
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Body,
) -> Result<axum::Json<Person>, AppError> {
    let admin = signed.admin()?;
    let role = role_of(&body)?;
    let active = match body.get("isActive") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(active)) => Some(*active),
        Some(_) => {
            return Err(
                ConsoleError::Field("isActive", "isActive must be true or false".into()).into(),
            );
        }
    };
    // An admin who demoted or deactivated themselves could lock everyone out of administration.
    if id == admin.user_id.as_str()
        && (role.is_some_and(|r| r != Role::Admin) || active == Some(false))
    {
        return Err(ConsoleError::Forbidden(
            "You cannot take away your own admin role or deactivate yourself; ask another admin."
                .into(),
        )
        .into());
    }
    let user = store
        .write(move |tx| {
            let Some(found) = tx.user_id(&id)? else {
                return Ok(None);
            };
            if let Some(role) = role {
                tx.set_role(&found, role)?;
            }
            if let Some(active) = active {
                tx.set_active(&found, active)?;
            }
            tx.user(&found)
        })
        .await?
        .filter(|u| u.id != crate::ids::SITE_GUEST_USER_ID)
        .ok_or(ConsoleError::NotFound)?;
    Ok(axum::Json(user.into()))
}

/// A queue as the admin routes answer it: with its offer settings and members.
async fn queue_json(store: &Store, queue: Queue) -> Result<Value, AppError> {
    let id = queue.id.clone();
    let settings = store
        .read(move |db| db.offer_settings(&id))
        .await?
        .ok_or(ConsoleError::NotFound)?;
    let key = queue.id.clone();
    let target = store
        .read(move |db| {
            Ok(db
                .queue_targets()?
                .into_iter()
                .find(|q| q.id == key)
                .map(|q| q.target_seconds))
        })
        .await?
        .ok_or(ConsoleError::NotFound)?;
    let members: Vec<Person> = directory::members(store, queue.id.clone())
        .await
        .map_err(|e| directory_error(e, "name"))?
        .into_iter()
        .map(Person::from)
        .collect();
    Ok(json!({
        "id": queue.id, "name": queue.name, "isDefault": queue.is_default,
        OFFER_TIMEOUT.key: settings.timeout_seconds, OFFER_COOLDOWN.key: settings.cooldown_seconds,
        SERVICE_TARGET.key: target,
        "members": members,
    }))
}

/// `GET /console/api/admin/queues`: every queue with its offer settings and members.
pub async fn queues(
    State(store): State<Store>,
    signed: Signed,
) -> Result<axum::Json<Vec<Value>>, AppError> {
    signed.admin()?;
    let mut answer = Vec::new();
    for queue in directory::queues(&store).await? {
        answer.push(queue_json(&store, queue).await?);
    }
    Ok(axum::Json(answer))
}

/// The body's seconds `setting`: absent (or null) is `None`; a value outside its bounds is refused at
/// its key.
fn seconds(body: &Map<String, Value>, setting: SecondsSetting) -> Result<Option<u32>, AppError> {
    match body.get(setting.key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => setting
            .check(value.as_u64())
            .map(Some)
            .map_err(|message| ConsoleError::Field(setting.key, message).into()),
    }
}

/// `PATCH /console/api/admin/queues/{id}` with `{offerTimeoutSeconds?, offerCooldownSeconds?,
/// serviceTargetSeconds?}` (the id or the name): the queue as changed. The next routing round uses the
/// new offer settings; an offer already made keeps the time it was given. The service-level target
/// counts for every request of the queue from then on, those waiting already included.
pub async fn change_queue(
    State(store): State<Store>,
    signed: Signed,
    Path(key): Path<String>,
    Json(body): Body,
) -> Result<axum::Json<Value>, AppError> {
    signed.admin()?;
    let timeout = seconds(&body, OFFER_TIMEOUT)?;
    let cooldown = seconds(&body, OFFER_COOLDOWN)?;
    let target = seconds(&body, SERVICE_TARGET)?;
    let found = store
        .write(move |tx| {
            let Some(id) = tx.queue_id(&key)? else {
                return Ok(None);
            };
            tx.set_offer_settings(&id, timeout, cooldown)?;
            if let Some(target) = target {
                tx.set_service_target(&id, target)?;
            }
            Ok::<_, crate::store::StoreError>(Some(id))
        })
        .await?
        .ok_or(ConsoleError::NotFound)?;
    let queue = directory::queues(&store)
        .await?
        .into_iter()
        .find(|q| q.id == found)
        .ok_or(ConsoleError::NotFound)?;
    Ok(axum::Json(queue_json(&store, queue).await?))
}

/// `POST /console/api/admin/queues` with `{name}`: 201 with the queue.
pub async fn add_queue(
    State(store): State<Store>,
    signed: Signed,
    Json(body): Body,
) -> Result<(StatusCode, axum::Json<Value>), AppError> {
    signed.admin()?;
    let name = required(&body, "name", 80)?;
    let queue = directory::add_queue(&store, name, false)
        .await
        .map_err(|e| directory_error(e, "name"))?;
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({
            "id": queue.id, "name": queue.name, "isDefault": false,
            OFFER_TIMEOUT.key: OFFER_TIMEOUT.default, OFFER_COOLDOWN.key: OFFER_COOLDOWN.default,
            SERVICE_TARGET.key: SERVICE_TARGET.default,
            "members": [],
        })),
    ))
}

async fn membership(
    store: Store,
    signed: Signed,
    queue: String,
    user: String,
    member: bool,
) -> Result<StatusCode, AppError> {
    signed.admin()?;
    let _: Membership = directory::set_membership(&store, queue, user, member)
        .await
        .map_err(|e| directory_error(e, "user"))?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /console/api/admin/queues/{id}/members/{userId}`: 204; the user is a member.
pub async fn add_member(
    State(store): State<Store>,
    signed: Signed,
    Path((queue, user)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    membership(store, signed, queue, user, true).await
}

/// `DELETE /console/api/admin/queues/{id}/members/{userId}`: 204; the user is not a member.
pub async fn remove_member(
    State(store): State<Store>,
    signed: Signed,
    Path((queue, user)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    membership(store, signed, queue, user, false).await
}

/// `GET /console/api/admin/tokens`: every token, never the token itself.
pub async fn tokens(
    State(store): State<Store>,
    signed: Signed,
) -> Result<axum::Json<Vec<Value>>, AppError> {
    signed.admin()?;
    let list = tokens::list(&store).await?;
    Ok(axum::Json(
        list.into_iter()
            .map(|t| {
                json!({
                    "id": t.id, "userId": t.user_id, "username": t.username, "scope": t.scope,
                    "label": t.label, "createdAt": t.created_at, "revokedAt": t.revoked_at,
                })
            })
            .collect(),
    ))
}

/// `POST /console/api/admin/tokens` with `{user, scope, label?}` (`user` an id or username): 201 with
/// the token, shown this once.
pub async fn add_token(
    State(store): State<Store>,
    signed: Signed,
    Json(body): Body,
) -> Result<(StatusCode, axum::Json<Value>), AppError> {
    signed.admin()?;
    let user = required(&body, "user", 80)?;
    let scope = match text(&body, "scope")?.as_deref() {
        Some("read") => Scope::Read,
        Some("write") => Scope::Write,
        _ => {
            return Err(ConsoleError::Field("scope", "scope must be read or write".into()).into());
        }
    };
    let label = text(&body, "label")?
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty());
    if label.as_ref().is_some_and(|l| l.chars().count() > 200) {
        return Err(
            ConsoleError::Field("label", "label must be at most 200 characters".into()).into(),
        );
    }
    let found = store
        .read(move |db| {
            Ok(db
                .user_id(&user)?
                .filter(|id| id != crate::ids::SITE_GUEST_USER_ID))
        })
        .await?
        .ok_or_else(|| ConsoleError::Field("user", "no user with this id or username".into()))?;
    let (id, token) = tokens::create(&store, found.clone(), scope, label.clone()).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({
            "id": id, "userId": found, "scope": scope.as_str(), "label": label, "token": token,
        })),
    ))
}

/// `DELETE /console/api/admin/tokens/{id}`: 204; the token stops working.
pub async fn revoke_token(
    State(store): State<Store>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    signed.admin()?;
    let id: i64 = id.parse().map_err(|_| ConsoleError::NotFound)?;
    if tokens::revoke(&store, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ConsoleError::NotFound.into())
    }
}
