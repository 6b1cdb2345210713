//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// likely: a statistics blog as a reproducible notebook.
#[derive(Debug, Parser)]
#[command(name = "likely", version, about, long_about = None)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run the experiments, draw their figures, render the posts and write site/.
    Build {
        /// The project directory (holding experiments/, posts/, templates/, site/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Rerun every experiment, ignoring cached outcomes.
        #[arg(long)]
        force: bool,
        /// Keep no cache in .likely/.
        #[arg(long)]
        no_cache: bool,
        /// Print only errors and warnings.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Check specs, posts and templates without running anything.
    Check {
        /// The project directory.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}
