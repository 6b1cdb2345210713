//! `vary:`: an experiment at every point of a product of sweeps, numbers
//! as expressions over the varied names, and what it reports.

use likely::dist::text;
use likely::stats::kl;

use crate::common::{assert_same_tree, build_ok, likely, numbers, project_of, read, tree};

const NOISED: &str = "seed: 7
vary:
  ab: {linspace: [0.05, 1.0, 20]}
plots:
  kl: {x: ab, y: [exact, \"mean[-1]\"], labels: [exact, Monte Carlo], log_y: true}
columns: [exact, \"mean[-1]\"]
kind:
  kl_monte_carlo:
    p: \"mixture(weights=[0.3, 0.7], components=[normal(mean=-2*sqrt(ab), std=sqrt(0.36*ab + 1 - ab)), normal(mean=1.5*sqrt(ab), std=1)])\"
    q: {normal: {mean: 0, std: 1}}
    n: [100, 10000]
    replicates: 20
";

#[test]
fn a_sweep_over_a_noise_level_gives_every_point_its_exact_divergence() {
    let dir = project_of(
        &[("noised", NOISED)],
        &[],
        "{{ noised.points[19].at.ab }}: {{ noised.series.exact | last | fixed(digits=4) }}\n\n{{ figure(id=\"noised.kl\") }}\n\n{{ table(id=\"noised\") }}",
    );
    build_ok(dir.path(), &[], &[]);
    let n = numbers(dir.path(), "noised");
    let ab: Vec<f64> = n["vary"]["ab"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(ab.len(), 20);
    let points = n["points"].as_array().unwrap();
    let series = n["series"]["exact"].as_array().unwrap();
    for (k, &a) in ab.iter().enumerate() {
        assert_eq!(points[k]["at"]["ab"].as_f64().unwrap(), a);
        // The marginal of x_t = √ᾱ x_0 + √(1 − ᾱ) ε, built here by hand,
        // against N(0, 1), by quadrature of the definition.
        let (s1, s2) = ((0.36 * a + 1.0 - a).sqrt(), (a + 1.0 - a).sqrt());
        let p = text::parse_uni(&format!(
            "mixture(weights=[0.3, 0.7], components=[normal(mean={}, std={s1}), normal(mean={}, std={s2})])",
            -2.0 * a.sqrt(),
            1.5 * a.sqrt()
        ))
        .unwrap();
        let q = text::parse_uni("normal(mean=0, std=1)").unwrap();
        let reference = kl::kl_by_definition(&p, &q).unwrap().value;
        let exact = points[k]["exact"].as_f64().unwrap();
        assert!(
            (exact - reference).abs() <= 1e-8 * reference,
            "ab = {a}: {exact} vs {reference}"
        );
        assert_eq!(series[k].as_f64().unwrap(), exact);
        // Each point's Monte Carlo mean at n = 10000 is within five of its
        // own standard errors of the exact value.
        let mean = points[k]["mean"][1].as_f64().unwrap();
        let se = points[k]["std"][1].as_f64().unwrap() / 20f64.sqrt();
        assert!((mean - exact).abs() < 5.0 * se + 1e-12, "ab = {a}");
    }
    let post = read(dir.path(), "site/_posts/2025-01-01-note.md");
    assert!(post.contains("1.0: 0.87"), "{post}");
    assert!(post.contains("| `ab` | `exact` | `mean[-1]` |"), "{post}");
    let svg = read(dir.path(), "site/assets/likely/noised/kl.svg");
    assert!(
        svg.contains("Monte Carlo") && svg.contains("exact"),
        "legend"
    );
}

#[test]
fn a_dashed_number_is_drawn_without_markers() {
    let dir = project_of(&[("noised", NOISED)], &[], "x");
    build_ok(dir.path(), &[], &[]);
    let solid = read(dir.path(), "site/assets/likely/noised/kl.svg");
    let spec = NOISED.replace("log_y: true}", "log_y: true, dashed: exact}");
    std::fs::write(dir.path().join("experiments/noised.yaml"), spec).unwrap();
    build_ok(dir.path(), &[], &[]);
    let dashed = read(dir.path(), "site/assets/likely/noised/kl.svg");
    // Twenty markers fewer on the line and one in the legend, each drawn
    // as two circles (a light ring under the fill).
    let circles = |svg: &str| svg.matches("<circle").count();
    assert_eq!(circles(&solid) - circles(&dashed), 2 * 21, "{dashed}");
}

#[test]
fn column_labels_head_the_table_of_points() {
    let spec = NOISED.replace(
        "columns:",
        "column_labels: [\"KL, exact\", \"Monte Carlo, n = 10 000\"]\ncolumns:",
    );
    let dir = project_of(&[("noised", &spec)], &[], "{{ table(id=\"noised\") }}");
    build_ok(dir.path(), &[], &[]);
    let post = read(dir.path(), "site/_posts/2025-01-01-note.md");
    assert!(
        post.contains("| `ab` | KL, exact | Monte Carlo, n = 10 000 |"),
        "{post}"
    );
}

#[test]
fn varied_sites_are_byte_identical_at_any_thread_count_and_points_draw_their_own_streams() {
    let spec = NOISED.replace("{linspace: [0.05, 1.0, 20]}", "[0.5, 0.5000001]");
    let dir = project_of(&[("noised", &spec)], &[], "x");
    build_ok(dir.path(), &["--no-cache"], &[("RAYON_NUM_THREADS", "1")]);
    let one = tree(&dir.path().join("site"));
    build_ok(dir.path(), &["--no-cache"], &[("RAYON_NUM_THREADS", "4")]);
    assert_same_tree(&one, &tree(&dir.path().join("site")), "1 vs 4 threads");
    // Two nearly equal points: equal exact values, different draws.
    let n = numbers(dir.path(), "noised");
    let m: Vec<f64> = (0..2)
        .map(|k| n["points"][k]["mean"][0].as_f64().unwrap())
        .collect();
    assert_ne!(m[0], m[1]);
}

#[test]
fn two_axes_give_one_line_per_value_of_the_second_or_a_heatmap() {
    let spec = "seed: 1
vary:
  m: {linspace: [-1, 1, 5]}
  s: [0.5, 1, 2]
plots:
  lines: {x: m, y: exact}
  map: {x: m, y: exact, heatmap: true}
kind:
  kl_monte_carlo:
    p: {normal: {mean: m, std: s}}
    q: {normal: {mean: 0, std: 1}}
    n: [10]
    replicates: 2
";
    let dir = project_of(&[("grid", spec)], &[], "x");
    build_ok(dir.path(), &[], &[]);
    let n = numbers(dir.path(), "grid");
    assert_eq!(n["points"].as_array().unwrap().len(), 15);
    // The first axis varies slowest; KL(N(m, s) ‖ N(0, 1)) in closed form.
    let p = &n["points"][4];
    let (m, s) = (
        p["at"]["m"].as_f64().unwrap(),
        p["at"]["s"].as_f64().unwrap(),
    );
    assert_eq!((m, s), (-0.5, 1.0));
    let closed = -s.ln() + (s * s + m * m) / 2.0 - 0.5;
    assert!((p["exact"].as_f64().unwrap() - closed).abs() < 1e-15);
    let lines = read(dir.path(), "site/assets/likely/grid/lines.svg");
    for label in ["s = 0.5", "s = 1", "s = 2"] {
        assert!(lines.contains(label), "{label}");
    }
    assert!(read(dir.path(), "site/assets/likely/grid/map.svg").contains("<image"));
}

#[test]
fn expressions_stand_for_counts_and_sweeps_too() {
    let spec = "seed: 1
vary:
  k: [1, 2]
kind:
  kl_monte_carlo:
    p: {normal: {mean: 0, std: 1}}
    q: {normal: {mean: 1, std: \"2^k\"}}
    n: [\"10^k\", \"10^(k+1)\"]
    replicates: \"5*k\"
";
    let dir = project_of(&[("counts", spec)], &[], "x");
    build_ok(dir.path(), &[], &[]);
    let n = numbers(dir.path(), "counts");
    assert_eq!(n["points"][1]["n"], serde_json::json!([100, 1000]));
    assert_eq!(n["points"][1]["replicates"], 10);
    assert_eq!(n["points"][1]["q"], "normal(mean=1, std=4)");
}

fn fails(spec: &str, expected: &[&str]) -> String {
    let dir = project_of(&[("bad", spec)], &[], "x");
    let out = likely(dir.path(), &["build"], &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert!(
        !out.stdout.contains("ran "),
        "nothing runs:\n{}",
        out.stdout
    );
    for fragment in expected {
        assert!(
            out.stderr.contains(fragment),
            "missing `{fragment}` in:\n{}",
            out.stderr
        );
    }
    out.stderr
}

#[test]
fn bad_expressions_and_points_are_refused_before_anything_runs() {
    fails(
        &NOISED.replace("-2*sqrt(ab)", "-2*sqrt(ab"),
        &[
            "experiments/bad.yaml:9:8:",
            "in the expression `-2*sqrt(ab, std`",
            "expected `,` or `)`",
        ],
    );
    fails(
        &NOISED.replace("1.5*sqrt(ab)", "1.5*sqrt(abc)"),
        &["unknown name `abc`; the varied names are: ab"],
    );
    // std = sqrt(1 − ab) is 0 at the last point.
    fails(
        &NOISED.replace(
            "q: {normal: {mean: 0, std: 1}}",
            "q: {normal: {mean: 0, std: \"sqrt(1 - ab)\"}}",
        ),
        &[
            "experiments/bad.yaml:10:",
            "must be a finite number > 0, got 0",
            "(at the point ab = 1)",
        ],
    );
    fails(
        &NOISED.replace("plots:\n  kl: {x: ab,", "plots:\n  kl: {x: t,"),
        &["plots.kl.x: `t` is not a varied axis; the axes are: ab"],
    );
    fails(
        &NOISED.replace("log_y: true}", "log_y: true, dashed: [mean]}"),
        &["plots.kl.dashed: `mean` is not one of the numbers of y"],
    );
    fails(
        &NOISED.replace("columns:", "column_labels: [exact]\ncolumns:"),
        &["column_labels: give one label per column (2), not 1"],
    );
    fails(
        &NOISED.replace("columns: [exact, \"mean[-1]\"]", "column_labels: [exact]"),
        &["column_labels: name the columns they label with columns:"],
    );
    fails(
        &NOISED.replace("y: [exact,", "y: [exactly,"),
        &[
            "plots.kl.y: `exactly` is not a number of this experiment",
            "exact",
        ],
    );
    fails(
        &NOISED
            .replace("vary:\n  ab: {linspace: [0.05, 1.0, 20]}\n", "")
            .replace("sqrt(ab)", "0.5")
            .replace("*ab", "*0.5")
            .replace("- ab", "- 0.5"),
        &["plots, columns and overlay describe the points of a vary: block"],
    );
    fails(
        &NOISED.replace("ab: {linspace", "pi: {linspace"),
        &["`pi` is a function or constant"],
    );
}

#[test]
fn changing_what_is_reported_reruns_nothing_and_changing_an_axis_reruns() {
    let dir = project_of(&[("noised", NOISED)], &[], "x");
    build_ok(dir.path(), &[], &[]);
    let spec = dir.path().join("experiments/noised.yaml");
    std::fs::write(&spec, NOISED.replace("log_y: true", "log_y: false")).unwrap();
    let out = build_ok(dir.path(), &[], &[]);
    assert!(out.stdout.contains("cached  noised"), "{}", out.stdout);
    std::fs::write(&spec, NOISED.replace("1.0, 20]", "1.0, 10]")).unwrap();
    let out = build_ok(dir.path(), &[], &[]);
    assert!(out.stdout.contains("ran     noised"), "{}", out.stdout);
}

#[test]
fn an_overlay_draws_a_kinds_figure_once_with_a_line_per_point() {
    let spec = "seed: 1
vary:
  ab: [0.01, 0.5, 0.99]
overlay: [density]
kind:
  density:
    dist: \"mixture(weights=[0.3, 0.7], components=[normal(mean=-2*sqrt(ab), std=sqrt(0.36*ab + 1 - ab)), normal(mean=1.5*sqrt(ab), std=1)])\"
";
    let dir = project_of(
        &[("marginals", spec)],
        &[],
        "{{ figure(id=\"marginals.density\") }}",
    );
    build_ok(dir.path(), &[], &[]);
    let svg = read(dir.path(), "site/assets/likely/marginals/density.svg");
    for label in ["ab = 0.01", "ab = 0.5", "ab = 0.99"] {
        assert!(svg.contains(label), "{label}");
    }
    // Each point's mean is √ᾱ times the data's mean, 0.45.
    let n = numbers(dir.path(), "marginals");
    for k in 0..3 {
        let ab = n["points"][k]["at"]["ab"].as_f64().unwrap();
        let mean = n["points"][k]["mean"].as_f64().unwrap();
        assert!((mean - 0.45 * ab.sqrt()).abs() < 1e-14, "{ab}: {mean}");
    }
    fails(
        &spec.replace("[0.01, 0.5, 0.99]", "{linspace: [0.01, 0.99, 8]}"),
        &["overlay: 8 points are too many lines"],
    );
    fails(
        &spec.replace("overlay: [density]", "overlay: [densty]"),
        &["no figure `densty`"],
    );
}

#[test]
fn values_a_plot_cannot_show_are_named_in_a_warning() {
    let spec = "seed: 1
vary:
  m: [-1, 0, 1, 2]
plots:
  means: {x: m, y: [mean, std], log_y: true}
kind:
  density:
    dist: {normal: {mean: m, std: 1}}
";
    let dir = project_of(
        &[("shifted", spec)],
        &[],
        "{{ figure(id=\"shifted.means\") }}",
    );
    let out = build_ok(dir.path(), &[], &[]);
    let said = format!("{}{}", out.stdout, out.stderr);
    assert!(
        said.contains(
            "plot `means`: 2 of `mean` are not a positive number, so not drawn: -1 at m = -1, 0 at m = 0"
        ),
        "{said}"
    );
    // The standard deviation, 1 everywhere, draws in full.
    assert!(!said.contains("of `std`"), "{said}");
}
