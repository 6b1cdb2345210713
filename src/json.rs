//! Writing numbers as JSON.

/// Writes a number as JSON, which has no infinities: `+inf`, `-inf` and
/// `nan` become the strings `"inf"`, `"-inf"` and `"nan"` rather than
/// `null`, so that an infinite divergence reads as one.
///
/// # Errors
/// The serializer's.
pub fn number<S: serde::Serializer>(x: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    if x.is_finite() {
        serializer.serialize_f64(*x)
    } else if x.is_nan() {
        serializer.serialize_str("nan")
    } else if *x > 0.0 {
        serializer.serialize_str("inf")
    } else {
        serializer.serialize_str("-inf")
    }
}

/// [`number`], or `null` for `None`.
///
/// # Errors
/// The serializer's.
pub fn maybe_number<S: serde::Serializer>(
    x: &Option<f64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match x {
        Some(x) => number(x, serializer),
        None => serializer.serialize_none(),
    }
}
