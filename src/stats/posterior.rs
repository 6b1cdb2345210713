//! The posterior of a one-dimensional latent variable, from its
//! unnormalised log-density `ℓ(z) = ln p(z) + Σ ln p(x_i | z)`: the
//! evidence `ln ∫ e^ℓ`, the posterior's mean, standard deviation and modes,
//! and integrals against it (`KL(q ‖ p(z | x))`, the ELBO of a `q`), all by
//! adaptive quadrature.
//!
//! Quadrature only sees what its nodes land on, so the mass is found first:
//! `ℓ` is scanned from the prior's centre outwards (points spaced in
//! proportion to their distance, out to [`REACH`] prior lengths), every
//! local maximum within [`MODE_DEPTH`] nats of the highest is refined and
//! its width on each side measured (where `ℓ` has fallen by ½). Integrals
//! are split at each mode and at multiples of its widths, and at the
//! prior's landmarks, so that a bimodal posterior (`x | z ~ N(z², s)` has
//! modes at `±√x`) or one far out in the prior's tail is resolved; the
//! infinite tails are measured in the outermost widths. Integrands are
//! `e^(ℓ − ℓ_max)`, so that the likelihood of many observations, far below
//! the smallest double, does not underflow.

use std::cell::Cell;

use crate::dist::{Dist, Univariate};
use crate::numeric::quad::{self, QuadError, Tolerance};
use crate::numeric::special::x_plus_expm1_neg;

/// The scan reaches this many prior lengths either side of its centre.
pub const REACH: f64 = 1e4;

/// Points of the scan: spaced evenly in `asinh((z − centre)/length)`, so
/// about 1% of the distance from the centre apart.
const SCAN: usize = 2001;

/// Local maxima of `ℓ` this far below the highest hold no mass that
/// matters (`e^−60` of it, even if a thousand times wider).
pub const MODE_DEPTH: f64 = 60.0;

/// At most this many modes are kept, the highest.
const MAX_MODES: usize = 16;

/// Integrals are split at each mode and at these multiples of its widths.
const STEPS: [f64; 5] = [1.0, 3.0, 8.0, 20.0, 40.0];

/// The relative accuracy asked of every integral.
const REL: f64 = 1e-12;

/// Why the posterior could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PosteriorError {
    /// `ℓ` was NaN at `z`: the model is not defined there.
    #[error("the log-density is not a number at z = {0}")]
    Undefined(f64),
    /// `ℓ` was `−∞` wherever it was evaluated.
    #[error(
        "the joint density p(z) p(x | z) is 0 wherever it was evaluated: the observations are impossible under the model"
    )]
    NoMass,
    /// An integral did not converge.
    #[error("{0}")]
    Quadrature(QuadError),
}

/// A local maximum of `ℓ` and the distances from it, below and above, at
/// which `ℓ` has fallen by ½ (the standard deviation, for a normal).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mode {
    /// Where.
    pub at: f64,
    /// `ℓ` there.
    pub height: f64,
    /// Width below.
    pub below: f64,
    /// Width above.
    pub above: f64,
}

/// The posterior `p(z | x) = e^(ℓ(z) − ln p(x))` of a one-dimensional
/// latent variable, with the unnormalised log-density `ℓ` it came from.
#[derive(Debug, Clone)]
pub struct Posterior<F> {
    ln_joint: F,
    /// `ln p(x) = ln ∫ e^ℓ(z) dz`.
    pub log_evidence: f64,
    /// The posterior mean.
    pub mean: f64,
    /// The posterior standard deviation.
    pub std: f64,
    /// The local maxima holding mass, in increasing order of `z`.
    pub modes: Vec<Mode>,
    support: (f64, f64),
    /// Where integrals are split, increasing, inside the support.
    edges: Vec<f64>,
    /// Lengths of the infinite tails, below and above.
    tails: (f64, f64),
}

/// The quadrature tolerance for an integral of about `size`.
fn tolerance(size: f64) -> Tolerance {
    Tolerance {
        abs: 1e-15 * size,
        rel: REL,
        max_intervals: 4000,
    }
}

impl<F: Fn(f64) -> f64> Posterior<F> {
    /// The posterior with log-density `ln_joint` up to a constant (NaN
    /// where the model is not defined), under `prior`, whose support and
    /// landmarks say where to look.
    ///
    /// # Errors
    /// [`PosteriorError`] when `ln_joint` is NaN somewhere it is needed, is
    /// `−∞` everywhere, or an integral does not converge.
    pub fn new(ln_joint: F, prior: &Dist) -> Result<Self, PosteriorError> {
        let support = prior.support();
        let (centre, length) = prior.landmark();
        let length = if length.is_finite() && length > 0.0 {
            length
        } else {
            1.0
        };
        // The first z where ℓ was NaN, to name in the error: quadrature
        // reports its own mapped coordinate.
        let undefined = Cell::new(None);
        let failed = |e: QuadError| match undefined.get() {
            Some(z) => PosteriorError::Undefined(z),
            None => PosteriorError::Quadrature(e),
        };

        let modes = {
            let ell = |z: f64| recorded(&ln_joint, &undefined, z);
            let zs = scan_points(centre, length, support, &prior.breakpoints());
            let mut values = Vec::with_capacity(zs.len());
            for &z in &zs {
                let v = ell(z);
                if v.is_nan() {
                    return Err(PosteriorError::Undefined(z));
                }
                values.push(v);
            }
            find_modes(&ell, &zs, &values, length)?
        };
        if let Some(z) = undefined.get() {
            return Err(PosteriorError::Undefined(z));
        }
        let Some(peak) = modes.iter().map(|m| m.height).reduce(f64::max) else {
            return Err(PosteriorError::NoMass);
        };

        let mut edges: Vec<f64> = std::iter::once(centre)
            .chain(prior.breakpoints())
            .chain(modes.iter().flat_map(|m| {
                std::iter::once(m.at)
                    .chain(STEPS.iter().map(|k| m.at - k * m.below))
                    .chain(STEPS.iter().map(|k| m.at + k * m.above))
            }))
            .filter(|z| z.is_finite() && support.0 < *z && *z < support.1)
            .collect();
        edges.sort_by(f64::total_cmp);
        edges.dedup();
        let tails = match (modes.first(), modes.last()) {
            (Some(low), Some(high)) => (low.below.max(length), high.above.max(length)),
            _ => (length, length),
        };
        // The size of each integral, from the modes as if each were normal.
        let mass: f64 = modes
            .iter()
            .map(|m| {
                (m.height - peak).exp() * (m.below + m.above) * (std::f64::consts::PI / 2.0).sqrt()
            })
            .sum();
        let spread = modes
            .iter()
            .map(|m| m.below.max(m.above))
            .fold(0.0, f64::max);
        let offset = modes.iter().map(|m| m.at.abs()).fold(0.0, f64::max);
        let mut posterior = Self {
            ln_joint,
            log_evidence: f64::NAN,
            mean: f64::NAN,
            std: f64::NAN,
            modes,
            support,
            edges,
            tails,
        };

        let (total, mean, variance) = {
            let shifted = |z: f64| {
                let v = recorded(&posterior.ln_joint, &undefined, z);
                if v == f64::NEG_INFINITY {
                    0.0
                } else {
                    (v - peak).exp()
                }
            };
            let total = posterior
                .integrate(&shifted, tolerance(mass))
                .map_err(failed)?;
            if !(total > 0.0 && total.is_finite()) {
                return Err(PosteriorError::NoMass);
            }
            let mean = posterior
                .integrate(&|z| z * shifted(z), tolerance(mass * (offset + spread)))
                .map_err(failed)?
                / total;
            let variance = posterior
                .integrate(
                    &|z| (z - mean) * (z - mean) * shifted(z),
                    tolerance(mass * spread * spread),
                )
                .map_err(failed)?
                / total;
            (total, mean, variance)
        };
        posterior.log_evidence = peak + total.ln();
        posterior.mean = mean;
        posterior.std = variance.sqrt();
        Ok(posterior)
    }

    /// The posterior log-density at `z`.
    pub fn ln_pdf(&self, z: f64) -> f64 {
        (self.ln_joint)(z) - self.log_evidence
    }

    /// `ℓ(z)`, the unnormalised log-density.
    pub fn ln_joint(&self, z: f64) -> f64 {
        (self.ln_joint)(z)
    }

    /// An interval holding all but a negligible part of the mass, for
    /// drawing the density.
    pub fn range(&self) -> (f64, f64) {
        let low = self
            .modes
            .iter()
            .map(|m| m.at - 6.0 * m.below)
            .fold(self.mean - 5.0 * self.std, f64::min);
        let high = self
            .modes
            .iter()
            .map(|m| m.at + 6.0 * m.above)
            .fold(self.mean + 5.0 * self.std, f64::max);
        (low.max(self.support.0), high.min(self.support.1))
    }

    /// `∫ f` over the posterior's support, split at its edges.
    fn integrate(&self, f: &impl Fn(f64) -> f64, tol: Tolerance) -> Result<f64, QuadError> {
        self.integrate_over(f, &[], self.support, 0.0, tol)
    }

    /// `∫ f` over `(lo, hi)`, split at the posterior's edges and at `cuts`
    /// inside it; an infinite tail is measured in the posterior's tail
    /// length there or in `length` (another density's), whichever is
    /// longer.
    fn integrate_over(
        &self,
        f: &impl Fn(f64) -> f64,
        cuts: &[f64],
        (lo, hi): (f64, f64),
        length: f64,
        tol: Tolerance,
    ) -> Result<f64, QuadError> {
        let mut edges: Vec<f64> = self
            .edges
            .iter()
            .chain(cuts)
            .copied()
            .filter(|z| z.is_finite() && lo < *z && *z < hi)
            .collect();
        edges.sort_by(f64::total_cmp);
        edges.dedup();
        let (first, last) = match (edges.first(), edges.last()) {
            (Some(&first), Some(&last)) => (first, last),
            // Both ends finite and no edge between: one piece.
            _ if lo.is_finite() && hi.is_finite() => {
                return Ok(quad::integrate(f, lo, hi, tol)?.value);
            }
            _ => {
                let only = if lo.is_finite() {
                    lo
                } else if hi.is_finite() {
                    hi
                } else {
                    0.0
                };
                (only, only)
            }
        };
        let mut total = tail(f, first, lo, self.tails.0.max(length), tol)?;
        for piece in edges.windows(2) {
            total += quad::integrate(f, piece[0], piece[1], tol)?.value;
        }
        total += tail(f, last, hi, self.tails.1.max(length), tol)?;
        Ok(total)
    }

    /// `KL(q ‖ p(z | x))` from its definition, for a continuous `q`: `+∞`
    /// where `q` puts mass the posterior lacks.
    ///
    /// The integrand is `q (d + e^−d − 1)`, `d = ln q − ln p(z | x)`,
    /// rather than `q d`: the same integral when both densities integrate
    /// to 1, but never negative, so that a small divergence keeps its
    /// digits. It also means that an evidence off by `ε` shows as a
    /// divergence off by `ε`, which the ELBO identity then catches.
    ///
    /// # Errors
    /// [`PosteriorError`] when the model is not defined where `q` has mass
    /// or the integral does not converge.
    pub fn kl_from(&self, q: &Dist) -> Result<f64, PosteriorError> {
        let (undefined, infinite) = (Cell::new(None), Cell::new(false));
        let log_evidence = self.log_evidence;
        let term = |z: f64| {
            let lq = q.ln_pdf(z);
            let lp = (self.ln_joint)(z) - log_evidence;
            if lp.is_nan() {
                undefined.set(undefined.get().or(Some(z)));
                return f64::NAN;
            }
            match (lq == f64::NEG_INFINITY, lp == f64::NEG_INFINITY) {
                (true, true) => 0.0,
                (true, false) => lp.exp(),
                (false, true) => {
                    infinite.set(true);
                    0.0
                }
                (false, false) => {
                    let d = lq - lp;
                    if d.abs() < 0.5 {
                        lq.exp() * x_plus_expm1_neg(d)
                    } else {
                        lq.exp() * (d - 1.0) + lp.exp()
                    }
                }
            }
        };
        let value = self.against(q, &term, tolerance(1e-3));
        if infinite.get() {
            return Ok(f64::INFINITY);
        }
        value.map_err(|e| match undefined.get() {
            Some(z) => PosteriorError::Undefined(z),
            None => PosteriorError::Quadrature(e),
        })
    }

    /// `ELBO(q) = E_q[ℓ(z)] + H(q)`, the expectation by quadrature and
    /// `entropy` the entropy of `q`: `−∞` where `q` puts mass the joint
    /// density lacks.
    ///
    /// # Errors
    /// [`PosteriorError`] when the model is not defined where `q` has mass
    /// or the integral does not converge.
    pub fn elbo(&self, q: &Dist, entropy: f64) -> Result<f64, PosteriorError> {
        let (undefined, impossible) = (Cell::new(None), Cell::new(false));
        let term = |z: f64| {
            let lq = q.ln_pdf(z);
            if lq == f64::NEG_INFINITY {
                return 0.0;
            }
            let l = (self.ln_joint)(z);
            if l.is_nan() {
                undefined.set(undefined.get().or(Some(z)));
                return f64::NAN;
            }
            if l == f64::NEG_INFINITY {
                impossible.set(true);
                return 0.0;
            }
            lq.exp() * l
        };
        let (centre, _) = q.landmark();
        let at_centre = (self.ln_joint)(centre).abs();
        let size = if at_centre.is_finite() {
            1.0 + at_centre
        } else {
            1.0
        };
        let value = self.against(q, &term, tolerance(size));
        if impossible.get() {
            return Ok(f64::NEG_INFINITY);
        }
        value
            .map(|e| e + entropy)
            .map_err(|e| match undefined.get() {
                Some(z) => PosteriorError::Undefined(z),
                None => PosteriorError::Quadrature(e),
            })
    }

    /// `∫ term` over both supports, split at the posterior's edges and at
    /// `q`'s breakpoints, the tails measured in the longer of the two
    /// lengths.
    fn against(
        &self,
        q: &Dist,
        term: &impl Fn(f64) -> f64,
        tol: Tolerance,
    ) -> Result<f64, QuadError> {
        let (centre, length) = q.landmark();
        let mut cuts = q.breakpoints();
        cuts.push(centre);
        let (lo, hi) = q.support();
        let range = (self.support.0.min(lo), self.support.1.max(hi));
        self.integrate_over(term, &cuts, range, length, tol)
    }
}

/// `ln_joint(z)`, noting in `undefined` the first `z` where it is NaN.
fn recorded(ln_joint: &impl Fn(f64) -> f64, undefined: &Cell<Option<f64>>, z: f64) -> f64 {
    let v = ln_joint(z);
    if v.is_nan() && undefined.get().is_none() {
        undefined.set(Some(z));
    }
    v
}

/// `∫ f` from `edge` to `end` (either side of it, finite or not): an
/// infinite side as `x = edge ± length·u`, `u ∈ (0, ∞)`, so that the
/// quadrature's unit is the tail's length.
fn tail(
    f: &impl Fn(f64) -> f64,
    edge: f64,
    end: f64,
    length: f64,
    tol: Tolerance,
) -> Result<f64, QuadError> {
    if edge == end {
        return Ok(0.0);
    }
    if end.is_finite() {
        return Ok(quad::integrate(f, edge.min(end), edge.max(end), tol)?.value);
    }
    let direction = if end > edge { 1.0 } else { -1.0 };
    let scaled = |u: f64| length * f(edge + direction * length * u);
    Ok(quad::integrate(scaled, 0.0, f64::INFINITY, tol)?.value)
}

/// The scan: points spaced evenly in `asinh((z − centre)/length)` out to
/// [`REACH`] lengths, points halving the distance to each finite end, and
/// `extra` points, all inside `support`, increasing.
fn scan_points(centre: f64, length: f64, support: (f64, f64), extra: &[f64]) -> Vec<f64> {
    let (lo, hi) = support;
    let reach = REACH.asinh();
    let step = 2.0 * reach / (SCAN - 1) as f64;
    let mut zs: Vec<f64> = (0..SCAN)
        .map(|k| centre + length * (-reach + k as f64 * step).sinh())
        .collect();
    for end in [lo, hi] {
        if end.is_finite() {
            let mut gap = centre - end;
            for _ in 0..60 {
                gap *= 0.5;
                zs.push(end + gap);
            }
        }
    }
    zs.extend_from_slice(extra);
    zs.retain(|z| z.is_finite() && lo < *z && *z < hi);
    zs.sort_by(f64::total_cmp);
    zs.dedup();
    zs
}

/// The local maxima of `ell` among the scanned `values` at `zs` within
/// [`MODE_DEPTH`] of the highest, each refined between its neighbours and
/// measured, in increasing order of position.
fn find_modes(
    ell: &impl Fn(f64) -> f64,
    zs: &[f64],
    values: &[f64],
    length: f64,
) -> Result<Vec<Mode>, PosteriorError> {
    let highest = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if highest == f64::NEG_INFINITY {
        return Err(PosteriorError::NoMass);
    }
    let n = values.len();
    let mut peaks: Vec<usize> = (0..n)
        .filter(|&k| {
            let v = values[k];
            v >= highest - MODE_DEPTH
                && (k == 0 || v > values[k - 1])
                && (k + 1 == n || v >= values[k + 1])
        })
        .collect();
    peaks.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
    peaks.truncate(MAX_MODES);
    peaks.sort_unstable();
    let mut modes = Vec::with_capacity(peaks.len());
    for k in peaks {
        let a = zs[k.saturating_sub(1)];
        let b = zs[(k + 1).min(n - 1)];
        let (at, height) = golden_max(ell, a, b, zs[k], values[k]);
        if height.is_nan() {
            return Err(PosteriorError::Undefined(at));
        }
        let start = 0.25 * (b - a).max(f64::EPSILON * length);
        let below = half_width(ell, at, height, -1.0, start, length);
        let above = half_width(ell, at, height, 1.0, start, length);
        modes.push(Mode {
            at,
            height,
            below,
            above,
        });
    }
    Ok(modes)
}

/// The maximum of `f` on `[a, b]` by golden-section search, starting from
/// the known point `(z, fz)`: the best point seen and its value.
fn golden_max(f: &impl Fn(f64) -> f64, a: f64, b: f64, z: f64, fz: f64) -> (f64, f64) {
    const INV_PHI: f64 = 0.618_033_988_749_894_9;
    let (mut a, mut b) = (a, b);
    let mut best = (z, fz);
    let mut c = b - INV_PHI * (b - a);
    let mut d = a + INV_PHI * (b - a);
    let (mut fc, mut fd) = (f(c), f(d));
    for _ in 0..200 {
        for (x, fx) in [(c, fc), (d, fd)] {
            if fx.is_nan() {
                return (x, fx);
            }
            if fx > best.1 {
                best = (x, fx);
            }
        }
        if b - a <= 4.0 * f64::EPSILON * a.abs().max(b.abs()) {
            break;
        }
        if fc >= fd {
            b = d;
            d = c;
            fd = fc;
            c = b - INV_PHI * (b - a);
            fc = f(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + INV_PHI * (b - a);
            fd = f(d);
        }
    }
    best
}

/// The distance from the mode `at` (where `f` is `height`) in `direction`
/// at which `f` has fallen by ½, found by doubling from `start` and then
/// bisecting; at most [`REACH`] `length`s, and at least a few ulps of `at`.
fn half_width(
    f: &impl Fn(f64) -> f64,
    at: f64,
    height: f64,
    direction: f64,
    start: f64,
    length: f64,
) -> f64 {
    let target = height - 0.5;
    let far = 4.0 * REACH * length;
    let above = |d: f64| f(at + direction * d) > target;
    let (mut inside, mut outside) = (0.0, start);
    while above(outside) {
        inside = outside;
        outside *= 2.0;
        if outside > far {
            return far;
        }
    }
    for _ in 0..40 {
        let mid = 0.5 * (inside + outside);
        if above(mid) {
            inside = mid;
        } else {
            outside = mid;
        }
    }
    let floor = 4.0 * f64::EPSILON * at.abs().max(f64::MIN_POSITIVE);
    outside.max(floor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::{LN_SQRT_2PI, Normal};

    fn normal(m: f64, s: f64) -> Dist {
        Dist::Normal(Normal::new(m, s).unwrap())
    }

    /// `ln N(x; m, s)`.
    fn ln_normal(x: f64, m: f64, s: f64) -> f64 {
        let r = (x - m) / s;
        -0.5 * r * r - s.ln() - LN_SQRT_2PI
    }

    #[test]
    fn a_conjugate_normal_posterior_has_its_closed_form() {
        // z ~ N(0, 1), x | z ~ N(z, 0.5): posterior precision 1 + 4 = 5.
        let prior = normal(0.0, 1.0);
        let post =
            Posterior::new(|z: f64| prior.ln_pdf(z) + ln_normal(1.0, z, 0.5), &prior).unwrap();
        assert!((post.mean - 0.8).abs() < 1e-12, "{}", post.mean);
        assert!((post.std - 0.2f64.sqrt()).abs() < 1e-12, "{}", post.std);
        let evidence = ln_normal(1.0, 0.0, 1.25f64.sqrt());
        assert!((post.log_evidence - evidence).abs() < 1e-12);
        assert_eq!(post.modes.len(), 1);
        assert!((post.modes[0].at - 0.8).abs() < 1e-7);
        assert!((post.modes[0].below - 0.2f64.sqrt()).abs() < 1e-6);
        // KL of the posterior itself is 0, and of another normal its
        // closed form.
        let exact = normal(0.8, 0.2f64.sqrt());
        assert!(post.kl_from(&exact).unwrap().abs() < 1e-13);
        let q = normal(0.3, 0.7);
        let kl = crate::stats::kl::kl(&q, &exact).unwrap().value;
        assert!((post.kl_from(&q).unwrap() - kl).abs() < 1e-12 * kl);
    }

    #[test]
    fn many_observations_far_in_the_prior_tail_do_not_underflow() {
        // 400 observations near 30, x | z ~ N(z, 1), under a N(0, 1)
        // prior: the joint density is below e^−825 everywhere, under the
        // smallest double (e^−744), and the
        // posterior is normal with precision 401 and mean Σx / 401.
        let prior = normal(0.0, 1.0);
        let xs: Vec<f64> = (0..400)
            .map(|i| 30.0 + ((i % 7) as f64 - 3.0) * 0.1)
            .collect();
        let total: f64 = xs.iter().sum();
        let ell = |z: f64| prior.ln_pdf(z) + xs.iter().map(|&x| ln_normal(x, z, 1.0)).sum::<f64>();
        let post = Posterior::new(ell, &prior).unwrap();
        let (mean, std) = (total / 401.0, (1.0f64 / 401.0).sqrt());
        assert!((post.mean - mean).abs() < 1e-10 * mean, "{}", post.mean);
        assert!((post.std - std).abs() < 1e-9 * std, "{}", post.std);
        // ln p(x) = ℓ(z) − ln p(z | x) at any z, here the mean.
        let evidence = ell(mean) - ln_normal(mean, mean, std);
        assert!(evidence < -800.0);
        assert!(
            (post.log_evidence - evidence).abs() < 1e-10 * evidence.abs(),
            "{} vs {evidence}",
            post.log_evidence
        );
    }

    #[test]
    fn a_heavy_tailed_prior_and_a_flat_likelihood_keep_the_prior_tail() {
        // A t(3) prior and a likelihood flat above z = 1: the posterior's
        // upper tail is the prior's, falling like z^−4, whose mass far out
        // quadrature must reach.
        let prior = crate::dist::text::parse_uni("student_t(df=3, loc=0, scale=1)").unwrap();
        let ell = |z: f64| {
            prior.ln_pdf(z)
                + if z < 1.0 {
                    -2.0 * (z - 1.0).powi(2)
                } else {
                    0.0
                }
        };
        let post = Posterior::new(ell, &prior).unwrap();
        // ∫ e^ℓ = P(T > 1) + ∫_{−∞}^1 t3(z) e^{−2(z−1)²}: the first from
        // the t(3) CDF, 1/2 − 1/6 − √3/(4π); the second by Simpson's rule
        // on [−19, 1] (smooth there, and e^−800 at −19).
        let pi = std::f64::consts::PI;
        let upper = 0.5 - 1.0 / 6.0 - 3f64.sqrt() / (4.0 * pi);
        let (n, h) = (200_000, 1e-4);
        let lower: f64 = (0..=n)
            .map(|k| {
                let z = 1.0 - k as f64 * h;
                let w = match k {
                    0 => 1.0,
                    k if k == n => 1.0,
                    k if k % 2 == 1 => 4.0,
                    _ => 2.0,
                };
                w * (prior.ln_pdf(z) - 2.0 * (z - 1.0).powi(2)).exp()
            })
            .sum::<f64>()
            * h
            / 3.0;
        let evidence = (upper + lower).ln();
        assert!(
            (post.log_evidence - evidence).abs() < 1e-10,
            "{} vs {evidence}",
            post.log_evidence
        );
    }

    #[test]
    fn a_model_undefined_where_the_prior_has_mass_is_an_error_naming_z() {
        let prior = normal(0.0, 1.0);
        let e = Posterior::new(|z: f64| if z > 0.5 { f64::NAN } else { -z * z }, &prior)
            .err()
            .unwrap();
        assert!(
            matches!(e, PosteriorError::Undefined(z) if z > 0.5),
            "{e:?}"
        );
        let e = Posterior::new(|_| f64::NEG_INFINITY, &prior).err().unwrap();
        assert_eq!(e, PosteriorError::NoMass);
    }
}
