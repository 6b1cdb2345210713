//! KL divergences and entropies: closed forms where the pair of families has
//! one, adaptive quadrature of the definition otherwise.

use serde::Serialize;

use super::quad::{self, QuadError, Tolerance};
use crate::dist::{Dist, Normal, Univariate};

/// How a value was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// An exact formula.
    ClosedForm,
    /// Adaptive quadrature of the defining integral.
    Quadrature,
}

/// A computed value and how it was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Value {
    /// The value, in nats.
    pub value: f64,
    /// How it was computed.
    pub method: Method,
}

/// `KL(p || q) = E_p[ln p(x) - ln q(x)]`.
///
/// # Errors
/// When quadrature is needed and does not converge.
pub fn kl(p: &Dist, q: &Dist) -> Result<Value, QuadError> {
    if let Some(value) = closed_form(p, q) {
        return Ok(Value {
            value,
            method: Method::ClosedForm,
        });
    }
    let (lo, hi) = p.support();
    let integral = quad::integrate(
        |x| {
            let lp = p.ln_pdf(x);
            if lp == f64::NEG_INFINITY {
                0.0
            } else {
                lp.exp() * (lp - q.ln_pdf(x))
            }
        },
        lo,
        hi,
        Tolerance::default(),
    )?;
    Ok(Value {
        value: integral.value,
        method: Method::Quadrature,
    })
}

/// The registry of closed forms, by pair of families.
fn closed_form(p: &Dist, q: &Dist) -> Option<f64> {
    match (p, q) {
        (Dist::Normal(p), Dist::Normal(q)) => Some(normal_normal(p, q)),
        _ => None,
    }
}

/// `ln(σ_q/σ_p) + (σ_p² + (μ_p - μ_q)²) / (2σ_q²) - 1/2`.
pub fn normal_normal(p: &Normal, q: &Normal) -> f64 {
    let (sp, sq) = (p.std(), q.std());
    let dm = p.mean() - q.mean();
    (sq / sp).ln() + (sp * sp + dm * dm) / (2.0 * sq * sq) - 0.5
}

/// The differential entropy `H(p) = -E_p[ln p(x)]`.
///
/// # Errors
/// When quadrature is needed and does not converge.
pub fn entropy(p: &Dist) -> Result<Value, QuadError> {
    if let Some(value) = p.entropy() {
        return Ok(Value {
            value,
            method: Method::ClosedForm,
        });
    }
    let (lo, hi) = p.support();
    let integral = quad::integrate(
        |x| {
            let lp = p.ln_pdf(x);
            if lp == f64::NEG_INFINITY {
                0.0
            } else {
                -lp.exp() * lp
            }
        },
        lo,
        hi,
        Tolerance::default(),
    )?;
    Ok(Value {
        value: integral.value,
        method: Method::Quadrature,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Mixture;

    fn normal(m: f64, s: f64) -> Dist {
        Dist::Normal(Normal::new(m, s).unwrap())
    }

    #[test]
    fn normal_pair_matches_the_textbook_value() {
        let v = kl(&normal(0.0, 1.0), &normal(1.0, 2.0)).unwrap();
        assert_eq!(v.method, Method::ClosedForm);
        let expected = 2.0f64.ln() + 0.25 - 0.5;
        assert!((v.value - expected).abs() < 1e-12);
    }

    #[test]
    fn closed_form_agrees_with_quadrature_of_the_definition() {
        for (p, q) in [
            ((0.0, 1.0), (1.0, 2.0)),
            ((-3.0, 0.2), (2.0, 5.0)),
            ((1.0, 3.0), (1.0, 0.5)),
        ] {
            let (p, q) = (normal(p.0, p.1), normal(q.0, q.1));
            let closed = kl(&p, &q).unwrap().value;
            let numeric = quad::integrate(
                |x| {
                    let lp = p.ln_pdf(x);
                    lp.exp() * (lp - q.ln_pdf(x))
                },
                f64::NEG_INFINITY,
                f64::INFINITY,
                Tolerance::default(),
            )
            .unwrap()
            .value;
            assert!(
                (closed - numeric).abs() < 1e-10 * closed.abs().max(1.0),
                "{closed} vs {numeric}"
            );
        }
    }

    #[test]
    fn kl_of_a_distribution_with_itself_is_zero() {
        let m = Dist::Mixture(
            Mixture::new(vec![0.3, 0.7], vec![normal(-2.0, 0.6), normal(1.5, 1.0)]).unwrap(),
        );
        assert!(kl(&m, &m).unwrap().value.abs() < 1e-12);
        assert_eq!(kl(&normal(0.3, 2.0), &normal(0.3, 2.0)).unwrap().value, 0.0);
    }

    #[test]
    fn entropy_by_quadrature_agrees_with_the_closed_form() {
        // A mixture whose components coincide is the component itself.
        let n = normal(0.5, 1.3);
        let m = Dist::Mixture(Mixture::new(vec![0.4, 0.6], vec![n.clone(), n.clone()]).unwrap());
        let closed = entropy(&n).unwrap();
        let numeric = entropy(&m).unwrap();
        assert_eq!(numeric.method, Method::Quadrature);
        assert!((closed.value - numeric.value).abs() < 1e-10);
    }
}
