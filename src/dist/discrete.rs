//! What the discrete families share: which numbers are whole, the checks
//! their fits make on the data, and the deviance term `x ln(x/m) + m − x`
//! that their densities and divergences are built from.

use super::FitError;

/// Whether `x` is a whole number (finite, no fractional part).
#[inline]
pub(crate) fn is_whole(x: f64) -> bool {
    x.is_finite() && x.fract() == 0.0
}

/// Refuses data that are empty or hold a value that is not a whole number in
/// `[min, max]`; `what` describes the values allowed, e.g. "a whole number
/// >= 0".
///
/// # Errors
/// [`FitError::Degenerate`] naming the first offending observation.
pub(crate) fn check_whole(
    family: &'static str,
    xs: &[f64],
    min: f64,
    max: f64,
    what: &str,
) -> Result<(), FitError> {
    if xs.is_empty() {
        return Err(FitError::degenerate(family, "there are no observations"));
    }
    match xs
        .iter()
        .enumerate()
        .find(|&(_, &x)| !(is_whole(x) && min <= x && x <= max))
    {
        Some((i, x)) => Err(FitError::degenerate(
            family,
            format!("observation {} is {x}, not {what}", i + 1),
        )),
        None => Ok(()),
    }
}

/// `x ln x`, with `0 ln 0 = 0`.
#[inline]
pub(crate) fn x_ln_x(x: f64) -> f64 {
    if x == 0.0 { 0.0 } else { x * x.ln() }
}

/// `x ln(x/m) + m − x` for `x, m ≥ 0`: the Poisson deviance term, `≥ 0`,
/// computed without the cancellation of the naive form when `x ≈ m`
/// (Loader, "Fast and accurate computation of binomial probabilities",
/// 2000, the `bd0` of R's `dpois`). `0 ln 0 = 0`, so `bd0(0, m) = m`, and
/// `bd0(x, 0) = +inf` for `x > 0`.
pub(crate) fn bd0(x: f64, m: f64) -> f64 {
    bd0_diff(x, m, x - m)
}

/// [`bd0`] with `d = x − m` given by the caller, who may know it more
/// exactly than the rounded `x` and `m` tell.
pub(crate) fn bd0_diff(x: f64, m: f64, d: f64) -> f64 {
    if x == 0.0 {
        return m;
    }
    if m == 0.0 {
        return f64::INFINITY;
    }
    if d.abs() < 0.1 * (x + m) {
        // With v = (x − m)/(x + m), ln(x/m) = 2 atanh(v), so the term is
        // d·v + 2x (v³/3 + v⁵/5 + ...); |v| < 0.1 makes each step gain
        // two digits.
        let v = d / (x + m);
        let v2 = v * v;
        let mut sum = d * v;
        let mut power = 2.0 * x * v;
        for j in 1..100 {
            power *= v2;
            let next = sum + power / f64::from(2 * j + 1);
            if next == sum {
                break;
            }
            sum = next;
        }
        return sum;
    }
    let ratio = x / m;
    let ln_ratio = if ratio.is_normal() && ratio.is_finite() {
        ratio.ln()
    } else {
        // x/m overflowed or underflowed; the logarithms of each do not.
        x.ln() - m.ln()
    };
    x * ln_ratio - d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deviance_term_matches_the_naive_form_away_from_x_equals_m() {
        for (x, m) in [(3.0f64, 1.0f64), (1.0, 3.0), (1e-3, 2.0), (50.0, 20.0)] {
            let naive: f64 = x * (x / m).ln() + m - x;
            assert!((bd0(x, m) - naive).abs() < 1e-14 * naive, "{x}, {m}");
        }
        assert_eq!(bd0(0.0, 2.5), 2.5);
        assert_eq!(bd0(1.0, 0.0), f64::INFINITY);
        assert_eq!(bd0(4.0, 4.0), 0.0);
        // x/m overflows; the value is x ln(x/m) + m − x all the same.
        let expected = 1e10 * (1e10f64.ln() - 1e-300f64.ln()) - 1e10;
        assert!((bd0(1e10, 1e-300) - expected).abs() < 1e-14 * expected);
    }

    #[test]
    fn deviance_term_is_accurate_where_x_is_close_to_m() {
        // x ln(x/m) + m − x = m φ(t), t = x/m − 1, with the Taylor series
        // φ(t) = Σ_{k≥2} (−t)^k / (k(k−1)), which converges fast for tiny t.
        for (m, t) in [(1.0f64, 1e-3f64), (7.5, -2e-2), (1e6, 1e-7), (0.3, 0.05)] {
            let x = m * (1.0 + t);
            // x − m is exact; the rounding of x must not leak into t.
            let t = (x - m) / m;
            let series: f64 = (2..40).map(|k| (-t).powi(k) / f64::from(k * (k - 1))).sum();
            let expected = m * series;
            assert!(
                (bd0(x, m) - expected).abs() < 1e-14 * expected,
                "{x}, {m}: {} vs {expected}",
                bd0(x, m)
            );
        }
    }

    #[test]
    fn whole_number_checks_name_the_offending_observation() {
        assert!(check_whole("poisson", &[0.0, 3.0], 0.0, f64::INFINITY, "").is_ok());
        for (xs, why) in [
            (vec![], "no observations"),
            (
                vec![1.0, 2.5],
                "observation 2 is 2.5, not a whole number >= 0",
            ),
            (vec![-1.0], "observation 1 is -1, not a whole number >= 0"),
            (vec![f64::INFINITY], "observation 1 is inf"),
            (vec![f64::NAN], "observation 1 is NaN"),
        ] {
            let e = check_whole("poisson", &xs, 0.0, f64::INFINITY, "a whole number >= 0")
                .unwrap_err()
                .to_string();
            assert!(e.contains(why), "{e}");
        }
        assert_eq!(x_ln_x(0.0), 0.0);
    }
}
