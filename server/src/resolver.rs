//! The server's one DNS client: TXT lookups through a recursive resolver, for the proof that an
//! account controls a delegated name (`_itm-challenge.<name>`). Over UDP (the answer's id and
//! question must match what was asked), again over TCP when the answer is truncated; every wait
//! bounded. Nothing is cached here, so a record published a moment ago counts as soon as the
//! resolver sees it.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

/// How long one lookup may take, UDP and a TCP retry together.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest answer read over UDP (EDNS payload offered).
const UDP_PAYLOAD: u16 = 1232;

#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    #[error("\"{0}\" is not a DNS name")]
    BadName(String),
    #[error("the resolver {0} did not answer in time")]
    Timeout(SocketAddr),
    #[error("the resolver {server} answered {code}")]
    Failed { server: SocketAddr, code: String },
    #[error("talking to the resolver {server}: {error}")]
    Io {
        server: SocketAddr,
        error: std::io::Error,
    },
    #[error("the resolver {0} sent an answer that does not parse or does not match the question")]
    Malformed(SocketAddr),
}

/// A recursive resolver to ask.
#[derive(Clone, Debug)]
pub struct Resolver {
    server: SocketAddr,
}

impl Resolver {
    pub fn at(server: SocketAddr) -> Resolver {
        Resolver { server }
    }

    /// The system's resolver: the first `nameserver` of /etc/resolv.conf (127.0.0.1 if none).
    pub fn system() -> Resolver {
        let text = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
        Resolver::at(SocketAddr::new(
            first_nameserver(&text).unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            53,
        ))
    }

    pub fn server(&self) -> SocketAddr {
        self.server
    }

    /// The texts of the TXT records at `name` (each record's strings joined); empty when the
    /// name or its TXT records do not exist.
    pub async fn txt(&self, name: &str) -> Result<Vec<String>, LookupError> {
        let qname = Name::from_ascii(format!("{}.", name.trim_end_matches('.')))
            .map_err(|_| LookupError::BadName(name.to_owned()))?;
        let mut query = Message::new(rand::random(), MessageType::Query, OpCode::Query);
        query.metadata.recursion_desired = true;
        query.add_query(Query::query(qname, RecordType::TXT));
        let mut edns = hickory_proto::op::Edns::new();
        edns.set_max_payload(UDP_PAYLOAD);
        query.set_edns(edns);
        let bytes = query
            .to_vec()
            .map_err(|_| LookupError::BadName(name.to_owned()))?;
        let answer = tokio::time::timeout(LOOKUP_TIMEOUT, self.exchange(&query, &bytes))
            .await
            .map_err(|_| LookupError::Timeout(self.server))??;
        match answer.metadata.response_code {
            ResponseCode::NoError | ResponseCode::NXDomain => {}
            code => {
                return Err(LookupError::Failed {
                    server: self.server,
                    code: code.to_string(),
                });
            }
        }
        Ok(answer
            .answers
            .iter()
            .filter_map(|record| match &record.data {
                RData::TXT(txt) => Some(
                    txt.txt_data
                        .iter()
                        .map(|part| String::from_utf8_lossy(part))
                        .collect::<String>(),
                ),
                _ => None,
            })
            .collect())
    }

    async fn exchange(&self, query: &Message, bytes: &[u8]) -> Result<Message, LookupError> {
        let io = |error| LookupError::Io {
            server: self.server,
            error,
        };
        let local: SocketAddr = match self.server {
            SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
            SocketAddr::V6(_) => (std::net::Ipv6Addr::UNSPECIFIED, 0).into(),
        };
        let socket = UdpSocket::bind(local).await.map_err(io)?;
        socket.connect(self.server).await.map_err(io)?;
        socket.send(bytes).await.map_err(io)?;
        let mut buffer = vec![0u8; usize::from(UDP_PAYLOAD).max(512)];
        // Datagrams that are not the answer (a late one of an earlier query) are skipped.
        let answer = loop {
            let n = socket.recv(&mut buffer).await.map_err(io)?;
            if let Ok(message) = Message::from_vec(&buffer[..n])
                && answers(query, &message)
            {
                break message;
            }
        };
        if !answer.metadata.truncation {
            return Ok(answer);
        }
        let mut tcp = TcpStream::connect(self.server).await.map_err(io)?;
        let length = u16::try_from(bytes.len()).map_err(|_| LookupError::Malformed(self.server))?;
        tcp.write_all(&length.to_be_bytes()).await.map_err(io)?;
        tcp.write_all(bytes).await.map_err(io)?;
        let length = tcp.read_u16().await.map_err(io)?;
        let mut body = vec![0u8; usize::from(length)];
        tcp.read_exact(&mut body).await.map_err(io)?;
        let message = Message::from_vec(&body).map_err(|_| LookupError::Malformed(self.server))?;
        if answers(query, &message) {
            Ok(message)
        } else {
            Err(LookupError::Malformed(self.server))
        }
    }
}

/// Whether `message` is the answer to `query`: a response with its id and question.
fn answers(query: &Message, message: &Message) -> bool {
    message.metadata.message_type == MessageType::Response
        && message.metadata.id == query.metadata.id
        && message.queries == query.queries
}

fn first_nameserver(resolv_conf: &str) -> Option<IpAddr> {
    resolv_conf.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        (words.next() == Some("nameserver"))
            .then(|| words.next()?.split('%').next()?.parse().ok())
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::rdata::TXT;
    use hickory_proto::rr::{RData, Record};

    /// A resolver on loopback: TXT `texts` for `name`, NXDOMAIN otherwise; over UDP it answers
    /// truncated when `truncate`, so the client must ask again over TCP.
    async fn fake_resolver(
        name: &'static str,
        texts: &'static [&'static str],
        truncate: bool,
    ) -> SocketAddr {
        let udp = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
        let address = udp.local_addr().expect("address");
        let tcp = tokio::net::TcpListener::bind(address)
            .await
            .expect("bind tcp");
        let answer = move |query: &[u8], over_udp: bool| -> Vec<u8> {
            let query = Message::from_vec(query).expect("query");
            let mut reply = Message::response(query.metadata.id, OpCode::Query);
            reply.add_queries(query.queries.clone());
            let asked = query.queries[0].name().to_ascii();
            if asked.trim_end_matches('.') != name {
                reply.metadata.response_code = ResponseCode::NXDomain;
            } else if over_udp && truncate {
                reply.metadata.truncation = true;
            } else {
                for text in texts {
                    reply.add_answer(Record::from_rdata(
                        query.queries[0].name().clone(),
                        0,
                        RData::TXT(TXT::new(vec![(*text).to_owned()])),
                    ));
                }
            }
            reply.to_vec().expect("encode")
        };
        tokio::spawn(async move {
            let mut buffer = [0u8; 1500];
            loop {
                tokio::select! {
                    Ok((n, from)) = udp.recv_from(&mut buffer) => {
                        let _ = udp.send_to(&answer(&buffer[..n], true), from).await;
                    }
                    Ok((mut stream, _)) = tcp.accept() => {
                        let length = stream.read_u16().await.expect("length");
                        let mut query = vec![0u8; usize::from(length)];
                        stream.read_exact(&mut query).await.expect("query");
                        let reply = answer(&query, false);
                        let _ = stream.write_all(&(reply.len() as u16).to_be_bytes()).await;
                        let _ = stream.write_all(&reply).await;
                    }
                }
            }
        });
        address
    }

    #[tokio::test]
    async fn txt_records_are_read_over_udp_and_over_tcp_when_truncated() {
        for truncate in [false, true] {
            let server = fake_resolver(
                "_itm-challenge.shop.example.net",
                &["itm-verify=abc", "other"],
                truncate,
            )
            .await;
            let resolver = Resolver::at(server);
            let texts = resolver
                .txt("_itm-challenge.shop.example.net")
                .await
                .expect("answer");
            assert_eq!(texts, ["itm-verify=abc", "other"], "truncated: {truncate}");
            let none = resolver
                .txt("_itm-challenge.other.example.net")
                .await
                .expect("answer");
            assert!(none.is_empty(), "NXDOMAIN is no records");
        }
    }

    #[tokio::test]
    async fn a_silent_resolver_is_a_timeout_not_a_hang() {
        let silent = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
        let resolver = Resolver::at(silent.local_addr().expect("address"));
        let result = resolver.txt("x.example.net").await;
        assert!(matches!(result, Err(LookupError::Timeout(_))), "{result:?}");
    }

    #[test]
    fn the_first_nameserver_of_resolv_conf_is_used() {
        let text = "# generated\nsearch example.net\nnameserver 10.0.0.2\nnameserver 10.0.0.3\n";
        assert_eq!(
            first_nameserver(text),
            Some("10.0.0.2".parse().expect("ip"))
        );
        assert_eq!(
            first_nameserver("nameserver fe80::1%eth0\n"),
            Some("fe80::1".parse().expect("ip"))
        );
        assert_eq!(first_nameserver("options ndots:1\n"), None);
    }
}
