//! The DNS listener with real packets over UDP and TCP: the whole stack in-process (SQLite store,
//! service, snapshot following the change feed, hickory listener on 127.0.0.1:0), clients placed
//! by the committed ip2region fixtures (real IPv4 subset, synthetic IPv6).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::model::{DomainStatus, EndpointInput, NewDomain};
use app::strategy::{Health, StrategyDocument};
use hickory_proto::op::{Edns, Message, Query, ResponseCode};
use hickory_proto::rr::rdata::opt::{ClientSubnet, EdnsCode, EdnsOption};
use hickory_proto::rr::{DNSClass, Name, RData, RecordType};
use itm_server::dns::{Answers, Handler, ZoneConfig};
use itm_server::health::HealthBook;
use itm_server::ipdb::Locator;
use itm_server::net::Reach;
use itm_server::resolver::Resolver;
use itm_server::service::{Caller, Delegation, Enabling, Sealer, Service, ServiceConfig};
use itm_server::store::{Store, accounts};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ip2region");

struct Stack {
    service: Service,
    caller: Caller,
    answers: Arc<Answers>,
    dns: SocketAddr,
    _dir: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn stack() -> Stack {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::connect(&format!(
        "sqlite://{}/itm.db?mode=rwc",
        dir.path().display()
    ))
    .await
    .expect("store");
    // In-process DNS only (nothing is probed): private test addresses may be endpoints, and
    // delegated names are served without a proof of control.
    let config = ServiceConfig::new("itm.test")
        .with_reach(
            Reach::new(
                "--probe-networks",
                &[
                    "public".parse().expect("entry"),
                    "10.0.0.0/8".parse().expect("entry"),
                ],
            ),
            Reach::public("--webhook-networks"),
        )
        .with_delegation(Delegation {
            resolver: Resolver::at("127.0.0.1:53".parse().expect("address")),
            trusted: true,
        });
    let service = Service::new(store, config, Sealer::new([1; 32]));
    let account = service.create_account("ops").await.expect("account");
    let mut conn = service.node().store().conn().await.expect("conn");
    let (user, _) = accounts::find_for_login(&mut conn, None, &account.username)
        .await
        .expect("query")
        .expect("user");
    drop(conn);
    let answers = Arc::new(Answers::new("itm.test", Arc::new(HealthBook::default())));
    answers
        .load_all(service.node().store())
        .await
        .expect("snapshot");
    let locator = Locator::open(&[
        format!("{FIXTURES}/ipv4_sample.v3.xdb"),
        format!("{FIXTURES}/ipv6_synthetic.v3.xdb"),
    ])
    .expect("fixtures");
    let name = |n: &str| Name::from_ascii(n).expect("name");
    let zone = ZoneConfig {
        apex: name("itm.test."),
        name_servers: vec![name("ns1.itm.test."), name("ns2.itm.test.")],
        rname: name("hostmaster.itm.test."),
        refresh: 3600,
        retry: 600,
        expire: 604_800,
        minimum: 30,
    };
    let handler = Handler::new(answers.clone(), Arc::new(locator), zone);
    let (udp, tcp) = itm_server::dns::bind("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("bind");
    let dns = udp.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(itm_server::dns::follow(
        service.node().clone(),
        answers.clone(),
    ));
    tokio::spawn(itm_server::dns::serve(udp, tcp, handler, 2, async {
        let _ = stopped.await;
    }));
    Stack {
        service,
        caller: Caller {
            user,
            source: "test".into(),
        },
        answers,
        dns,
        _dir: dir,
        _stop: stop,
    }
}

fn query(name: &str, qtype: RecordType, ecs: Option<(&str, u8)>) -> Message {
    let mut m = Message::query();
    m.add_query(Query::query(Name::from_ascii(name).expect("name"), qtype));
    if let Some((addr, prefix)) = ecs {
        let mut e = Edns::new();
        e.options_mut().insert(EdnsOption::Subnet(ClientSubnet::new(
            addr.parse().expect("ip"),
            prefix,
            0,
        )));
        m.set_edns(e);
    }
    m
}

async fn udp(server: SocketAddr, message: &Message) -> Message {
    let socket = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    socket
        .send_to(&message.to_vec().expect("encode"), server)
        .await
        .expect("send");
    let mut buf = vec![0u8; 4096];
    let (n, _) = tokio::time::timeout(Duration::from_secs(5), socket.recv_from(&mut buf))
        .await
        .expect("answer in time")
        .expect("recv");
    Message::from_vec(&buf[..n]).expect("decodes")
}

async fn tcp(server: SocketAddr, message: &Message) -> Message {
    let mut stream = TcpStream::connect(server).await.expect("connect");
    let bytes = message.to_vec().expect("encode");
    let mut framed = (bytes.len() as u16).to_be_bytes().to_vec();
    framed.extend(bytes);
    stream.write_all(&framed).await.expect("write");
    let len = tokio::time::timeout(Duration::from_secs(5), stream.read_u16())
        .await
        .expect("in time")
        .expect("len");
    let mut buf = vec![0u8; usize::from(len)];
    stream.read_exact(&mut buf).await.expect("read");
    Message::from_vec(&buf).expect("decodes")
}

async fn ask(s: &Stack, name: &str, qtype: RecordType, ecs: Option<(&str, u8)>) -> Message {
    udp(s.dns, &query(name, qtype, ecs)).await
}

fn addresses(m: &Message) -> Vec<String> {
    m.answers
        .iter()
        .map(|r| match &r.data {
            RData::A(a) => a.0.to_string(),
            RData::AAAA(a) => a.0.to_string(),
            RData::CNAME(c) => format!("CNAME {}", c.0),
            other => format!("{other:?}"),
        })
        .collect()
}

/// Polls `check` until it holds or 10 s pass (the snapshot follows changes asynchronously).
async fn eventually<F, Fut>(what: &str, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if check().await {
            return start.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    panic!("{what}: not within 10 s");
}

fn ep(domain: &str, value: &str, area: &str, isp: &str) -> EndpointInput {
    EndpointInput {
        domain: domain.into(),
        endpoint: value.into(),
        kind: String::new(),
        area: Some(area.into()),
        isp: Some(isp.into()),
        tag: String::new(),
    }
}

async fn domain(
    s: &Stack,
    name: &str,
    itm: bool,
    endpoints: &[(&str, &str, &str)],
    strategy: &str,
) -> String {
    let created = s
        .service
        .create_domains(
            &s.caller,
            &[NewDomain {
                domain: name.into(),
                is_itm_domain: itm,
            }],
        )
        .await
        .expect("domain");
    let listed = created[0].domain.clone();
    let list: Vec<EndpointInput> = endpoints
        .iter()
        .map(|(v, a, i)| ep(&listed, v, a, i))
        .collect();
    s.service
        .add_endpoints(&s.caller, &list)
        .await
        .expect("endpoints");
    if !strategy.is_empty() {
        let doc: StrategyDocument = serde_json::from_str(strategy).expect("strategy json");
        let batch = [(listed.clone(), doc.into())].into_iter().collect();
        s.service
            .update_or_create_strategies(&s.caller, &batch, &Enabling::default())
            .await
            .expect("strategy");
    }
    listed
}

const PRIMARY_BACKUP: &str = r#"{"strategy":{"start":"pb","rules":[{"type":"priority","name":"pb","items":[
    {"reference":"10.0.0.1","priority":1},{"reference":"10.0.0.2","priority":2}]}]}}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statuses_and_response_codes() {
    let s = stack().await;
    let d = domain(
        &s,
        "www.shop.com",
        true,
        &[
            ("10.0.0.1", "beijing.CN", "ct"),
            ("10.0.0.2", "shanghai.CN", "ct"),
        ],
        PRIMARY_BACKUP,
    )
    .await;
    let fqdn = format!("{d}.itm.test.");
    eventually("strategy answered", || async {
        addresses(&ask(&s, &fqdn, RecordType::A, None).await) == ["10.0.0.1"]
    })
    .await;
    let m = ask(&s, &fqdn, RecordType::A, None).await;
    assert!(m.metadata.authoritative);
    assert_eq!(m.answers[0].ttl, 60, "default TTL");

    // Over TCP too.
    assert_eq!(
        addresses(&tcp(s.dns, &query(&fqdn, RecordType::A, None)).await),
        ["10.0.0.1"]
    );

    // TTL through the API.
    s.service
        .set_domain_ttl(&s.caller, &d, 300)
        .await
        .expect("ttl");
    eventually("TTL applied", || async {
        ask(&s, &fqdn, RecordType::A, None)
            .await
            .answers
            .first()
            .map(|r| r.ttl)
            == Some(300)
    })
    .await;

    // Stop: NODATA with the zone's SOA in authority; start again answers.
    s.service
        .set_domain_status(&s.caller, &d, DomainStatus::Stop)
        .await
        .expect("stop");
    eventually("stopped domain is NODATA", || async {
        let m = ask(&s, &fqdn, RecordType::A, None).await;
        m.metadata.response_code == ResponseCode::NoError
            && m.answers.is_empty()
            && m.authorities.first().map(|r| r.record_type()) == Some(RecordType::SOA)
    })
    .await;
    s.service
        .set_domain_status(&s.caller, &d, DomainStatus::Pause)
        .await
        .expect("pause");
    eventually("paused domain answers", || async {
        addresses(&ask(&s, &fqdn, RecordType::A, None).await) == ["10.0.0.1"]
    })
    .await;

    // A type without an answer: NODATA; the SOA's TTL is the negative-caching TTL.
    let mx = ask(&s, &fqdn, RecordType::MX, None).await;
    assert_eq!(
        (mx.metadata.response_code, mx.answers.len()),
        (ResponseCode::NoError, 0)
    );
    assert_eq!(mx.authorities[0].ttl, 30);
    // AAAA with only A endpoints: NODATA.
    assert!(
        ask(&s, &fqdn, RecordType::AAAA, None)
            .await
            .answers
            .is_empty()
    );

    // Unknown names inside the zone, and names below a domain: NXDOMAIN with SOA.
    for name in ["nosuch.1.itm.test.", &format!("deeper.{fqdn}")] {
        let m = ask(&s, name, RecordType::A, None).await;
        assert_eq!(m.metadata.response_code, ResponseCode::NXDomain, "{name}");
        assert_eq!(m.authorities[0].record_type(), RecordType::SOA);
    }
    // Outside every zone: REFUSED (not an open resolver); class CH: REFUSED.
    assert_eq!(
        ask(&s, "www.example.org.", RecordType::A, None)
            .await
            .metadata
            .response_code,
        ResponseCode::Refused
    );
    let mut chaos = query(&fqdn, RecordType::A, None);
    chaos.queries[0].set_query_class(DNSClass::CH);
    assert_eq!(
        udp(s.dns, &chaos).await.metadata.response_code,
        ResponseCode::Refused
    );

    // The apex: SOA (serial = configuration version) and NS.
    let soa = ask(&s, "itm.test.", RecordType::SOA, None).await;
    let RData::SOA(first) = &soa.answers[0].data else {
        panic!("no SOA")
    };
    let ns = ask(&s, "itm.test.", RecordType::NS, None).await;
    assert_eq!(ns.answers.len(), 2);
    // The serial grows with every change.
    s.service
        .set_domain_ttl(&s.caller, &d, 120)
        .await
        .expect("ttl");
    eventually("serial grows", || async {
        let m = ask(&s, "itm.test.", RecordType::SOA, None).await;
        matches!(&m.answers[0].data, RData::SOA(next) if next.serial > first.serial)
    })
    .await;

    // An unscheduled domain (no strategy) is NODATA, not NXDOMAIN.
    let bare = domain(
        &s,
        "bare.shop.com",
        true,
        &[("10.0.0.9", "beijing.CN", "ct")],
        "",
    )
    .await;
    let bare_fqdn = format!("{bare}.itm.test.");
    eventually("unscheduled domain known", || async {
        let m = ask(&s, &bare_fqdn, RecordType::A, None).await;
        m.metadata.response_code == ResponseCode::NoError && m.answers.is_empty()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delegated_domains_and_cname_endpoints() {
    let s = stack().await;
    let strategy = r#"{"strategy":{"start":"r","rules":[{"type":"priority","name":"r","items":[
        {"reference":"edge.cdn.example.net","priority":1},{"reference":"10.0.0.1","priority":2}]}]}}"#;
    let d = domain(
        &s,
        "api.partner.cn",
        false,
        &[
            ("edge.cdn.example.net", "beijing.CN", "ct"),
            ("10.0.0.1", "beijing.CN", "ct"),
        ],
        strategy,
    )
    .await;
    assert_eq!(d, "api.partner.cn");
    eventually("delegated name answers", || async {
        addresses(&ask(&s, "api.partner.cn.", RecordType::A, None).await)
            == ["CNAME edge.cdn.example.net."]
    })
    .await;
    assert_eq!(
        addresses(&ask(&s, "API.Partner.CN.", RecordType::AAAA, None).await),
        ["CNAME edge.cdn.example.net."]
    );
    assert_eq!(
        addresses(&ask(&s, "api.partner.cn.", RecordType::CNAME, None).await),
        ["CNAME edge.cdn.example.net."]
    );
    // The delegated name is a zone apex: SOA and NS there, NXDOMAIN below it.
    let soa = ask(&s, "api.partner.cn.", RecordType::SOA, None).await;
    assert_eq!(soa.answers[0].name.to_ascii(), "api.partner.cn.");
    assert_eq!(
        ask(&s, "api.partner.cn.", RecordType::NS, None)
            .await
            .answers
            .len(),
        2
    );
    let below = ask(&s, "x.api.partner.cn.", RecordType::A, None).await;
    assert_eq!(below.metadata.response_code, ResponseCode::NXDomain);
    assert_eq!(below.authorities[0].name.to_ascii(), "api.partner.cn.");
    assert_eq!(
        ask(&s, "partner.cn.", RecordType::A, None)
            .await
            .metadata
            .response_code,
        ResponseCode::Refused
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_queries_get_the_rfc_errors() {
    let s = stack().await;
    let d = domain(
        &s,
        "m.shop.com",
        true,
        &[("10.0.0.1", "beijing.CN", "ct")],
        PRIMARY_BACKUP
            .replace(r#",{"reference":"10.0.0.2","priority":2}"#, "")
            .as_str(),
    )
    .await;
    let fqdn = format!("{d}.itm.test.");
    eventually("answered", || async {
        addresses(&ask(&s, &fqdn, RecordType::A, None).await) == ["10.0.0.1"]
    })
    .await;
    let raw_ecs = |family: u16, source: u8, addr: &[u8]| {
        let mut v = family.to_be_bytes().to_vec();
        v.extend([source, 0]);
        v.extend(addr);
        EdnsOption::Unknown(u16::from(EdnsCode::Subnet), v)
    };
    let with_option = |option: EdnsOption| {
        let mut m = query(&fqdn, RecordType::A, None);
        let mut e = Edns::new();
        e.options_mut().insert(option);
        m.set_edns(e);
        m
    };
    // Address bits beyond the source prefix (/20 with bits in the fourth nibble), too many octets,
    // an unknown family, a prefix longer than the address: FORMERR (RFC 7871).
    for (case, option) in [
        ("bits beyond prefix", raw_ecs(1, 20, &[1, 2, 0x5f])),
        ("too many octets", raw_ecs(1, 16, &[1, 2, 3, 4])),
        ("unknown family", raw_ecs(3, 8, &[1])),
        ("prefix too long", raw_ecs(1, 33, &[1, 2, 3, 4, 5])),
    ] {
        assert_eq!(
            udp(s.dns, &with_option(option))
                .await
                .metadata
                .response_code,
            ResponseCode::FormErr,
            "{case}"
        );
    }
    // EDNS version 1: BADVERS (16).
    let mut m = query(&fqdn, RecordType::A, None);
    let mut e = Edns::new();
    e.set_version(1);
    m.set_edns(e);
    assert_eq!(u16::from(udp(s.dns, &m).await.metadata.response_code), 16);
    // Two questions: FORMERR.
    let mut two = query(&fqdn, RecordType::A, None);
    two.add_query(Query::query(
        Name::from_ascii(&fqdn).expect("name"),
        RecordType::AAAA,
    ));
    assert_eq!(
        udp(s.dns, &two).await.metadata.response_code,
        ResponseCode::FormErr
    );
    // A valid ECS still works after all that.
    assert_eq!(
        addresses(&ask(&s, &fqdn, RecordType::A, Some(("1.2.5.0", 24))).await),
        ["10.0.0.1"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ecs_places_clients_by_province_and_isp() {
    let s = stack().await;
    let strategy = r#"{"strategy":{"start":"map","rules":[{"type":"usersetMapping","name":"map","items":[
        {"reference":"10.0.0.1","usersets":"beijing.CN/ct"},
        {"reference":"10.0.0.2","usersets":"guangdong.CN/cm"},
        {"reference":"10.0.0.3","usersets":"sichuan.CN/ct"},
        {"reference":"10.0.0.4","usersets":"liaoning.CN/cu;beijing.CN/cu"},
        {"reference":"10.0.0.5","usersets":"*/cernet"},
        {"reference":"10.0.0.9","usersets":""}]}]}}"#;
    let endpoints: Vec<(&str, &str, &str)> = [
        "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.9",
    ]
    .into_iter()
    .map(|v| (v, "beijing.CN", "ct"))
    .collect();
    let d = domain(&s, "geo.shop.com", true, &endpoints, strategy).await;
    let fqdn = format!("{d}.itm.test.");
    eventually("mapping answered", || async {
        !ask(&s, &fqdn, RecordType::A, None).await.answers.is_empty()
    })
    .await;
    // (ECS subnet, expected answer, expected scope) — addresses from the real ip2region data.
    let cases = [
        (("1.2.5.0", 24), "10.0.0.1", 24),      // 北京 电信
        (("120.196.0.0", 24), "10.0.0.2", 24),  // 广东 移动
        (("61.139.0.0", 24), "10.0.0.3", 20),   // 四川 电信 (61.139.0.0–61.139.29.255)
        (("202.96.64.0", 24), "10.0.0.4", 23),  // 辽宁 联通
        (("42.247.1.96", 27), "10.0.0.5", 27),  // 北京 教育网
        (("1.1.1.0", 24), "10.0.0.9", 24),      // 澳大利亚: abroad, the default item
        (("2408:8000::", 32), "10.0.0.4", 24),  // IPv6 北京 联通 (synthetic): the ::/24 scope
        (("2001:da8:1::", 48), "10.0.0.5", 32), // IPv6 北京 教育网 (synthetic)
    ];
    for ((addr, prefix), expected, scope) in cases {
        let m = ask(&s, &fqdn, RecordType::A, Some((addr, prefix))).await;
        assert_eq!(addresses(&m), [expected], "{addr}/{prefix}");
        let echoed = m
            .edns
            .as_ref()
            .and_then(|e| e.option(EdnsCode::Subnet))
            .cloned();
        let Some(EdnsOption::Subnet(subnet)) = echoed else {
            panic!("{addr}: no ECS in the answer")
        };
        assert_eq!(
            (subnet.addr(), subnet.source_prefix()),
            (addr.parse::<IpAddr>().expect("ip"), prefix)
        );
        if addr.contains('.') {
            assert_eq!(subnet.scope_prefix(), scope, "{addr}: scope");
        } else {
            assert!(
                subnet.scope_prefix() >= prefix.min(16),
                "{addr}: scope {}",
                subnet.scope_prefix()
            );
        }
    }
    // No ECS: the source address (loopback) places nowhere: the default item.
    assert_eq!(
        addresses(&ask(&s, &fqdn, RecordType::A, None).await),
        ["10.0.0.9"]
    );
    // ECS /0 (the client opts out): source address, scope 0.
    let m = ask(&s, &fqdn, RecordType::A, Some(("0.0.0.0", 0))).await;
    assert_eq!(addresses(&m), ["10.0.0.9"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrr_answers_match_the_cli_preview_chi_square() {
    let s = stack().await;
    let strategy = r#"{"strategy":{"start":"w","rules":[{"type":"wrr","name":"w","items":[
        {"reference":"10.0.0.1","weight":1},{"reference":"10.0.0.2","weight":2},
        {"reference":"10.0.0.3","weight":3},{"reference":"10.0.0.4","weight":4}]}]}}"#;
    let endpoints = [
        ("10.0.0.1", "beijing.CN", "ct"),
        ("10.0.0.2", "beijing.CN", "ct"),
        ("10.0.0.3", "beijing.CN", "ct"),
        ("10.0.0.4", "beijing.CN", "ct"),
    ];
    let d = domain(&s, "lb.shop.com", true, &endpoints, strategy).await;
    let fqdn = format!("{d}.itm.test.");
    eventually("wrr answered", || async {
        !ask(&s, &fqdn, RecordType::A, None).await.answers.is_empty()
    })
    .await;

    // The reference: `itm strategy preview` on the document the API serves.
    let doc = s.service.strategy(&s.caller, &d).await.expect("strategy");
    let file = tempfile::NamedTempFile::new().expect("temp");
    std::fs::write(file.path(), serde_json::to_string(&doc).expect("json")).expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_itm"))
        .args(["strategy", "preview"])
        .arg(file.path())
        .output()
        .expect("itm runs");
    assert!(out.status.success());
    let preview: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");

    for (group, ecs) in [
        ("beijing.CN/ct", ("1.2.5.0", 24)),
        ("sichuan.CN/ct", ("61.139.0.0", 24)),
    ] {
        let expected: HashMap<String, f64> =
            serde_json::from_value(preview["groups"][group]["dist"].clone()).expect("dist");
        let draws = 10_000;
        let socket = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
        let mut counts: HashMap<String, u32> = HashMap::new();
        let message = query(&fqdn, RecordType::A, Some(ecs));
        let mut buf = vec![0u8; 1500];
        for _ in 0..draws {
            socket
                .send_to(&message.to_vec().expect("encode"), s.dns)
                .await
                .expect("send");
            let (n, _) = tokio::time::timeout(Duration::from_secs(5), socket.recv_from(&mut buf))
                .await
                .expect("in time")
                .expect("recv");
            let answer = Message::from_vec(&buf[..n]).expect("decodes");
            *counts.entry(addresses(&answer).join(",")).or_default() += 1;
        }
        let chi2: f64 = expected
            .iter()
            .map(|(value, p)| {
                let e = p * f64::from(draws);
                (f64::from(counts.get(value).copied().unwrap_or(0)) - e).powi(2) / e
            })
            .sum();
        assert_eq!(
            counts.values().sum::<u32>(),
            draws,
            "only endpoints of the preview answered: {counts:?}"
        );
        // 3 degrees of freedom: the 99.9th percentile is 16.27.
        assert!(
            chi2 < 16.27,
            "{group}: chi-square {chi2:.2}, counts {counts:?}, expected {expected:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_freezes_health_and_changes_are_quick() {
    let s = stack().await;
    let d = domain(
        &s,
        "ha.shop.com",
        true,
        &[
            ("10.0.0.1", "beijing.CN", "ct"),
            ("10.0.0.2", "shanghai.CN", "ct"),
        ],
        PRIMARY_BACKUP,
    )
    .await;
    let fqdn = format!("{d}.itm.test.");
    eventually("primary answers", || async {
        addresses(&ask(&s, &fqdn, RecordType::A, None).await) == ["10.0.0.1"]
    })
    .await;
    let id = s
        .answers
        .load()
        .domain(&Name::from_ascii(&fqdn).expect("name").into())
        .expect("in snapshot")
        .id;

    // The primary fails: the backup takes over as soon as the change is announced.
    s.answers.health().set(id, "10.0.0.1", Health::Down);
    s.service.node().changes().publish([id]);
    let took = eventually("failover", || async {
        addresses(&ask(&s, &fqdn, RecordType::A, None).await) == ["10.0.0.2"]
    })
    .await;
    println!("health change visible to DNS after {took:?}");

    // Paused: the health stays as it was when the pause began, even when the primary recovers.
    s.service
        .set_domain_status(&s.caller, &d, DomainStatus::Pause)
        .await
        .expect("pause");
    s.answers.health().set(id, "10.0.0.1", Health::Up);
    s.service.node().changes().publish([id]);
    let serial = s.answers.load().serial;
    eventually("pause applied", || async {
        s.answers.load().serial > serial
            || s.answers
                .load()
                .domain(&Name::from_ascii(&fqdn).expect("n").into())
                .is_some_and(|e| e.status == DomainStatus::Pause)
    })
    .await;
    for _ in 0..20 {
        assert_eq!(
            addresses(&ask(&s, &fqdn, RecordType::A, None).await),
            ["10.0.0.2"],
            "frozen while paused"
        );
    }
    // Started again: live health.
    let started = Instant::now();
    s.service
        .set_domain_status(&s.caller, &d, DomainStatus::Start)
        .await
        .expect("start");
    eventually("recovered", || async {
        addresses(&ask(&s, &fqdn, RecordType::A, None).await) == ["10.0.0.1"]
    })
    .await;
    println!(
        "status change committed → visible in DNS: {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dig_reads_our_answers() {
    let s = stack().await;
    let d = domain(
        &s,
        "dig.shop.com",
        true,
        &[("10.0.0.1", "beijing.CN", "ct")],
        PRIMARY_BACKUP
            .replace(r#",{"reference":"10.0.0.2","priority":2}"#, "")
            .as_str(),
    )
    .await;
    let fqdn = format!("{d}.itm.test.");
    eventually("answered", || async {
        !ask(&s, &fqdn, RecordType::A, None).await.answers.is_empty()
    })
    .await;
    let port = s.dns.port().to_string();
    for transport in ["+notcp", "+tcp"] {
        let args = [
            "@127.0.0.1".to_owned(),
            "-p".into(),
            port.clone(),
            fqdn.clone(),
            "A".into(),
            "+short".into(),
            transport.into(),
            "+subnet=1.2.5.0/24".into(),
        ];
        let out = tokio::task::spawn_blocking(move || {
            std::process::Command::new("dig").args(&args).output()
        })
        .await
        .expect("joined")
        .expect("dig is installed (dnsutils)");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "10.0.0.1",
            "{transport}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_made_elsewhere_is_picked_up_by_the_version_check() {
    let s = stack().await;
    let d = domain(
        &s,
        "ext.shop.com",
        true,
        &[
            ("10.0.0.1", "beijing.CN", "ct"),
            ("10.0.0.2", "shanghai.CN", "ct"),
        ],
        PRIMARY_BACKUP,
    )
    .await;
    let fqdn = format!("{d}.itm.test.");
    eventually("answered", || async {
        addresses(&ask(&s, &fqdn, RecordType::A, None).await) == ["10.0.0.1"]
    })
    .await;
    // Another process (another node, an operator's SQL) stops the domain: no change feed event.
    let mut tx = s.service.node().store().begin().await.expect("tx");
    let id = itm_server::store::domains::get(&mut tx, s.caller.account_id(), &d)
        .await
        .expect("get")
        .expect("domain")
        .id;
    itm_server::store::domains::set_status(&mut tx, id, DomainStatus::Stop)
        .await
        .expect("stop");
    itm_server::store::bump_config_version(&mut tx)
        .await
        .expect("bump");
    tx.commit().await.expect("commit");
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if ask(&s, &fqdn, RecordType::A, None).await.answers.is_empty() {
            println!("external change picked up after {:?}", start.elapsed());
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the version check never reloaded the snapshot");
}

const ONLY_FIRST: &str = r#"{"strategy":{"start":"r","rules":[{"type":"wrr","name":"r","items":[{"reference":"10.0.0.1","weight":1}]}]}}"#;
const ONLY_NINTH: &str = r#"{"strategy":{"start":"r","rules":[{"type":"wrr","name":"r","items":[{"reference":"10.0.0.9","weight":1}]}]}}"#;

fn collisions_counted() -> u64 {
    let text = itm_server::metrics::render(&itm_server::metrics::Gauges::default());
    text.lines()
        .find(|l| l.starts_with("itm_dns_name_collisions_total"))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Two domains under one name (a store written before the served-name rules, or SQL behind the
/// service's back): the older keeps answering, the collision is counted, and removing the
/// younger leaves the older's name alone (it once took the name with it: NXDOMAIN).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_collision_never_replaces_the_older_domain() {
    let s = stack().await;
    let victim = domain(
        &s,
        "www.victim.com",
        true,
        &[("10.0.0.1", "beijing.CN", "ct")],
        ONLY_FIRST,
    )
    .await;
    let fqdn = format!("{victim}.itm.test");
    let question = format!("{fqdn}.");
    eventually("the victim answers", || async {
        addresses(&ask(&s, &question, RecordType::A, None).await) == ["10.0.0.1"]
    })
    .await;
    let intruder = domain(
        &s,
        "intruder.example.net",
        false,
        &[("10.0.0.9", "beijing.CN", "ct")],
        ONLY_NINTH,
    )
    .await;
    let mut tx = s.service.node().store().begin().await.expect("tx");
    sqlx::query("UPDATE domains SET name = $1, served_name = NULL WHERE name = $2")
        .bind(&fqdn)
        .bind(&intruder)
        .execute(&mut *tx)
        .await
        .expect("force the collision");
    itm_server::store::bump_config_version(&mut tx)
        .await
        .expect("bump");
    tx.commit().await.expect("commit");
    let counted = collisions_counted();
    s.answers
        .load_all(s.service.node().store())
        .await
        .expect("reload");
    assert!(collisions_counted() > counted, "the collision is counted");
    assert_eq!(
        addresses(&ask(&s, &question, RecordType::A, None).await),
        ["10.0.0.1"],
        "the older domain keeps its name"
    );
    // The intruder removed, by its owner: the victim's name still answers the victim.
    s.service
        .delete_domains(&s.caller, std::slice::from_ref(&fqdn))
        .await
        .expect("delete the intruder");
    eventually("the intruder's removal reached DNS", || async {
        s.answers.load().len() == 1
    })
    .await;
    let answer = ask(&s, &question, RecordType::A, None).await;
    assert_eq!(answer.metadata.response_code, ResponseCode::NoError);
    assert_eq!(addresses(&answer), ["10.0.0.1"]);
}

/// Issue 15: a mapping item with nothing of the queried family is absent, so the group falls
/// through to the default item — in DNS as in the evaluator (one evaluator). An AAAA query from
/// the same group still gets the AAAA the item maps it to.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mapped_subtree_without_the_family_lets_the_group_fall_through() {
    let s = stack().await;
    let strategy = r#"{"strategy":{"start":"map","rules":[{"type":"usersetMapping","name":"map","items":[
        {"reference":"2001:db8::2","usersets":"guangdong.CN/cm"},
        {"reference":"v6only","usersets":"beijing.CN/ct"},
        {"reference":"10.0.0.1","usersets":""}]},
        {"type":"wrr","name":"v6only","items":[{"reference":"2001:db8::3","weight":1},{"reference":"10.0.0.2","weight":0}]}]}}"#;
    let endpoints = [
        ("2001:db8::2", "guangdong.CN", "cm"),
        ("2001:db8::3", "beijing.CN", "ct"),
        ("10.0.0.1", "beijing.CN", "ct"),
        ("10.0.0.2", "beijing.CN", "ct"),
    ];
    let d = domain(&s, "family.shop.com", true, &endpoints, strategy).await;
    let fqdn = format!("{d}.itm.test.");
    eventually("answered", || async {
        !ask(&s, &fqdn, RecordType::A, None).await.answers.is_empty()
    })
    .await;
    let guangdong_mobile = Some(("120.196.0.0", 24));
    let beijing_telecom = Some(("1.2.5.0", 24));
    for from in [guangdong_mobile, beijing_telecom] {
        assert_eq!(
            addresses(&ask(&s, &fqdn, RecordType::A, from).await),
            ["10.0.0.1"],
            "{from:?}: A falls through to the default item"
        );
    }
    assert_eq!(
        addresses(&ask(&s, &fqdn, RecordType::AAAA, guangdong_mobile).await),
        ["2001:db8::2"]
    );
    assert_eq!(
        addresses(&ask(&s, &fqdn, RecordType::AAAA, beijing_telecom).await),
        ["2001:db8::3"]
    );
}
