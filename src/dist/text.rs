//! Distributions written as text: `normal(mean=0, std=1)`,
//! `mixture(weights=[0.3, 0.7], components=[normal(mean=-2, std=0.6), normal(mean=1.5, std=1)])`,
//! `mvnormal(mean=[0, 0], cov=[[1, 0.5], [0.5, 2]])`.
//!
//! The command line uses this syntax, and specs accept it as a string
//! wherever they name a distribution. Parameters are named exactly as in
//! YAML; errors give the column.
//!
//! A [`Template`] is a distribution whose parameters are expressions in
//! variables, `normal(mean = z^2, std = 0.5)`: read once, and built at each
//! value of the variables.

use std::fmt;

use super::param::{self, ParamDef, ParamError, ParamKind, ParamValue};
use super::{AnyDist, Dist, FamilyDef, MvNormal};
use crate::expr::Function;

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
    build(&Parser::new(text, None).whole()?)
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

/// The most parameters a [`Template`]'s family may have: it builds its
/// members from an array of this size, without allocating.
const MAX_TEMPLATE_PARAMS: usize = 4;

/// A one-dimensional distribution whose parameters are expressions in
/// variables: `normal(mean = z^2, std = 0.5)` in `z`. Read and checked
/// once; [`Template::at`] builds the member at given values of the
/// variables, cheaply enough to do at every draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    text: String,
    family: &'static FamilyDef,
    params: Vec<Function>,
}

/// Parses a [`Template`] in the variables `free`: a family with scalar
/// parameters, each an expression in `free`, constants and the names of
/// the `vary:` point being read. Parameters that do not depend on the
/// variables are checked here.
///
/// # Errors
/// A [`TextError`] with the column of the problem: malformed text, an
/// unknown family or one whose parameters are not all scalars, an unknown,
/// missing or repeated parameter, a name that is not a variable (the
/// message lists them), or a constant parameter out of its range.
pub fn parse_template(text: &str, free: &[&str]) -> Result<Template, TextError> {
    let call = Parser::new(text, Some(free)).whole()?;
    let at = |message: String| TextError {
        column: call.column,
        message,
    };
    if call.name == MvNormal::NAME {
        return Err(at(
            "mvnormal is multivariate; a one-dimensional distribution is needed here".into(),
        ));
    }
    let family = FamilyDef::find(&call.name).ok_or_else(|| {
        at(format!(
            "unknown family `{}`, expected one of: {}",
            call.name,
            FamilyDef::names()
        ))
    })?;
    if !family.is_scalar() || family.params.len() > MAX_TEMPLATE_PARAMS {
        return Err(at(format!(
            "the {} family cannot be used here: only families with scalar parameters can",
            family.name
        )));
    }
    let params = values_for(&call, family.params, function)?;
    if params.iter().all(Function::is_constant) {
        let values: Vec<f64> = params.iter().map(|f| f.at(&[])).collect();
        family
            .build_scalars(&values)
            .map_err(|e| at(e.to_string()))?;
    }
    Ok(Template {
        text: text.to_string(),
        family,
        params,
    })
}

impl Template {
    /// The text it was read from.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The family.
    pub fn family(&self) -> &'static FamilyDef {
        self.family
    }

    /// The member at `args`, the values of the variables in the order given
    /// to [`parse_template`]. Allocates nothing unless it fails.
    ///
    /// # Errors
    /// A [`ParamError`] naming the first parameter that is not finite or
    /// not valid for the family there.
    #[inline]
    pub fn at(&self, args: &[f64]) -> Result<Dist, ParamError> {
        let mut values: [ParamValue; MAX_TEMPLATE_PARAMS] =
            std::array::from_fn(|_| ParamValue::Scalar(f64::NAN));
        for (slot, f) in values.iter_mut().zip(&self.params) {
            *slot = ParamValue::Scalar(f.at(args));
        }
        self.family.build(&values[..self.params.len()])
    }
}

/// A parsed value, with the column where it starts.
#[derive(Debug, Clone)]
enum Raw {
    Num(f64, usize),
    /// An expression in a [`Template`]'s variables.
    Fn(Function, usize),
    List(Vec<Raw>, usize),
    Call(Call),
}

impl Raw {
    fn column(&self) -> usize {
        match self {
            Raw::Num(_, c) | Raw::Fn(_, c) | Raw::List(_, c) => *c,
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

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    /// How many lists and calls enclose the current position.
    depth: usize,
    /// A [`Template`]'s variables: numbers are then read as expressions
    /// in them.
    free: Option<&'a [&'a str]>,
}

/// Lists and distributions nest at most this deep: no family needs more
/// than three levels, and a limit keeps hostile input from exhausting the
/// stack.
const MAX_DEPTH: usize = 32;

impl<'a> Parser<'a> {
    fn new(text: &str, free: Option<&'a [&'a str]>) -> Self {
        Self {
            chars: text.chars().collect(),
            pos: 0,
            depth: 0,
            free,
        }
    }

    /// A distribution and nothing after it.
    fn whole(&mut self) -> Result<Call, TextError> {
        let call = self.call()?;
        self.skip_space();
        if self.pos < self.chars.len() {
            return Err(self.error("unexpected text after the distribution"));
        }
        Ok(call)
    }

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
        let value = match self.free {
            Some(free) => Function::parse(text, free).map(|f| Raw::Fn(f, start + 1)),
            None => crate::expr::value_of(text).map(|x| Raw::Num(x, start + 1)),
        };
        value.map_err(|e| TextError {
            column: start + e.column.unwrap_or(1),
            message: e.message,
        })
    }
}

fn build(call: &Call) -> Result<AnyDist, TextError> {
    let at = |column: usize, message: String| TextError { column, message };
    if call.name == MvNormal::NAME {
        let values = values_for(call, MvNormal::PARAMS, convert)?;
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
    let values = values_for(call, family.params, convert)?;
    family
        .build(&values)
        .map(AnyDist::Uni)
        .map_err(|e| at(call.column, e.to_string()))
}

/// Matches the call's arguments to `defs`, converting each value.
fn values_for<T>(
    call: &Call,
    defs: &[ParamDef],
    convert: impl Fn(&ParamDef, &Raw) -> Result<T, TextError>,
) -> Result<Vec<T>, TextError> {
    let names = || defs.iter().map(|d| d.name).collect::<Vec<_>>().join(", ");
    let mut slots: Vec<Option<T>> = defs.iter().map(|_| None).collect();
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

/// A [`Template`]'s parameter: an expression, checked now when it does
/// not depend on the variables.
fn function(def: &ParamDef, raw: &Raw) -> Result<Function, TextError> {
    match (def.kind, raw) {
        (ParamKind::Scalar(c), Raw::Fn(f, column)) => {
            if f.is_constant() {
                c.check(def.name, f.at(&[])).map_err(|e| TextError {
                    column: *column,
                    message: e.to_string(),
                })?;
            }
            Ok(f.clone())
        }
        (ParamKind::Scalar(c), other) => Err(TextError {
            column: other.column(),
            message: format!("`{}` must be {c}", def.name),
        }),
        // Refused with the family, before any parameter is read.
        _ => Err(TextError {
            column: raw.column(),
            message: format!("`{}` is not a scalar parameter", def.name),
        }),
    }
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
    fn templates_build_their_member_at_each_value_of_the_variable() {
        let t = parse_template("normal(mean = 2*z + 0.5, std = 0.8)", &["z"]).unwrap();
        assert_eq!(t.family().name, "normal");
        assert_eq!(t.text(), "normal(mean = 2*z + 0.5, std = 0.8)");
        assert_eq!(t.at(&[1.0]).unwrap().label(), "normal(mean=2.5, std=0.8)");
        assert_eq!(t.at(&[-0.25]).unwrap().label(), "normal(mean=0, std=0.8)");
        let p = parse_template("poisson(rate = exp(z))", &["z"]).unwrap();
        assert_eq!(p.at(&[0.0]).unwrap().mean(), 1.0);
        let s = parse_template("student_t(df = 3, loc = z^2, scale = 1 + abs(z))", &["z"]).unwrap();
        assert_eq!(
            s.at(&[-2.0]).unwrap().label(),
            "student_t(df=3, loc=4, scale=3)"
        );
        // Parameters that depend on the variable are checked where built.
        let e = parse_template("normal(mean = 0, std = z)", &["z"])
            .unwrap()
            .at(&[-1.0])
            .unwrap_err();
        assert_eq!(e.param, "std");
        let e = parse_template("normal(mean = exp(z), std = 1)", &["z"])
            .unwrap()
            .at(&[1000.0])
            .unwrap_err();
        assert_eq!(e.param, "mean");
    }

    #[test]
    fn template_errors_give_the_column() {
        let e = parse_template("normal(mean = y*z, std = 1)", &["z"]).unwrap_err();
        assert_eq!(e.column, 15, "{e}");
        assert!(
            e.message
                .contains("unknown name `y`; the names here are: z"),
            "{e}"
        );
        let e = parse_template("norml(mean = z, std = 1)", &["z"]).unwrap_err();
        assert_eq!(e.column, 1);
        assert!(e.message.contains("unknown family `norml`"), "{e}");
        let e = parse_template(
            "mixture(weights = [1], components = [normal(mean = z, std = 1)])",
            &["z"],
        )
        .unwrap_err();
        assert!(
            e.message.contains("only families with scalar parameters"),
            "{e}"
        );
        let e = parse_template("normal(mean = z, std = -1)", &["z"]).unwrap_err();
        assert_eq!(e.column, 24, "{e}");
        assert!(e.message.contains("std"), "{e}");
        let e = parse_template("uniform(low = 1, high = 0)", &["z"]).unwrap_err();
        assert!(e.message.contains("low"), "{e}");
        let e = parse_template("normal(mean = z)", &["z"]).unwrap_err();
        assert!(e.message.contains("missing parameter `std`"), "{e}");
        let e = parse_template("mvnormal(mean = [z], cov = [[1]])", &["z"]).unwrap_err();
        assert!(e.message.contains("multivariate"), "{e}");
        let e = parse_template("normal(mean = z, std = 1) x", &["z"]).unwrap_err();
        assert!(e.message.contains("unexpected text"), "{e}");
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
