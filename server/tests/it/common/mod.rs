//! Shared by integration tests: a TLS server on loopback with a self-signed certificate.

use std::sync::{Arc, Mutex};

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
