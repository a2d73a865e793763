//! `itm strategy check|preview|recommend|generate`: the strategy evaluator from the shell, for
//! operators (try a policy before enabling it) and for tests (the reference the DNS answers and
//! the browser preview are compared with). FILE may be `-` for standard input.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use app::strategy::{
    EndpointConf, Family, Preview, Strategy, StrategyDocument, health_with_down, recommend,
    synthetic,
};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum StrategyCommand {
    /// Validate a strategy document: exit 0 when valid (warnings on stderr), 1 with the errors.
    Check {
        /// The strategy JSON, as GET /v1/domains/{domain}/strategy returns it.
        file: PathBuf,
    },
    /// Print every user group's answer as JSON: {"groups": {"<area>/<isp>": {"healthy", "dist"}}}.
    Preview {
        file: PathBuf,
        /// Mark this endpoint (by value) Down; repeatable.
        #[arg(long = "down", value_name = "VALUE")]
        down: Vec<String>,
        /// The record family to answer: A or AAAA.
        #[arg(long, default_value = "A", value_parser = parse_family)]
        family: Family,
    },
    /// Print the recommended strategy for the endpoints in FILE (an endpointsConf array).
    Recommend { file: PathBuf },
    /// Print a synthetic strategy of the given size (for benchmarks and tests).
    Generate {
        #[arg(long, default_value_t = 50)]
        rules: usize,
        #[arg(long, default_value_t = 200)]
        endpoints: usize,
    },
}

fn parse_family(text: &str) -> Result<Family, String> {
    Family::parse(text).ok_or_else(|| format!("family must be A or AAAA, not \"{text}\""))
}

pub fn run(command: StrategyCommand) -> anyhow::Result<ExitCode> {
    match command {
        StrategyCommand::Check { file } => {
            let doc = read_document(&file)?;
            Ok(match Strategy::compile(&doc) {
                Ok(compiled) => {
                    for warning in &compiled.warnings {
                        eprintln!("warning: {warning}");
                    }
                    ExitCode::SUCCESS
                }
                Err(problems) => {
                    for error in &problems.errors {
                        eprintln!("error: {error}");
                    }
                    ExitCode::FAILURE
                }
            })
        }
        StrategyCommand::Preview { file, down, family } => {
            let strategy = compile(&read_document(&file)?)?;
            let (health, unknown) = health_with_down(&strategy, down.iter().map(String::as_str));
            if !unknown.is_empty() {
                bail!(
                    "--down names no endpoint of this strategy: {}",
                    unknown.join(", ")
                );
            }
            print_stdout(&Preview::compute(&strategy, &health, family).to_json())?;
            Ok(ExitCode::SUCCESS)
        }
        StrategyCommand::Recommend { file } => {
            let text = read_text(&file)?;
            let endpoints: Vec<EndpointConf> = serde_json::from_str(&text)
                .with_context(|| format!("{}: expected an endpointsConf array", file.display()))?;
            let doc = recommend(&endpoints);
            compile(&doc)?;
            print_stdout(&doc.to_json_pretty())?;
            Ok(ExitCode::SUCCESS)
        }
        StrategyCommand::Generate { rules, endpoints } => {
            print_stdout(&synthetic(rules, endpoints).to_json_pretty())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Prints `text` and a newline; a reader that went away (`| head`) is not an error.
fn print_stdout(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out
        .write_all(text.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("writing standard output")
        }
        _ => Ok(()),
    }
}

fn read_text(file: &Path) -> anyhow::Result<String> {
    if file == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading standard input")?;
        return Ok(text);
    }
    std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))
}

fn read_document(file: &Path) -> anyhow::Result<StrategyDocument> {
    let text = read_text(file)?;
    StrategyDocument::from_json(&text)
        .with_context(|| format!("{}: not a strategy document", file.display()))
}

fn compile(doc: &StrategyDocument) -> anyhow::Result<Strategy> {
    Strategy::compile(doc)
        .map(|c| c.strategy)
        .map_err(|problems| {
            let lines: Vec<String> = problems.errors.iter().map(ToString::to_string).collect();
            anyhow::anyhow!("invalid strategy:\n  {}", lines.join("\n  "))
        })
}
