//! Drawn figures kept on disk, so a build whose outcomes came from the
//! cache does not draw (and PNG-encode) the same figures again.
//!
//! A drawing is a function of the figure's description and of the code
//! drawing it, nothing else ([`super::draw`] is byte-for-byte
//! deterministic), so it is kept under a hash of both: the description in
//! MessagePack, which holds every float's bits, and the build of likely.
//! A spec that retitles a figure changes its description, so it is drawn
//! again even though the outcome was cached.

use std::path::{Path, PathBuf};

use super::{FigureError, draw};
use crate::chart::Figure;

/// Drawn figures kept per experiment and figure name.
const KEEP: usize = 5;

/// A directory of drawn figures, for one build of likely.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
    build: String,
}

impl Cache {
    /// Drawn figures in `dir`, valid for the build `build` (see
    /// [`crate::run::build_fingerprint`]).
    pub fn new(dir: PathBuf, build: String) -> Self {
        Self { dir, build }
    }

    /// Figure `figure` of experiment `id` as SVG: read from the cache if it
    /// was drawn before, drawn (and kept) otherwise. The cache only saves
    /// time: a missing, damaged or unwritable entry means drawing.
    ///
    /// # Errors
    /// When the figure cannot be drawn.
    pub fn draw(&self, id: &str, figure: &Figure) -> Result<String, FigureError> {
        let Some(key) = self.key(figure) else {
            return draw(figure);
        };
        let prefix = format!("{id}.{}.", figure.name);
        let file = self.dir.join(format!("{prefix}{}.svg", &key[..32]));
        if let Ok(svg) = std::fs::read_to_string(&file) {
            return Ok(svg);
        }
        let svg = draw(figure)?;
        if std::fs::create_dir_all(&self.dir).is_ok() {
            let tmp = file.with_extension("svg.tmp");
            if std::fs::write(&tmp, &svg).is_ok() && std::fs::rename(&tmp, &file).is_ok() {
                prune(&self.dir, &prefix);
            }
        }
        Ok(svg)
    }

    /// The hash of `figure` drawn by this build; `None` if it cannot be
    /// serialized (it always can).
    fn key(&self, figure: &Figure) -> Option<String> {
        let bytes = rmp_serde::to_vec_named(figure).ok()?;
        let mut hasher = blake3::Hasher::new();
        hasher.update(b"likely figure v1\0");
        hasher.update(self.build.as_bytes());
        hasher.update(b"\0");
        hasher.update(&bytes);
        Some(hasher.finalize().to_hex().to_string())
    }
}

/// Keeps the most recent drawings whose names start with `prefix`.
fn prune(dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            // `<prefix><hash>.svg`: a figure whose name extends this one's
            // (`a.b` and `a.b.c`) has a dot where the hash is.
            name.strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix(".svg"))
                .is_some_and(|hash| hash.bytes().all(|b| b.is_ascii_hexdigit()))
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    files.sort();
    let excess = files.len().saturating_sub(KEEP);
    for (_, path) in files.into_iter().take(excess) {
        let _ = std::fs::remove_file(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{Axis, Corner, Heatmap, Panel};

    fn figure(title: &str, z: f64) -> Figure {
        Figure {
            name: "surface".into(),
            width: 240,
            height: 160,
            panels: vec![Panel::Heatmap(Heatmap {
                title: title.into(),
                x: Axis::linear("x"),
                y: Axis::linear("y"),
                xs: vec![0.0, 1.0],
                ys: vec![0.0, 1.0],
                z: vec![0.0, 1.0, 2.0, z],
                z_label: "z".into(),
                z_range: None,
                overlays: Vec::new(),
                legend: Corner::UpperRight,
            })],
        }
    }

    fn entries(dir: &Path) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        files
    }

    #[test]
    fn a_kept_drawing_is_read_back_instead_of_drawn() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf(), "build a".into());
        let f = figure("t", 3.0);
        assert_eq!(cache.draw("e", &f), draw(&f));
        let kept = entries(dir.path());
        assert_eq!(kept.len(), 1, "{kept:?}");
        // What is on disk is what comes back: it was not drawn again.
        std::fs::write(&kept[0], "<svg>kept</svg>").unwrap();
        assert_eq!(cache.draw("e", &f).unwrap(), "<svg>kept</svg>");
    }

    #[test]
    fn a_changed_figure_or_build_is_drawn_again() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf(), "build a".into());
        let other = Cache::new(dir.path().to_path_buf(), "build b".into());
        let variants = [
            figure("t", 3.0),
            figure("u", 3.0),
            figure("t", f64::NAN),
            figure("t", f64::INFINITY),
        ];
        for f in &variants {
            assert_eq!(cache.draw("e", f), draw(f));
        }
        assert_eq!(other.draw("e", &variants[0]), draw(&variants[0]));
        // NaN and +∞ are told apart, as a text format writing both as
        // null would not.
        assert_eq!(entries(dir.path()).len(), 5);
        for f in &variants[..2] {
            assert_eq!(cache.draw("e", f), draw(f));
        }
        assert_eq!(entries(dir.path()).len(), 5);
    }

    #[test]
    fn only_the_latest_drawings_of_a_figure_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf(), "build".into());
        for k in 0..KEEP + 3 {
            assert!(cache.draw("e", &figure("t", k as f64 + 3.0)).is_ok());
        }
        assert!(cache.draw("other", &figure("t", 3.0)).is_ok());
        let names: Vec<String> = entries(dir.path())
            .iter()
            .filter_map(|p| Some(p.file_name()?.to_string_lossy().into_owned()))
            .collect();
        assert_eq!(names.iter().filter(|n| n.starts_with("e.")).count(), KEEP);
        assert_eq!(names.iter().filter(|n| n.starts_with("other.")).count(), 1);
    }
}
