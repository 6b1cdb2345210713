//! Statistics over the distribution families: KL divergences and
//! entropies (closed forms, quadrature, summation, Monte Carlo) and
//! maximum-likelihood fitting (with standard errors, EM for mixtures),
//! distribution functions and quantiles, goodness-of-fit statistics, and
//! the posterior of a one-dimensional latent variable by quadrature.

pub mod cdf;
pub mod fit;
pub mod gof;
pub mod kl;
pub mod posterior;
