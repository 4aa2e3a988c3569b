//! Which address a request comes from, for throttling: the TCP peer, or — only when the peer
//! is one of the configured reverse proxies — the address that proxy names in
//! `X-Forwarded-For`. Forwarded addresses from anyone else are ignored (a client can write any
//! header it likes).
use std::net::IpAddr;

/// One trusted proxy: an address, or a network in CIDR notation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = if self.prefix == 0 { 0 } else { u32::MAX << (32 - u32::from(self.prefix)) };
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = if self.prefix == 0 { 0 } else { u128::MAX << (128 - u32::from(self.prefix)) };
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) is that IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The reverse proxies whose `X-Forwarded-For` is believed (none by default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Net>);

impl TrustedProxies {
    /// Parses a comma- or space-separated list: `10.0.0.1, 10.1.0.0/16, fd00::/8`.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut nets = Vec::new();
        for item in list.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()) {
            let (addr, prefix) = match item.split_once('/') {
                Some((a, p)) => (a, Some(p)),
                None => (item, None),
            };
            // not user text: the operator's --trusted-proxies
            let addr: IpAddr = addr.parse().map_err(|_| format!("not an IP address: {item}"))?;
            let addr = canonical(addr);
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let prefix = match prefix {
                // not user text: the operator's --trusted-proxies
                Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(|| format!("not a network prefix: {item}"))?,
                None => max,
            };
            nets.push(Net { addr, prefix });
        }
        Ok(Self(nets))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The client's address: `peer` unless `peer` is a trusted proxy; then the nearest address
    /// in `forwarded_for` (the `X-Forwarded-For` values, in order) that is not itself a trusted
    /// proxy, read from the right, since each proxy appends the address it saw. An entry that is
    /// not an address stops the walk at the last proxy that vouched for it.
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let mut client = peer;
        for entry in forwarded_for.iter().rev().flat_map(|h| h.rsplit(',')).map(str::trim) {
            let Some(ip) = parse_entry(entry) else { break };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

/// `203.0.113.7`, `2001:db8::1`, `[2001:db8::1]:4711` or `203.0.113.7:4711`.
fn parse_entry(entry: &str) -> Option<IpAddr> {
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    entry.parse::<std::net::SocketAddr>().ok().map(|s| canonical(s.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("198.51.100.9"), &["203.0.113.7"]), ip("198.51.100.9"), "no proxies configured: the peer");

        let p = TrustedProxies::parse("10.0.0.0/8, 192.168.1.10 fd00::/8").unwrap();
        assert!(p.trusts(ip("10.200.3.4")) && p.trusts(ip("192.168.1.10")) && p.trusts(ip("fd12::1")) && p.trusts(ip("::ffff:10.0.0.1")));
        assert!(!p.trusts(ip("192.168.1.11")) && !p.trusts(ip("11.0.0.1")));
        // A stranger's own header is ignored.
        assert_eq!(p.client(ip("198.51.100.9"), &["10.0.0.1"]), ip("198.51.100.9"));
        // The proxy names the client.
        assert_eq!(p.client(ip("10.0.0.2"), &["203.0.113.7"]), ip("203.0.113.7"));
        // A client's forged entry on the left is skipped: the right-most untrusted one counts.
        assert_eq!(p.client(ip("10.0.0.2"), &["1.2.3.4, 203.0.113.7"]), ip("203.0.113.7"));
        assert_eq!(p.client(ip("10.0.0.2"), &["1.2.3.4", "203.0.113.7, 10.0.0.3"]), ip("203.0.113.7"), "two proxies, two headers");
        // Ports and brackets.
        assert_eq!(p.client(ip("10.0.0.2"), &["[2001:db8::1]:4711"]), ip("2001:db8::1"));
        assert_eq!(p.client(ip("10.0.0.2"), &["203.0.113.7:80"]), ip("203.0.113.7"));
        // Garbage stops at the last proxy that vouched; no header: the proxy itself.
        assert_eq!(p.client(ip("10.0.0.2"), &["203.0.113.7, unknown"]), ip("10.0.0.2"));
        assert_eq!(p.client(ip("10.0.0.2"), &[]), ip("10.0.0.2"));
        // IPv4-mapped peers are their IPv4 address.
        assert_eq!(p.client(ip("::ffff:10.0.0.2"), &["203.0.113.7"]), ip("203.0.113.7"));
        assert_eq!(TrustedProxies::parse("").unwrap(), TrustedProxies::default());
        assert!(TrustedProxies::parse("0.0.0.0/0").unwrap().trusts(ip("8.8.8.8")));
        for bad in ["10.0.0.0/33", "proxy.example", "10.0.0.1/x", "::/129"] {
            assert!(TrustedProxies::parse(bad).is_err(), "{bad}");
        }
    }
}
