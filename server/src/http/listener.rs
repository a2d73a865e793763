//! The HTTP listener's connection handling: who gets a connection and for how long. A client
//! that opens connections and then sends nothing, or sends its request a byte at a time
//! (slowloris), must not hold the server: each connection lives under four rules, watched from
//! outside the HTTP machinery so they hold whatever a client does:
//!
//! - **caps**: at most `max_connections` at once, and `max_per_address` from one address; the
//!   networks allowed to scrape `/metrics` (health checkers) keep a small reserve above the
//!   global cap, so `/healthz` answers while the public cap is full;
//! - **header timeout**: a request's head must arrive complete within it of its first byte;
//! - **idle timeout**: a keep-alive connection with no request in flight is closed after it;
//! - **request timeout**: a request (its body read and its handling) may take at most this.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

use crate::net::Network;

/// The listener's rules (each a `serve` flag; see README).
#[derive(Clone, Debug)]
pub struct Limits {
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub request_timeout: Duration,
    pub max_connections: usize,
    pub max_per_address: usize,
    /// Peers that may use the reserve above `max_connections` (health checkers, scrapers).
    pub reserved_for: Vec<Network>,
}

/// Connections above `max_connections` kept for `reserved_for`.
const RESERVE: usize = 32;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            request_timeout: Duration::from_secs(60),
            max_connections: 4096,
            max_per_address: 256,
            reserved_for: Vec::new(),
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then lets the requests in flight
/// finish (at most `drain`).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
    drain: Duration,
) -> std::io::Result<()> {
    let limits = Arc::new(limits);
    let counts = Arc::new(Counts::default());
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment, keep serving.
                    tracing::warn!("HTTP accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(slot) = counts.admit(peer.ip(), &limits) else {
            tracing::debug!("HTTP connection from {peer} refused: connection cap reached");
            continue;
        };
        if let Err(e) = tcp.set_nodelay(true) {
            // Without it a streamed page's last chunk can wait ~40 ms for a delayed ACK.
            tracing::debug!("TCP_NODELAY: {e}");
        }
        let activity = Arc::new(Activity::new());
        let io = TokioIo::new(Watched {
            inner: tcp,
            activity: activity.clone(),
        });
        let service = ConnectionService {
            router: router.clone(),
            peer,
            activity: activity.clone(),
        };
        let connection = hyper::server::conn::http1::Builder::new()
            .keep_alive(true)
            .serve_connection(io, hyper_util::service::TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        let limits = limits.clone();
        tokio::spawn(async move {
            tokio::select! {
                result = connection => if let Err(e) = result {
                    tracing::debug!("HTTP connection from {peer}: {e}");
                },
                why = activity.expired(&limits) => {
                    tracing::debug!("HTTP connection from {peer} closed: {why}");
                }
            }
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            "HTTP: requests still running after {} s at shutdown; closing them",
            drain.as_secs()
        );
    }
    Ok(())
}

/// The router for one connection: each request carries the peer's address and counts as in
/// flight until its response body is dropped (written out or abandoned).
#[derive(Clone)]
struct ConnectionService {
    router: Router,
    peer: SocketAddr,
    activity: Arc<Activity>,
}

impl tower_service::Service<hyper::Request<Incoming>> for ConnectionService {
    type Response = axum::response::Response;
    type Error = std::convert::Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut request: hyper::Request<Incoming>) -> Self::Future {
        request.extensions_mut().insert(ConnectInfo(self.peer));
        let in_flight = self.activity.begin();
        let router = self.router.clone();
        Box::pin(async move {
            use tower::ServiceExt;
            let response = router.oneshot(request.map(axum::body::Body::new)).await?;
            Ok(response.map(|body| {
                // The guard lives as long as the body: the request ends when it is dropped.
                axum::body::Body::new(body.map_frame(move |frame| {
                    let _held = &in_flight;
                    frame
                }))
            }))
        })
    }
}

/// What one connection is doing, for its timeouts.
struct Activity {
    started: Instant,
    /// Requests whose response body is not yet dropped.
    in_flight: AtomicUsize,
    /// When the connection last became idle (ms since `started`).
    idle_since: AtomicI64,
    /// When the first byte of a request head arrived while idle (ms), -1 when none.
    head_since: AtomicI64,
    /// When the current request began (ms).
    request_since: AtomicI64,
    changed: Notify,
}

/// Decrements the in-flight count when dropped.
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let activity = &self.0;
        if activity.in_flight.fetch_sub(1, Ordering::SeqCst) == 1 {
            activity.idle_since.store(activity.now(), Ordering::SeqCst);
        }
        activity.changed.notify_one();
    }
}

impl Activity {
    fn new() -> Activity {
        Activity {
            started: Instant::now(),
            in_flight: AtomicUsize::new(0),
            idle_since: AtomicI64::new(0),
            head_since: AtomicI64::new(-1),
            request_since: AtomicI64::new(0),
            changed: Notify::new(),
        }
    }

    fn now(&self) -> i64 {
        i64::try_from(self.started.elapsed().as_millis()).unwrap_or(i64::MAX)
    }

    fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        self.head_since.store(-1, Ordering::SeqCst);
        self.request_since.store(self.now(), Ordering::SeqCst);
        self.changed.notify_one();
        InFlight(self.clone())
    }

    /// Bytes arrived: while idle, they start a request head (and its header timeout).
    fn received(&self) {
        if self.in_flight.load(Ordering::SeqCst) == 0 && self.head_since.load(Ordering::SeqCst) < 0
        {
            self.head_since.store(self.now(), Ordering::SeqCst);
            self.changed.notify_one();
        }
    }

    /// Completes when one of the timeouts has run out, with which.
    async fn expired(&self, limits: &Limits) -> &'static str {
        let ms = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        loop {
            let (deadline, why) = if self.in_flight.load(Ordering::SeqCst) > 0 {
                (
                    self.request_since.load(Ordering::SeqCst) + ms(limits.request_timeout),
                    "request timeout",
                )
            } else {
                match self.head_since.load(Ordering::SeqCst) {
                    since if since >= 0 => (since + ms(limits.header_timeout), "header timeout"),
                    _ => (
                        self.idle_since.load(Ordering::SeqCst) + ms(limits.idle_timeout),
                        "idle timeout",
                    ),
                }
            };
            let wait = Duration::from_millis(u64::try_from(deadline - self.now()).unwrap_or(0));
            if wait.is_zero() {
                return why;
            }
            // Woken early by a change of state: recompute the deadline.
            let _ = tokio::time::timeout(wait, self.changed.notified()).await;
        }
    }
}

/// The socket, telling the connection's activity when bytes arrive.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.received();
        }
        result
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Open connections, in all and per address.
#[derive(Default)]
struct Counts {
    // A plain mutex: a map update per connection opened or closed, never held across an await.
    by_address: Mutex<HashMap<IpAddr, usize>>,
    total: AtomicUsize,
}

/// One admitted connection; gives its place back when dropped.
struct Slot {
    counts: Arc<Counts>,
    address: IpAddr,
}

impl Counts {
    fn admit(self: &Arc<Self>, address: IpAddr, limits: &Limits) -> Option<Slot> {
        let mut by_address = self.by_address.lock().unwrap_or_else(|e| e.into_inner());
        let total = self.total.load(Ordering::SeqCst);
        let reserved = limits.reserved_for.iter().any(|n| n.contains(address));
        let cap = limits.max_connections + if reserved { RESERVE } else { 0 };
        let here = by_address.get(&address).copied().unwrap_or(0);
        if total >= cap || here >= limits.max_per_address {
            return None;
        }
        by_address.insert(address, here + 1);
        self.total.fetch_add(1, Ordering::SeqCst);
        Some(Slot {
            counts: self.clone(),
            address,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut by_address = self
            .counts
            .by_address
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(n) = by_address.get_mut(&self.address) {
            *n -= 1;
            if *n == 0 {
                by_address.remove(&self.address);
            }
        }
        self.counts.total.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_count_per_address_and_in_all_with_a_reserve() {
        let limits = Limits {
            max_connections: 3,
            max_per_address: 2,
            reserved_for: vec!["127.0.0.0/8".parse().expect("network")],
            ..Limits::default()
        };
        let counts = Arc::new(Counts::default());
        let a: IpAddr = "192.0.2.1".parse().expect("ip");
        let b: IpAddr = "192.0.2.2".parse().expect("ip");
        let first = counts.admit(a, &limits).expect("first");
        let _second = counts.admit(a, &limits).expect("second");
        assert!(counts.admit(a, &limits).is_none(), "per-address cap");
        let _third = counts.admit(b, &limits).expect("another address");
        assert!(counts.admit(b, &limits).is_none(), "global cap");
        let checker: IpAddr = "127.0.0.1".parse().expect("ip");
        assert!(counts.admit(checker, &limits).is_some(), "the reserve");
        drop(first);
        assert!(
            counts.admit(a, &limits).is_some(),
            "a closed connection frees its slot"
        );
    }
}
