//! Goodness of fit: the Kolmogorov–Smirnov distance of a sample from a
//! continuous distribution, Pearson's chi-square of counts against a
//! discrete one, and the sample summaries histograms need.

use crate::dist::{Dist, Univariate};
use crate::stats::cdf::{self, CdfError};

/// The Kolmogorov–Smirnov statistic `D = sup_x |F_n(x) − F(x)|` of a
/// sample, `sorted` ascending, against a continuous `F` given at each of
/// its points (`cdf[i] = F(sorted[i])`).
///
/// `F_n` jumps at each distinct value by the share of observations there,
/// so tied observations (data rounded to whole minutes, say) count as one
/// jump: the supremum is at a jump, just below it or at it.
pub fn ks_statistic(sorted: &[f64], cdf: &[f64]) -> f64 {
    let n = sorted.len() as f64;
    let mut d = 0.0f64;
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i + 1;
        while j < sorted.len() && sorted[j] == sorted[i] {
            j += 1;
        }
        let f = cdf[i];
        d = d.max(f - i as f64 / n).max(j as f64 / n - f);
        i = j;
    }
    d
}

/// Pearson's chi-square statistic of whole-number data against a discrete
/// fit, on cells pooled so that each expects at least
/// [`MIN_EXPECTED`] observations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChiSquare {
    /// `Σ (observed − expected)² / expected` over the cells.
    pub value: f64,
    /// The number of cells after pooling.
    pub cells: usize,
    /// Degrees of freedom, `cells − 1 − free parameters`; `None` when
    /// that is below 1 (too few cells for the parameters fitted).
    pub df: Option<usize>,
    /// `P(χ²_df ≥ value)`, when there are degrees of freedom.
    pub p_value: Option<f64>,
}

/// Cochran's rule: a cell is pooled with its neighbours until it expects
/// at least this many observations.
pub const MIN_EXPECTED: f64 = 5.0;

/// The most distinct whole numbers a chi-square is computed over.
const MAX_CELLS: f64 = 1e7;

/// Pearson's chi-square of `sorted` (ascending whole numbers) against the
/// discrete distribution `fit`, which has `free` estimated parameters.
///
/// Cells run over the whole numbers from the smallest observation to the
/// largest, the first also holding the fit's mass below and the last its
/// mass above, so that the expected counts sum to `n`; from the left, each
/// cell takes in its neighbours until it expects [`MIN_EXPECTED`]
/// observations, and what is left at the right end joins the last cell.
/// The p-value, from `χ²` with `cells − 1 − free` degrees of freedom, is
/// the usual approximation for parameters estimated from the ungrouped
/// data: the true distribution of the statistic then lies between those
/// with `cells − 1 − free` and `cells − 1` degrees of freedom (Chernoff
/// and Lehmann, 1954), so the p-value is a little small.
///
/// # Errors
/// Data spanning more than 10⁷ whole numbers, or a distribution function
/// that cannot be computed.
pub fn chi_square(sorted: &[f64], fit: &Dist, free: usize) -> Result<ChiSquare, CdfError> {
    let (Some(&first), Some(&last)) = (sorted.first(), sorted.last()) else {
        return Err(CdfError("no observations".into()));
    };
    if last - first > MAX_CELLS {
        return Err(CdfError(format!(
            "the data span {} whole numbers, too many cells for a chi-square",
            last - first + 1.0
        )));
    }
    let n = sorted.len() as f64;
    let below = cdf::cdf(fit, first - 1.0)?;
    let above = 1.0 - cdf::cdf(fit, last)?;
    let mut cells: Vec<(f64, f64)> = Vec::new();
    let (mut observed, mut expected) = (0.0, n * below);
    let mut at = 0;
    let mut k = first;
    while k <= last {
        let start = at;
        while at < sorted.len() && sorted[at] == k {
            at += 1;
        }
        observed += (at - start) as f64;
        expected += n * fit.ln_pdf(k).exp();
        if k == last {
            expected += n * above;
        }
        if expected >= MIN_EXPECTED {
            cells.push((observed, expected));
            (observed, expected) = (0.0, 0.0);
        }
        k += 1.0;
    }
    if observed > 0.0 || expected > 0.0 {
        match cells.last_mut() {
            Some(cell) => {
                cell.0 += observed;
                cell.1 += expected;
            }
            None => cells.push((observed, expected)),
        }
    }
    let value = cells
        .iter()
        .map(|&(o, e)| if e > 0.0 { (o - e) * (o - e) / e } else { 0.0 })
        .sum();
    let df = (cells.len() as i64 - 1 - free as i64)
        .try_into()
        .ok()
        .filter(|&d: &usize| d >= 1);
    let p_value = df.and_then(|d| cdf::regularized_gamma(0.5 * d as f64, 0.5 * value).map(|g| g.1));
    Ok(ChiSquare {
        value,
        cells: cells.len(),
        df,
        p_value,
    })
}

/// The `p` quantile of `sorted` (ascending, not empty), interpolating
/// between order statistics (Hyndman and Fan's type 7, the default of R
/// and NumPy).
pub fn sample_quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let (lo, frac) = (h.floor() as usize, h - h.floor());
    match sorted.get(lo + 1) {
        Some(next) => sorted[lo] + frac * (next - sorted[lo]),
        None => sorted[lo],
    }
}

/// The number of histogram bins for `sorted` (ascending, not empty), kept
/// within `[min, max]`: the larger of the Freedman–Diaconis count (bins
/// `2 IQR / n^{1/3}` wide) and Sturges' `⌈log₂ n + 1⌉`, as NumPy's `auto`
/// rule. Freedman–Diaconis alone is too coarse for small or many-moded
/// samples (five bins for Old Faithful's 272 eruptions, which hide the gap
/// between the modes); Sturges alone too coarse for large ones. Sturges
/// alone where the interquartile range is 0 (more than half the data on
/// one value).
pub fn histogram_bins(sorted: &[f64], min: usize, max: usize) -> usize {
    let n = sorted.len() as f64;
    let range = sorted[sorted.len() - 1] - sorted[0];
    let iqr = sample_quantile(sorted, 0.75) - sample_quantile(sorted, 0.25);
    let sturges = (n.log2() + 1.0).ceil();
    let bins = if iqr > 0.0 && range > 0.0 {
        (range / (2.0 * iqr / n.cbrt())).ceil().max(sturges)
    } else {
        sturges
    };
    if bins.is_finite() {
        (bins as usize).clamp(min, max)
    } else {
        max
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::text::parse_uni;
    use crate::numeric::special::erf;

    /// D by its definition, `max_i max(i/n − F(x_(i)), F(x_(i)) − (i−1)/n)`,
    /// for a sample without ties, with the normal CDF written through erf.
    #[test]
    fn the_ks_statistic_matches_its_definition_on_a_small_sample() {
        let xs = [-1.3, -0.2, 0.05, 0.4, 0.9, 1.7, 2.6];
        let (mean, std) = (0.3, 1.1);
        let f: Vec<f64> = xs
            .iter()
            .map(|x| 0.5 * (1.0 + erf((x - mean) / (std * 2f64.sqrt()))))
            .collect();
        let n = xs.len() as f64;
        let mut want = 0.0f64;
        for (i, fi) in f.iter().enumerate() {
            want = want.max((i as f64 + 1.0) / n - fi).max(fi - i as f64 / n);
        }
        assert!((ks_statistic(&xs, &f) - want).abs() < 1e-15);
        // scipy.stats.kstest(xs, 'norm', args=(0.3, 1.1)).statistic
        assert!((want - 0.184_156_867_542_719_98).abs() < 1e-12, "{want}");
    }

    #[test]
    fn tied_observations_are_one_jump() {
        // Three observations at 0 against U(−1, 1), F(0) = 1/2: F_n jumps
        // from 0 to 3/4 there, so D = 1/2 (just below) rather than the
        // 1/4 or 1/2 − 1/4 that treating them one by one would give.
        let xs = [0.0, 0.0, 0.0, 0.5];
        let f = [0.5, 0.5, 0.5, 0.75];
        assert_eq!(ks_statistic(&xs, &f), 0.5);
    }

    #[test]
    fn chi_square_pools_cells_to_five_expected_and_counts_degrees_of_freedom() {
        // 40 counts against Poisson(2): the masses by hand, pooled from the
        // left to 5 expected, the tail above 4 in the last cell.
        let counts = [(0.0, 5), (1.0, 11), (2.0, 12), (3.0, 7), (4.0, 3), (6.0, 2)];
        let sorted: Vec<f64> = counts
            .iter()
            .flat_map(|&(k, c)| std::iter::repeat_n(k, c))
            .collect();
        let fit = parse_uni("poisson(rate=2)").unwrap();
        let r = chi_square(&sorted, &fit, 1).unwrap();
        let pmf = |k: i32| (-2f64).exp() * 2f64.powi(k) / (1..=k).product::<i32>().max(1) as f64;
        let e: Vec<f64> = (0..=3).map(|k| 40.0 * pmf(k)).collect();
        // 40·p(0) = 5.41, 40·p(1) = 10.8, 40·p(2) = 10.8, 40·p(3) = 7.22,
        // and the rest, 40·P(X ≥ 4) = 5.71, with 5 observed.
        let rest = 40.0 - e.iter().sum::<f64>();
        let cells = [
            (5.0, e[0]),
            (11.0, e[1]),
            (12.0, e[2]),
            (7.0, e[3]),
            (5.0, rest),
        ];
        let want: f64 = cells.iter().map(|(o, e)| (o - e) * (o - e) / e).sum();
        assert_eq!(r.cells, 5);
        assert!((r.value - want).abs() < 1e-12, "{} vs {want}", r.value);
        assert_eq!(r.df, Some(3));
        // scipy.stats.chi2.sf(want, 3)
        let p = r.p_value.unwrap();
        assert!((p - CHI2_SF).abs() < 1e-12 * CHI2_SF, "{p}");
        // With as many parameters as cells less one, no degrees are left.
        assert_eq!(chi_square(&sorted, &fit, 4).unwrap().df, None);
    }
    const CHI2_SF: f64 = 0.967_811_069_934_685_2;

    #[test]
    fn quantiles_and_bins_follow_the_textbook_rules() {
        let xs: Vec<f64> = (1..=8).map(f64::from).collect();
        // NumPy: np.quantile(range(1, 9), [0.25, 0.75]) = [2.75, 6.25].
        assert_eq!(sample_quantile(&xs, 0.25), 2.75);
        assert_eq!(sample_quantile(&xs, 0.75), 6.25);
        // NumPy's np.histogram_bin_edges(x, "auto") has 4, 11 and 47 bins
        // for these three: Sturges, ⌈log₂ 8 + 1⌉ = 4, over Freedman–
        // Diaconis' 2 (width 2·3.5/2 = 3.5 over a range of 7); Sturges' 11
        // over 10 (width 2·0.5/10 over a range of 1); Freedman–Diaconis' 47
        // over Sturges' 18.
        assert_eq!(histogram_bins(&xs, 3, 60), 4);
        let ys: Vec<f64> = (0..1000).map(|i| f64::from(i) / 999.0).collect();
        assert_eq!(histogram_bins(&ys, 3, 60), 11);
        assert_eq!(histogram_bins(&ys, 3, 6), 6);
        let zs: Vec<f64> = (0..100_000).map(|i| f64::from(i) / 99_999.0).collect();
        assert_eq!(histogram_bins(&zs, 3, 60), 47);
        // More than half on one value: Sturges alone, ⌈log₂ 5 + 1⌉ = 4.
        assert_eq!(histogram_bins(&[1.0, 1.0, 1.0, 1.0, 2.0], 1, 60), 4);
    }
}
