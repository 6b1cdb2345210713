//! Integration tests: the `likely` binary on fixture projects, and the
//! project's own experiments checked against closed forms.

mod blog;
mod check;
mod cli;
mod common;
mod compare_fits;
mod determinism;
mod errors;
mod grids;
mod inblog;
mod kinds;
mod kramdown;
mod latent;
mod layers;
mod liquid;
mod math;
mod new;
mod pipeline;
mod properties;
mod readme;
mod refs;
mod serve;
mod suite;
mod vary;
