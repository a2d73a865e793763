//! The command line: one file per subcommand, each with its argument struct and `run`.
//! Doc comments are the `--help` text.

mod account;
#[cfg(feature = "fixtures")]
mod dns_baseline;
mod options;
mod probe_agent;
mod serve;
mod strategy;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// ITM — a self-hosted Intelligent Traffic Manager (DNS global server load balancing).
#[derive(Debug, Parser)]
#[command(name = "itm", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server: the console and the REST API over HTTP.
    Serve(Box<serve::ServeArgs>),
    /// Benchmark floor: a bare hickory-server answering one static record (used by
    /// server/benches/dns).
    #[cfg(feature = "fixtures")]
    #[command(hide = true)]
    DnsBaseline(dns_baseline::BaselineArgs),
    /// Manage main accounts.
    #[command(subcommand)]
    Account(account::AccountCommand),
    /// Check, preview and recommend strategies offline, with the evaluator the server runs.
    #[command(subcommand)]
    Strategy(strategy::StrategyCommand),
    /// Run a monitor point on this machine for a server (register it with
    /// POST /v1/monitor-points first).
    ProbeAgent(probe_agent::AgentArgs),
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => serve::run(*args),
        Command::Account(command) => account::run(command),
        #[cfg(feature = "fixtures")]
        Command::DnsBaseline(args) => dns_baseline::run(args),
        Command::Strategy(command) => strategy::run(command),
        Command::ProbeAgent(args) => probe_agent::run(args),
    }
}
