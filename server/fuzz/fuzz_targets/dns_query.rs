//! Arbitrary bytes into the DNS datagram path (the fast path's parser, hickory's decoder, our ECS
//! checks, placement, resolution and answer building), against a snapshot with ITM, delegated and CNAME domains.
//! Run: `cd server/fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run dns_query corpus/dns_query`.
#![no_main]

use std::net::SocketAddr;
use std::sync::OnceLock;

use itm_server::dns::datagram;
use libfuzzer_sys::fuzz_target;

struct State {
    _runtime: tokio::runtime::Runtime,
    handler: itm_server::dns::Handler,
    _dir: tempfile::TempDir,
}

fn state() -> &'static State {
    static STATE: OnceLock<State> = OnceLock::new();
    STATE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let dir = tempfile::tempdir().expect("temp dir");
        let handler = runtime.block_on(itm_server::dns::fixture::handler(dir.path())).expect("fixture");
        State { _runtime: runtime, handler, _dir: dir }
    })
}

fuzz_target!(|data: &[u8]| {
    let state = state();
    let source: SocketAddr = "127.0.0.1:5300".parse().expect("addr");
    let mut out = [0u8; 1232];
    let random = data.iter().fold(0u64, |h, &b| h.rotate_left(5) ^ u64::from(b));
    if let Some(len) = datagram::answer(&state.handler, data, source, random, &mut out) {
        assert!(len <= out.len());
    }
});
