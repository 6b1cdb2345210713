//! The layers of `src/lib.rs`: no module uses one from a layer above it.

use std::path::{Path, PathBuf};

/// The layers, lowest first, as `lib.rs` documents them.
const LAYERS: &[&[&str]] = &[
    &[
        "numeric", "yaml", "json", "data", "diag", "paths", "console", "number", "expr", "html",
    ],
    &["dist"],
    &["stats"],
    &["vocab"],
    &["chart", "outcome"],
    &["experiment"],
    &["spec"],
    &["run"],
    &["figure"],
    &["config", "bib", "render"],
    &["site"],
    &["layout", "build", "serve", "scaffold"],
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The modules `text` refers to as `crate::NAME` or `crate::{NAME, ...}`,
/// outside comments and tests.
fn uses(text: &str) -> Vec<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or(text);
    let code: String = code
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut found = Vec::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + 7..];
        let Some(group) = rest.strip_prefix('{') else {
            found.push(ident(rest));
            continue;
        };
        // The items of the group, split at commas outside nested braces.
        let (mut depth, mut start) = (0, 0);
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    found.push(ident(&group[start..i]));
                    break;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    found.push(ident(&group[start..i]));
                    start = i + 1;
                }
                _ => {}
            }
        }
    }
    found.retain(|name| !name.is_empty());
    found
}

#[test]
fn no_module_uses_a_layer_above_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let top = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if ["lib", "main", "cli", "cmd", "testing"].contains(&top.as_str()) {
            continue;
        }
        let own = layer(&top).unwrap_or_else(|| panic!("src/{top} is in no layer of LAYERS"));
        for used in uses(&std::fs::read_to_string(file).unwrap()) {
            match layer(&used) {
                Some(l) if l > own => {
                    wrong.push(format!("{} uses crate::{used}", relative.display()))
                }
                Some(_) => {}
                None => panic!("{}: crate::{used} is in no layer", relative.display()),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "uses of a higher layer:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_module_of_lib_rs_has_a_layer() {
    let lib =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    for line in lib.lines() {
        if let Some(name) = line
            .strip_prefix("pub mod ")
            .and_then(|l| l.strip_suffix(';'))
        {
            assert!(layer(name).is_some(), "module {name} is in no layer");
            assert!(
                lib.contains(&format!("[`{name}`]")),
                "lib.rs's table does not name {name}"
            );
        }
    }
}
