//! Option groups shared by several subcommands, each with its `ITM_*` environment variable.

use std::path::PathBuf;

use clap::Args;

use crate::service::{Sealer, Service, ServiceConfig};
use crate::store::{DEFAULT_DATABASE, Store};

#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// The store: `sqlite://PATH[?mode=rwc]` (embedded, the default) or `postgres://USER:PASS@HOST/DB`.
    #[arg(long, env = "ITM_DATABASE", default_value = DEFAULT_DATABASE)]
    pub database: String,
    /// The installation's master key (seals access-key secrets); created when missing. Every node
    /// sharing one database must use the same key.
    #[arg(long, env = "ITM_MASTER_KEY_FILE", default_value = "data/master.key")]
    pub master_key_file: PathBuf,
    /// ITM's own DNS zone; ITM domains get CNAMEs under it.
    #[arg(long, env = "ITM_ZONE", default_value = "itm.localhost.")]
    pub zone: String,
}

impl DatabaseArgs {
    /// Connects the store (running migrations) and builds the service on it.
    pub async fn service(&self) -> anyhow::Result<Service> {
        let store = Store::connect(&self.database).await?;
        let sealer = Sealer::from_key_file(&self.master_key_file)?;
        let zone = self.zone.trim().trim_end_matches('.').to_ascii_lowercase();
        if zone.is_empty() || !app::strategy::is_host_name(&zone) {
            anyhow::bail!("--zone \"{}\" is not a DNS name", self.zone);
        }
        Ok(Service::new(store, ServiceConfig { zone }, sealer))
    }
}
