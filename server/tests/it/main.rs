//! The server's integration tests, one binary: each module links the whole SSR server, so one
//! binary instead of nine saves minutes of linking. The allocator-counting test
//! (`dns_no_alloc.rs`) stays a binary of its own: it installs a global allocator.

mod common;
mod dns;
// These two need the DNS fixture configuration (feature `fixtures`, which `make test` enables).
#[cfg(feature = "fixtures")]
mod dns_corpus;
#[cfg(feature = "fixtures")]
mod dns_fast_path;
mod ipdb;
mod monitor_probe;
mod probe_agent_tls;
mod routes;
mod service_permissions;
mod store;
mod strategy_cli;
