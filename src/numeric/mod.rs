//! Plain numerics, the bottom layer: special functions, quadrature,
//! fixed-order and compensated sums, linear algebra and least squares,
//! and a vectorisable `exp` and `ln_1p` for hot loops.
//! Nothing here knows about distributions; everything above builds on it.

pub mod fast;
pub mod linalg;
pub mod quad;
pub mod special;
pub mod sum;
pub mod wide;

/// Least-squares slope of `ys` against `xs`.
pub fn ols_slope(xs: &[f64], ys: &[f64]) -> f64 {
    let mx = sum::mean(xs);
    let my = sum::mean(ys);
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (x, y) in xs.iter().zip(ys) {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
    }
    sxy / sxx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_of_an_exact_line_is_recovered() {
        let xs = [1.0, 2.0, 4.0, 8.0];
        let ys: Vec<f64> = xs.iter().map(|x| 3.0 - 0.5 * x).collect();
        assert!((ols_slope(&xs, &ys) + 0.5).abs() < 1e-15);
    }
}
