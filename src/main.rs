//! The `likely` command: parses arguments, calls the library, reports.

mod cli;
mod cmd;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command, New};
use likely::build;

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", cmd::error_text(&e));
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
        Command::Serve { root, port } => cmd::serve::serve(&root, port),
        Command::New {
            what: New::Post { title, date, root },
        } => cmd::new::post(&root, &title, date.as_deref()),
        Command::New {
            what: New::Experiment { name, kind, root },
        } => cmd::new::experiment(&root, &name, &kind),
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
