//! The staged commit of a build's files into `site/`.
//!
//! Everything is first written to a staging directory inside `site/` (so
//! moving files into place is a rename on one file system); only when all of
//! it is ready are files moved into place. likely keeps a manifest
//! (`site/.likely-manifest`) of the files it wrote and their hashes: it
//! rewrites and removes only those, refuses to overwrite a file it did not
//! write, and refuses to overwrite (or remove) one edited since. Before the
//! first file moves, the manifest lists both the old and the new hash of
//! every file, so an interrupted commit still knows every file as its own.

use std::collections::BTreeMap;
use std::path::{Component, Path};

use anyhow::{Context as _, bail};

/// The manifest's file name, inside `site/`.
pub const MANIFEST: &str = ".likely-manifest";

/// The staging directory's name, inside `site/` (Jekyll ignores dot files).
pub const STAGING: &str = ".likely-staging";

/// The files of a build, by path relative to `site/`.
pub type Files = BTreeMap<String, Vec<u8>>;

/// What a commit changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// Files written (new or changed).
    pub written: usize,
    /// Files already up to date.
    pub unchanged: usize,
    /// Files removed because the build no longer produces them.
    pub removed: usize,
    /// Files left in place although the build no longer produces them,
    /// because they were edited by hand.
    pub kept: Vec<String>,
}

/// Writes `files` into `site_dir`, removing files the previous build wrote
/// and this one does not.
///
/// # Errors
/// When a file would overwrite one likely did not write or one edited since
/// it was written, or on I/O errors. Nothing in `site_dir` changes unless
/// every file was staged; if moving them into place fails half-way, the
/// manifest still lists every file as likely's, so the next build repairs it.
pub fn commit(site_dir: &Path, files: &Files) -> anyhow::Result<Report> {
    for path in files.keys() {
        check_relative(path)?;
    }
    let old = read_manifest(site_dir)?;
    let plan = plan(site_dir, &old, files)?;
    let staging = site_dir.join(STAGING);
    let staged = stage(&staging, &plan.write, files);
    if let Err(e) = staged {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }

    // From here on only renames and removals. First record both hashes of
    // every file, so that whatever point this stops at, each file is known.
    let new = manifest_of(files);
    if plan.write.is_empty() && plan.remove.is_empty() && old == new {
        return Ok(Report {
            written: 0,
            unchanged: files.len(),
            removed: 0,
            kept: plan.kept,
        });
    }
    let mut pending = old.clone();
    for (path, hashes) in &new {
        pending
            .entry(path.clone())
            .or_default()
            .extend(hashes.iter().cloned());
    }
    write_manifest(site_dir, &pending)?;
    for path in &plan.write {
        let target = site_dir.join(path);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::rename(staging.join(path), &target)
            .with_context(|| format!("moving {} into place", target.display()))?;
    }
    for path in &plan.remove {
        let target = site_dir.join(path);
        std::fs::remove_file(&target).with_context(|| format!("removing {}", target.display()))?;
        remove_empty_parents(site_dir, &target);
    }
    write_manifest(site_dir, &new)?;
    if staging.exists() {
        std::fs::remove_dir_all(&staging)
            .with_context(|| format!("removing {}", staging.display()))?;
    }
    Ok(Report {
        written: plan.write.len(),
        unchanged: files.len() - plan.write.len(),
        removed: plan.remove.len(),
        kept: plan.kept,
    })
}

fn stage(staging: &Path, paths: &[String], files: &Files) -> anyhow::Result<()> {
    if staging.exists() {
        std::fs::remove_dir_all(staging)
            .with_context(|| format!("clearing {}", staging.display()))?;
    }
    for path in paths {
        let target = staging.join(path);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&target, &files[path])
            .with_context(|| format!("staging {}", target.display()))?;
    }
    Ok(())
}

/// Every file likely wrote, with the hashes it may have (two while a
/// commit is under way).
type Manifest = BTreeMap<String, Vec<String>>;

struct Plan {
    write: Vec<String>,
    remove: Vec<String>,
    kept: Vec<String>,
}

/// The bytes of `path`, `None` if there is no such file.
fn read_existing(path: &Path) -> anyhow::Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

fn plan(site_dir: &Path, old: &Manifest, files: &Files) -> anyhow::Result<Plan> {
    let mut write = Vec::new();
    for (path, bytes) in files {
        let target = site_dir.join(path);
        let Some(current) = read_existing(&target)? else {
            write.push(path.clone());
            continue;
        };
        if current == *bytes {
            continue;
        }
        let current_hash = blake3::hash(&current).to_hex().to_string();
        match old.get(path) {
            None => bail!(
                "{} exists and was not written by likely; move it away (or delete it) so likely can write its own",
                target.display()
            ),
            Some(hashes) if !hashes.contains(&current_hash) => bail!(
                "{} was edited since likely wrote it; edits belong in posts/ or experiments/. Delete the file to let likely write it again",
                target.display()
            ),
            Some(_) => write.push(path.clone()),
        }
    }
    let mut remove = Vec::new();
    let mut kept = Vec::new();
    for (path, hashes) in old {
        if files.contains_key(path) || check_relative(path).is_err() {
            continue;
        }
        match read_existing(&site_dir.join(path))? {
            Some(current) if hashes.contains(&blake3::hash(&current).to_hex().to_string()) => {
                remove.push(path.clone());
            }
            Some(_) => kept.push(path.clone()),
            None => {}
        }
    }
    Ok(Plan {
        write,
        remove,
        kept,
    })
}

fn read_manifest(site_dir: &Path) -> anyhow::Result<Manifest> {
    let path = site_dir.join(MANIFEST);
    let Some(bytes) = read_existing(&path)? else {
        return Ok(Manifest::new());
    };
    let text =
        String::from_utf8(bytes).with_context(|| format!("{}: not UTF-8", path.display()))?;
    let mut manifest = Manifest::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (hash, file) = line
            .split_once("  ")
            .with_context(|| format!("{}: malformed line `{line}`", path.display()))?;
        manifest
            .entry(file.to_string())
            .or_default()
            .push(hash.to_string());
    }
    Ok(manifest)
}

/// The manifest of a build's files.
fn manifest_of(files: &Files) -> Manifest {
    files
        .iter()
        .map(|(path, bytes)| (path.clone(), vec![blake3::hash(bytes).to_hex().to_string()]))
        .collect()
}

/// A manifest as written: a hash, two spaces and a path per line.
fn manifest_text(manifest: &Manifest) -> String {
    manifest
        .iter()
        .flat_map(|(path, hashes)| hashes.iter().map(move |h| format!("{h}  {path}\n")))
        .collect()
}

/// Writes the manifest through a temporary file and a rename.
fn write_manifest(site_dir: &Path, manifest: &Manifest) -> anyhow::Result<()> {
    let text = manifest_text(manifest);
    let tmp = site_dir.join(format!("{MANIFEST}.tmp"));
    std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, site_dir.join(MANIFEST)).context("writing the manifest")?;
    Ok(())
}

/// Refuses paths that would leave `site/`.
fn check_relative(path: &str) -> anyhow::Result<()> {
    let p = Path::new(path);
    if p.is_absolute() || p.components().any(|c| !matches!(c, Component::Normal(_))) {
        bail!("refusing to write outside site/: {path}");
    }
    Ok(())
}

/// Removes directories emptied by a removal, up to (not including) `top`.
fn remove_empty_parents(top: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == top || !d.starts_with(top) || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

/// How `site/` differs from a build's files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Differences {
    /// Files whose bytes differ.
    pub differ: Vec<String>,
    /// Files the build makes that `site/` lacks.
    pub missing: Vec<String>,
    /// Files likely wrote earlier that the build no longer makes.
    pub extra: Vec<String>,
}

impl Differences {
    /// Whether `site/` is exactly what the build makes.
    pub fn is_empty(&self) -> bool {
        self.differ.is_empty() && self.missing.is_empty() && self.extra.is_empty()
    }
}

/// Compares `files` with what `site_dir` holds, byte for byte, without
/// writing anything: the manifest too, so that a commit of `files` would
/// change nothing at all.
///
/// # Errors
/// When a file or the manifest cannot be read.
pub fn compare(site_dir: &Path, files: &Files) -> anyhow::Result<Differences> {
    let mut differences = Differences::default();
    for (path, bytes) in files {
        match read_existing(&site_dir.join(path))? {
            None => differences.missing.push(path.clone()),
            Some(current) if current != *bytes => differences.differ.push(path.clone()),
            Some(_) => {}
        }
    }
    let old = read_manifest(site_dir)?;
    for path in old.keys() {
        if !files.contains_key(path) && site_dir.join(path).exists() {
            differences.extra.push(path.clone());
        }
    }
    let expected = manifest_text(&manifest_of(files));
    match read_existing(&site_dir.join(MANIFEST))? {
        None => differences.missing.push(MANIFEST.to_string()),
        Some(current) if current != expected.as_bytes() => {
            differences.differ.push(MANIFEST.to_string());
        }
        Some(_) => {}
    }
    Ok(differences)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(entries: &[(&str, &str)]) -> Files {
        entries
            .iter()
            .map(|(p, b)| (p.to_string(), b.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn writes_then_removes_only_its_own_files() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        std::fs::create_dir_all(site.join("_posts")).unwrap();
        std::fs::write(site.join("_posts/2020-01-01-mine.md"), "hand-written").unwrap();

        let first = files(&[
            ("_posts/2025-01-01-a.md", "a"),
            ("assets/likely/x/f.svg", "<svg/>"),
        ]);
        let r = commit(&site, &first).unwrap();
        assert_eq!((r.written, r.removed), (2, 0));
        assert!(!site.join(STAGING).exists());

        let second = files(&[("_posts/2025-01-01-a.md", "a")]);
        let r = commit(&site, &second).unwrap();
        assert_eq!((r.written, r.unchanged, r.removed), (0, 1, 1));
        assert!(
            !site.join("assets").exists(),
            "emptied directories are removed"
        );
        assert_eq!(
            std::fs::read_to_string(site.join("_posts/2020-01-01-mine.md")).unwrap(),
            "hand-written"
        );
    }

    #[test]
    fn refuses_to_overwrite_foreign_or_edited_files_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        std::fs::create_dir_all(site.join("_posts")).unwrap();
        std::fs::write(site.join("_posts/2025-01-01-a.md"), "someone else's").unwrap();
        let e = commit(
            &site,
            &files(&[("_posts/2025-01-01-a.md", "a"), ("b.txt", "b")]),
        )
        .unwrap_err();
        assert!(e.to_string().contains("not written by likely"), "{e}");
        assert!(!site.join("b.txt").exists());

        std::fs::remove_file(site.join("_posts/2025-01-01-a.md")).unwrap();
        commit(&site, &files(&[("_posts/2025-01-01-a.md", "a")])).unwrap();
        std::fs::write(site.join("_posts/2025-01-01-a.md"), "edited").unwrap();
        let e = commit(&site, &files(&[("_posts/2025-01-01-a.md", "a2")])).unwrap_err();
        assert!(e.to_string().contains("edited since"), "{e}");
        assert_eq!(
            std::fs::read_to_string(site.join("_posts/2025-01-01-a.md")).unwrap(),
            "edited"
        );

        // An edited file the build no longer produces is kept, not removed.
        let r = commit(&site, &files(&[("c.txt", "c")])).unwrap();
        assert_eq!(r.kept, ["_posts/2025-01-01-a.md"]);
        assert!(site.join("_posts/2025-01-01-a.md").exists());
    }

    #[test]
    fn an_obstacle_stops_the_commit_before_anything_moves() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        std::fs::create_dir_all(&site).unwrap();
        commit(&site, &files(&[("a.txt", "a1"), ("b/c.txt", "c1")])).unwrap();
        std::fs::remove_file(site.join("b/c.txt")).unwrap();
        std::fs::create_dir_all(site.join("b/c.txt/x")).unwrap();
        let e = commit(&site, &files(&[("a.txt", "a2"), ("b/c.txt", "c2")])).unwrap_err();
        assert!(format!("{e:#}").contains("c.txt"), "{e:#}");
        assert_eq!(std::fs::read_to_string(site.join("a.txt")).unwrap(), "a1");
        assert!(!site.join(STAGING).exists());
    }

    #[test]
    fn a_commit_interrupted_half_way_is_repaired_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        std::fs::create_dir_all(&site).unwrap();
        let v1 = files(&[("a.txt", "a1"), ("b/c.txt", "c1")]);
        let v2 = files(&[("a.txt", "a2"), ("b/c.txt", "c2")]);
        commit(&site, &v1).unwrap();
        // The state a commit of v2 leaves when stopped after its first move:
        // the pending manifest knows both versions, a.txt is new, c.txt old.
        let mut pending = read_manifest(&site).unwrap();
        for (path, bytes) in &v2 {
            pending
                .get_mut(path)
                .unwrap()
                .push(blake3::hash(bytes).to_hex().to_string());
        }
        write_manifest(&site, &pending).unwrap();
        std::fs::write(site.join("a.txt"), "a2").unwrap();
        // Either version builds from here.
        commit(&site, &v1).unwrap();
        assert_eq!(std::fs::read_to_string(site.join("a.txt")).unwrap(), "a1");
        assert_eq!(read_manifest(&site).unwrap()["a.txt"].len(), 1);
    }

    #[test]
    fn refuses_paths_outside_the_site() {
        let dir = tempfile::tempdir().unwrap();
        let e = commit(dir.path(), &files(&[("../x", "x")])).unwrap_err();
        assert!(e.to_string().contains("outside"));
    }
}
