//! Shared by integration tests: a main account's caller, an endpoint input, and a TLS server on
//! loopback with a self-signed certificate.

use std::sync::{Arc, Mutex};

use app::model::EndpointInput;
use itm_server::service::{Caller, Service};
use itm_server::store::accounts;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A TLS server for `localhost` and `www.example.com` answering every request with `response`;
/// returns its port, its certificate (PEM) and the request heads it received.
pub async fn tls_server(response: &'static [u8]) -> (u16, String, Arc<Mutex<Vec<String>>>) {
    let names = vec!["localhost".into(), "www.example.com".into()];
    let key = rcgen::generate_simple_self_signed(names).expect("cert");
    let pem = key.cert.pem();
    let cert = key.cert.der().clone();
    let private =
        rustls::pki_types::PrivateKeyDer::try_from(key.signing_key.serialize_der()).expect("key");
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_single_cert(vec![cert], private)
    .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (acceptor, log) = (acceptor.clone(), log.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let mut buffer = vec![0u8; 8192];
                let n = tls.read(&mut buffer).await.unwrap_or(0);
                log.lock()
                    .expect("log")
                    .push(String::from_utf8_lossy(&buffer[..n]).into_owned());
                let _ = tls.write_all(response).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (port, pem, seen)
}

/// The main user of the account named `username`, as the doors would load it.
pub async fn main_caller(svc: &Service, username: &str) -> Caller {
    let mut conn = svc.node().store().conn().await.expect("conn");
    let (user, _) = accounts::find_for_login(&mut conn, None, username)
        .await
        .expect("query")
        .expect("main user");
    Caller {
        user,
        source: "test".into(),
    }
}

/// An endpoint of `domain` in `area`, ISP China Telecom, type detected.
pub fn endpoint(domain: &str, value: &str, area: &str) -> EndpointInput {
    EndpointInput {
        domain: domain.into(),
        endpoint: value.into(),
        kind: String::new(),
        area: Some(area.into()),
        isp: Some("ct".into()),
        tag: String::new(),
    }
}
