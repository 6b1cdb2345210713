//! Adaptive Gauss–Kronrod quadrature (21-point Kronrod rule on a 10-point
//! Gauss rule, as QUADPACK's QAG), on finite or infinite intervals.
//!
//! Integrable singularities at the ends (`x^(a−1)` of a beta or gamma with
//! a shape below 1, times logarithms in entropies and divergences) defeat
//! plain bisection: its error estimate is too optimistic there, and near an
//! end other than 0 the floating-point numbers run out before it is met,
//! while nodes round onto the end where the density is infinite. Where
//! bisection fails or has to cut very near an end, each half of the
//! interval is cut into pieces shrinking geometrically towards its end, and
//! the partial sums are extrapolated to their limit with Wynn's ε
//! algorithm, as in QUADPACK's QAGS; near a nonzero end, the values at
//! nodes that rounded are moved back to the exact nodes.
//!
//! Infinite ranges are mapped onto `(0, 1]` with the far tail at 0, where
//! floating point is finest. Callers that know where a density's mass is
//! (`stats::kl`) split the range there first.

use std::collections::BinaryHeap;

/// Kronrod abscissae on [-1, 1], the positive half; odd indices are the
/// Gauss nodes.
#[allow(clippy::excessive_precision)] // digits as published in QUADPACK, checkable against it
const XGK: [f64; 11] = [
    0.995_657_163_025_808_080_735_527_280_689_003,
    0.973_906_528_517_171_720_077_964_012_084_452,
    0.930_157_491_355_708_226_001_207_180_059_508,
    0.865_063_366_688_984_510_732_096_688_423_493,
    0.780_817_726_586_416_897_063_717_578_345_042,
    0.679_409_568_299_024_406_234_327_365_114_874,
    0.562_757_134_668_604_683_339_000_099_272_694,
    0.433_395_394_129_247_190_799_265_943_165_784,
    0.294_392_862_701_460_198_131_126_603_103_866,
    0.148_874_338_981_631_210_884_826_001_129_720,
    0.0,
];
/// Kronrod weights for [`XGK`].
#[allow(clippy::excessive_precision)] // digits as published in QUADPACK, checkable against it
const WGK: [f64; 11] = [
    0.011_694_638_867_371_874_278_064_396_062_192,
    0.032_558_162_307_964_727_478_818_972_459_390,
    0.054_755_896_574_351_996_031_381_300_244_580,
    0.075_039_674_810_919_952_767_043_140_916_190,
    0.093_125_454_583_697_605_535_065_465_083_366,
    0.109_387_158_802_297_641_899_210_590_325_805,
    0.123_491_976_262_065_851_077_600_525_452_700,
    0.134_709_217_311_473_325_928_054_001_771_707,
    0.142_775_938_577_060_080_797_094_273_138_717,
    0.147_739_104_901_338_491_374_841_515_972_068,
    0.149_445_554_002_916_905_664_936_468_389_821,
];
/// Gauss weights for the nodes `XGK[1], XGK[3], ..., XGK[9]`.
#[allow(clippy::excessive_precision)] // digits as published in QUADPACK, checkable against it
const WG: [f64; 5] = [
    0.066_671_344_308_688_137_593_568_809_893_332,
    0.149_451_349_150_580_593_145_776_339_657_697,
    0.219_086_362_515_982_043_995_534_934_228_163,
    0.269_266_719_309_996_355_091_226_921_569_469,
    0.295_524_224_714_752_870_173_892_994_651_338,
];

/// The result of an integration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Integral {
    /// The estimate.
    pub value: f64,
    /// An estimate of the absolute error.
    pub error: f64,
}

/// Why an integral could not be computed to the requested accuracy.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QuadError {
    /// The integrand returned NaN.
    #[error("the integrand is not a number at x = {0}")]
    NotANumber(f64),
    /// The subdivision limit was reached first.
    #[error(
        "quadrature did not converge: estimate {value} with error {error:e} after {intervals} intervals"
    )]
    NoConvergence {
        /// The estimate reached.
        value: f64,
        /// Its error estimate.
        error: f64,
        /// How many intervals were used.
        intervals: usize,
    },
}

/// Tolerances for [`integrate`].
#[derive(Debug, Clone, Copy)]
pub struct Tolerance {
    /// Absolute error goal.
    pub abs: f64,
    /// Relative error goal.
    pub rel: f64,
    /// Subdivision limit.
    pub max_intervals: usize,
}

impl Default for Tolerance {
    fn default() -> Self {
        Self {
            abs: 1e-13,
            rel: 1e-12,
            max_intervals: 4000,
        }
    }
}

struct Piece {
    a: f64,
    b: f64,
    value: f64,
    error: f64,
}

impl PartialEq for Piece {
    fn eq(&self, other: &Self) -> bool {
        self.error == other.error
    }
}
impl Eq for Piece {}
impl PartialOrd for Piece {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Piece {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.error.total_cmp(&other.error)
    }
}

fn kronrod(f: &impl Fn(f64) -> f64, a: f64, b: f64) -> Result<Piece, QuadError> {
    let center = 0.5 * (a + b);
    let half = 0.5 * (b - a);
    let fc = f(center);
    let mut kronrod = fc * WGK[10];
    let mut gauss = 0.0;
    for k in 0..10 {
        let dx = half * XGK[k];
        let (lo, hi) = (f(center - dx), f(center + dx));
        if lo.is_nan() || hi.is_nan() {
            return Err(QuadError::NotANumber(if lo.is_nan() {
                center - dx
            } else {
                center + dx
            }));
        }
        kronrod += WGK[k] * (lo + hi);
        if k % 2 == 1 {
            gauss += WG[k / 2] * (lo + hi);
        }
    }
    if fc.is_nan() {
        return Err(QuadError::NotANumber(center));
    }
    let value = kronrod * half;
    let error = ((kronrod - gauss) * half).abs();
    Ok(Piece { a, b, value, error })
}

/// The 21-point Kronrod rule on `[a, b]`, without an error estimate: for
/// integrands known to be smooth well beyond the interval.
pub(crate) fn kronrod_fixed(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    let center = 0.5 * (a + b);
    let half = 0.5 * (b - a);
    let mut total = f(center) * WGK[10];
    for k in 0..10 {
        let dx = half * XGK[k];
        total += WGK[k] * (f(center - dx) + f(center + dx));
    }
    total * half
}

/// Which Gauss–Kronrod rule a subdivision uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// Nodes as computed.
    Plain,
    /// Values moved to the exact nodes: see [`kronrod_rounded`].
    Rounded,
}

/// The Kronrod nodes on [-1, 1] in increasing order.
fn nodes() -> [f64; 21] {
    std::array::from_fn(|i| match i {
        0..10 => -XGK[i],
        10 => 0.0,
        _ => XGK[20 - i],
    })
}

/// The rule of [`kronrod`], for pieces whose width is a small multiple of
/// the spacing of the floating-point numbers around them (near a nonzero
/// end): there a node `c + h·t` rounds to `c + h·(t + δ)` with `δ` up to
/// `ulp(c)/h`, and the values, taken as if at `t`, carry relative errors of
/// that size. Each value is moved back to its exact node to second order,
/// `f(t) ≈ f(t + δ) − f′(t)δ − f″(t)δ²/2`, with the derivatives of the
/// polynomial through the corrected values (barycentric differentiation),
/// iterated three times.
fn kronrod_rounded(f: &impl Fn(f64) -> f64, a: f64, b: f64) -> Result<Piece, QuadError> {
    let center = 0.5 * (a + b);
    let half = 0.5 * (b - a);
    let t = nodes();
    let mut values = [0.0; 21];
    let mut shift = [0.0; 21];
    for i in 0..21 {
        // The same arithmetic as `kronrod`, so the nodes are the same.
        let dx = half * t[i].abs();
        let x = if t[i] < 0.0 { center - dx } else { center + dx };
        let v = f(x);
        if v.is_nan() {
            return Err(QuadError::NotANumber(x));
        }
        values[i] = v;
        // x − center is exact (Sterbenz) for the narrow pieces this is for.
        shift[i] = ((x - center) - half * t[i]) / half;
    }
    if values.iter().all(|v| v.is_finite()) {
        let measured = values;
        for _ in 0..3 {
            let d1 = derivatives(&t, &values);
            let d2 = derivatives(&t, &d1);
            for i in 0..21 {
                values[i] = measured[i] - d1[i] * shift[i] - 0.5 * d2[i] * shift[i] * shift[i];
            }
        }
    }
    let mut kronrod = 0.0;
    let mut gauss = 0.0;
    for (i, v) in values.iter().enumerate() {
        let k = if i <= 10 { i } else { 20 - i };
        kronrod += WGK[k] * v;
        if k % 2 == 1 {
            gauss += WG[k / 2] * v;
        }
    }
    Ok(Piece {
        a,
        b,
        value: kronrod * half,
        error: ((kronrod - gauss) * half).abs(),
    })
}

/// The derivative at each node `t[i]` of the polynomial through
/// `(t[i], y[i])`: `Σ_{j≠i} (λ_j/λ_i)(y_j − y_i)/(t_i − t_j)` with the
/// barycentric weights `λ_j = 1/Π_{k≠j}(t_j − t_k)`.
fn derivatives(t: &[f64; 21], y: &[f64; 21]) -> [f64; 21] {
    let lambda: [f64; 21] = std::array::from_fn(|j| {
        1.0 / (0..21)
            .filter(|&k| k != j)
            .map(|k| t[j] - t[k])
            .product::<f64>()
    });
    std::array::from_fn(|i| {
        (0..21)
            .filter(|&j| j != i)
            .map(|j| lambda[j] / lambda[i] * (y[j] - y[i]) / (t[i] - t[j]))
            .sum()
    })
}

/// `∫_a^b f(x) dx`, with `a` or `b` possibly infinite.
///
/// An infinite side is mapped onto `(0, 1]` by `x = a + (1 − s)/s` (or
/// `b − (1 − s)/s`), so that the far tail is near `s = 0`, where floating
/// point is finest: tails as heavy as `|x|^(−1.5)` still have mass 1e-8
/// beyond `|x| = 10¹⁶`, which a map whose far end sits at `1 − s` could
/// not reach. A doubly infinite range is split at 0.
///
/// Subdivides the interval with the largest error estimate until the total
/// error is within `tol`.
///
/// # Errors
/// [`QuadError`] when the integrand is NaN somewhere or the limit on
/// intervals is reached before the tolerance.
pub fn integrate(
    f: impl Fn(f64) -> f64,
    a: f64,
    b: f64,
    tol: Tolerance,
) -> Result<Integral, QuadError> {
    match (a.is_finite(), b.is_finite()) {
        (true, true) => finite(&f, a, b, tol),
        (false, false) => {
            let half = Tolerance {
                abs: 0.5 * tol.abs,
                ..tol
            };
            let lower = half_line(&f, 0.0, -1.0, half)?;
            let upper = half_line(&f, 0.0, 1.0, half)?;
            Ok(Integral {
                value: lower.value + upper.value,
                error: lower.error + upper.error,
            })
        }
        (true, false) => half_line(&f, a, 1.0, tol),
        (false, true) => half_line(&f, b, -1.0, tol),
    }
}

/// `∫ f` from `start` to `+∞` (`direction = 1`) or `−∞` (`direction = −1`),
/// by `x = start ± (1 − s)/s` over `s ∈ (0, 1]`.
fn half_line(
    f: &impl Fn(f64) -> f64,
    start: f64,
    direction: f64,
    tol: Tolerance,
) -> Result<Integral, QuadError> {
    finite(
        &|s: f64| weighted(f(start + direction * ((1.0 - s) / s)), s),
        0.0,
        1.0,
        tol,
    )
}

/// `∫_a^b f` on a finite interval: adaptive bisection, and where that fails
/// (no convergence, a NaN, or an infinite sum from a node rounded onto a
/// singular end) or had to cut an end piece below [`SINGULAR_END`] of the
/// interval, graded pieces towards both ends with extrapolation. When that
/// fails too, a finite result of bisection stands; otherwise the graded
/// method's error is returned.
fn finite(f: &impl Fn(f64) -> f64, a: f64, b: f64, tol: Tolerance) -> Result<Integral, QuadError> {
    let first = match subdivide(f, a, b, tol, Rule::Plain) {
        Ok((r, end)) if r.value.is_finite() => {
            if end >= SINGULAR_END {
                return Ok(r);
            }
            Some(r)
        }
        _ => None,
    };
    match (graded(f, a, b, tol), first) {
        (Ok(r), _) if r.value.is_finite() => Ok(r),
        (_, Some(r)) => Ok(r),
        (Ok(r), None) => Err(QuadError::NoConvergence {
            value: r.value,
            error: r.error,
            intervals: 0,
        }),
        (Err(e), None) => Err(e),
    }
}

/// Bisection that ends with a piece this narrow (relative to the interval)
/// at an end has met a singularity there, where the Gauss–Kronrod error
/// estimate of the end piece is too optimistic (by 10× for `x^(−0.95)`).
const SINGULAR_END: f64 = 1e-9;

/// Pieces towards an end stop after this many.
const MAX_PIECES: usize = 80;
/// The subdivision limit for each piece.
const PIECE_INTERVALS: usize = 200;
/// Extrapolation starts from this many partial sums.
const MIN_TERMS: usize = 6;

/// `∫_a^b f`, as the integrals from the midpoint towards each end.
fn graded(f: &impl Fn(f64) -> f64, a: f64, b: f64, tol: Tolerance) -> Result<Integral, QuadError> {
    let c = a + 0.5 * (b - a);
    let half = Tolerance {
        abs: 0.5 * tol.abs,
        ..tol
    };
    let left = towards(f, c, a, half)?;
    let right = towards(f, c, b, half)?;
    Ok(Integral {
        value: left.value + right.value,
        error: left.error + right.error,
    })
}

/// The integral of `f` between `from` and the end `end` (in increasing
/// order of x, whichever side the end is on): the pieces
/// `[end + d·q^(j+1), end + d·q^j]`, `d = from − end`, each by adaptive
/// bisection, summed and extrapolated. Near a singularity `|x − end|^s`
/// (times a power of its logarithm) the pieces shrink geometrically, by
/// `q^(s+1)`, which the ε algorithm takes to the limit.
///
/// At 0 the pieces can shrink fast (`q = 1/16`) and go deep. Elsewhere
/// nodes round to multiples of `ulp(end)`: the pieces shrink by halves,
/// use [`kronrod_rounded`], and stop once one cannot be integrated to the
/// tolerance, some 40 halvings in; the noise of the deepest pieces limits
/// the accuracy there (to about 1e-11 for a beta with `β` down to 0.1).
fn towards(
    f: &impl Fn(f64) -> f64,
    from: f64,
    end: f64,
    tol: Tolerance,
) -> Result<Integral, QuadError> {
    let (q, rule) = if end == 0.0 {
        (1.0 / 16.0, Rule::Plain)
    } else {
        (0.5, Rule::Rounded)
    };
    let piece_tol = Tolerance {
        abs: tol.abs / 64.0,
        rel: tol.rel / 4.0,
        max_intervals: PIECE_INTERVALS,
    };
    let (mut total, mut piece_errors) = (0.0, 0.0);
    let mut sums = Vec::with_capacity(MAX_PIECES);
    let mut limits = Vec::with_capacity(MAX_PIECES);
    let mut best = Integral {
        value: f64::NAN,
        error: f64::INFINITY,
    };
    let mut width = from - end;
    for _ in 0..MAX_PIECES {
        let (outer, inner) = (end + width, end + q * width);
        if inner == end || inner == outer {
            break;
        }
        let piece = match subdivide(f, outer.min(inner), outer.max(inner), piece_tol, rule) {
            Ok((piece, _)) => piece,
            Err(QuadError::NoConvergence { .. }) if !sums.is_empty() => break,
            Err(e) => return Err(e),
        };
        total += piece.value;
        piece_errors += piece.error;
        sums.push(total);
        width *= q;
        if sums.len() < MIN_TERMS {
            continue;
        }
        let (value, error) = extrapolate(&sums);
        // A single extrapolation can look converged by chance while the
        // estimates still drift: it must also agree with the last three.
        let drift = limits
            .iter()
            .rev()
            .take(3)
            .map(|l: &f64| (value - l).abs())
            .fold(0.0, f64::max);
        limits.push(value);
        let error = error.max(drift) + piece_errors;
        if limits.len() > 3 && error < best.error {
            best = Integral { value, error };
            if error <= tol.abs.max(tol.rel * value.abs()) {
                return Ok(best);
            }
        }
    }
    Err(QuadError::NoConvergence {
        value: best.value,
        error: best.error,
        intervals: sums.len(),
    })
}

/// The limit of the partial sums `s` by Wynn's ε algorithm, and an error
/// estimate: among the last partial sum and the newest entry of each even
/// column of the ε table, the one whose column changed least over its last
/// two steps. Columns run into 1/0 once the sums stop changing; such
/// entries are skipped.
fn extrapolate(s: &[f64]) -> (f64, f64) {
    let n = s.len();
    let step = |c: &[f64], m: usize| (c[m - 1] - c[m - 2]).abs() + (c[m - 2] - c[m - 3]).abs();
    let mut best = (s[n - 1], if n >= 3 { step(s, n) } else { f64::INFINITY });
    // ε_{-1} = 0 and ε_0 = s; ε_{p+1}[k] = ε_{p−1}[k+1] + 1/(ε_p[k+1] − ε_p[k]).
    let mut prev = vec![0.0; n + 1];
    let mut cur = s.to_vec();
    let mut column = 0;
    while cur.len() >= 2 {
        let next: Vec<f64> = (0..cur.len() - 1)
            .map(|k| prev[k + 1] + 1.0 / (cur[k + 1] - cur[k]))
            .collect();
        column += 1;
        prev = cur;
        cur = next;
        let m = cur.len();
        if column % 2 == 0 && m >= 3 && cur[m - 3..].iter().all(|v| v.is_finite()) {
            let error = step(&cur, m);
            if error < best.1 {
                best = (cur[m - 1], error);
            }
        }
    }
    best
}

/// `value / s²`, the integrand times the Jacobian of `x = (1 − s)/s`,
/// divided in two steps so that it does not overflow before the small
/// value is applied; a vanishing integrand far out stays zero.
fn weighted(value: f64, s: f64) -> f64 {
    if value == 0.0 { 0.0 } else { value / s / s }
}

/// Adaptive bisection: the integral, and the width of the narrower of the
/// two end pieces as a fraction of `b − a`.
fn subdivide(
    f: &impl Fn(f64) -> f64,
    a: f64,
    b: f64,
    tol: Tolerance,
    rule: Rule,
) -> Result<(Integral, f64), QuadError> {
    let kronrod = |a: f64, b: f64| match rule {
        Rule::Plain => kronrod(f, a, b),
        Rule::Rounded => kronrod_rounded(f, a, b),
    };
    let first = kronrod(a, b)?;
    let (mut value, mut error) = (first.value, first.error);
    let mut heap = BinaryHeap::from([first]);
    while error > tol.abs.max(tol.rel * value.abs()) {
        if heap.len() >= tol.max_intervals {
            return Err(QuadError::NoConvergence {
                value,
                error,
                intervals: heap.len(),
            });
        }
        // The heap is never empty here: it starts with one piece and each
        // step replaces one piece by two.
        let Some(worst) = heap.pop() else { break };
        let mid = 0.5 * (worst.a + worst.b);
        if mid <= worst.a || mid >= worst.b {
            // The interval cannot be split further in floating point.
            heap.push(worst);
            return Err(QuadError::NoConvergence {
                value,
                error,
                intervals: heap.len(),
            });
        }
        let left = kronrod(worst.a, mid)?;
        let right = kronrod(mid, worst.b)?;
        value += left.value + right.value - worst.value;
        error += left.error + right.error - worst.error;
        heap.push(left);
        heap.push(right);
    }
    // Re-sum from left to right, so the result does not carry the rounding
    // of the running updates.
    let mut pieces = heap.into_vec();
    pieces.sort_by(|p, q| p.a.total_cmp(&q.a));
    let value = pieces.iter().map(|p| p.value).sum();
    let error = pieces.iter().map(|p| p.error).sum();
    let end = match (pieces.first(), pieces.last()) {
        (Some(first), Some(last)) => (first.b - first.a).min(last.b - last.a) / (b - a),
        _ => 1.0,
    };
    Ok((Integral { value, error }, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kronrod_rule_is_exact_for_polynomials_up_to_degree_31() {
        for k in 0..=31 {
            let piece = kronrod(&|x: f64| x.powi(k), -1.0, 1.0).unwrap();
            let exact = if k % 2 == 1 {
                0.0
            } else {
                2.0 / (k as f64 + 1.0)
            };
            assert!(
                (piece.value - exact).abs() < 1e-14,
                "degree {k}: {}",
                piece.value
            );
        }
    }

    #[test]
    fn gauss_rule_is_exact_up_to_degree_19_so_the_error_estimate_vanishes() {
        for k in 0..=19 {
            let piece = kronrod(&|x: f64| x.powi(k), -1.0, 1.0).unwrap();
            assert!(piece.error < 1e-14, "degree {k}: {}", piece.error);
        }
    }

    #[test]
    fn integrates_the_gaussian_over_the_real_line() {
        let f = |x: f64| (-0.5 * x * x).exp();
        let r = integrate(f, f64::NEG_INFINITY, f64::INFINITY, Tolerance::default()).unwrap();
        assert!((r.value - (2.0 * std::f64::consts::PI).sqrt()).abs() < 1e-12);
        let half = integrate(f, 0.0, f64::INFINITY, Tolerance::default()).unwrap();
        assert!((half.value - (std::f64::consts::PI / 2.0).sqrt()).abs() < 1e-12);
        let lower = integrate(f, f64::NEG_INFINITY, 0.0, Tolerance::default()).unwrap();
        assert!((lower.value - half.value).abs() < 1e-12);
    }

    #[test]
    fn handles_a_sharp_peak() {
        // ∫ 1/(1e-4 + x²) over [-1, 1] = 2 atan(1/0.01)/0.01.
        let r = integrate(|x| 1.0 / (1e-4 + x * x), -1.0, 1.0, Tolerance::default()).unwrap();
        let exact = 2.0 * (100.0f64).atan() / 0.01;
        assert!((r.value - exact).abs() < 1e-9 * exact);
    }

    #[test]
    fn integrates_heavy_tails_whose_mass_lies_beyond_1e16() {
        // ∫_1^∞ x^(−3/2) dx = 2; a tenth of a millionth of it lies past 1e16.
        let r = integrate(|x| x.powf(-1.5), 1.0, f64::INFINITY, Tolerance::default()).unwrap();
        assert!((r.value - 2.0).abs() < 1e-11, "{r:?}");
        // ∫ 1/(π(1 + x²)) over the line = 1, the Cauchy density.
        let cauchy = |x: f64| 1.0 / (std::f64::consts::PI * (1.0 + x * x));
        let r = integrate(
            cauchy,
            f64::NEG_INFINITY,
            f64::INFINITY,
            Tolerance::default(),
        )
        .unwrap();
        assert!((r.value - 1.0).abs() < 1e-12, "{r:?}");
    }

    #[test]
    fn interpolant_derivatives_are_exact_for_polynomials() {
        let t = nodes();
        let y: [f64; 21] = std::array::from_fn(|i| t[i].powi(7) - 2.0 * t[i]);
        let d = derivatives(&t, &y);
        for i in 0..21 {
            assert!((d[i] - (7.0 * t[i].powi(6) - 2.0)).abs() < 1e-12, "{i}");
        }
    }

    #[test]
    fn values_at_rounded_nodes_are_moved_back_to_the_exact_ones() {
        // A piece 2^-36 wide next to 1, where nodes round by up to 1e-5 of
        // the width: ∫ (1 − x)^(−1/2) over [1 − 2^-35, 1 − 2^-36].
        let f = |x: f64| 1.0 / (1.0 - x).sqrt();
        let (a, b) = (1.0 - 2f64.powi(-35), 1.0 - 2f64.powi(-36));
        let exact = 2.0 * (2f64.powi(-35).sqrt() - 2f64.powi(-36).sqrt());
        let plain = kronrod(&f, a, b).unwrap().value;
        let rounded = kronrod_rounded(&f, a, b).unwrap().value;
        assert!((plain - exact).abs() > 1e-8 * exact, "{plain} vs {exact}");
        assert!(
            (rounded - exact).abs() < 1e-13 * exact,
            "{rounded} vs {exact}"
        );
    }

    #[test]
    fn extrapolation_finds_the_limit_of_slowly_converging_sums() {
        // Σ r^k and Σ k r^k: remainders geometric, and geometric times k.
        let r: f64 = 0.97;
        let geometric: Vec<f64> = (0..12)
            .scan(0.0, |acc, k| {
                *acc += r.powi(k);
                Some(*acc)
            })
            .collect();
        let (value, error) = extrapolate(&geometric);
        assert!((value - 1.0 / (1.0 - r)).abs() < 1e-11, "{value} ± {error}");
        assert!(error < 1e-9);
        let with_k: Vec<f64> = (0..16)
            .scan(0.0, |acc, k| {
                *acc += k as f64 * r.powi(k);
                Some(*acc)
            })
            .collect();
        let (value, _) = extrapolate(&with_k);
        let exact = r / (1.0 - r).powi(2);
        assert!((value - exact).abs() < 1e-9 * exact, "{value} vs {exact}");
        // Sums that have stopped changing are their own limit.
        assert_eq!(extrapolate(&[1.0, 1.5, 1.75, 1.75, 1.75, 1.75]).0, 1.75);
    }

    #[test]
    fn integrates_singularities_at_either_end_of_a_finite_interval() {
        let tol = Tolerance::default();
        // At 1 the floating-point numbers run out: plain bisection cannot.
        let f = |x: f64| 1.0 / (1.0 - x).sqrt();
        assert!(
            !matches!(subdivide(&f, 0.0, 1.0, tol, Rule::Plain), Ok((r, _)) if r.value.is_finite())
        );
        let r = integrate(f, 0.0, 1.0, tol).unwrap();
        assert!((r.value - 2.0).abs() < 1e-12, "{r:?}");
        // ∫₀¹ x^(−0.99) = 100: bisection would need pieces of 1e-1300.
        let r = integrate(|x: f64| x.powf(-0.99), 0.0, 1.0, tol).unwrap();
        assert!((r.value - 100.0).abs() < 1e-12 * 100.0, "{r:?}");
        // ∫₀¹ (1 − x)^(−1/2) ln(1 − x) = −4, and on [2, 3] shifted.
        let g = |x: f64| {
            let u = 3.0 - x;
            u.ln() / u.sqrt()
        };
        let r = integrate(g, 2.0, 3.0, tol).unwrap();
        assert!((r.value + 4.0).abs() < 1e-12 * 4.0, "{r:?}");
        // Both ends at once: ∫₀¹ dx / √(x(1 − x)) = π.
        let h = |x: f64| 1.0 / (x * (1.0 - x)).sqrt();
        let r = integrate(h, 0.0, 1.0, tol).unwrap();
        assert!(
            (r.value - std::f64::consts::PI).abs() < 1e-12 * 4.0,
            "{r:?}"
        );
    }

    #[test]
    fn extrapolates_past_the_last_float_before_a_nonzero_end() {
        // (1 − x)^(−0.9) keeps 3% of its mass within 1e-16 of 1.
        let r = integrate(
            |x: f64| (1.0 - x).powf(-0.9),
            0.0,
            1.0,
            Tolerance::default(),
        )
        .unwrap();
        assert!((r.value - 10.0).abs() < 1e-12 * 10.0, "{r:?}");
        // ∫₀¹ (1 − x)^(−0.9) ln(1 − x) = −1/0.1².
        let g = |x: f64| {
            let u = 1.0 - x;
            u.powf(-0.9) * u.ln()
        };
        let r = integrate(g, 0.0, 1.0, Tolerance::default()).unwrap();
        assert!((r.value + 100.0).abs() < 1e-11 * 100.0, "{r:?}");
    }

    #[test]
    fn a_divergent_integral_is_an_error_not_a_number() {
        for (a, b) in [(0.0, 1.0), (-1.0, 0.0)] {
            let r = integrate(
                |x: f64| 1.0 / x.abs().min((1.0 - x).abs()),
                a,
                b,
                Tolerance::default(),
            );
            assert!(matches!(r, Err(QuadError::NoConvergence { .. })), "{r:?}");
        }
    }

    #[test]
    fn integrates_a_singularity_at_the_finite_end_of_an_infinite_range() {
        // ∫₀^∞ x^(−0.95) e^(−x) = Γ(0.05).
        let f = |x: f64| x.powf(-0.95) * (-x).exp();
        let r = integrate(f, 0.0, f64::INFINITY, Tolerance::default()).unwrap();
        let exact = libm::tgamma(0.05);
        assert!((r.value - exact).abs() < 1e-12 * exact, "{r:?} vs {exact}");
    }

    #[test]
    fn reports_nan_integrands() {
        assert!(matches!(
            integrate(|_| f64::NAN, 0.0, 1.0, Tolerance::default()),
            Err(QuadError::NotANumber(_))
        ));
    }
}
