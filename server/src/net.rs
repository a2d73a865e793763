//! Networks, and where the server's own outbound requests may go.
//!
//! Probes, webhooks and the SMS gateway are requests a tenant aims; aimed at the server's own
//! loopback, its cloud metadata address or the operator's private networks they would be a way
//! in (SSRF). So by default they reach **public** addresses only: never the special-use ranges
//! below. The operator opens ranges per kind of request (`--probe-networks`,
//! `--webhook-networks`: `public` and/or CIDRs). The check is made on the address actually
//! connected to, after name resolution, so a name that resolves to 127.0.0.1 (or rebinds to it
//! between two lookups) is refused too.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A network, e.g. `10.0.0.0/8` or `2001:db8::/32` (a bare address is a /32 or /128).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Network {
    address: IpAddr,
    prefix: u8,
}

impl std::str::FromStr for Network {
    type Err = String;

    fn from_str(text: &str) -> Result<Network, String> {
        let (address, prefix) = text.split_once('/').unwrap_or((text, ""));
        let address: IpAddr = address
            .trim()
            .parse()
            .map_err(|_| format!("\"{text}\" is not a network like 10.0.0.0/8"))?;
        let longest = if address.is_ipv4() { 32 } else { 128 };
        let prefix = if prefix.is_empty() {
            longest
        } else {
            prefix
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= longest)
                .ok_or_else(|| format!("\"{text}\": the prefix must be 0..={longest}"))?
        };
        Ok(Network {
            address: mask(address, prefix),
            prefix,
        })
    }
}

/// Zeroes every bit after `prefix`.
pub fn mask(addr: IpAddr, prefix: u8) -> IpAddr {
    match addr {
        IpAddr::V4(a) => {
            let m = u32::MAX
                .checked_shl(32 - u32::from(prefix.min(32)))
                .unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(u32::from(a) & m))
        }
        IpAddr::V6(a) => {
            let m = u128::MAX
                .checked_shl(128 - u32::from(prefix.min(128)))
                .unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(u128::from(a) & m))
        }
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix)
    }
}

impl Network {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        ip.is_ipv4() == self.address.is_ipv4() && mask(ip, self.prefix) == self.address
    }
}

/// One entry of a `--…-networks` list: `public` or a network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReachEntry {
    Public,
    Network(Network),
}

impl std::str::FromStr for ReachEntry {
    type Err = String;

    fn from_str(text: &str) -> Result<ReachEntry, String> {
        if text.trim().eq_ignore_ascii_case("public") {
            Ok(ReachEntry::Public)
        } else {
            text.parse().map(ReachEntry::Network).map_err(|e| {
                format!("{e}; or \"public\" for every address outside the special-use ranges")
            })
        }
    }
}

/// Where one kind of outbound request may go, and the flag that says so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reach {
    /// The flag an operator changes it with (for messages: `--probe-networks`).
    flag: &'static str,
    public: bool,
    networks: Vec<Network>,
}

impl Reach {
    /// `entries` as given with `flag`; none given: public addresses only.
    pub fn new(flag: &'static str, entries: &[ReachEntry]) -> Reach {
        if entries.is_empty() {
            return Reach::public(flag);
        }
        Reach {
            flag,
            public: entries.contains(&ReachEntry::Public),
            networks: entries
                .iter()
                .filter_map(|e| match e {
                    ReachEntry::Network(n) => Some(*n),
                    ReachEntry::Public => None,
                })
                .collect(),
        }
    }

    /// The default: every public address, no special-use one.
    pub fn public(flag: &'static str) -> Reach {
        Reach {
            flag,
            public: true,
            networks: Vec::new(),
        }
    }

    pub fn flag(&self) -> &'static str {
        self.flag
    }

    /// Whether a request may connect to `ip`.
    pub fn allows(&self, ip: IpAddr) -> bool {
        self.opened(ip) || (self.public && special_use(ip).is_none())
    }

    /// Whether `ip` lies in a network the operator opened explicitly.
    pub fn opened(&self, ip: IpAddr) -> bool {
        self.networks.iter().any(|n| n.contains(ip))
    }

    /// Why a tenant may not aim a request at `ip`, when it is a special-use address the operator
    /// has not opened: the message for a refused endpoint or webhook (a 400). Public addresses
    /// pass here even when the list leaves them out: that narrows where requests go, it does
    /// not make an address dangerous to store.
    pub fn refusal(&self, ip: IpAddr) -> Option<String> {
        let kind = special_use(ip)?;
        (!self.opened(ip)).then(|| {
            format!(
                "{ip} is a {kind} address, which this server does not send requests to (the \
                 operator can open it with {})",
                self.flag
            )
        })
    }

    /// The same for a host name: `localhost` and names under `.localhost` are loopback
    /// (RFC 6761). Other names are checked on the address they resolve to, when connecting.
    pub fn refusal_of_name(&self, host: &str) -> Option<String> {
        if let Ok(ip) = host.trim_matches(['[', ']']).parse::<IpAddr>() {
            return self.refusal(ip);
        }
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let loopback = host == "localhost" || host.ends_with(".localhost");
        (loopback && !self.opened(IpAddr::V4(Ipv4Addr::LOCALHOST))).then(|| {
            format!(
                "{host} is a loopback name, which this server does not send requests to (the \
                 operator can open 127.0.0.0/8 with {})",
                self.flag
            )
        })
    }
}

impl fmt::Display for Reach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = self.networks.iter().map(ToString::to_string).collect();
        if self.public {
            parts.insert(0, "public".into());
        }
        write!(f, "{}", parts.join(","))
    }
}

/// The kind of special-use address `ip` is (loopback, private, link-local, …), or `None` for a
/// public one. IPv4 addresses inside IPv6 (mapped, NAT64, 6to4) are judged as IPv4.
pub fn special_use(ip: IpAddr) -> Option<&'static str> {
    match canonical(ip) {
        IpAddr::V4(v4) => special_v4(v4),
        IpAddr::V6(v6) => embedded_v4(v6).map_or_else(|| special_v6(v6), special_v4),
    }
}

fn special_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    Some(match (a, b) {
        (0, _) => "unspecified (0.0.0.0/8)",
        (127, _) => "loopback",
        (10, _) | (172, 16..=31) | (192, 168) => "private (RFC 1918)",
        (100, 64..=127) => "carrier-grade NAT (100.64.0.0/10)",
        (169, 254) => "link-local",
        (224..=239, _) => "multicast",
        (240..=255, _) => "reserved (240.0.0.0/4)",
        _ => return None,
    })
}

fn special_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    Some(if ip.is_unspecified() {
        "unspecified"
    } else if ip.is_loopback() {
        "loopback"
    } else if first & 0xffc0 == 0xfe80 {
        "link-local"
    } else if first & 0xffc0 == 0xfec0 {
        "site-local"
    } else if first & 0xfe00 == 0xfc00 {
        "unique local (fc00::/7)"
    } else if first & 0xff00 == 0xff00 {
        "multicast"
    } else {
        return None;
    })
}

/// The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`), NAT64 (`64:ff9b::/96`) or 6to4
/// (`2002::/16`) address: where a packet to it really goes.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let low =
        |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(low(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return Some(low(s[1], s[2]));
    }
    None
}

/// IPv4-mapped IPv6 addresses as the IPv4 address they are (so `::ffff:127.0.0.1` matches
/// `127.0.0.0/8`).
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("test address")
    }

    #[test]
    fn special_use_ranges_are_recognised() {
        for special in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "169.254.169.254",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "fe80::1",
            "fd00::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
        ] {
            assert!(special_use(ip(special)).is_some(), "{special}");
        }
        for public in [
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "192.0.2.1",
            "2001:db8::1",
            "2400:da00::1",
        ] {
            assert_eq!(special_use(ip(public)), None, "{public}");
        }
    }

    #[test]
    fn reach_defaults_to_public_and_opens_listed_networks() {
        let default = Reach::new("--probe-networks", &[]);
        assert!(default.allows(ip("8.8.8.8")));
        assert!(!default.allows(ip("127.0.0.1")));
        assert!(!default.allows(ip("::ffff:10.0.0.1")));
        let message = default.refusal(ip("169.254.169.254")).expect("refused");
        assert!(message.contains("link-local") && message.contains("--probe-networks"));

        let loopback_only =
            Reach::new("--probe-networks", &["127.0.0.0/8".parse().expect("entry")]);
        assert!(loopback_only.allows(ip("127.0.0.1")));
        assert!(!loopback_only.allows(ip("8.8.8.8")));
        // Narrowing to loopback does not make public addresses unsafe to store.
        assert_eq!(loopback_only.refusal(ip("192.0.2.1")), None);
        assert!(loopback_only.refusal(ip("10.0.0.1")).is_some());

        let both = Reach::new(
            "--webhook-networks",
            &[
                "public".parse().expect("entry"),
                "10.0.0.0/8".parse().expect("entry"),
            ],
        );
        assert!(both.allows(ip("8.8.8.8")) && both.allows(ip("10.9.9.9")));
        assert!(!both.allows(ip("192.168.0.1")));
        assert_eq!(both.to_string(), "public,10.0.0.0/8");
    }

    #[test]
    fn loopback_names_are_refused_unless_loopback_is_open() {
        let default = Reach::public("--webhook-networks");
        assert!(default.refusal_of_name("localhost").is_some());
        assert!(default.refusal_of_name("api.LOCALHOST.").is_some());
        assert!(default.refusal_of_name("[::1]").is_some());
        assert_eq!(default.refusal_of_name("hooks.example.com"), None);
        let open = Reach::new(
            "--webhook-networks",
            &["127.0.0.0/8".parse().expect("entry")],
        );
        assert_eq!(open.refusal_of_name("localhost"), None);
    }

    #[test]
    fn networks_parse_and_contain() {
        let n: Network = "10.0.0.0/8".parse().expect("network");
        assert!(n.contains(ip("10.200.1.1")) && !n.contains(ip("11.0.0.1")));
        assert!(n.contains(ip("::ffff:10.0.0.1")));
        assert!("10.0.0.0/33".parse::<Network>().is_err());
        assert!("public".parse::<ReachEntry>().is_ok());
        assert!("nowhere".parse::<ReachEntry>().is_err());
    }
}
