//! Data, where a kind takes it: a distribution to sample, or observations
//! in a file of the project.
//!
//! ```yaml
//! data: {gamma: {shape: 2, rate: 1}}                 # a distribution
//! data: {csv: data/faithful.csv, column: waiting}    # a CSV column (a header row names them)
//! data: {csv: data/heights.csv}                      # one number a line
//! ```
//!
//! Paths are relative to the project and must stay inside it. A file is
//! read, and checked, where the spec is read, so that a missing file,
//! column or number is an error before anything runs; its content is part
//! of the spec's identity, so editing the file reruns the experiment.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use rand::Rng;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::dist::syntax::{Accept, from_text, params_of};
use crate::dist::{Dist, Univariate};

/// Observations read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct DataFile {
    /// The path as written, relative to the project.
    pub path: String,
    /// The CSV column, when the file has a header row.
    pub column: Option<String>,
    /// The observations, in file order.
    pub values: Arc<Vec<f64>>,
    /// A hash of the file's bytes.
    pub hash: String,
}

/// Data: a distribution, or observations from a file.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    /// Draws from a distribution.
    Dist(Dist),
    /// Observations from a file.
    File(DataFile),
}

impl Data {
    /// `n` draws from the distribution, or the file's observations (all of
    /// them: `n` is for distributions only).
    pub fn sample<R: Rng + ?Sized>(&self, n: usize, rng: &mut R) -> Vec<f64> {
        match self {
            Data::Dist(d) => {
                let mut xs = vec![0.0; n];
                d.sample_into(rng, &mut xs);
                xs
            }
            Data::File(f) => f.values.as_ref().clone(),
        }
    }

    /// The distribution, when the data are one.
    pub fn dist(&self) -> Option<&Dist> {
        match self {
            Data::Dist(d) => Some(d),
            Data::File(_) => None,
        }
    }

    /// How the data are named in numbers and figures: the distribution's
    /// label, or the file (and column).
    pub fn label(&self) -> String {
        match self {
            Data::Dist(d) => d.label(),
            Data::File(f) => match &f.column {
                Some(c) => format!("{} ({c})", f.path),
                None => f.path.clone(),
            },
        }
    }

    /// How many observations a file holds.
    pub fn file_len(&self) -> Option<usize> {
        match self {
            Data::Dist(_) => None,
            Data::File(f) => Some(f.values.len()),
        }
    }
}

impl Serialize for Data {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Data::Dist(d) => d.serialize(serializer),
            // The hash stands for the content: editing the file changes it.
            Data::File(f) => {
                let mut map = serializer.serialize_map(None)?;
                map.serialize_entry("csv", &f.path)?;
                if let Some(c) = &f.column {
                    map.serialize_entry("column", c)?;
                }
                map.serialize_entry("blake3", &f.hash)?;
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Data {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DataVisitor)
    }
}

struct DataVisitor;

impl<'de> Visitor<'de> for DataVisitor {
    type Value = Data;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a distribution, e.g. {normal: {mean: 0, std: 1}}, or a file, {csv: data/x.csv, column: name}")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Data, E> {
        from_text(v, Accept::default()).map(Data::Dist)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Data, A::Error> {
        let Some(first) = map.next_key::<String>()? else {
            return Err(de::Error::custom(
                "expected a family name or csv, found an empty mapping",
            ));
        };
        if first != "csv" {
            let family = Accept::default().family(&first).map_err(|e| {
                de::Error::custom(format!("{e}; or csv, for observations in a file"))
            })?;
            return params_of(family, map).map(Data::Dist);
        }
        let path: String = map.next_value()?;
        let mut column = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "column" if column.is_none() => column = Some(map.next_value::<String>()?),
                "column" => return Err(de::Error::custom("`column` is given twice")),
                other => {
                    return Err(de::Error::custom(format!(
                        "unknown field `{other}` of a data file, expected `column`"
                    )));
                }
            }
        }
        read_file(&path, column)
            .map(Data::File)
            .map_err(de::Error::custom)
    }
}

/// Where files of the spec being read live, and the files read so far
/// (each read once, however many points of a `vary:` block name it).
#[derive(Default)]
struct Scope {
    root: Option<PathBuf>,
    read: BTreeMap<(String, Option<String>), DataFile>,
}

thread_local! {
    static SCOPE: RefCell<Scope> = RefCell::new(Scope::default());
}

/// Runs `f` with data files read relative to `root` (the project).
pub fn with_root<T>(root: &Path, f: impl FnOnce() -> T) -> T {
    SCOPE.with(|s| {
        *s.borrow_mut() = Scope {
            root: Some(root.to_path_buf()),
            read: BTreeMap::new(),
        }
    });
    // Forgets the scope even if `f` panics.
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            SCOPE.with(|s| *s.borrow_mut() = Scope::default());
        }
    }
    let _reset = Reset;
    f()
}

fn read_file(path: &str, column: Option<String>) -> Result<DataFile, String> {
    let relative = Path::new(path);
    if relative.is_absolute()
        || relative
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(format!(
            "`{path}`: a data file's path is relative to the project and stays inside it (no leading / and no ..)"
        ));
    }
    let key = (path.to_string(), column.clone());
    if let Some(done) = SCOPE.with(|s| s.borrow().read.get(&key).cloned()) {
        return Ok(done);
    }
    let root = SCOPE.with(|s| s.borrow().root.clone()).unwrap_or_default();
    let full = root.join(relative);
    let bytes = std::fs::read(&full).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("the data file `{path}` does not exist"),
        _ => format!("cannot read the data file `{path}`: {e}"),
    })?;
    let values = crate::data::read(&full, column.as_deref()).map_err(|e| {
        // The message names the full path; the user wrote the relative one.
        format!("{e:#}").replace(&full.display().to_string(), path)
    })?;
    if values.is_empty() {
        return Err(match &column {
            Some(c) => format!("the column `{c}` of `{path}` holds no numbers"),
            None => format!("the data file `{path}` holds no numbers"),
        });
    }
    let file = DataFile {
        path: path.to_string(),
        column,
        values: Arc::new(values),
        hash: blake3::hash(&bytes).to_hex().to_string(),
    };
    SCOPE.with(|s| s.borrow_mut().read.insert(key, file.clone()));
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_in(dir: &Path, src: &str) -> Result<Data, String> {
        with_root(dir, || crate::yaml::from_yaml::<Data>(src)).map_err(|e| e.to_string())
    }

    #[test]
    fn data_is_a_distribution_or_a_column_of_a_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("data")).unwrap();
        std::fs::write(
            dir.path().join("data/w.csv"),
            "eruptions,waiting\n3.6,79\n1.8,54\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("data/one.csv"), "# minutes\n1.5\n2.5\n").unwrap();
        let d = read_in(dir.path(), "{csv: data/w.csv, column: waiting}").unwrap();
        let Data::File(f) = &d else { panic!("a file") };
        assert_eq!(*f.values, vec![79.0, 54.0]);
        assert_eq!(d.label(), "data/w.csv (waiting)");
        let d = read_in(dir.path(), "{csv: data/one.csv}").unwrap();
        assert_eq!(
            d.sample(0, &mut crate::experiment::stream(1, &[])),
            vec![1.5, 2.5]
        );
        let d = read_in(dir.path(), "{gamma: {shape: 2, rate: 1}}").unwrap();
        assert_eq!(d.dist().unwrap().family().name, "gamma");
        let d = read_in(dir.path(), "'normal(mean=1, std=2)'").unwrap();
        assert!(d.dist().is_some());
    }

    #[test]
    fn the_content_is_part_of_the_identity() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x.csv"), "1\n2\n").unwrap();
        let a = serde_json::to_string(&read_in(dir.path(), "{csv: x.csv}").unwrap()).unwrap();
        std::fs::write(dir.path().join("x.csv"), "1\n3\n").unwrap();
        let b = serde_json::to_string(&read_in(dir.path(), "{csv: x.csv}").unwrap()).unwrap();
        assert_ne!(a, b);
        assert!(a.contains("\"csv\":\"x.csv\""), "{a}");
    }

    #[test]
    fn bad_files_are_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("w.csv"), "a,b\n1,2\n3,x\n").unwrap();
        std::fs::write(dir.path().join("empty.csv"), "a,b\n").unwrap();
        let e = read_in(dir.path(), "{csv: nope.csv}").unwrap_err();
        assert!(e.contains("`nope.csv` does not exist"), "{e}");
        let e = read_in(dir.path(), "{csv: w.csv, column: c}").unwrap_err();
        assert!(e.contains("no column `c`; the columns are: a, b"), "{e}");
        let e = read_in(dir.path(), "{csv: w.csv, column: b}").unwrap_err();
        assert!(e.contains("w.csv:3: column `b` holds `x`"), "{e}");
        let e = read_in(dir.path(), "{csv: empty.csv, column: a}").unwrap_err();
        assert!(e.contains("holds no numbers"), "{e}");
        let e = read_in(dir.path(), "{csv: ../w.csv}").unwrap_err();
        assert!(e.contains("stays inside it"), "{e}");
        let e = read_in(dir.path(), "{csv: /etc/passwd}").unwrap_err();
        assert!(e.contains("stays inside it"), "{e}");
        let e = read_in(dir.path(), "{csv: w.csv, colum: a}").unwrap_err();
        assert!(e.contains("unknown field `colum`"), "{e}");
        let e = read_in(dir.path(), "{gama: {shape: 1}}").unwrap_err();
        assert!(
            e.contains("unknown family `gama`") && e.contains("csv"),
            "{e}"
        );
    }
}
