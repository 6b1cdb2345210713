//! `exp` and `ln_1p` without branches or tables, for loops the compiler
//! vectorises: a mixture's log-density (a log-sum-exp) is evaluated a few
//! hundred million times in a grid search, and libm's scalar calls were
//! most of that time.
//!
//! Both are plain arithmetic on `f64` and its bits (adds, multiplies, one
//! division, shifts and masks), with every special case a select rather
//! than a branch, so that a loop over a fixed-width block of them compiles
//! to SSE2 vector code on any x86-64. There is no fused multiply–add
//! (Rust never contracts `a * b + c`) and no CPU-specific path: the bits
//! are the same on every machine and in every lane.
//!
//! Accuracy, checked by the tests below against libm over the whole range
//! and against 40-digit reference values (mpmath) at the edges: within one
//! ulp of the exact value for normal results, and within one unit of the
//! last place for subnormal results of `exp`.

/// `1.5 × 2^52`: adding it to a float of size below `2^51` rounds that
/// float to the nearest integer (ties to even), which is then in the low
/// bits of the sum.
const ROUND: f64 = 6_755_399_441_055_744.0;
/// The bits of [`ROUND`].
const ROUND_BITS: u64 = 0x4338_0000_0000_0000;

/// `ln 2` in two parts (fdlibm's, by their bits): `LN2_HI` has 32
/// significant bits, so `n · LN2_HI` is exact for the `|n| < 2^11` used
/// here, and `LN2_HI + LN2_LO` is `ln 2` to about 1e-27.
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);

/// `2^n` for an integer-valued `n` in `[-1022, 1023]`, built from its bits.
#[inline(always)]
fn pow2(n: f64) -> f64 {
    let biased = (n + ROUND)
        .to_bits()
        .wrapping_sub(ROUND_BITS)
        .wrapping_add(1023);
    f64::from_bits(biased << 52)
}

/// `e^x`: `NaN` for `NaN`, `0` below about `−745.13`, `+∞` above about
/// `709.78`.
///
/// `x = n ln 2 + r` with `n` the nearest integer to `x / ln 2` and `|r| ≤
/// ln 2 / 2`; `e^r` by its Taylor polynomial of degree 13 (truncation
/// below `4e-18` relatively), the terms past `1 + r` by Estrin's scheme;
/// then `2^n` applied as two factors `2^{n₁} 2^{n₂}`, each a normal
/// float, so that results in the subnormal range are rounded once,
/// correctly, and results beyond the range are `0` or `+∞`.
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    // Comparisons with NaN are false: NaN passes through both clamps and
    // propagates to the result.
    let x = if x < -746.0 { -746.0 } else { x };
    let x = if x > 710.0 { 710.0 } else { x };
    let n = (x * std::f64::consts::LOG2_E + ROUND) - ROUND;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    // e^r = 1 + r + r² h(r), h(r) = Σ_{j=0}^{11} r^j / (j + 2)!, h by
    // Estrin's scheme (a short chain of dependent operations, so that
    // blocks of values overlap in the pipeline); r is added exactly as it
    // is, so h's rounding is scaled down by r² ≤ 0.121.
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let p0 = 1.0 / 2.0 + r * (1.0 / 6.0);
    let p2 = 1.0 / 24.0 + r * (1.0 / 120.0);
    let p4 = 1.0 / 720.0 + r * (1.0 / 5_040.0);
    let p6 = 1.0 / 40_320.0 + r * (1.0 / 362_880.0);
    let p8 = 1.0 / 3_628_800.0 + r * (1.0 / 39_916_800.0);
    let p10 = 1.0 / 479_001_600.0 + r * (1.0 / 6_227_020_800.0);
    let q0 = p0 + r2 * p2;
    let q4 = p4 + r2 * p6;
    let q8 = p8 + r2 * p10;
    let h = (q0 + r4 * q4) + r8 * q8;
    let e_r = 1.0 + (r + r2 * h);
    // n ∈ [−1076, 1024]: both halves are within the normal exponents.
    let n1 = (n * 0.5 + ROUND) - ROUND;
    let n2 = n - n1;
    e_r * pow2(n1) * pow2(n2)
}

/// fdlibm's minimax coefficients (`Lg1` to `Lg7`, by their bits; about
/// 0.6667, 0.4, 0.2857, 0.2222, 0.1818, 0.1531, 0.1480) for `ln(1 + f) =
/// 2s + s·R(s²)`, `s = f / (2 + f)`, `|s| ≤ 0.1716`.
const LG: [f64; 7] = [
    f64::from_bits(0x3fe5_5555_5555_5593),
    f64::from_bits(0x3fd9_9999_9997_fa04),
    f64::from_bits(0x3fd2_4924_9422_9359),
    f64::from_bits(0x3fcc_71c5_1d8e_78af),
    f64::from_bits(0x3fc7_4664_96cb_03de),
    f64::from_bits(0x3fc3_9a09_d078_c69f),
    f64::from_bits(0x3fc2_f112_df3e_5244),
];

/// `ln(1 + u)`, accurate for small `u` too: `NaN` for `NaN` and below
/// `−1`, `−∞` at `−1`, `+∞` at `+∞`.
///
/// fdlibm's (musl's) `log1p` without its branches: `1 + u = 2^k m` with
/// `m ∈ [√2/2, √2)`, found from the bits; `ln m` by the minimax
/// polynomial; the rounding error of `1 + u` added back as `c / (1 + u)`
/// (and `ln(1 + u)` straight from `u` when `k = 0`).
#[inline(always)]
pub fn ln_1p(u: f64) -> f64 {
    let v = 1.0 + u;
    // Adding 1 − √2/2's worth to the high word moves the exponent up by one
    // exactly when the mantissa is at least √2.
    let shifted = v
        .to_bits()
        .wrapping_add((0x3ff0_0000_u64 - 0x3fe6_a09e) << 32);
    let biased = shifted >> 52;
    let k = (f64::from_bits(ROUND_BITS.wrapping_add(biased)) - ROUND) - 1023.0;
    let m = f64::from_bits((shifted & 0x000f_ffff_ffff_ffff).wrapping_add(0x3fe6_a09e_u64 << 32));
    // (1 + u) − v exactly, relative to v; for k = 0 the exact u is used.
    let c = if k >= 2.0 {
        1.0 - (v - u)
    } else {
        u - (v - 1.0)
    } / v;
    let c = if k >= 54.0 { 0.0 } else { c };
    let f = if k == 0.0 { u } else { m - 1.0 };
    let c = if k == 0.0 { 0.0 } else { c };
    let y = ln_reduced(k, f, c);
    if u == f64::INFINITY {
        u
    } else if u == -1.0 {
        f64::NEG_INFINITY
    } else if u > -1.0 {
        y
    } else {
        f64::NAN
    }
}

/// The least `1 + u` that [`ln_1p`] and [`ln_1p_unit`] write as `2m`
/// rather than `m`: `√2` to the 20 bits of fdlibm's high-word test.
const SQRT2_SPLIT: f64 = f64::from_bits(0x3ff6_a09e_0000_0000);

/// `ln(1 + u)` for `u` in `[0, 1]` (and `NaN` for `NaN`), the case of a
/// log-sum-exp, where `u = e^{b − a} ≤ 1`: [`ln_1p`]'s method with only
/// the two reductions `1 + u` can need, and no special cases, so about
/// two thirds of its work and one division instead of two. Within one
/// ulp, as [`ln_1p`].
#[inline(always)]
pub fn ln_1p_unit(u: f64) -> f64 {
    let v = 1.0 + u;
    let high = v >= SQRT2_SPLIT;
    // 1 + u = 2^k (1 + f): for k = 1, f = v/2 − 1 exactly (Sterbenz) and
    // the rounding error of v, u − (v − 1) (exact), enters relative to v
    // as c/v; 1/v = 1/(2(1 + f)) ≈ (1 − f + f²)/2 for f ∈ [−0.3, 0] is
    // more than enough for a term below 2⁻⁵³. For k = 0, f = u exactly.
    let k = if high { 1.0 } else { 0.0 };
    let f = if high { 0.5 * v - 1.0 } else { u };
    let c = if high {
        (u - (v - 1.0)) * (0.5 * (1.0 - f + f * f))
    } else {
        0.0
    };
    ln_reduced(k, f, c)
}

/// `ln(2^k (1 + f)) + c` for `f ∈ [√2/2 − 1, √2 − 1)` and a correction `c`
/// far below an ulp: fdlibm's `k ln 2 + 2s + s·R(s²)`, `s = f / (2 + f)`.
#[inline(always)]
fn ln_reduced(k: f64, f: f64, c: f64) -> f64 {
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG[1] + w * (LG[3] + w * LG[5]));
    let t2 = z * (LG[0] + w * (LG[2] + w * (LG[4] + w * LG[6])));
    let r = t2 + t1;
    s * (hfsq + r) + (k * LN2_LO + c) - hfsq + f + k * LN2_HI
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units of the last place between two finite floats of the
    /// same sign (or zero).
    fn ulps(a: f64, b: f64) -> u64 {
        assert!(a.is_finite() && b.is_finite(), "{a} {b}");
        assert!(a == 0.0 || b == 0.0 || a.signum() == b.signum(), "{a} {b}");
        let key = |x: f64| x.abs().to_bits() as i64;
        key(a).abs_diff(key(b))
    }

    /// `n` points spread over `[lo, hi]`, with a fixed irregular offset so
    /// that they are not all on a lattice.
    fn spread(lo: f64, hi: f64, n: usize) -> impl Iterator<Item = f64> {
        (0..n).map(move |i| {
            let t = (i as f64 + 0.5 * (1.0 + (i as f64 * 0.618_033_988_75).fract())) / n as f64;
            lo + (hi - lo) * t.min(1.0)
        })
    }

    #[test]
    fn exp_is_within_one_ulp_of_libm_over_its_whole_range() {
        // The mixture's log-sum-exp uses x ≤ 0; the positive side is
        // covered too. libm's exp is itself within one ulp.
        let mut worst = 0;
        for x in spread(-708.0, 709.0, 400_000).chain(spread(-1.0, 1.0, 200_000)) {
            let d = ulps(exp(x), libm::exp(x));
            worst = worst.max(d);
            assert!(d <= 1, "exp({x:e}) = {:e}, libm {:e}", exp(x), libm::exp(x));
        }
        // Not exact everywhere, and not far: a test that can fail both ways.
        assert_eq!(worst, 1);
    }

    #[test]
    fn exp_is_close_in_the_subnormal_range_and_exact_at_the_ends() {
        for x in spread(-745.2, -708.4, 20_000) {
            let (a, b) = (exp(x), libm::exp(x));
            // Subnormals have a fixed absolute step: one or two of it.
            assert!(
                a.to_bits().abs_diff(b.to_bits()) <= 1,
                "exp({x}) = {a:e}, libm {b:e}"
            );
        }
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-0.0), 1.0);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp(-746.0), 0.0);
        assert_eq!(exp(-1e300), 0.0);
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp(709.8), f64::INFINITY);
        assert_eq!(exp(1e300), f64::INFINITY);
        assert!(exp(f64::NAN).is_nan());
        assert!(exp(709.78).is_finite());
    }

    #[test]
    fn exp_matches_high_precision_references() {
        for &(x, reference) in EXP_REFERENCES {
            let d = ulps(exp(x), reference);
            assert!(d <= 1, "exp({x:e}) = {:e}, reference {reference:e}", exp(x));
        }
    }

    #[test]
    fn ln_1p_is_within_one_ulp_of_libm_over_its_range() {
        let points = spread(0.0, 1.0, 300_000)
            .chain(spread(-0.999_999, 0.0, 100_000))
            .chain(spread(1.0, 8.0, 100_000))
            .chain(spread(-40.0, 700.0, 100_000).map(f64::exp))
            .chain(spread(-745.0, -30.0, 20_000).map(f64::exp));
        for u in points {
            let d = ulps(ln_1p(u), libm::log1p(u));
            assert!(
                d <= 1,
                "ln_1p({u:e}) = {:e}, libm {:e}",
                ln_1p(u),
                libm::log1p(u)
            );
        }
    }

    #[test]
    fn ln_1p_unit_is_within_one_ulp_of_libm_on_the_unit_interval() {
        let split = SQRT2_SPLIT - 1.0;
        let points = spread(0.0, 1.0, 1_000_000)
            .chain(spread(split - 1e-9, split + 1e-9, 100_000))
            .chain(spread(-745.0, 0.0, 200_000).map(f64::exp))
            .chain([0.0, 5e-324, 1e-300, 1e-17, split, 1.0]);
        let mut worst = 0;
        for u in points {
            let d = ulps(ln_1p_unit(u), libm::log1p(u));
            worst = worst.max(d);
            assert!(
                d <= 1,
                "ln_1p_unit({u:e}) = {:e}, libm {:e}",
                ln_1p_unit(u),
                libm::log1p(u)
            );
        }
        assert_eq!(worst, 1);
        for &(u, reference) in LN_1P_REFERENCES
            .iter()
            .filter(|(u, _)| (0.0..=1.0).contains(u))
        {
            assert!(ulps(ln_1p_unit(u), reference) <= 1, "{u:e}");
        }
        assert_eq!(ln_1p_unit(0.0), 0.0);
        assert_eq!(ln_1p_unit(1.0), std::f64::consts::LN_2);
        for u in [5e-324, 1e-300, 1e-30, 1e-17] {
            assert_eq!(ln_1p_unit(u), u, "{u:e}");
        }
        assert!(ln_1p_unit(f64::NAN).is_nan());
    }

    #[test]
    fn ln_1p_is_exact_where_it_must_be_and_special_at_the_ends() {
        assert_eq!(ln_1p(0.0), 0.0);
        assert_eq!(ln_1p(1.0), std::f64::consts::LN_2);
        // Below half an ulp of 1, ln(1 + u) rounds to u.
        for u in [5e-324, 1e-300, 1e-30, 1e-17] {
            assert_eq!(ln_1p(u), u, "{u:e}");
        }
        assert_eq!(ln_1p(f64::INFINITY), f64::INFINITY);
        assert_eq!(ln_1p(-1.0), f64::NEG_INFINITY);
        assert!(ln_1p(-1.5).is_nan());
        assert!(ln_1p(f64::NEG_INFINITY).is_nan());
        assert!(ln_1p(f64::NAN).is_nan());
        assert!((ln_1p(f64::MAX) - 709.782_712_893_384).abs() < 1e-12);
    }

    #[test]
    fn ln_1p_matches_high_precision_references() {
        for &(u, reference) in LN_1P_REFERENCES {
            let d = ulps(ln_1p(u), reference);
            assert!(
                d <= 1,
                "ln_1p({u:e}) = {:e}, reference {reference:e}",
                ln_1p(u)
            );
        }
    }

    #[test]
    fn lanes_of_a_block_give_the_scalar_bits() {
        // The block form the mixture uses: eight at a time, as the compiler
        // vectorises it, against one at a time.
        let xs: Vec<f64> = spread(-50.0, 0.0, 4096).collect();
        for chunk in xs.chunks_exact(8) {
            let mut block = [0.0; 8];
            for (b, &x) in block.iter_mut().zip(chunk) {
                *b = ln_1p(exp(x));
            }
            for (b, &x) in block.iter().zip(chunk) {
                let one = std::hint::black_box(x);
                assert_eq!(b.to_bits(), ln_1p(exp(one)).to_bits());
            }
        }
    }

    include!("fast_references.rs");
}
