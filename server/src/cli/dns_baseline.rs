//! `itm dns-baseline --dns ADDR`: hickory-server with a handler that answers one static A record,
//! the framework's own cost per query, measured beside `itm serve` by the DNS benchmark.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

#[derive(Debug, Args)]
pub struct BaselineArgs {
    #[arg(long, default_value = "127.0.0.1:5354")]
    dns: SocketAddr,
}

pub fn run(args: BaselineArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let (udp, tcp) = crate::dns::bind(args.dns).await?;
        println!("baseline DNS: {}", udp.local_addr()?);
        let stop = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        crate::dns::serve_hickory(udp, tcp, crate::dns::baseline::StaticHandler, stop).await
    })?;
    Ok(ExitCode::SUCCESS)
}
