//! The README's examples are specs that likely accepts: every YAML block
//! with a top-level `kind:` is checked as an experiment of its own.

use std::path::Path;

use crate::common::likely;

/// The README's YAML blocks that are whole experiments (or whole but for
/// their seed).
fn examples() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("the README");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```yaml") => current = Some(String::new()),
            (Some(block), "```") => {
                if block.lines().any(|l| l == "kind:") {
                    blocks.push(block.clone());
                }
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn every_experiment_in_the_readme_is_accepted() {
    let blocks = examples();
    assert!(blocks.len() >= 4, "{} examples found", blocks.len());
    let dir = tempfile::tempdir().expect("a temporary directory");
    for sub in ["experiments", "posts", "data"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
    }
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/faithful.csv"),
        dir.path().join("data/faithful.csv"),
    )
    .unwrap();
    for (k, block) in blocks.iter().enumerate() {
        let spec = if block.lines().any(|l| l.starts_with("seed:")) {
            block.clone()
        } else {
            format!("seed: 1\n{block}")
        };
        std::fs::write(dir.path().join(format!("experiments/e{k}.yaml")), spec).unwrap();
    }
    let out = likely(dir.path(), &["check"], &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
}
