//! Answers the same ECS query N times through the socket-free path, for profilers:
//! `valgrind --tool=callgrind target/release/examples/profile_answer 20000 [baseline]` — with
//! `baseline`, through hickory's request path but the static one-record handler, so instruction
//! counts of the two compare exactly (deterministic, unlike CPU time on a shared machine).

use hickory_proto::op::{Edns, Message, Query};
use hickory_proto::rr::rdata::opt::{ClientSubnet, EdnsOption};
use hickory_proto::rr::{Name, RecordType};
use itm_server::dns::handler::answer_bytes;

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
    let baseline = std::env::args().nth(2).as_deref() == Some("baseline");
    runtime.block_on(async {
        for _ in 0..n {
            if baseline {
                std::hint::black_box(baseline_answer(&bytes, source).await);
            } else {
                std::hint::black_box(answer_bytes(&handler, &bytes, source).await);
            }
        }
    });
    Ok(())
}

async fn baseline_answer(query: &[u8], source: std::net::SocketAddr) -> Option<Vec<u8>> {
    itm_server::dns::handler::answer_bytes_with(
        &itm_server::dns::baseline::StaticHandler,
        query,
        source,
    )
    .await
}
