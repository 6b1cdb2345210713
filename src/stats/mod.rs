//! Statistics over the distribution families: KL divergences and
//! entropies (closed forms, quadrature, summation, Monte Carlo) and
//! maximum-likelihood fitting (with standard errors, EM for mixtures),
//! distribution functions and quantiles, and goodness-of-fit statistics.

pub mod cdf;
pub mod fit;
pub mod gof;
pub mod kl;
