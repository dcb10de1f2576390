//! The webhooks file (TOML): each `[[endpoint]]` with its `name`, `url`, `secrets` (`whsec_…`),
//! `events` and optional `site`. Checked once at start, so a mistake stops the server naming the file and
//! line to fix.

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::{EVENTS, Endpoint, Secret};
use crate::sites::file::ConfigError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileFormat {
    #[serde(default)]
    endpoint: Vec<EndpointFormat>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EndpointFormat {
    name: Spanned<String>,
    url: Spanned<String>,
    secrets: Spanned<Vec<Spanned<String>>>,
    events: Spanned<Vec<Spanned<String>>>,
    site: Option<String>,
}

/// Reads and checks the webhooks file at `path`.
pub fn load(path: &Path) -> Result<Vec<Endpoint>, ConfigError> {
    let source = std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: path.to_owned(),
        line: 0,
        column: 0,
        message: format!("cannot read the file: {e}"),
    })?;
    parse(path, &source)
}

/// Parses and checks the text of a webhooks file.
pub fn parse(path: &Path, source: &str) -> Result<Vec<Endpoint>, ConfigError> {
    let at = |offset: usize, message: String| {
        let before = &source[..offset.min(source.len())];
        ConfigError {
            file: path.to_owned(),
            line: before.matches('\n').count() + 1,
            column: before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
            message,
        }
    };
    let file: FileFormat = toml::from_str(source)
        .map_err(|e| at(e.span().map_or(0, |s| s.start), e.message().to_owned()))?;
    let mut names = HashSet::new();
    file.endpoint
        .into_iter()
        .map(|raw| {
            let name = raw.name.get_ref().trim().to_owned();
            if name.is_empty() || !names.insert(name.clone()) {
                return Err(at(
                    raw.name.span().start,
                    format!("each endpoint needs a name of its own; {name:?} is empty or taken"),
                ));
            }
            let url = super::address::endpoint_url(raw.url.get_ref())
                .map_err(|m| at(raw.url.span().start, m))?;
            if raw.secrets.get_ref().is_empty() {
                return Err(at(
                    raw.secrets.span().start,
                    "give at least one secret (whsec_ and base64)".into(),
                ));
            }
            let secrets = raw
                .secrets
                .get_ref()
                .iter()
                .map(|s| Secret::parse(s.get_ref()).map_err(|m| at(s.span().start, m)))
                .collect::<Result<_, _>>()?;
            if raw.events.get_ref().is_empty() {
                return Err(at(
                    raw.events.span().start,
                    format!("name the events wanted, among {}", EVENTS.join(", ")),
                ));
            }
            let events = raw
                .events
                .get_ref()
                .iter()
                .map(|e| match EVENTS.contains(&e.get_ref().as_str()) {
                    true => Ok(e.get_ref().clone()),
                    false => Err(at(
                        e.span().start,
                        format!(
                            "unknown event {:?}; the events are {}",
                            e.get_ref(),
                            EVENTS.join(", ")
                        ),
                    )),
                })
                .collect::<Result<_, _>>()?;
            Ok(Endpoint {
                name,
                url,
                secrets,
                events,
                site: raw.site,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    #[test]
    fn an_endpoint_parses_with_its_secrets_events_and_site() {
        let text = format!(
            "[[endpoint]]\nname = \"crm\"\nurl = \"https://crm.example.com/hooks\"\nsecrets = [\"{SECRET}\", \"{SECRET}\"]\nevents = [\"contact_request.created\"]\nsite = \"shop\"\n"
        );
        let endpoints = parse(Path::new("webhooks.toml"), &text).unwrap();
        assert_eq!(endpoints.len(), 1);
        assert_eq!(endpoints[0].secrets.len(), 2);
        assert_eq!(endpoints[0].site.as_deref(), Some("shop"));
    }

    #[test]
    fn mistakes_name_their_line() {
        let ok = |field: &str| match field {
            "url" => "url = \"https://crm.example.com\"".to_owned(),
            "secrets" => format!("secrets = [\"{SECRET}\"]"),
            _ => "events = [\"contact_request.created\"]".to_owned(),
        };
        for (bad, line, why) in [
            ("url = \"ftp://crm.example.com\"", "url", "not http(s)"),
            ("secrets = [\"hunter2\"]", "secrets", "not whsec_"),
            ("secrets = []", "secrets", "no secret"),
            (
                "events = [\"contact_request.eaten\"]",
                "events",
                "unknown event",
            ),
            ("events = []", "events", "no event"),
        ] {
            let fields: Vec<String> = ["url", "secrets", "events"]
                .iter()
                .map(|f| if *f == line { bad.to_owned() } else { ok(f) })
                .collect();
            let text = format!("[[endpoint]]\nname = \"crm\"\n{}\n", fields.join("\n"));
            let error = parse(Path::new("webhooks.toml"), &text).unwrap_err();
            let expected = 3 + ["url", "secrets", "events"]
                .iter()
                .position(|f| *f == line)
                .unwrap();
            assert_eq!(error.line, expected, "{why}: {error}");
        }
    }
}
