//! The site's public settings (its name, reasons, channels, default country code, whether visitors must
//! sign in), fetched from the server when the widget opens, and what the form makes of them.
//!
//! Each widget asks when it opens (mounts), so a changed configuration reaches visitors without a stale
//! copy; the request carries the ETag of the page's last answer for that site, kept in memory for the
//! page's life, so an unchanged site costs a `304` with no body.

use std::cell::RefCell;

use contact_shared::{
    CALLBACK_SLOTS_SUBPATH, Choice, ErrorBody, FormRules, RequestReason, SITES_PATH, SiteSettings,
};

/// Why the widget has no settings to show a form with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteError {
    /// The server refused (an unknown site, or a page on an origin the site does not allow) and said why.
    Refused(String),
    /// No answer: offline, DNS, connection reset.
    Network,
    /// Any other answer, such as a 5xx or a body that is not the documented JSON.
    Unexpected,
}

thread_local! {
    /// The last settings and ETag per settings URL.
    static CACHE: RefCell<Vec<(String, String, SiteSettings)>> = const { RefCell::new(Vec::new()) };
}

/// The settings of `site` on the server at `api_base`: asked for with the cached ETag, if any.
pub async fn load(api_base: &str, site: &str) -> Result<SiteSettings, SiteError> {
    let url = format!(
        "{api_base}{SITES_PATH}/{}",
        js_sys::encode_uri_component(site)
    );
    let cached = CACHE.with_borrow(|c| c.iter().find(|e| e.0 == url).cloned());
    let etag = cached.as_ref().map_or("", |e| e.1.as_str());
    let answer = crate::api::fetch("GET", &url, &[("If-None-Match", etag)], None)
        .await
        .map_err(|_| SiteError::Network)?;
    let settings = read(answer.status, &answer.text, cached.as_ref().map(|e| &e.2))?;
    if let Some(etag) = answer.header("etag") {
        CACHE.with_borrow_mut(|c| {
            c.retain(|e| e.0 != url);
            c.push((url, etag, settings.clone()));
        });
    }
    Ok(settings)
}

/// Where the callback slots of `site` are listed.
pub fn slots_url(api_base: &str, site: &str) -> String {
    format!(
        "{api_base}{SITES_PATH}/{}{CALLBACK_SLOTS_SUBPATH}",
        js_sys::encode_uri_component(site)
    )
}

/// The UTC starts of the callback slots listed at `url`, earliest first; none when they cannot be had
/// (the widget then says so, and calls as soon as possible).
pub async fn callback_slots(url: &str) -> Vec<String> {
    match crate::api::fetch("GET", url, &[], None).await {
        Ok(answer) if answer.status == 200 => crate::wire::slots(&answer.text).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Reads an answer: `200` carries the settings, `304` confirms the cached ones, another 4xx says why not.
fn read(status: u16, body: &str, cached: Option<&SiteSettings>) -> Result<SiteSettings, SiteError> {
    match (status, cached) {
        (200, _) => crate::wire::settings(body).ok_or(SiteError::Unexpected),
        (304, Some(cached)) => Ok(cached.clone()),
        (400..=499, _) => Err(crate::wire::error_body(body)
            .map_or(SiteError::Unexpected, |e: ErrorBody| {
                SiteError::Refused(e.message)
            })),
        _ => Err(SiteError::Unexpected),
    }
}

/// The reasons to offer: the site's, in its order, narrowed to those the page named in `data-reasons`
/// (all of the site's when the page named none, or none the site offers).
pub fn reasons(settings: &SiteSettings, page: &[RequestReason]) -> Vec<Choice<RequestReason>> {
    let narrowed: Vec<_> = settings
        .reasons
        .iter()
        .filter(|c| page.contains(&c.value))
        .cloned()
        .collect();
    if narrowed.is_empty() {
        settings.reasons.clone()
    } else {
        narrowed
    }
}

/// The rules the form checks before sending: the site's, with the reasons narrowed as offered.
pub fn rules(settings: &SiteSettings, page: &[RequestReason]) -> FormRules {
    FormRules {
        reasons: reasons(settings, page)
            .iter()
            .map(|c| c.value.clone())
            .collect(),
        ..settings.rules()
    }
}

/// What a choice is called: the site's own label when it set one, else the locale's for the value
/// (`standard` is the label the server gives a choice the site did not relabel), else the server's (an
/// organisation's own reason, which no locale names).
pub fn label(choice: &str, standard: &str, localised: impl FnOnce() -> Option<String>) -> String {
    if choice == standard
        && let Some(localised) = localised()
    {
        localised
    } else {
        choice.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use contact_shared::PreferredChannel;

    use super::*;

    fn settings() -> SiteSettings {
        let choice = |value: &str, label: &str| Choice {
            value: reason(value),
            label: label.to_owned(),
        };
        SiteSettings {
            key: "northwind".into(),
            name: "Northwind Plumbing".into(),
            sign_in_required: false,
            reasons: vec![
                choice("Order", "A booking"),
                choice("Billing", "Billing"),
                choice("Other", "Other"),
            ],
            channels: vec![Choice {
                value: PreferredChannel::Email,
                label: "Email".into(),
            }],
            default_country_code: Some("44".into()),
            callback_slots: false,
            direct: Vec::new(),
        }
    }

    fn reason(value: &str) -> RequestReason {
        RequestReason::parse(value).unwrap()
    }

    #[test]
    fn the_page_narrows_the_site_s_reasons_but_keeps_the_site_s_order_and_labels() {
        let [order, billing, other, product] = ["Order", "Billing", "Other", "Product"].map(reason);
        let table = [
            (
                vec![],
                vec![&order, &billing, &other],
                "the page named none",
            ),
            (
                vec![&other, &order],
                vec![&order, &other],
                "the site's order wins",
            ),
            (
                vec![&billing, &product],
                vec![&billing],
                "a reason the site does not offer is not shown",
            ),
            (
                vec![&product],
                vec![&order, &billing, &other],
                "nothing in common: the site's",
            ),
        ];
        for (page, expected, why) in table {
            let page: Vec<RequestReason> = page.into_iter().cloned().collect();
            let expected: Vec<RequestReason> = expected.into_iter().cloned().collect();
            let offered = reasons(&settings(), &page);
            let values: Vec<_> = offered.iter().map(|c| c.value.clone()).collect();
            assert_eq!(values, expected, "{why}");
            assert_eq!(rules(&settings(), &page).reasons, expected, "{why}");
        }
        assert_eq!(reasons(&settings(), &[order])[0].label, "A booking");
    }

    #[test]
    fn the_site_s_rules_reach_the_form() {
        let rules = rules(&settings(), &[]);
        assert_eq!(rules.channels, [PreferredChannel::Email]);
        assert_eq!(rules.default_country_code.as_deref(), Some("44"));
        assert_eq!(rules.default_channel(), PreferredChannel::Email);
    }

    #[test]
    fn a_site_s_own_label_wins_a_standard_one_is_translated_and_an_untranslated_one_is_kept() {
        assert_eq!(
            label("A booking", "Order", || Some("Commande".into())),
            "A booking"
        );
        assert_eq!(
            label("Order", "Order", || Some("Commande".into())),
            "Commande"
        );
        // An organisation's own reason, which no locale has: the server's label.
        assert_eq!(label("Warranty", "Warranty", || None), "Warranty");
    }

    #[test]
    fn answers_are_read_as_settings_a_cached_copy_or_the_server_s_reason() {
        let json = serde_json::to_string(&settings()).unwrap();
        let refused = r#"{"message":"This page's origin https://evil.example is not allowed to use Northwind Plumbing's contact form."}"#;
        let table = [
            (200, json.as_str(), None, Ok(settings()), "a fresh copy"),
            (304, "", Some(settings()), Ok(settings()), "unchanged"),
            (304, "", None, Err(SiteError::Unexpected), "unchanged, but nothing cached"),
            (
                403,
                refused,
                Some(settings()),
                Err(SiteError::Refused(
                    "This page's origin https://evil.example is not allowed to use Northwind Plumbing's contact form."
                        .into(),
                )),
                "an origin the site does not allow",
            ),
            (
                404,
                r#"{"message":"There is no site \"nope\"."}"#,
                None,
                Err(SiteError::Refused("There is no site \"nope\".".into())),
                "an unknown site",
            ),
            (502, "<html>", None, Err(SiteError::Unexpected), "a proxy's page"),
            (200, "{}", None, Err(SiteError::Unexpected), "a body without settings"),
        ];
        for (status, body, cached, expected, why) in table {
            assert_eq!(read(status, body, cached.as_ref()), expected, "{why}");
        }
    }
}
