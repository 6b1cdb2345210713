//! The whole build on the fixture project: what lands in site/.

use crate::common::{assert_same_tree, build_ok, likely, project, read, tree};

const POST: &str = "site/_posts/2025-01-02-tiny-post.md";

#[test]
fn build_writes_posts_figures_numbers_and_html() {
    let dir = project("tiny");
    let out = build_ok(dir.path(), &[], &[]);
    for id in ["elbo", "fits", "mc", "mle", "surfaces"] {
        assert!(
            out.stdout.contains(&format!("ran     {id}")),
            "{}",
            out.stdout
        );
        let numbers = read(dir.path(), &format!("site/assets/likely/{id}/numbers.json"));
        serde_json::from_str::<serde_json::Value>(&numbers).expect("numbers.json is JSON");
    }
    for figure in [
        "mle/rmse",
        "surfaces/surfaces",
        "mc/convergence",
        "fits/fits",
        "elbo/surface",
        "elbo/slice",
    ] {
        let svg = read(dir.path(), &format!("site/assets/likely/{figure}.svg"));
        assert!(
            svg.starts_with("<svg") || svg.starts_with("<?xml"),
            "{figure}"
        );
        assert_eq!(
            svg,
            read(
                dir.path(),
                &format!("site/_site/assets/likely/{figure}.svg")
            )
        );
    }
    let html = read(dir.path(), "site/_site/blog/2025/tiny-post/index.html");
    assert!(html.contains("<math"), "math is rendered to MathML");
    assert!(
        html.contains("../../../assets/likely/mle/rmse.svg"),
        "figures are linked relatively"
    );
    assert!(html.contains("A Tiny Post"));
    let index = read(dir.path(), "site/_site/index.html");
    assert!(index.contains("blog/2025/tiny-post/index.html"));
}

#[test]
fn jekyll_post_keeps_front_matter_and_math_verbatim() {
    let dir = project("tiny");
    build_ok(dir.path(), &[], &[]);
    let source = read(dir.path(), "posts/2025-01-02-tiny-post.md");
    let post = read(dir.path(), POST);
    let header_end = source.match_indices("---\n").nth(1).unwrap().0 + 4;
    assert!(
        post.starts_with(&source[..header_end]),
        "front matter verbatim"
    );
    assert!(
        post.contains("$$\nD_{KL}(p \\| q) = \\mathbb{E}_{x \\sim p}[\\log p(x) - \\log q(x)]\n$$")
    );
    assert!(post.contains(
        "{% include figure.liquid loading=\"eager\" path=\"assets/likely/mle/rmse.svg\""
    ));
    assert!(post.contains("<div class=\"caption\">\n    Figure 1: RMSE against $$n$$.\n</div>"));
    assert!(
        post.contains("{% include note.liquid %}"),
        "Liquid reaches Jekyll as written"
    );
    assert!(
        post.contains("| n | mean of estimates |"),
        "tables are Markdown tables"
    );
    assert!(
        post.contains("```yaml\nseed: 5\nkind:\n  elbo_gap:"),
        "cells show the spec"
    );
}

#[test]
fn numbers_in_posts_are_the_computed_ones() {
    let dir = project("tiny");
    build_ok(dir.path(), &[], &[]);
    let post = read(dir.path(), POST);
    let exact = 2f64.ln() + 0.25 - 0.5;
    assert!(
        post.contains(&format!("The exact divergence is {exact:.6}")),
        "{post}"
    );
    // ln N(1.7; 0.5, √(2² + 0.8²)), computed here independently.
    let sd = (4.0f64 + 0.64).sqrt();
    let log_px =
        -0.5 * ((1.7 - 0.5) / sd).powi(2) - sd.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln();
    assert!(
        post.contains(&format!("\\log p(x) = {log_px:.4}$$")),
        "{post}"
    );
}

#[test]
fn markdown_figure_style_writes_plain_images() {
    let dir = project("tiny");
    let config = dir.path().join("site/_config.yml");
    let text = std::fs::read_to_string(&config).unwrap() + "likely:\n  figures: markdown\n";
    std::fs::write(&config, text).unwrap();
    build_ok(dir.path(), &[], &[]);
    let post = read(dir.path(), POST);
    assert!(
        post.contains(
            "![Figure 1: RMSE against n.]({{ '/assets/likely/mle/rmse.svg' | relative_url }})"
        ),
        "{post}"
    );
    assert!(!post.contains("figure.liquid"));
}

#[test]
fn second_build_is_cached_and_identical_and_force_reruns() {
    let dir = project("tiny");
    build_ok(dir.path(), &[], &[]);
    let first = tree(&dir.path().join("site"));
    let out = build_ok(dir.path(), &[], &[]);
    assert!(out.stdout.contains("cached  mle"), "{}", out.stdout);
    assert!(!out.stdout.contains("ran "), "{}", out.stdout);
    assert_same_tree(&first, &tree(&dir.path().join("site")), "rebuild");
    let out = build_ok(dir.path(), &["--force"], &[]);
    assert!(out.stdout.contains("ran     mle"), "{}", out.stdout);
    assert_same_tree(&first, &tree(&dir.path().join("site")), "rebuild");
}

#[test]
fn editing_one_spec_reruns_only_that_experiment() {
    let dir = project("tiny");
    build_ok(dir.path(), &[], &[]);
    let spec = dir.path().join("experiments/mc.yaml");
    let text = std::fs::read_to_string(&spec)
        .unwrap()
        .replace("replicates: 20", "replicates: 21");
    std::fs::write(&spec, text).unwrap();
    let out = build_ok(dir.path(), &[], &[]);
    assert!(out.stdout.contains("ran     mc"), "{}", out.stdout);
    assert!(out.stdout.contains("cached  mle"), "{}", out.stdout);
    // A comment changes the text but not the spec: still cached.
    let text = std::fs::read_to_string(&spec).unwrap() + "# a note\n";
    std::fs::write(&spec, text).unwrap();
    let out = build_ok(dir.path(), &[], &[]);
    assert!(out.stdout.contains("cached  mc"), "{}", out.stdout);
}

#[test]
fn a_spec_retitles_its_figures_without_rerunning() {
    let dir = project("tiny");
    build_ok(dir.path(), &[], &[]);
    let svg = "site/assets/likely/mc/convergence.svg";
    assert!(!read(dir.path(), svg).contains("Estimates of D"));
    let spec = dir.path().join("experiments/mc.yaml");
    let text = std::fs::read_to_string(&spec).unwrap()
        + "figures:\n  convergence: {title: Estimates of D, x_label: draws n}\n";
    std::fs::write(&spec, text).unwrap();
    let out = build_ok(dir.path(), &[], &[]);
    assert!(out.stdout.contains("cached  mc"), "{}", out.stdout);
    let drawn = read(dir.path(), svg);
    assert!(
        drawn.contains("Estimates of D") && drawn.contains("draws n"),
        "{drawn}"
    );
    assert_eq!(
        read(dir.path(), svg),
        read(dir.path(), "site/_site/assets/likely/mc/convergence.svg")
    );
}

#[test]
fn hand_written_files_survive_and_removed_outputs_disappear() {
    let dir = project("tiny");
    build_ok(dir.path(), &[], &[]);
    assert!(
        dir.path()
            .join("site/_posts/2020-01-01-hand-written.md")
            .exists()
    );
    std::fs::remove_file(dir.path().join("experiments/fits.yaml")).unwrap();
    build_ok(dir.path(), &[], &[]);
    assert!(!dir.path().join("site/assets/likely/fits").exists());
    assert!(
        dir.path()
            .join("site/_posts/2020-01-01-hand-written.md")
            .exists()
    );
    assert!(dir.path().join("site/_config.yml").exists());
}

#[test]
fn check_validates_without_running() {
    let dir = project("tiny");
    let out = likely(dir.path(), &["check"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("5 experiments, 1 posts"),
        "{}",
        out.stdout
    );
    assert!(!dir.path().join("site/assets").exists());
}

#[test]
fn whitespace_control_at_the_start_of_a_body_keeps_the_text() {
    let dir = project("tiny");
    std::fs::write(
        dir.path().join("posts/2025-02-02-ws.md"),
        "---\ntitle: ws\n---\n{%- set a = 1 %}ééé Hello {{ a }}\n",
    )
    .unwrap();
    build_ok(dir.path(), &[], &[]);
    let post = read(dir.path(), "site/_posts/2025-02-02-ws.md");
    assert_eq!(post, "---\ntitle: ws\n---\nééé Hello 1\n");
}

#[test]
fn two_posts_with_one_url_are_refused() {
    let dir = project("tiny");
    std::fs::write(
        dir.path().join("posts/2025-03-03-tiny-post.md"),
        "---\ntitle: Second\n---\nSecond\n",
    )
    .unwrap();
    let out = likely(dir.path(), &["build"], &[]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("would both write site/_site/blog/2025/tiny-post/index.html"),
        "{}",
        out.stderr
    );
    assert!(
        !dir.path()
            .join("site/_posts")
            .join("2025-01-02-tiny-post.md")
            .exists()
    );
}

#[test]
fn check_catches_a_bad_reference_without_running_anything() {
    let dir = project("tiny");
    let post = dir.path().join("posts/2025-01-02-tiny-post.md");
    let text = std::fs::read_to_string(&post)
        .unwrap()
        .replace("mc.exact", "mc.exactly");
    std::fs::write(&post, text).unwrap();
    let out = likely(dir.path(), &["check"], &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stderr.contains("posts/2025-01-02-tiny-post.md:11:"),
        "{}",
        out.stderr
    );
    let out = likely(dir.path(), &["build"], &[]);
    assert_eq!(out.code, 1);
    assert!(
        !out.stdout.contains("ran "),
        "nothing runs:\n{}",
        out.stdout
    );
    assert!(!dir.path().join(".likely/cache").exists());
}

#[test]
fn a_second_build_while_one_runs_is_refused() {
    let dir = project("tiny");
    std::fs::create_dir_all(dir.path().join(".likely")).unwrap();
    let lock = std::fs::File::create(dir.path().join(".likely/lock")).unwrap();
    lock.lock().unwrap();
    let out = likely(dir.path(), &["build"], &[]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("another likely build is running"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_closed_pipe_on_stdout_is_not_a_crash() {
    let dir = project("tiny");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_likely"))
        .arg("build")
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{stderr}");
}

#[test]
fn each_post_ends_with_how_to_reproduce_it() {
    let dir = project("tiny");
    let root = dir.path();
    build_ok(root, &[], &[]);
    let html = read(root, "site/_site/blog/2025/tiny-post/index.html");
    let note = &html[html
        .find("<aside class=\"reproduce\">")
        .expect("a reproduce note")..];
    assert!(
        note.contains(&format!("likely {}", env!("CARGO_PKG_VERSION"))),
        "{note}"
    );
    // The experiments the post names, each with its seed, hash and spec.
    for (id, seed) in [("elbo", 5), ("mc", 3), ("mle", 1)] {
        let spec = format!("assets/likely/{id}/{id}.yaml");
        assert!(
            note.contains(&format!(
                "<a href=\"../../../{spec}\">{id}.yaml</a>: seed {seed}, spec hash <code>"
            )),
            "{id}: {note}"
        );
        assert_eq!(
            read(root, &format!("site/_site/{spec}")),
            read(root, &format!("experiments/{id}.yaml"))
        );
    }
    assert!(!note.contains("surfaces.yaml"), "{note}");
    // The hash names what decides the numbers: not comments, but the seed.
    let hash = |html: &str| {
        let at = html.find("mle.yaml</a>: seed").unwrap();
        let code = at + html[at..].find("<code>").unwrap() + 6;
        html[code..code + 12].to_owned()
    };
    let before = hash(&html);
    let spec = read(root, "experiments/mle.yaml");
    std::fs::write(
        root.join("experiments/mle.yaml"),
        format!("# a comment\n{spec}"),
    )
    .unwrap();
    build_ok(root, &[], &[]);
    assert_eq!(
        hash(&read(root, "site/_site/blog/2025/tiny-post/index.html")),
        before
    );
    std::fs::write(
        root.join("experiments/mle.yaml"),
        spec.replace("seed: 1", "seed: 9"),
    )
    .unwrap();
    build_ok(root, &[], &[]);
    assert_ne!(
        hash(&read(root, "site/_site/blog/2025/tiny-post/index.html")),
        before
    );
}
