//! Which addresses a delivery may reach: none that is loopback, private, link-local or otherwise
//! internal, checked on the addresses the name resolves to at delivery time (so a name that later
//! resolves inward, DNS rebinding, is refused too), unless the operator allows private targets.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// An endpoint's URL, from the webhooks file or the API alike: `https://` (or `http://`, delivered to only
/// when private targets are allowed) with a host.
pub fn endpoint_url(text: &str) -> Result<reqwest::Url, String> {
    reqwest::Url::parse(text.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some())
        .ok_or_else(|| "url must be an https:// address of the receiver".into())
}

/// Why a delivery may not be posted to `url` at all, before any name is resolved: not `https://`, or an
/// internal address written in the URL itself (which no resolver sees); `None` when private targets are
/// allowed.
pub fn refusal(url: &reqwest::Url, allow_private: bool) -> Option<&'static str> {
    if allow_private {
        return None;
    }
    if url.scheme() != "https" {
        return Some("the endpoint is not https://");
    }
    let literal = url
        .host_str()
        .map(|host| host.trim_start_matches('[').trim_end_matches(']'))
        .and_then(|host| host.parse::<IpAddr>().ok());
    literal
        .is_some_and(|ip| !is_public(ip))
        .then_some("the endpoint's address is internal")
}

/// Whether `ip` is on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => public_v4(v4),
            None => public_v6(v6),
        },
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        // Shared address space (carrier-grade NAT) and the reserved 240/4.
        || (a == 100 && (64..128).contains(&b))
        || a >= 240)
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // Unique local fc00::/7 and link-local fe80::/10.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80)
}

/// The resolver of deliveries when private targets are not allowed: a name's internal addresses are
/// dropped, and a name with only internal ones is refused.
pub struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let public: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|addr| is_public(addr.ip()))
                .collect();
            if public.is_empty() {
                return Err(format!("{host} resolves only to internal addresses").into());
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_refused_and_public_ones_taken() {
        for (ip, public, what) in [
            ("127.0.0.1", false, "loopback"),
            ("10.1.2.3", false, "10/8"),
            ("172.16.0.1", false, "172.16/12"),
            ("172.31.255.255", false, "172.16/12, its end"),
            ("192.168.1.1", false, "192.168/16"),
            (
                "169.254.169.254",
                false,
                "link-local, the cloud metadata address",
            ),
            ("0.0.0.0", false, "unspecified"),
            ("100.64.0.1", false, "shared address space"),
            ("::1", false, "IPv6 loopback"),
            ("fc00::1", false, "unique local"),
            ("fd12:3456::1", false, "unique local"),
            ("fe80::1", false, "IPv6 link-local"),
            ("::ffff:127.0.0.1", false, "IPv4-mapped loopback"),
            ("93.184.215.14", true, "a public IPv4 address"),
            ("172.32.0.1", true, "just past 172.16/12"),
            (
                "2606:2800:21f:cb07:6820:80da:af6b:8b2c",
                true,
                "a public IPv6 address",
            ),
        ] {
            assert_eq!(is_public(ip.parse().unwrap()), public, "{what}: {ip}");
        }
    }

    #[tokio::test]
    async fn a_name_resolving_to_loopback_is_refused() {
        let resolved = PublicOnly.resolve("localhost".parse().unwrap()).await;
        assert!(resolved.is_err());
    }
}
