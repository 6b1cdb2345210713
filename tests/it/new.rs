//! `likely new post` and `likely new experiment`: files that build as they
//! are, never written over an existing one.

use crate::common::{build_ok, likely, read};

#[test]
fn a_new_post_is_dated_named_from_its_title_and_builds() {
    let dir = tempfile::tempdir().unwrap();
    let out = likely(
        dir.path(),
        &[
            "new",
            "post",
            "KL: Forward, or Reverse?",
            "--date",
            "2025-02-03",
        ],
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = read(dir.path(), "posts/2025-02-03-kl-forward-or-reverse.md");
    assert!(
        text.starts_with("---\nlayout: post\ntitle: \"KL: Forward, or Reverse?\"\ndate: 2025-02-03\ndescription: \"\"\ntags: []\ncategories: []\n---\n\n"),
        "{text}"
    );

    let today = likely(dir.path(), &["new", "post", "Today's note"], &[]);
    assert_eq!(today.code, 0, "{}", today.stderr);
    assert!(today.stdout.contains("today in UTC"), "{}", today.stdout);
    let names: Vec<String> = std::fs::read_dir(dir.path().join("posts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .any(|n| n.len() == "YYYY-MM-DD-today-s-note.md".len()
                && n.ends_with("-today-s-note.md")
                && n[..4].bytes().all(|b| b.is_ascii_digit())),
        "{names:?}"
    );

    build_ok(dir.path(), &[], &[]);
    let page = read(
        dir.path(),
        "site/_posts/2025-02-03-kl-forward-or-reverse.md",
    );
    assert!(
        page.contains("title: \"KL: Forward, or Reverse?\""),
        "{page}"
    );
}

#[test]
fn a_new_post_never_overwrites_one() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["new", "post", "Twice", "--date", "2025-02-03"];
    assert_eq!(likely(dir.path(), &args, &[]).code, 0);
    let path = dir.path().join("posts/2025-02-03-twice.md");
    std::fs::write(&path, "mine\n").unwrap();
    let again = likely(dir.path(), &args, &[]);
    assert_eq!(again.code, 1, "{}", again.stdout);
    assert!(
        again
            .stderr
            .contains("posts/2025-02-03-twice.md already exists"),
        "{}",
        again.stderr
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine\n");

    for (args, expected) in [
        (vec!["new", "post", "?!"], "no letter or digit"),
        (
            vec!["new", "post", "x", "--date", "2025-02-30"],
            "not a date written YYYY-MM-DD",
        ),
    ] {
        let out = likely(dir.path(), &args, &[]);
        assert_eq!(out.code, 1, "{args:?}");
        assert!(out.stderr.contains(expected), "{}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    }
}

#[test]
fn a_new_experiment_of_every_kind_passes_check_and_builds() {
    let dir = tempfile::tempdir().unwrap();
    for kind in likely::experiment::NAMES {
        let out = likely(
            dir.path(),
            &["new", "experiment", &format!("my_{kind}"), "--kind", kind],
            &[],
        );
        assert_eq!(out.code, 0, "{kind}: {}", out.stderr);
        let spec = read(dir.path(), &format!("experiments/my_{kind}.yaml"));
        assert!(spec.contains(&format!("  {kind}:\n")), "{spec}");
        assert!(spec.starts_with('#'), "a commented spec: {spec}");
    }
    let check = likely(dir.path(), &["check"], &[]);
    assert_eq!(check.code, 0, "{}\n{}", check.stdout, check.stderr);
    let out = build_ok(dir.path(), &[], &[]);
    assert!(
        out.stdout.contains(&format!(
            "({} ran, 0 cached)",
            likely::experiment::NAMES.len()
        )),
        "{}",
        out.stdout
    );
    for kind in likely::experiment::NAMES {
        let numbers = dir
            .path()
            .join(format!("site/assets/likely/my_{kind}/numbers.json"));
        assert!(numbers.is_file(), "{kind}");
    }
}

#[test]
fn a_new_experiment_needs_a_valid_name_a_known_kind_and_no_file_there() {
    let dir = tempfile::tempdir().unwrap();
    let fails = |args: &[&str], expected: &str| {
        let out = likely(dir.path(), args, &[]);
        assert_eq!(out.code, 1, "{args:?}: {}", out.stdout);
        assert!(out.stderr.contains(expected), "{args:?}: {}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    };
    fails(
        &["new", "experiment", "My-Run", "--kind", "density"],
        "`My-Run` is not a valid experiment id",
    );
    fails(
        &["new", "experiment", "../up", "--kind", "density"],
        "not a valid experiment id",
    );
    fails(
        &["new", "experiment", "site", "--kind", "density"],
        "a name posts use for something else",
    );
    let kinds = likely::experiment::NAMES.join(", ");
    fails(
        &["new", "experiment", "run", "--kind", "densty"],
        &format!("unknown kind `densty`; the kinds are: {kinds}"),
    );
    assert!(!dir.path().join("experiments").exists());
    let args = ["new", "experiment", "run", "--kind", "density"];
    assert_eq!(likely(dir.path(), &args, &[]).code, 0);
    fails(&args, "experiments/run.yaml already exists");
}
