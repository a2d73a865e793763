//! The fast path allocates nothing per query (the "no allocation per query"): counted by
//! the allocator itself, over queries of every fast shape. Its own test binary, so no other test
//! allocates meanwhile.

use std::alloc::System;
use std::net::SocketAddr;

use hickory_proto::op::{Edns, Message, Query};
use hickory_proto::rr::rdata::opt::{ClientSubnet, EdnsOption};
use hickory_proto::rr::{Name, RecordType};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static ALLOCATOR: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn query(name: &str, qtype: RecordType, subnet: Option<(&str, u8)>) -> Vec<u8> {
    let mut m = Message::query();
    m.add_query(Query::query(Name::from_ascii(name).expect("name"), qtype));
    if let Some((addr, prefix)) = subnet {
        let mut e = Edns::new();
        let addr = addr.parse().expect("address");
        e.options_mut()
            .insert(EdnsOption::Subnet(ClientSubnet::new(addr, prefix, 0)));
        m.set_edns(e);
    }
    m.to_vec().expect("encodable")
}

#[test]
fn fast_answers_allocate_nothing() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let handler = runtime
        .block_on(itm_server::dns::fixture::handler(dir.path()))
        .expect("fixture");
    let source: SocketAddr = "1.2.5.9:5300".parse().expect("address");
    let queries = [
        query("wrr.example.com.1.itm.test.", RecordType::A, None),
        query(
            "WRR.example.com.1.itm.test.",
            RecordType::AAAA,
            Some(("1.2.5.0", 24)),
        ),
        query(
            "geo.example.com.1.itm.test.",
            RecordType::A,
            Some(("240e:1::", 48)),
        ),
        query("map.example.com.", RecordType::A, Some(("0.0.0.0", 0))),
    ];
    let mut out = [0u8; 1232];
    // Warm up: lazily initialised statics are not per-query costs.
    for q in &queries {
        assert!(handler.answer_fast(q, source.ip(), 1, &mut out).is_some());
    }
    // Up to three rounds: the fixture's SQLite worker threads may still be winding down (their
    // allocations count too), but a per-query allocation would show in every round.
    let mut rounds = Vec::new();
    for _ in 0..3 {
        let region = Region::new(ALLOCATOR);
        let mut answered = 0;
        for random in 0..1000u64 {
            for q in &queries {
                let random = random.wrapping_mul(0x9E37_79B9_7F4A_7C15);
                answered += usize::from(
                    handler
                        .answer_fast(q, source.ip(), random, &mut out)
                        .is_some(),
                );
            }
        }
        assert_eq!(answered, 4000, "every query took the fast path");
        let change = region.change();
        if change.allocations == 0 && change.reallocations == 0 {
            return;
        }
        rounds.push(change);
    }
    panic!("the fast path allocated in every round: {rounds:?}");
}
