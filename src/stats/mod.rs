//! Statistics over the distribution families: KL divergences and
//! entropies (closed forms, quadrature, summation, Monte Carlo) and
//! maximum-likelihood fitting (with standard errors, EM for mixtures).

pub mod fit;
pub mod kl;
