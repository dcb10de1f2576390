//! The call-center configuration file (TOML): parsed and checked once at start, so a mistake stops the
//! server with the file and line to fix instead of surfacing on the first call.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;
use toml::Spanned;

use super::softphone::{self, CallTypeLayout, Section, SoftphoneLayout};
use super::{BusinessHours, CallCenter, CallCenters, SigningKey, SlotPolicy, rules};

/// Whether `field` is a field of the object `object` (the API's schema, which this module does not
/// name: the caller passes it in).
pub type KnownField = fn(object: &str, field: &str) -> bool;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    call_center: Vec<RawCenter>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCenter {
    internal_name: Spanned<String>,
    name: Spanned<String>,
    #[serde(default)]
    unified_routing: bool,
    time_zone: Spanned<String>,
    #[serde(default)]
    business_hours: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    additional_numbers: Vec<Spanned<AdditionalNumber>>,
    retry_delay_minutes: Option<Spanned<i64>>,
    max_attempts: Option<Spanned<i64>>,
    slot_minutes: Option<Spanned<i64>>,
    lead_time_minutes: Option<Spanned<i64>>,
    slot_capacity: Option<Spanned<i64>>,
    booking_days: Option<Spanned<i64>>,
    #[serde(default)]
    softphone_layout: RawLayout,
    /// Click-to-dial through a softphone instead of `tel:` (`contact_shared::dial`).
    softphone_url: Option<Spanned<String>>,
    /// The queue (by name) that callbacks requested through this center's telephony API go to.
    queue: Option<Spanned<String>>,
    /// The country a telephony API's `callbackNumber` without `+` belongs to.
    default_country_code: Option<Spanned<String>>,
    jwt: RawJwt,
}

/// `[call_center.softphone_layout.inbound]` and so on; a call type left out keeps its default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLayout {
    inbound: Option<RawCallType>,
    outbound: Option<RawCallType>,
    internal: Option<RawCallType>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCallType {
    info_fields: Option<Vec<Spanned<String>>>,
    sections: Option<Vec<RawSection>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    object: Spanned<String>,
    fields: Vec<Spanned<String>>,
}

/// A number of the call center that is not a person's (the reference's AdditionalNumber).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct AdditionalNumber {
    pub name: String,
    pub phone: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawJwt {
    issuer: String,
    audience: String,
    #[serde(default = "default_leeway")]
    leeway_seconds: u64,
    keys: Vec<RawKey>,
}

fn default_leeway() -> u64 {
    30
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKey {
    kid: Spanned<String>,
    algorithm: Spanned<String>,
    public_key: Option<Spanned<String>>,
    secret: Option<Spanned<String>>,
}

/// An error at a place in the file.
fn at(text: &str, offset: usize, message: impl std::fmt::Display) -> String {
    let line = text[..offset.min(text.len())].matches('\n').count() + 1;
    format!("line {line}: {message}")
}

/// Reads and checks the file; the error names the file and the line.
pub fn load(path: &Path, known: KnownField) -> Result<CallCenters, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the call-center file {}: {e}", path.display()))?;
    parse(&text, known).map_err(|e| format!("call-center file {}: {e}", path.display()))
}

/// Parses the file's text; the softphone layouts' field names are checked with `known`.
pub fn parse(text: &str, known: KnownField) -> Result<CallCenters, String> {
    let file: File = toml::from_str(text).map_err(|e| match e.span() {
        Some(span) => at(text, span.start, e.message()),
        None => e.message().to_owned(),
    })?;
    let mut names = HashSet::new();
    let mut kids = HashSet::new();
    let mut centers = Vec::new();
    for raw in file.call_center {
        let internal = raw.internal_name.get_ref().clone();
        if rules::name(&internal).is_err() || !names.insert(internal.clone()) {
            return Err(at(
                text,
                raw.internal_name.span().start,
                format!("internal_name {internal:?} must be non-empty and unique"),
            ));
        }
        rules::name(raw.name.get_ref())
            .map_err(|why| at(text, raw.name.span().start, format!("name {why}")))?;
        let zone = raw.time_zone.get_ref();
        let time_zone = rules::time_zone(zone)
            .map_err(|why| at(text, raw.time_zone.span().start, format!("time_zone {why}")))?;
        let mut hours = BusinessHours::default();
        for (day, range) in &raw.business_hours {
            rules::business_day(&mut hours, day, range.get_ref())
                .map_err(|why| at(text, range.span().start, format!("business_hours {why}")))?;
        }
        let retry_delay_seconds = match &raw.retry_delay_minutes {
            Some(m) => m
                .get_ref()
                .checked_mul(60)
                .and_then(|seconds| rules::within(seconds, &rules::RETRY_DELAY_SECONDS).ok())
                .ok_or_else(|| {
                    at(
                        text,
                        m.span().start,
                        format!(
                            "retry_delay_minutes must be between {} and {} (a week)",
                            rules::RETRY_DELAY_SECONDS.start() / 60,
                            rules::RETRY_DELAY_SECONDS.end() / 60
                        ),
                    )
                })?,
            None => rules::DEFAULT_RETRY_DELAY_SECONDS,
        };
        let max_attempts = match &raw.max_attempts {
            Some(m) => rules::within(*m.get_ref(), &rules::MAX_ATTEMPTS)
                .map_err(|why| at(text, m.span().start, format!("max_attempts {why}")))?,
            None => rules::DEFAULT_MAX_ATTEMPTS,
        };
        let additional_numbers = numbers(text, &raw.additional_numbers)?;
        let defaults = SlotPolicy::default();
        let setting = |value: &Option<Spanned<i64>>,
                       name: &str,
                       range: std::ops::RangeInclusive<i64>,
                       default: u32|
         -> Result<u32, String> {
            match value {
                None => Ok(default),
                Some(v) if range.contains(v.get_ref()) => Ok(*v.get_ref() as u32),
                Some(v) => Err(at(
                    text,
                    v.span().start,
                    format!(
                        "{name} must be between {} and {}",
                        range.start(),
                        range.end()
                    ),
                )),
            }
        };
        let slots = SlotPolicy {
            minutes: setting(&raw.slot_minutes, "slot_minutes", 5..=480, defaults.minutes)?,
            lead_minutes: setting(
                &raw.lead_time_minutes,
                "lead_time_minutes",
                0..=7 * 24 * 60,
                defaults.lead_minutes,
            )?,
            capacity: setting(
                &raw.slot_capacity,
                "slot_capacity",
                1..=1000,
                defaults.capacity,
            )?,
            days: setting(&raw.booking_days, "booking_days", 1..=31, defaults.days)?,
        };
        let softphone_layout = layout(text, &raw.softphone_layout, known)?;
        let softphone_url = match &raw.softphone_url {
            Some(url) => {
                contact_shared::dial::check_template(url.get_ref())
                    .map_err(|e| at(text, url.span().start, e))?;
                Some(url.get_ref().clone())
            }
            None => None,
        };
        let queue = match &raw.queue {
            Some(name) if name.get_ref().trim().is_empty() => {
                return Err(at(
                    text,
                    name.span().start,
                    "queue must be a queue's name, such as \"Callbacks\"",
                ));
            }
            Some(name) => Some(name.get_ref().trim().to_owned()),
            None => None,
        };
        let default_country_code = match &raw.default_country_code {
            Some(code) => Some(
                contact_shared::parse_country_code(code.get_ref())
                    .map_err(|e| at(text, code.span().start, e))?,
            ),
            None => None,
        };
        let mut keys = Vec::new();
        for key in raw.jwt.keys {
            let kid = key.kid.get_ref().clone();
            if kid.is_empty() || !kids.insert(kid.clone()) {
                return Err(at(
                    text,
                    key.kid.span().start,
                    format!("kid {kid:?} must be non-empty and unique across the file"),
                ));
            }
            keys.push(signing_key(text, kid, &key)?);
        }
        if keys.is_empty() {
            return Err(at(
                text,
                raw.internal_name.span().start,
                format!("call center {internal:?} needs at least one [[call_center.jwt.keys]]"),
            ));
        }
        centers.push(CallCenter {
            internal_name: internal,
            name: raw.name.into_inner(),
            unified_routing: raw.unified_routing,
            time_zone_name: zone.clone(),
            time_zone,
            business_hours: hours,
            additional_numbers,
            retry_delay_seconds,
            max_attempts,
            issuer: raw.jwt.issuer,
            audience: raw.jwt.audience,
            leeway_seconds: raw.jwt.leeway_seconds,
            keys,
            slots,
            softphone_layout,
            softphone_url,
            queue,
            default_country_code,
        });
    }
    Ok(CallCenters::new(centers))
}

/// The softphone layout: each call type given replaces that type's default, part by part.
fn layout(text: &str, raw: &RawLayout, known: KnownField) -> Result<SoftphoneLayout, String> {
    let mut layout = SoftphoneLayout::default();
    let given = [&raw.inbound, &raw.outbound, &raw.internal];
    for (slot, given) in layout.call_types.iter_mut().zip(given) {
        let Some(given) = given else { continue };
        if let Some(info) = &given.info_fields {
            slot.info_fields = names(text, info, "info field", |name| {
                softphone::INFO_FIELDS
                    .contains(&name)
                    .then_some(())
                    .ok_or_else(|| {
                        format!(
                            "info field {name:?} must be one of {}",
                            softphone::INFO_FIELDS.join(", ")
                        )
                    })
            })?;
        }
        if let Some(sections) = &given.sections {
            *slot = CallTypeLayout {
                info_fields: std::mem::take(&mut slot.info_fields),
                sections: Vec::new(),
            };
            for section in sections {
                let object = section.object.get_ref();
                if !softphone::OBJECTS.contains(&object.as_str())
                    || slot.sections.iter().any(|s| &s.object == object)
                {
                    return Err(at(
                        text,
                        section.object.span().start,
                        format!(
                            "object {object:?} must be one of {}, once per call type",
                            softphone::OBJECTS.join(", ")
                        ),
                    ));
                }
                if section.fields.is_empty() {
                    return Err(at(
                        text,
                        section.object.span().start,
                        format!("the section of {object} needs at least one field"),
                    ));
                }
                let fields = names(text, &section.fields, "field", |name| {
                    known(object, name)
                        .then_some(())
                        .ok_or_else(|| format!("{name:?} is not a field of {object}"))
                })?;
                slot.sections.push(Section {
                    object: object.clone(),
                    fields,
                });
            }
        }
    }
    Ok(layout)
}

/// A center's additional numbers, each checked as the API checks an AdditionalNumber, and each name
/// once in the center: the name finds the record again at the next start.
fn numbers(
    text: &str,
    list: &[Spanned<AdditionalNumber>],
) -> Result<Vec<AdditionalNumber>, String> {
    let mut seen = HashSet::new();
    for number in list {
        let start = number.span().start;
        let number = number.get_ref();
        super::objects::check_number(number)
            .map_err(|why| at(text, start, format!("additional number: {why}")))?;
        if !seen.insert(number.name.as_str()) {
            return Err(at(
                text,
                start,
                format!(
                    "additional number {:?} is listed twice in this call center",
                    number.name
                ),
            ));
        }
    }
    Ok(list.iter().map(|n| n.get_ref().clone()).collect())
}

/// The names of a list, each checked by `check` and none twice.
fn names(
    text: &str,
    list: &[Spanned<String>],
    what: &str,
    check: impl Fn(&str) -> Result<(), String>,
) -> Result<Vec<String>, String> {
    let mut seen = Vec::<String>::new();
    for name in list {
        let start = name.span().start;
        check(name.get_ref()).map_err(|why| at(text, start, why))?;
        if seen.contains(name.get_ref()) {
            return Err(at(
                text,
                start,
                format!("{what} {:?} is listed twice", name.get_ref()),
            ));
        }
        seen.push(name.get_ref().clone());
    }
    Ok(seen)
}

fn signing_key(text: &str, kid: String, key: &RawKey) -> Result<SigningKey, String> {
    let name = key.algorithm.get_ref();
    let algorithm: Algorithm = name.parse().map_err(|_| {
        at(
            text,
            key.algorithm.span().start,
            format!("algorithm {name:?} is not one of HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, EdDSA"),
        )
    })?;
    let decoding = match (algorithm, &key.public_key, &key.secret) {
        (Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512, None, Some(secret)) => {
            if secret.get_ref().len() < 32 {
                return Err(at(
                    text,
                    secret.span().start,
                    "an HMAC secret must be at least 32 characters",
                ));
            }
            DecodingKey::from_secret(secret.get_ref().as_bytes())
        }
        (Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512, ..) => {
            return Err(at(
                text,
                key.kid.span().start,
                format!("key {kid:?} ({name}) needs secret and no public_key"),
            ));
        }
        (_, Some(pem), None) => {
            let bytes = pem.get_ref().as_bytes();
            let parsed = match algorithm {
                Algorithm::ES256 | Algorithm::ES384 => DecodingKey::from_ec_pem(bytes),
                Algorithm::EdDSA => DecodingKey::from_ed_pem(bytes),
                _ => DecodingKey::from_rsa_pem(bytes),
            };
            parsed.map_err(|e| {
                at(
                    text,
                    pem.span().start,
                    format!("public_key of {kid:?} is not a {name} public key in PEM: {e}"),
                )
            })?
        }
        _ => {
            return Err(at(
                text,
                key.kid.span().start,
                format!("key {kid:?} ({name}) needs public_key (PEM) and no secret"),
            ));
        }
    };
    Ok(SigningKey {
        kid,
        algorithm,
        decoding,
    })
}

/// `09:00-17:30` → minutes since midnight of the start and end.
#[cfg(test)]
mod tests {
    use super::*;

    /// Parses with the API's schema, as the server does.
    fn parse_checked(text: &str) -> Result<CallCenters, String> {
        parse(text, crate::softphone::known_field)
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    fn center(extra: &str) -> String {
        format!(
            r#"[[call_center]]
internal_name = "main"
name = "Main"
unified_routing = true
time_zone = "Europe/London"
{extra}
[call_center.jwt]
issuer = "https://connect.example.com"
audience = "contact-server"
[[call_center.jwt.keys]]
kid = "k1"
algorithm = "HS256"
secret = "{SECRET}"
"#
        )
    }

    #[test]
    fn a_complete_file_gives_its_call_centers() {
        let centers = parse_checked(&center(
            "business_hours = { mon = \"09:00-17:30\" }\nretry_delay_minutes = 10\nmax_attempts = 5\n\
             slot_minutes = 15\nlead_time_minutes = 0\nslot_capacity = 8\nbooking_days = 10",
        ))
        .unwrap();
        let main = centers.by_internal_name("main").unwrap();
        assert!(main.unified_routing);
        assert_eq!(main.business_hours.days[0], Some((540, 1050)));
        assert_eq!((main.retry_delay_seconds, main.max_attempts), (600, 5));
        assert_eq!(
            main.slots,
            SlotPolicy {
                minutes: 15,
                lead_minutes: 0,
                capacity: 8,
                days: 10
            }
        );
        let defaults = parse_checked(&center("")).unwrap();
        assert_eq!(
            defaults.by_internal_name("main").unwrap().slots,
            SlotPolicy::default()
        );
        assert!(centers.key("k1").is_some());
        assert!(parse_checked("").unwrap().is_empty());
    }

    #[test]
    fn the_example_in_the_repository_is_valid() {
        let centers = parse_checked(include_str!("../../../call-centers.example.toml")).unwrap();
        let main = centers.by_internal_name("main").unwrap();
        assert_eq!(main.time_zone_name, "Europe/London");
        assert_eq!(main.slots, SlotPolicy::default());
    }

    #[test]
    fn a_softphone_layout_replaces_the_default_of_the_call_types_it_names() {
        let centers = parse_checked(&center(
            "[call_center.softphone_layout.outbound]\n\
             sections = [{ object = \"ContactRequest\", fields = [\"PreferredPhone\", \"Name\"] }]\n\
             [call_center.softphone_layout.internal]\ninfo_fields = []\n",
        ))
        .unwrap();
        let layout = &centers.by_internal_name("main").unwrap().softphone_layout;
        let default = SoftphoneLayout::default();
        assert_eq!(layout.call_types[0], default.call_types[0]);
        let outbound = &layout.call_types[1];
        assert_eq!(outbound.info_fields, default.call_types[1].info_fields);
        assert_eq!(
            outbound.sections,
            [Section {
                object: "ContactRequest".into(),
                fields: vec!["PreferredPhone".into(), "Name".into()]
            }]
        );
        assert!(layout.call_types[2].info_fields.is_empty());
        assert_eq!(
            layout.call_types[2].sections,
            default.call_types[2].sections
        );
        // Every name in the default is a field of the API.
        for call_type in &default.call_types {
            for section in &call_type.sections {
                for field in &section.fields {
                    assert!(
                        crate::softphone::known_field(&section.object, field),
                        "{field}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_softphone_url_and_a_queue_are_read_and_their_mistakes_refused_with_their_line() {
        let centers = parse_checked(&center(
            "softphone_url = \"https://phone.example.com/dial?to={number}&ref={request}\"\nqueue = \" Callbacks \"",
        ))
        .unwrap();
        let main = centers.by_internal_name("main").unwrap();
        assert_eq!(
            main.softphone_url.as_deref(),
            Some("https://phone.example.com/dial?to={number}&ref={request}")
        );
        assert_eq!(main.queue.as_deref(), Some("Callbacks"));
        let plain = parse_checked(&center("")).unwrap();
        let plain = plain.by_internal_name("main").unwrap();
        assert_eq!(
            (plain.softphone_url.as_ref(), plain.queue.as_ref()),
            (None, None)
        );
        for (extra, says) in [
            (
                "softphone_url = \"https://phone.example.com/dial\"",
                "line 6: softphone_url must hold {number}",
            ),
            (
                "softphone_url = \"javascript:alert({number})\"",
                "line 6: softphone_url may not be a javascript: URL",
            ),
            (
                "softphone_url = \"http://phone.example.com/{number}\"",
                "line 6: softphone_url must be https://",
            ),
            ("queue = \"  \"", "line 6: queue must be a queue's name"),
        ] {
            let refused = parse_checked(&center(extra)).expect_err(extra);
            assert!(refused.starts_with(says), "{extra}: {refused}");
        }
    }

    #[test]
    fn softphone_layout_mistakes_are_refused_with_their_line() {
        let layout =
            |body: &str| center(&format!("[call_center.softphone_layout.inbound]\n{body}"));
        let table = [
            (
                layout("sections = [{ object = \"Account\", fields = [\"Name\"] }]"),
                "line 7",
                "object \"Account\" must be one of ContactRequest, Task, EngagementInteraction",
            ),
            (
                layout("sections = [{ object = \"Task\", fields = [\"CallType\", \"Colour\"] }]"),
                "line 7",
                "\"Colour\" is not a field of Task",
            ),
            (
                layout(
                    "sections = [\n{ object = \"Task\", fields = [\"CallType\"] },\n{ object = \"Task\", fields = [\"Subject\"] }]",
                ),
                "line 9",
                "once per call type",
            ),
            (
                layout("sections = [{ object = \"Task\", fields = [\"Subject\", \"Subject\"] }]"),
                "line 7",
                "field \"Subject\" is listed twice",
            ),
            (
                layout("sections = [{ object = \"Task\", fields = [] }]"),
                "line 7",
                "needs at least one field",
            ),
            (
                layout("info_fields = [\"ANI\"]"),
                "line 7",
                "info field \"ANI\" must be one of PhoneNumber, Queue, ScheduledTime",
            ),
            (layout("colour = 1"), "line 7", "unknown field"),
            (
                center("[call_center.softphone_layout.outgoing]\ninfo_fields = []"),
                "line 6",
                "unknown field",
            ),
            // Field names are the API's exactly, as describe writes them.
            (
                layout("sections = [{ object = \"Task\", fields = [\"calltype\"] }]"),
                "line 7",
                "not a field of Task",
            ),
        ];
        for (text, line, why) in table {
            let err = parse_checked(&text).unwrap_err();
            assert!(err.starts_with(line) && err.contains(why), "{why}: {err}");
        }
    }

    #[test]
    fn mistakes_are_refused_with_their_line() {
        let table = [
            (center("time_zone2 = 1"), "line 6", "unknown field"),
            (
                center("").replace("Europe/London", "Mars/Base"),
                "line 5",
                "not an IANA time zone",
            ),
            (
                center("business_hours = { mon = \"17:00-09:00\" }"),
                "line 6",
                "start before the end",
            ),
            (
                center("business_hours = { funday = \"09:00-17:00\" }"),
                "line 6",
                "must be one of mon",
            ),
            (center("max_attempts = 0"), "line 6", "between 1 and 20"),
            (
                center("").replace("name = \"Main\"", "name = \" \""),
                "line 3",
                "name must not be empty",
            ),
            (
                center(
                    "additional_numbers = [{ name = \"Desk\", phone = \"1\" },\n{ name = \"Desk\", phone = \"2\" }]",
                ),
                "line 7",
                "additional number \"Desk\" is listed twice in this call center",
            ),
            (
                center(&format!(
                    "additional_numbers = [{{ name = \"Desk\", phone = \"{}\" }}]",
                    "1".repeat(41)
                )),
                "line 6",
                "additional number: Phone: data value too large",
            ),
            (
                center("slot_minutes = 1"),
                "line 6",
                "slot_minutes must be between 5 and 480",
            ),
            (
                center("slot_capacity = 0"),
                "line 6",
                "slot_capacity must be between 1 and 1000",
            ),
            (
                center("lead_time_minutes = -5"),
                "line 6",
                "lead_time_minutes must be",
            ),
            (
                center("booking_days = 90"),
                "line 6",
                "booking_days must be between 1 and 31",
            ),
            (
                center("retry_delay_minutes = 0"),
                "line 6",
                "between 1 and 10080",
            ),
            (
                center("").replace("HS256", "none"),
                "line 12",
                "is not one of",
            ),
            (
                center("").replace(SECRET, "short"),
                "line 13",
                "at least 32",
            ),
            (
                center("").replace("HS256", "RS256"),
                "line 11",
                "needs public_key",
            ),
            (
                format!(
                    "{}{}",
                    center(""),
                    center("").replace("\"main\"", "\"other\"")
                ),
                "line 24",
                "unique across the file",
            ),
            ("[[call_center]\n".to_owned(), "line 1", ""),
        ];
        for (text, line, why) in table {
            let err = parse_checked(&text).unwrap_err();
            assert!(err.starts_with(line) && err.contains(why), "{why}: {err}");
        }
    }
}
