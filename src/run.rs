//! Running experiments: in parallel, seeded, cached by content, with
//! progress.
//!
//! Experiments run concurrently on rayon's pool, and each parallelises its
//! own tasks on the same pool. An outcome is cached under a hash of the
//! canonical spec and of the likely build that computed it, so a build
//! reruns only what changed.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::console;
use crate::experiment::{Ctx, point_seed};
use crate::outcome::Outcome;
use crate::spec::Experiment;

/// How to run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Where outcomes are cached; no caching when `None`.
    pub cache_dir: Option<PathBuf>,
    /// Rerun everything, ignoring the cache (results are still cached).
    pub force: bool,
    /// Print nothing.
    pub quiet: bool,
}

/// Whether an outcome was computed or read from the cache.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Status {
    /// Computed now, taking this long.
    Ran(Duration),
    /// Read from the cache.
    Cached,
}

/// One experiment's outcome.
#[derive(Debug, Clone)]
pub struct Run {
    /// The experiment's id.
    pub id: String,
    /// What it produced.
    pub outcome: Outcome,
    /// How.
    pub status: Status,
}

/// What is cached: the outcome of every point, before the spec's report
/// over them (which costs nothing to redo and is not part of the key).
#[derive(Serialize, Deserialize)]
struct CacheEntry {
    key: String,
    points: Vec<Outcome>,
}

/// The cache key of an experiment: its canonical spec (so comments and
/// formatting do not matter) and the build of likely computing it.
///
/// # Errors
/// When the spec cannot be serialized (it always can) or the running
/// executable cannot be read.
pub fn cache_key(experiment: &Experiment, build: &str) -> anyhow::Result<String> {
    let canonical = experiment.spec.canonical();
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"likely outcome v2\0");
    hasher.update(build.as_bytes());
    hasher.update(b"\0");
    hasher.update(canonical.as_bytes());
    Ok(hasher.finalize().to_hex().to_string())
}

/// Identifies the code computing outcomes: the version and a hash of the
/// running executable, so any change to likely invalidates the cache.
///
/// # Errors
/// When the executable cannot be read.
pub fn build_fingerprint() -> anyhow::Result<String> {
    let exe = std::env::current_exe().context("locating the likely executable")?;
    let bytes = std::fs::read(&exe).with_context(|| format!("reading {}", exe.display()))?;
    Ok(format!(
        "{} {}",
        env!("CARGO_PKG_VERSION"),
        blake3::hash(&bytes).to_hex()
    ))
}

/// Runs every experiment (or reads it from the cache) and returns the
/// outcomes in the order of `experiments`.
///
/// # Errors
/// The first experiment that failed, with its id.
pub fn run_all(experiments: &[Experiment], options: &Options) -> anyhow::Result<Vec<Run>> {
    let build = build_fingerprint()?;
    let progress = Progress::new(options.quiet);
    let width = experiments.iter().map(|e| e.id.len()).max().unwrap_or(0);
    experiments
        .par_iter()
        .map(|experiment| {
            let run = run_one(experiment, &build, options, &progress).with_context(|| {
                format!(
                    "experiment `{}` ({})",
                    experiment.id,
                    experiment.path.display()
                )
            })?;
            progress.line(&status_line(&run, width));
            // Printed as soon as known: a later failure (a post quoting a
            // number the warning explains) must not hide them.
            for warning in warnings(&run) {
                progress.warn(&warning);
            }
            Ok(run)
        })
        .collect()
}

/// What a reader of the numbers should know: the experiment's own
/// warnings, and numbers that are not finite.
fn warnings(run: &Run) -> Vec<String> {
    let own = run
        .outcome
        .warnings
        .iter()
        .map(|w| format!("{}: {w}", run.id));
    own.chain(non_finite(&run.id, &run.outcome.numbers))
        .collect()
}

/// Warnings for numbers that are not finite: JSON writes them as `null`.
fn non_finite(id: &str, numbers: &serde_json::Value) -> Vec<String> {
    fn walk(path: &str, value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Null => out.push(path.to_string()),
            serde_json::Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(&format!("{path}[{i}]"), v, out);
                }
            }
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    walk(&format!("{path}.{k}"), v, out);
                }
            }
            _ => {}
        }
    }
    let mut paths = Vec::new();
    walk(id, numbers, &mut paths);
    paths
        .into_iter()
        .map(|p| format!("{p} is not a finite number (or does not apply); numbers.json holds null"))
        .collect()
}

fn status_line(run: &Run, width: usize) -> String {
    match run.status {
        Status::Ran(t) => format!("  ran     {:width$}  {:>7.2} s", run.id, t.as_secs_f64()),
        Status::Cached => format!("  cached  {:width$}", run.id),
    }
}

fn run_one(
    experiment: &Experiment,
    build: &str,
    options: &Options,
    progress: &Progress,
) -> anyhow::Result<Run> {
    let key = cache_key(experiment, build)?;
    let cached = options
        .cache_dir
        .as_ref()
        .map(|d| cache_file(d, &experiment.id, &key));
    if let (Some(file), false) = (&cached, options.force)
        && let Some(points) = read_cache(file, &key)
    {
        return Ok(Run {
            id: experiment.id.clone(),
            outcome: experiment.spec.present(points),
            status: Status::Cached,
        });
    }
    let spec = &experiment.spec;
    let bar = progress.bar(&experiment.id, spec.size().evaluations);
    let tick = |n: u64| bar.inc(n);
    let start = Instant::now();
    let points = match spec.vary {
        None => vec![spec.kind.run(&Ctx::new(spec.seed, &tick))?],
        // Points in parallel, each with streams of its own; collected in
        // point order whatever the thread count.
        Some(_) => spec
            .points
            .par_iter()
            .enumerate()
            .map(|(k, point)| {
                let ctx = Ctx::new(point_seed(spec.seed, k as u64), &tick);
                point
                    .kind
                    .run(&ctx)
                    .with_context(|| format!("at the point {}", point.at.describe()))
            })
            .collect::<anyhow::Result<_>>()?,
    };
    let elapsed = start.elapsed();
    bar.finish_and_clear();
    if let Some(dir) = &options.cache_dir {
        write_cache(dir, &experiment.id, &key, &points)?;
    }
    Ok(Run {
        id: experiment.id.clone(),
        outcome: spec.present(points),
        status: Status::Ran(elapsed),
    })
}

/// Cached outcomes kept per experiment: switching a spec back and forth
/// between a few versions reruns nothing.
const KEEP_PER_EXPERIMENT: usize = 5;

/// The cache file of experiment `id` under `key`.
fn cache_file(dir: &Path, id: &str, key: &str) -> PathBuf {
    dir.join(format!("{id}.{}.yaml", &key[..32.min(key.len())]))
}

/// The cached outcome, if the file exists, parses and has the right key.
/// A damaged or stale entry is simply recomputed.
fn read_cache(file: &Path, key: &str) -> Option<Vec<Outcome>> {
    let text = std::fs::read_to_string(file).ok()?;
    let entry: CacheEntry = serde_yaml::from_str(&text).ok()?;
    (entry.key == key).then_some(entry.points)
}

/// Caches `outcome` as YAML, which, unlike JSON, keeps NaN and infinities:
/// a cached outcome must give the same site as a computed one, so the entry
/// is written only if it reads back to the same text.
fn write_cache(dir: &Path, id: &str, key: &str, points: &[Outcome]) -> anyhow::Result<()> {
    let entry = CacheEntry {
        key: key.to_string(),
        points: points.to_vec(),
    };
    let text = serde_yaml::to_string(&entry).context("serializing an outcome")?;
    let back = serde_yaml::from_str::<CacheEntry>(&text).ok();
    if back.and_then(|b| serde_yaml::to_string(&b).ok()).as_deref() != Some(text.as_str()) {
        return Ok(());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let file = cache_file(dir, id, key);
    let tmp = file.with_extension("yaml.tmp");
    std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, &file).with_context(|| format!("writing {}", file.display()))?;
    prune(dir, id);
    Ok(())
}

/// Keeps the most recent cache entries of experiment `id`.
fn prune(dir: &Path, id: &str) {
    let prefix = format!("{id}.");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            // Ids hold no dots, so `<id>.` names this experiment's entries only.
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(&prefix) && name.ends_with(".yaml")
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    files.sort();
    let excess = files.len().saturating_sub(KEEP_PER_EXPERIMENT);
    for (_, path) in files.into_iter().take(excess) {
        let _ = std::fs::remove_file(path);
    }
}

/// Progress bars on a terminal, plain lines otherwise.
struct Progress {
    multi: Option<MultiProgress>,
    quiet: bool,
}

impl Progress {
    fn new(quiet: bool) -> Self {
        let multi = (!quiet && std::io::stderr().is_terminal())
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Self { multi, quiet }
    }

    fn bar(&self, id: &str, work: u64) -> ProgressBar {
        let Some(multi) = &self.multi else {
            return ProgressBar::hidden();
        };
        let style = ProgressStyle::with_template("  {prefix:20} {bar:30} {percent:>3}% {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        multi.add(
            ProgressBar::new(work)
                .with_style(style)
                .with_prefix(id.to_string()),
        )
    }

    fn warn(&self, text: &str) {
        let line = format!("warning: {text}");
        match &self.multi {
            Some(multi) if multi.println(&line).is_ok() => {}
            _ => eprintln!("{line}"),
        }
    }

    fn line(&self, text: &str) {
        if self.quiet {
            return;
        }
        match &self.multi {
            Some(multi) => {
                if multi.println(text).is_err() {
                    console::line(text);
                }
            }
            None => console::line(text),
        }
    }
}
