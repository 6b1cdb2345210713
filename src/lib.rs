//! likely turns a statistics study blog into a reproducible, literate
//! notebook: typed experiment specs are run in parallel, deterministically,
//! and their numbers and figures are rendered into Jekyll posts and a
//! standalone HTML site.
//!
//! The pipeline, one module per stage:
//! [`spec::load_dir`] → [`run::run_all`] → [`figure::draw`] →
//! [`render::posts`] → [`site::write`]; [`build::build`] runs them all.

pub mod build;
pub mod chart;
pub mod config;
pub mod data;
pub mod dist;
pub mod experiment;
pub mod figure;
pub mod outcome;
pub mod render;
pub mod run;
pub mod site;
pub mod spec;
pub mod stats;
#[cfg(test)]
pub(crate) mod testing;
