//! The words experiment specs are written in, below the kinds that use
//! them: sweeps, counts and parameter grids, and data (a distribution or a
//! file).

pub mod data;
pub mod sweep;
