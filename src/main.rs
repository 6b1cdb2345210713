//! The `likely` command: parses arguments, calls the library, reports.

mod cli;
mod cmd;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};
use likely::build;

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let text = format!("{e:#}");
            // Template errors come as full reports that already say "error:".
            if text.starts_with("error:") {
                eprintln!("{text}");
            } else {
                eprintln!("error: {text}");
            }
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Build {
            root,
            force,
            no_cache,
            quiet,
        } => cmd::build(build::Options {
            root,
            force,
            no_cache,
            quiet,
        }),
        Command::Check { root } => cmd::check(&root),
        Command::Entropy { dist, json } => cmd::entropy(&dist, json),
        Command::Kl { p, q, json } => cmd::kl(&p, &q, json),
        Command::Fit {
            family,
            file,
            column,
            components,
            df,
            json,
        } => cmd::fit(cmd::FitArgs {
            family: &family,
            file: &file,
            column: column.as_deref(),
            components,
            df,
            json,
        }),
    }
}
