//! One probe of one endpoint address: HTTP and HTTPS (a fresh connection, Host and SNI set, one
//! GET, redirects never followed, the status judged against the expected codes), TCP connect,
//! and ICMP echo. A probe that cannot be made from this process at all (no ICMP socket allowed)
//! is not a failure of the endpoint: it returns [`Unavailable`].

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::model::{ExpectedCodes, PointIssue, Protocol};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use crate::net::Reach;

/// What is probed and how, from a domain's monitor settings.
#[derive(Clone, Debug)]
pub struct ProbeSpec {
    pub protocol: Protocol,
    pub port: u16,
    pub path: String,
    /// Host header and TLS SNI.
    pub host: String,
    pub expected: ExpectedCodes,
    pub timeout: Duration,
}

/// A probe's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub ok: bool,
    /// Until the answer (HTTP: the response head; TCP: the connection; PING: the echo reply).
    pub latency_ms: Option<u32>,
    pub http_status: Option<u16>,
    pub failure: Option<Failure>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Failure {
    Timeout,
    Refused,
    Reset,
    Tls,
    Dns,
    UnexpectedStatus,
    Unreachable,
}

impl Failure {
    pub fn as_str(self) -> &'static str {
        match self {
            Failure::Timeout => "timeout",
            Failure::Refused => "refused",
            Failure::Reset => "reset",
            Failure::Tls => "tls",
            Failure::Dns => "dns",
            Failure::UnexpectedStatus => "unexpectedStatus",
            Failure::Unreachable => "unreachable",
        }
    }

    pub fn parse(text: &str) -> Option<Failure> {
        [
            Failure::Timeout,
            Failure::Refused,
            Failure::Reset,
            Failure::Tls,
            Failure::Dns,
            Failure::UnexpectedStatus,
            Failure::Unreachable,
        ]
        .into_iter()
        .find(|f| f.as_str() == text)
    }
}

/// This process cannot make the probe (e.g. ICMP sockets not permitted): said in the monitor's
/// status, never counted against the endpoint.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unavailable(pub PointIssue);

impl Outcome {
    fn passed(latency: Duration, http_status: Option<u16>) -> Outcome {
        Outcome {
            ok: true,
            latency_ms: Some(millis(latency)),
            http_status,
            failure: None,
        }
    }

    fn failed(failure: Failure, latency: Option<Duration>, http_status: Option<u16>) -> Outcome {
        Outcome {
            ok: false,
            latency_ms: latency.map(millis),
            http_status,
            failure: Some(failure),
        }
    }
}

fn millis(d: Duration) -> u32 {
    u32::try_from(d.as_millis()).unwrap_or(u32::MAX)
}

/// Shared probe machinery: the TLS configuration and the ICMP clients (made once), and where
/// probes may go (`--probe-networks`: public addresses by default).
pub struct Prober {
    tls: tokio_rustls::TlsConnector,
    icmp_v4: Result<surge_ping::Client, Unavailable>,
    icmp_v6: Result<surge_ping::Client, Unavailable>,
    reach: Reach,
    /// The local address TCP probes leave from (multi-homed hosts); `None`: the system's choice.
    source: Option<IpAddr>,
}

impl Prober {
    /// Fails only if the TLS library cannot offer its default protocol versions.
    pub fn new(reach: Reach) -> Result<Prober, rustls::Error> {
        Ok(Prober {
            tls: tls_connector()?,
            icmp_v4: icmp_client(surge_ping::ICMP::V4),
            icmp_v6: icmp_client(surge_ping::ICMP::V6),
            reach,
            source: None,
        })
    }

    pub fn with_source(self, source: Option<IpAddr>) -> Prober {
        Prober { source, ..self }
    }

    async fn connect(&self, address: SocketAddr) -> std::io::Result<TcpStream> {
        let Some(source) = self.source else {
            return TcpStream::connect(address).await;
        };
        let socket = match address {
            SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
            SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
        };
        socket.bind(SocketAddr::new(source, 0))?;
        socket.connect(address).await
    }

    /// Probes the endpoint `target` (an address, or a name resolved first).
    pub async fn probe(&self, spec: &ProbeSpec, target: &str) -> Result<Outcome, Unavailable> {
        let started = Instant::now();
        let address = match resolve(target, spec.port).await {
            Some(address) => address,
            None => return Ok(Outcome::failed(Failure::Dns, None, None)),
        };
        // Checked on the address connected to, after resolution: a name that resolves to a
        // special-use address is refused like the address itself.
        if !self.reach.allows(address.ip()) {
            return Err(Unavailable(PointIssue::Blocked {
                address: address.ip().to_string(),
                flag: self.reach.flag().to_owned(),
                networks: self.reach.to_string(),
            }));
        }
        let remaining = spec.timeout.saturating_sub(started.elapsed());
        let attempt = async {
            match spec.protocol {
                Protocol::Http | Protocol::Https => Ok(self.http(spec, address, started).await),
                Protocol::Tcp => Ok(match self.connect(address).await {
                    Ok(_) => Outcome::passed(started.elapsed(), None),
                    Err(e) => Outcome::failed(io_failure(&e), None, None),
                }),
                Protocol::Ping => self.ping(address.ip(), spec.timeout, started).await,
            }
        };
        match tokio::time::timeout(remaining, attempt).await {
            Ok(result) => result,
            Err(_) => Ok(Outcome::failed(Failure::Timeout, None, None)),
        }
    }

    async fn http(&self, spec: &ProbeSpec, address: SocketAddr, started: Instant) -> Outcome {
        let tcp = match self.connect(address).await {
            Ok(tcp) => tcp,
            Err(e) => return Outcome::failed(io_failure(&e), None, None),
        };
        let _ = tcp.set_nodelay(true);
        if spec.protocol == Protocol::Http {
            return exchange(tcp, spec, started).await;
        }
        let name = match rustls::pki_types::ServerName::try_from(spec.host.clone()) {
            Ok(name) => name,
            Err(_) => rustls::pki_types::ServerName::IpAddress(address.ip().into()),
        };
        match self.tls.connect(name, tcp).await {
            Ok(tls) => exchange(tls, spec, started).await,
            Err(e) if is_tls_error(&e) => Outcome::failed(Failure::Tls, None, None),
            Err(e) => Outcome::failed(io_failure(&e), None, None),
        }
    }

    async fn ping(
        &self,
        ip: IpAddr,
        timeout: Duration,
        started: Instant,
    ) -> Result<Outcome, Unavailable> {
        let client = match ip {
            IpAddr::V4(_) => &self.icmp_v4,
            IpAddr::V6(_) => &self.icmp_v6,
        };
        let client = client.as_ref().map_err(Clone::clone)?;
        let mut pinger = client
            .pinger(ip, surge_ping::PingIdentifier(rand::random()))
            .await;
        pinger.timeout(timeout);
        match pinger.ping(surge_ping::PingSequence(0), &[0; 16]).await {
            Ok(_) => Ok(Outcome::passed(started.elapsed(), None)),
            Err(surge_ping::SurgeError::Timeout { .. }) => {
                Ok(Outcome::failed(Failure::Timeout, None, None))
            }
            Err(surge_ping::SurgeError::IOError(e)) => {
                Ok(Outcome::failed(io_failure(&e), None, None))
            }
            Err(_) => Ok(Outcome::failed(Failure::Unreachable, None, None)),
        }
    }
}

/// One GET over an open connection; the status is judged, the body never read.
async fn exchange<S>(stream: S, spec: &ProbeSpec, started: Instant) -> Outcome
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    use http_body_util::Empty;
    use hyper::body::Bytes;

    let io = hyper_util::rt::TokioIo::new(stream);
    let (mut sender, connection) =
        match hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(io).await {
            Ok(pair) => pair,
            Err(e) => return Outcome::failed(hyper_failure(&e), None, None),
        };
    // The connection task ends when the probe drops its sender.
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let request = hyper::Request::get(&spec.path)
        .header(
            hyper::header::HOST,
            host_header(&spec.host, spec.port, spec.protocol),
        )
        .header(
            hyper::header::USER_AGENT,
            concat!("ITM-HealthCheck/", env!("CARGO_PKG_VERSION")),
        )
        .header(hyper::header::CONNECTION, "close")
        .body(Empty::<Bytes>::new());
    let request = match request {
        Ok(request) => request,
        Err(_) => return Outcome::failed(Failure::Unreachable, None, None),
    };
    match sender.send_request(request).await {
        Ok(response) => {
            let status = response.status().as_u16();
            let latency = started.elapsed();
            if spec.expected.contains(status) {
                Outcome::passed(latency, Some(status))
            } else {
                Outcome::failed(Failure::UnexpectedStatus, Some(latency), Some(status))
            }
        }
        Err(e) => Outcome::failed(hyper_failure(&e), None, None),
    }
}

fn host_header(host: &str, port: u16, protocol: Protocol) -> String {
    if port == protocol.default_port() {
        host.to_owned()
    } else {
        format!("{host}:{port}")
    }
}

/// An address as given, or the first address a name resolves to (CNAME endpoints).
async fn resolve(target: &str, port: u16) -> Option<SocketAddr> {
    if let Ok(ip) = target.parse::<IpAddr>() {
        return Some(SocketAddr::new(ip, port));
    }
    tokio::net::lookup_host((target.trim_end_matches('.'), port))
        .await
        .ok()?
        .next()
}

fn io_failure(e: &std::io::Error) -> Failure {
    use std::io::ErrorKind::*;
    match e.kind() {
        ConnectionRefused => Failure::Refused,
        ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof => Failure::Reset,
        TimedOut | WouldBlock => Failure::Timeout,
        _ => Failure::Unreachable,
    }
}

fn hyper_failure(e: &hyper::Error) -> Failure {
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        if let Some(io) = inner.downcast_ref::<std::io::Error>() {
            return io_failure(io);
        }
        source = inner.source();
    }
    if e.is_timeout() {
        Failure::Timeout
    } else {
        // Closed before a response, or not HTTP at all.
        Failure::Reset
    }
}

fn is_tls_error(e: &std::io::Error) -> bool {
    e.get_ref()
        .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some())
        || e.kind() == std::io::ErrorKind::InvalidData
}

/// Health checks judge availability, not certificates (as Route 53 and Azure Traffic Manager
/// do): any certificate is accepted, but the TLS handshake itself must succeed.
fn tls_connector() -> Result<tokio_rustls::TlsConnector, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
        .with_no_client_auth();
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
}

#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// An ICMP client: an unprivileged ICMP socket where the system allows it, else a raw socket
/// (root or CAP_NET_RAW), else the reason neither works.
fn icmp_client(kind: surge_ping::ICMP) -> Result<surge_ping::Client, Unavailable> {
    let dgram = surge_ping::Config::builder().kind(kind).build();
    let dgram_error = match surge_ping::Client::new(&dgram) {
        Ok(client) => return Ok(client),
        Err(e) => e,
    };
    let raw = surge_ping::Config::builder()
        .kind(kind)
        .sock_type_hint(socket2::Type::RAW)
        .build();
    surge_ping::Client::new(&raw).map_err(|raw_error| {
        Unavailable(PointIssue::NoIcmp {
            icmp_error: dgram_error.to_string(),
            raw_error: raw_error.to_string(),
        })
    })
}
