//! Parameters of distribution families: their names, their constraints, and
//! the one place where a value is checked against its constraint.
//!
//! Every family declares its parameters as a table of [`ParamDef`]. The same
//! table drives the YAML syntax of experiment specs, grids of parameters and
//! the checks in each family's constructor, so a parameter is named and
//! validated the same way everywhere.

use std::fmt;

use super::Dist;

/// What values a scalar parameter may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Constraint {
    /// Any finite real number.
    Real,
    /// A finite number > 0.
    Positive,
    /// A probability in [0, 1].
    Probability,
    /// A probability in (0, 1]: zero is excluded.
    PositiveProbability,
}

impl Constraint {
    /// Checks `value` for parameter `name`.
    ///
    /// # Errors
    /// A [`ParamError`] naming the parameter when the value is not allowed.
    pub fn check(self, name: &str, value: f64) -> Result<f64, ParamError> {
        let ok = match self {
            Constraint::Real => value.is_finite(),
            // Subnormal scales lose their reciprocal (1/σ overflows).
            Constraint::Positive => value.is_finite() && value >= f64::MIN_POSITIVE,
            Constraint::Probability => (0.0..=1.0).contains(&value),
            Constraint::PositiveProbability => value > 0.0 && value <= 1.0,
        };
        if self == Constraint::Positive && value > 0.0 && value < f64::MIN_POSITIVE {
            return Err(ParamError::new(
                name,
                format!(
                    "{} is too small to compute with (a scale must be at least {:e})",
                    super::number_label(value),
                    f64::MIN_POSITIVE
                ),
            ));
        }
        if ok {
            Ok(value)
        } else {
            Err(ParamError::new(
                name,
                format!("must be {self}, got {}", super::number_label(value)),
            ))
        }
    }
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Constraint::Real => "a finite number",
            Constraint::Positive => "a finite number > 0",
            Constraint::Probability => "a probability in [0, 1]",
            Constraint::PositiveProbability => "a probability in (0, 1]",
        })
    }
}

/// The shape of a parameter's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// One number.
    Scalar(Constraint),
    /// Non-negative numbers that sum to 1 (mixture weights, category
    /// probabilities).
    Simplex,
    /// A list of finite numbers.
    Vector,
    /// A symmetric positive-definite matrix, as a list of rows.
    Matrix,
    /// A list of 1-D distributions.
    Components,
}

/// One parameter of a family: its name (as written in specs) and its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamDef {
    /// The name, exactly as users write it.
    pub name: &'static str,
    /// What the value looks like and which values are allowed.
    pub kind: ParamKind,
}

impl ParamDef {
    /// A scalar parameter.
    pub const fn scalar(name: &'static str, constraint: Constraint) -> Self {
        Self {
            name,
            kind: ParamKind::Scalar(constraint),
        }
    }
}

/// A parameter's value.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    /// One number.
    Scalar(f64),
    /// A list of numbers.
    Vector(Vec<f64>),
    /// A matrix, as a list of rows.
    Matrix(Vec<Vec<f64>>),
    /// A list of distributions.
    Components(Vec<Dist>),
}

/// How far probabilities may be from summing to one.
pub const SIMPLEX_TOLERANCE: f64 = 1e-9;

/// Checks that `weights` are non-negative and sum to one.
///
/// # Errors
/// A [`ParamError`] naming the parameter and the offending value.
pub fn check_simplex(name: &str, weights: &[f64]) -> Result<(), ParamError> {
    if weights.is_empty() {
        return Err(ParamError::new(name, "must not be empty"));
    }
    if let Some(w) = weights.iter().find(|w| !(w.is_finite() && **w >= 0.0)) {
        return Err(ParamError::new(
            name,
            format!("must be finite and >= 0, got {w}"),
        ));
    }
    let total: f64 = weights.iter().sum();
    if (total - 1.0).abs() > SIMPLEX_TOLERANCE {
        return Err(ParamError::new(
            name,
            format!("must sum to 1 (within {SIMPLEX_TOLERANCE:e}), they sum to {total}"),
        ));
    }
    Ok(())
}

/// An invalid parameter: which one, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{param}: {message}")]
pub struct ParamError {
    /// The parameter's name.
    pub param: String,
    /// What is wrong with it.
    pub message: String,
}

impl ParamError {
    /// An error for parameter `param`.
    pub fn new(param: &str, message: impl Into<String>) -> Self {
        Self {
            param: param.to_string(),
            message: message.into(),
        }
    }
}

/// Reads `N` scalar parameters laid out as `defs`, checking each against its
/// constraint.
///
/// # Errors
/// A [`ParamError`] for a missing, non-scalar or invalid value.
pub fn scalars<const N: usize>(
    defs: &[ParamDef],
    values: &[ParamValue],
) -> Result<[f64; N], ParamError> {
    let mut out = [0.0; N];
    for (i, slot) in out.iter_mut().enumerate() {
        let def = defs
            .get(i)
            .ok_or_else(|| ParamError::new("?", "more values than parameters"))?;
        let ParamKind::Scalar(constraint) = def.kind else {
            return Err(ParamError::new(def.name, "is not a scalar parameter"));
        };
        *slot = match values.get(i) {
            Some(ParamValue::Scalar(x)) => constraint.check(def.name, *x)?,
            Some(_) => return Err(ParamError::new(def.name, "must be a number")),
            None => return Err(ParamError::new(def.name, "is missing")),
        };
    }
    Ok(out)
}
