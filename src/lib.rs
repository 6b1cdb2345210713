//! likely turns a statistics study blog into a reproducible, literate
//! notebook: typed experiment specs are run in parallel, deterministically,
//! and their numbers and figures are rendered into Jekyll posts and a
//! standalone HTML site.
//!
//! The pipeline, one module per stage:
//! [`spec::load_dir`] → [`run::run_all`] → [`figure::draw`] →
//! [`render::posts`] → [`site::write`]; [`build::build`] runs them all.

pub mod chart;
pub mod dist;
pub mod experiment;
pub mod outcome;
pub mod spec;
pub mod stats;
