//! The authoritative DNS listener. `handler` answers one query from the immutable `snapshot`
//! (swapped atomically when the configuration or health changes); `answer` holds the resolution
//! rules, `ecs` the client-subnet checks, placement lives in `crate::ipdb`. hickory-server
//! carries the packets over UDP and TCP.

pub mod answer;
pub mod baseline;
pub mod ecs;
pub mod fixture;
pub mod handler;
pub mod snapshot;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use hickory_server::Server;
use hickory_server::server::RequestHandler;
use tokio::net::{TcpListener, UdpSocket};

pub use handler::{Handler, ZoneConfig};
pub use snapshot::{Answers, follow};

/// Binds UDP and TCP on the same address. For port 0 the TCP port must match the UDP port the
/// system picked, which another process may hold: then it tries again with a new port.
pub async fn bind(addr: SocketAddr) -> std::io::Result<(UdpSocket, TcpListener)> {
    let mut attempts = 0;
    loop {
        let udp = UdpSocket::bind(addr).await?;
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

/// Serves `handler` on both sockets until `shutdown` completes, then stops gracefully.
pub async fn serve<H: RequestHandler>(
    udp: UdpSocket,
    tcp: TcpListener,
    handler: H,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let mut server = Server::new(handler);
    server.register_socket(udp);
    // Idle TCP connections are closed after 10 s; up to 32 answers queue per connection.
    server.register_listener(tcp, Duration::from_secs(10), 32);
    shutdown.await;
    server.shutdown_gracefully().await?;
    Ok(())
}
