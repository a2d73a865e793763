//! The benchmark's floor: a hickory-server handler answering one static A record to anything.
//! The DNS benchmark runs it beside `itm serve` so the ratio of their CPU per query holds on a
//! noisy machine. Not used by the product.

use std::net::Ipv4Addr;

use hickory_proto::op::{Edns, Metadata};
use hickory_proto::rr::rdata::A;
use hickory_proto::rr::{RData, Record};
use hickory_server::net::runtime::Time;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::MessageResponseBuilder;

pub struct StaticHandler;

#[async_trait::async_trait]
impl RequestHandler for StaticHandler {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        mut handle: R,
    ) -> ResponseInfo {
        let edns = request.edns.as_ref().map(|asked| {
            let mut e = Edns::new();
            e.set_max_payload(asked.max_payload().clamp(512, 1232));
            e
        });
        let answer = request.queries.queries().first().map(|q| {
            Record::from_rdata(
                q.original().name().clone(),
                60,
                RData::A(A(Ipv4Addr::new(192, 0, 2, 1))),
            )
        });
        let mut metadata = Metadata::response_from_request(&request.metadata);
        metadata.authoritative = true;
        let response = MessageResponseBuilder::new(&request.queries, edns.as_ref()).build(
            metadata,
            answer.iter(),
            [],
            [],
            [],
        );
        match handle.send_response(response).await {
            Ok(info) => info,
            Err(_) => super::handler::serve_failed(request),
        }
    }
}
