//! ITM's shared crate. `strategy` is the product's heart — the evaluator the DNS server, the CLI
//! and the browser all run — and has no dependencies beyond serde. `ui` is the Leptos console,
//! compiled for the server (`ssr`) and for the browser (`hydrate`).
#![recursion_limit = "256"]

pub mod editor;
pub mod model;
pub mod strategy;

#[cfg(feature = "ui")]
pub mod ui;
