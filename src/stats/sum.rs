//! Sums in a fixed order.
//!
//! Floating-point addition is not associative, so a sum's bits depend on the
//! order of its terms. Every sum in likely goes through these functions: the
//! order is fixed by the data layout alone, never by threads, and the eight
//! independent accumulators let the compiler vectorise the loop.

const LANES: usize = 8;

/// `Σ f(x)` over `xs`, accumulated in eight interleaved lanes that are then
/// combined pairwise. Deterministic for a given `xs` and `f`.
#[inline]
pub fn lanes(xs: &[f64], f: impl Fn(f64) -> f64) -> f64 {
    let mut acc = [0.0; LANES];
    let chunks = xs.chunks_exact(LANES);
    let tail = chunks.remainder();
    for chunk in chunks {
        for (a, &x) in acc.iter_mut().zip(chunk) {
            *a += f(x);
        }
    }
    let mut rest = 0.0;
    for &x in tail {
        rest += f(x);
    }
    let quads = [
        acc[0] + acc[4],
        acc[1] + acc[5],
        acc[2] + acc[6],
        acc[3] + acc[7],
    ];
    ((quads[0] + quads[2]) + (quads[1] + quads[3])) + rest
}

/// `Σ x` over `xs`, in the order of [`lanes`].
#[inline]
pub fn total(xs: &[f64]) -> f64 {
    lanes(xs, |x| x)
}

/// The arithmetic mean, `NaN` for an empty slice.
pub fn mean(xs: &[f64]) -> f64 {
    total(xs) / xs.len() as f64
}

/// Mean and standard deviation with divisor `n - ddof`.
pub fn mean_std(xs: &[f64], ddof: usize) -> (f64, f64) {
    let m = mean(xs);
    let ss = lanes(xs, |x| (x - m) * (x - m));
    (m, (ss / (xs.len().saturating_sub(ddof)) as f64).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_agree_with_exact_integer_sums() {
        for n in [0usize, 1, 7, 8, 9, 63, 64, 1000] {
            let xs: Vec<f64> = (0..n).map(|i| i as f64).collect();
            let expected = (n * n.saturating_sub(1) / 2) as f64;
            assert_eq!(total(&xs), expected, "n = {n}");
        }
    }

    #[test]
    fn mean_std_matches_the_textbook_formula() {
        let xs = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let (m, s) = mean_std(&xs, 0);
        assert_eq!(m, 5.0);
        assert_eq!(s, 2.0);
        let (_, s1) = mean_std(&xs, 1);
        assert!((s1 - (32.0f64 / 7.0).sqrt()).abs() < 1e-15);
    }
}
