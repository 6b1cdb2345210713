//! Experiment kinds: one file each, saying what it computes and what it
//! reports.
//!
//! Each kind is a spec struct (the `kind:` part of `experiments/NAME.yaml`)
//! implementing [`Compute`]: `compute` does the numerical work, seeded from
//! [`Ctx`], and `report` turns the typed result into an [`Outcome`] of
//! numbers, tables and figures.
//!
//! Adding a kind: write `experiment/<kind>.rs`, a starting spec
//! `experiment/templates/<kind>.yaml` (what `likely new experiment` writes;
//! the registry does not compile without it), and add one line to the
//! `kinds!` registry below.

use rand::SeedableRng;
use serde::{Deserialize, Serialize};

use crate::chart::Scale;
use crate::outcome::Outcome;

/// The registry: one line per kind, its module (whose name is the kind's
/// name in specs) and its variant of [`Kind`], under the line's doc.
macro_rules! kinds {
    ($($(#[doc = $doc:literal])* $module:ident => $variant:ident,)*) => {
        $(pub mod $module;)*

        /// The kinds of experiment, as written under `kind:` in a spec.
        #[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Kind {
            $($(#[doc = $doc])* $variant($module::Spec),)*
        }

        /// Every kind's name, as written in specs, in registry order.
        pub const NAMES: &[&str] = &[$(stringify!($module)),*];

        /// Every kind's starting spec, by name, in registry order: a
        /// commented `experiments/<id>.yaml` that builds as it is, with
        /// `<id>` standing for the experiment's id.
        pub const TEMPLATES: &[(&str, &str)] = &[$(
            (stringify!($module), include_str!(concat!("templates/", stringify!($module), ".yaml"))),
        )*];

        impl Kind {
            /// The kind's name, as written in specs.
            pub fn name(&self) -> &'static str {
                match self {
                    $(Kind::$variant(_) => stringify!($module),)*
                }
            }
        }

        macro_rules! kind_dispatch {
            ($self_:expr, $s:ident => $body:expr) => {
                match $self_ { $(Kind::$variant($s) => $body,)* }
            };
        }
    };
}

kinds! {
    /// Root-mean-square error of maximum-likelihood estimates against n.
    mle_consistency => MleConsistency,
    /// Average log-likelihood and forward KL over a parameter grid.
    kl_vs_likelihood => KlVsLikelihood,
    /// Monte Carlo estimates of a KL divergence against its exact value.
    kl_monte_carlo => KlMonteCarlo,
    /// Fits minimising forward and reverse KL to a target.
    forward_vs_reverse => ForwardVsReverse,
    /// ELBO of a latent-variable model over a grid of variational families.
    elbo_gap => ElboGap,
    /// A distribution's density, moments and entropy.
    density => Density,
    /// Several families fitted to the same data, ranked by AIC.
    compare_fits => CompareFits,
}

impl Kind {
    /// Units of work (draws and density evaluations), for progress:
    /// [`Ctx::tick`] is called with as many.
    pub fn work(&self) -> u64 {
        kind_dispatch!(self, s => s.size().evaluations)
    }

    /// Refuses an experiment too large to finish: more than
    /// [`MAX_EVALUATIONS`] draws and density evaluations, or more than
    /// [`MAX_TASKS`] independent tasks or grid cells.
    ///
    /// # Errors
    /// A message saying which limit and by how much.
    pub fn check_size(&self) -> Result<(), String> {
        check_size(self.name(), self.size())
    }

    /// Checks how the fields go together: see [`Compute::validate`].
    ///
    /// # Errors
    /// The field path and what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        kind_dispatch!(self, s => s.validate())
    }

    /// How much work the experiment is.
    pub fn size(&self) -> Size {
        kind_dispatch!(self, s => s.size())
    }

    /// The outcome's shape without the work: every number 1, every table
    /// and figure present. Posts are rendered against it before anything
    /// runs, so that a reference to a missing experiment, figure, table or
    /// field fails fast.
    pub fn dry_outcome(&self) -> Outcome {
        kind_dispatch!(self, s => s.report(&s.placeholder()))
    }

    /// Runs the experiment.
    ///
    /// # Errors
    /// When a numerical step fails (a fit on degenerate data, quadrature that
    /// does not converge).
    pub fn run(&self, ctx: &Ctx<'_>) -> anyhow::Result<Outcome> {
        kind_dispatch!(self, s => s.compute(ctx).map(|r| s.report(&r)))
    }
}

/// An experiment kind: its computation and its report.
pub trait Compute {
    /// The typed result, which tests check against closed forms.
    type Result;
    /// How much work the experiment is: see [`Size`].
    fn size(&self) -> Size;
    /// Does the work.
    ///
    /// # Errors
    /// When a numerical step fails.
    fn compute(&self, ctx: &Ctx<'_>) -> anyhow::Result<Self::Result>;
    /// The numbers, tables and figures of a result.
    fn report(&self, result: &Self::Result) -> Outcome;
    /// A result of the right shape, every number 1, computed without work.
    fn placeholder(&self) -> Self::Result;
    /// Checks what the fields' own types cannot: how fields go together
    /// (a sample size only for data drawn from a distribution, say).
    ///
    /// # Errors
    /// The field path and what is wrong, as `field: message`.
    fn validate(&self) -> Result<(), String> {
        Ok(())
    }
}

/// The most draws and density evaluations one experiment may ask for:
/// about a hundred times the largest experiment of the standard suite.
pub const MAX_EVALUATIONS: u64 = 200_000_000_000;

/// The most independent tasks (sample sizes × replicates) or grid cells.
pub const MAX_TASKS: u64 = 10_000_000;

/// How big an experiment is, saturating rather than overflowing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    /// Draws and density evaluations.
    pub evaluations: u64,
    /// Independent tasks or grid cells.
    pub tasks: u64,
}

impl Size {
    /// `tasks` tasks of `each` evaluations.
    pub fn uniform(tasks: usize, each: usize) -> Self {
        Self {
            evaluations: (tasks as u64).saturating_mul(each as u64),
            tasks: tasks as u64,
        }
    }

    /// `replicates` tasks at each of the sample sizes `n`.
    pub fn replicated(n: &[usize], replicates: usize) -> Self {
        let per_replicate = n.iter().fold(0u64, |acc, &k| acc.saturating_add(k as u64));
        Self {
            evaluations: per_replicate.saturating_mul(replicates as u64),
            tasks: (n.len() as u64).saturating_mul(replicates as u64),
        }
    }
}

impl std::ops::Add for Size {
    type Output = Size;

    fn add(self, other: Size) -> Size {
        Size {
            evaluations: self.evaluations.saturating_add(other.evaluations),
            tasks: self.tasks.saturating_add(other.tasks),
        }
    }
}

/// Refuses `size` of a `kind` too large to finish: see
/// [`Kind::check_size`].
///
/// # Errors
/// A message saying which limit and by how much.
pub fn check_size(kind: &str, size: Size) -> Result<(), String> {
    if size.evaluations > MAX_EVALUATIONS {
        return Err(format!(
            "this {kind} would take {} draws and density evaluations; the limit is {MAX_EVALUATIONS:.0e}",
            big(size.evaluations)
        ));
    }
    if size.tasks > MAX_TASKS {
        return Err(format!(
            "this {kind} has {} replicates or grid cells; the limit is {MAX_TASKS:.0e}",
            big(size.tasks)
        ));
    }
    Ok(())
}

fn big(x: u64) -> String {
    format!("{:.2e}", x as f64)
}

/// What an experiment gets from the runner: its seed and a progress hook.
pub struct Ctx<'a> {
    seed: u64,
    tick: &'a (dyn Fn(u64) + Sync),
}

impl<'a> Ctx<'a> {
    /// A context for an experiment with `seed`, reporting progress to `tick`.
    pub fn new(seed: u64, tick: &'a (dyn Fn(u64) + Sync)) -> Self {
        Self { seed, tick }
    }

    /// The random stream for the task at `path` (e.g. `[size index,
    /// replicate]`): a function of the seed and the path only, never of the
    /// thread that runs the task.
    pub fn rng(&self, path: &[u64]) -> Stream {
        stream(self.seed, path)
    }

    /// Reports `units` of finished work.
    pub fn tick(&self, units: u64) {
        (self.tick)(units);
    }
}

/// The seed of point `index` of a varied experiment with `seed`: each
/// point has streams of its own, whatever thread runs it.
pub fn point_seed(seed: u64, index: u64) -> u64 {
    splitmix64(splitmix64(seed) ^ splitmix64(index ^ 0x2545_F491_4F6C_DD1D))
}

/// The generator of every random stream: xoshiro256++ (Blackman and
/// Vigna), as `rand` ships it among its portable generators, whose output
/// for a seed is fixed across versions and platforms. 256 bits of state,
/// period `2^256 − 1`, passes BigCrush and PractRand; a draw is a few adds,
/// xors and rotations, several times cheaper than a 128-bit multiply.
/// Part of the reproducibility contract: the same seed gives the same
/// numbers on every machine, and a change of generator changes them all.
pub type Stream = rand::rngs::Xoshiro256PlusPlus;

/// The stream for `path` under `seed`: every step through SplitMix64, so
/// nearby seeds and paths give unrelated streams; the last hash seeds the
/// generator's four words through SplitMix64 again.
pub fn stream(seed: u64, path: &[u64]) -> Stream {
    let mut h = splitmix64(seed);
    for &p in path {
        h = splitmix64(h ^ splitmix64(p ^ 0x5851_F42D_4C95_7F2D));
    }
    let mut bytes = [0u8; 32];
    for chunk in bytes.chunks_exact_mut(8) {
        h = splitmix64(h);
        chunk.copy_from_slice(&h.to_le_bytes());
    }
    Stream::from_seed(bytes)
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The axis scale that shows `values` evenly: log when they are positive
/// and evenly spaced in `ln x`, linear otherwise.
pub fn scale_of(values: &[f64]) -> Scale {
    if values.len() < 3 || values.iter().any(|&v| v <= 0.0) {
        return Scale::Linear;
    }
    let ratio = values[1] / values[0];
    let geometric = values
        .windows(2)
        .all(|w| ((w[1] / w[0]) / ratio - 1.0).abs() < 1e-9);
    if geometric && (ratio - 1.0).abs() > 1e-12 {
        Scale::Log
    } else {
        Scale::Linear
    }
}

/// The grid step at `values[k]`: the larger of the distances to its
/// neighbours.
pub fn step_at(values: &[f64], k: usize) -> f64 {
    let left = k.checked_sub(1).map(|l| (values[k] - values[l]).abs());
    let right = values.get(k + 1).map(|r| (r - values[k]).abs());
    match (left, right) {
        (Some(a), Some(b)) => a.max(b),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => 0.0,
    }
}

/// Index of the largest value (the first, on ties), skipping NaN.
pub fn argmax(values: &[f64]) -> Option<usize> {
    first_best(values, |a, b| a > b)
}

/// Index of the smallest value (the first, on ties), skipping NaN.
pub fn argmin(values: &[f64]) -> Option<usize> {
    first_best(values, |a, b| a < b)
}

fn first_best(values: &[f64], better: impl Fn(f64, f64) -> bool) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (k, &v) in values.iter().enumerate() {
        if !v.is_nan() && best.is_none_or(|b| better(v, values[b])) {
            best = Some(k);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::sweep::{linspace, logspace};
    use rand::Rng;

    #[test]
    fn every_registered_name_is_the_name_specs_use() {
        for name in NAMES {
            let e = crate::yaml::from_yaml::<Kind>(&format!("{name}: {{}}")).unwrap_err();
            assert!(!e.to_string().contains("unknown variant"), "{name}: {e}");
        }
        let e = crate::yaml::from_yaml::<Kind>("no_such_kind: {}").unwrap_err();
        assert!(e.to_string().contains("unknown variant"), "{e}");
    }

    #[test]
    fn streams_depend_on_seed_and_path_only() {
        let a = stream(1, &[2, 3]).next_u64();
        assert_eq!(a, stream(1, &[2, 3]).next_u64());
        assert_ne!(a, stream(1, &[3, 2]).next_u64());
        assert_ne!(a, stream(2, &[2, 3]).next_u64());
        assert_ne!(stream(1, &[]).next_u64(), stream(1, &[0]).next_u64());
    }

    #[test]
    fn stream_values_are_pinned() {
        // A change here means every published number changes: only accept it
        // with a version bump and a note.
        let mut r = stream(42, &[7]);
        let first: Vec<u64> = (0..2).map(|_| r.next_u64()).collect();
        assert_eq!(first, PINNED);
    }
    const PINNED: [u64; 2] = [8437062246391831141, 2659821931694447376];

    #[test]
    fn the_generator_is_the_reference_xoshiro256_plus_plus() {
        // State words 1, 2, 3, 4: the first outputs of Blackman and Vigna's
        // reference xoshiro256plusplus.c (https://prng.di.unimi.it/),
        // computed by hand from its three lines below as well.
        let mut seed = [0u8; 32];
        for (k, word) in seed.chunks_exact_mut(8).enumerate() {
            word.copy_from_slice(&(k as u64 + 1).to_le_bytes());
        }
        let mut r = Stream::from_seed(seed);
        let mut s = [1u64, 2, 3, 4];
        for &expected in &REFERENCE {
            let by_hand = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
            let t = s[1] << 17;
            s[2] ^= s[0];
            s[3] ^= s[1];
            s[1] ^= s[2];
            s[0] ^= s[3];
            s[2] ^= t;
            s[3] = s[3].rotate_left(45);
            assert_eq!(by_hand, expected);
            assert_eq!(r.next_u64(), expected);
        }
    }
    const REFERENCE: [u64; 10] = [
        41_943_041,
        58_720_359,
        3_588_806_011_781_223,
        3_591_011_842_654_386,
        9_228_616_714_210_784_205,
        9_973_669_472_204_895_162,
        14_011_001_112_246_962_877,
        12_406_186_145_184_390_807,
        15_849_039_046_786_891_736,
        10_450_023_813_501_588_000,
    ];

    #[test]
    fn scale_is_log_only_for_geometric_grids() {
        assert_eq!(scale_of(&logspace(0.3, 4.0, 121)), Scale::Log);
        assert_eq!(scale_of(&linspace(0.3, 4.0, 121)), Scale::Linear);
        assert_eq!(scale_of(&linspace(-4.0, 4.0, 161)), Scale::Linear);
        assert_eq!(scale_of(&[1.0, 2.0]), Scale::Linear);
    }

    #[test]
    fn argmax_and_argmin_take_the_first_of_ties_and_skip_nan() {
        assert_eq!(argmax(&[1.0, 3.0, 3.0, f64::NAN]), Some(1));
        assert_eq!(argmin(&[f64::NAN, 2.0, 1.0, 1.0]), Some(2));
        assert_eq!(argmax(&[f64::NAN]), None);
    }

    #[test]
    fn step_is_the_distance_to_the_farther_neighbour() {
        let v = [0.0, 1.0, 3.0];
        assert_eq!(step_at(&v, 0), 1.0);
        assert_eq!(step_at(&v, 1), 2.0);
        assert_eq!(step_at(&v, 2), 2.0);
    }
}
