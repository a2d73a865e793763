//! The HTTP(S) clients for the calls the server and the agent make: webhooks and the SMS gateway
//! (notifications), and an agent's calls to its server. HTTPS is verified against the public web
//! roots, or against a given CA file. Requests a tenant aims (webhooks, the SMS gateway) go
//! through [`guarded_client`]: it resolves the host itself and connects only to addresses its
//! [`Reach`] allows, so no name — whatever it resolves to, whenever — leads to loopback or a
//! private network the operator has not opened.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;

use hyper::Uri;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::net::Reach;

use anyhow::Context;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;

pub type HttpsClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;
pub type GuardedClient = Client<HttpsConnector<GuardedConnector>, Full<Bytes>>;

/// A client for tenant-aimed http:// and https:// URLs: connections only to what `reach` allows.
pub fn guarded_client(reach: Reach) -> anyhow::Result<GuardedClient> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_webpki_roots(provider)?
        .https_or_http()
        .enable_http1()
        .wrap_connector(GuardedConnector {
            reach: Arc::new(reach),
        });
    Ok(Client::builder(hyper_util::rt::TokioExecutor::new()).build(connector))
}

/// Resolves the URL's host, keeps the addresses `reach` allows and connects to the first that
/// answers. None allowed: a "blocked by policy" error, and nothing is sent anywhere.
#[derive(Clone, Debug)]
pub struct GuardedConnector {
    reach: Arc<Reach>,
}

impl tower_service::Service<Uri> for GuardedConnector {
    type Response = TokioIo<TcpStream>;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = std::io::Result<Self::Response>> + Send>>;

    fn poll_ready(&mut self, _: &mut std::task::Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let reach = self.reach.clone();
        Box::pin(async move {
            let host = uri
                .host()
                .map(|h| h.trim_matches(['[', ']']).to_owned())
                .ok_or_else(|| std::io::Error::other("the URL has no host"))?;
            let port = uri
                .port_u16()
                .unwrap_or(if uri.scheme_str() == Some("https") {
                    443
                } else {
                    80
                });
            let resolved: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
                .await?
                .collect();
            let allowed: Vec<SocketAddr> = resolved
                .iter()
                .copied()
                .filter(|a| reach.allows(a.ip()))
                .collect();
            if allowed.is_empty() {
                let found: Vec<String> = resolved.iter().map(|a| a.ip().to_string()).collect();
                return Err(std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    format!(
                        "blocked by policy: {host} is {} — outside the networks this server sends \
                         to ({} {reach})",
                        found.join(", "),
                        reach.flag()
                    ),
                ));
            }
            let mut last = None;
            for address in allowed {
                match TcpStream::connect(address).await {
                    Ok(stream) => {
                        let _ = stream.set_nodelay(true);
                        return Ok(TokioIo::new(stream));
                    }
                    Err(e) => last = Some(e),
                }
            }
            Err(last.unwrap_or_else(|| std::io::Error::other("no address to connect to")))
        })
    }
}

/// An error with its causes (`a: b: c`): hyper's own text alone ("client error (Connect)")
/// hides why a request failed.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

/// A client for http:// and https:// URLs; with `ca`, server certificates must chain to it.
pub fn https_client(ca: Option<&Path>) -> anyhow::Result<HttpsClient> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = hyper_rustls::HttpsConnectorBuilder::new();
    let builder = match ca {
        None => builder.with_provider_and_webpki_roots(provider)?,
        Some(path) => {
            use rustls::pki_types::CertificateDer;
            use rustls::pki_types::pem::PemObject;
            let context = || format!("CA file {}", path.display());
            let mut roots = rustls::RootCertStore::empty();
            for certificate in CertificateDer::pem_file_iter(path).with_context(context)? {
                roots
                    .add(certificate.with_context(context)?)
                    .with_context(context)?;
            }
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()?
                .with_root_certificates(roots)
                .with_no_client_auth();
            builder.with_tls_config(config)
        }
    };
    let connector = builder.https_or_http().enable_http1().build();
    Ok(Client::builder(hyper_util::rt::TokioExecutor::new()).build(connector))
}
