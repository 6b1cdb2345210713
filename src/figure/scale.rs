//! Axis scales: from data values to a shown range, ticks and tick labels.
//!
//! Everything is computed in *scale space*: the value itself on a linear
//! axis, its base-10 logarithm on a log axis. Drawing then only ever maps
//! scale space linearly onto pixels, which keeps clipping and heatmap cells
//! simple.

use super::style::text_width;
use crate::chart::{Axis, Scale};

/// An axis' shown range in scale space.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct AxisMap {
    /// Linear or log.
    pub scale: Scale,
    /// Lower end, in scale space.
    pub lo: f64,
    /// Upper end, in scale space; always greater than `lo`.
    pub hi: f64,
}

/// Tick positions (scale space) and their labels.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Ticks {
    /// Labelled ticks.
    pub major: Vec<(f64, String)>,
    /// Unlabelled short ticks (2…9 × 10ᵏ on log axes).
    pub minor: Vec<f64>,
}

impl Ticks {
    /// The estimated width of the widest label at font size `size`.
    pub(super) fn widest_label(&self, size: f64) -> f64 {
        self.major
            .iter()
            .map(|(_, label)| text_width(label, size))
            .fold(0.0, f64::max)
    }
}

/// A value in scale space, or `None` when it cannot be shown on this scale
/// (non-finite, or not positive on a log axis).
pub(super) fn to_scale(scale: Scale, v: f64) -> Option<f64> {
    match scale {
        Scale::Linear if v.is_finite() => Some(v),
        Scale::Log if v.is_finite() && v > 0.0 => Some(v.log10()),
        _ => None,
    }
}

impl AxisMap {
    /// Where scale-space `s` falls, 0 at `lo` and 1 at `hi`.
    pub(super) fn frac(&self, s: f64) -> f64 {
        (s - self.lo) / (self.hi - self.lo)
    }

    /// Whether scale-space `s` is inside the shown range (with a hair of
    /// tolerance so that values on the edge count as inside).
    pub(super) fn contains(&self, s: f64) -> bool {
        let eps = (self.hi - self.lo) * 1e-9;
        s >= self.lo - eps && s <= self.hi + eps
    }

    /// The shown range of `axis`: its own range if given, else the extent of
    /// `data` (scale space) padded by `pad` of the span on each side.
    pub(super) fn resolve(axis: &Axis, data: Option<[f64; 2]>, pad: f64) -> Result<Self, String> {
        let scale = axis.scale;
        let (lo, hi) = match axis.range {
            Some(range) => given_range(scale, range)?,
            None => fitted_range(scale, data, pad)?,
        };
        Ok(Self { scale, lo, hi })
    }

    /// Ticks for an axis `length_px` long, at most one per `spacing_px`.
    pub(super) fn ticks(&self, length_px: f64, spacing_px: f64) -> Ticks {
        let max_n = ((length_px / spacing_px).floor() as usize).clamp(2, 12);
        match self.scale {
            Scale::Linear => linear_ticks(self.lo, self.hi, max_n),
            Scale::Log => log_ticks(self.lo, self.hi, max_n),
        }
    }
}

/// The extent `[min, max]` in scale space of the values that `scale` can
/// show, or `None` if there are none.
pub(super) fn extent(scale: Scale, values: impl IntoIterator<Item = f64>) -> Option<[f64; 2]> {
    values
        .into_iter()
        .filter_map(|v| to_scale(scale, v))
        .fold(None, |acc, s| match acc {
            None => Some([s, s]),
            Some([lo, hi]) => Some([lo.min(s), hi.max(s)]),
        })
}

/// Merges two optional extents.
pub(super) fn union(a: Option<[f64; 2]>, b: Option<[f64; 2]>) -> Option<[f64; 2]> {
    match (a, b) {
        (Some([a0, a1]), Some([b0, b1])) => Some([a0.min(b0), a1.max(b1)]),
        (a, None) => a,
        (None, b) => b,
    }
}

fn given_range(scale: Scale, [a, b]: [f64; 2]) -> Result<(f64, f64), String> {
    if !(a.is_finite() && b.is_finite() && a < b) {
        return Err(format!(
            "range [{a}, {b}] must be finite with the lower end first"
        ));
    }
    match (to_scale(scale, a), to_scale(scale, b)) {
        (Some(lo), Some(hi)) if lo < hi => Ok((lo, hi)),
        _ => Err(format!("range [{a}, {b}] must be positive on a log axis")),
    }
}

fn fitted_range(scale: Scale, data: Option<[f64; 2]>, pad: f64) -> Result<(f64, f64), String> {
    let [lo, hi] = match data {
        // Nothing drawable: an empty but well-formed panel.
        None => return Ok((0.0, 1.0)),
        Some(e) => e,
    };
    let shown = |v: f64| match scale {
        Scale::Linear => v,
        Scale::Log => 10f64.powf(v),
    };
    let (data_lo, data_hi) = (shown(lo), shown(hi));
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        // A single value: centre it in a window of sensible width.
        let half = match scale {
            Scale::Log => 0.5,
            Scale::Linear if lo == 0.0 => 1.0,
            Scale::Linear => lo.abs() * 0.1,
        };
        (lo - half, hi + half)
    };
    let span = hi - lo;
    let (lo, hi) = (lo - pad * span, hi + pad * span);
    if span.is_finite() && lo.is_finite() && hi.is_finite() && hi > lo {
        Ok((lo, hi))
    } else {
        Err(format!(
            "cannot fit a range to data from {data_lo:e} to {data_hi:e}; give the axis a range"
        ))
    }
}

/// A "nice" step (1, 2, 2.5 or 5 × 10ᵏ) giving at most `max_n` intervals.
fn nice_step(span: f64, max_n: usize) -> f64 {
    let raw = span / max_n as f64;
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|&step| step >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * mag)
}

/// The multiples of `step` inside `[lo, hi]`.
fn multiples(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    let eps = 1e-9;
    let first = (lo / step - eps).ceil();
    let last = (hi / step + eps).floor();
    let count = last - first + 1.0;
    if !(count.is_finite() && (0.0..=1000.0).contains(&count)) {
        return Vec::new();
    }
    (0..count as usize)
        .map(|i| {
            let v = (first + i as f64) * step;
            // Avoid labels like "-0" or "1e-17" where zero is meant.
            if v.abs() < step * 1e-9 { 0.0 } else { v }
        })
        .collect()
}

fn linear_ticks(lo: f64, hi: f64, max_n: usize) -> Ticks {
    let step = nice_step(hi - lo, max_n);
    let values = multiples(lo, hi, step);
    let labels = linear_labels(&values, step);
    Ticks {
        major: values.into_iter().zip(labels).collect(),
        minor: Vec::new(),
    }
}

/// Labels with just enough decimals for `step`, in scientific form when
/// the numbers are very large or very small.
fn linear_labels(values: &[f64], step: f64) -> Vec<String> {
    let biggest = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if biggest >= 1e5 || (biggest > 0.0 && biggest < 1e-3) {
        let exp = biggest.log10().floor();
        let scale = 10f64.powf(exp);
        let decimals = decimals_for(step / scale);
        return values
            .iter()
            .map(|&v| match v {
                0.0 => "0".to_string(),
                _ => format!(
                    "{}×10{}",
                    minus(&format!("{:.*}", decimals, v / scale)),
                    superscript(exp as i64)
                ),
            })
            .collect();
    }
    let decimals = decimals_for(step);
    values
        .iter()
        .map(|&v| minus(&format!("{:.*}", decimals, v)))
        .collect()
}

/// Decimals needed to tell multiples of `step` apart.
fn decimals_for(step: f64) -> usize {
    let exp = step.log10().floor();
    let mantissa = step / 10f64.powf(exp);
    // 0.25 and 2.5 need a digit more than 0.2 and 2; 25 and 250 do not.
    let extra = usize::from((mantissa - 2.5).abs() < 1e-6 && exp < 1.0);
    // f64 carries at most 17 significant digits; more decimals only
    // lengthen labels (and NaN from a degenerate step casts to 0).
    (-exp).clamp(0.0, 17.0) as usize + extra
}

fn log_ticks(lo: f64, hi: f64, max_n: usize) -> Ticks {
    let first = (lo - 1e-9).ceil() as i64;
    let last = (hi + 1e-9).floor() as i64;
    let decades = last - first + 1;
    if decades >= 3 {
        return decade_ticks(first, last, max_n);
    }
    // Fewer than three decades: label 2× and 5× too, or every mantissa,
    // so the axis shows at least three numbers.
    const ALL: [f64; 9] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];
    for mantissas in [&[1.0, 2.0, 5.0][..], &ALL] {
        let values = mantissa_values(lo, hi, mantissas);
        if values.len() >= 3 && values.len() <= max_n + 1 {
            let minor = mantissa_values(lo, hi, &ALL)
                .into_iter()
                .map(|(s, _)| s)
                .filter(|s| !values.iter().any(|(m, _)| (m - s).abs() < 1e-9))
                .collect();
            let major = values.into_iter().map(|(s, v)| (s, log_label(v))).collect();
            return Ticks { major, minor };
        }
    }
    if decades == 2 {
        return decade_ticks(first, last, max_n);
    }
    // Less than a factor of ~3 shown: the scale is nearly linear anyway.
    let linear = linear_ticks(10f64.powf(lo), 10f64.powf(hi), max_n);
    Ticks {
        major: linear
            .major
            .into_iter()
            .filter(|(v, _)| *v > 0.0)
            .map(|(v, l)| (v.log10(), l))
            .collect(),
        minor: Vec::new(),
    }
}

/// Every `stride`-th decade labelled; minor ticks at 2…9 × 10ᵏ when every
/// decade is labelled, else at the skipped decades.
fn decade_ticks(first: i64, last: i64, max_n: usize) -> Ticks {
    let decades = last - first + 1;
    let stride = [1, 2, 3, 4, 5, 10, 20, 50, 100]
        .into_iter()
        .find(|&k| (decades + k - 1) / k <= max_n as i64)
        .unwrap_or(decades.max(1));
    let start = first + (stride - first.rem_euclid(stride)) % stride;
    let exps: Vec<i64> = (start..=last).step_by(stride as usize).collect();
    let plain = exps.iter().all(|&k| (-3..=4).contains(&k));
    let major = exps
        .iter()
        .map(|&k| {
            let label = if plain {
                plain_decade(k)
            } else {
                format!("10{}", superscript(k))
            };
            (k as f64, label)
        })
        .collect();
    let minor = if stride == 1 {
        (first - 1..=last)
            .flat_map(|k| (2..10).map(move |m| k as f64 + (m as f64).log10()))
            .collect()
    } else {
        (first..=last)
            .filter(|k| !exps.contains(k))
            .map(|k| k as f64)
            .collect()
    };
    Ticks { major, minor }
}

fn plain_decade(k: i64) -> String {
    format!("{:.*}", (-k).max(0) as usize, 10f64.powi(k as i32))
}

/// `(scale-space position, value)` of `m × 10ᵏ` inside `[lo, hi]`.
fn mantissa_values(lo: f64, hi: f64, mantissas: &[f64]) -> Vec<(f64, f64)> {
    let (k0, k1) = (lo.floor() as i64, hi.ceil() as i64);
    (k0..=k1)
        .flat_map(|k| mantissas.iter().map(move |&m| m * 10f64.powi(k as i32)))
        .map(|v| (v.log10(), v))
        .filter(|&(s, _)| s >= lo - 1e-9 && s <= hi + 1e-9)
        .collect()
}

/// A label for a tick at `v = m × 10ᵏ`: plain for everyday magnitudes,
/// `m×10ᵏ` otherwise.
fn log_label(v: f64) -> String {
    let k = v.log10().floor();
    let m = (v / 10f64.powf(k)).round();
    if (-3.0..=4.0).contains(&k) {
        format!("{:.*}", (-k).max(0.0) as usize, v)
    } else if m == 1.0 {
        format!("10{}", superscript(k as i64))
    } else {
        format!("{m}×10{}", superscript(k as i64))
    }
}

/// `k` in Unicode superscript digits, e.g. `⁻³`.
pub(super) fn superscript(k: i64) -> String {
    k.to_string()
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
            '9' => '⁹',
            other => other,
        })
        .collect()
}

/// A typographic minus sign instead of a hyphen.
fn minus(s: &str) -> String {
    s.replace('-', "−")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(t: &Ticks) -> Vec<&str> {
        t.major.iter().map(|(_, l)| l.as_str()).collect()
    }

    fn map(scale: Scale, lo: f64, hi: f64) -> AxisMap {
        AxisMap { scale, lo, hi }
    }

    #[test]
    fn steps_of_two_and_a_half_get_a_decimal_only_below_ten() {
        let t = linear_ticks(0.0, 100.0, 4);
        assert_eq!(labels(&t), ["0", "25", "50", "75", "100"]);
        let t = linear_ticks(0.0, 10.0, 4);
        assert_eq!(labels(&t), ["0.0", "2.5", "5.0", "7.5", "10.0"]);
        let t = linear_ticks(0.0, 1.0, 4);
        assert_eq!(labels(&t), ["0.00", "0.25", "0.50", "0.75", "1.00"]);
    }

    #[test]
    fn linear_ticks_are_round_numbers() {
        let t = map(Scale::Linear, -0.13, 1.07).ticks(400.0, 70.0);
        assert_eq!(labels(&t), ["0.00", "0.25", "0.50", "0.75", "1.00"]);
    }

    #[test]
    fn negative_linear_ticks_use_a_real_minus_sign() {
        let t = map(Scale::Linear, -2.2, 2.2).ticks(400.0, 70.0);
        assert_eq!(labels(&t), ["−2", "−1", "0", "1", "2"]);
    }

    #[test]
    fn huge_linear_values_use_powers_of_ten() {
        let t = map(Scale::Linear, 0.0, 3e6).ticks(300.0, 70.0);
        assert_eq!(labels(&t)[1], "1×10⁶");
    }

    #[test]
    fn log_ticks_label_decades_plainly_when_everyday() {
        let t = map(Scale::Log, 0.9, 4.1).ticks(400.0, 60.0);
        assert_eq!(labels(&t), ["10", "100", "1000", "10000"]);
        assert!(
            t.minor
                .iter()
                .any(|&s| (s - 2f64.log10() - 1.0).abs() < 1e-12)
        );
    }

    #[test]
    fn log_ticks_use_superscripts_for_extreme_decades() {
        let t = map(Scale::Log, -6.2, -0.5).ticks(400.0, 60.0);
        assert_eq!(labels(&t), ["10⁻⁶", "10⁻⁵", "10⁻⁴", "10⁻³", "10⁻²", "10⁻¹"]);
    }

    #[test]
    fn log_ticks_thin_out_many_decades() {
        let t = map(Scale::Log, -20.0, 20.0).ticks(300.0, 60.0);
        assert!(t.major.len() <= 6, "{:?}", labels(&t));
        assert!(t.major.len() >= 2);
    }

    #[test]
    fn log_ticks_within_one_decade_use_mantissas() {
        let t = map(Scale::Log, 0.02f64.log10(), 0.5f64.log10()).ticks(300.0, 50.0);
        assert_eq!(labels(&t), ["0.02", "0.05", "0.1", "0.2", "0.5"]);
    }

    #[test]
    fn narrow_log_ranges_fall_back_to_linear_ticks() {
        let t = map(Scale::Log, 3f64.log10(), 3.5f64.log10()).ticks(300.0, 60.0);
        assert!(t.major.len() >= 2, "{t:?}");
    }

    #[test]
    fn fitted_ranges_pad_the_data() {
        let a = AxisMap::resolve(&Axis::linear("x"), Some([0.0, 10.0]), 0.05);
        assert_eq!(a.map(|m| (m.lo, m.hi)), Ok((-0.5, 10.5)));
    }

    #[test]
    fn a_single_value_gets_a_window_around_it() {
        let a = AxisMap::resolve(&Axis::linear("x"), Some([0.0, 0.0]), 0.0);
        assert_eq!(a.map(|m| (m.lo, m.hi)), Ok((-1.0, 1.0)));
        let b = AxisMap::resolve(&Axis::log("x"), Some([2.0, 2.0]), 0.0);
        assert_eq!(b.map(|m| (m.lo, m.hi)), Ok((1.5, 2.5)));
    }

    #[test]
    fn given_ranges_are_checked() {
        assert!(AxisMap::resolve(&Axis::linear("x").with_range(1.0, 1.0), None, 0.0).is_err());
        assert!(AxisMap::resolve(&Axis::linear("x").with_range(2.0, 1.0), None, 0.0).is_err());
        assert!(AxisMap::resolve(&Axis::log("x").with_range(0.0, 1.0), None, 0.0).is_err());
        assert!(AxisMap::resolve(&Axis::log("x").with_range(f64::NAN, 1.0), None, 0.0).is_err());
    }

    #[test]
    fn extent_ignores_what_the_scale_cannot_show() {
        let e = extent(Scale::Log, [-1.0, 0.0, 10.0, f64::NAN, 1000.0]);
        assert_eq!(e, Some([1.0, 3.0]));
        assert_eq!(extent(Scale::Linear, [f64::INFINITY]), None);
    }

    #[test]
    fn no_data_gives_the_unit_range() {
        let a = AxisMap::resolve(&Axis::log("x"), None, 0.05);
        assert_eq!(a.map(|m| (m.lo, m.hi)), Ok((0.0, 1.0)));
    }

    #[test]
    fn absurd_spans_are_an_error() {
        let a = AxisMap::resolve(&Axis::linear("x"), Some([-f64::MAX, f64::MAX]), 0.05);
        assert!(a.is_err());
    }
}
