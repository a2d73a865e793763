//! The UDP fast path against the reference: for every variant of the common query shape (names in
//! any letter case, A and AAAA, with and without EDNS, DO, payload sizes, ECS for IPv4 and IPv6
//! at several prefixes including /0, RD and CD), the fast path must answer, and its answer must
//! be one the hickory handler gives for the same datagram.

use std::collections::HashSet;
use std::net::SocketAddr;

use hickory_proto::op::{Edns, Message, Query};
use hickory_proto::rr::rdata::opt::{ClientSubnet, EdnsOption};
use hickory_proto::rr::{Name, RecordType};
use itm_server::dns::{Handler, datagram, ecs};

const NAMES: [&str; 4] = [
    "wrr.example.com.1.itm.test.",
    "WRR.Example.COM.1.itm.TEST.",
    "geo.example.com.1.itm.test.",
    "map.example.com.",
];

fn variants() -> Vec<(String, Vec<u8>)> {
    let subnets: [Option<(&str, u8)>; 6] = [
        None,
        Some(("1.2.5.0", 24)),
        Some(("1.2.0.0", 15)),
        Some(("0.0.0.0", 0)),
        Some(("2001:db8::", 32)),
        Some(("240e:1::", 48)),
    ];
    let mut out = Vec::new();
    for name in NAMES {
        for qtype in [RecordType::A, RecordType::AAAA] {
            for (edns_on, dnssec_ok, payload) in
                [(false, false, 0), (true, false, 4096), (true, true, 100)]
            {
                for subnet in subnets.iter().filter(|s| edns_on || s.is_none()) {
                    for (rd, cd) in [(true, false), (false, true)] {
                        let mut m = Message::query();
                        m.metadata.id = 0xBEEF;
                        m.metadata.recursion_desired = rd;
                        m.metadata.checking_disabled = cd;
                        m.add_query(Query::query(
                            Name::from_ascii(name).expect("test value"),
                            qtype,
                        ));
                        if edns_on {
                            let mut e = Edns::new();
                            e.set_max_payload(payload);
                            e.set_dnssec_ok(dnssec_ok);
                            if let Some((addr, prefix)) = subnet {
                                let addr = ecs::mask(addr.parse().expect("test value"), *prefix);
                                e.options_mut().insert(EdnsOption::Subnet(ClientSubnet::new(
                                    addr, *prefix, 0,
                                )));
                            }
                            m.set_edns(e);
                        }
                        let label = format!(
                            "{name} {qtype} edns={edns_on} do={dnssec_ok} size={payload} ecs={subnet:?} rd={rd} cd={cd}"
                        );
                        out.push((label, m.to_vec().expect("test value")));
                    }
                }
            }
        }
    }
    out
}

/// Every answer the reference gives to `packet` (it picks at random: sample it), decoded and
/// printed in full: names keep their letter case, and the fast path's name compression (which
/// differs from hickory's) does not count.
fn reference_answers(handler: &Handler, packet: &[u8], source: SocketAddr) -> HashSet<String> {
    (0..200)
        .filter_map(|_| {
            let mut out = [0u8; 1232];
            let len = datagram::hickory_answer(handler, packet, source, &mut out)?;
            Some(decoded(&out[..len]))
        })
        .collect()
}

fn decoded(answer: &[u8]) -> String {
    format!("{:?}", Message::from_vec(answer).expect("decodable"))
}

#[tokio::test]
async fn fast_answers_equal_the_handlers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let handler = itm_server::dns::fixture::handler(dir.path())
        .await
        .expect("fixture");
    let source: SocketAddr = "1.2.5.9:5300".parse().expect("test value");
    let mut fast = 0;
    for (label, packet) in variants() {
        let reference = reference_answers(&handler, &packet, source);
        // The fast path answers exactly the queries that get a strategy record.
        let strategy_answer = reference.iter().all(|m| !m.contains("answers: []"));
        for random in [0, u64::MAX / 3, u64::MAX / 3 * 2, u64::MAX] {
            let mut out = [0u8; 1232];
            let Some(len) = handler.answer_fast(&packet, source.ip(), random, &mut out) else {
                assert!(!strategy_answer, "{label}: not answered by the fast path");
                continue;
            };
            assert!(
                strategy_answer,
                "{label}: answered fast, but it has no strategy record"
            );
            fast += 1;
            let answer = decoded(&out[..len]);
            assert!(
                reference.contains(&answer),
                "{label}: fast {answer} not among the handler's {reference:#?}"
            );
        }
    }
    assert!(
        fast >= variants().len(),
        "the fast path answered only {fast} times"
    );
}

#[tokio::test]
async fn unusual_queries_are_left_to_the_handler() {
    let dir = tempfile::tempdir().expect("temp dir");
    let handler = itm_server::dns::fixture::handler(dir.path())
        .await
        .expect("fixture");
    let source: SocketAddr = "1.2.5.9:5300".parse().expect("test value");
    let query = |name: &str, qtype| {
        let mut m = Message::query();
        m.add_query(Query::query(
            Name::from_ascii(name).expect("test value"),
            qtype,
        ));
        m.to_vec().expect("test value")
    };
    for (what, packet) in [
        ("unknown name", query("nope.1.itm.test.", RecordType::A)),
        ("apex SOA", query("itm.test.", RecordType::SOA)),
        ("outside the zone", query("example.org.", RecordType::A)),
        ("MX", query("wrr.example.com.1.itm.test.", RecordType::MX)),
        (
            "CNAME",
            query("geo.example.com.1.itm.test.", RecordType::CNAME),
        ),
    ] {
        let mut out = [0u8; 1232];
        assert_eq!(
            handler.answer_fast(&packet, source.ip(), 1, &mut out),
            None,
            "{what} answered by the fast path"
        );
        let len = datagram::answer(&handler, &packet, source, 1, &mut out)
            .unwrap_or_else(|| panic!("{what}: no answer at all"));
        Message::from_vec(&out[..len]).expect("decodable");
    }
}
