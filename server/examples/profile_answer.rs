//! Answers the same ECS query N times through the socket-free datagram path, for profilers:
//! `valgrind --tool=callgrind target/release/examples/profile_answer 20000 [baseline|hickory]` —
//! `baseline`: hickory's request path with the static one-record handler; `hickory`: itm's
//! handler through hickory's request path (what the fast path saves). Instruction counts
//! compare exactly (deterministic, unlike CPU time on a shared machine).

use hickory_proto::op::{Edns, Message, Query};
use hickory_proto::rr::rdata::opt::{ClientSubnet, EdnsOption};
use hickory_proto::rr::{Name, RecordType};
use itm_server::dns::datagram;

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let dir = tempfile::tempdir()?;
    let handler = runtime.block_on(itm_server::dns::fixture::handler(dir.path()))?;
    let mut message = Message::query();
    message.add_query(Query::query(
        Name::from_ascii("wrr.example.com.1.itm.test.")?,
        RecordType::A,
    ));
    let mut edns = Edns::new();
    edns.options_mut()
        .insert(EdnsOption::Subnet(ClientSubnet::new(
            "1.2.5.0".parse()?,
            24,
            0,
        )));
    message.set_edns(edns);
    let bytes = message.to_vec()?;
    let source = "127.0.0.1:5300".parse()?;
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    let mode = std::env::args().nth(2).unwrap_or_default();
    let mut out = [0u8; 1232];
    for n in 0..n {
        let answered = match mode.as_str() {
            "baseline" => datagram::hickory_answer(
                &itm_server::dns::baseline::StaticHandler,
                &bytes,
                source,
                &mut out,
            ),
            "hickory" => datagram::hickory_answer(&handler, &bytes, source, &mut out),
            _ => datagram::answer(&handler, &bytes, source, n, &mut out),
        };
        std::hint::black_box(answered);
    }
    Ok(())
}
