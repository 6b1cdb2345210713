//! Sums in a fixed order.
//!
//! Floating-point addition is not associative, so a sum's bits depend on the
//! order of its terms. Every sum in likely goes through these functions: the
//! order is fixed by the data layout alone, never by threads, and the eight
//! independent accumulators let the compiler vectorise the loop.

/// How many interleaved accumulators [`lanes`] keeps: the width of the
/// blocks [`lanes_by_block`] hands out.
pub const LANES: usize = 8;

/// `Σ f(x)` over `xs`, accumulated in eight interleaved lanes that are then
/// combined pairwise. Deterministic for a given `xs` and `f`.
#[inline(always)]
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
    combine(&acc, rest)
}

/// `Σ f(x)` over `xs` in the order of [`lanes`], with `block` computing
/// `f` of [`LANES`] values at once (a form the compiler can vectorise) and
/// `f` the values left over at the end. The sum is that of
/// `lanes(xs, f)` bit for bit when `block(b)[i]` is `f(b[i])`.
#[inline(always)]
pub fn lanes_by_block(
    xs: &[f64],
    block: impl Fn(&[f64; LANES]) -> [f64; LANES],
    f: impl Fn(f64) -> f64,
) -> f64 {
    let mut acc = [0.0; LANES];
    let chunks = xs.chunks_exact(LANES);
    let tail = chunks.remainder();
    for chunk in chunks {
        // `chunks_exact` hands out slices of exactly LANES.
        let values = block(chunk.try_into().expect("a chunk of LANES"));
        for (a, v) in acc.iter_mut().zip(values) {
            *a += v;
        }
    }
    let mut rest = 0.0;
    for &x in tail {
        rest += f(x);
    }
    combine(&acc, rest)
}

/// The lanes of [`lanes`] combined pairwise, then the values left over.
#[inline(always)]
fn combine(acc: &[f64; LANES], rest: f64) -> f64 {
    let quads = [
        acc[0] + acc[4],
        acc[1] + acc[5],
        acc[2] + acc[6],
        acc[3] + acc[7],
    ];
    ((quads[0] + quads[2]) + (quads[1] + quads[3])) + rest
}

/// How many values [`lanes_each`] takes through all its sums at a time:
/// 16 KiB, which stays in the L1 cache while it does.
const BLOCK: usize = 256 * LANES;

/// `lanes(xs, |x| f(k, x))` for each `k` in `0..count`, with the same
/// bits, in one pass over `xs` a cache-sized block at a time (every sum
/// takes each block while it is in the cache) rather than a pass per sum.
#[inline(always)]
pub fn lanes_each(xs: &[f64], count: usize, f: impl Fn(usize, f64) -> f64) -> Vec<f64> {
    let mut acc = vec![[0.0; LANES]; count];
    let (body, tail) = xs.split_at(xs.len() - xs.len() % LANES);
    for block in body.chunks(BLOCK) {
        for (k, acc) in acc.iter_mut().enumerate() {
            // In registers while the block is summed.
            let mut lanes = *acc;
            for chunk in block.chunks_exact(LANES) {
                for (a, &x) in lanes.iter_mut().zip(chunk) {
                    *a += f(k, x);
                }
            }
            *acc = lanes;
        }
    }
    acc.iter()
        .enumerate()
        .map(|(k, acc)| {
            let mut rest = 0.0;
            for &x in tail {
                rest += f(k, x);
            }
            combine(acc, rest)
        })
        .collect()
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
///
/// Deviations so small that their squares underflow (data near 1e-300) or
/// so large that they overflow (near 1e300) are summed again scaled by a
/// power of two, which is exact, so every other result is unchanged.
pub fn mean_std(xs: &[f64], ddof: usize) -> (f64, f64) {
    let m = mean(xs);
    let divisor = xs.len().saturating_sub(ddof) as f64;
    let ss = lanes(xs, |x| (x - m) * (x - m));
    // Squares below 1e-290 may have lost digits to gradual underflow.
    if ss.is_finite() && ss > 1e-290 {
        return (m, (ss / divisor).sqrt());
    }
    let largest = xs.iter().fold(0.0f64, |a, x| a.max((x - m).abs()));
    if !(largest.is_finite() && largest > 0.0) {
        return (m, (ss / divisor).sqrt());
    }
    // 2^-e with e the binary exponent of the largest deviation (kept
    // within 2^±1000, so the scale itself is finite).
    let scale = 2f64.powi((-largest.log2().floor()).clamp(-1000.0, 1000.0) as i32);
    let scaled = lanes(xs, |x| {
        let d = (x - m) * scale;
        d * d
    });
    (m, (scaled / divisor).sqrt() / scale)
}

/// A running sum that carries the rounding error of each addition
/// (Neumaier's compensated summation): the result is as accurate as if it
/// were summed in twice the precision, whatever the number of terms.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Compensated {
    sum: f64,
    compensation: f64,
}

impl Compensated {
    /// Adds `x`.
    #[inline]
    pub fn add(&mut self, x: f64) {
        let t = self.sum + x;
        self.compensation += if self.sum.abs() >= x.abs() {
            (self.sum - t) + x
        } else {
            (x - t) + self.sum
        };
        self.sum = t;
    }

    /// The sum so far (infinite or NaN as soon as a term is).
    #[inline]
    pub fn value(&self) -> f64 {
        if self.sum.is_finite() {
            self.sum + self.compensation
        } else {
            self.sum
        }
    }
}

/// `Σ x` over `xs` in order, with [`Compensated`] summation.
pub fn accurate(xs: impl IntoIterator<Item = f64>) -> f64 {
    let mut acc = Compensated::default();
    for x in xs {
        acc.add(x);
    }
    acc.value()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_deviation_at_the_ends_of_the_floating_point_range() {
        // Each data set is 1, 2, 3 times a scale: std √(2/3) times it.
        for scale in [1e-300, 1e-160, 1.0, 1e150, 1e300] {
            let xs = [1.0 * scale, 2.0 * scale, 3.0 * scale];
            let (m, s) = mean_std(&xs, 0);
            assert!(
                ((m - 2.0 * scale) / (2.0 * scale)).abs() < 1e-15,
                "{scale}: {m}"
            );
            let expected = (2.0f64 / 3.0).sqrt() * scale;
            assert!(((s - expected) / expected).abs() < 1e-15, "{scale}: {s}");
        }
        assert_eq!(mean_std(&[5e-324, 5e-324], 0), (5e-324, 0.0));
        assert_eq!(mean_std(&[0.0, 0.0], 1), (0.0, 0.0));
    }

    #[test]
    fn lanes_agree_with_exact_integer_sums() {
        for n in [0usize, 1, 7, 8, 9, 63, 64, 1000] {
            let xs: Vec<f64> = (0..n).map(|i| i as f64).collect();
            let expected = (n * n.saturating_sub(1) / 2) as f64;
            assert_eq!(total(&xs), expected, "n = {n}");
        }
    }

    #[test]
    fn blocks_sum_in_the_order_of_lanes() {
        // Terms of very different sizes, so that any other order of
        // addition gives other bits.
        for n in [0usize, 5, 8, 13, 64, 1001] {
            let xs: Vec<f64> = (0..n)
                .map(|i| 1e-3 * (i as f64).powi(3) + 1.0 / (i as f64 + 0.7))
                .collect();
            let f = |x: f64| x.sqrt() - 1e12 * x.sin();
            let blocked = lanes_by_block(&xs, |b| b.map(f), f);
            assert_eq!(blocked.to_bits(), lanes(&xs, f).to_bits(), "n = {n}");
            // A block that is not f is seen: the blocks are used.
            let other = lanes_by_block(&xs, |b| b.map(|x| f(x) + 1.0), f);
            assert_eq!(other == blocked, n < LANES, "n = {n}");
        }
    }

    #[test]
    fn sums_taken_together_have_the_bits_of_sums_taken_alone() {
        // Past one block and not a multiple of the lanes, with terms of
        // very different sizes, so that any other order gives other bits.
        for n in [0usize, 3, 8, 2 * BLOCK + 13, 5 * BLOCK] {
            let xs: Vec<f64> = (0..n)
                .map(|i| 1e-3 * (i as f64).powi(3) + 1.0 / (i as f64 + 0.7))
                .collect();
            let f = |k: usize, x: f64| x.sqrt() * (k as f64 + 0.5) - 1e12 * (x + k as f64).sin();
            let together = lanes_each(&xs, 5, f);
            assert_eq!(together.len(), 5);
            for (k, sum) in together.iter().enumerate() {
                assert_eq!(
                    sum.to_bits(),
                    lanes(&xs, |x| f(k, x)).to_bits(),
                    "n = {n}, k = {k}"
                );
            }
        }
        assert!(lanes_each(&[1.0], 0, |_, x| x).is_empty());
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

    #[test]
    fn compensated_sum_keeps_what_naive_summation_loses() {
        // 1 + 1e-16 + ... + 1e-16 (10^4 times) is 1 + 1e-12; naive
        // summation never moves off 1.
        let xs = std::iter::once(1.0).chain(std::iter::repeat_n(1e-16, 10_000));
        assert!((accurate(xs) - (1.0 + 1e-12)).abs() < 1e-16);
        assert_eq!(accurate([1e100, 1.0, -1e100]), 1.0);
        assert_eq!(accurate([1.0, f64::INFINITY, 2.0]), f64::INFINITY);
        assert!(accurate([f64::INFINITY, f64::NEG_INFINITY]).is_nan());
    }
}
