//! Reading observations for `likely fit`: one number a line, or one column
//! of a CSV file with a header row.

use std::path::Path;

use anyhow::{Context as _, bail};

/// Reads the observations in `path`: one number a line (blank lines and
/// lines starting with `#` are skipped), or, with `column`, the column of
/// that name in a CSV file whose first row names the columns.
///
/// # Errors
/// An unreadable file, a missing column, or a value that is not a number,
/// with its line.
pub fn read(path: &Path, column: Option<&str>) -> anyhow::Result<Vec<f64>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    // Spreadsheets often start files with a byte-order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    match column {
        None => one_per_line(path, text),
        Some(name) => csv_column(path, text, name),
    }
}

fn one_per_line(path: &Path, text: &str) -> anyhow::Result<Vec<f64>> {
    let mut values = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.parse::<f64>() {
            Ok(x) => values.push(x),
            Err(_) => {
                let hint = if line.contains(',') || values.is_empty() {
                    " (for a CSV file, name the column with --column)"
                } else {
                    ""
                };
                bail!(
                    "{}:{}: `{line}` is not a number{hint}",
                    path.display(),
                    i + 1
                );
            }
        }
    }
    Ok(values)
}

fn csv_column(path: &Path, text: &str, name: &str) -> anyhow::Result<Vec<f64>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .with_context(|| format!("{}: reading the header row", path.display()))?
        .clone();
    let Some(index) = headers.iter().position(|h| h == name) else {
        let names: Vec<&str> = headers.iter().collect();
        bail!(
            "{}:1: no column `{name}`; the columns are: {}",
            path.display(),
            names.join(", ")
        );
    };
    let mut values = Vec::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("{}: malformed CSV", path.display()))?;
        let line = record.position().map_or(0, |p| p.line());
        let cell = record.get(index).unwrap_or("");
        match cell.parse::<f64>() {
            Ok(x) => values.push(x),
            Err(_) => bail!(
                "{}:{line}: column `{name}` holds `{cell}`, which is not a number",
                path.display()
            ),
        }
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    #[test]
    fn reads_one_number_a_line_skipping_blanks_and_comments() {
        let f = file("# heights\n1.5\n\n-2e-3\n  7 \n");
        assert_eq!(read(f.path(), None).unwrap(), vec![1.5, -2e-3, 7.0]);
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_number() {
        let f = file("\u{feff}1\n2\n");
        assert_eq!(read(f.path(), None).unwrap(), vec![1.0, 2.0]);
    }

    #[test]
    fn reads_a_named_csv_column() {
        let f = file("id,value,label\n1, 2.5 ,a\n2,\"3.5\",\"b, c\"\n");
        assert_eq!(read(f.path(), Some("value")).unwrap(), vec![2.5, 3.5]);
    }

    #[test]
    fn errors_name_the_line_and_the_problem() {
        let f = file("1\n2\nthree\n");
        let e = read(f.path(), None).unwrap_err().to_string();
        assert!(e.ends_with(":3: `three` is not a number"), "{e}");
        let f = file("a,b\n1,2\n");
        assert!(
            read(f.path(), None)
                .unwrap_err()
                .to_string()
                .contains("--column")
        );
        let e = read(f.path(), Some("c")).unwrap_err().to_string();
        assert!(e.contains("no column `c`; the columns are: a, b"), "{e}");
        let f = file("a,b\n1,2\n3,x\n");
        let e = read(f.path(), Some("b")).unwrap_err().to_string();
        assert!(e.contains(":3: column `b` holds `x`"), "{e}");
    }
}
