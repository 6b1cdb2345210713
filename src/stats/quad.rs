//! Adaptive Gauss–Kronrod quadrature (21-point Kronrod rule on a 10-point
//! Gauss rule, as QUADPACK's QAG), on finite or infinite intervals.

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
        (true, true) => adapt(&f, a, b, tol),
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
    adapt(
        &|s: f64| weighted(f(start + direction * ((1.0 - s) / s)), s),
        0.0,
        1.0,
        tol,
    )
}

/// `value / s²`, the integrand times the Jacobian of `x = (1 − s)/s`,
/// divided in two steps so that it does not overflow before the small
/// value is applied; a vanishing integrand far out stays zero.
fn weighted(value: f64, s: f64) -> f64 {
    if value == 0.0 { 0.0 } else { value / s / s }
}

fn adapt(f: &impl Fn(f64) -> f64, a: f64, b: f64, tol: Tolerance) -> Result<Integral, QuadError> {
    let first = kronrod(f, a, b)?;
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
        let left = kronrod(f, worst.a, mid)?;
        let right = kronrod(f, mid, worst.b)?;
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
    Ok(Integral { value, error })
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
    fn reports_nan_integrands() {
        assert!(matches!(
            integrate(|_| f64::NAN, 0.0, 1.0, Tolerance::default()),
            Err(QuadError::NotANumber(_))
        ));
    }
}
