//! One UDP datagram in, the bytes of its answer out: the fast path when the query has the common
//! shape, otherwise hickory's request decoding and the [`Handler`] — with what hickory-server's
//! own UDP loop does around it (no answer to fragments and responses, FORMERR for an
//! undecodable query whose header is readable, 512 bytes without EDNS).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use hickory_proto::op::{Header, MessageType, ResponseCode};
use hickory_proto::rr::Record;
use hickory_proto::serialize::binary::{BinDecodable, BinDecoder, BinEncoder};
use hickory_server::net::NetError;
use hickory_server::net::runtime::TokioTime;
use hickory_server::net::xfer::Protocol;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::{MessageResponse, MessageResponseBuilder, Queries};

use super::edns::response_payload;
use super::handler::Handler;

/// Answers `packet` from `source` into `out` (at least [`super::edns::MAX_UDP_PAYLOAD`]
/// bytes); returns the answer's length, or `None` when the datagram gets no answer.
pub fn answer(
    handler: &Handler,
    packet: &[u8],
    source: SocketAddr,
    random: u64,
    out: &mut [u8],
) -> Option<usize> {
    if let Some(len) = handler.answer_fast(packet, source.ip(), random, out) {
        return Some(len);
    }
    hickory_answer(handler, packet, source, out)
}

/// The answer of any hickory handler (the benchmark's static baseline too).
pub fn hickory_answer<H: RequestHandler>(
    handler: &H,
    packet: &[u8],
    source: SocketAddr,
    out: &mut [u8],
) -> Option<usize> {
    // Fewer than twelve bytes: not a DNS message, nothing to answer.
    let header = Header::read(&mut BinDecoder::new(packet)).ok()?;
    // Never answer a response (reflection attacks).
    if header.metadata.message_type == MessageType::Response {
        return None;
    }
    let bytes = match Request::from_bytes(packet.to_vec(), source, Protocol::Udp) {
        Ok(request) => {
            let limit = request
                .edns
                .as_ref()
                .map_or(512, |e| response_payload(e.max_payload()));
            let capture = Capture::new(limit);
            // The handler's only await is the capture, which never waits: blocking is instant.
            futures_executor::block_on(
                handler.handle_request::<_, TokioTime>(&request, capture.clone()),
            );
            capture.take()
        }
        Err(e) => {
            tracing::trace!("undecodable DNS query from {source}: {e}");
            let queries = Queries::read(&mut BinDecoder::new(&[]), 0).ok()?;
            let response = MessageResponseBuilder::new(&queries, None)
                .error_msg(&header.metadata, ResponseCode::FormErr);
            let mut capture = Capture::new(512);
            futures_executor::block_on(capture.send_response(response)).ok()?;
            capture.take()
        }
    };
    let target = out.get_mut(..bytes.len())?;
    target.copy_from_slice(&bytes);
    (!bytes.is_empty()).then_some(bytes.len())
}

/// A response handler that keeps the encoded answer instead of sending it.
#[derive(Clone)]
struct Capture {
    limit: u16,
    bytes: Arc<Mutex<Vec<u8>>>,
}

impl Capture {
    fn new(limit: u16) -> Capture {
        Capture {
            limit,
            bytes: Arc::default(),
        }
    }

    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.bytes.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

#[async_trait::async_trait]
impl ResponseHandler for Capture {
    async fn send_response<'a>(
        &mut self,
        response: MessageResponse<
            '_,
            'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
        >,
    ) -> Result<ResponseInfo, NetError> {
        let mut buffer = Vec::with_capacity(512);
        let mut encoder = BinEncoder::new(&mut buffer);
        // Over the limit, hickory drops records and sets TC (RFC 2181 §9).
        encoder.set_max_size(self.limit);
        let info = response.destructive_emit(&mut encoder)?;
        // A plain mutex: locked once, after the encoding, never across an await.
        *self.bytes.lock().unwrap_or_else(|e| e.into_inner()) = buffer;
        Ok(info)
    }
}
