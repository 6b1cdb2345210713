//! Statistics over the distribution families: KL divergences and
//! entropies (closed forms, quadrature, summation, Monte Carlo) and
//! maximum-likelihood fitting (with standard errors, EM for mixtures), and
//! the posterior of a one-dimensional latent variable by quadrature.

pub mod fit;
pub mod kl;
pub mod posterior;
