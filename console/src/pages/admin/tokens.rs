//! API tokens for integrations: every token with its user, scope and state, making one (its secret shown
//! this once) and revoking one, as `contact-server tokens` does.

use leptos::prelude::*;
use serde_json::json;

use super::{Act, Call, Directory, act, listing};
use crate::api::ApiError;
use crate::api::admin::{self, Token};
use crate::forms::{Choice, Field, Outcome};
use crate::time;

/// A token to make.
#[derive(Clone)]
pub struct NewToken {
    user: String,
    scope: String,
    label: String,
}

/// The tokens section.
#[component]
pub fn Tokens() -> impl IntoView {
    let directory = expect_context::<Directory>();
    let tokens = LocalResource::new(move || {
        directory.changes.track();
        admin::tokens()
    });
    let revoke = act();
    provide_context(revoke);
    let revoked = Signal::derive(move || revoke.value().get());
    view! {
        <section aria-labelledby="tokens-heading">
            <h2 id="tokens-heading">"API tokens"</h2>
            <p class="note">"Bearer tokens for the Salesforce-compatible API, each acting as its user. Revoking one stops it at once."</p>
            <Outcome answer=revoked fields=&[]/>
            {listing(tokens, table)}
            <AddToken/>
        </section>
    }
}

fn table(tokens: Vec<Token>) -> impl IntoView {
    let revoke = expect_context::<Act>();
    if tokens.is_empty() {
        return view! { <p class="note">"No tokens yet."</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
            <table aria-labelledby="tokens-heading">
                <thead><tr><th scope="col">"Label"</th><th scope="col">"User"</th><th scope="col">"Scope"</th><th scope="col">"Made"</th><th scope="col">"State"</th></tr></thead>
                <tbody>
                    {tokens.into_iter().map(|token| {
                        let label = token.label.unwrap_or_else(|| format!("Token {}", token.id));
                        let state = match token.revoked_at {
                            Some(at) => view! { {format!("Revoked {}", time::local(&at, None))} }.into_any(),
                            None => {
                                let name = format!("Revoke {label}");
                                let id = token.id;
                                view! {
                                    "Active "
                                    <button type="button" aria-label=name
                                        on:click=move |_| { revoke.dispatch(Call::RevokeToken(id)); }>"Revoke"</button>
                                }.into_any()
                            }
                        };
                        view! {
                            <tr>
                                <td>{label}</td><td>{token.username}</td><td>{token.scope}</td>
                                <td>{time::local(&token.created_at, None)}</td><td>{state}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

fn scopes() -> Vec<(String, String)> {
    vec![
        ("read".into(), "Read: queries and retrieves".into()),
        (
            "write".into(),
            "Write: also creates, updates and deletes".into(),
        ),
    ]
}

/// Makes a token and shows its secret.
#[component]
fn AddToken() -> impl IntoView {
    let directory = expect_context::<Directory>();
    let user = RwSignal::new(String::new());
    let scope = RwSignal::new(String::new());
    let label = RwSignal::new(String::new());
    let add = act();
    let answer = Signal::derive(move || add.value().get());
    Effect::new(move || {
        if let Some(Ok(_)) = add.value().get() {
            label.set(String::new());
        }
    });
    const FIELDS: &[(&str, &str)] = &[
        ("user", "token-user"),
        ("scope", "token-scope"),
        ("label", "token-label"),
    ];
    view! {
        <form on:submit=move |e| {
            e.prevent_default();
            add.dispatch(Call::AddToken(NewToken { user: user.get(), scope: scope.get(), label: label.get() }));
        }>
            <fieldset>
                <legend>"Make a token"</legend>
                <Outcome answer fields=FIELDS/>
                <Choice id="token-user" name="user" label="User" value=user options=directory.user_choices() answer/>
                <Choice id="token-scope" name="scope" label="Scope" value=scope options=Signal::derive(scopes) answer/>
                <Field id="token-label" name="label" label="Label (what uses it)" value=label answer/>
                <button type="submit" disabled=move || add.pending().get()>"Make the token"</button>
            </fieldset>
        </form>
    }
}

/// Makes a token; the answer carries its secret, which is never shown again.
pub async fn add(token: NewToken) -> Result<String, ApiError> {
    let label = token.label.trim();
    let body = if label.is_empty() {
        json!({ "user": token.user, "scope": token.scope })
    } else {
        json!({ "user": token.user, "scope": token.scope, "label": label })
    };
    let made = admin::add_token(&body).await?;
    Ok(format!(
        "Token made: {} (copy it now: it is not shown again).",
        made.token
    ))
}

/// Revokes a token.
pub async fn revoke(id: i64) -> Result<String, ApiError> {
    admin::revoke_token(id).await?;
    Ok("Token revoked.".to_owned())
}
