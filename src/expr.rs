//! Arithmetic expressions that may stand wherever a spec writes a number:
//! `"-2*sqrt(ab)"`, `"sqrt(0.36*ab + 1 - ab)"`, `"10^-3"`.
//!
//! Numbers, names, `+ - * / ^` (`^` binds tightest and to the right, so
//! `-x^2` is `-(x^2)` and `2^3^2` is `2^9`), parentheses, the functions
//! `sqrt exp ln log10 abs min max`, and the constants `pi` and `e`. Names
//! are the axes of a spec's `vary:` block; while a spec is read at one of
//! its points, [`with_bindings`] makes their values the ones expressions
//! see, so every number a spec holds is checked where it is read, at every
//! point.

use std::cell::RefCell;
use std::fmt;

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    node: Node,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Number(f64),
    Name(String),
    Negate(Box<Node>),
    Binary(Op, Box<Node>, Box<Node>),
    Call(Func, Vec<Node>),
    /// The `i`th variable of a [`Function`].
    Arg(usize),
    /// A whole power, `z^2`: `powi` is exact where `powf` rounds and is
    /// many times faster, which matters for a [`Function`] evaluated at
    /// every draw.
    Powi(Box<Node>, i32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Func {
    Sqrt,
    Exp,
    Ln,
    Log10,
    Abs,
    Min,
    Max,
}

const FUNCTIONS: [(&str, Func); 7] = [
    ("sqrt", Func::Sqrt),
    ("exp", Func::Exp),
    ("ln", Func::Ln),
    ("log10", Func::Log10),
    ("abs", Func::Abs),
    ("min", Func::Min),
    ("max", Func::Max),
];

const CONSTANTS: [(&str, f64); 2] = [("pi", std::f64::consts::PI), ("e", std::f64::consts::E)];

/// Whether `name` is taken by a function or a constant.
pub fn is_reserved(name: &str) -> bool {
    FUNCTIONS.iter().any(|(n, _)| *n == name) || CONSTANTS.iter().any(|(n, _)| *n == name)
}

/// What is wrong with an expression, and where (a 1-based character
/// column within it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    /// What is wrong.
    pub message: String,
    /// Where, when the problem is at one place in the text.
    pub column: Option<usize>,
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(c) => write!(f, "{} (at character {c})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ExprError {}

/// Names and their values: the point of a `vary:` block being read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bindings(pub Vec<(String, f64)>);

impl Bindings {
    fn get(&self, name: &str) -> Option<f64> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }

    /// `ab = 0.05, t = 2`, for messages and legends: values to ten
    /// significant digits, so that a sweep's 0.39999999999999997 reads 0.4.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(n, v)| format!("{n} = {}", short(*v)))
            .collect();
        parts.join(", ")
    }
}

/// `x` to ten significant digits, in its shortest form.
pub fn short(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return format!("{}", x + 0.0);
    }
    let rounded: f64 = format!("{x:.9e}").parse().unwrap_or(x);
    format!("{rounded}")
}

struct Scope {
    bindings: Bindings,
    /// Whether any expression read in this scope used a name.
    used_names: bool,
}

thread_local! {
    static SCOPE: RefCell<Vec<Scope>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with `bindings` as the names expressions see (on this thread),
/// and says whether any expression read meanwhile used one of them.
pub fn with_bindings<T>(bindings: &Bindings, f: impl FnOnce() -> T) -> (T, bool) {
    SCOPE.with(|s| {
        s.borrow_mut().push(Scope {
            bindings: bindings.clone(),
            used_names: false,
        });
    });
    // Pops the scope even if `f` panics.
    struct Pop;
    impl Drop for Pop {
        fn drop(&mut self) {
            SCOPE.with(|s| s.borrow_mut().pop());
        }
    }
    let pop = Pop;
    let value = f();
    let used = SCOPE.with(|s| s.borrow().last().is_some_and(|scope| scope.used_names));
    drop(pop);
    (value, used)
}

/// The value of the expression `text` under the bindings in force on this
/// thread (none outside [`with_bindings`]).
///
/// # Errors
/// A malformed expression, an unknown name (listing the known ones), or a
/// value that is not finite; the message quotes the expression.
pub fn value_of(text: &str) -> Result<f64, ExprError> {
    let expr = Expr::parse(text).map_err(|e| quoted(text, e))?;
    in_scope(|bindings| {
        let value = expr.eval(bindings).map_err(|e| quoted(text, e));
        (value, expr.uses_names())
    })
}

/// An error of the expression `text`, quoting it.
fn quoted(text: &str, e: ExprError) -> ExprError {
    ExprError {
        message: format!("in the expression `{text}`: {}", e.message),
        column: e.column,
    }
}

/// Runs `f` with the bindings in force on this thread; when it says it
/// used a varied name, the scope remembers.
fn in_scope<T>(f: impl FnOnce(&Bindings) -> (T, bool)) -> T {
    SCOPE.with(|s| {
        let mut scopes = s.borrow_mut();
        let empty = Bindings::default();
        let bindings = scopes.last().map_or(&empty, |scope| &scope.bindings);
        let (value, used) = f(bindings);
        if used && let Some(scope) = scopes.last_mut() {
            scope.used_names = true;
        }
        value
    })
}

impl Expr {
    /// Parses `text`.
    ///
    /// # Errors
    /// What is malformed, and at which character.
    pub fn parse(text: &str) -> Result<Self, ExprError> {
        if text.chars().count() > MAX_LENGTH {
            return Err(ExprError {
                message: format!("an expression has at most {MAX_LENGTH} characters"),
                column: None,
            });
        }
        let tokens = lex(text)?;
        let mut parser = Parser {
            tokens: &tokens,
            at: 0,
            end: text.chars().count() + 1,
        };
        let node = parser.sum(0)?;
        if let Some(token) = parser.peek() {
            return Err(ExprError {
                message: format!("unexpected `{}`", token.kind),
                column: Some(token.column),
            });
        }
        Ok(Self { node })
    }

    /// The value with `bindings` for the names.
    ///
    /// # Errors
    /// An unknown name (listing the known ones), or a value that is not
    /// finite (a square root of a negative number, a division by zero).
    pub fn eval(&self, bindings: &Bindings) -> Result<f64, ExprError> {
        let value = eval(&self.node, bindings)?;
        if value.is_finite() {
            Ok(value)
        } else {
            Err(ExprError {
                message: match bindings.0.is_empty() {
                    true => format!("the value is {value}, not a finite number"),
                    false => format!(
                        "the value is {value}, not a finite number, at {}",
                        bindings.describe()
                    ),
                },
                column: None,
            })
        }
    }

    /// Whether the expression uses a name (not only numbers and constants).
    pub fn uses_names(&self) -> bool {
        fn walk(node: &Node) -> bool {
            match node {
                Node::Number(_) => false,
                Node::Name(n) => !CONSTANTS.iter().any(|(c, _)| c == n),
                Node::Negate(a) => walk(a),
                Node::Binary(_, a, b) => walk(a) || walk(b),
                Node::Call(_, args) => args.iter().any(walk),
                Node::Arg(_) => false,
                Node::Powi(a, _) => walk(a),
            }
        }
        walk(&self.node)
    }
}

fn eval(node: &Node, bindings: &Bindings) -> Result<f64, ExprError> {
    Ok(match node {
        Node::Number(x) => *x,
        Node::Name(name) => match bindings.get(name) {
            Some(v) => v,
            None => match CONSTANTS.iter().find(|(c, _)| c == name) {
                Some((_, v)) => *v,
                None => {
                    let known: Vec<&str> = bindings.0.iter().map(|(n, _)| n.as_str()).collect();
                    return Err(ExprError {
                        message: if known.is_empty() {
                            format!(
                                "unknown name `{name}`: names come from a `vary:` block, and this spec has none"
                            )
                        } else {
                            format!(
                                "unknown name `{name}`; the varied names are: {}",
                                known.join(", ")
                            )
                        },
                        column: None,
                    });
                }
            },
        },
        Node::Negate(a) => -eval(a, bindings)?,
        Node::Binary(op, a, b) => apply(*op, eval(a, bindings)?, eval(b, bindings)?),
        Node::Powi(a, k) => eval(a, bindings)?.powi(*k),
        Node::Call(func, args) => {
            let values = args
                .iter()
                .map(|a| eval(a, bindings))
                .collect::<Result<Vec<f64>, _>>()?;
            match func {
                Func::Min => values.iter().copied().fold(f64::INFINITY, f64::min),
                Func::Max => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                _ => call1(*func, values.first().copied().unwrap_or(f64::NAN)),
            }
        }
        // Only a `Function` holds variables, and it never reaches here.
        Node::Arg(_) => {
            return Err(ExprError {
                message: "a variable has no value here".into(),
                column: None,
            });
        }
    })
}

fn apply(op: Op, a: f64, b: f64) -> f64 {
    match op {
        Op::Add => a + b,
        Op::Sub => a - b,
        Op::Mul => a * b,
        Op::Div => a / b,
        Op::Pow => a.powf(b),
    }
}

/// A function of one argument (`min` and `max` take several).
fn call1(func: Func, x: f64) -> f64 {
    match func {
        Func::Sqrt => x.sqrt(),
        Func::Exp => x.exp(),
        Func::Ln => x.ln(),
        Func::Log10 => x.log10(),
        Func::Abs => x.abs(),
        Func::Min | Func::Max => x,
    }
}

/// An expression in variables whose values are given at each evaluation,
/// read once and evaluated many times: a likelihood's parameters as
/// functions of its latent `z`, in `normal(mean = z^2, std = 0.5)`.
///
/// Besides its variables, an expression may use constants and the names of
/// the `vary:` point being read ([`with_bindings`]), which are replaced by
/// their values where it is read; any other name is refused there.
/// Evaluation allocates nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    node: Node,
}

impl Function {
    /// Parses `text`, an expression in the variables `free` (the
    /// arguments of [`Function::at`], in that order).
    ///
    /// # Errors
    /// A malformed expression, a name that is neither a variable, a
    /// constant nor a varied name (the message lists the variables), or a
    /// varied name that is also a variable; the message quotes the
    /// expression.
    pub fn parse(text: &str, free: &[&str]) -> Result<Self, ExprError> {
        let expr = Expr::parse(text).map_err(|e| quoted(text, e))?;
        in_scope(|bindings| {
            let mut used = false;
            let node = resolve(expr.node, free, bindings, &mut used).map_err(|name| {
                quoted(
                    text,
                    ExprError {
                        message: unknown_variable(&name, free, bindings),
                        column: name_column(text, &name),
                    },
                )
            });
            let used = used && node.is_ok();
            (node.map(|node| Self { node }), used)
        })
    }

    /// Whether the value is the same whatever the variables.
    pub fn is_constant(&self) -> bool {
        !has_arg(&self.node)
    }

    /// The value with `args` for the variables, in the order given to
    /// [`Function::parse`]; not necessarily finite (`ln(z)` at `z = 0`), and
    /// NaN for a missing argument.
    #[inline]
    pub fn at(&self, args: &[f64]) -> f64 {
        at(&self.node, args)
    }
}

/// Why `name` cannot be used in a [`Function`] of `free`.
fn unknown_variable(name: &str, free: &[&str], bindings: &Bindings) -> String {
    if free.contains(&name) {
        return format!(
            "`{name}` is a variable here, so it cannot also be a name of the `vary:` block"
        );
    }
    let varied: Vec<&str> = bindings.0.iter().map(|(n, _)| n.as_str()).collect();
    let mut known = free.join(", ");
    if !varied.is_empty() {
        known += &format!(", and the varied names {}", varied.join(", "));
    }
    format!("unknown name `{name}`; the names here are: {known}")
}

/// The column of the first use of `name` as a name (not a function) in
/// `text`.
fn name_column(text: &str, name: &str) -> Option<usize> {
    let tokens = lex(text).ok()?;
    tokens.iter().enumerate().find_map(|(i, t)| {
        let called = tokens
            .get(i + 1)
            .is_some_and(|next| next.kind == Kind::Symbol('('));
        (t.kind == Kind::Name(name.to_string()) && !called).then_some(t.column)
    })
}

/// `node` with variables as [`Node::Arg`], varied names and constants as
/// numbers, whole powers as [`Node::Powi`] and every part without a
/// variable folded to its value; the offending name when one is neither.
fn resolve(
    node: Node,
    free: &[&str],
    bindings: &Bindings,
    used: &mut bool,
) -> Result<Node, String> {
    let resolved = match node {
        Node::Name(name) => {
            let bound = bindings.get(&name);
            return match free.iter().position(|f| *f == name) {
                Some(_) if bound.is_some() => Err(name),
                Some(i) => Ok(Node::Arg(i)),
                None => match bound {
                    Some(v) => {
                        *used = true;
                        Ok(Node::Number(v))
                    }
                    None => match CONSTANTS.iter().find(|(c, _)| *c == name) {
                        Some((_, v)) => Ok(Node::Number(*v)),
                        None => Err(name),
                    },
                },
            };
        }
        Node::Number(_) | Node::Arg(_) => return Ok(node),
        Node::Negate(a) => Node::Negate(Box::new(resolve(*a, free, bindings, used)?)),
        Node::Binary(op, a, b) => {
            let a = resolve(*a, free, bindings, used)?;
            let b = resolve(*b, free, bindings, used)?;
            match (op, &b) {
                (Op::Pow, Node::Number(k)) if k.fract() == 0.0 && k.abs() <= 64.0 => {
                    Node::Powi(Box::new(a), *k as i32)
                }
                _ => Node::Binary(op, Box::new(a), Box::new(b)),
            }
        }
        Node::Powi(a, k) => Node::Powi(Box::new(resolve(*a, free, bindings, used)?), k),
        Node::Call(func, args) => Node::Call(
            func,
            args.into_iter()
                .map(|a| resolve(a, free, bindings, used))
                .collect::<Result<_, _>>()?,
        ),
    };
    Ok(if has_arg(&resolved) {
        resolved
    } else {
        Node::Number(at(&resolved, &[]))
    })
}

fn has_arg(node: &Node) -> bool {
    match node {
        Node::Arg(_) => true,
        Node::Number(_) | Node::Name(_) => false,
        Node::Negate(a) | Node::Powi(a, _) => has_arg(a),
        Node::Binary(_, a, b) => has_arg(a) || has_arg(b),
        Node::Call(_, args) => args.iter().any(has_arg),
    }
}

/// The value of a resolved node: the evaluation of [`Function::at`],
/// without allocating.
fn at(node: &Node, args: &[f64]) -> f64 {
    match node {
        Node::Number(x) => *x,
        Node::Arg(i) => args.get(*i).copied().unwrap_or(f64::NAN),
        // Resolved away by `Function::parse`.
        Node::Name(_) => f64::NAN,
        Node::Negate(a) => -at(a, args),
        Node::Binary(op, a, b) => apply(*op, at(a, args), at(b, args)),
        Node::Powi(a, k) => at(a, args).powi(*k),
        Node::Call(func, items) => match func {
            Func::Min => items
                .iter()
                .map(|n| at(n, args))
                .fold(f64::INFINITY, f64::min),
            Func::Max => items
                .iter()
                .map(|n| at(n, args))
                .fold(f64::NEG_INFINITY, f64::max),
            _ => call1(*func, items.first().map_or(f64::NAN, |n| at(n, args))),
        },
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Number(f64),
    Name(String),
    Symbol(char),
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Kind::Number(x) => write!(f, "{x}"),
            Kind::Name(n) => f.write_str(n),
            Kind::Symbol(c) => write!(f, "{c}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Token {
    kind: Kind,
    /// 1-based character column.
    column: usize,
}

fn lex(text: &str) -> Result<Vec<Token>, ExprError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            // An exponent: `e` or `E`, an optional sign, then digits.
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let mut j = i + 1;
                if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    while j < chars.len() && chars[j].is_ascii_digit() {
                        j += 1;
                    }
                    i = j;
                }
            }
            let literal: String = chars[start..i].iter().collect();
            let value = literal.parse::<f64>().map_err(|_| ExprError {
                message: format!("`{literal}` is not a number"),
                column: Some(column),
            })?;
            tokens.push(Token {
                kind: Kind::Number(value),
                column,
            });
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(Token {
                kind: Kind::Name(chars[start..i].iter().collect()),
                column,
            });
        } else if "+-*/^(),".contains(c) {
            tokens.push(Token {
                kind: Kind::Symbol(c),
                column,
            });
            i += 1;
        } else {
            return Err(ExprError {
                message: format!("unexpected character `{c}`"),
                column: Some(column),
            });
        }
    }
    Ok(tokens)
}

/// Recursive descent, one method per level of precedence.
struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
    /// The column just past the text, for "ended early" errors.
    end: usize,
}

/// Deeper nesting than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 200;

/// Longer texts are refused: evaluation recurses once per operation.
const MAX_LENGTH: usize = 2000;

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn eat(&mut self, symbol: char) -> bool {
        if self.peek().is_some_and(|t| t.kind == Kind::Symbol(symbol)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn error(&self, message: &str) -> ExprError {
        match self.peek() {
            Some(t) => ExprError {
                message: format!("{message}, found `{}`", t.kind),
                column: Some(t.column),
            },
            None => ExprError {
                message: format!("{message}, but the expression ends"),
                column: Some(self.end),
            },
        }
    }

    fn sum(&mut self, depth: usize) -> Result<Node, ExprError> {
        if depth > MAX_DEPTH {
            return Err(self.error("the expression is nested too deeply"));
        }
        let mut node = self.product(depth)?;
        loop {
            let op = if self.eat('+') {
                Op::Add
            } else if self.eat('-') {
                Op::Sub
            } else {
                return Ok(node);
            };
            node = Node::Binary(op, Box::new(node), Box::new(self.product(depth)?));
        }
    }

    fn product(&mut self, depth: usize) -> Result<Node, ExprError> {
        let mut node = self.unary(depth)?;
        loop {
            let op = if self.eat('*') {
                Op::Mul
            } else if self.eat('/') {
                Op::Div
            } else {
                return Ok(node);
            };
            node = Node::Binary(op, Box::new(node), Box::new(self.unary(depth)?));
        }
    }

    fn unary(&mut self, depth: usize) -> Result<Node, ExprError> {
        if depth > MAX_DEPTH {
            return Err(self.error("the expression is nested too deeply"));
        }
        if self.eat('-') {
            return Ok(Node::Negate(Box::new(self.unary(depth + 1)?)));
        }
        if self.eat('+') {
            return self.unary(depth + 1);
        }
        let base = self.atom(depth)?;
        if self.eat('^') {
            let exponent = self.unary(depth + 1)?;
            return Ok(Node::Binary(Op::Pow, Box::new(base), Box::new(exponent)));
        }
        Ok(base)
    }

    fn atom(&mut self, depth: usize) -> Result<Node, ExprError> {
        let Some(token) = self.peek().cloned() else {
            return Err(self.error("expected a number, a name or `(`"));
        };
        match token.kind {
            Kind::Number(x) => {
                self.at += 1;
                Ok(Node::Number(x))
            }
            Kind::Symbol('(') => {
                self.at += 1;
                let inner = self.sum(depth + 1)?;
                if !self.eat(')') {
                    return Err(self.error("expected `)`"));
                }
                Ok(inner)
            }
            Kind::Name(name) => {
                self.at += 1;
                let function = FUNCTIONS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f);
                match function {
                    Some(func) => self.call(func, &name, token.column, depth),
                    None if self.peek().is_some_and(|t| t.kind == Kind::Symbol('(')) => {
                        let names: Vec<&str> = FUNCTIONS.iter().map(|(n, _)| *n).collect();
                        Err(ExprError {
                            message: format!(
                                "unknown function `{name}`; the functions are: {}",
                                names.join(", ")
                            ),
                            column: Some(token.column),
                        })
                    }
                    None => Ok(Node::Name(name)),
                }
            }
            Kind::Symbol(_) => Err(self.error("expected a number, a name or `(`")),
        }
    }

    fn call(
        &mut self,
        func: Func,
        name: &str,
        column: usize,
        depth: usize,
    ) -> Result<Node, ExprError> {
        if !self.eat('(') {
            return Err(self.error(&format!("`{name}` is a function: write `{name}(...)`")));
        }
        let mut args = vec![self.sum(depth + 1)?];
        while self.eat(',') {
            args.push(self.sum(depth + 1)?);
        }
        if !self.eat(')') {
            return Err(self.error("expected `,` or `)`"));
        }
        let arity_ok = match func {
            Func::Min | Func::Max => args.len() >= 2,
            _ => args.len() == 1,
        };
        if !arity_ok {
            let wanted = match func {
                Func::Min | Func::Max => "at least two arguments",
                _ => "one argument",
            };
            return Err(ExprError {
                message: format!("`{name}` takes {wanted}, got {}", args.len()),
                column: Some(column),
            });
        }
        Ok(Node::Call(func, args))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str) -> f64 {
        Expr::parse(text)
            .unwrap()
            .eval(&Bindings::default())
            .unwrap()
    }

    fn at(text: &str, names: &[(&str, f64)]) -> Result<f64, String> {
        let b = Bindings(names.iter().map(|(n, v)| (n.to_string(), *v)).collect());
        Expr::parse(text)
            .map_err(|e| e.to_string())?
            .eval(&b)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn arithmetic_follows_the_usual_precedence() {
        assert_eq!(value("1 + 2 * 3"), 7.0);
        assert_eq!(value("(1 + 2) * 3"), 9.0);
        assert_eq!(value("2 ^ 3 ^ 2"), 512.0);
        assert_eq!(value("-2 ^ 2"), -4.0);
        assert_eq!(value("2 ^ -1"), 0.5);
        assert_eq!(value("10 - 4 - 3"), 3.0);
        assert_eq!(value("12 / 4 / 3"), 1.0);
        assert_eq!(value("--3"), 3.0);
        assert_eq!(value("1.5e-3 * 2E2"), 0.3);
        assert_eq!(value(".5"), 0.5);
    }

    #[test]
    fn functions_and_constants_have_their_values() {
        assert_eq!(value("sqrt(16)"), 4.0);
        assert_eq!(value("exp(0) + ln(e)"), 2.0);
        assert_eq!(value("log10(1000)"), 3.0);
        assert_eq!(value("abs(-2.5)"), 2.5);
        assert_eq!(value("min(3, 1, 2) + max(3, 1, 2)"), 4.0);
        assert_eq!(value("pi"), std::f64::consts::PI);
        assert_eq!(value("2*e"), 2.0 * std::f64::consts::E);
    }

    #[test]
    fn names_take_their_bound_values() {
        let ab = 0.36;
        let v = at("sqrt(0.36*ab + 1 - ab)", &[("ab", ab)]).unwrap();
        assert_eq!(v, (0.36 * ab + 1.0 - ab).sqrt());
        assert_eq!(at("-2*sqrt(ab)", &[("ab", 0.25)]).unwrap(), -1.0);
        assert_eq!(at("t^2 + s", &[("s", 1.0), ("t", 3.0)]).unwrap(), 10.0);
    }

    #[test]
    fn errors_say_what_and_where() {
        let e = at("2 * ", &[]).unwrap_err();
        assert!(
            e.contains("the expression ends") && e.contains("character 5"),
            "{e}"
        );
        let e = at("2 * (3 + 1", &[]).unwrap_err();
        assert!(e.contains("expected `)`"), "{e}");
        let e = at("2 $ 3", &[]).unwrap_err();
        assert!(
            e.contains("unexpected character `$`") && e.contains("character 3"),
            "{e}"
        );
        let e = at("sqr(2)", &[]).unwrap_err();
        assert!(
            e.contains("unknown function `sqr`") && e.contains("sqrt"),
            "{e}"
        );
        let e = at("2 3", &[]).unwrap_err();
        assert!(e.contains("unexpected `3`"), "{e}");
        let e = at("min(1)", &[]).unwrap_err();
        assert!(e.contains("at least two"), "{e}");
        let e = at("sqrt", &[]).unwrap_err();
        assert!(e.contains("is a function"), "{e}");
    }

    #[test]
    fn unknown_names_list_the_varied_names() {
        let e = at("2*abc", &[("ab", 1.0), ("t", 2.0)]).unwrap_err();
        assert!(
            e.contains("unknown name `abc`; the varied names are: ab, t"),
            "{e}"
        );
        let e = at("x", &[]).unwrap_err();
        assert!(e.contains("has none"), "{e}");
    }

    #[test]
    fn points_are_described_to_ten_digits() {
        let b = Bindings(vec![
            ("ab".into(), 0.399_999_999_999_999_97),
            ("t".into(), 1e-12),
        ]);
        assert_eq!(b.describe(), "ab = 0.4, t = 0.000000000001");
        assert_eq!(short(-0.0), "0");
        assert_eq!(short(1.234_567_890_123), "1.23456789");
    }

    #[test]
    fn values_that_are_not_finite_name_the_point() {
        let e = at("sqrt(1 - ab)", &[("ab", 2.0)]).unwrap_err();
        assert!(e.contains("NaN") && e.contains("ab = 2"), "{e}");
        assert!(at("1/0", &[]).unwrap_err().contains("inf"));
    }

    #[test]
    fn bindings_hold_only_inside_their_scope_and_record_use() {
        let b = Bindings(vec![("ab".into(), 0.25)]);
        let (v, used) = with_bindings(&b, || value_of("4*ab"));
        assert_eq!((v.unwrap(), used), (1.0, true));
        let (v, used) = with_bindings(&b, || value_of("2*pi"));
        assert_eq!((v.is_ok(), used), (true, false));
        let e = value_of("4*ab").unwrap_err().to_string();
        assert!(
            e.contains("in the expression `4*ab`") && e.contains("has none"),
            "{e}"
        );
    }

    #[test]
    fn functions_take_their_variables_at_each_evaluation() {
        let f = Function::parse("2*z^2 + 0.5 - min(z, 1) + w", &["z", "w"]).unwrap();
        assert_eq!(f.at(&[3.0, 0.25]), 2.0 * 9.0 + 0.5 - 1.0 + 0.25);
        assert_eq!(f.at(&[-1.5, 0.0]), 2.0 * 2.25 + 0.5 + 1.5);
        assert!(!f.is_constant());
        let c = Function::parse("2*pi - sqrt(4)", &["z"]).unwrap();
        assert!(c.is_constant());
        assert_eq!(c.at(&[]), 2.0 * std::f64::consts::PI - 2.0);
        // Values need not be finite: the caller checks them.
        assert!(
            Function::parse("ln(z)", &["z"])
                .unwrap()
                .at(&[0.0])
                .is_infinite()
        );
        assert!(Function::parse("z", &["z"]).unwrap().at(&[]).is_nan());
    }

    #[test]
    fn whole_powers_are_exact_and_others_as_before() {
        let cube = Function::parse("z^3", &["z"]).unwrap();
        assert_eq!(cube.at(&[1.1]), 1.1f64 * 1.1 * 1.1);
        assert_eq!(cube.at(&[-2.0]), -8.0);
        let root = Function::parse("z^0.5", &["z"]).unwrap();
        assert_eq!(root.at(&[2.25]), 1.5);
        assert_eq!(Function::parse("z^-2", &["z"]).unwrap().at(&[2.0]), 0.25);
    }

    #[test]
    fn functions_refuse_names_that_are_not_their_variables_and_point_at_them() {
        let e = Function::parse("y*z", &["z"]).unwrap_err();
        assert!(
            e.message
                .contains("in the expression `y*z`: unknown name `y`; the names here are: z"),
            "{e}"
        );
        assert_eq!(e.column, Some(1));
        let e = Function::parse("z + sqrt(yy)", &["z"]).unwrap_err();
        assert_eq!(e.column, Some(10), "{e}");
        let e = Function::parse("z + ", &["z"]).unwrap_err();
        assert!(e.message.contains("the expression ends"), "{e}");
    }

    #[test]
    fn functions_take_varied_names_as_numbers_and_record_their_use() {
        let b = Bindings(vec![("a".into(), 3.0)]);
        let (f, used) = with_bindings(&b, || Function::parse("a*z", &["z"]));
        assert_eq!((f.unwrap().at(&[2.0]), used), (6.0, true));
        let (f, used) = with_bindings(&b, || Function::parse("pi*z", &["z"]));
        assert_eq!((f.is_ok(), used), (true, false));
        let (e, _) = with_bindings(&b, || Function::parse("b*z", &["z"]));
        let e = e.unwrap_err().message;
        assert!(
            e.contains("the names here are: z, and the varied names a"),
            "{e}"
        );
        let clash = Bindings(vec![("z".into(), 1.0)]);
        let (e, _) = with_bindings(&clash, || Function::parse("2*z", &["z"]));
        let e = e.unwrap_err().message;
        assert!(
            e.contains("cannot also be a name of the `vary:` block"),
            "{e}"
        );
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_or_fails_cleanly(s in "[a-z0-9 .+*/^(),e-]{0,40}") {
            if let Ok(e) = Expr::parse(&s) {
                let _ = e.eval(&Bindings(vec![("a".into(), 1.5)]));
            }
            if let Ok(f) = Function::parse(&s, &["a"]) {
                let _ = f.at(&[1.5]);
            }
        }

        #[test]
        fn deep_nesting_is_refused_not_a_crash(depth in 190usize..5000) {
            let text = format!("{}1{}", "(".repeat(depth), ")".repeat(depth));
            let _ = Expr::parse(&text);
            let text = format!("{}1", "-".repeat(depth));
            let _ = Expr::parse(&text);
            let text = vec!["1"; depth].join("+");
            if let Ok(e) = Expr::parse(&text) {
                proptest::prop_assert_eq!(e.eval(&Bindings::default()).unwrap(), depth as f64);
            }
        }
    }
}
