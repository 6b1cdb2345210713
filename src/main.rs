//! The `likely` command: parses arguments, calls the library, reports.

mod cli;

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
        } => {
            let summary = build::build(&build::Options {
                root,
                force,
                no_cache,
                quiet,
            })?;
            for w in &summary.warnings {
                eprintln!("warning: {w}");
            }
            for kept in &summary.report.kept {
                eprintln!(
                    "warning: site/{kept} is no longer produced but was edited by hand, so it was kept"
                );
            }
            if !quiet {
                let r = &summary.report;
                println!(
                    "built site/ in {:.1} s: {} experiments ({} ran, {} cached), {} figures, {} posts; {} files written, {} unchanged, {} removed",
                    summary.elapsed.as_secs_f64(),
                    summary.ran + summary.cached,
                    summary.ran,
                    summary.cached,
                    summary.figures,
                    summary.posts,
                    r.written,
                    r.unchanged,
                    r.removed
                );
            }
            Ok(())
        }
        Command::Check { root } => {
            let checked = build::check(&build::Layout::of(&root))?;
            println!(
                "ok: {} experiments, {} posts, templates parse",
                checked.experiments.len(),
                checked.posts.len()
            );
            Ok(())
        }
    }
}
