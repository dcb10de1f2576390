//! The demo's people: an admin and two representatives in the queue that owns the demo's requests, each
//! given a fresh random password at every start, so a newcomer can sign in to the console at once and
//! nobody can sign in with a password printed by an earlier run.

use contact_shared::console::Role;
use rand::Rng;

use crate::access::directory::{self, DirectoryError};
use crate::access::password::{self, Password};
use crate::ids;
use crate::store::Store;

/// The demo's users: username, display name, role.
const PEOPLE: [(&str, &str, Role); 3] = [
    ("admin@demo.example", "Demo Admin", Role::Admin),
    (
        "ada@demo.example",
        "Ada Representative",
        Role::Representative,
    ),
    (
        "grace@demo.example",
        "Grace Representative",
        Role::Representative,
    ),
];

/// One demo user as printed: who, with which password.
#[derive(Debug, Clone)]
pub struct DemoUser {
    pub username: &'static str,
    pub role: Role,
    pub password: String,
}

/// Makes sure the demo users exist with their roles, the representatives in the default queue (which owns
/// the demo's requests), and gives each a new password; answers them.
pub async fn ensure(store: &Store) -> anyhow::Result<Vec<DemoUser>> {
    let mut users = Vec::with_capacity(PEOPLE.len());
    for (username, name, role) in PEOPLE {
        match directory::add_user(store, username.into(), name.into(), None, role).await {
            Ok(_) | Err(DirectoryError::Taken(_)) => {}
            Err(other) => return Err(other.into()),
        }
        directory::set_role(store, username.into(), role).await?;
        if role == Role::Representative {
            directory::set_membership(store, ids::DEFAULT_QUEUE_ID.into(), username.into(), true)
                .await?;
        }
        let id = directory::find_user(store, username.into())
            .await?
            .ok_or_else(|| DirectoryError::NoSuchUser(username.into()))?;
        let fresh = random_password();
        let parsed = Password::parse(fresh.clone())?;
        password::set(store, id, parsed, crate::instant::now()).await?;
        users.push(DemoUser {
            username,
            role,
            password: fresh,
        });
    }
    Ok(users)
}

/// 16 characters from an alphabet without look-alikes (no 0/O, 1/l/I): about 90 bits, easy to copy.
fn random_password() -> String {
    const ALPHABET: &[u8] = b"23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::rng();
    (0..16)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_passwords_are_long_random_and_valid() {
        let (a, b) = (random_password(), random_password());
        assert_ne!(a, b);
        assert_eq!(a.chars().count(), 16);
        assert!(Password::parse(a).is_ok());
    }
}
