//! EDNS Client Subnet (RFC 7871): which address places the client, and whether the option is
//! well formed. hickory-proto already refuses (FORMERR, before our handler runs) an unknown
//! family, a source prefix longer than the address and too few address octets; what it lets
//! through and we refuse here: address bits set beyond the source prefix, and too many address
//! octets (only visible in the raw message).

pub use crate::net::mask;

use hickory_proto::op::{Edns, Header, Query};
use hickory_proto::rr::rdata::opt::{ClientSubnet, EdnsCode, EdnsOption};
use hickory_proto::rr::{Name, Record, RecordType};
use hickory_proto::serialize::binary::{BinDecodable, BinDecoder};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ecs {
    /// No EDNS, or no ECS option.
    Absent,
    Valid(ClientSubnet),
    /// Malformed: answer FORMERR (RFC 7871 §7.1.2).
    Malformed,
}

/// `question_len`: the length of the question section as received (so the raw walk can start
/// after it instead of parsing it again).
pub fn check(edns: Option<&Edns>, raw_request: &[u8], question_len: usize) -> Ecs {
    let Some(EdnsOption::Subnet(subnet)) = edns.and_then(|e| e.option(EdnsCode::Subnet)) else {
        return Ecs::Absent;
    };
    if mask(subnet.addr(), subnet.source_prefix()) != subnet.addr() {
        return Ecs::Malformed;
    }
    match raw_ecs_len(raw_request, question_len) {
        Some(len) if len != 4 + usize::from(subnet.source_prefix()).div_ceil(8) => Ecs::Malformed,
        _ => Ecs::Valid(*subnet),
    }
}

/// The length of the raw ECS option data in the message's OPT record, if any.
fn raw_ecs_len(message: &[u8], question_len: usize) -> Option<usize> {
    let mut d = BinDecoder::new(message);
    let header = Header::read(&mut d).ok()?;
    if header.counts.queries == 1 && message.len() >= 12 + question_len {
        d.read_slice(question_len).ok()?;
    } else {
        for _ in 0..header.counts.queries {
            Query::read(&mut d).ok()?;
        }
    }
    for _ in 0..u32::from(header.counts.answers) + u32::from(header.counts.authorities) {
        Record::read(&mut d).ok()?;
    }
    for _ in 0..header.counts.additionals {
        Name::read(&mut d).ok()?;
        let rtype = d.read_u16().ok()?.unverified();
        let _class = d.read_u16().ok()?.unverified();
        let _ttl = d.read_u32().ok()?.unverified();
        let len = d.read_u16().ok()?.unverified();
        let rdata = d.read_slice(usize::from(len)).ok()?.unverified();
        if RecordType::from(rtype) != RecordType::OPT {
            continue;
        }
        let mut options = BinDecoder::new(rdata);
        while !options.is_empty() {
            let code = options.read_u16().ok()?.unverified();
            let len = options.read_u16().ok()?.unverified();
            options.read_slice(usize::from(len)).ok()?;
            if EdnsCode::from(code) == EdnsCode::Subnet {
                return Some(usize::from(len));
            }
        }
    }
    None
}
