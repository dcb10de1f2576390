//! Who the client is: the peer address, or the address a trusted proxy says it forwarded for, in
//! `X-Forwarded-For` or, for proxies marked so, RFC 7239's `Forwarded`.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::Request;

/// A proxy whose forwarding header is believed: one address or a CIDR block, and the header it writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedProxy {
    network: IpAddr,
    prefix: u8,
    header: ForwardingHeader,
}

/// The header a trusted proxy names its client in. A proxy writes one of them; the other is whatever the
/// client sent, so only the proxy's own is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ForwardingHeader {
    XForwardedFor,
    Forwarded,
}

/// The prefix that marks a proxy writing `Forwarded` instead of `X-Forwarded-For`.
const FORWARDED_MARK: &str = "forwarded=";

impl TrustedProxy {
    /// Parses `10.0.0.1`, `10.0.0.0/8` or `fd00::/8`; with `forwarded=` before it, the proxy names its
    /// clients in `Forwarded` rather than `X-Forwarded-For`.
    pub fn parse(value: &str) -> Result<Self, String> {
        let trimmed = value.trim();
        let (header, block) = match trimmed.strip_prefix(FORWARDED_MARK) {
            Some(block) => (ForwardingHeader::Forwarded, block),
            None => (ForwardingHeader::XForwardedFor, trimmed),
        };
        let (addr, prefix) = block.split_once('/').unwrap_or((block, ""));
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
        Ok(Self {
            network,
            prefix,
            header,
        })
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

/// The client's address: the peer's, unless the peer is a trusted proxy, in which case the right-most hop
/// of its forwarding header that is not itself a trusted proxy (hops further left are client-written).
/// A hop that names no address (`unknown`, an obfuscated name, junk) ends the chain: the nearest hop
/// walked past is then the client. Requests without a peer address (in-process tests) read as the
/// unspecified address.
pub fn client_ip<B>(request: &Request<B>, trusted: &[TrustedProxy]) -> IpAddr {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |ConnectInfo(addr)| {
            canonical(addr.ip())
        });
    let Some(proxy) = trusted.iter().find(|t| t.contains(peer)) else {
        return peer;
    };
    let is_trusted = |ip: IpAddr| trusted.iter().any(|t| t.contains(ip));
    let values = request
        .headers()
        .get_all(match proxy.header {
            ForwardingHeader::XForwardedFor => "x-forwarded-for",
            ForwardingHeader::Forwarded => "forwarded",
        })
        .iter()
        .map(|v| v.to_str().ok());
    let mut hops: Vec<Option<IpAddr>> = Vec::new();
    for value in values {
        let Some(value) = value else {
            // A header that is not text cannot be followed: only what comes after it counts.
            hops.clear();
            hops.push(None);
            continue;
        };
        hops.extend(value.split(',').map(|element| match proxy.header {
            ForwardingHeader::XForwardedFor => node(element.trim()),
            ForwardingHeader::Forwarded => forwarded_for(element),
        }));
    }
    let mut nearest = peer;
    for hop in hops.into_iter().rev() {
        match hop.map(canonical) {
            Some(ip) if is_trusted(ip) => nearest = ip,
            Some(ip) => return ip,
            None => break,
        }
    }
    nearest
}

/// The `for=` node of one `Forwarded` element, if it names an address.
fn forwarded_for(element: &str) -> Option<IpAddr> {
    let value = element.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("for")
            .then_some(value.trim())
    })?;
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    node(value)
}

/// An address written as a proxy writes a hop: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`,
/// `[2001:db8::1]` or `[2001:db8::1]:4711` (RFC 7239 allows an obfuscated port, `_name`).
fn node(value: &str) -> Option<IpAddr> {
    let port_ok = |port: &str| port.parse::<u16>().is_ok() || port.starts_with('_');
    if let Some(rest) = value.strip_prefix('[') {
        let (addr, after) = rest.split_once(']')?;
        if !(after.is_empty() || after.strip_prefix(':').is_some_and(port_ok)) {
            return None;
        }
        return addr.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    if let Ok(ip) = value.parse::<IpAddr>() {
        return Some(ip);
    }
    let (addr, port) = value.rsplit_once(':')?;
    let ip = addr.parse::<std::net::Ipv4Addr>().ok()?;
    port_ok(port).then_some(IpAddr::V4(ip))
}

/// IPv4-mapped IPv6 addresses as IPv4, so one client has one key.
pub fn canonical(ip: IpAddr) -> IpAddr {
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

    fn request_with(peer: &str, headers: &[(&str, &str)]) -> Request<Body> {
        let mut request = request(peer, None);
        for (name, value) in headers {
            request.headers_mut().append(
                axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        request
    }

    type Row<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str, &'a str);

    #[test]
    fn forwarded_hops_are_read_with_ports_brackets_and_quotes() {
        let trusted = [
            TrustedProxy::parse("10.0.0.0/8").unwrap(),
            TrustedProxy::parse("forwarded=192.168.0.0/16").unwrap(),
        ];
        let xff = "x-forwarded-for";
        let fwd = "forwarded";
        // Peer, headers, the client, and what the row checks.
        let table: &[Row] = &[
            (
                "10.0.0.1",
                &[(xff, "198.51.100.1:4711")],
                "198.51.100.1",
                "ip:port",
            ),
            (
                "10.0.0.1",
                &[(xff, "[2001:db8::1]:443")],
                "2001:db8::1",
                "[v6]:port",
            ),
            ("10.0.0.1", &[(xff, "[2001:db8::1]")], "2001:db8::1", "[v6]"),
            (
                "10.0.0.1",
                &[(xff, "2001:db8::1")],
                "2001:db8::1",
                "bare v6",
            ),
            (
                "10.0.0.1",
                &[(xff, "6.6.6.6, 198.51.100.2:80, 10.9.9.9:1")],
                "198.51.100.2",
                "trusted hops with ports are skipped",
            ),
            (
                "10.0.0.1",
                &[(xff, "198.51.100.1:99999")],
                "10.0.0.1",
                "a port out of range is junk",
            ),
            (
                "10.0.0.1",
                &[(xff, "[2001:db8::1]x")],
                "10.0.0.1",
                "junk after the bracket",
            ),
            (
                "10.0.0.1",
                &[(xff, "6.6.6.6"), (xff, "198.51.100.3")],
                "198.51.100.3",
                "the last header line is the nearest",
            ),
            (
                "10.0.0.1",
                &[(fwd, "for=198.51.100.1")],
                "10.0.0.1",
                "an X-Forwarded-For proxy's Forwarded is client-written",
            ),
            (
                "192.168.1.1",
                &[(xff, "198.51.100.1")],
                "192.168.1.1",
                "a Forwarded proxy's X-Forwarded-For is client-written",
            ),
            (
                "192.168.1.1",
                &[(fwd, "for=198.51.100.4")],
                "198.51.100.4",
                "for=",
            ),
            (
                "192.168.1.1",
                &[(fwd, "For=198.51.100.4;proto=https;by=192.168.1.1")],
                "198.51.100.4",
                "with other pairs, any case",
            ),
            (
                "192.168.1.1",
                &[(fwd, "for=\"198.51.100.5:4711\"")],
                "198.51.100.5",
                "quoted with a port",
            ),
            (
                "192.168.1.1",
                &[(fwd, "for=\"[2001:db8:cafe::17]:4711\"")],
                "2001:db8:cafe::17",
                "quoted, bracketed, with a port",
            ),
            (
                "192.168.1.1",
                &[(fwd, "for=\"[2001:db8:cafe::17]:_p1\"")],
                "2001:db8:cafe::17",
                "an obfuscated port",
            ),
            (
                "192.168.1.1",
                &[(fwd, "for=6.6.6.6, for=198.51.100.6, for=192.168.3.3")],
                "198.51.100.6",
                "trusted hops are skipped",
            ),
            (
                "192.168.1.1",
                &[(fwd, "for=198.51.100.7, for=unknown")],
                "192.168.1.1",
                "unknown ends the chain",
            ),
            (
                "192.168.1.1",
                &[(fwd, "for=198.51.100.7, for=_hidden, for=192.168.3.3")],
                "192.168.3.3",
                "an obfuscated name ends the chain at the nearest hop",
            ),
            (
                "192.168.1.1",
                &[(fwd, "proto=https")],
                "192.168.1.1",
                "an element without for= ends the chain",
            ),
        ];
        for (peer, headers, expected, why) in table {
            assert_eq!(
                client_ip(&request_with(peer, headers), &trusted).to_string(),
                *expected,
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
            ("forwarded=", "not an IP"),
            ("forwarded:10.0.0.0/8", "not an IP"),
        ] {
            assert!(TrustedProxy::parse(bad).unwrap_err().contains(why), "{bad}");
        }
    }
}
