"""Reference checks of chapter 3 (sigmoid and tanh)."""

from __future__ import annotations

import math

import numpy as np

from ..activations import get
from . import reference
from ._tools import assert_close, fail, fmt_num, fmt_pair, raised_warnings, tolerance


def _logistic(z):
    return 1 / (1 + math.exp(-z))


@reference("3.1")
def _(ans):
    got = ans.number("slope_at_ln3")
    z0 = math.log(3)
    # d/dz (1 + e^{-z})^{-1} = e^{-z} / (1 + e^{-z})^2, written out
    ref = math.exp(-z0) / (1 + math.exp(-z0)) ** 2
    if abs(got - ref) <= tolerance(ans["slope_at_ln3"], ref, 1e-15):
        return "slope_at_ln3 is sigma'(ln 3)"
    s = _logistic(z0)
    slips = {s: "that is sigma(ln 3) itself; the slope is sigma(ln 3) times 1 minus it",
             0.25: "that is the slope at z = 0, the largest the sigmoid has; ln 3 is not 0",
             -ref: "the sign is off: sigma(1 - sigma) is positive",
             s * s: "that is sigma(ln 3) squared; the slope is sigma (1 - sigma)"}
    slip = next((m for v, m in slips.items() if abs(got - v) < 1e-6), None)
    fail(f"slope_at_ln3 = {fmt_num(got, 6)} is not sigma'(ln 3)"
         + (f": {slip}" if slip else ". First compute sigma(ln 3) = 1/(1 + e^(-ln 3)), then multiply "
                                     "it by 1 minus itself"))


@reference("3.2")
def _(ans):
    f = ans.function("sigmoid_second_derivative")
    z = np.linspace(-8, 8, 1601)
    h = 1e-5
    d1 = get("sigmoid").derivative
    # central differences of sigma': truncation h^2/6 max|sigma''''| < 2e-12, rounding ~ 1e-11
    ref = (d1(z + h) - d1(z - h)) / (2 * h)
    s = 1 / (1 + np.exp(-z))
    assert_close(f(z.copy()), ref, "sigmoid_second_derivative(z)", ref_error=1e-10, where=z,
                 reference="central differences of sigma'",
                 slips={"it is s (1 - s)^2: the product rule gives s' (1 - s) - s s' = "
                        "s (1 - s)(1 - 2s)": s * (1 - s) ** 2,
                        "it is the negative of sigma''": -s * (1 - s) * (1 - 2 * s),
                        "it is sigma' itself, not its derivative": s * (1 - s)},
                 hint="differentiate s (1 - s) with the product rule")
    zf = ans.number("z_fastest")
    # sigma''' = s (1 - s)(1 - 6 s + 6 s^2) vanishes at s = (3 + sqrt 3) / 6 for z > 0;
    # located here by bisection on the sign of sigma''' (independent of the closed form)
    lo, hi = 0.5, 3.0
    third = lambda x: (lambda s: s * (1 - s) * (1 - 6 * s + 6 * s * s))(_logistic(x))  # noqa: E731
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if third(mid) < 0 else (lo, mid)
    z_ref = (lo + hi) / 2
    if abs(zf - z_ref) > tolerance(ans["z_fastest"], z_ref, 1e-12) + 1e-9:
        slips = {0.0: "z = 0 is where sigma' is largest (sigma'' = 0 there), not where it falls fastest",
                 -z_ref: "that is the negative z where sigma'' is most positive; the task asks for z > 0"}
        slip = next((m for v, m in slips.items() if abs(zf - v) < 1e-6), None)
        a, b = fmt_pair(zf, z_ref)
        fail(f"z_fastest = {a}" + (f": {slip}" if slip else
                                   f", but sigma'' is most negative at z = {b} (where sigma''' = 0); set "
                                   "the third derivative to zero and solve for s = sigma(z)"))
    return "sigma'' agrees with central differences, and z_fastest is where sigma''' = 0"


@reference("3.3")
def _(ans):
    f = ans.function("log_sigmoid")
    for dtype in (np.float64, np.float32):
        name = np.dtype(dtype).name
        z = np.linspace(-1000, 1000, 20_001).astype(dtype)
        with raised_warnings() as caught:
            got = f(z.copy())
        if caught:
            w = caught[0]
            fail(f"log_sigmoid warned in {name} ({w.category.__name__}: {w.message}); for z as large as "
                 "1000 in magnitude an exponential of a large positive number overflows: rewrite it "
                 "so that exp only ever sees a number <= 0")
        got_arr = np.asarray(got, dtype=np.float64) if got is not None else None
        if got_arr is None or got_arr.shape != z.shape:
            fail(f"log_sigmoid should return one value per input ({z.shape}); got "
                 f"{'None' if got is None else np.shape(got)}")
        if not np.all(np.isfinite(got_arr)):
            bad = z[~np.isfinite(got_arr)][0]
            fail(f"log_sigmoid returned inf or NaN in {name}, e.g. at z = {fmt_num(bad, 6)}")
        # numpy's stable log(1 + e^x), in float64
        ref = -np.logaddexp(0.0, -z.astype(np.float64))
        # relative accuracy of the type (a few ulps of float32, 1e-12 in float64), with an
        # absolute floor of 1e-6 where the value is near 0
        rtol = 1e-5 if dtype == np.float32 else 1e-12
        bad = ~np.isclose(got_arr, ref, rtol=rtol, atol=1e-6)
        if bad.any():
            i = int(np.argmax(bad))
            g, r = fmt_pair(got_arr[i], ref[i])
            fail(f"log_sigmoid is inaccurate in {name}: at z = {fmt_num(z[i], 6)} it gives {g}, "
                 f"but log sigma(z) = {r}")
    return "log_sigmoid is accurate and silent on [-1000, 1000] in float64 and float32"


SAT_TOL = 0.01  # sigma'(z) < 0.01 counts as saturated in exercise 3.4


def _saturated_fraction(s: float) -> float:
    """P(sigma'(z) < 0.01) for z ~ N(0, s^2), exactly: sigma' < tol outside |z| <= z*."""
    s_root = (1 + math.sqrt(1 - 4 * SAT_TOL)) / 2
    z_star = math.log(s_root / (1 - s_root))
    return math.erfc(z_star / (abs(s) * math.sqrt(2)))


@reference("3.4")
def _(ans):
    s = ans.number("half_saturated_std")
    if s <= 0:
        fail(f"half_saturated_std = {fmt_num(s, 6)}: a standard deviation is positive")
    # the reference s, by bisection on the exact fraction (monotone in s)
    lo, hi = 0.1, 100.0
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _saturated_fraction(mid) < 0.5 else (lo, mid)
    s_ref = (lo + hi) / 2
    # the exercise asks for the exact value: agreement to 1e-5 relative, far below what a
    # search with the explorer finds but far above float32 rounding
    if abs(s - s_ref) > 1e-5 * s_ref:
        frac = _saturated_fraction(s)
        a, b = fmt_pair(frac, 0.5, digits=4)
        direction = "make s smaller" if frac > 0.5 else "make s larger"
        fail(f"with s = {fmt_num(s, 6)} a fraction {a} of the units has sigma'(z) < 0.01, not {b} "
             f"({direction}). For which |z| is sigma'(z) < 0.01, and when is P(|z| > c) = 1/2?")
    return "half the units have sigma' < 0.01 at this standard deviation (exact normal tail)"


@reference("3.5")
def _(ans):
    signs = ans["update_signs"]
    try:
        mine = np.sign(np.asarray(signs, dtype=float))
    except (TypeError, ValueError):
        fail(f"update_signs should hold three numbers, +1 or -1; it is {signs!r:.60}")
    if mine.shape != (3,):
        fail(f"update_signs should hold three signs, one per component; it is {signs!r:.60}")
    a = np.array([0.2, 0.9, 0.5])
    expected = np.sign(-0.1 * (-0.3) * a)  # any positive learning rate
    if not np.array_equal(mine, expected):
        fail(f"{list(np.asarray(signs).tolist())} is not right: each component is -eta * delta * a_j; "
             "multiply the signs of -eta (negative), delta and each a_j")
    return "the three signs are those of -eta delta a_j"


def _descend(delta_rule, lr=0.15, limit=100_000):
    """Gradient steps from w = b = 2 (x = 1, y = 0) until a < sqrt(0.1); the number of steps."""
    w, b, n = 2.0, 2.0, 0
    a = _logistic(w + b)
    while a >= math.sqrt(0.1) and n < limit:
        delta = delta_rule(a)
        w, b, n = w - lr * delta, b - lr * delta, n + 1
        a = _logistic(w + b)
    return n


@reference("3.6")
def _(ans):
    got = ans.number("steps_ce", integer=True)
    # an independent re-run: L = -log(1 - a) for y = 0, dL/da = 1 / (1 - a), times sigma'
    n = _descend(lambda a: (1 / (1 - a)) * a * (1 - a))
    if got == n:
        return "steps_ce is the number of cross-entropy steps from the saturated start"
    squared = _descend(lambda a: a * a * (1 - a))
    if got == squared:
        fail(f"steps_ce = {got} is the count for the squared error (delta = (a - y) sigma'(z)); "
             "with cross-entropy delta = a - y")
    if abs(got - n) == 1:
        fail(f"steps_ce = {got} is one step {'too many' if got > n else 'too few'}: count the updates "
             "made while a >= sqrt(0.1), and stop at the first step after which a < sqrt(0.1)")
    fail(f"steps_ce = {got}, but cross-entropy gradient descent from w = b = 2 needs "
         f"{'fewer' if got > n else 'more'} steps; the update of w and b uses delta = a - y, "
         "with no sigma' factor, and a learning rate of 0.15")
