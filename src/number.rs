//! Numbers as a person writes them: fixed notation for moderate
//! magnitudes, scientific notation only for very small or very large ones
//! (`0.443`, `2.10`, `1.42 × 10⁻¹⁴`), never `2.101e0` or `1.6 × 10⁰`.

/// Magnitudes from here up to [`FIXED_BELOW`] are written in fixed notation.
pub const FIXED_FROM: f64 = 1e-3;

/// Magnitudes from here on are written in scientific notation.
pub const FIXED_BELOW: f64 = 1e5;

/// How the power of ten of scientific notation is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Power {
    /// `1.42 × 10⁻¹⁴`: plain text, for tables and prose.
    Unicode,
    /// `1.42 \times 10^{-14}`: for LaTeX math.
    Latex,
}

/// `x` with `significant` significant digits (at least 1), in fixed
/// notation when `FIXED_FROM ≤ |x| < FIXED_BELOW`, `0` for zero, and in
/// scientific notation otherwise. Infinities are `∞` and `−∞` (`\infty` in
/// LaTeX), NaN is `NaN`.
pub fn readable(x: f64, significant: usize, power: Power) -> String {
    let significant = significant.max(1);
    if !x.is_finite() {
        return match (x.is_nan(), x > 0.0, power) {
            (true, _, _) => "NaN".into(),
            (false, true, Power::Unicode) => "∞".into(),
            (false, false, Power::Unicode) => "−∞".into(),
            (false, true, Power::Latex) => "\\infty".into(),
            (false, false, Power::Latex) => "-\\infty".into(),
        };
    }
    if x == 0.0 {
        return "0".into();
    }
    // The rounded mantissa decides the magnitude: 9.9996e-4 rounds to
    // 1.000e-3, which is moderate.
    let sci = format!("{x:.*e}", significant - 1);
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let rounded: f64 = sci.parse().unwrap_or(x);
    if (FIXED_FROM..FIXED_BELOW).contains(&rounded.abs()) {
        let decimals = (significant as i32 - 1 - exponent).max(0) as usize;
        return format!("{x:.decimals$}");
    }
    match power {
        Power::Unicode => format!("{mantissa} × 10{}", superscript(exponent)),
        Power::Latex => format!("{mantissa} \\times 10^{{{exponent}}}"),
    }
}

fn superscript(n: i32) -> String {
    n.to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            _ => '⁹',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(x: f64, sig: usize) -> String {
        readable(x, sig, Power::Unicode)
    }

    #[test]
    fn moderate_numbers_are_fixed_with_the_significant_digits_asked() {
        assert_eq!(plain(2.101, 4), "2.101");
        assert_eq!(plain(2.101, 3), "2.10");
        assert_eq!(plain(0.443_147, 3), "0.443");
        assert_eq!(plain(-0.001_234_5, 2), "-0.0012");
        assert_eq!(plain(12_345.6, 3), "12346");
        assert_eq!(plain(1.0, 3), "1.00");
        assert_eq!(plain(0.0, 3), "0");
        assert_eq!(plain(-0.0, 3), "0");
    }

    #[test]
    fn very_small_and_large_numbers_are_scientific() {
        assert_eq!(plain(1.421e-14, 3), "1.42 × 10⁻¹⁴");
        assert_eq!(plain(-3.0e-4, 2), "-3.0 × 10⁻⁴");
        assert_eq!(plain(2.5e7, 2), "2.5 × 10⁷");
        assert_eq!(
            readable(1.421e-14, 3, Power::Latex),
            "1.42 \\times 10^{-14}"
        );
    }

    #[test]
    fn the_rounded_value_decides_the_notation_and_the_exponent_is_never_zero() {
        assert_eq!(plain(9.9996e-4, 3), "0.00100");
        assert_eq!(plain(99_999.7, 3), "1.00 × 10⁵");
        for x in [0.5, 1.6, 9.99, 10.0, 123.0] {
            assert!(!plain(x, 2).contains('×'), "{x}: {}", plain(x, 2));
        }
    }

    #[test]
    fn infinities_and_nan_are_named() {
        assert_eq!(plain(f64::INFINITY, 3), "∞");
        assert_eq!(plain(f64::NEG_INFINITY, 3), "−∞");
        assert_eq!(plain(f64::NAN, 3), "NaN");
        assert_eq!(readable(f64::INFINITY, 3, Power::Latex), "\\infty");
    }

    proptest::proptest! {
        #[test]
        fn the_written_number_reads_back_within_its_precision(x in -1e30f64..1e30, sig in 1usize..8) {
            let text = plain(x, sig).replace('−', "-");
            let back: f64 = match text.split_once(" × 10") {
                Some((m, p)) => {
                    let p: String = p.chars().map(|c| match c {
                        '⁻' => '-', '⁰' => '0', '¹' => '1', '²' => '2', '³' => '3',
                        '⁴' => '4', '⁵' => '5', '⁶' => '6', '⁷' => '7', '⁸' => '8', _ => '9',
                    }).collect();
                    m.parse::<f64>().unwrap() * 10f64.powi(p.parse().unwrap())
                }
                None => text.parse().unwrap(),
            };
            proptest::prop_assert!((back - x).abs() <= 0.5001 * 10f64.powi(x.abs().log10().floor() as i32 + 1 - sig as i32) + 1e-300, "{x} as {text}");
        }
    }
}
