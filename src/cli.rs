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
        /// Build without writing site/, compare it with what the build makes,
        /// list every file that differs, is missing or is extra, and fail if any.
        #[arg(long)]
        check: bool,
    },
    /// Build, serve site/_site/ on 127.0.0.1, and rebuild and reload the
    /// open pages whenever posts, experiments, templates, data or
    /// site/_config.yml change. Ctrl-C stops it.
    Serve {
        /// The project directory.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The port: by default 4000, or the next free one after it; 0 picks
        /// any free port.
        #[arg(long)]
        port: Option<u16>,
    },
    /// Start a post or an experiment from a template.
    New {
        /// What to start.
        #[command(subcommand)]
        what: New,
    },
    /// Check specs, posts and templates without running anything.
    Check {
        /// The project directory.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// The entropy of a distribution, e.g. 'gamma(shape=2.5, rate=1.3)'.
    Entropy {
        /// The distribution.
        dist: String,
        /// Print JSON: {"value", "method", "stderr"?}.
        #[arg(long)]
        json: bool,
    },
    /// The divergence KL(P ‖ Q), e.g. 'normal(mean=0, std=1)' 'normal(mean=1, std=2)'.
    Kl {
        /// The first distribution, P.
        p: String,
        /// The second distribution, Q.
        q: String,
        /// Print JSON: {"value", "method", "stderr"?}.
        #[arg(long)]
        json: bool,
    },
    /// Fit a family to data by maximum likelihood.
    Fit {
        /// The family (normal, gamma, ..., or normal_mixture).
        family: String,
        /// The data: one number a line, or a CSV file with --column.
        file: PathBuf,
        /// The CSV column to fit.
        #[arg(long)]
        column: Option<String>,
        /// Components of a normal_mixture.
        #[arg(long)]
        components: Option<usize>,
        /// Fix the degrees of freedom of a student_t instead of fitting them.
        #[arg(long)]
        df: Option<f64>,
        /// Print JSON: {"family", "params", "avg_loglik", "n", "stderr"?}.
        #[arg(long)]
        json: bool,
    },
}

/// What `likely new` starts.
#[derive(Debug, Subcommand)]
pub(crate) enum New {
    /// Write posts/YYYY-MM-DD-slug.md, dated today (in UTC), with front
    /// matter for Jekyll.
    Post {
        /// The post's title; the file name's slug is made from it.
        title: String,
        /// The date instead of today, as YYYY-MM-DD.
        #[arg(long)]
        date: Option<String>,
        /// The project directory.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Write experiments/NAME.yaml, a commented spec of a kind that builds
    /// as it is.
    Experiment {
        /// The experiment's id: a lowercase letter, then lowercase letters,
        /// digits or underscores.
        name: String,
        /// The kind of experiment (an unknown one lists them all).
        #[arg(long)]
        kind: String,
        /// The project directory.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}
