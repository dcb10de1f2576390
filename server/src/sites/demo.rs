//! The built-in sites used when no configuration file is given: a guest-friendly demo site and a
//! sign-in-only one, both on the demo host page's origin, sharing an identity key whose secret is made
//! fresh at each start and known only to the demo page's server side, and the demo call center
//! (see [`crate::call_centers::demo_center`]).

use contact_shared::{DirectContact, DirectKind, PreferredChannel};

use crate::salesforce::reasons::RequestReasons;
use jsonwebtoken::{EncodingKey, Header};
use rand::RngCore;

use super::identity::{Algorithm, IdentityKey};
use super::{DEMO_SITE_KEY, Site};
use crate::call_centers::CallCenter;

/// The demo site that only signed-in visitors may use.
pub const DEMO_MEMBERS_SITE_KEY: &str = "demo-members";
const DEMO_KID: &str = "demo";
/// How long a demo identity token lives.
const TOKEN_SECONDS: u64 = 600;

/// Signs identity tokens for the demo host page, as a real host's back end would for its signed-in users.
#[derive(Clone)]
pub struct DemoSigner {
    key: EncodingKey,
}

impl std::fmt::Debug for DemoSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DemoSigner")
    }
}

impl DemoSigner {
    /// A short-lived token saying the demo's signed-in user is who they are, for `site`.
    pub fn token(&self, site: &str) -> String {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let claims = serde_json::json!({
            "sub": "demo-user-1",
            "name": "Dana Demo",
            "email": "dana@example.com",
            "phone": "+44 20 7946 0000",
            "aud": site,
            "iat": now,
            "exp": now + TOKEN_SECONDS,
        });
        let header = Header {
            kid: Some(DEMO_KID.to_owned()),
            ..Header::new(jsonwebtoken::Algorithm::HS256)
        };
        // Encoding a JSON object with an HMAC key cannot fail.
        jsonwebtoken::encode(&header, &claims, &self.key).unwrap_or_default()
    }
}

/// The demo's direct contact links, in the ranges kept for drama (Ofcom) and documentation (RFC 2606).
fn demo_direct() -> Vec<DirectContact> {
    let link = |kind, value: &str, label: &str| DirectContact {
        kind,
        value: value.to_owned(),
        label: label.to_owned(),
    };
    vec![
        link(DirectKind::Call, "+442079460958", "Call us now"),
        link(DirectKind::Email, "help@northwind.example", "Email us"),
        link(DirectKind::Text, "+447700900123", "Text us"),
    ]
}

/// The two demo sites allowing `origins`, called back by `call_center`, and the signer for their
/// identity tokens.
pub fn demo_sites(
    origins: Vec<crate::origin::Origin>,
    call_center: Option<CallCenter>,
) -> (Vec<Site>, DemoSigner) {
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let key = || IdentityKey::new(DEMO_KID.into(), Algorithm::Hs256, &secret).ok();
    let site = |key_name: &str, name: &str, guests: bool| Site {
        key: key_name.to_owned(),
        name: name.to_owned(),
        allowed_origins: origins.clone(),
        guests,
        reasons: RequestReasons::default()
            .active()
            .map(|r| (r.value.clone(), r.label.clone()))
            .collect(),
        channels: PreferredChannel::ALL
            .iter()
            .map(|c| (*c, c.label().to_owned()))
            .collect(),
        default_country_code: None,
        identity_keys: key().into_iter().collect(),
        default_queue: None,
        pow_difficulty: None,
        min_fill: None,
        callback_times: super::CallbackTimes::Everyone,
        identity_max_lifetime: Some(super::DEFAULT_IDENTITY_MAX_LIFETIME),
        experience_platform: None,
        confirmation_email: false,
        call_center: call_center.clone(),
        direct: demo_direct(),
    };
    let sites = vec![
        site(DEMO_SITE_KEY, "Northwind Plumbing", true),
        site(DEMO_MEMBERS_SITE_KEY, "Northwind Members", false),
    ];
    (
        sites,
        DemoSigner {
            key: EncodingKey::from_secret(&secret),
        },
    )
}
