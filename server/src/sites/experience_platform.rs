//! A site's optional forwarding of its events to Adobe Experience Platform (`[site.experience_platform]`
//! in the sites file): where the platform's streaming inlet is, which schema and dataset the events go
//! to, the IMS organisation, and the bearer token, read from the environment variable the file names so
//! that the token itself is never in the file (nor in a log: its `Debug` hides it).

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

/// What the platform's HTTP API streaming ingestion is sent, for one site.
#[derive(Clone)]
pub struct ExperiencePlatform {
    /// The streaming connection's batch URL, `https://dcs.adobedc.net/collection/batch/{CONNECTION_ID}`.
    pub inlet_url: reqwest::Url,
    /// The `$id` of the dataset's schema, `https://ns.adobe.com/{TENANT_ID}/schemas/{SCHEMA_ID}`.
    pub schema_id: String,
    pub dataset_id: String,
    /// The IMS organisation, `…@AdobeOrg`.
    pub ims_org: String,
    /// The `source.name` of each message's header.
    pub source_name: String,
    /// The name of the environment variable the token was read from, for messages about it.
    pub token_env: String,
    pub token: BearerToken,
}

impl std::fmt::Debug for ExperiencePlatform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExperiencePlatform")
            .field("inlet_url", &self.inlet_url.as_str())
            .field("schema_id", &self.schema_id)
            .field("dataset_id", &self.dataset_id)
            .field("ims_org", &self.ims_org)
            .field("token_env", &self.token_env)
            .finish_non_exhaustive()
    }
}

/// A bearer token: sent as `Authorization: Bearer …`, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct BearerToken(String);

impl BearerToken {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BearerToken(…)")
    }
}

/// The `source.name` of each message unless the site names another.
pub const DEFAULT_SOURCE_NAME: &str = "contact-request-widget";

/// `[site.experience_platform]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Format {
    inlet_url: Spanned<String>,
    schema_id: Spanned<String>,
    dataset_id: Spanned<String>,
    ims_org: Spanned<String>,
    token_env: Spanned<String>,
    source_name: Option<Spanned<String>>,
}

/// Checks the site `site`'s settings; `env` reads the token's variable, and `at` locates a mistake in
/// the file (the sites file's error).
pub(super) fn parse<E>(
    site: &str,
    format: Format,
    env: &dyn Fn(&str) -> Option<String>,
    at: &dyn Fn(Range<usize>, String) -> E,
) -> Result<ExperiencePlatform, E> {
    let inlet_url = reqwest::Url::parse(format.inlet_url.get_ref().trim())
        .ok()
        .filter(|url| {
            matches!(url.scheme(), "https" | "http")
                && url.path().contains("/collection/batch/")
                && url.password().is_none()
        })
        .ok_or_else(|| {
            at(
                format.inlet_url.span(),
                "inlet_url is the batch URL of the site's streaming connection, such as \
                 \"https://dcs.adobedc.net/collection/batch/{CONNECTION_ID}\""
                    .into(),
            )
        })?;
    let schema_id = format.schema_id.get_ref().trim();
    if reqwest::Url::parse(schema_id).is_err() {
        return Err(at(
            format.schema_id.span(),
            "schema_id is the $id of the dataset's schema, such as \
             \"https://ns.adobe.com/{TENANT_ID}/schemas/{SCHEMA_ID}\""
                .into(),
        ));
    }
    let word = |value: &Spanned<String>, what: &str| {
        let text = value.get_ref().trim();
        match !text.is_empty() && text.len() <= 256 && !text.chars().any(char::is_whitespace) {
            true => Ok(text.to_owned()),
            false => Err(at(value.span(), what.to_owned())),
        }
    };
    let dataset_id = word(
        &format.dataset_id,
        "dataset_id is the id of the dataset the events go to (Datasets, Info: Dataset ID), 1 to 256 characters without spaces",
    )?;
    let ims_org = word(
        &format.ims_org,
        "ims_org is the IMS organisation id, such as \"0123456789ABCDEF01234567@AdobeOrg\"",
    )?;
    if !ims_org.ends_with("@AdobeOrg") {
        return Err(at(
            format.ims_org.span(),
            "ims_org is the IMS organisation id, which ends with @AdobeOrg".into(),
        ));
    }
    let token_env = word(
        &format.token_env,
        "token_env is the name of the environment variable holding the bearer token",
    )?;
    let token = env(&token_env)
        .map(|token| token.trim().to_owned())
        .ok_or_else(|| {
            at(
                format.token_env.span(),
                format!(
                    "the environment variable {token_env} is not set: it holds site {site}'s \
                     Experience Platform bearer token"
                ),
            )
        })?;
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(at(
            format.token_env.span(),
            format!(
                "the environment variable {token_env} (site {site}'s Experience Platform bearer \
                 token) is empty or holds spaces or characters a token cannot"
            ),
        ));
    }
    let source_name = match format.source_name {
        None => DEFAULT_SOURCE_NAME.to_owned(),
        Some(name) => {
            let text = name.get_ref().trim();
            if text.is_empty() || text.chars().count() > 100 {
                return Err(at(
                    name.span(),
                    "source_name has 1 to 100 characters".into(),
                ));
            }
            text.to_owned()
        }
    };
    Ok(ExperiencePlatform {
        inlet_url,
        schema_id: schema_id.to_owned(),
        dataset_id,
        ims_org,
        source_name,
        token_env,
        token: BearerToken(token),
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::call_centers::CallCenters;
    use crate::sites::{ConfigError, Site};

    const SETTINGS: &str = "[site.experience_platform]
inlet_url = \"https://dcs.adobedc.net/collection/batch/abc123\"
schema_id = \"https://ns.adobe.com/acme/schemas/0123abcd\"
dataset_id = \"65a1b2c3d4e5f60718293a4b\"
ims_org = \"0123456789ABCDEF01234567@AdobeOrg\"
token_env = \"ACME_AEP_TOKEN\"
";

    fn parse_text(text: &str) -> Result<Vec<Site>, ConfigError> {
        let text = format!(
            "[[site]]\nkey = \"acme\"\nname = \"Acme\"\nallowed_origins = [\"https://acme.example\"]\n{text}"
        );
        let env = |name: &str| (name == "ACME_AEP_TOKEN").then(|| "eyJ.token.sig".to_owned());
        super::super::file::parse(
            Path::new("sites.toml"),
            &text,
            &env,
            &CallCenters::default(),
        )
        .map(|file| file.sites)
    }

    #[test]
    fn a_site_forwards_to_the_platform_only_when_it_says_where() {
        let sites = parse_text("").unwrap();
        assert!(sites[0].experience_platform.is_none());
        let sites = parse_text(SETTINGS).unwrap();
        let platform = sites[0].experience_platform.as_ref().unwrap();
        assert_eq!(
            platform.inlet_url.as_str(),
            "https://dcs.adobedc.net/collection/batch/abc123"
        );
        assert_eq!(
            platform.schema_id,
            "https://ns.adobe.com/acme/schemas/0123abcd"
        );
        assert_eq!(platform.dataset_id, "65a1b2c3d4e5f60718293a4b");
        assert_eq!(platform.ims_org, "0123456789ABCDEF01234567@AdobeOrg");
        assert_eq!(platform.source_name, DEFAULT_SOURCE_NAME);
        assert_eq!(platform.token.expose(), "eyJ.token.sig");
    }

    #[test]
    fn the_token_never_shows_in_a_debug_print() {
        let sites = parse_text(SETTINGS).unwrap();
        let printed = format!("{:?}", sites[0]);
        assert!(!printed.contains("eyJ.token.sig"), "{printed}");
        assert!(printed.contains("ACME_AEP_TOKEN"), "{printed}");
    }

    #[test]
    fn each_mistake_is_reported_with_its_line_and_what_to_fix() {
        let with = |from: &str, to: &str| SETTINGS.replace(from, to);
        let table = [
            (
                with("ACME_AEP_TOKEN", "UNSET_AEP_TOKEN"),
                10,
                "the environment variable UNSET_AEP_TOKEN is not set: it holds site acme's Experience Platform bearer token",
            ),
            (
                with("collection/batch/abc123", "collection/abc123"),
                6,
                "inlet_url is the batch URL of the site's streaming connection",
            ),
            (
                with("https://dcs", "ftp://dcs"),
                6,
                "inlet_url is the batch URL",
            ),
            (
                with("https://ns.adobe.com/acme/schemas/0123abcd", "acme schema"),
                7,
                "schema_id is the $id of the dataset's schema",
            ),
            (
                with("65a1b2c3d4e5f60718293a4b", ""),
                8,
                "dataset_id is the id of the dataset",
            ),
            (
                with("@AdobeOrg", "@example"),
                9,
                "ims_org is the IMS organisation id, which ends with @AdobeOrg",
            ),
            (
                format!("{SETTINGS}source_name = \"\"\n"),
                11,
                "source_name has 1 to 100 characters",
            ),
            (
                format!("{SETTINGS}token = \"in the file\"\n"),
                11,
                "unknown field `token`",
            ),
        ];
        for (text, line, message) in table {
            let error = parse_text(&text).expect_err(message);
            assert!(error.message.contains(message), "{message}: {error}");
            assert_eq!(error.line, line, "{message}: {error}");
        }
    }
}
