//! The hickory-server request handler: one DNS query in, one answer out. It places the client
//! (ECS or source address → IP database → user group), resolves against the current snapshot
//! and writes the message. Everything unusual (bad opcode, EDNS version, malformed ECS, several
//! questions, classes other than IN) gets the error RFC 1035/6891/7871 prescribe.

use std::sync::Arc;

use hickory_proto::op::{Edns, Header, HeaderCounts, Metadata, OpCode, ResponseCode};
use hickory_proto::rr::rdata::opt::{ClientSubnet, EdnsOption};
use hickory_proto::rr::rdata::{A, AAAA, CNAME, NS, SOA};
use hickory_proto::rr::{DNSClass, LowerName, Name, RData, Record};
use hickory_server::net::NetError;
use hickory_server::net::runtime::Time;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::MessageResponseBuilder;

use super::answer::{self, ApexRecords, Outcome, ZoneOf};
use super::ecs::{self, Ecs};
use super::edns::response_payload;
use super::snapshot::{Answers, Target};
use crate::ipdb::Locator;

/// TTL of SOA and NS records.
const APEX_TTL: u32 = 3600;

/// ITM's zone: its apex, name servers and SOA values.
#[derive(Clone, Debug)]
pub struct ZoneConfig {
    pub apex: Name,
    pub name_servers: Vec<Name>,
    /// The SOA RNAME (the zone's contact, `hostmaster.<zone>`).
    pub rname: Name,
    pub refresh: u32,
    pub retry: u32,
    pub expire: u32,
    /// Negative-caching TTL (RFC 2308).
    pub minimum: u32,
}

#[derive(Clone)]
pub struct Handler {
    pub(super) answers: Arc<Answers>,
    pub(super) locator: Arc<Locator>,
    zone: ZoneConfig,
    apex: LowerName,
}

impl Handler {
    pub fn new(answers: Arc<Answers>, locator: Arc<Locator>, zone: ZoneConfig) -> Handler {
        let apex = LowerName::from(&zone.apex);
        Handler {
            answers,
            locator,
            zone,
            apex,
        }
    }

    /// The zone's name servers as operators type them (no trailing dot).
    pub fn name_server_names(&self) -> Vec<String> {
        self.zone
            .name_servers
            .iter()
            .map(|n| n.to_ascii().trim_end_matches('.').to_owned())
            .collect()
    }

    async fn respond<R: ResponseHandler>(
        &self,
        request: &Request,
        mut handle: R,
    ) -> Result<ResponseInfo, NetError> {
        let ecs = ecs::check(
            request.edns.as_ref(),
            request.as_slice(),
            request.queries.as_bytes().len(),
        );
        // Placement first: the answer's ECS option carries the scope it found.
        let address = match ecs {
            Ecs::Valid(subnet) if subnet.source_prefix() > 0 => subnet.addr(),
            _ => request.src().ip(),
        };
        let placement = self.locator.place(address);
        let mut edns = request.edns.as_ref().map(|asked| {
            let mut e = Edns::new();
            e.set_max_payload(response_payload(asked.max_payload()));
            e.set_dnssec_ok(asked.flags().dnssec_ok);
            e
        });
        if let (Some(e), Ecs::Valid(subnet)) = (edns.as_mut(), ecs) {
            let scope = ecs_scope(subnet.source_prefix(), placement.prefix_len);
            e.options_mut().insert(EdnsOption::Subnet(ClientSubnet::new(
                subnet.addr(),
                subnet.source_prefix(),
                scope,
            )));
        }
        let builder = MessageResponseBuilder::new(&request.queries, edns.as_ref());

        let error = match (&request.edns, ecs) {
            (Some(e), _) if e.version() > 0 => Some(ResponseCode::BADVERS),
            (_, Ecs::Malformed) => Some(ResponseCode::FormErr),
            _ if request.metadata.op_code != OpCode::Query => Some(ResponseCode::NotImp),
            _ => None,
        };
        if let Some(code) = error {
            return handle
                .send_response(builder.error_msg(&request.metadata, code))
                .await;
        }
        let Ok(info) = request.request_info() else {
            return handle
                .send_response(builder.error_msg(&request.metadata, ResponseCode::FormErr))
                .await;
        };
        if info.query.query_class() != DNSClass::IN {
            return handle
                .send_response(builder.error_msg(&request.metadata, ResponseCode::Refused))
                .await;
        }

        let snapshot = self.answers.load();
        let qname = info.query.name();
        let outcome = answer::resolve(
            &snapshot,
            &self.apex,
            qname,
            info.query.query_type(),
            placement.group,
            rand::random(),
        );
        let owner = info.query.original().name();
        let mut metadata = Metadata::response_from_request(&request.metadata);
        metadata.authoritative = true;
        let (answers, negative): (Vec<Record>, Option<Record>) = match outcome {
            Outcome::Refused => {
                return handle
                    .send_response(builder.error_msg(&request.metadata, ResponseCode::Refused))
                    .await;
            }
            Outcome::ServFail => {
                return handle
                    .send_response(builder.error_msg(&request.metadata, ResponseCode::ServFail))
                    .await;
            }
            Outcome::Answer { domain, target } => (vec![record(owner, domain.ttl, target)], None),
            Outcome::Apex {
                zone,
                kind: ApexRecords::Soa,
            } => (vec![self.soa(zone, snapshot.serial, APEX_TTL)], None),
            Outcome::Apex {
                zone,
                kind: ApexRecords::Ns,
            } => (self.ns(zone), None),
            Outcome::NoData { zone } => {
                (Vec::new(), Some(self.negative_soa(zone, snapshot.serial)))
            }
            Outcome::NxDomain { zone } => {
                metadata.response_code = ResponseCode::NXDomain;
                (Vec::new(), Some(self.negative_soa(zone, snapshot.serial)))
            }
        };
        let response = builder.build(metadata, answers.iter(), [], negative.iter(), []);
        handle.send_response(response).await
    }

    fn zone_apex(&self, zone: ZoneOf<'_>) -> Name {
        match zone {
            ZoneOf::Itm => self.zone.apex.clone(),
            ZoneOf::Delegated(domain) => domain.owner(),
        }
    }

    fn soa(&self, zone: ZoneOf<'_>, serial: u32, ttl: u32) -> Record {
        let z = &self.zone;
        let mname = z
            .name_servers
            .first()
            .cloned()
            .unwrap_or_else(|| z.apex.clone());
        let soa = SOA::new(
            mname,
            z.rname.clone(),
            serial,
            z.refresh as i32,
            z.retry as i32,
            z.expire as i32,
            z.minimum,
        );
        Record::from_rdata(self.zone_apex(zone), ttl, RData::SOA(soa))
    }

    /// The SOA for the authority section of NXDOMAIN/NODATA: its TTL bounds negative caching.
    fn negative_soa(&self, zone: ZoneOf<'_>, serial: u32) -> Record {
        self.soa(zone, serial, APEX_TTL.min(self.zone.minimum))
    }

    fn ns(&self, zone: ZoneOf<'_>) -> Vec<Record> {
        let apex = self.zone_apex(zone);
        self.zone
            .name_servers
            .iter()
            .map(|ns| Record::from_rdata(apex.clone(), APEX_TTL, RData::NS(NS(ns.clone()))))
            .collect()
    }
}

/// The ECS scope of an answer: the widest block the database places the same way as the
/// client's subnet (its own prefix where no database covers it); 0 when the client sent /0.
pub fn ecs_scope(source_prefix: u8, placed_prefix: Option<u8>) -> u8 {
    if source_prefix == 0 {
        0
    } else {
        placed_prefix.unwrap_or(source_prefix)
    }
}

fn record(owner: &Name, ttl: u32, target: &Target) -> Record {
    let data = match target {
        Target::A(ip) => RData::A(A(*ip)),
        Target::Aaaa(ip) => RData::AAAA(AAAA(*ip)),
        Target::Cname(name) => RData::CNAME(CNAME(Name::clone(name))),
    };
    Record::from_rdata(owner.clone(), ttl, data)
}

#[async_trait::async_trait]
impl RequestHandler for Handler {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        response: R,
    ) -> ResponseInfo {
        let info = match self.respond(request, response).await {
            Ok(info) => info,
            Err(e) => {
                tracing::debug!("DNS answer not sent: {e}");
                serve_failed(request)
            }
        };
        crate::metrics::dns_response(u16::from(info.response_code) as u8, None);
        info
    }
}

/// What to report when the answer could not be sent (hickory's own is crate-private).
pub fn serve_failed(request: &Request) -> ResponseInfo {
    let mut metadata = Metadata::response_from_request(&request.metadata);
    metadata.response_code = ResponseCode::ServFail;
    ResponseInfo::from(Header {
        metadata,
        counts: HeaderCounts::default(),
    })
}
