//! Serving DNS over UDP: a few threads share the socket, each taking up to [`BATCH`] datagrams
//! per `recvmmsg`, answering them (fast path, else hickory; see [`super::datagram`]) into
//! buffers allocated once, and sending the answers with one `sendmmsg`. Under load one pair of
//! system calls serves dozens of queries; idle, a thread sleeps in the kernel.

use std::io;
use std::io::{IoSlice, IoSliceMut};
use std::net::{SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use nix::errno::Errno;
use nix::sys::socket::{MsgFlags, MultiHeaders, SockaddrIn6, SockaddrStorage, recvmmsg, sendmmsg};
use rand::{Rng, SeedableRng};

use super::datagram;
use super::edns::MAX_UDP_PAYLOAD;
use super::handler::Handler;

/// Datagrams taken per system call.
const BATCH: usize = 32;
/// The largest query read; longer datagrams are truncated by the kernel and dropped here.
const MAX_QUERY: usize = 4096;
/// How often an idle thread looks whether the server is stopping.
const STOP_CHECK: Duration = Duration::from_millis(200);

/// The UDP threads; dropping it does not stop them, [`UdpServer::stop`] does.
pub struct UdpServer {
    stopping: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl UdpServer {
    /// Starts `threads` threads serving `socket` (a bound socket, in blocking mode here).
    pub fn start(
        socket: std::net::UdpSocket,
        handler: Arc<Handler>,
        threads: usize,
    ) -> io::Result<UdpServer> {
        socket.set_nonblocking(false)?;
        socket.set_read_timeout(Some(STOP_CHECK))?;
        let socket = Arc::new(socket);
        let stopping = Arc::new(AtomicBool::new(false));
        let threads = (0..threads.max(1))
            .map(|n| {
                let (socket, handler, stopping) =
                    (socket.clone(), handler.clone(), stopping.clone());
                std::thread::Builder::new()
                    .name(format!("dns-udp-{n}"))
                    .spawn(move || serve(&socket, &handler, &stopping))
            })
            .collect::<io::Result<Vec<_>>>()?;
        Ok(UdpServer { stopping, threads })
    }

    /// Stops the threads (within [`STOP_CHECK`]) and waits for them.
    pub fn stop(self) {
        self.stopping.store(true, Ordering::Relaxed);
        for thread in self.threads {
            if thread.join().is_err() {
                tracing::error!("a DNS UDP thread panicked");
            }
        }
    }
}

/// One thread's loop: receive a batch, answer it, send the answers.
fn serve(socket: &std::net::UdpSocket, handler: &Handler, stopping: &AtomicBool) {
    let fd = socket.as_raw_fd();
    let mut batch = Batch::new();
    let mut random = rand::rngs::SmallRng::from_rng(&mut rand::rng());
    while !stopping.load(Ordering::Relaxed) {
        let received = match batch.receive(fd) {
            Ok(n) => n,
            Err(Errno::EAGAIN | Errno::EINTR) => continue,
            Err(e) => {
                tracing::warn!("DNS UDP receive: {e}");
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        for i in 0..received {
            batch.answer(i, handler, random.random());
        }
        batch.send(fd);
    }
}

/// Buffers for one batch, reused for every batch of a thread.
struct Batch {
    queries: Box<[[u8; MAX_QUERY]; BATCH]>,
    answers: Box<[[u8; MAX_UDP_PAYLOAD as usize]; BATCH]>,
    /// Per received datagram: its length and source (`None`: not answered).
    received: Vec<(usize, Option<SocketAddr>)>,
    /// Per answer: its length and destination (allocated once, never grown past [`BATCH`]).
    ready: Vec<(usize, SocketAddr)>,
    receive_headers: MultiHeaders<SockaddrStorage>,
    send_headers: MultiHeaders<SockaddrStorage>,
}

impl Batch {
    fn new() -> Batch {
        Batch {
            queries: Box::new([[0; MAX_QUERY]; BATCH]),
            answers: Box::new([[0; MAX_UDP_PAYLOAD as usize]; BATCH]),
            received: Vec::with_capacity(BATCH),
            ready: Vec::with_capacity(BATCH),
            receive_headers: MultiHeaders::preallocate(BATCH, None),
            send_headers: MultiHeaders::preallocate(BATCH, None),
        }
    }

    /// Waits for at least one datagram, takes what else is queued (up to [`BATCH`]).
    fn receive(&mut self, fd: RawFd) -> nix::Result<usize> {
        self.received.clear();
        let mut slices = self.queries.each_mut().map(|q| [IoSliceMut::new(q)]);
        let results = recvmmsg(
            fd,
            &mut self.receive_headers,
            slices.iter_mut(),
            MsgFlags::MSG_WAITFORONE,
            None,
        )?;
        for message in results {
            let truncated = message.flags.contains(MsgFlags::MSG_TRUNC);
            let source = message.address.as_ref().and_then(socket_addr);
            let source = source.filter(|s| !truncated && answerable(s));
            self.received.push((message.bytes, source));
        }
        Ok(self.received.len())
    }

    fn answer(&mut self, i: usize, handler: &Handler, random: u64) {
        let (len, Some(source)) = self.received[i] else {
            return;
        };
        let slot = self.ready.len();
        let answer = &mut self.answers[slot];
        if let Some(answer_len) =
            datagram::answer(handler, &self.queries[i][..len], source, random, answer)
        {
            self.ready.push((answer_len, source));
        }
    }

    /// Sends every ready answer; one that cannot be sent is skipped (the client retries).
    fn send(&mut self, fd: RawFd) {
        let mut first = 0;
        while first < self.ready.len() {
            let pending = &self.ready[first..];
            let slices: [[IoSlice<'_>; 1]; BATCH] = std::array::from_fn(|k| {
                let answer = pending
                    .get(k)
                    .map_or(&[][..], |&(len, _)| &self.answers[first + k][..len]);
                [IoSlice::new(answer)]
            });
            let addresses: [Option<SockaddrStorage>; BATCH] =
                std::array::from_fn(|k| pending.get(k).map(|&(_, to)| SockaddrStorage::from(to)));
            match sendmmsg(
                fd,
                &mut self.send_headers,
                slices[..pending.len()].iter(),
                &addresses[..pending.len()],
                [],
                MsgFlags::MSG_DONTWAIT,
            ) {
                Ok(results) => first += results.count().max(1),
                Err(Errno::EINTR) => {}
                Err(e) => {
                    tracing::debug!("DNS UDP answer to {} not sent: {e}", pending[0].1);
                    first += 1;
                }
            }
        }
        self.ready.clear();
    }
}

fn socket_addr(address: &SockaddrStorage) -> Option<SocketAddr> {
    if let Some(v4) = address.as_sockaddr_in() {
        return Some(SocketAddr::V4(SocketAddrV4::from(*v4)));
    }
    address
        .as_sockaddr_in6()
        .map(|v6: &SockaddrIn6| SocketAddr::V6(SocketAddrV6::from(*v6)))
}

/// Sources no answer may go to (as hickory-server): port 0, unspecified and broadcast.
fn answerable(source: &SocketAddr) -> bool {
    source.port() != 0
        && !source.ip().is_unspecified()
        && !matches!(source, SocketAddr::V4(v4) if v4.ip().is_broadcast())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_that_cannot_be_answered() {
        let no: [SocketAddr; 3] = [
            "1.2.3.4:0".parse().expect("test value"),
            "0.0.0.0:53".parse().expect("test value"),
            "255.255.255.255:53".parse().expect("test value"),
        ];
        assert!(no.iter().all(|s| !answerable(s)));
        assert!(answerable(&"127.0.0.1:5300".parse().expect("test value")));
        let v4 = SockaddrStorage::from(SocketAddr::from(([10, 0, 0, 1], 53)));
        assert_eq!(
            socket_addr(&v4),
            Some("10.0.0.1:53".parse().expect("test value"))
        );
    }
}
