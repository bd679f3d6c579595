"""Reference checks of chapter 10 (universal approximation)."""

from __future__ import annotations

from math import comb

import numpy as np

from . import reference
from ._tools import as_array, assert_close, fail, fmt_num, fmt_pair


def _target(x):  # the chapter's target function
    return np.sin(3 * x) + 0.3 * x ** 2


def _interp_error(n):
    """Largest error of the n-interval piecewise-linear interpolant of sin on [0, pi]."""
    xs = np.linspace(0, np.pi, 20001)
    kn = np.linspace(0, np.pi, n + 1)
    return float(np.max(np.abs(np.interp(xs, kn, np.sin(kn)) - np.sin(xs))))


@reference("10.1")
def _(ans):
    n = ans.number("n_units_needed", integer=True)
    if n < 1:
        fail(f"n_units_needed = {n}; at least one unit is needed")
    n_ref = next(k for k in range(1, 10_000) if (np.pi / k) ** 2 / 8 < 1e-3)  # smallest n the bound allows
    if n == n_ref:
        return "n_units_needed is the smallest n for which h^2/8 max|f''| < 1e-3"
    measured = _interp_error(n)
    if n < n_ref:
        extra = (" (the bound does not guarantee it, even though the measured error "
                 f"{fmt_num(measured, 3)} is below 1e-3)" if measured < 1e-3 else
                 f" (the measured error is {fmt_num(measured, 3)})")
        fail(f"with {n} units the bound h^2/8 max|f''| is {fmt_num((np.pi / n) ** 2 / 8, 4)}, not below "
             f"1e-3{extra}" + ("; n > pi / sqrt(0.008) = 35.1, so round up, not down" if n == n_ref - 1 else ""))
    hint = ("; check the constant 1/8 (the error is largest at the midpoint, where it is h^2/4 times "
            "f''/2) and that max|f''| = 1 for the sine" if n != n_ref + 1 else
            "; one unit fewer already makes the bound fall below 1e-3")
    fail(f"{n} units do reach the accuracy, but the bound already guarantees it with fewer{hint}")


@reference("10.2")
def _(ans):
    hat = ans.function("hat")
    hat_interpolant = ans.function("hat_interpolant")
    xs = np.linspace(-1, 3, 801)
    for l, c, r in [(0.0, 1.0, 2.0), (-0.5, 0.2, 2.5)]:
        ref = np.interp(xs, [l, c, r], [0.0, 1.0, 0.0], left=0.0, right=0.0)  # the hat, drawn by interp
        relu = lambda v: np.maximum(v, 0.0)  # noqa: E731
        assert_close(hat(xs.copy(), l, c, r), ref, f"hat(x, {l}, {c}, {r})", where=xs, where_name="x",
                     reference="the hat drawn through its corners", scale=1.0,
                     slips={"it uses slopes 1 and -1 whatever the spacing: the three output weights "
                            "are the changes of slope at the corners, 1/(c - l), -(1/(c - l) + "
                            "1/(r - c)) and 1/(r - c)": relu(xs - l) - 2 * relu(xs - c) + relu(xs - r),
                            "the last ReLU has the wrong sign: the slope returns to 0 at the right "
                            "corner": relu(xs - l) / (c - l) - (1 / (c - l) + 1 / (r - c)) * relu(xs - c)
                            - relu(xs - r) / (r - c)},
                     hint="the three output weights are the changes of slope at the three corners")
    knots = np.array([-2.0, -1.2, -0.5, 0.0, 0.3, 1.1, 2.0])
    xs = np.linspace(-2, 2, 1601)
    ref = np.interp(xs, knots, _target(knots))
    assert_close(hat_interpolant(_target, knots.copy(), xs.copy()), ref, "hat_interpolant on uneven knots",
                 where=xs, where_name="x", reference="np.interp through the knots",
                 scale=float(np.abs(ref).max()),
                 hint="each hat's corners must be the neighbouring knots")
    return "hat is exact for uneven corners and hat_interpolant equals np.interp"


def _breakpoint_error(n, linear=True):
    """Largest error of the least-squares fit with n evenly spread ReLU breakpoints (exercise 10.3),
    written independently of actbook.plotting: basis 1, x and max(0, x - t_j) (without x when
    ``linear`` is false, the slip of leaving out the linear term)."""
    xs = np.linspace(-2, 2, 801)
    ys = _target(xs)
    t = np.linspace(-2, 2, n + 2)[1:-1]
    lines = [np.ones_like(xs), xs] if linear else [np.ones_like(xs)]
    F = np.column_stack(lines + [np.maximum(0.0, xs[:, None] - t[None, :])])
    coef = np.linalg.lstsq(F, ys, rcond=None)[0]
    return float(np.max(np.abs(F @ coef - ys)))


@reference("10.3")
def _(ans):
    n = ans.number("units_needed", integer=True)
    if n < 1:
        fail(f"units_needed = {n}; at least one unit is needed")
    err = _breakpoint_error(n)
    flat = next(k for k in range(1, 100) if _breakpoint_error(k, linear=False) < 0.1)
    if n == flat and _breakpoint_error(n - 1) < 0.1:
        fail(f"{n} units is what a fit without the linear term c1 x needs; the explorer's network is "
             "c0 + c1 x + sum_i c_i max(0, x - t_i) (relu_sum_fit returns c0, c1, c), and it needs fewer")
    if err >= 0.1:
        fail(f"with {n} units the largest error is {fmt_num(err, 4)}: not yet below 0.1")
    below = _breakpoint_error(n - 1) if n > 1 else np.inf
    if below < 0.1:
        fail(f"{n} units work, but so do {n - 1} (largest error {fmt_num(below, 4)}); find the smallest "
             "number")
    return "units_needed is the smallest number of units with a largest error below 0.1"


@reference("10.4")
def _(ans):
    r = np.random.default_rng(1)
    ref = {}
    for d in (1, 2):  # a direct measurement: singular values of the feature matrix
        X = r.uniform(-1, 1, size=(500, d))
        W = r.normal(size=(50, d))
        bb = r.normal(size=50)
        s = np.linalg.svd((X @ W.T + bb) ** 3, compute_uv=False)
        ref[d] = int(np.sum(s > 1e-9 * s[0]))
    assert ref == {1: comb(1 + 3, 3), 2: comb(2 + 3, 3)}, "internal check: unexpected reference ranks"
    m1 = ans.number("rank_1d_measured", integer=True)
    m2 = ans.number("rank_2d_measured", integer=True)
    if (m1, m2) != (ref[1], ref[2]):
        hint = ("; without biases (w x)^3 spans only the degree-3 monomials: add the biases"
                if (m1, m2) == (1, 4) else
                "; did you use 50 units with phi(z) = z**3 and biases?")
        fail(f"your measured ranks ({m1}, {m2}) differ from a direct measurement {ref[1], ref[2]}{hint}")
    p1 = ans.number("rank_1d_predicted", integer=True)
    p2 = ans.number("rank_2d_predicted", integer=True)
    if p1 != ref[1]:
        fail(f"the 1-D prediction {p1} is off: which polynomials can a sum of cubes (w x + b)^3 be?")
    if p2 != ref[2]:
        hint = (": that counts only the monomials of degree exactly 3" if p2 == 4 else
                ": that is (3 + 1)^2, each variable up to degree 3; the total degree i + j is at most 3"
                if p2 == 16 else "")
        fail(f"the 2-D prediction {p2} is off{hint or ': count the monomials x1^i x2^j of degree i + j <= 3'}")
    return "predicted and measured ranks agree with a direct measurement"


def _staircase_rate(kappa=20.0):
    f_ref = lambda x: np.sin(2 * x)  # noqa: E731
    xs = np.linspace(0, 3, 20001)
    ns = (8, 16, 32, 64, 128, 256, 512)
    errors = []
    for n in ns:
        t = np.linspace(0, 3, n + 1)
        h = 3 / n
        mids = (t[1:] + t[:-1]) / 2
        steps = 1 / (1 + np.exp(-np.clip((kappa / h) * (xs[:, None] - mids), -500, 500)))
        errors.append(np.max(np.abs(f_ref(0) + steps @ np.diff(f_ref(t)) - f_ref(xs))))
    return float(np.polyfit(np.log(ns), np.log(errors), 1)[0])


@reference("10.5")
def _(ans):
    rate = ans.number("rate")
    ref = _staircase_rate()
    # a slope fitted to a handful of measured errors: the choice of n and of the grid moves it by
    # a few hundredths, so 0.15 separates a right measurement from a wrong one
    if abs(rate - ref) < 0.15:
        return f"the measured rate agrees with a direct measurement ({fmt_num(ref, 3)})"
    a, b = fmt_pair(rate, ref, digits=3)
    hint = ("; that looks like log10 of the errors against the natural log of n (or the reverse): "
            "use the same logarithm for both" if abs(abs(rate / ref) - np.log(10)) < 0.2
            or abs(abs(ref / rate) - np.log(10)) < 0.2 else
            "; fit log(error) against log(n) and check the staircase (steps at the midpoints, k = 20 / h)")
    fail(f"your rate {a} differs from a direct measurement ({b}){hint}")
