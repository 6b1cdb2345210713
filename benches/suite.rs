//! The standard workload: the five experiments of the seed post (S1 to S5
//! of the suite, in `experiments/`) at full size, timed, optionally side by
//! side with a peer implementation. Other experiments of the project are
//! not part of it.
//!
//! ```sh
//! cargo bench --bench suite
//! LIKELY_PEER="$HOME/.venvs/likely-peer/bin/python /path/to/seed_suite.py" cargo bench --bench suite
//! ```
//!
//! Each round runs every experiment once in likely (compute and figures, in
//! process) and, when `LIKELY_PEER` is set, once in the peer, one after the
//! other, so both see the same machine load; then the whole build is timed
//! end to end as a command (with 1 thread and with all threads) next to the
//! peer's whole run. The report gives medians over the rounds
//! (`LIKELY_BENCH_ROUNDS`, default 3) and the ratios peer / likely. Machines
//! are noisy: compare ratios from one run, not absolute times across runs.
//!
//! First, the kernels the experiments spend their time in, per unit, on one
//! thread: a normal draw (S1, S3), a normal log-density (S2), a mixture
//! log-density at shifted and scaled common draws (S4), the last beside the
//! same sum with libm's scalar `exp` and `log1p`, alternated in each round.
//! `LIKELY_BENCH_KERNELS=only` stops after them.
//!
//! `scripts/bench-vs-peer` times the same workload as commands, per
//! experiment on scratch projects, with peak memory.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use likely::dist::{Univariate, text};
use likely::experiment::{Ctx, stream};
use likely::numeric::sum;
use likely::{figure, spec};

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        0.5 * (xs[n / 2 - 1] + xs[n / 2])
    }
}

/// Wall seconds and peak resident MiB of a command, through GNU time when
/// it is installed.
fn time_command(mut cmd: Command) -> (f64, Option<f64>) {
    let gnu_time = Path::new("/usr/bin/time");
    let tmp = std::env::temp_dir().join(format!("likely-bench-time-{}", std::process::id()));
    let mut run = if gnu_time.exists() {
        let mut t = Command::new(gnu_time);
        t.arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(&tmp)
            .arg(cmd.get_program())
            .args(cmd.get_args());
        for (k, v) in cmd.get_envs() {
            match v {
                Some(v) => t.env(k, v),
                None => t.env_remove(k),
            };
        }
        if let Some(dir) = cmd.get_current_dir() {
            t.current_dir(dir);
        }
        t
    } else {
        std::mem::replace(&mut cmd, Command::new("true"))
    };
    let start = Instant::now();
    let status = run.output().expect("the command starts");
    let wall = start.elapsed().as_secs_f64();
    assert!(
        status.status.success(),
        "command failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let rss = std::fs::read_to_string(&tmp)
        .ok()
        .and_then(|s| s.trim().lines().last()?.parse::<f64>().ok())
        .map(|kib| kib / 1024.0);
    let _ = std::fs::remove_file(&tmp);
    (wall, rss)
}

fn peer_command(peer: &str, out: &Path, only: Option<&str>) -> Command {
    let mut parts = peer.split_whitespace();
    let mut cmd = Command::new(parts.next().expect("LIKELY_PEER names a command"));
    cmd.args(parts).arg("--out").arg(out);
    if let Some(name) = only {
        cmd.arg("--only").arg(name);
    }
    cmd
}

/// The peer's own compute + figure seconds for `name`, from its JSON.
fn peer_seconds(out: &Path, name: &str) -> f64 {
    let text =
        std::fs::read_to_string(out.join(format!("{name}.json"))).expect("the peer wrote its JSON");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("the peer's JSON parses");
    doc["seconds"]["compute"].as_f64().unwrap_or(f64::NAN)
        + doc["seconds"]["figure"].as_f64().unwrap_or(f64::NAN)
}

/// The suite's experiments, S1 to S5.
const SUITE: [&str; 5] = [
    "mle_consistency",
    "kl_vs_likelihood",
    "kl_monte_carlo",
    "forward_vs_reverse",
    "elbo_gap",
];

/// The post built from them.
const SEED_POST: &str = "2025-11-27-maximum-likelihood-and-kl-divergence.md";

/// A project holding the suite's experiments, the seed post, the templates,
/// the site config and the bibliography the post cites.
fn copy_project(root: &Path, to: &Path) {
    for dir in ["experiments", "posts", "site/_bibliography"] {
        std::fs::create_dir_all(to.join(dir)).unwrap();
    }
    let mut files: Vec<String> = SUITE
        .iter()
        .map(|id| format!("experiments/{id}.yaml"))
        .collect();
    files.push(format!("posts/{SEED_POST}"));
    files.push("site/_config.yml".into());
    files.push("site/_bibliography/papers.bib".into());
    for file in files {
        std::fs::copy(root.join(&file), to.join(&file)).expect(&file);
    }
    let status = Command::new("cp")
        .arg("-r")
        .arg(root.join("templates"))
        .arg(to)
        .status()
        .expect("cp runs");
    assert!(status.success());
}

/// Nanoseconds per unit of `work`, which does `units` units and returns a
/// number that is kept from the optimiser.
fn per_unit(units: usize, mut work: impl FnMut() -> f64) -> f64 {
    let start = Instant::now();
    std::hint::black_box(work());
    start.elapsed().as_secs_f64() * 1e9 / units as f64
}

/// The kernels, on one thread, medians of `rounds`.
fn kernels(rounds: usize) {
    let normal = text::parse_uni("normal(mean=1.5, std=2)").expect("a normal");
    let mixture = text::parse_uni(
        "mixture(weights=[0.3, 0.7], components=[normal(mean=-2, std=0.6), normal(mean=1.5, std=1)])",
    )
    .expect("a mixture");
    let mut eps = vec![0.0; 10_000];
    text::parse_uni("normal(mean=0, std=1)")
        .expect("a normal")
        .sample_into(&mut stream(4, &[1]), &mut eps);
    // 400 grid points of S4's grid, as (loc, scale).
    let points: Vec<(f64, f64)> = (0..400)
        .map(|k| (-4.0 + 0.4 * (k % 20) as f64, 0.3 * 1.14f64.powi(k / 20)))
        .collect();
    let libm_mixture = |x: f64| {
        let t0 =
            0.3f64.ln() - 0.6f64.ln() - likely::dist::LN_SQRT_2PI - 0.5 * ((x + 2.0) / 0.6).powi(2);
        let t1 = 0.7f64.ln() - likely::dist::LN_SQRT_2PI - 0.5 * (x - 1.5).powi(2);
        let (top, other) = if t1 > t0 { (t1, t0) } else { (t0, t1) };
        top + libm::log1p(libm::exp(other - top))
    };
    let mut rows: Vec<(&str, Vec<f64>)> = vec![
        ("normal draw (S1, S3)", Vec::new()),
        ("normal log-density (S2)", Vec::new()),
        ("mixture log-density (S4)", Vec::new()),
        ("  the same, scalar libm exp/log1p", Vec::new()),
    ];
    let units = eps.len() * points.len();
    for round in 0..rounds {
        let mut buf = vec![0.0; 4_000_000];
        rows[0].1.push(per_unit(buf.len(), || {
            normal.sample_into(&mut stream(1, &[round as u64]), &mut buf);
            buf[buf.len() - 1]
        }));
        rows[1].1.push(per_unit(units, || {
            points
                .iter()
                .map(|&(m, s)| {
                    let q =
                        text::parse_uni(&format!("normal(mean={m}, std={s})")).expect("a normal");
                    q.sum_ln_pdf(&eps)
                })
                .sum()
        }));
        rows[2].1.push(per_unit(units, || {
            points
                .iter()
                .map(|&(loc, scale)| mixture.sum_ln_pdf_affine(&eps, loc, scale))
                .sum()
        }));
        rows[3].1.push(per_unit(units, || {
            points
                .iter()
                .map(|&(loc, scale)| sum::lanes(&eps, |e| libm_mixture(loc + scale * e)))
                .sum()
        }));
    }
    println!("\nkernels, one thread, median of {rounds}");
    for (label, times) in rows {
        println!("{label:<36} {:>8.2} ns", median(times));
    }
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is accepted.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let rounds: usize = std::env::var("LIKELY_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    kernels(rounds.max(3));
    if std::env::var("LIKELY_BENCH_KERNELS").as_deref() == Ok("only") {
        return;
    }
    let peer = std::env::var("LIKELY_PEER")
        .ok()
        .filter(|p| !p.trim().is_empty());
    let experiments: Vec<_> = spec::load_dir(&root.join("experiments"))
        .expect("experiments/ loads")
        .into_iter()
        .filter(|e| SUITE.contains(&e.id.as_str()))
        .collect();
    assert_eq!(
        experiments.len(),
        SUITE.len(),
        "the suite's experiments are in experiments/"
    );
    let scratch = tempfile::tempdir().expect("a temporary directory");
    let peer_out = scratch.path().join("peer");
    std::fs::create_dir_all(&peer_out).unwrap();

    let mut ours: Vec<Vec<f64>> = vec![Vec::new(); experiments.len()];
    let mut theirs: Vec<Vec<f64>> = vec![Vec::new(); experiments.len()];
    for round in 0..rounds {
        eprintln!("round {}/{rounds}", round + 1);
        for (k, e) in experiments.iter().enumerate() {
            let start = Instant::now();
            let outcome = e
                .spec
                .kind
                .run(&Ctx::new(e.spec.seed, &|_| {}))
                .expect("the experiment runs");
            for f in &outcome.figures {
                std::hint::black_box(figure::draw(f).expect("the figure draws"));
            }
            ours[k].push(start.elapsed().as_secs_f64());
            if let Some(peer) = &peer {
                let (_, _) = time_command(peer_command(peer, &peer_out, Some(&e.id)));
                theirs[k].push(peer_seconds(&peer_out, &e.id));
            }
        }
    }

    println!(
        "\nper experiment: compute + figures, median of {rounds} (likely in process on all cores; peer's own timer, one core)"
    );
    println!(
        "{:<22} {:>10} {:>10} {:>8}",
        "experiment", "likely s", "peer s", "ratio"
    );
    for (k, e) in experiments.iter().enumerate() {
        let a = median(ours[k].clone());
        if peer.is_some() {
            let b = median(theirs[k].clone());
            println!("{:<22} {:>10.3} {:>10.3} {:>7.1}x", e.id, a, b, b / a);
        } else {
            println!("{:<22} {:>10.3}", e.id, a);
        }
    }

    // The whole thing as a user runs it: the binary on a copy of the project.
    let project = scratch.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    copy_project(&root, &project);
    let build = |threads: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_likely"));
        cmd.args(["build", "--no-cache", "--quiet", "--root"])
            .arg(&project);
        match threads {
            Some(t) => cmd.env("RAYON_NUM_THREADS", t),
            None => cmd.env_remove("RAYON_NUM_THREADS"),
        };
        cmd
    };
    let mut all = Vec::new();
    let mut one = Vec::new();
    let mut whole_peer = Vec::new();
    for _ in 0..rounds {
        all.push(time_command(build(None)));
        one.push(time_command(build(Some("1"))));
        if let Some(peer) = &peer {
            whole_peer.push(time_command(peer_command(peer, &peer_out, None)));
        }
    }
    let wall = |v: &[(f64, Option<f64>)]| median(v.iter().map(|x| x.0).collect());
    let rss = |v: &[(f64, Option<f64>)]| {
        v.iter()
            .filter_map(|x| x.1)
            .fold(None, |m: Option<f64>, r| Some(m.map_or(r, |m| m.max(r))))
    };
    let show = |label: &str, v: &[(f64, Option<f64>)]| {
        let mem = rss(v).map_or_else(|| "n/a".to_string(), |m| format!("{m:.0} MiB"));
        println!("{label:<34} {:>8.2} s   peak {mem}", wall(v));
    };
    println!("\nwhole suite, wall time as a command (median of {rounds}), peak memory");
    show("likely build, all threads", &all);
    show("likely build, RAYON_NUM_THREADS=1", &one);
    if peer.is_some() {
        show("peer, whole suite", &whole_peer);
        println!(
            "ratio peer / likely: {:.1}x (all threads), {:.1}x (one thread)",
            wall(&whole_peer) / wall(&all),
            wall(&whole_peer) / wall(&one)
        );
    }
}
