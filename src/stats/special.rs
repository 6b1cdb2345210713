//! Special functions: log-gamma, digamma, trigamma, log-beta, erf and the
//! normal distribution function.
//!
//! `ln Γ` and `erf` come from `libm` (the musl implementations, accurate to
//! about one ulp); digamma and trigamma are computed here by recurrence to
//! large arguments and their asymptotic series, accurate to about 1e-15.

use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// `ln Γ(x)` for `x > 0`.
pub fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

/// `ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b)`.
pub fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// The error function.
pub fn erf(x: f64) -> f64 {
    libm::erf(x)
}

/// The complementary error function, `1 − erf(x)` without cancellation.
pub fn erfc(x: f64) -> f64 {
    libm::erfc(x)
}

/// The standard normal distribution function `Φ(x)`.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x * FRAC_1_SQRT_2)
}

/// `x + e^{−x} − 1`, which is ≥ 0, without the cancellation of its two
/// leading terms for small `|x|` (where it is ≈ `x²/2`).
pub fn x_plus_expm1_neg(x: f64) -> f64 {
    if x.abs() < 0.5 {
        // x² Σ_{j≥0} (−x)^j / (j + 2)!, in Horner form from j = 17: at
        // |x| = 0.5 the first term left out is 0.5^20/20! ≈ 4e-25, far
        // below the sum's ulp.
        let mut coefficient = 1.0 / 19.0;
        for k in 2..19 {
            coefficient /= f64::from(k);
        }
        let mut acc = 0.0;
        for k in (2..=19).rev() {
            acc = coefficient - x * acc;
            coefficient *= f64::from(k);
        }
        x * x * acc
    } else {
        x + (-x).exp_m1()
    }
}

/// Below this, the asymptotic series is not used: the recurrence first
/// shifts the argument up to it.
const ASYMPTOTIC_FROM: f64 = 10.0;

/// The digamma function `ψ(x) = d/dx ln Γ(x)`; NaN at the poles
/// `0, −1, −2, …`.
pub fn digamma(x: f64) -> f64 {
    if x.is_nan() || x == f64::NEG_INFINITY {
        return f64::NAN;
    }
    if x <= 0.0 {
        if x == x.floor() {
            return f64::NAN;
        }
        // Reflection: ψ(1 − x) − ψ(x) = π cot(πx).
        return digamma(1.0 - x) - PI / (PI * x).tan();
    }
    let (mut x, mut shift) = (x, 0.0);
    while x < ASYMPTOTIC_FROM {
        shift -= 1.0 / x;
        x += 1.0;
    }
    let r = 1.0 / (x * x);
    // ln x − 1/(2x) − Σ B₂ₖ / (2k x²ᵏ)
    let series = r
        * (1.0 / 12.0
            - r * (1.0 / 120.0
                - r * (1.0 / 252.0
                    - r * (1.0 / 240.0 - r * (1.0 / 132.0 - r * (691.0 / 32760.0 - r / 12.0))))));
    shift + x.ln() - 0.5 / x - series
}

/// The trigamma function `ψ₁(x) = d²/dx² ln Γ(x)`, for `x > 0`.
pub fn trigamma(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    let (mut x, mut shift) = (x, 0.0);
    while x < ASYMPTOTIC_FROM {
        shift += 1.0 / (x * x);
        x += 1.0;
    }
    let r = 1.0 / (x * x);
    // 1/x + 1/(2x²) + Σ B₂ₖ / x²ᵏ⁺¹
    let series = r
        * (1.0 / 6.0
            - r * (1.0 / 30.0
                - r * (1.0 / 42.0
                    - r * (1.0 / 30.0 - r * (5.0 / 66.0 - r * (691.0 / 2730.0 - r * 7.0 / 6.0))))));
    shift + 1.0 / x + 0.5 * r + series / x
}

#[cfg(test)]
mod tests {
    use super::*;

    const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1.0)
    }

    #[test]
    fn digamma_matches_known_values() {
        assert!(close(digamma(1.0), -EULER_GAMMA, 1e-15));
        assert!(close(digamma(0.5), -EULER_GAMMA - 2.0 * 2f64.ln(), 1e-15));
        // ψ(n + 1) = H_n − γ.
        let h10: f64 = (1..=10).map(|k| 1.0 / k as f64).sum();
        assert!(close(digamma(11.0), h10 - EULER_GAMMA, 1e-15));
        assert!(close(
            digamma(-0.5),
            digamma(1.5) - PI / (-0.5 * PI).tan(),
            1e-14
        ));
        assert!(digamma(0.0).is_nan() && digamma(-2.0).is_nan());
    }

    #[test]
    fn trigamma_matches_known_values() {
        assert!(close(trigamma(1.0), PI * PI / 6.0, 1e-15));
        assert!(close(trigamma(0.5), PI * PI / 2.0, 1e-15));
        // ψ₁(n + 1) = π²/6 − Σ_{k ≤ n} 1/k².
        let s: f64 = (1..=20).map(|k| 1.0 / (k * k) as f64).sum();
        assert!(close(trigamma(21.0), PI * PI / 6.0 - s, 1e-14));
    }

    #[test]
    fn digamma_is_the_derivative_of_ln_gamma() {
        for x in [0.3, 1.7, 4.2, 9.9, 10.1, 57.0, 1e4] {
            let h = 1e-5 * x;
            let numeric = (ln_gamma(x + h) - ln_gamma(x - h)) / (2.0 * h);
            assert!(close(digamma(x), numeric, 1e-8), "x = {x}");
            let numeric2 = (digamma(x + h) - digamma(x - h)) / (2.0 * h);
            assert!(close(trigamma(x), numeric2, 1e-7), "x = {x}");
        }
    }

    #[test]
    #[allow(clippy::excessive_precision)] // digits as mpmath printed them
    fn x_plus_expm1_neg_is_accurate_on_both_sides_of_the_switch() {
        // Reference values from mpmath at 50 digits: x + expm1(-x).
        for (x, want) in [
            (1e-8, 4.999_999_983_333_333_4e-17),
            (-1e-3, 5.001_667_083_416_680_6e-7),
            (0.1, 4.837_418_035_959_573e-3),
            (0.499_99, 0.106_526_725_049_557_18),
            (0.5, 0.106_530_659_712_633_42),
            (-0.5, 0.148_721_270_700_128_15),
            (3.0, 2.049_787_068_367_863_9),
        ] {
            let got = x_plus_expm1_neg(x);
            assert!(((got - want) / want).abs() < 1e-15, "x = {x}: {got}");
        }
    }

    #[test]
    fn normal_cdf_is_symmetric_and_has_known_points() {
        assert_eq!(normal_cdf(0.0), 0.5);
        assert!(close(normal_cdf(1.959_963_984_540_054), 0.975, 1e-15));
        for x in [0.1, 1.0, 3.0, 8.0] {
            assert!(close(normal_cdf(x) + normal_cdf(-x), 1.0, 1e-15));
        }
        assert!(close(ln_beta(2.0, 3.0), (1.0f64 / 12.0).ln(), 1e-15));
    }
}
