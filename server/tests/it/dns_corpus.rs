//! Replays the fuzz corpus (server/fuzz/corpus/dns_query) through the query path on every test
//! run, without sockets: no input may panic, and every seed gets a decodable answer.

use hickory_proto::op::{Message, ResponseCode};
use itm_server::dns::datagram;

#[tokio::test]
async fn every_corpus_input_is_answered_without_panicking() {
    let dir = tempfile::tempdir().expect("temp dir");
    let handler = itm_server::dns::fixture::handler(dir.path())
        .await
        .expect("fixture");
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/dns_query");
    let mut seen = 0;
    let mut codes = Vec::new();
    for entry in std::fs::read_dir(corpus).expect("corpus") {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).expect("read");
        let source = "127.0.0.1:5300".parse().expect("addr");
        let mut out = [0u8; 1232];
        if let Some(len) = datagram::answer(&handler, &bytes, source, 7, &mut out) {
            let message = Message::from_vec(&out[..len])
                .unwrap_or_else(|e| panic!("{}: undecodable answer: {e}", path.display()));
            codes.push((
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                message.metadata.response_code,
            ));
        }
        seen += 1;
    }
    assert!(seen >= 13, "the corpus has its seeds");
    let code = |name: &str| codes.iter().find(|(n, _)| n == name).map(|(_, c)| *c);
    assert_eq!(code("a_wrr"), Some(ResponseCode::NoError));
    assert_eq!(code("nxdomain"), Some(ResponseCode::NXDomain));
    assert_eq!(code("refused"), Some(ResponseCode::Refused));
    assert_eq!(code("ecs_bits_beyond_prefix"), Some(ResponseCode::FormErr));
    assert_eq!(code("two_questions"), Some(ResponseCode::FormErr));
}
