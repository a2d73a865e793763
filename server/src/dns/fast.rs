//! The UDP fast path. The common query — one question of class IN for A or AAAA, at most one OPT
//! record (version 0) with at most one well-formed client subnet, nothing else — for a domain
//! whose strategy has an answer is parsed and answered here byte by byte, into the caller's
//! buffer, without hickory's message types and without allocating.
//!
//! Everything else returns `None` and goes to the hickory handler, which stays the reference:
//! errors, NXDOMAIN, NODATA, apex records, TCP. The tests check that both paths give the same
//! answer for every query the fast path accepts.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use hickory_proto::rr::RecordType;

use super::answer::{self, Outcome, ZoneOf};
use super::edns::response_payload;
use super::handler::{Handler, ecs_scope};
use super::snapshot::Target;

const HEADER_LEN: usize = 12;
const CLASS_IN: u16 = 1;
const TYPE_A: u16 = 1;
const TYPE_CNAME: u16 = 5;
const TYPE_AAAA: u16 = 28;
const TYPE_OPT: u16 = 41;
const OPTION_ECS: u16 = 8;
/// The answer's owner: a compression pointer to the question's name, right after the header.
const POINTER_TO_QUESTION: [u8; 2] = [0xC0, HEADER_LEN as u8];

/// A query the fast path can answer, borrowed from the received datagram.
#[derive(Debug)]
struct Query<'q> {
    id: [u8; 2],
    recursion_desired: bool,
    checking_disabled: bool,
    /// The question section as received (its name keeps the client's letter case).
    question: &'q [u8],
    /// The question's name in wire format, without the root label.
    labels: &'q [u8],
    qtype: RecordType,
    opt: Option<Opt>,
}

#[derive(Debug)]
struct Opt {
    max_payload: u16,
    dnssec_ok: bool,
    subnet: Option<Subnet>,
}

#[derive(Clone, Copy, Debug)]
struct Subnet {
    addr: IpAddr,
    source_prefix: u8,
}

impl Handler {
    /// Answers `packet` into `out` and returns the answer's length, or `None` when the query is
    /// not of the common shape or its answer is not a strategy record: then the caller uses the
    /// hickory handler.
    pub fn answer_fast(
        &self,
        packet: &[u8],
        source: IpAddr,
        random: u64,
        out: &mut [u8],
    ) -> Option<usize> {
        let query = parse(packet)?;
        let mut key = [0u8; 255];
        let key = lowercase(query.labels, &mut key);
        let snapshot = self.answers.load();
        let domain = snapshot.domain_by_key(key)?;
        let (address, subnet) = match query.opt.as_ref().and_then(|o| o.subnet) {
            Some(s) if s.source_prefix > 0 => (s.addr, Some(s)),
            Some(s) => (source, Some(s)),
            None => (source, None),
        };
        let placement = self.locator.place(address);
        let zone = if domain.delegated {
            ZoneOf::Delegated(domain)
        } else {
            ZoneOf::Itm
        };
        let Outcome::Answer { domain, target } =
            answer::strategy_answer(domain, zone, query.qtype, placement.group, random)
        else {
            return None;
        };
        let mut w = Writer { out, len: 0 };
        w.header(&query)?;
        w.bytes(query.question)?;
        w.record(domain.ttl, target)?;
        if let Some(opt) = &query.opt {
            let scope = subnet.map(|s| ecs_scope(s.source_prefix, placement.prefix_len));
            w.opt(opt, subnet.zip(scope))?;
        }
        let limit = query
            .opt
            .as_ref()
            .map_or(512, |o| response_payload(o.max_payload));
        if w.len > usize::from(limit) {
            return None;
        }
        crate::metrics::dns_response(0, Some(placement.group));
        domain.tally.count(placement.group);
        Some(w.len)
    }
}

fn parse(packet: &[u8]) -> Option<Query<'_>> {
    let mut r = Reader { packet, at: 0 };
    let id = [r.u8()?, r.u8()?];
    let (flags_high, flags_low) = (r.u8()?, r.u8()?);
    // A query (QR clear) with opcode QUERY.
    if flags_high & 0xF8 != 0 {
        return None;
    }
    let (questions, answers, authorities, additionals) = (r.u16()?, r.u16()?, r.u16()?, r.u16()?);
    if questions != 1 || answers != 0 || authorities != 0 || additionals > 1 {
        return None;
    }
    let question_start = r.at;
    let labels = r.name()?;
    let qtype = match r.u16()? {
        TYPE_A => RecordType::A,
        TYPE_AAAA => RecordType::AAAA,
        _ => return None,
    };
    if r.u16()? != CLASS_IN {
        return None;
    }
    let question = &packet[question_start..r.at];
    let opt = if additionals == 1 {
        Some(r.opt()?)
    } else {
        None
    };
    if r.at != packet.len() {
        return None;
    }
    Some(Query {
        id,
        recursion_desired: flags_high & 0x01 != 0,
        checking_disabled: flags_low & 0x10 != 0,
        question,
        labels,
        qtype,
        opt,
    })
}

/// Lower-cases the name's ASCII letters into `buffer` (the snapshot's key form).
fn lowercase<'b>(labels: &[u8], buffer: &'b mut [u8; 255]) -> &'b [u8] {
    let key = &mut buffer[..labels.len()];
    key.copy_from_slice(labels);
    key.make_ascii_lowercase();
    key
}

struct Reader<'p> {
    packet: &'p [u8],
    at: usize,
}

impl<'p> Reader<'p> {
    fn take(&mut self, n: usize) -> Option<&'p [u8]> {
        let bytes = self.packet.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(bytes)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }

    /// An uncompressed name of at most 255 octets; returns its labels without the root.
    fn name(&mut self) -> Option<&'p [u8]> {
        let start = self.at;
        loop {
            match self.u8()? {
                0 => break,
                len @ 1..=63 => {
                    self.take(usize::from(len))?;
                }
                // Compression pointers and extended label types: not in the common shape.
                _ => return None,
            }
        }
        (self.at - start <= 255).then(|| &self.packet[start..self.at - 1])
    }

    /// The OPT pseudo-record (RFC 6891): root owner, version 0, options well formed.
    fn opt(&mut self) -> Option<Opt> {
        if self.u8()? != 0 || self.u16()? != TYPE_OPT {
            return None;
        }
        let max_payload = self.u16()?;
        let (extended_rcode, version, flags) = (self.u8()?, self.u8()?, self.u16()?);
        if extended_rcode != 0 || version != 0 {
            return None;
        }
        let length = self.u16()?;
        let mut options = Reader {
            packet: self.take(usize::from(length))?,
            at: 0,
        };
        let mut subnet = None;
        while options.at < options.packet.len() {
            let code = options.u16()?;
            let len = options.u16()?;
            let data = options.take(usize::from(len))?;
            if code == OPTION_ECS {
                if subnet.is_some() {
                    return None;
                }
                subnet = Some(client_subnet(data)?);
            }
        }
        Some(Opt {
            max_payload,
            dnssec_ok: flags & 0x8000 != 0,
            subnet,
        })
    }
}

/// A client subnet option (RFC 7871) that is exactly well formed: known family, source prefix
/// within the address, as many address octets as the prefix needs, no bits set beyond it.
fn client_subnet(data: &[u8]) -> Option<Subnet> {
    let (family, rest) = data.split_first_chunk::<2>()?;
    let (&[source_prefix, _scope], octets) = rest.split_first_chunk::<2>()?;
    if octets.len() != usize::from(source_prefix).div_ceil(8) {
        return None;
    }
    let addr = match u16::from_be_bytes(*family) {
        1 if source_prefix <= 32 => {
            let mut a = [0u8; 4];
            a[..octets.len()].copy_from_slice(octets);
            IpAddr::V4(Ipv4Addr::from(a))
        }
        2 if source_prefix <= 128 => {
            let mut a = [0u8; 16];
            a[..octets.len()].copy_from_slice(octets);
            IpAddr::V6(Ipv6Addr::from(a))
        }
        _ => return None,
    };
    (super::ecs::mask(addr, source_prefix) == addr).then_some(Subnet {
        addr,
        source_prefix,
    })
}

/// Writes the answer; every method returns `None` when `out` is too small.
struct Writer<'o> {
    out: &'o mut [u8],
    len: usize,
}

impl Writer<'_> {
    fn bytes(&mut self, bytes: &[u8]) -> Option<()> {
        let end = self.len.checked_add(bytes.len())?;
        self.out.get_mut(self.len..end)?.copy_from_slice(bytes);
        self.len = end;
        Some(())
    }

    fn u16(&mut self, value: u16) -> Option<()> {
        self.bytes(&value.to_be_bytes())
    }

    fn header(&mut self, query: &Query) -> Option<()> {
        // QR, opcode QUERY, AA; RD and CD copied from the query; RCODE NOERROR.
        let high = 0x80 | 0x04 | u8::from(query.recursion_desired);
        let low = if query.checking_disabled { 0x10 } else { 0 };
        self.bytes(&query.id)?;
        self.bytes(&[high, low])?;
        let additionals = u16::from(query.opt.is_some());
        for count in [1, 1, 0, additionals] {
            self.u16(count)?;
        }
        Some(())
    }

    fn record(&mut self, ttl: u32, target: &Target) -> Option<()> {
        self.bytes(&POINTER_TO_QUESTION)?;
        let rtype = match target {
            Target::A(_) => TYPE_A,
            Target::Aaaa(_) => TYPE_AAAA,
            Target::Cname(_) => TYPE_CNAME,
        };
        self.u16(rtype)?;
        self.u16(CLASS_IN)?;
        self.bytes(&ttl.to_be_bytes())?;
        match target {
            Target::A(ip) => {
                self.u16(4)?;
                self.bytes(&ip.octets())
            }
            Target::Aaaa(ip) => {
                self.u16(16)?;
                self.bytes(&ip.octets())
            }
            Target::Cname(name) => {
                let length_at = self.len;
                self.u16(0)?;
                for label in name.iter() {
                    self.bytes(&[label.len() as u8])?;
                    self.bytes(label)?;
                }
                self.bytes(&[0])?;
                let length = u16::try_from(self.len - length_at - 2).ok()?;
                self.out[length_at..length_at + 2].copy_from_slice(&length.to_be_bytes());
                Some(())
            }
        }
    }

    /// The answer's OPT record, echoing the client subnet with the scope that placed it.
    fn opt(&mut self, opt: &Opt, subnet: Option<(Subnet, u8)>) -> Option<()> {
        self.bytes(&[0])?;
        self.u16(TYPE_OPT)?;
        self.u16(response_payload(opt.max_payload))?;
        let flags: u16 = if opt.dnssec_ok { 0x8000 } else { 0 };
        self.bytes(&[0, 0])?;
        self.u16(flags)?;
        let Some((subnet, scope)) = subnet else {
            return self.u16(0);
        };
        let octets = usize::from(subnet.source_prefix).div_ceil(8);
        let option_len = 4 + octets as u16;
        self.u16(4 + option_len)?;
        self.u16(OPTION_ECS)?;
        self.u16(option_len)?;
        let (family, address) = match &subnet.addr {
            IpAddr::V4(a) => (1, &a.octets()[..]),
            IpAddr::V6(a) => (2, &a.octets()[..]),
        };
        self.u16(family)?;
        self.bytes(&[subnet.source_prefix, scope])?;
        self.bytes(&address[..octets])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(name: &[u8], qtype: u16, additional: &[u8]) -> Vec<u8> {
        let mut q = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0];
        q.push(u8::from(!additional.is_empty()));
        q.extend_from_slice(name);
        q.extend_from_slice(&qtype.to_be_bytes());
        q.extend_from_slice(&CLASS_IN.to_be_bytes());
        q.extend_from_slice(additional);
        q
    }

    fn opt_with(options: &[u8]) -> Vec<u8> {
        let mut o = vec![0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0];
        o.extend_from_slice(&(options.len() as u16).to_be_bytes());
        o.extend_from_slice(options);
        o
    }

    const NAME: &[u8] = b"\x03WwW\x07example\x00";

    #[test]
    fn the_common_shape_is_parsed() {
        let q = query(NAME, TYPE_AAAA, &[]);
        let parsed = parse(&q).expect("common shape");
        assert_eq!(parsed.labels, b"\x03WwW\x07example");
        assert_eq!(parsed.qtype, RecordType::AAAA);
        assert!(parsed.recursion_desired);
        assert!(parsed.opt.is_none());
        let mut key = [0u8; 255];
        assert_eq!(lowercase(parsed.labels, &mut key), b"\x03www\x07example");
    }

    #[test]
    fn ecs_is_read_exactly() {
        let ecs = [0, 8, 0, 7, 0, 1, 24, 0, 1, 2, 3];
        let q = query(NAME, TYPE_A, &opt_with(&ecs));
        let subnet = parse(&q).and_then(|p| p.opt).and_then(|o| o.subnet);
        let subnet = subnet.expect("a valid subnet");
        assert_eq!(subnet.addr, IpAddr::from([1, 2, 3, 0]));
        assert_eq!(subnet.source_prefix, 24);
    }

    #[test]
    fn anything_unusual_goes_to_the_slow_path() {
        let unusual: Vec<(&str, Vec<u8>)> = vec![
            ("MX query", query(NAME, 15, &[])),
            ("compressed name", query(b"\xC0\x0C", TYPE_A, &[])),
            ("bits beyond the source prefix", {
                query(NAME, TYPE_A, &opt_with(&[0, 8, 0, 7, 0, 1, 23, 0, 1, 2, 3]))
            }),
            ("too many address octets", {
                query(
                    NAME,
                    TYPE_A,
                    &opt_with(&[0, 8, 0, 8, 0, 1, 16, 0, 1, 2, 3, 0]),
                )
            }),
            ("unknown family", {
                query(NAME, TYPE_A, &opt_with(&[0, 8, 0, 4, 0, 3, 0, 0]))
            }),
            ("two subnets", {
                let one = [0, 8, 0, 4, 0, 1, 0, 0];
                query(NAME, TYPE_A, &opt_with(&[one, one].concat()))
            }),
            ("EDNS version 1", {
                let mut o = opt_with(&[]);
                o[6] = 1;
                query(NAME, TYPE_A, &o)
            }),
            (
                "truncated option",
                query(NAME, TYPE_A, &opt_with(&[0, 8, 0, 9, 0])),
            ),
            (
                "trailing bytes",
                [query(NAME, TYPE_A, &[]), vec![0]].concat(),
            ),
            ("a response", {
                let mut q = query(NAME, TYPE_A, &[]);
                q[2] |= 0x80;
                q
            }),
            ("opcode NOTIFY", {
                let mut q = query(NAME, TYPE_A, &[]);
                q[2] |= 4 << 3;
                q
            }),
            ("class CH", {
                let mut q = query(NAME, TYPE_A, &[]);
                let at = q.len() - 1;
                q[at] = 3;
                q
            }),
        ];
        for (what, packet) in unusual {
            assert!(parse(&packet).is_none(), "{what} taken by the fast path");
        }
    }
}
