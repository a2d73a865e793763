//! The authoritative DNS listener. `handler` answers one query from the immutable `snapshot`
//! (swapped atomically when the configuration or health changes; `follow` keeps it in step with
//! the store); `answer` holds the resolution rules, `ecs` the client-subnet checks, `edns` the
//! payload size; placement lives in `crate::ipdb`. Over UDP, `udp` serves batches of datagrams on
//! a few threads, answering the common query shape on the `fast` path and the rest through the
//! handler (`datagram`); hickory-server serves TCP.

pub mod answer;
// Test and benchmark fixtures, not in the product's build (feature `fixtures`).
#[cfg(feature = "fixtures")]
pub mod baseline;
pub mod datagram;
pub mod ecs;
pub mod edns;
pub mod fast;
#[cfg(feature = "fixtures")]
pub mod fixture;
pub mod follow;
pub mod handler;
pub mod sharded;
pub mod snapshot;
pub mod udp;
pub mod volume;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use std::sync::Arc;

use hickory_server::Server;
use hickory_server::server::RequestHandler;
use tokio::net::TcpListener;

pub use follow::{VERSION_CHECK, follow};
pub use handler::{Handler, ZoneConfig};
pub use snapshot::Answers;

/// Binds UDP and TCP on the same address. For port 0 the TCP port must match the UDP port the
/// system picked, which another process may hold: then it tries again with a new port.
pub async fn bind(addr: SocketAddr) -> std::io::Result<(std::net::UdpSocket, TcpListener)> {
    let mut attempts = 0;
    loop {
        let udp = udp_socket(addr)?;
        match TcpListener::bind(udp.local_addr()?).await {
            Ok(tcp) => return Ok((udp, tcp)),
            Err(e)
                if addr.port() == 0
                    && e.kind() == std::io::ErrorKind::AddrInUse
                    && attempts < 20 =>
            {
                attempts += 1
            }
            Err(e) => return Err(e),
        }
    }
}

/// Receive buffer asked for the UDP socket: a burst arriving while the process is busy (a
/// snapshot rebuild on a pinned core) waits in the kernel instead of being dropped. The kernel
/// caps it at net.core.rmem_max (raise that on busy servers; see README).
const UDP_RECEIVE_BUFFER: usize = 8 << 20;

fn udp_socket(addr: SocketAddr) -> std::io::Result<std::net::UdpSocket> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    if let Err(e) = socket.set_recv_buffer_size(UDP_RECEIVE_BUFFER) {
        tracing::warn!("DNS UDP receive buffer not enlarged: {e}");
    }
    socket.bind(&addr.into())?;
    Ok(socket.into())
}

/// Serves `handler` until `shutdown` completes: UDP on `udp_threads` threads, TCP through
/// hickory-server; then stops gracefully.
pub async fn serve(
    udp: std::net::UdpSocket,
    tcp: TcpListener,
    handler: Handler,
    udp_threads: usize,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let udp = udp::UdpServer::start(udp, Arc::new(handler.clone()), udp_threads)?;
    let mut server = Server::new(handler);
    register_tcp(&mut server, tcp);
    shutdown.await;
    server.shutdown_gracefully().await?;
    tokio::task::spawn_blocking(move || udp.stop()).await?;
    Ok(())
}

/// Serves any hickory handler on both sockets through hickory-server alone (the benchmark's
/// baseline: the framework's own cost).
#[cfg(feature = "fixtures")]
pub async fn serve_hickory<H: RequestHandler>(
    udp: std::net::UdpSocket,
    tcp: TcpListener,
    handler: H,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    udp.set_nonblocking(true)?;
    let mut server = Server::new(handler);
    server.register_socket(tokio::net::UdpSocket::from_std(udp)?);
    register_tcp(&mut server, tcp);
    shutdown.await;
    server.shutdown_gracefully().await?;
    Ok(())
}

fn register_tcp<H: RequestHandler>(server: &mut Server<H>, tcp: TcpListener) {
    // Idle TCP connections are closed after 10 s; up to 32 answers queue per connection.
    server.register_listener(tcp, Duration::from_secs(10), 32);
}
