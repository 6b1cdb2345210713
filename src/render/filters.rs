//! Number filters for posts: `fixed`, `sci` and `pm`.
//!
//! ```text
//! {{ kl_monte_carlo.exact | fixed(digits=4) }}            0.4431
//! {{ x | sci(digits=2) }}                                  0.443, or 4.43 × 10⁻⁷
//! {{ x | sci(digits=2, latex=true) }}                      0.443, or 4.43 \times 10^{-7}
//! {{ m | pm(std=s, digits=3) }}                            0.443 ± 0.012
//! ```

use tera::{Error, Kwargs, State, Tera, TeraResult, Value};

use crate::number::{Power, readable};

/// Registers the filters.
pub(super) fn register(tera: &mut Tera) {
    tera.register_filter("fixed", fixed);
    tera.register_filter("sci", sci);
    tera.register_filter("pm", pm);
    tera.register_filter("plain", plain);
}

/// Text without Markdown's markers (emphasis, code, math dollars, link
/// targets), for `alt` attributes: `plain` on a caption.
pub(super) fn plain(text: &str, _: Kwargs, _: &State) -> String {
    super::shown::plain(text)
}

/// The number a filter is applied to, with a useful message when the
/// reference before the `|` names nothing.
fn number(value: &Value, filter: &str) -> TeraResult<f64> {
    if value.is_undefined() {
        return Err(Error::message(format!(
            "`{filter}` got an undefined value: check the experiment id and field name (site/assets/likely/<id>/numbers.json lists the fields)"
        )));
    }
    if value.is_none() {
        return Err(Error::message(format!(
            "`{filter}` got null: the number is not finite (or does not apply to this experiment)"
        )));
    }
    value
        .as_number()
        .map(|n| n.as_float())
        .ok_or_else(|| Error::message(format!("`{filter}` formats numbers, got `{value}`")))
}

fn digits(kwargs: &Kwargs, default: usize) -> TeraResult<usize> {
    let d = kwargs.get::<i64>("digits")?.unwrap_or(default as i64);
    usize::try_from(d)
        .ok()
        .filter(|d| *d <= 17)
        .ok_or_else(|| Error::message(format!("digits must be from 0 to 17, got {d}")))
}

fn latex(kwargs: &Kwargs) -> TeraResult<bool> {
    Ok(kwargs.get::<bool>("latex")?.unwrap_or(false))
}

/// Fixed-point: `fixed(digits=3)`.
pub(super) fn fixed(x: Value, kwargs: Kwargs, _: &State) -> TeraResult<String> {
    let x = number(&x, "fixed")?;
    Ok(format!("{x:.*}", digits(&kwargs, 3)?))
}

/// A number as a person writes it, with `digits + 1` significant digits:
/// `sci(digits=2)` gives `0.443` for moderate magnitudes and `4.43 × 10⁻⁷`
/// for very small or large ones; with `latex=true`, `4.43 \times 10^{-7}`
/// for use inside `$$...$$`.
pub(super) fn sci(x: Value, kwargs: Kwargs, _: &State) -> TeraResult<String> {
    let x = number(&x, "sci")?;
    let power = if latex(&kwargs)? {
        Power::Latex
    } else {
        Power::Unicode
    };
    Ok(readable(x, digits(&kwargs, 2)? + 1, power))
}

/// Mean ± standard deviation: `pm(std=s, digits=3)`; with `latex=true` the
/// sign is `\pm`.
pub(super) fn pm(x: Value, kwargs: Kwargs, _: &State) -> TeraResult<String> {
    let x = number(&x, "pm")?;
    let std = number(&kwargs.must_get::<Value>("std")?, "pm(std=...)")?;
    let d = digits(&kwargs, 3)?;
    let sign = if latex(&kwargs)? { "\\pm" } else { "±" };
    Ok(format!("{x:.d$} {sign} {std:.d$}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(src: &str) -> Result<String, String> {
        let mut tera = Tera::new();
        register(&mut tera);
        tera.add_raw_template("t", src).map_err(|e| e.to_string())?;
        let mut ctx = tera::Context::new();
        ctx.insert("x", &0.443_147_180_559_945_3);
        ctx.insert("s", &0.0123);
        tera.render("t", &ctx).map_err(|e| e.to_string())
    }

    #[test]
    fn fixed_rounds_to_the_requested_digits() {
        assert_eq!(render("{{ x | fixed }}").unwrap(), "0.443");
        assert_eq!(render("{{ x | fixed(digits=6) }}").unwrap(), "0.443147");
        assert_eq!(render("{{ 2 | fixed(digits=1) }}").unwrap(), "2.0");
    }

    #[test]
    fn sci_writes_moderate_numbers_fixed_and_extreme_ones_with_a_power() {
        assert_eq!(render("{{ x | sci }}").unwrap(), "0.443");
        assert_eq!(
            render("{{ x | sci(digits=1, latex=true) }}").unwrap(),
            "0.44"
        );
        assert_eq!(render("{{ 3.0 | sci(latex=true) }}").unwrap(), "3.00");
        assert_eq!(render("{{ 2.101 | sci(digits=3) }}").unwrap(), "2.101");
        assert_eq!(
            render("{{ 1.6 | sci(digits=1, latex=true) }}").unwrap(),
            "1.6"
        );
        assert_eq!(
            render("{{ 0.0000000443 | sci(digits=2, latex=true) }}").unwrap(),
            "4.43 \\times 10^{-8}"
        );
        assert_eq!(
            render("{{ 0.0000000443 | sci(digits=1) }}").unwrap(),
            "4.4 × 10⁻⁸"
        );
    }

    #[test]
    fn pm_joins_mean_and_std() {
        assert_eq!(render("{{ x | pm(std=s) }}").unwrap(), "0.443 ± 0.012");
        assert_eq!(
            render("{{ x | pm(std=s, digits=2, latex=true) }}").unwrap(),
            "0.44 \\pm 0.01"
        );
    }

    #[test]
    fn undefined_values_get_a_clear_message() {
        assert!(
            render("{{ nothing.here | fixed }}")
                .unwrap_err()
                .contains("not defined")
        );
        let mut tera = Tera::new();
        register(&mut tera);
        tera.add_raw_template("t", "{{ e.missing | fixed }}")
            .unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("e", &serde_json::json!({"present": 1.0}));
        let e = tera.render("t", &ctx).unwrap_err().to_string();
        assert!(e.contains("undefined value"), "{e}");
    }

    #[test]
    fn bad_arguments_are_errors() {
        assert!(render("{{ x | pm }}").unwrap_err().contains("std"));
        assert!(
            render("{{ x | fixed(digits=40) }}")
                .unwrap_err()
                .contains("digits")
        );
        assert!(render("{{ \"a\" | fixed }}").is_err());
    }
}
