//! Distributions written as text: `normal(mean=0, std=1)`,
//! `mixture(weights=[0.3, 0.7], components=[normal(mean=-2, std=0.6), normal(mean=1.5, std=1)])`,
//! `mvnormal(mean=[0, 0], cov=[[1, 0.5], [0.5, 2]])`.
//!
//! The command line uses this syntax, and specs accept it as a string
//! wherever they name a distribution. Parameters are named exactly as in
//! YAML; errors give the column.

use std::fmt;

use super::param::{self, ParamDef, ParamKind, ParamValue};
use super::{AnyDist, Dist, FamilyDef, MvNormal};

/// A syntax or parameter error at a column (1-based, in characters).
#[derive(Debug, Clone, PartialEq)]
pub struct TextError {
    /// Where, in characters from 1.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for TextError {}

/// Parses a distribution of any dimension.
///
/// # Errors
/// A [`TextError`] with the column of the problem.
pub fn parse(text: &str) -> Result<AnyDist, TextError> {
    let mut p = Parser {
        chars: text.chars().collect(),
        pos: 0,
        depth: 0,
    };
    let call = p.call()?;
    p.skip_space();
    if p.pos < p.chars.len() {
        return Err(p.error("unexpected text after the distribution"));
    }
    build(&call)
}

/// Parses a one-dimensional distribution.
///
/// # Errors
/// A [`TextError`], also when the distribution is multivariate.
pub fn parse_uni(text: &str) -> Result<Dist, TextError> {
    match parse(text)? {
        AnyDist::Uni(d) => Ok(d),
        AnyDist::MvNormal(_) => Err(TextError {
            column: 1,
            message: "mvnormal is multivariate; a one-dimensional distribution is needed here"
                .into(),
        }),
    }
}

/// A parsed value, with the column where it starts.
#[derive(Debug, Clone)]
enum Raw {
    Num(f64, usize),
    List(Vec<Raw>, usize),
    Call(Call),
}

impl Raw {
    fn column(&self) -> usize {
        match self {
            Raw::Num(_, c) | Raw::List(_, c) => *c,
            Raw::Call(call) => call.column,
        }
    }
}

#[derive(Debug, Clone)]
struct Call {
    name: String,
    column: usize,
    args: Vec<(String, usize, Raw)>,
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    /// How many lists and calls enclose the current position.
    depth: usize,
}

/// Lists and distributions nest at most this deep: no family needs more
/// than three levels, and a limit keeps hostile input from exhausting the
/// stack.
const MAX_DEPTH: usize = 32;

impl Parser {
    fn error(&self, message: impl Into<String>) -> TextError {
        TextError {
            column: self.pos + 1,
            message: message.into(),
        }
    }

    fn skip_space(&mut self) {
        while self.chars.get(self.pos).is_some_and(|c| c.is_whitespace()) {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_space();
        self.chars.get(self.pos).copied()
    }

    fn expect(&mut self, want: char) -> Result<(), TextError> {
        match self.peek() {
            Some(c) if c == want => {
                self.pos += 1;
                Ok(())
            }
            Some(c) => Err(self.error(format!("expected `{want}`, found `{c}`"))),
            None => Err(self.error(format!("expected `{want}`, found the end"))),
        }
    }

    fn ident(&mut self) -> Result<(String, usize), TextError> {
        self.skip_space();
        let start = self.pos;
        while self
            .chars
            .get(self.pos)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
        {
            self.pos += 1;
        }
        if start == self.pos {
            return Err(self.error("expected a name"));
        }
        Ok((self.chars[start..self.pos].iter().collect(), start + 1))
    }

    fn call(&mut self) -> Result<Call, TextError> {
        let (name, column) = self.ident()?;
        self.expect('(')?;
        let mut args = Vec::new();
        if self.peek() != Some(')') {
            loop {
                let (arg, at) = self.ident()?;
                self.expect('=')?;
                let value = self.value()?;
                args.push((arg, at, value));
                match self.peek() {
                    Some(',') => self.pos += 1,
                    _ => break,
                }
            }
        }
        self.expect(')')?;
        Ok(Call { name, column, args })
    }

    fn value(&mut self) -> Result<Raw, TextError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(format!("nested more than {MAX_DEPTH} levels deep")));
        }
        self.depth += 1;
        let value = self.value_inner();
        self.depth -= 1;
        value
    }

    fn value_inner(&mut self) -> Result<Raw, TextError> {
        match self.peek() {
            Some('[') => {
                let column = self.pos + 1;
                self.pos += 1;
                let mut items = Vec::new();
                if self.peek() != Some(']') {
                    loop {
                        items.push(self.value()?);
                        match self.peek() {
                            Some(',') => self.pos += 1,
                            _ => break,
                        }
                    }
                }
                self.expect(']')?;
                Ok(Raw::List(items, column))
            }
            Some(c) if c.is_ascii_alphabetic() && self.at_distribution() => {
                self.call().map(Raw::Call)
            }
            Some(_) => self.number(),
            None => Err(self.error("expected a value, found the end")),
        }
    }

    /// Whether a distribution starts here: a family's name and `(`, not a
    /// name or function of an expression (`ab`, `sqrt(ab)`).
    fn at_distribution(&self) -> bool {
        let rest = &self.chars[self.pos..];
        let name: String = rest
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
            .collect();
        let after = rest[name.chars().count()..]
            .iter()
            .find(|c| !c.is_whitespace());
        after == Some(&'(') && !crate::expr::is_reserved(&name)
    }

    /// A number, or an expression over the names of a `vary:` block: the
    /// text up to the `,`, `)`, `]` or `=` that ends it.
    fn number(&mut self) -> Result<Raw, TextError> {
        self.skip_space();
        let start = self.pos;
        let mut depth = 0usize;
        while let Some(&c) = self.chars.get(self.pos) {
            match c {
                '(' => depth += 1,
                ')' if depth == 0 => break,
                ')' => depth -= 1,
                ',' | ']' if depth == 0 => break,
                '=' => break,
                _ => {}
            }
            self.pos += 1;
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        let text = text.trim_end();
        if text.is_empty() {
            return Err(TextError {
                column: start + 1,
                message: "expected a number, a list or a distribution".into(),
            });
        }
        crate::expr::value_of(text)
            .map(|x| Raw::Num(x, start + 1))
            .map_err(|e| TextError {
                column: start + e.column.unwrap_or(1),
                message: e.message,
            })
    }
}

fn build(call: &Call) -> Result<AnyDist, TextError> {
    let at = |column: usize, message: String| TextError { column, message };
    if call.name == MvNormal::NAME {
        let values = values_for(call, MvNormal::PARAMS)?;
        return MvNormal::from_params(&values)
            .map(AnyDist::MvNormal)
            .map_err(|e| at(call.column, e.to_string()));
    }
    let family = FamilyDef::find(&call.name).ok_or_else(|| {
        at(
            call.column,
            format!(
                "unknown family `{}`, expected one of: {}, {}",
                call.name,
                FamilyDef::names(),
                MvNormal::NAME
            ),
        )
    })?;
    let values = values_for(call, family.params)?;
    family
        .build(&values)
        .map(AnyDist::Uni)
        .map_err(|e| at(call.column, e.to_string()))
}

/// Matches the call's arguments to `defs`, converting each value.
fn values_for(call: &Call, defs: &[ParamDef]) -> Result<Vec<ParamValue>, TextError> {
    let names = || defs.iter().map(|d| d.name).collect::<Vec<_>>().join(", ");
    let mut slots: Vec<Option<ParamValue>> = vec![None; defs.len()];
    for (name, column, raw) in &call.args {
        let index = defs
            .iter()
            .position(|d| d.name == *name)
            .ok_or_else(|| TextError {
                column: *column,
                message: format!(
                    "unknown parameter `{name}` of {}, expected: {}",
                    call.name,
                    names()
                ),
            })?;
        if slots[index].is_some() {
            return Err(TextError {
                column: *column,
                message: format!("parameter `{name}` is given twice"),
            });
        }
        slots[index] = Some(convert(&defs[index], raw)?);
    }
    slots
        .into_iter()
        .zip(defs)
        .map(|(slot, def)| {
            slot.ok_or_else(|| TextError {
                column: call.column,
                message: format!(
                    "missing parameter `{}` of {} (it takes {})",
                    def.name,
                    call.name,
                    names()
                ),
            })
        })
        .collect()
}

fn convert(def: &ParamDef, raw: &Raw) -> Result<ParamValue, TextError> {
    let wrong = |what: &str| TextError {
        column: raw.column(),
        message: format!("`{}` must be {what}", def.name),
    };
    let numbers = |items: &[Raw]| -> Result<Vec<f64>, TextError> {
        items
            .iter()
            .map(|item| match item {
                Raw::Num(x, _) => Ok(*x),
                other => Err(TextError {
                    column: other.column(),
                    message: format!("`{}` must hold numbers", def.name),
                }),
            })
            .collect()
    };
    let checked = |result: Result<(), param::ParamError>| {
        result.map_err(|e| TextError {
            column: raw.column(),
            message: e.to_string(),
        })
    };
    match (def.kind, raw) {
        (ParamKind::Scalar(c), Raw::Num(x, _)) => {
            checked(c.check(def.name, *x).map(|_| ()))?;
            Ok(ParamValue::Scalar(*x))
        }
        (ParamKind::Scalar(c), _) => Err(wrong(&c.to_string())),
        (ParamKind::Simplex, Raw::List(items, _)) => {
            let xs = numbers(items)?;
            checked(param::check_simplex(def.name, &xs))?;
            Ok(ParamValue::Vector(xs))
        }
        (ParamKind::Vector, Raw::List(items, _)) => {
            let xs = numbers(items)?;
            if xs.is_empty() {
                return Err(wrong("a non-empty list of numbers"));
            }
            Ok(ParamValue::Vector(xs))
        }
        (ParamKind::Matrix, Raw::List(rows, _)) => rows
            .iter()
            .map(|row| match row {
                Raw::List(items, _) => numbers(items),
                other => Err(TextError {
                    column: other.column(),
                    message: format!("`{}` must be a list of rows", def.name),
                }),
            })
            .collect::<Result<_, _>>()
            .map(ParamValue::Matrix),
        (ParamKind::Components, Raw::List(items, _)) => items
            .iter()
            .map(|item| match item {
                Raw::Call(call) => match build(call)? {
                    AnyDist::Uni(d) => Ok(d),
                    AnyDist::MvNormal(_) => Err(TextError {
                        column: call.column,
                        message: "mixture components must be one-dimensional".into(),
                    }),
                },
                other => Err(TextError {
                    column: other.column(),
                    message: format!("`{}` must be a list of distributions", def.name),
                }),
            })
            .collect::<Result<_, _>>()
            .map(ParamValue::Components),
        (ParamKind::Simplex | ParamKind::Vector, _) => Err(wrong("a list of numbers")),
        (ParamKind::Matrix, _) => Err(wrong("a list of rows, e.g. [[1, 0], [0, 1]]")),
        (ParamKind::Components, _) => Err(wrong("a list of distributions")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Univariate;

    #[test]
    fn parses_families_lists_and_nested_distributions() {
        let d = parse_uni("normal(mean=0, std=1)").unwrap();
        assert_eq!(d.label(), "normal(mean=0, std=1)");
        let m = parse_uni(
            "mixture(weights=[0.3,0.7], components=[normal(mean=-2,std=0.6), normal(mean=1.5,std=1)])",
        )
        .unwrap();
        assert!((m.mean() - 0.45).abs() < 1e-15);
        let mv = parse(" mvnormal( mean = [0, 1e-3], cov=[[1, 0.5], [0.5, 2]] ) ").unwrap();
        assert_eq!(mv.family_name(), "mvnormal");
    }

    #[test]
    fn errors_give_the_column_and_name_the_parameter() {
        let e = parse("normal(mean=0, std=-1)").unwrap_err();
        assert_eq!(e.column, 20);
        assert!(e.message.contains("std"), "{e}");
        let e = parse("normal(mean=0, sd=1)").unwrap_err();
        assert_eq!(e.column, 16);
        assert!(e.message.contains("unknown parameter `sd`"));
        let e = parse("normal(mean=0 std=1)").unwrap_err();
        assert_eq!(e.column, 15);
        let e = parse("mixture(weights=[0.3, 0.6], components=[normal(mean=0, std=1), normal(mean=1, std=1)])").unwrap_err();
        assert!(e.message.contains("sum to 1"), "{e}");
        let e = parse("gamma(shape=1, rate=1)x").unwrap_err();
        assert!(
            e.message.contains("unexpected text") || e.message.contains("unknown family"),
            "{e}"
        );
        assert!(parse("normal(mean=nan, std=1)").is_err());
        assert!(
            parse("normal(mean=0)")
                .unwrap_err()
                .message
                .contains("missing parameter `std`")
        );
        assert!(parse_uni("mvnormal(mean=[0], cov=[[1]])").is_err());
        assert!(parse("").is_err());
        let deep = format!("normal(mean={}, std=1)", "[".repeat(100_000));
        assert!(parse(&deep).unwrap_err().message.contains("nested"));
    }
}
