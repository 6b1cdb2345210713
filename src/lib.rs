//! likely turns a statistics study blog into a reproducible, literate
//! notebook: typed experiment specs are run in parallel, deterministically,
//! and their numbers and figures are rendered into Jekyll posts and a
//! standalone HTML site.
//!
//! The pipeline, one module per stage:
//! [`spec::load_dir`] → [`run::run_all`] → [`figure::draw`] →
//! [`render::posts`] → [`site::write`]; [`build::build`] runs them all.
//!
//! # Layers
//! Modules form layers, lowest first; a module uses only its own layer and
//! those below it (a test in `tests/it/layers.rs` holds the code to this):
//!
//! | layer | modules | what |
//! |---|---|---|
//! | foundations | [`numeric`], [`yaml`], [`json`], [`data`], [`diag`], [`paths`], [`console`], [`number`], [`expr`], [`html`] | special functions, quadrature, sums, linear algebra; reading YAML and data files, writing JSON numbers, problems in user files, where outputs go, printing, numbers for readers, expressions over varied names, escaping HTML |
//! | families | [`dist`] | one file per distribution family, the registry, their syntax |
//! | statistics | [`stats`] | KL divergences and entropies, maximum-likelihood fits |
//! | vocabulary | [`vocab`] | what specs are written in: sweeps, counts, grids |
//! | results | [`chart`], [`outcome`] | what an experiment produces: numbers, tables, figures as data |
//! | kinds | [`experiment`] | one file per experiment kind, and their registry |
//! | specs | [`spec`] | `experiments/*.yaml` → typed, validated experiments |
//! | running | [`run`] | parallel, seeded, cached runs |
//! | drawing | [`figure`] | figures as SVG |
//! | posts | [`config`], [`bib`], [`render`] | the site config, the bibliography; Tera over posts |
//! | output | [`site`] | Markdown → HTML, one function per page type, the staged commit |
//! | pipeline | [`layout`], [`build`], [`serve`], [`scaffold`] | where a project's files are (a project of its own or inside a blog); the whole build; the HTML site served while the project is watched; new posts and experiments |
//!
//! `spec` sits above `experiment` because reading a file means knowing
//! every kind; the kinds themselves need only the vocabulary.

pub mod bib;
pub mod build;
pub mod chart;
pub mod config;
pub mod console;
pub mod data;
pub mod diag;
pub mod dist;
pub mod experiment;
pub mod expr;
pub mod figure;
pub mod html;
pub mod json;
pub mod layout;
pub mod number;
pub mod numeric;
pub mod outcome;
pub mod paths;
pub mod render;
pub mod run;
pub mod scaffold;
pub mod serve;
pub mod site;
pub mod spec;
pub mod stats;
#[cfg(test)]
pub(crate) mod testing;
pub mod vocab;
pub mod yaml;
