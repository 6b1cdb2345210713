//! What each command does: call the library, print the result.

use std::path::Path;

/// `println!` that ignores a closed pipe (`likely build | head -1`).
macro_rules! out {
    ($($arg:tt)*) => {
        likely::console::line(format_args!($($arg)*))
    };
}

// After `out!`, which they use.
pub(crate) mod new;
pub(crate) mod serve;

use anyhow::{Context as _, bail};

use likely::build::{Summary, Written};
use likely::diag::Problems;
use likely::dist::{FAMILIES, FamilyDef, number_label, text};
use likely::stats::fit::{self, FitReport};
use likely::stats::kl::{self, Value};
use likely::{build, data};

/// `likely build`, or with `--check` a comparison of `site/` with what
/// the build makes.
pub(crate) fn build(options: build::Options) -> anyhow::Result<()> {
    let summary = build::build(&options)?;
    report(&summary, options.quiet)
}

/// How an error is printed: each problem in the project's files on an
/// `error:` line of its own, anything else with its causes.
pub(crate) fn error_text(e: &anyhow::Error) -> String {
    match e.downcast_ref::<Problems>() {
        Some(problems) => problems.to_string(),
        None => format!("error: {e:#}"),
    }
}

/// Prints what a build did: its warnings, and unless `quiet` a summary.
///
/// # Errors
/// A comparison (`--check`) that found differences.
fn report(summary: &Summary, quiet: bool) -> anyhow::Result<()> {
    for w in &summary.warnings {
        eprintln!("warning: {w}");
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let work = format!(
        "{} ({} ran, {} cached), {}, {}",
        plural(summary.ran + summary.cached, "experiment"),
        summary.ran,
        summary.cached,
        plural(summary.figures, "figure"),
        plural(summary.posts, "post"),
    );
    match &summary.written {
        Written::Committed(r) => {
            for kept in &r.kept {
                eprintln!(
                    "warning: {}{kept} is no longer produced but was edited by hand, so it was kept",
                    likely::layout::site_prefix(summary.in_blog)
                );
            }
            if !quiet {
                out!(
                    "built {} in {:.1} s: {work}; {} written, {} unchanged, {} removed",
                    likely::layout::site_name(summary.in_blog),
                    summary.elapsed.as_secs_f64(),
                    plural(r.written, "file"),
                    r.unchanged,
                    r.removed
                );
            }
        }
        Written::Compared(d) => {
            for (what, paths) in [
                ("differs", &d.differ),
                ("missing", &d.missing),
                ("extra  ", &d.extra),
            ] {
                for path in paths {
                    out!(
                        "{what}  {}{path}",
                        likely::layout::site_prefix(summary.in_blog)
                    );
                }
            }
            if !d.is_empty() {
                bail!(
                    "{} is not what the build makes: {} differ, {} missing, {} extra (run `likely build` to update it)",
                    likely::layout::site_name(summary.in_blog),
                    d.differ.len(),
                    d.missing.len(),
                    d.extra.len()
                );
            }
            if !quiet {
                out!(
                    "{} is up to date: it is exactly what the build makes ({work}; checked in {:.1} s)",
                    likely::layout::site_name(summary.in_blog),
                    summary.elapsed.as_secs_f64()
                );
            }
        }
    }
    Ok(())
}

/// `likely check`.
pub(crate) fn check(root: &Path) -> anyhow::Result<()> {
    let checked = build::check(&build::Layout::of(root))?;
    out!(
        "ok: {} experiments, {} posts, templates parse",
        checked.experiments.len(),
        checked.posts.len()
    );
    Ok(())
}

fn parse(which: &str, text: &str) -> anyhow::Result<likely::dist::AnyDist> {
    text::parse(text).map_err(|e| anyhow::anyhow!("{which} `{text}`: {e}"))
}

fn print_value(what: &str, v: &Value, json: bool) -> anyhow::Result<()> {
    if json {
        out!("{}", serde_json::to_string(v)?);
    } else {
        match v.stderr {
            Some(se) => out!(
                "{what} = {} ± {se:.2e} nats ({})",
                number_label(v.value),
                v.method
            ),
            None => out!("{what} = {} nats ({})", number_label(v.value), v.method),
        }
    }
    Ok(())
}

/// `likely entropy`.
pub(crate) fn entropy(dist: &str, json: bool) -> anyhow::Result<()> {
    let d = parse("distribution", dist)?;
    let v = kl::entropy_any(&d).with_context(|| format!("the entropy of {}", d.label()))?;
    print_value(&format!("H({})", d.label()), &v, json)
}

/// `likely kl`.
pub(crate) fn kl(p: &str, q: &str, json: bool) -> anyhow::Result<()> {
    let (p, q) = (parse("P", p)?, parse("Q", q)?);
    let v = kl::kl_any(&p, &q).with_context(|| format!("KL({} ‖ {})", p.label(), q.label()))?;
    print_value(&format!("KL({} ‖ {})", p.label(), q.label()), &v, json)
}

/// What `likely fit` was asked.
pub(crate) struct FitArgs<'a> {
    pub(crate) family: &'a str,
    pub(crate) file: &'a Path,
    pub(crate) column: Option<&'a str>,
    pub(crate) components: Option<usize>,
    pub(crate) df: Option<f64>,
    pub(crate) json: bool,
}

/// `likely fit`.
pub(crate) fn fit(args: FitArgs<'_>) -> anyhow::Result<()> {
    // Check what is asked before reading a possibly large file.
    let target = fit_target(&args)?;
    let xs = data::read(args.file, args.column)?;
    let report = match target {
        FitTarget::Mixture(k) => fit::fit_normal_mixture(&xs, k)?,
        FitTarget::Family(family) => match args.df {
            Some(df) => fit::fit_fixed(family, &xs, "df", df)?,
            None => fit::fit(family, &xs)?,
        },
    };
    if args.json {
        out!("{}", serde_json::to_string(&report)?);
    } else {
        print_report(&report);
    }
    Ok(())
}

enum FitTarget {
    Family(&'static FamilyDef),
    Mixture(usize),
}

fn fit_target(args: &FitArgs<'_>) -> anyhow::Result<FitTarget> {
    if args.family == "normal_mixture" {
        if args.df.is_some() {
            bail!("--df applies to student_t only");
        }
        let k = args
            .components
            .context("normal_mixture needs --components K")?;
        return Ok(FitTarget::Mixture(k));
    }
    if args.components.is_some() {
        bail!("--components applies to normal_mixture only");
    }
    FamilyDef::find(args.family)
        .filter(|f| f.has_fit)
        .map(FitTarget::Family)
        .with_context(|| {
            let names: Vec<&str> = FAMILIES
                .iter()
                .filter(|f| f.has_fit)
                .map(|f| f.name)
                .collect();
            format!(
                "cannot fit `{}`; the families with a fit are: {}, normal_mixture",
                args.family,
                names.join(", ")
            )
        })
}

fn print_report(r: &FitReport) {
    out!(
        "{} fitted to {} observations, average log-likelihood {}",
        r.family,
        r.n,
        number_label(r.avg_loglik)
    );
    for (name, value) in &r.params {
        let value = json_label(value);
        match r.stderr.as_ref().and_then(|s| s.get(name)) {
            Some(se) => out!("  {name:<10} {value}   (standard error {})", json_label(se)),
            None => out!("  {name:<10} {value}"),
        }
    }
}

/// A number, or a list of them, of a report as [`number_label`] shows it.
fn json_label(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Number(x) => x.as_f64().map_or_else(|| x.to_string(), number_label),
        serde_json::Value::Array(xs) => {
            let parts: Vec<String> = xs.iter().map(json_label).collect();
            format!("[{}]", parts.join(", "))
        }
        other => other.to_string(),
    }
}
