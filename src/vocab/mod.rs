//! The words experiment specs are written in, below the kinds that use
//! them: sweeps, counts and parameter grids.

pub mod sweep;
