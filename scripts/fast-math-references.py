#!/usr/bin/env python3
"""Writes src/numeric/fast_references.rs: exp(x) and ln(1 + u) to 40
significant digits (mpmath at 60 digits) at the edges of the ranges that
numeric::fast covers, for its tests. Run from the repository root:

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install mpmath
    /tmp/venv/bin/python scripts/fast-math-references.py > src/numeric/fast_references.rs

The tests read the committed file and need no Python.
"""
import math

import mpmath

mpmath.mp.dps = 60

LN2 = math.log(2.0)
EXP_POINTS = [
    -745.13, -745.0, -744.44, -740.0, -720.5, -709.0, -708.4, -708.39641, -708.0,
    -700.0, -500.25, -100.0, -37.5, -20.0, -1.0, -0.5, -LN2 / 2, -0.3465735902799727,
    -1e-5, -1e-10, -1e-17, -1e-300, -5e-324, 0.0, 1e-300, 1e-17, 1e-10,
    LN2 / 2, 0.5, 1.0, 20.0, 100.0, 700.0, 709.0, 709.78,
    # halfway points between multiples of ln 2, where the reduction switches
    -3.5 * LN2, -10.5 * LN2, -1000.5 * LN2,
]
LN_1P_POINTS = [
    5e-324, 1e-310, 1e-300, 1e-100, 1e-20, 2.0 ** -53, 1.1102230246251565e-16, 2.0 ** -52,
    1e-15, 1e-10, 1e-5, 1e-3, 0.1, 0.25, 0.41421356237309503, 0.41421356237309515,
    0.4142135623730951, 0.5, 0.75, 0.999999999, 1.0, 1.0000000001, 1.4142135623730951,
    2.0, 3.0, 7.0, 100.0, 2.0 ** 52, 2.0 ** 53, 2.0 ** 54, 1e20, 1e300,
    -1e-300, -1e-17, -1e-5, -0.1, -0.2928932188134524, -0.29289321881345254, -0.5, -0.9,
    -0.999999, -0.9999999999999999,
]


def line(x, y):
    return f"    ({x!r}_f64, {mpmath.nstr(y, 40, strip_zeros=False, min_fixed=1, max_fixed=0)}),"


print("// Written by scripts/fast-math-references.py (mpmath %s at %d digits):" % (mpmath.__version__, mpmath.mp.dps))
print("// exact values to 40 significant digits, which the compiler rounds to")
print("// the nearest f64. Do not edit by hand.")
print()
print("/// `(x, e^x)`.")
print("#[allow(clippy::excessive_precision, clippy::approx_constant)]")
print("const EXP_REFERENCES: &[(f64, f64)] = &[")
for x in EXP_POINTS:
    print(line(x, mpmath.exp(mpmath.mpf(x))))
print("];")
print()
print("/// `(u, ln(1 + u))`.")
print("#[allow(clippy::excessive_precision, clippy::approx_constant)]")
print("const LN_1P_REFERENCES: &[(f64, f64)] = &[")
for u in LN_1P_POINTS:
    print(line(u, mpmath.log1p(mpmath.mpf(u))))
print("];")
