//! Where the widget reaches the server and the headers it names things with: the addresses and header
//! names both sides use, so that neither spells them on its own.

/// The public intake endpoint, relative to the server's origin.
pub const CONTACT_REQUESTS_PATH: &str = "/api/v1/contact-requests";
/// Where the widget fetches a proof-of-work challenge (`?site=KEY` for that site's friction; site keys
/// are letters, digits, `-` and `_`, so a key needs no escaping).
pub const CHALLENGE_PATH: &str = "/api/v1/challenge";
/// The parent of each site's address, `{SITES_PATH}/{key}`, which answers the site's public settings.
pub const SITES_PATH: &str = "/api/v1/sites";
/// Under a site's address: the callback times its call center offers.
pub const CALLBACK_SLOTS_SUBPATH: &str = "/callback-slots";

/// The header a widget names its site with (the `data-site` of its script tag).
pub const SITE_HEADER: &str = "x-crw-site";
/// The header carrying the solved challenge, `token:counter` (see [`crate::proof_value`]).
pub const PROOF_HEADER: &str = "x-crw-proof";
/// The header carrying the widget's honeypot input; people never fill it, form-filling bots do.
pub const TRAP_HEADER: &str = "x-crw-trap";
/// The header carrying the widget's analytics session (`xdm:chatSessionID`), so that the event the server
/// writes with the request belongs to the journey that sent it.
pub const SESSION_HEADER: &str = "x-crw-session";
/// The header naming one attempt at a submission, kept across its retries (IETF draft "The
/// Idempotency-Key HTTP Header Field").
pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";

/// The address of the site `key`'s settings on the server at `base` (an origin, or `""` for the path
/// alone). `key` goes in as given (escape it for a path first); the server passes `"{key}"` to get its
/// route. The widget writes the same address with `format!` from the constants, which costs it less wasm.
pub fn site_url(base: &str, key: &str) -> String {
    joined(&[base, SITES_PATH, "/", key])
}

/// The address of the callback times of the site `key`, written as in [`site_url`].
pub fn callback_slots_url(base: &str, key: &str) -> String {
    joined(&[base, SITES_PATH, "/", key, CALLBACK_SLOTS_SUBPATH])
}

/// `parts` one after another.
fn joined(parts: &[&str]) -> String {
    let mut url = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        url.push_str(part);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_s_addresses_are_its_key_under_the_sites_path() {
        let base = "https://crw.example";
        assert_eq!(
            site_url(base, "shop"),
            "https://crw.example/api/v1/sites/shop"
        );
        assert_eq!(
            callback_slots_url(base, "shop"),
            "https://crw.example/api/v1/sites/shop/callback-slots"
        );
        assert_eq!(
            site_url("", "{key}"),
            "/api/v1/sites/{key}",
            "the server's route"
        );
        assert_eq!(
            callback_slots_url("", "{key}"),
            "/api/v1/sites/{key}/callback-slots"
        );
    }
}
