//! `itm account create`: creates a main account with a generated password and an access key,
//! and prints them once (for scripts: `--json`).

use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};

use super::options::DatabaseArgs;
use crate::service::NewAccount;
use crate::service::ServiceConfig;

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create a main account; prints its id, user name, password and first access key.
    Create(CreateArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The account's name, which is also its main user's login name.
    #[arg(long)]
    name: String,
    /// Print {"accountId", "username", "password", "accessKeyId", "secretAccessKey"} as JSON.
    #[arg(long)]
    json: bool,
    /// An installation operator's account: it sees the nodes (`GET /v1/nodes`, the console's
    /// Nodes page) and the node details of `/healthz`. The first account is one anyway.
    #[arg(long)]
    operator: bool,
    #[command(flatten)]
    db: DatabaseArgs,
}

pub fn run(command: AccountCommand) -> anyhow::Result<ExitCode> {
    let AccountCommand::Create(args) = command;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let account = runtime.block_on(async {
        // Creating an account places no endpoint: no IP database needed.
        let service = args.db.service(ServiceConfig::new("")).await?;
        let account = if args.operator {
            service.create_operator_account(&args.name).await?
        } else {
            service.create_account(&args.name).await?
        };
        service.node().store().close().await;
        anyhow::Ok(account)
    })?;
    if args.json {
        println!("{}", serde_json::to_string(&account)?);
    } else {
        print_account(&account);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn print_account(account: &NewAccount) {
    println!("  account id:        {}", account.account_id);
    println!("  user name:         {}", account.username);
    println!("  password:          {}", account.password);
    println!("  access key id:     {}", account.access_key_id);
    println!("  secret access key: {}", account.secret_access_key);
    println!("  (shown once: keep them safe)");
}
