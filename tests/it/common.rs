//! Helpers: copy a fixture project to a temporary directory, run the binary,
//! snapshot a directory tree.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The fixture project `name`, copied into a fresh temporary directory.
pub(crate) fn project(name: &str) -> tempfile::TempDir {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let dir = tempfile::tempdir().expect("a temporary directory");
    copy_dir(&src, dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// What a run of the binary gave.
pub(crate) struct Output {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// Runs `likely args...` in `dir` with extra environment variables.
pub(crate) fn likely(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_likely"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("RAYON_NUM_THREADS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the likely binary runs");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Builds the project in `dir`, asserting success.
pub(crate) fn build_ok(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut all = vec!["build"];
    all.extend_from_slice(args);
    let out = likely(dir, &all, env);
    assert_eq!(out.code, 0, "build failed:\n{}\n{}", out.stdout, out.stderr);
    out
}

/// Every file under `dir`, by relative path, with its bytes.
pub(crate) fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

fn walk(top: &Path, dir: &Path, files: &mut BTreeMap<PathBuf, Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(top, &path, files);
        } else {
            let bytes = std::fs::read(&path).unwrap();
            files.insert(path.strip_prefix(top).unwrap().to_path_buf(), bytes);
        }
    }
}

/// A project in a fresh temporary directory: `experiments/<id>.yaml` for
/// each spec, each other file (a path under the project, its text), and one
/// post, `posts/2025-01-01-note.md`, whose body (line 5 on) is `post`.
pub(crate) fn project_of(
    specs: &[(&str, &str)],
    files: &[(&str, &str)],
    post: &str,
) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let root = dir.path();
    for sub in ["experiments", "posts"] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    for (id, spec) in specs {
        std::fs::write(root.join(format!("experiments/{id}.yaml")), spec).unwrap();
    }
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    std::fs::write(
        root.join("posts/2025-01-01-note.md"),
        format!("---\ntitle: Note\n---\n\n{post}\n"),
    )
    .unwrap();
    dir
}

/// An experiment's published numbers.
pub(crate) fn numbers(dir: &Path, id: &str) -> serde_json::Value {
    serde_json::from_str(&read(dir, &format!("site/assets/likely/{id}/numbers.json"))).unwrap()
}

/// A JSON value that must be a number.
pub(crate) fn num(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Reads a file under `dir` as text.
pub(crate) fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
}

/// Asserts two trees are identical, naming the files that differ rather
/// than printing their bytes.
pub(crate) fn assert_same_tree(
    a: &BTreeMap<PathBuf, Vec<u8>>,
    b: &BTreeMap<PathBuf, Vec<u8>>,
    what: &str,
) {
    let only_a: Vec<_> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let only_b: Vec<_> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    let differ: Vec<_> = a
        .iter()
        .filter(|(k, v)| b.get(*k).is_some_and(|w| w != *v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        only_a.is_empty() && only_b.is_empty() && differ.is_empty(),
        "{what}: only in first {only_a:?}, only in second {only_b:?}, different {differ:?}"
    );
}
