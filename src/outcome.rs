//! What an experiment produces: numbers for posts, tables and figures.

use serde::{Deserialize, Serialize};

use crate::chart::Figure;
use crate::number::{Power, readable};

/// The result of running one experiment, the same whether computed or read
/// back from the cache.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// The headline numbers, as a tree posts can reference
    /// (`{{ kl_monte_carlo.closed_form }}`) and `numbers.json` holds.
    pub numbers: serde_json::Value,
    /// Tables of numbers, the first being the default for `table(id=...)`.
    pub tables: Vec<Table>,
    /// Figures, by name.
    pub figures: Vec<Figure>,
    /// What a reader of the numbers should know: an estimate whose error
    /// bar means nothing, a fit that does not exist. The build prints them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// A table of numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// The name posts use: `table(id="<experiment>.<name>")`.
    pub name: String,
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows, one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

/// A column: a header and how its numbers are written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// The header, Markdown (math allowed).
    pub header: String,
    /// How numbers in the column are formatted.
    pub format: Format,
}

impl Column {
    /// A column.
    pub fn new(header: &str, format: Format) -> Self {
        Self {
            header: header.to_string(),
            format,
        }
    }
}

/// How a number is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Format {
    /// A whole number.
    Int,
    /// Fixed-point with this many digits after the point.
    Fixed(u8),
    /// This many significant digits after the first, written as a person
    /// writes them: fixed notation for moderate magnitudes, scientific only
    /// for very small or large ones (see [`crate::number::readable`]).
    Sci(u8),
}

impl Format {
    /// Writes `x`.
    pub fn apply(self, x: f64) -> String {
        match self {
            Format::Int => format!("{x:.0}"),
            Format::Fixed(d) => format!("{x:.*}", d as usize),
            Format::Sci(d) => readable(x, d as usize + 1, Power::Unicode),
        }
    }
}

/// One table cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Cell {
    /// A number, written with its column's format.
    Num(f64),
    /// Text, as is.
    Text(String),
}

impl Table {
    /// The cells as strings, row by row.
    pub fn formatted(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|row| {
                row.iter()
                    .zip(&self.columns)
                    .map(|(cell, col)| match cell {
                        Cell::Num(x) => col.format.apply(*x),
                        Cell::Text(s) => s.clone(),
                    })
                    .collect()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_numbers_near_one_are_not_in_scientific_notation() {
        assert_eq!(Format::Sci(3).apply(2.101), "2.101");
        assert_eq!(Format::Sci(2).apply(0.001_760_78), "0.00176");
        assert_eq!(Format::Sci(2).apply(-2.6e-5), "-2.60 × 10⁻⁵");
        assert_eq!(Format::Fixed(2).apply(0.5), "0.50");
        assert_eq!(Format::Int.apply(1e6), "1000000");
    }
}
