//! Probes against real targets on loopback: an HTTP server whose answer the test changes, a slow
//! one, a closed port, a TLS server with a self-signed certificate, and ICMP to 127.0.0.1.

use crate::common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use app::model::{ExpectedCodes, PointIssue, Protocol};
use itm_server::monitor::probe::{Failure, Outcome, ProbeSpec, Prober};
use itm_server::net::Reach;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A raw HTTP/1.1 responder: answers every request with `status` (and a Location for 3xx),
/// after `delay`. Returns its address and the status knob.
async fn http_target(delay: Duration) -> (SocketAddr, Arc<AtomicU16>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let status = Arc::new(AtomicU16::new(200));
    let knob = status.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let status = status.load(Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buffer = [0u8; 2048];
                let _ = stream.read(&mut buffer).await;
                tokio::time::sleep(delay).await;
                let response = format!(
                    "HTTP/1.1 {status} X\r\nLocation: /elsewhere\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                let _ = stream.write_all(response.as_bytes()).await;
            });
        }
    });
    (address, knob)
}

fn spec(protocol: Protocol, port: u16, timeout: Duration) -> ProbeSpec {
    ProbeSpec {
        protocol,
        port,
        path: "/health".into(),
        host: "www.example.com".into(),
        expected: ExpectedCodes::parse("200-299").expect("codes"),
        timeout,
    }
}

fn prober() -> Prober {
    let loopback = Reach::new(
        "--probe-networks",
        &["127.0.0.0/8".parse().expect("network")],
    );
    Prober::new(loopback).expect("TLS configuration")
}

#[tokio::test]
async fn http_status_codes_are_judged_and_redirects_not_followed() {
    let (target, status) = http_target(Duration::ZERO).await;
    let prober = prober();
    let spec = spec(Protocol::Http, target.port(), Duration::from_secs(5));
    let ok = prober.probe(&spec, "127.0.0.1").await.expect("probe");
    assert!(ok.ok, "{ok:?}");
    assert_eq!(ok.http_status, Some(200));
    assert!(ok.latency_ms.is_some());

    status.store(503, Ordering::SeqCst);
    let failed = prober.probe(&spec, "127.0.0.1").await.expect("probe");
    assert_eq!(
        (failed.ok, failed.http_status, failed.failure),
        (false, Some(503), Some(Failure::UnexpectedStatus))
    );

    // A redirect is judged by its own code: outside 200-299 it fails, inside 200-399 it passes.
    status.store(302, Ordering::SeqCst);
    let redirect = prober.probe(&spec, "127.0.0.1").await.expect("probe");
    assert_eq!((redirect.ok, redirect.http_status), (false, Some(302)));
    let lenient = ProbeSpec {
        expected: ExpectedCodes::parse("200-399").expect("codes"),
        ..spec.clone()
    };
    let accepted = prober.probe(&lenient, "127.0.0.1").await.expect("probe");
    assert_eq!((accepted.ok, accepted.http_status), (true, Some(302)));
}

#[tokio::test]
async fn slow_answers_time_out_and_closed_ports_are_refused() {
    let (slow, _) = http_target(Duration::from_secs(5)).await;
    let prober = prober();
    let timed_out = prober
        .probe(
            &spec(Protocol::Http, slow.port(), Duration::from_secs(1)),
            "127.0.0.1",
        )
        .await
        .expect("probe");
    assert_eq!(
        (timed_out.ok, timed_out.failure),
        (false, Some(Failure::Timeout))
    );

    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        listener.local_addr().expect("address").port()
    };
    for protocol in [Protocol::Http, Protocol::Tcp] {
        let refused = prober
            .probe(&spec(protocol, closed, Duration::from_secs(2)), "127.0.0.1")
            .await
            .expect("probe");
        assert_eq!(
            (refused.ok, refused.failure),
            (false, Some(Failure::Refused)),
            "{protocol:?}"
        );
    }
    let open = prober
        .probe(
            &spec(Protocol::Tcp, slow.port(), Duration::from_secs(2)),
            "127.0.0.1",
        )
        .await
        .expect("probe");
    assert!(open.ok, "TCP connect to a listening port: {open:?}");
}

#[tokio::test]
async fn https_accepts_any_certificate_but_needs_a_handshake() {
    let (tls, _, _) =
        common::tls_server(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .await;
    let prober = prober();
    let ok = prober
        .probe(
            &spec(Protocol::Https, tls, Duration::from_secs(5)),
            "127.0.0.1",
        )
        .await
        .expect("probe");
    assert_eq!((ok.ok, ok.http_status), (true, Some(200)), "{ok:?}");

    // HTTPS against a plain HTTP server: the handshake fails.
    let (plain, _) = http_target(Duration::ZERO).await;
    let failed = prober
        .probe(
            &spec(Protocol::Https, plain.port(), Duration::from_secs(5)),
            "127.0.0.1",
        )
        .await
        .expect("probe");
    assert!(!failed.ok, "{failed:?}");
    assert!(
        matches!(failed.failure, Some(Failure::Tls | Failure::Reset)),
        "{failed:?}"
    );
}

#[tokio::test]
async fn ping_answers_or_says_why_it_cannot() {
    let outcome = prober()
        .probe(
            &spec(Protocol::Ping, 0, Duration::from_secs(2)),
            "127.0.0.1",
        )
        .await;
    match outcome {
        Ok(Outcome { ok, .. }) => assert!(ok, "127.0.0.1 answers echo requests"),
        // Without ICMP sockets the probe is unavailable, with the remedy named.
        Err(unavailable) => {
            assert!(matches!(unavailable.0, PointIssue::NoIcmp { .. }));
            assert!(
                unavailable.to_string().contains("ping_group_range"),
                "{unavailable}"
            );
        }
    }
}

#[tokio::test]
async fn addresses_outside_the_probe_networks_are_never_contacted() {
    let prober = prober();
    let refused = prober
        .probe(
            &spec(Protocol::Tcp, 80, Duration::from_secs(1)),
            "192.0.2.1",
        )
        .await;
    let reason = refused.expect_err("outside 127.0.0.0/8");
    assert_eq!(
        reason.0,
        PointIssue::Blocked {
            address: "192.0.2.1".into(),
            flag: "--probe-networks".into(),
            networks: "127.0.0.0/8".into(),
        }
    );
    assert!(
        reason
            .to_string()
            .starts_with("blocked by policy: 192.0.2.1"),
        "{reason}"
    );
}

/// By default probes reach public addresses only: a real loopback target is never connected
/// to, whether named by its address, an IPv4-mapped IPv6 form or a name resolving to it.
#[tokio::test]
async fn special_use_addresses_are_blocked_by_default_even_behind_a_name() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    let contacted = Arc::new(AtomicU16::new(0));
    let counter = contacted.clone();
    tokio::spawn(async move {
        while listener.accept().await.is_ok() {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });
    let prober = Prober::new(Reach::public("--probe-networks")).expect("TLS configuration");
    for protocol in [Protocol::Http, Protocol::Tcp] {
        for target in ["127.0.0.1", "::ffff:127.0.0.1", "localhost"] {
            let refused = prober
                .probe(&spec(protocol, port, Duration::from_secs(2)), target)
                .await
                .expect_err("a special-use address");
            assert!(
                matches!(refused.0, PointIssue::Blocked { .. }),
                "{target}: {refused}"
            );
        }
    }
    assert_eq!(contacted.load(Ordering::SeqCst), 0);
}
