//! Whole-figure tests: every shape and marker draws, log axes, heatmaps,
//! determinism, bad inputs, and random awkward descriptions.

use super::*;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::ValueTree;
use proptest::test_runner::{RngSeed, TestRunner};

use crate::chart::{Axis, Corner, Heatmap, Marker, Plot, Series, Shape};

mod svg_text;
mod xml;

fn logspace(a: f64, b: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| 10f64.powf(a + (b - a) * i as f64 / (n - 1) as f64))
        .collect()
}

fn linspace(a: f64, b: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| a + (b - a) * i as f64 / (n - 1) as f64)
        .collect()
}

/// A deterministic wobble standing in for Monte Carlo noise.
fn wobble(i: usize) -> f64 {
    (i as f64 * 12.9898).sin() * 0.5
}

fn figure(name: &str, width: u32, height: u32, panels: Vec<Panel>) -> Figure {
    Figure {
        name: name.into(),
        width,
        height,
        panels,
    }
}

fn plot(title: &str, x: Axis, y: Axis, series: Vec<Series>, legend: Corner) -> Panel {
    Panel::Plot(Plot {
        title: title.into(),
        x,
        y,
        series,
        legend,
    })
}

fn band(label: &str, color: usize, xs: Vec<f64>, lo: Vec<f64>, hi: Vec<f64>) -> Series {
    Series {
        label: label.into(),
        color,
        shape: Shape::Band { xs, lo, hi },
    }
}

fn vline(label: &str, color: usize, x: f64, dashed: bool) -> Series {
    Series {
        label: label.into(),
        color,
        shape: Shape::VLine { x, dashed },
    }
}

fn points(label: &str, color: usize, xs: Vec<f64>, ys: Vec<f64>, marker: Marker) -> Series {
    Series {
        label: label.into(),
        color,
        shape: Shape::Points { xs, ys, marker },
    }
}

/// S1: RMSE against n on log-log axes, with Cramér–Rao bounds.
fn s1() -> Figure {
    let ns: Vec<f64> = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000]
        .map(f64::from)
        .to_vec();
    let mu: Vec<f64> = ns
        .iter()
        .enumerate()
        .map(|(i, n)| (1.0 + 0.08 * wobble(i)) / n.sqrt())
        .collect();
    let sigma: Vec<f64> = ns
        .iter()
        .enumerate()
        .map(|(i, n)| (0.707 + 0.06 * wobble(i + 40)) / n.sqrt())
        .collect();
    let series = vec![
        Series::line(
            "RMSE of μ (slope −0.502)",
            0,
            ns.clone(),
            mu,
            false,
            Some(Marker::Circle),
        ),
        Series::line(
            "Cramér–Rao bound for μ",
            0,
            ns.clone(),
            ns.iter().map(|n| 1.0 / n.sqrt()).collect(),
            true,
            None,
        ),
        Series::line(
            "RMSE of σ (slope −0.497)",
            1,
            ns.clone(),
            sigma,
            false,
            Some(Marker::Square),
        ),
        Series::line(
            "Cramér–Rao bound for σ",
            1,
            ns.clone(),
            ns.iter().map(|n| 0.707 / n.sqrt()).collect(),
            true,
            None,
        ),
    ];
    let title = "MLE consistency, 2000 replicates of N(μ = 0, σ = 1)";
    figure(
        "rmse",
        640,
        440,
        vec![plot(
            title,
            Axis::log("sample size n"),
            Axis::log("RMSE"),
            series,
            Corner::LowerLeft,
        )],
    )
}

/// S3: a running estimate on semilog-x axes, ±1 sd band and the truth.
fn s3() -> Figure {
    let ns = logspace(1.0, 4.0, 31);
    let mean: Vec<f64> = ns
        .iter()
        .enumerate()
        .map(|(i, n)| 0.5 + 0.9 * wobble(i) / n.sqrt())
        .collect();
    let sd: Vec<f64> = ns.iter().map(|n| 0.9 / n.sqrt()).collect();
    let lo = mean.iter().zip(&sd).map(|(m, s)| m - s).collect();
    let hi = mean.iter().zip(&sd).map(|(m, s)| m + s).collect();
    let series = vec![
        band("±1 sd over replicates", 0, ns.clone(), lo, hi),
        Series::line("mean estimate of p̂", 0, ns, mean, false, None),
        Series::hline("true p = 0.5", 6, 0.5, true),
    ];
    figure(
        "convergence",
        640,
        440,
        vec![plot(
            "Convergence of p̂ ≈ k/n",
            Axis::log("n"),
            Axis::linear("estimate"),
            series,
            Corner::UpperRight,
        )],
    )
}

fn surface(xs: &[f64], ys: &[f64], f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    xs.iter()
        .flat_map(|&x| ys.iter().map(move |&y| (x, y)))
        .map(|(x, y)| f(x, y))
        .collect()
}

/// Log-likelihood of N(μ, σ) for 20 draws with mean 0.3 and sd 1,
/// relative to its maximum.
fn loglik(mu: f64, sigma: f64) -> f64 {
    let n = 20.0;
    let at = |m: f64, s: f64| -n * s.ln() - n * (1.0 + (m - 0.3).powi(2)) / (2.0 * s * s);
    at(mu, sigma) - at(0.3, 1.0)
}

/// S2: two log-likelihood surfaces with the optimum starred, the second
/// with a log σ axis.
fn s2() -> Figure {
    let mus = linspace(-1.0, 1.0, 201);
    let sigmas = linspace(0.4, 2.0, 200);
    let log_sigmas = logspace(-0.6, 0.6, 200);
    let star = || vec![Series::point("maximum", 1, 0.3, 1.0, Marker::Star)];
    let h1 = Heatmap {
        title: "log-likelihood ℓ(μ, σ)".into(),
        x: Axis::linear("μ"),
        y: Axis::linear("σ"),
        z: surface(&mus, &sigmas, loglik),
        xs: mus.clone(),
        ys: sigmas,
        z_label: "ℓ(μ, σ) − ℓ(μ̂, σ̂)".into(),
        z_range: Some([-20.0, 0.0]),
        overlays: star(),
        legend: Corner::UpperRight,
    };
    let h2 = Heatmap {
        title: "same, log σ axis".into(),
        y: Axis::log("σ"),
        z: surface(&mus, &log_sigmas, loglik),
        ys: log_sigmas,
        z_range: None,
        ..h1.clone()
    };
    figure(
        "surface",
        1100,
        440,
        vec![Panel::Heatmap(h1), Panel::Heatmap(h2)],
    )
}

/// S5: a posterior heatmap with a path overlay, beside a marginal.
fn s5() -> Figure {
    let xs = linspace(-3.0, 3.0, 121);
    let ys = linspace(-3.0, 3.0, 121);
    let z = surface(&xs, &ys, |x, y| {
        (-(x * x + y * y - 1.2 * x * y) / 1.2).exp()
    });
    let path: Vec<f64> = linspace(-2.5, 2.5, 40);
    let heat = Heatmap {
        title: "posterior p(a, b | data)".into(),
        x: Axis::linear("a"),
        y: Axis::linear("b"),
        xs: xs.clone(),
        ys,
        z,
        z_label: "density".into(),
        z_range: None,
        overlays: vec![
            Series::line(
                "E[b | a]",
                0,
                path.clone(),
                path.iter().map(|a| 0.6 * a).collect(),
                false,
                None,
            ),
            points(
                "draws",
                6,
                vec![-1.0, 0.5, 1.2],
                vec![-0.4, 0.2, 1.0],
                Marker::Cross,
            ),
            Series::point("MAP", 1, 0.0, 0.0, Marker::Star),
        ],
        legend: Corner::UpperLeft,
    };
    let dens: Vec<f64> = xs
        .iter()
        .map(|x| (-x * x / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt())
        .collect();
    let lo = dens.iter().map(|d| d * 0.85).collect();
    let hi = dens.iter().map(|d| d * 1.15).collect();
    let marginal = plot(
        "marginal of a",
        Axis::linear("a"),
        Axis::linear("p(a)"),
        vec![
            band("90% interval", 2, xs.clone(), lo, hi),
            Series::line("p(a | data)", 2, xs, dens, false, None),
            vline("MAP", 1, 0.0, true),
        ],
        Corner::UpperRight,
    );
    figure("posterior", 1100, 440, vec![Panel::Heatmap(heat), marginal])
}

fn svg(f: &Figure) -> String {
    draw(f).unwrap_or_else(|e| panic!("{e}"))
}

/// Panics unless `s` is a well-formed XML document with an `<svg>` root.
fn assert_well_formed(s: &str) {
    assert!(s.starts_with("<svg "), "{}", &s[..s.len().min(80)]);
    if let Err(e) = xml::check(s) {
        panic!("not well-formed XML: {e}");
    }
}

#[test]
fn sample_figures_render_as_well_formed_svg() {
    for f in [
        s1(),
        s2(),
        s3(),
        s5(),
        shapes(480, 330),
        triple(),
        uneven(),
        noise(),
    ] {
        assert_well_formed(&svg(&f));
    }
}

#[test]
fn drawing_twice_gives_identical_bytes() {
    for f in [s1(), s2(), s3(), s5()] {
        assert_eq!(svg(&f), svg(&f));
    }
}

#[test]
fn the_document_has_the_real_size_and_fine_view_box() {
    let s = svg(&s1());
    assert!(
        s.starts_with(r#"<svg width="640" height="440" viewBox="0 0 2560 1760""#),
        "{}",
        &s[..120]
    );
}

/// One of each shape and marker.
fn shapes(width: u32, height: u32) -> Figure {
    let xs = vec![1.0, 2.0, 3.0];
    let ys = vec![1.0, 3.0, 2.0];
    let mut series = vec![
        Series::line("solid", 0, xs.clone(), ys.clone(), false, None),
        Series::line(
            "dashed",
            1,
            xs.clone(),
            ys.clone(),
            true,
            Some(Marker::Circle),
        ),
        band(
            "band",
            2,
            xs.clone(),
            vec![0.5, 2.0, 1.5],
            vec![1.5, 4.0, 2.5],
        ),
        Series::hline("hline", 3, 2.0, false),
        vline("vline", 4, 2.0, true),
    ];
    let markers = [
        Marker::Circle,
        Marker::Square,
        Marker::Triangle,
        Marker::Star,
        Marker::Cross,
    ];
    for (i, m) in markers.into_iter().enumerate() {
        series.push(points(
            &format!("{m:?}"),
            i,
            vec![1.5],
            vec![1.0 + i as f64 * 0.5],
            m,
        ));
    }
    figure(
        "shapes",
        width,
        height,
        vec![plot(
            "all shapes",
            Axis::linear("x"),
            Axis::linear("y"),
            series,
            Corner::UpperLeft,
        )],
    )
}

/// Three small panels, to check that sizes scale down.
fn triple() -> Figure {
    let s3 = s3().panels;
    let s1 = s1().panels;
    let s5 = s5().panels;
    let panels = [s1, s3, s5]
        .into_iter()
        .filter_map(|p| p.into_iter().next())
        .collect();
    figure("triple", 1200, 330, panels)
}

#[test]
fn every_shape_and_marker_draws() {
    let s = svg(&shapes(640, 440));
    assert_well_formed(&s);
    for label in [
        "solid", "dashed", "band", "hline", "vline", "Circle", "Square", "Triangle", "Star",
        "Cross",
    ] {
        assert!(s.contains(&format!("\n{label}\n")), "legend lacks {label}");
    }
    assert!(s.contains("<polygon"), "bands and markers are polygons");
    assert!(s.contains("<circle"));
}

/// A histogram with a density over it, on a linear or a log y axis, the
/// x axis cut short so that the outer bars are clipped.
fn histogram(log_y: bool, x_range: Option<[f64; 2]>) -> Figure {
    let lo: Vec<f64> = (0..8).map(|i| f64::from(i) * 0.5).collect();
    let hi: Vec<f64> = lo.iter().map(|l| l + 0.5).collect();
    let heights = vec![0.02, 0.1, 0.3, 0.5, 0.4, 0.2, 0.0, 0.05];
    let xs = linspace(0.0, 4.0, 41);
    let ys: Vec<f64> = xs
        .iter()
        .map(|x| 0.5 * (-(x - 1.8f64).powi(2)).exp())
        .collect();
    let mut x = Axis::linear("x");
    x.range = x_range;
    let y = if log_y {
        Axis::log("density")
    } else {
        Axis::linear("density")
    };
    figure(
        "histogram",
        640,
        440,
        vec![plot(
            "bars",
            x,
            y,
            vec![
                Series::bars("data", 6, lo, hi, heights),
                Series::line("fit", 0, xs, ys, false, None),
            ],
            Corner::UpperRight,
        )],
    )
}

#[test]
fn bars_draw_from_zero_on_linear_and_log_axes_and_clip_to_the_frame() {
    for f in [
        histogram(false, None),
        histogram(true, None),
        histogram(false, Some([0.7, 3.2])),
    ] {
        let s = svg(&f);
        assert_well_formed(&s);
        assert!(s.contains("\ndata\n") && s.contains("\nfit\n"), "legend");
    }
    // Seven bars of eight have a height; each is one filled polygon (the
    // legend's swatch is a rectangle), and the empty one draws nothing.
    let s = svg(&histogram(false, None));
    assert_eq!(s.matches("<polygon").count(), 7);
    // The linear axis starts at the bars' base, 0.
    assert!(s.contains("\n0.0\n") || s.contains("\n0\n"), "no 0 tick");
    let e = error_of(&figure(
        "bad bars",
        640,
        440,
        vec![plot(
            "b",
            Axis::linear("x"),
            Axis::linear("y"),
            vec![Series::bars(
                "a",
                0,
                vec![0.0, 1.0],
                vec![1.0],
                vec![1.0, 2.0],
            )],
            Corner::UpperLeft,
        )],
    ));
    assert!(e.contains("2 lo but 1 hi"), "{e}");
}

#[test]
fn panels_wrap_into_rows_only_when_one_row_would_make_them_too_narrow() {
    // Every figure likely drew before grids keeps its single row.
    assert_eq!(grid(1, 640.0, 440.0), (1, 1));
    assert_eq!(grid(2, 1100.0, 460.0), (1, 2));
    assert_eq!(grid(3, 1200.0, 330.0), (1, 3));
    assert_eq!(grid(2, 640.0, 440.0), (1, 2));
    // Tall figures of many panels are grids, filled row by row.
    assert_eq!(grid(4, 840.0, 680.0), (2, 2));
    assert_eq!(grid(5, 840.0, 1020.0), (3, 2));
    assert_eq!(grid(6, 840.0, 1020.0), (3, 2));
    assert_eq!(grid(6, 1260.0, 680.0), (2, 3));
    assert_eq!(grid(3, 100.0, 10_000.0), (3, 1));
    let panels = (0..5)
        .map(|k| {
            plot(
                &format!("panel {k}"),
                Axis::linear("x"),
                Axis::linear("y"),
                vec![Series::line(
                    "a",
                    k,
                    vec![0.0, 1.0],
                    vec![0.0, 1.0],
                    false,
                    None,
                )],
                Corner::UpperLeft,
            )
        })
        .collect();
    let s = svg(&figure("grid", 840, 1020, panels));
    assert_well_formed(&s);
    // Each panel's title is drawn once, and the third row's lower down.
    let at = |t: &str| {
        s.find(&format!("\n{t}\n"))
            .unwrap_or_else(|| panic!("no {t}"))
    };
    let y_of = |t: &str| {
        let tag = &s[..at(t)];
        let tag = &tag[tag.rfind("<text").unwrap_or(0)..];
        let y = tag.split("y=\"").nth(1).unwrap_or("");
        y.split('"')
            .next()
            .unwrap_or("")
            .parse::<f64>()
            .unwrap_or(f64::NAN)
    };
    assert!(y_of("panel 4") > y_of("panel 2") && y_of("panel 2") > y_of("panel 0"));
    assert_eq!(y_of("panel 0"), y_of("panel 1"));
}

#[test]
fn log_axes_get_decade_labels() {
    let s = svg(&s1());
    for label in ["\n10\n", "\n100\n", "\n1000\n", "\n0.01\n"] {
        assert!(s.contains(label), "missing tick {label:?}");
    }
}

#[test]
fn heatmap_embeds_one_png_image() {
    let s = svg(&s2());
    assert_well_formed(&s);
    assert_eq!(s.matches("data:image/png;base64,").count(), 2);
    assert_eq!(s.matches("<image ").count(), 2);
    assert!(!s.contains("#010203"), "a placeholder was left behind");
}

#[test]
fn the_image_lies_under_the_overlays_and_axes() {
    let s = svg(&s2());
    let image = s.find("<image").unwrap_or(usize::MAX);
    let star_legend = s.find("\nmaximum\n").unwrap_or(0);
    assert!(image < star_legend);
}

#[test]
fn a_201_by_200_heatmap_stays_small() {
    let s = svg(&s2());
    assert!(s.len() < 400_000, "{} bytes for two heatmaps", s.len());
}

/// A hand-made uneven grid with missing values, log y, points at the
/// cell centres.
fn uneven() -> Figure {
    let xs = vec![0.0, 0.1, 0.5, 2.0];
    let ys = vec![1.0, 3.0, 100.0];
    let (px, py): (Vec<f64>, Vec<f64>) = xs
        .iter()
        .flat_map(|&x| ys.iter().map(move |&y| (x, y)))
        .unzip();
    let h = Heatmap {
        title: "uneven grid, log y".into(),
        x: Axis::linear("x"),
        y: Axis::log("y"),
        z: vec![
            1.0,
            2.0,
            f64::NAN,
            4.0,
            5.0,
            6.0,
            7.0,
            f64::INFINITY,
            9.0,
            10.0,
            11.0,
            12.0,
        ],
        xs,
        ys,
        z_label: "z".into(),
        z_range: None,
        overlays: vec![points("cell centres", 6, px, py, Marker::Cross)],
        legend: Corner::UpperLeft,
    };
    figure("uneven", 640, 440, vec![Panel::Heatmap(h)])
}

/// SplitMix64's output function: unrelated uniform values for 0, 1, 2, …
fn splitmix(i: u64) -> f64 {
    let mut z = i.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) as f64 / u64::MAX as f64
}

/// A 201 × 200 grid of noise: the PNG cannot compress it much.
fn noise() -> Figure {
    let xs = linspace(0.0, 1.0, 201);
    let ys = linspace(0.0, 1.0, 200);
    let z = (0..(xs.len() * ys.len()) as u64).map(splitmix).collect();
    let h = Heatmap {
        title: "noise".into(),
        x: Axis::linear("x"),
        y: Axis::linear("y"),
        xs,
        ys,
        z,
        z_label: "z".into(),
        z_range: None,
        overlays: vec![],
        legend: Corner::UpperLeft,
    };
    figure("noise", 640, 440, vec![Panel::Heatmap(h)])
}

#[test]
fn heatmaps_with_log_y_and_uneven_grids_draw() {
    let s = svg(&uneven());
    assert_eq!(s.matches("data:image/png;base64,").count(), 1);
}

#[test]
fn a_201_by_200_heatmap_of_noise_stays_small() {
    let s = svg(&noise());
    assert!(s.len() < 400_000, "{} bytes", s.len());
}

#[test]
fn a_heatmap_entirely_outside_its_range_draws_no_image() {
    let h = Heatmap {
        title: "off".into(),
        x: Axis::linear("x").with_range(10.0, 20.0),
        y: Axis::linear("y"),
        xs: vec![0.0, 1.0, 3.0],
        ys: vec![0.0, 1.0],
        z: vec![0.0; 6],
        z_label: String::new(),
        z_range: None,
        overlays: vec![],
        legend: Corner::UpperRight,
    };
    let s = svg(&figure("off", 640, 440, vec![Panel::Heatmap(h)]));
    assert!(!s.contains("<image"));
}

#[test]
fn awkward_data_draws_without_panicking() {
    let nan = f64::NAN;
    let cases: Vec<Vec<Series>> = vec![
        vec![],
        vec![Series::line("empty", 0, vec![], vec![], false, None)],
        vec![Series::line(
            "all nan",
            0,
            vec![nan, nan],
            vec![nan, nan],
            false,
            Some(Marker::Star),
        )],
        vec![Series::line(
            "one point",
            0,
            vec![2.0],
            vec![3.0],
            false,
            None,
        )],
        vec![Series::line(
            "gap",
            0,
            vec![1.0, 2.0, 3.0, 4.0],
            vec![1.0, nan, 3.0, f64::INFINITY],
            true,
            None,
        )],
        vec![Series::line(
            "negative",
            0,
            vec![-1.0, 0.0, 1.0, 10.0],
            vec![-5.0, 1.0, 0.0, 2.0],
            false,
            None,
        )],
        vec![Series::hline("flat", 0, 0.0, true)],
        vec![band(
            "nan band",
            0,
            vec![1.0, 2.0, 3.0],
            vec![nan, 1.0, 1.0],
            vec![2.0, 2.0, nan],
        )],
        vec![Series::line(
            "huge",
            0,
            vec![1e300, 1e-300],
            vec![f64::MAX, f64::MIN_POSITIVE],
            false,
            None,
        )],
    ];
    for (i, series) in cases.into_iter().enumerate() {
        for scale in [Axis::linear, Axis::log] {
            let f = figure(
                "awkward",
                400,
                300,
                vec![plot(
                    "t",
                    scale("x"),
                    scale("y"),
                    series.clone(),
                    Corner::LowerRight,
                )],
            );
            match draw(&f) {
                Ok(s) => assert_well_formed(&s),
                Err(e) => assert!(matches!(e, FigureError::Panel { .. }), "case {i}: {e}"),
            }
        }
    }
}

#[test]
fn data_outside_a_given_range_is_clipped() {
    let series = vec![Series::line(
        "wild",
        0,
        vec![0.0, 5.0, 10.0],
        vec![0.0, 100.0, 0.0],
        false,
        Some(Marker::Circle),
    )];
    let axis = Axis::linear("y").with_range(0.0, 1.0);
    let f = figure(
        "clip",
        640,
        440,
        vec![plot(
            "t",
            Axis::linear("x"),
            axis,
            series,
            Corner::UpperRight,
        )],
    );
    let s = svg(&f);
    // Every polyline point must lie within the document.
    for chunk in s.split("points=\"").skip(1) {
        let pts = chunk.split('"').next().unwrap_or("");
        for p in pts.split_whitespace() {
            let (x, y) = p.split_once(',').unwrap_or(("0", "0"));
            let (x, y): (f64, f64) = (x.parse().unwrap_or(-1.0), y.parse().unwrap_or(-1.0));
            assert!(
                (0.0..=2560.0).contains(&x) && (0.0..=1760.0).contains(&y),
                "{p}"
            );
        }
    }
}

fn error_of(f: &Figure) -> String {
    match draw(f) {
        Ok(_) => panic!("{} drew but should not have", f.name),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_inputs_give_errors_naming_the_figure_and_problem() {
    let ok_plot = || {
        plot(
            "p",
            Axis::linear("x"),
            Axis::linear("y"),
            vec![],
            Corner::UpperLeft,
        )
    };
    let e = error_of(&figure("none", 640, 440, vec![]));
    assert!(e.contains("`none`") && e.contains("no panels"), "{e}");
    let e = error_of(&figure("tiny", 0, 440, vec![ok_plot()]));
    assert!(e.contains("`tiny`") && e.contains("size"), "{e}");
    let e = error_of(&figure("cramped", 20, 20, vec![ok_plot()]));
    assert!(e.contains("too small"), "{e}");
    let bad_range = plot(
        "r",
        Axis::log("x").with_range(-1.0, 10.0),
        Axis::linear("y"),
        vec![],
        Corner::UpperLeft,
    );
    let e = error_of(&figure("range", 640, 440, vec![ok_plot(), bad_range]));
    assert!(
        e.contains("panel 2") && e.contains("x axis") && e.contains("log"),
        "{e}"
    );
    let mismatch = plot(
        "m",
        Axis::linear("x"),
        Axis::linear("y"),
        vec![Series::line("a", 0, vec![1.0], vec![], false, None)],
        Corner::UpperLeft,
    );
    let e = error_of(&figure("lengths", 640, 440, vec![mismatch]));
    assert!(e.contains("1 xs but 0 ys"), "{e}");
}

#[test]
fn bad_heatmaps_give_errors() {
    let base = match s2().panels.into_iter().next() {
        Some(Panel::Heatmap(h)) => h,
        _ => panic!("s2 starts with a heatmap"),
    };
    let cases = [
        Heatmap {
            z: vec![1.0; 3],
            ..base.clone()
        },
        Heatmap {
            xs: vec![],
            z: vec![],
            ..base.clone()
        },
        Heatmap {
            z_range: Some([1.0, 1.0]),
            ..base.clone()
        },
        Heatmap {
            z_range: Some([f64::NAN, 1.0]),
            ..base.clone()
        },
        Heatmap {
            y: Axis::log("σ"),
            ys: vec![0.0; 200],
            ..base.clone()
        },
    ];
    for h in cases {
        let e = error_of(&figure("bad", 640, 440, vec![Panel::Heatmap(h)]));
        assert!(e.starts_with("figure `bad`, panel 1"), "{e}");
    }
}

#[test]
fn all_nan_heatmaps_draw_grey() {
    let h = Heatmap {
        title: "nothing".into(),
        x: Axis::linear("x"),
        y: Axis::linear("y"),
        xs: vec![0.0, 1.0],
        ys: vec![0.0],
        z: vec![f64::NAN, f64::NAN],
        z_label: "z".into(),
        z_range: None,
        overlays: vec![],
        legend: Corner::UpperRight,
    };
    let s = svg(&figure("grey", 300, 200, vec![Panel::Heatmap(h)]));
    assert_eq!(s.matches("data:image/png").count(), 1);
}

#[test]
fn unicode_labels_survive_and_markup_is_escaped() {
    let series = vec![Series::line(
        "μ ± σ ≈ ‖x‖ <b>",
        0,
        vec![1.0, 2.0],
        vec![1.0, 2.0],
        false,
        None,
    )];
    let f = figure(
        "u",
        640,
        440,
        vec![plot(
            "σ² & μ",
            Axis::linear("μ"),
            Axis::linear("σ"),
            series,
            Corner::UpperLeft,
        )],
    );
    let s = svg(&f);
    assert!(s.contains("μ ± σ ≈ ‖x‖ &lt;b&gt;"));
    assert!(s.contains("σ² &amp; μ"));
    assert!(s.contains(r#"font-family="sans-serif""#));
}

#[test]
fn markup_and_control_characters_in_any_text_keep_the_svg_well_formed() {
    let nasty = "a < b && c > \"d\" 'e' ]]> <!-- &amp; \u{0}\u{7}\u{1B}\u{FFFE}\tx\ny";
    let series = |label: &str| {
        vec![Series::line(
            label,
            0,
            vec![1.0, 2.0],
            vec![1.0, 2.0],
            false,
            Some(Marker::Star),
        )]
    };
    let p = plot(
        nasty,
        Axis::linear(nasty),
        Axis::linear(nasty),
        series(nasty),
        Corner::UpperLeft,
    );
    let h = Heatmap {
        title: nasty.into(),
        x: Axis::linear(nasty),
        y: Axis::linear(nasty),
        xs: vec![0.0, 1.0],
        ys: vec![0.0, 1.0],
        z: vec![0.0, 1.0, 2.0, 3.0],
        z_label: nasty.into(),
        z_range: None,
        overlays: series(nasty),
        legend: Corner::LowerRight,
    };
    let s = svg(&figure("nasty", 1200, 500, vec![p, Panel::Heatmap(h)]));
    assert_well_formed(&s);
    assert!(s.contains("a &lt; b &amp;&amp; c &gt; &quot;d&quot; &apos;e&apos; ]]&gt;"));
}

/// How far, in pixels, an estimated text extent may stick out: positions
/// are rounded to a quarter pixel.
const SLACK: f64 = 0.3;

/// How far, in pixels, two estimated text extents may run into each
/// other: the estimates take every text to reach from ascender to
/// descender, and a tick label at the top of the axis reaches a fraction
/// of a pixel into the gap under the title that way, never in fact.
const TOUCH: f64 = 1.0;

/// Panics unless every text of `f`, drawn as `s`, lies inside its panel,
/// and no title, axis label or legend entry runs into another text.
fn assert_texts_fit(f: &Figure, s: &str) {
    let (width, height) = (f64::from(f.width), f64::from(f.height));
    let (rows, columns) = grid(f.panels.len(), width, height);
    let (panel_w, panel_h) = (width / columns as f64, height / rows as f64);
    let texts = svg_text::texts(s);
    for t in &texts {
        let cell =
            |mid: f64, size: f64, count: usize| (mid / size).floor().clamp(0.0, count as f64 - 1.0);
        let column = cell((t.x0 + t.x1) / 2.0, panel_w, columns);
        let row = cell((t.y0 + t.y1) / 2.0, panel_h, rows);
        let (left, right) = (column * panel_w, (column + 1.0) * panel_w);
        let (top, bottom) = (row * panel_h, (row + 1.0) * panel_h);
        assert!(
            t.inside((left, top), (right, bottom), SLACK),
            "{t:?} sticks out of the panel at row {row}, column {column} \
             ({left}…{right} × {top}…{bottom})"
        );
    }
    for (k, a) in texts.iter().enumerate() {
        for b in &texts[k + 1..] {
            assert!(
                !(a.fitted || b.fitted) || !a.overlaps(b, TOUCH),
                "{a:?} runs into {b:?}"
            );
        }
    }
}

/// The title of a `kl_monte_carlo` figure whose `p` is a mixture.
const MIXTURE_TITLE: &str = "Monte Carlo KL(mixture(weights=[0.3, 0.7], \
    components=[normal(mean=-2, std=0.6), normal(mean=1.5, std=1)]) ‖ normal(mean=0, std=1))";

/// A `kl_monte_carlo` figure titled `title`.
fn kl_figure(title: &str) -> Figure {
    let ns = logspace(1.0, 6.0, 6);
    let mean: Vec<f64> = (0..6)
        .map(|i| 0.44 + 0.1 * wobble(i) / (i + 1) as f64)
        .collect();
    let lo = mean.iter().map(|m| m - 0.05).collect();
    let hi = mean.iter().map(|m| m + 0.05).collect();
    let series = vec![
        band("±1 std over 200 replicates", 0, ns.clone(), lo, hi),
        Series::line("mean estimate", 0, ns, mean, false, Some(Marker::Circle)),
        Series::hline("quadrature 0.4431", 6, 0.4431, true),
    ];
    figure(
        "convergence",
        640,
        440,
        vec![plot(
            title,
            Axis::log("sample size n"),
            Axis::linear("KL estimate (nats)"),
            series,
            Corner::UpperRight,
        )],
    )
}

#[test]
fn a_long_mixture_title_is_wrapped_to_fit_the_figure() {
    let f = kl_figure(MIXTURE_TITLE);
    let s = svg(&f);
    assert_texts_fit(&f, &s);
    let lines: Vec<String> = svg_text::texts(&s)
        .into_iter()
        .filter(|t| t.fitted && MIXTURE_TITLE.contains(&t.text))
        .map(|t| t.text)
        .collect();
    assert!(lines.len() >= 2, "{lines:?}");
    assert_eq!(lines.join(" "), MIXTURE_TITLE);
}

#[test]
fn titles_that_fit_stay_on_one_line() {
    let title = "Monte Carlo KL(normal(mean=0, std=1) ‖ normal(mean=1, std=2))";
    let s = svg(&kl_figure(title));
    assert!(s.contains(&format!("\n{title}\n")));
}

/// Proptest settings: a fixed number of cases from a fixed seed, so the
/// suite takes the same short time and sees the same cases on every run,
/// and no failure files written next to the sources.
fn cases(n: u32) -> ProptestConfig {
    ProptestConfig {
        cases: n,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(0x6c69_6b65_6c79),
        ..ProptestConfig::default()
    }
}

/// Numbers that upset scales and clipping, mixed with ordinary ones.
fn awkward_value() -> impl Strategy<Value = f64> {
    const POOL: [f64; 12] = [
        f64::NAN,
        f64::INFINITY,
        -f64::INFINITY,
        0.0,
        -1.0,
        1e-300,
        1e300,
        f64::MAX,
        1.0,
        2.5,
        1e-5,
        -3e4,
    ];
    prop_oneof![1 => select(&POOL[..]), 2 => 0.0..10.0]
}

fn awkward_values() -> impl Strategy<Value = Vec<f64>> {
    vec(awkward_value(), 0..6)
}

/// Equally long lists, mostly.
fn awkward_pair() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    prop_oneof![
        7 => awkward_values().prop_flat_map(|xs| {
            let n = xs.len();
            (Just(xs), vec(awkward_value(), n))
        }),
        1 => (awkward_values(), awkward_values()),
    ]
}

fn awkward_axis() -> impl Strategy<Value = Axis> {
    let range =
        prop_oneof![3 => Just(None), 1 => [awkward_value(), awkward_value()].prop_map(Some)];
    (any::<bool>(), range).prop_map(|(linear, range)| Axis {
        range,
        ..if linear {
            Axis::linear("x")
        } else {
            Axis::log("y")
        }
    })
}

fn any_marker() -> impl Strategy<Value = Marker> {
    select(
        &[
            Marker::Circle,
            Marker::Square,
            Marker::Triangle,
            Marker::Star,
            Marker::Cross,
        ][..],
    )
}

fn awkward_series() -> impl Strategy<Value = Series> {
    let shape = (awkward_pair(), any_marker(), any::<bool>(), awkward_value()).prop_flat_map(
        |((xs, ys), marker, dashed, v)| {
            select(vec![
                Shape::Line {
                    xs: xs.clone(),
                    ys: ys.clone(),
                    dashed,
                    marker: Some(marker),
                },
                Shape::Band {
                    xs: xs.clone(),
                    lo: ys.clone(),
                    hi: ys.clone(),
                },
                Shape::HLine { y: v, dashed: true },
                Shape::VLine {
                    x: v,
                    dashed: false,
                },
                Shape::Bars {
                    lo: xs.clone(),
                    hi: xs.iter().map(|x| x + 1.0).collect(),
                    heights: ys.clone(),
                },
                Shape::Points { xs, ys, marker },
            ])
        },
    );
    (shape, any::<usize>()).prop_map(|(shape, color)| Series {
        label: "s".into(),
        color,
        shape,
    })
}

fn awkward_heatmap(overlays: Vec<Series>) -> impl Strategy<Value = Heatmap> {
    let grid =
        (awkward_values(), awkward_values(), any::<bool>()).prop_flat_map(|(xs, ys, whole)| {
            // Now and then a z of the wrong length.
            let n = if whole { xs.len() * ys.len() } else { 1 };
            (Just(xs), Just(ys), vec(awkward_value(), n))
        });
    let z_range =
        prop_oneof![2 => Just(None), 1 => [awkward_value(), awkward_value()].prop_map(Some)];
    (grid, awkward_axis(), awkward_axis(), z_range).prop_map(move |((xs, ys, z), x, y, z_range)| {
        Heatmap {
            title: "h".into(),
            x,
            y,
            xs,
            ys,
            z,
            z_label: "z".into(),
            z_range,
            overlays: overlays.clone(),
            legend: Corner::UpperLeft,
        }
    })
}

fn awkward_panel() -> impl Strategy<Value = Panel> {
    (vec(awkward_series(), 0..4), 0..3u8).prop_flat_map(|(series, kind)| {
        if kind == 0 {
            awkward_heatmap(series).prop_map(Panel::Heatmap).boxed()
        } else {
            (awkward_axis(), awkward_axis())
                .prop_map(move |(x, y)| plot("p", x, y, series.clone(), Corner::LowerRight))
                .boxed()
        }
    })
}

fn awkward_figure() -> impl Strategy<Value = Figure> {
    (vec(awkward_panel(), 1..3), 200..800u32, 150..550u32)
        .prop_map(|(panels, width, height)| figure("fuzz", width, height, panels))
}

proptest! {
    #![proptest_config(cases(300))]

    #[test]
    fn awkward_descriptions_draw_well_formed_svg_or_are_refused(f in awkward_figure()) {
        match draw(&f) {
            Ok(s) => prop_assert_eq!(xml::check(&s), Ok(())),
            Err(FigureError::Render { message, .. }) => {
                prop_assert!(false, "render failure: {}", message)
            }
            Err(_) => {}
        }
    }
}

#[test]
fn awkward_descriptions_are_both_drawn_and_refused_often() {
    let mut runner = TestRunner::new(cases(1));
    let strategy = awkward_figure();
    let (mut drawn, mut refused) = (0, 0);
    for _ in 0..400 {
        let f = strategy
            .new_tree(&mut runner)
            .map(|tree| tree.current())
            .unwrap_or_else(|e| panic!("{e}"));
        match draw(&f) {
            Ok(_) => drawn += 1,
            Err(_) => refused += 1,
        }
    }
    assert!(
        drawn > 50 && refused > 50,
        "{drawn} drawn, {refused} refused"
    );
}

/// Labels of many shapes: empty, short, blank, sentences of words with
/// numbers and brackets, long words without spaces, any printable
/// characters (wide, combining, markup).
fn any_label() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        select(
            &[
                "normal(mean=-2,",
                "std=0.6),",
                "[0.3,",
                "0.7],",
                "‖",
                "KL(p",
                "Monte",
                "σ²",
                "p̂",
                "≈",
                "−3.14159",
                "<b>&amp;",
                "WWWWWW",
                "…",
                "東京",
                "👍🏽",
            ][..]
        )
        .prop_map(String::from),
        "[a-zA-Z0-9=.,()\\[\\]]{1,12}",
    ];
    prop_oneof![
        Just(String::new()),
        "[a-z ]{1,12}",
        vec(word, 1..40).prop_map(|w| w.join(" ")),
        "[a-zA-Z0-9]{20,200}",
        "\\PC{1,120}",
    ]
}

fn any_corner() -> impl Strategy<Value = Corner> {
    select(
        &[
            Corner::UpperLeft,
            Corner::UpperRight,
            Corner::LowerLeft,
            Corner::LowerRight,
        ][..],
    )
}

fn labelled_series() -> impl Strategy<Value = Vec<Series>> {
    vec(any_label(), 0..7).prop_map(|labels| {
        labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let ys = vec![1.0, 3.0 - i as f64 * 0.3, 2.0];
                Series::line(l, i, vec![1.0, 2.0, 3.0], ys, false, None)
            })
            .collect()
    })
}

fn labelled_panel() -> impl Strategy<Value = Panel> {
    let texts = (any_label(), any_label(), any_label(), any_label());
    (texts, labelled_series(), any_corner(), any::<bool>()).prop_map(
        |((title, x, y, z), series, legend, heat)| {
            if heat {
                Panel::Heatmap(Heatmap {
                    title,
                    x: Axis::linear(&x),
                    y: Axis::log(&y),
                    xs: vec![1.0, 2.0, 3.0],
                    ys: vec![1.0, 10.0, 100.0],
                    z: (0..9).map(f64::from).collect(),
                    z_label: z,
                    z_range: None,
                    overlays: series,
                    legend,
                })
            } else {
                plot(&title, Axis::linear(&x), Axis::log(&y), series, legend)
            }
        },
    )
}

proptest! {
    #![proptest_config(cases(200))]

    #[test]
    fn every_text_stays_inside_its_panel_and_clear_of_the_others(
        panels in vec(labelled_panel(), 1..4),
        width in 160..1400u32,
        height in 120..900u32,
    ) {
        let f = figure("labels", width, height, panels);
        match draw(&f) {
            Ok(s) => {
                prop_assert_eq!(xml::check(&s), Ok(()));
                assert_texts_fit(&f, &s);
            }
            Err(FigureError::Panel { problem, .. }) => {
                prop_assert!(problem.contains("too small"), "{}", problem)
            }
            Err(e) => prop_assert!(false, "{}", e),
        }
    }
}

#[test]
fn a_zoomed_heatmap_overflows_only_inside_its_clipping_viewport() {
    let mut f = s2();
    if let Some(Panel::Heatmap(h)) = f.panels.first_mut() {
        h.x = Axis::linear("μ").with_range(-0.5, 0.5);
    }
    f.panels.truncate(1);
    let s = svg(&f);
    let number = |tag: &str, attr: &str| -> f64 {
        let at = s.find(tag).unwrap_or(0);
        let rest = &s[at..];
        let key = format!(" {attr}=\"");
        let start = rest.find(&key).map_or(0, |i| i + key.len());
        rest[start..]
            .split('"')
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN)
    };
    let (viewport, image) = (number("<svg x=", "width"), number("<image", "width"));
    // 201 cells of width 0.01 span 2.01 in μ; the viewport shows 1.
    assert!(
        (image / viewport - 2.01).abs() < 0.002,
        "{image} vs {viewport}"
    );
    assert!(s.contains(r#"overflow="hidden""#));
}
