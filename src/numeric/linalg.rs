//! Small dense linear algebra for covariance matrices and Fisher
//! information: Cholesky factors, solves, inverses and log-determinants.
//! Matrices are row-major `Vec<Vec<f64>>`; sizes are small (a few dozen).

// Index loops here follow the textbook formulas term for term.
#![allow(clippy::needless_range_loop)]

/// A lower-triangular Cholesky factor `L` with `A = L Lᵀ`.
#[derive(Debug, Clone, PartialEq)]
pub struct Cholesky {
    l: Vec<Vec<f64>>,
}

/// A matrix that is not symmetric positive definite.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MatrixError {
    /// Rows of different lengths, or not square.
    #[error("the matrix must be square, with every row of length {0}")]
    NotSquare(usize),
    /// `A[i][j] ≠ A[j][i]`.
    #[error("the matrix is not symmetric: entry ({0}, {1}) differs from ({1}, {0})")]
    NotSymmetric(usize, usize),
    /// A pivot was not positive.
    #[error("the matrix is not positive definite (pivot {0} is not > 0)")]
    NotPositiveDefinite(usize),
    /// A value that is not a finite number.
    #[error("the matrix holds a value that is not a finite number")]
    NotFinite,
}

impl Cholesky {
    /// Factors a symmetric positive-definite matrix. Symmetry is checked to
    /// a relative tolerance of 1e-12.
    ///
    /// # Errors
    /// [`MatrixError`] when `a` is not square, symmetric, finite and
    /// positive definite.
    pub fn new(a: &[Vec<f64>]) -> Result<Self, MatrixError> {
        let n = a.len();
        if n == 0 || a.iter().any(|row| row.len() != n) {
            return Err(MatrixError::NotSquare(n));
        }
        if a.iter().flatten().any(|x| !x.is_finite()) {
            return Err(MatrixError::NotFinite);
        }
        for i in 0..n {
            for j in 0..i {
                let scale = a[i][j].abs().max(a[j][i].abs()).max(f64::MIN_POSITIVE);
                if (a[i][j] - a[j][i]).abs() > 1e-12 * scale {
                    return Err(MatrixError::NotSymmetric(i, j));
                }
            }
        }
        let mut l = vec![vec![0.0; n]; n];
        for j in 0..n {
            let d = a[j][j] - (0..j).map(|k| l[j][k] * l[j][k]).sum::<f64>();
            if d.is_nan() || d <= 0.0 {
                return Err(MatrixError::NotPositiveDefinite(j));
            }
            let djj = d.sqrt();
            l[j][j] = djj;
            for i in j + 1..n {
                let s = a[i][j] - (0..j).map(|k| l[i][k] * l[j][k]).sum::<f64>();
                l[i][j] = s / djj;
            }
        }
        Ok(Self { l })
    }

    /// The dimension.
    pub fn dim(&self) -> usize {
        self.l.len()
    }

    /// The factor `L`.
    pub fn factor(&self) -> &[Vec<f64>] {
        &self.l
    }

    /// `ln det A = 2 Σ ln L_ii`.
    pub fn ln_det(&self) -> f64 {
        2.0 * self
            .l
            .iter()
            .enumerate()
            .map(|(i, row)| row[i].ln())
            .sum::<f64>()
    }

    /// Solves `L y = b`.
    pub fn forward(&self, b: &[f64]) -> Vec<f64> {
        let n = self.dim();
        let mut y = vec![0.0; n];
        for i in 0..n {
            let s: f64 = (0..i).map(|k| self.l[i][k] * y[k]).sum();
            y[i] = (b[i] - s) / self.l[i][i];
        }
        y
    }

    /// Solves `A x = b`.
    pub fn solve(&self, b: &[f64]) -> Vec<f64> {
        let n = self.dim();
        let y = self.forward(b);
        let mut x = vec![0.0; n];
        for i in (0..n).rev() {
            let s: f64 = (i + 1..n).map(|k| self.l[k][i] * x[k]).sum();
            x[i] = (y[i] - s) / self.l[i][i];
        }
        x
    }

    /// `A⁻¹`, column by column.
    pub fn inverse(&self) -> Vec<Vec<f64>> {
        let n = self.dim();
        let cols: Vec<Vec<f64>> = (0..n)
            .map(|j| {
                let e: Vec<f64> = (0..n).map(|i| if i == j { 1.0 } else { 0.0 }).collect();
                self.solve(&e)
            })
            .collect();
        (0..n)
            .map(|i| (0..n).map(|j| cols[j][i]).collect())
            .collect()
    }

    /// `L z`: maps standard-normal draws `z` to draws with covariance `A`.
    pub fn mul_factor(&self, z: &[f64]) -> Vec<f64> {
        (0..self.dim())
            .map(|i| (0..=i).map(|k| self.l[i][k] * z[k]).sum())
            .collect()
    }
}

/// The eigenvalues of a symmetric matrix, in no particular order, by
/// cyclic Jacobi rotations: each small eigenvalue to nearly full relative
/// accuracy where the entries determine it (Demmel & Veselić 1992), which
/// is what a divergence between nearly equal covariances needs.
pub fn symmetric_eigenvalues(a: &[Vec<f64>]) -> Vec<f64> {
    let n = a.len();
    let mut a: Vec<Vec<f64>> = a.to_vec();
    for _sweep in 0..64 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..i).map(move |j| (i, j)))
            .map(|(i, j)| a[i][j] * a[i][j])
            .sum();
        let diagonal: f64 = (0..n).map(|i| a[i][i] * a[i][i]).sum();
        if off == 0.0 || off <= 1e-36 * diagonal {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                if a[p][q] == 0.0 {
                    continue;
                }
                // The rotation that zeroes a[p][q] (Golub & Van Loan 8.5.2).
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = if theta.abs() > 1e150 {
                    0.5 / theta
                } else {
                    theta.signum() / (theta.abs() + theta.hypot(1.0))
                };
                let c = 1.0 / t.hypot(1.0);
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[k][p], a[k][q]);
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p][k], a[q][k]);
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
            }
        }
    }
    (0..n).map(|i| a[i][i]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symmetric_eigenvalues_of_known_matrices() {
        // [[2, 1], [1, 2]] has 1 and 3; a diagonal matrix its diagonal.
        let mut ev = symmetric_eigenvalues(&[vec![2.0, 1.0], vec![1.0, 2.0]]);
        ev.sort_by(f64::total_cmp);
        assert!(
            (ev[0] - 1.0).abs() < 1e-15 && (ev[1] - 3.0).abs() < 1e-15,
            "{ev:?}"
        );
        assert_eq!(
            symmetric_eigenvalues(&[vec![5.0, 0.0], vec![0.0, -1e-300]]),
            [5.0, -1e-300]
        );
        // The 3×3 below: trace and determinant are the sum and product.
        let a = spd();
        let ev = symmetric_eigenvalues(&a);
        let trace = a[0][0] + a[1][1] + a[2][2];
        let det = Cholesky::new(&a).unwrap().ln_det().exp();
        assert!((ev.iter().sum::<f64>() - trace).abs() < 1e-13 * trace);
        assert!((ev.iter().product::<f64>() - det).abs() < 1e-13 * det);
    }

    fn spd() -> Vec<Vec<f64>> {
        vec![
            vec![4.0, 2.0, 0.6],
            vec![2.0, 5.0, 1.0],
            vec![0.6, 1.0, 3.0],
        ]
    }

    #[test]
    fn factor_reproduces_the_matrix() {
        let a = spd();
        let c = Cholesky::new(&a).unwrap();
        let l = c.factor();
        for i in 0..3 {
            for j in 0..3 {
                let s: f64 = (0..3).map(|k| l[i][k] * l[j][k]).sum();
                assert!((s - a[i][j]).abs() < 1e-14);
            }
        }
    }

    #[test]
    fn inverse_and_determinant_are_right() {
        let a = spd();
        let c = Cholesky::new(&a).unwrap();
        let inv = c.inverse();
        for i in 0..3 {
            for j in 0..3 {
                let s: f64 = (0..3).map(|k| a[i][k] * inv[k][j]).sum();
                assert!((s - if i == j { 1.0 } else { 0.0 }).abs() < 1e-14);
            }
        }
        // det by cofactor expansion, independently.
        let det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
            - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
            + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
        assert!((c.ln_det() - det.ln()).abs() < 1e-14);
    }

    #[test]
    fn refuses_matrices_that_are_not_covariances() {
        assert_eq!(
            Cholesky::new(&[vec![1.0, 2.0], vec![2.0, 1.0]]).unwrap_err(),
            MatrixError::NotPositiveDefinite(1)
        );
        assert_eq!(
            Cholesky::new(&[vec![1.0, 0.5], vec![0.4, 1.0]]).unwrap_err(),
            MatrixError::NotSymmetric(1, 0)
        );
        assert_eq!(
            Cholesky::new(&[vec![1.0, 0.0]]).unwrap_err(),
            MatrixError::NotSquare(1)
        );
        assert_eq!(
            Cholesky::new(&[vec![f64::NAN]]).unwrap_err(),
            MatrixError::NotFinite
        );
    }
}
