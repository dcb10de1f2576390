//! Who the client is: the peer address, or the address a trusted proxy says it forwarded for.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::Request;

/// A proxy whose `X-Forwarded-For` header is believed: one address or a CIDR block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedProxy {
    network: IpAddr,
    prefix: u8,
}

impl TrustedProxy {
    /// Parses `10.0.0.1`, `10.0.0.0/8` or `fd00::/8`.
    pub fn parse(value: &str) -> Result<Self, String> {
        let (addr, prefix) = value.trim().split_once('/').unwrap_or((value.trim(), ""));
        let network: IpAddr = addr
            .parse()
            .map_err(|_| format!("trusted proxy {value:?} is not an IP address or CIDR block"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = if prefix.is_empty() {
            max
        } else {
            prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("trusted proxy {value:?}: the prefix must be 0 to {max}"))?
        };
        Ok(Self { network, prefix })
    }

    /// Whether `ip` is in this block.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// The client's address: the peer's, unless the peer is a trusted proxy, in which case the right-most
/// `X-Forwarded-For` entry that is not itself a trusted proxy (entries further left are client-written).
/// Requests without a peer address (in-process tests) read as the unspecified address.
pub fn client_ip<B>(request: &Request<B>, trusted: &[TrustedProxy]) -> IpAddr {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |ConnectInfo(addr)| {
            canonical(addr.ip())
        });
    let is_trusted = |ip: IpAddr| trusted.iter().any(|t| t.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let forwarded = request
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|entry| entry.trim().parse::<IpAddr>().map(canonical))
        .collect::<Vec<_>>();
    for entry in forwarded.into_iter().rev() {
        match entry {
            Ok(ip) if is_trusted(ip) => continue,
            Ok(ip) => return ip,
            // A malformed hop means the chain cannot be followed further: the last good hop is the client.
            Err(_) => break,
        }
    }
    peer
}

/// IPv4-mapped IPv6 addresses as IPv4, so one client has one key.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;

    use super::*;

    fn request(peer: &str, forwarded: Option<&str>) -> Request<Body> {
        let mut request = Request::new(Body::empty());
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(peer.parse().unwrap(), 40000)));
        if let Some(forwarded) = forwarded {
            request
                .headers_mut()
                .insert("x-forwarded-for", forwarded.parse().unwrap());
        }
        request
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_proxy() {
        let trusted = [
            TrustedProxy::parse("10.0.0.0/8").unwrap(),
            TrustedProxy::parse("::1").unwrap(),
        ];
        let table = [
            (
                "203.0.113.9",
                Some("198.51.100.1"),
                "203.0.113.9",
                "an untrusted peer's header is ignored",
            ),
            (
                "10.1.2.3",
                Some("198.51.100.1"),
                "198.51.100.1",
                "a trusted proxy names the client",
            ),
            (
                "10.1.2.3",
                Some("6.6.6.6, 198.51.100.1, 10.9.9.9"),
                "198.51.100.1",
                "the client-written left part is skipped",
            ),
            (
                "10.1.2.3",
                None,
                "10.1.2.3",
                "a trusted peer without the header is the client",
            ),
            (
                "10.1.2.3",
                Some("junk"),
                "10.1.2.3",
                "a malformed header falls back to the peer",
            ),
            (
                "::1",
                Some("198.51.100.7"),
                "198.51.100.7",
                "IPv6 proxies work too",
            ),
            (
                "::ffff:10.1.2.3",
                Some("198.51.100.8"),
                "198.51.100.8",
                "IPv4-mapped peers match IPv4 blocks",
            ),
        ];
        for (peer, forwarded, expected, why) in table {
            assert_eq!(
                client_ip(&request(peer, forwarded), &trusted).to_string(),
                expected,
                "{why}"
            );
        }
    }

    #[test]
    fn proxies_parse_as_addresses_or_blocks() {
        assert!(
            TrustedProxy::parse("192.168.0.0/16")
                .unwrap()
                .contains("192.168.4.5".parse().unwrap())
        );
        assert!(
            !TrustedProxy::parse("192.168.0.0/16")
                .unwrap()
                .contains("192.169.0.1".parse().unwrap())
        );
        assert!(
            TrustedProxy::parse("0.0.0.0/0")
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
        for (bad, why) in [
            ("proxy.local", "not an IP"),
            ("10.0.0.0/33", "prefix"),
            ("::/129", "prefix"),
        ] {
            assert!(TrustedProxy::parse(bad).unwrap_err().contains(why), "{bad}");
        }
    }
}
