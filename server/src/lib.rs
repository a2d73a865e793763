//! The ITM server: everything behind the `itm` binary. `main.rs` only parses the command line;
//! the parts live here so integration tests can use them directly.
//!
//! - `store`: the database (SQLite or PostgreSQL through sqlx), the only place with SQL;
//! - `service`: the one door to the store (permissions, validation, audit), shared by both doors:
//! - `api`: the REST API (`/v1`, bce-auth-v1 signatures or console sessions);
//! - `http`: the listener serving the API and the Leptos console;
//! - `dns`: the authoritative listener; `monitor`: probes and health decisions;
//! - `cli`: the subcommands.
// Leptos view types nest deeply; the default limit is too small for the console's pages.
#![recursion_limit = "256"]

pub mod api;
pub mod cli;
pub mod clock;
pub mod cluster;
pub mod dns;
pub mod health;
pub mod http;
pub mod ipdb;
pub mod metrics;
pub mod monitor;
pub mod net;
pub mod node;
pub mod notify;
pub mod outbound;
pub mod quarantine;
pub mod resolver;
pub mod service;
pub mod store;
