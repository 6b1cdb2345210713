//! The `likely` command: parses arguments, calls the library, reports.

mod cli;
mod cmd;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};
use likely::build;
use likely::diag::Problems;

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            match e.downcast_ref::<Problems>() {
                // Each problem is its own `error:` line.
                Some(problems) => eprintln!("{problems}"),
                None => eprintln!("error: {e:#}"),
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
            check,
        } => cmd::build(build::Options {
            root,
            force,
            no_cache,
            quiet,
            check,
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
