//! `itm probe-agent` reaches its server over HTTPS, verifying the server's certificate against
//! `--server-ca`: a TLS server on loopback (self-signed for `localhost`) records the agent's
//! requests; one with a certificate the agent does not trust gets no request through.

use crate::common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const NO_TASKS: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n[]";

fn agent(port: u16, ca: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_itm"))
        .args([
            "probe-agent",
            "--server",
            &format!("https://localhost:{port}"),
        ])
        .args([
            "--token",
            "secret-token",
            "--point",
            "bj-1",
            "--refresh-sec",
            "1",
        ])
        .arg("--server-ca")
        .arg(ca)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("itm probe-agent starts")
}

#[tokio::test]
async fn the_agent_talks_https_to_a_server_it_trusts_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (port, pem, seen) = common::tls_server(NO_TASKS).await;
    let trusted = dir.path().join("server.pem");
    std::fs::write(&trusted, pem).expect("write ca");
    let mut child = agent(port, &trusted);
    let deadline = Instant::now() + Duration::from_secs(20);
    let request = loop {
        if let Some(r) = seen.lock().expect("log").first().cloned() {
            break Some(r);
        }
        if Instant::now() > deadline {
            break None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let _ = child.kill();
    let _ = child.wait();
    let request = request.expect("the agent fetched its tasks over TLS");
    assert!(request.starts_with("GET /v1/agent/tasks"), "{request}");
    let lower = request.to_ascii_lowercase();
    assert!(
        lower.contains("authorization: bearer secret-token"),
        "{request}"
    );
    assert!(lower.contains("x-itm-point: bj-1"), "{request}");

    // Another server with its own certificate: the agent refuses the handshake, so no request
    // ever reaches it. The trusted server above shows the agent is running meanwhile.
    let (other_port, _, other_seen) = common::tls_server(NO_TASKS).await;
    let mut child = agent(other_port, &trusted);
    let witness = seen.clone();
    let before = witness.lock().expect("log").len();
    let mut second = agent(port, &trusted);
    let deadline = Instant::now() + Duration::from_secs(20);
    while witness.lock().expect("log").len() < before + 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for c in [&mut child, &mut second] {
        let _ = c.kill();
        let _ = c.wait();
    }
    assert!(
        witness.lock().expect("log").len() >= before + 2,
        "the trusted agent kept polling"
    );
    assert!(
        other_seen.lock().expect("log").is_empty(),
        "an untrusted server got a request"
    );
}
