//! `itm`: the Intelligent Traffic Manager binary. This file only parses the command line, sets
//! up logging and dispatches to one of the subcommands in `cli/`.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = itm_server::cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ITM_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,hickory_server=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match itm_server::cli::run(args) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
