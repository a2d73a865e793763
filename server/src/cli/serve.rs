//! `itm serve`: the store, the console and the REST API, until Ctrl-C / SIGTERM. On first start
//! with an empty store it creates the admin account and prints its credentials once.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use super::options::DatabaseArgs;

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Address of the console and the REST API.
    #[arg(long, env = "ITM_HTTP", default_value = "127.0.0.1:3000")]
    pub http: SocketAddr,
    /// Folder holding the built console assets (`pkg/itm.js`, `pkg/itm.wasm`, `pkg/itm.css`).
    #[arg(long, env = "ITM_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let service = args.db.service().await?;
        if let Some(account) = service.ensure_first_account().await? {
            println!("ITM first start: created the admin account");
            super::account::print_account(&account);
        }
        let listener = tokio::net::TcpListener::bind(args.http)
            .await
            .with_context(|| format!("binding the console address {}", args.http))?;
        let local = listener.local_addr()?;
        tracing::info!("console and API listening on http://{local}");
        println!(
            "ITM console: http://{local}/   API: http://{local}/v1/   (store: {})",
            redact(&args.db.database)
        );
        tokio::spawn(purge_sessions(service.clone()));
        crate::http::serve(
            listener,
            &args.site_root,
            service.clone(),
            shutdown_signal(),
        )
        .await?;
        service.store().close().await;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Expired console sessions are refused when used; this only keeps the table small.
async fn purge_sessions(service: crate::service::Service) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        match service.purge_expired_sessions().await {
            Ok(0) => {}
            Ok(n) => tracing::info!("purged {n} expired sessions"),
            Err(e) => tracing::warn!("purging expired sessions: {e}"),
        }
    }
}

/// The database URL without its password, for logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_passwords_are_not_logged() {
        assert_eq!(
            super::redact("postgres://itm:secret@db:5432/itm"),
            "postgres://itm:***@db:5432/itm"
        );
        assert_eq!(
            super::redact("sqlite://data/itm.db?mode=rwc"),
            "sqlite://data/itm.db?mode=rwc"
        );
    }
}
