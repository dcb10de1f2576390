//! API tokens: making one (shown this once, in a field made to be copied), listing and revoking them.

use leptos::prelude::*;
use serde_json::json;

use super::{Act, Call, Directory, act, listing};
use crate::api::ApiError;
use crate::api::admin::{self, Token};
use crate::forms::{Choice, Field, Outcome};
use crate::time;

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
    let answer = Signal::derive(move || revoke.value().get());
    view! {
        <section aria-labelledby="tokens-heading">
            <h2 id="tokens-heading">"API tokens"</h2>
            <AddToken/>
            <Outcome answer fields=&[]/>
            {listing(tokens, table)}
        </section>
    }
}

fn table(tokens: Vec<Token>) -> impl IntoView {
    let revoke = expect_context::<Act>();
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="Table of API tokens">
            <table>
                <thead><tr>
                    <th scope="col">"Id"</th><th scope="col">"User"</th><th scope="col">"Scope"</th>
                    <th scope="col">"Label"</th><th scope="col">"Made"</th><th scope="col">"Revoked"</th>
                </tr></thead>
                <tbody>
                    {tokens.into_iter().map(|token| {
                        let id = token.id;
                        let revoked = match token.revoked_at {
                            Some(at) => time::local(&at, None).into_any(),
                            None => view! {
                                <button type="button" aria-label=format!("Revoke token {id}")
                                    on:click=move |_| { revoke.dispatch(Call::RevokeToken(id)); }>"Revoke"</button>
                            }.into_any(),
                        };
                        view! {
                            <tr>
                                <th scope="row">{id}</th><td>{token.username}</td><td>{token.scope}</td>
                                <td>{token.label}</td><td>{time::local(&token.created_at, None)}</td>
                                <td>{revoked}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Makes a token and shows it this once.
#[component]
fn AddToken() -> impl IntoView {
    let directory = expect_context::<Directory>();
    let [user, scope, label] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let made = RwSignal::new(None::<String>);
    let add = act();
    let answer = Signal::derive(move || add.value().get());
    let scopes = Signal::derive(|| {
        vec![
            ("read".to_owned(), "read".to_owned()),
            ("write".to_owned(), "write".to_owned()),
        ]
    });
    const FIELDS: &[(&str, &str)] = &[
        ("user", "token-user"),
        ("scope", "token-scope"),
        ("label", "token-label"),
    ];
    view! {
        <form on:submit=move |e| {
            e.prevent_default();
            made.set(None);
            add.dispatch(Call::AddToken(
                json!({ "user": user.get(), "scope": scope.get(), "label": label.get() }),
                made,
            ));
        }>
            <fieldset>
                <legend>"Make a token"</legend>
                <Outcome answer fields=FIELDS/>
                {move || made.get().map(|token| view! {
                    <label for="new-token">"The new token (shown only this once)"</label>
                    <input id="new-token" readonly value=token class="token"
                        on:focus=|e| { event_target::<web_sys::HtmlInputElement>(&e).select() }/>
                })}
                <Choice id="token-user" name="user" label="User" value=user options=directory.user_choices() answer/>
                <Choice id="token-scope" name="scope" label="Scope" value=scope options=scopes answer/>
                <Field id="token-label" name="label" label="Label (optional)" value=label answer/>
                <button type="submit" disabled=move || add.pending().get()>"Make the token"</button>
            </fieldset>
        </form>
    }
}

/// Makes a token, and puts it where the form shows it.
pub async fn add(
    body: serde_json::Value,
    made: RwSignal<Option<String>>,
) -> Result<String, ApiError> {
    let token = admin::add_token(&body).await?;
    made.set(Some(token.token));
    Ok("Token made. Copy it now: it is not shown again.".to_owned())
}

/// Revokes a token.
pub async fn revoke(id: i64) -> Result<String, ApiError> {
    admin::revoke_token(id).await?;
    Ok(format!("Token {id} revoked."))
}
