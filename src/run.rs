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
/// When the spec cannot be serialized (it always can).
pub fn cache_key(experiment: &Experiment, build: &str) -> anyhow::Result<String> {
    let canonical = experiment.spec.canonical();
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"likely outcome v3\0");
    hasher.update(build.as_bytes());
    hasher.update(b"\0");
    hasher.update(canonical.as_bytes());
    Ok(hasher.finalize().to_hex().to_string())
}

/// Identifies the code computing outcomes: the version and a hash of the
/// running executable, so any change to likely invalidates the cache.
///
/// Hashing the executable (tens of MB) would dominate a build that runs
/// nothing, so the hash is remembered in `memo_dir` together with the
/// file's identity: its path, device, inode, size, and modification and
/// status-change times. A rebuilt or replaced executable is a new file or a
/// rewritten one, and writing a file always moves its status-change time
/// (which, unlike the modification time, no program can set back), so it
/// is hashed again; a memo that does not match is simply ignored.
///
/// # Errors
/// When the executable cannot be read.
pub fn build_fingerprint(memo_dir: Option<&Path>) -> anyhow::Result<String> {
    let exe = std::env::current_exe().context("locating the likely executable")?;
    fingerprint_of(&exe, memo_dir)
}

/// [`build_fingerprint`] of the executable `exe`.
fn fingerprint_of(exe: &Path, memo_dir: Option<&Path>) -> anyhow::Result<String> {
    let identity = file_identity(exe);
    let memo = memo_dir.map(|d| d.join(BUILD_MEMO));
    if let (Some(memo), Some(identity)) = (&memo, &identity)
        && let Ok(text) = std::fs::read_to_string(memo)
        && let Some((held, fingerprint)) = text.trim_end().rsplit_once('\n')
        && held == identity
    {
        return Ok(fingerprint.to_string());
    }
    let bytes = std::fs::read(exe).with_context(|| format!("reading {}", exe.display()))?;
    let fingerprint = format!(
        "{} {}",
        env!("CARGO_PKG_VERSION"),
        blake3::hash(&bytes).to_hex()
    );
    // Remembered only if the file did not change while it was read.
    if let (Some(memo), Some(identity)) = (&memo, identity)
        && file_identity(exe).as_ref() == Some(&identity)
        && let Some(dir) = memo.parent()
        && std::fs::create_dir_all(dir).is_ok()
    {
        let tmp = memo.with_extension("tmp");
        let text = format!("{identity}\n{fingerprint}\n");
        if std::fs::write(&tmp, text).is_ok() {
            let _ = std::fs::rename(&tmp, memo);
        }
    }
    Ok(fingerprint)
}

/// Where [`build_fingerprint`] remembers its hash, in the cache directory
/// (experiment ids start with a letter, so no cache entry has this name).
const BUILD_MEMO: &str = "_build";

/// What identifies the file at `path` without reading it, on one line;
/// `None` where the platform does not tell enough.
fn file_identity(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let m = std::fs::metadata(path).ok()?;
        Some(
            format!(
                "{} {} {} {} {}.{:09} {}.{:09} {}",
                env!("CARGO_PKG_VERSION"),
                m.dev(),
                m.ino(),
                m.len(),
                m.mtime(),
                m.mtime_nsec(),
                m.ctime(),
                m.ctime_nsec(),
                path.display()
            )
            .replace('\n', " "),
        )
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Runs every experiment (or reads it from the cache) and returns the
/// outcomes in the order of `experiments`.
///
/// # Errors
/// The first experiment that failed, with its id.
pub fn run_all(experiments: &[Experiment], options: &Options) -> anyhow::Result<Vec<Run>> {
    // Without a cache nothing needs to know which build computed what.
    let build = match &options.cache_dir {
        Some(dir) => build_fingerprint(Some(dir))?,
        None => String::new(),
    };
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
    let key = match &options.cache_dir {
        Some(_) => cache_key(experiment, build)?,
        None => String::new(),
    };
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

/// The extension of cache entries.
const ENTRY: &str = "mpk";

/// The cache file of experiment `id` under `key`.
fn cache_file(dir: &Path, id: &str, key: &str) -> PathBuf {
    dir.join(format!("{id}.{}.{ENTRY}", &key[..32.min(key.len())]))
}

/// The cached outcome, if the file exists, parses and has the right key.
/// A damaged or stale entry is simply recomputed.
fn read_cache(file: &Path, key: &str) -> Option<Vec<Outcome>> {
    let bytes = std::fs::read(file).ok()?;
    let entry: CacheEntry = rmp_serde::from_slice(&bytes).ok()?;
    (entry.key == key).then_some(entry.points)
}

/// Caches `outcome` as MessagePack, which keeps every float's bits (NaN
/// and infinities too) and reads back in a fraction of the time a text
/// format takes. A cached outcome must give the same site as a computed
/// one, so the entry is written only if it reads back to the same bytes.
fn write_cache(dir: &Path, id: &str, key: &str, points: &[Outcome]) -> anyhow::Result<()> {
    let entry = CacheEntry {
        key: key.to_string(),
        points: points.to_vec(),
    };
    // Structs as maps: fields skipped when empty must not shift the rest.
    let bytes = rmp_serde::to_vec_named(&entry).context("serializing an outcome")?;
    let back = rmp_serde::from_slice::<CacheEntry>(&bytes).ok();
    if back
        .and_then(|b| rmp_serde::to_vec_named(&b).ok())
        .as_deref()
        != Some(bytes.as_slice())
    {
        return Ok(());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let file = cache_file(dir, id, key);
    let tmp = file.with_extension(format!("{ENTRY}.tmp"));
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, &file).with_context(|| format!("writing {}", file.display()))?;
    prune(dir, id);
    Ok(())
}

/// Keeps the most recent cache entries of experiment `id`, and removes its
/// entries in the YAML format earlier versions wrote, which nothing reads.
fn prune(dir: &Path, id: &str) {
    let prefix = format!("{id}.");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        // Ids hold no dots, so `<id>.` names this experiment's entries only.
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with(&prefix) {
            continue;
        }
        if name.ends_with(".yaml") {
            let _ = std::fs::remove_file(entry.path());
        } else if name.ends_with(&format!(".{ENTRY}"))
            && let Some(modified) = entry.metadata().ok().and_then(|m| m.modified().ok())
        {
            files.push((modified, entry.path()));
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{Axis, Corner, Figure, Heatmap, Panel};
    use crate::outcome::{Cell, Column, Format, Table};

    const SPEC: &str = "seed: 3\nkind:\n  kl_monte_carlo:\n    p: {normal: {mean: 0, std: 1}}\n    q: {normal: {mean: 1, std: 2}}\n    n: [10, 100]\n    replicates: 20\n";

    fn experiment(src: &str) -> Experiment {
        let path = Path::new("experiments/mc.yaml");
        let spec = crate::spec::parse(path, src).unwrap_or_else(|p| panic!("{p:?}"));
        Experiment {
            id: "mc".into(),
            path: path.to_path_buf(),
            source: src.into(),
            spec,
        }
    }

    #[test]
    fn the_cache_key_follows_the_spec_and_the_build_but_not_comments() {
        let key = |src: &str, build: &str| cache_key(&experiment(src), build).unwrap_or_default();
        let base = key(SPEC, "build a");
        assert_eq!(base, key(&format!("# a note\n{SPEC}"), "build a"));
        assert_ne!(base, key(&SPEC.replace("seed: 3", "seed: 4"), "build a"));
        assert_ne!(base, key(&SPEC.replace("20", "21"), "build a"));
        assert_ne!(base, key(SPEC, "build b"));
    }

    #[test]
    fn a_changed_executable_is_hashed_again_and_an_unchanged_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let (exe, memo) = (dir.path().join("likely"), dir.path().join("cache"));
        std::fs::write(&exe, b"build one").unwrap();
        let first = fingerprint_of(&exe, Some(&memo)).unwrap_or_default();
        assert_eq!(Some(first.clone()), fingerprint_of(&exe, None).ok());
        // The memo is what answers while the file is the same file: a
        // forged hash in it comes back.
        let memo_file = memo.join(BUILD_MEMO);
        let text = std::fs::read_to_string(&memo_file).unwrap_or_default();
        let forged = text.replace(&first, "forged");
        std::fs::write(&memo_file, &forged).unwrap();
        assert_eq!(
            fingerprint_of(&exe, Some(&memo)).ok().as_deref(),
            Some("forged")
        );
        // Rewritten in place with other bytes of the same length, or
        // replaced by another file: hashed again. (File times tick at the
        // kernel's clock, a few milliseconds; a rebuild takes longer.)
        std::thread::sleep(Duration::from_millis(50));
        std::fs::write(&exe, b"build two").unwrap();
        let second = fingerprint_of(&exe, Some(&memo)).unwrap_or_default();
        assert_ne!(second, first);
        assert_ne!(second, "forged");
        assert_eq!(Some(second.clone()), fingerprint_of(&exe, None).ok());
        let other = dir.path().join("new");
        std::fs::write(&other, b"build one").unwrap();
        std::fs::rename(&other, &exe).unwrap();
        assert_eq!(fingerprint_of(&exe, Some(&memo)).ok(), Some(first));
    }

    fn outcome() -> Outcome {
        let z = vec![
            1.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -0.0,
            1e-310,
        ];
        Outcome {
            numbers: serde_json::json!({"a": 1, "b": [0.1, -2], "c": {"d": 1.5e300}}),
            tables: vec![Table {
                name: "t".into(),
                columns: vec![Column::new("x", Format::Sci(2))],
                rows: vec![vec![Cell::Num(f64::NAN)], vec![Cell::Text("n/a".into())]],
            }],
            figures: vec![Figure {
                name: "f".into(),
                width: 100,
                height: 50,
                panels: vec![Panel::Heatmap(Heatmap {
                    title: "h".into(),
                    x: Axis::linear("x"),
                    y: Axis::log("y"),
                    xs: vec![0.0, 1.0, 2.0],
                    ys: vec![1.0, 10.0],
                    z,
                    z_label: "z".into(),
                    z_range: None,
                    overlays: Vec::new(),
                    legend: Corner::UpperRight,
                })],
            }],
            warnings: Vec::new(),
        }
    }

    #[test]
    fn a_cached_outcome_reads_back_bit_for_bit() {
        let dir = tempfile::tempdir().unwrap();
        let points = vec![outcome(), outcome()];
        assert!(write_cache(dir.path(), "mc", "key", &points).is_ok());
        let back = read_cache(&cache_file(dir.path(), "mc", "key"), "key").unwrap_or_default();
        let bytes = |p: &[Outcome]| rmp_serde::to_vec_named(p).unwrap_or_default();
        assert_eq!(bytes(&back), bytes(&points));
        let Panel::Heatmap(h) = &back[0].figures[0].panels[0] else {
            panic!("a heatmap");
        };
        assert!(h.z[1].is_nan() && h.z[2] == f64::INFINITY && h.z[4].is_sign_negative());
        assert_eq!(back[0].numbers, points[0].numbers);
        // Another key is a miss.
        assert!(read_cache(&cache_file(dir.path(), "mc", "key"), "other").is_none());
    }
}
