"""Reference checks of chapter 4 (the ReLU family)."""

from __future__ import annotations

import math

import numpy as np

from ..activations import get
from ..data import load_digits
from ..network import Network
from . import reference
from ._tools import as_array, assert_close, fail, fmt_num, fmt_pair, forbidden_calls, tolerance


@reference("4.1")
def _(ans):
    f = ans.function("prelu_slope_grad")
    r = np.random.default_rng(7)
    z, g = r.normal(size=(20, 6)), r.normal(size=(20, 6))
    prelu = get("prelu")
    loss = lambda alpha: float(np.sum(g * prelu(z, slope=alpha)))  # noqa: E731 - dL/dphi is g
    h, alpha0 = 1e-6, 0.25
    # L is linear in alpha: the central difference is exact up to rounding (~1e-16 |L| / h)
    ref = (loss(alpha0 + h) - loss(alpha0 - h)) / (2 * h)
    got_raw = f(z.copy(), g.copy())
    got = float(as_array(got_raw, "prelu_slope_grad(z, grad_a)").reshape(-1)[0]) \
        if np.size(got_raw) == 1 else None
    if got is None:
        fail(f"prelu_slope_grad should return one number, dL/dalpha summed over every element; it "
             f"returned shape {np.shape(got_raw)}")
    if abs(got - ref) <= tolerance(got_raw, np.abs(g * z).sum(), 1e-8):
        return "dL/dalpha agrees with central differences of the loss in the slope"
    neg = z <= 0
    slips = {
        float(np.sum(g * z)): "it sums grad_a * z over every element; the slope acts only where z <= 0",
        float(np.sum(g * np.where(z > 0, z, 0))): "it sums over the elements with z > 0; the slope "
                                                 "acts where z <= 0",
        float(np.mean(g * np.where(neg, z, 0))): "it is a mean; the chain rule sums over the elements",
        float(np.sum(g * neg)): "it multiplies grad_a by 1 where z <= 0; d phi / d alpha there is z, not 1",
        float(np.sum(np.where(neg, z, 0))): "grad_a is missing: dL/dalpha sums dL/dphi * dphi/dalpha",
    }
    slip = next((m for v, m in slips.items() if abs(got - v) <= 1e-6 * max(1.0, abs(v))), None)
    a, b = fmt_pair(got, ref)
    fail(f"prelu_slope_grad gives {a}" + (f": {slip}" if slip else
                                          f", but central differences of the loss in the slope give {b}; "
                                          "which elements of z does the slope act on, and what is "
                                          "d phi / d alpha there?"))


@reference("4.2")
def _(ans):
    count_dead = ans.function("count_dead")
    X, _, _, _ = load_digits(seed=0)
    cases, refs, mine = [], [], []
    slips = {
        "that counts units off for *some* example; a unit is dead only if it is off for every "
        "example": lambda z: np.sum(np.any(z <= 0, axis=0)),
        "that counts only z < 0; z = 0 gives a zero derivative too, so dead means z <= 0 on "
        "every row": lambda z: np.sum(np.all(z < 0, axis=0)),
        "that counts examples (rows) on which every unit is off; count units (columns) "
        "instead": lambda z: np.sum(np.all(z <= 0, axis=1)),
    }
    slip_counts = {m: [] for m in slips}
    for kicked, zeroed in ((0, 0), (8, 0), (0, 1)):
        net = Network([64, 32, 10], activation="relu", seed=3)
        layer = net.layers[0]
        layer.b[:kicked] -= 50.0  # these units are certainly dead
        if zeroed:  # a unit whose pre-activation is exactly 0 on every row: dead too
            layer.W[-1] = 0.0
            layer.b[-1] = 0.0
        z = X.astype(np.float64) @ layer.W.T.astype(np.float64) + layer.b  # an independent forward pass
        refs.append(int(np.sum(np.all(z <= 0, axis=0))))
        for m, rule in slips.items():
            slip_counts[m].append(int(rule(z)))
        what = (f"with {kicked} units pushed far negative" if kicked else
                "with one unit whose weights and bias are 0 (z = 0 for every example)" if zeroed
                else "on the freshly initialised network")
        cases.append(what)
        got_raw = count_dead(net, X)
        arr = np.asarray(got_raw)
        if arr.size != 1 or arr.dtype.kind not in "biuf" or float(arr) != round(float(arr)):
            frac = float(arr) if arr.size == 1 and arr.dtype.kind in "biuf" else None
            extra = (" (a fraction of the units, not a count)" if frac is not None and 0 < frac < 1
                     and abs(frac - refs[-1] / 32) < 1e-9 else "")
            fail(f"count_dead should return a whole number of units; {what} it returned "
                 f"{got_raw!r:.60}{extra}")
        mine.append(int(round(float(arr))))
    if mine == refs:
        return "count_dead matches an independent count of units off on every example"
    i = next(k for k in range(len(refs)) if mine[k] != refs[k])
    named = [m for m, counts in slip_counts.items() if counts == mine]
    fail(f"{cases[i]} your count is {mine[i]}, an independent count gives {refs[i]}"
         + (f": {named[0]}" if len(named) == 1 else ""))


@reference("4.3")
def _(ans):
    f = ans.function("rrelu_xu")
    z = -np.ones(100_000)
    out = as_array(f(z.copy(), True, np.random.default_rng(1)), "rrelu_xu(z, True, rng)", shape=z.shape)
    slopes = out / z
    if np.ptp(slopes) < 1e-12:
        fail(f"every element got the same slope {fmt_num(slopes[0], 4)} in training; draw one "
             "independent a per element (size=z.shape)")
    if slopes.min() < 1 / 8 - 1e-6 or slopes.max() > 1 / 3 + 1e-6:
        fail(f"training slopes range from {fmt_num(slopes.min(), 3)} to {fmt_num(slopes.max(), 3)}; "
             "with z / a and a in [3, 8] they must lie between 1/8 and 1/3")
    mean_ref = math.log(8 / 3) / 5  # E[1/a] for a ~ U(3, 8)
    # 1e5 draws of 1/a (standard deviation 0.055): the mean is within 0.003 of E[1/a] unless
    # the draws are wrong (the standard error is 1.7e-4)
    if abs(slopes.mean() - mean_ref) > 0.003:
        uniform_slope = (1 / 8 + 1 / 3) / 2
        slip = (": that is the mean of a slope drawn uniformly from [1/8, 1/3]; draw a uniformly in "
                "[3, 8] and divide by it" if abs(slopes.mean() - uniform_slope) < 0.003 else
                ": draw a uniformly in [3, 8] and divide by it")
        a, b = fmt_pair(slopes.mean(), mean_ref)
        fail(f"the mean training slope is {a}, but E[1/a] = ln(8/3)/5 = {b}{slip}")
    test = f(np.array([-2.0, 3.0]), False, None)
    as_array(test, "rrelu_xu([-2, 3], False, None)", shape=(2,))
    assert_close(test, [-2.0 * 2 / 11, 3.0], "at test time rrelu_xu([-2, 3])",
                 reference="z / 5.5 for z < 0",
                 slips={"a = 5 at test time; the mean of U(3, 8) is (3 + 8) / 2 = 5.5": [-2.0 / 5, 3.0],
                        "it multiplies by a at test time; the negative part is z / a": [-11.0, 3.0]})
    return "training slopes are 1/a with a ~ U(3, 8) per element; test time uses a = 5.5"


_RELU_ONLY = {"clip", "minimum", "maximum", "where", "fmin", "fmax", "tanh", "piecewise", "select",
              "heaviside", "sign", "abs", "absolute", "min", "max"}


@reference("4.4")
def _(ans):
    f = ans.function("hard_tanh_from_relus")
    z = np.linspace(-5, 5, 1001)
    ref = np.clip(z, -1, 1)
    relu = get("relu")
    assert_close(f(z.copy()), ref, "hard_tanh_from_relus(z)", where=z, reference="max(-1, min(1, z))",
                 slips={"it ramps from 0 to 2: shift it down by 1": relu(z + 1) - relu(z - 1),
                        "it is the negative of the hard tanh": -ref,
                        "it does not level off at 1 for z > 1: a second ReLU must cancel the slope "
                        "there": relu(z + 1) - 1},
                 hint="check the range of your ramp and where it starts and ends")
    used = forbidden_calls(f, _RELU_ONLY)
    if used:
        fail(f"the values are right, but hard_tanh_from_relus uses {', '.join(used)}; the task is to "
             "build it from the registry's get(\"relu\"), additions and constants only")
    return "hard_tanh_from_relus equals max(-1, min(1, z)), built from ReLUs"


@reference("4.5")
def _(ans):
    w = ans.array("pieces_w")
    b = ans.array("pieces_b")
    if w.shape != (2,) or b.shape != (2,):
        fail(f"pieces_w and pieces_b should each hold two numbers; their shapes are {w.shape} and {b.shape}")
    x = np.linspace(-5, 5, 1001)
    out = get("maxout", k=2)(x[:, None] * w + b).ravel()  # the registry's maxout
    ref = np.where(x > 0, x, 0.2 * x)
    assert_close(out, ref, "your maxout unit", where=x, where_name="x", precision_of=ans["pieces_w"],
                 reference="a leaky ReLU with slope 0.2",
                 slips={"it is a plain ReLU: the second piece needs slope 0.2": np.maximum(x, 0)},
                 hint="which piece should win for negative x?")
    return "the two pieces make a leaky ReLU with slope 0.2"


@reference("4.6")
def _(ans):
    f = ans.function("relu_moments")
    for s in (0.5, 1.0, 3.0):
        z = np.linspace(-12 * s, 12 * s, 400_001)
        density = np.exp(-0.5 * (z / s) ** 2) / (s * np.sqrt(2 * np.pi))
        a = np.maximum(z, 0)
        # quadrature, independent of the algebra; its error is far below 1e-9 s here
        m1 = np.sum(a * density) * (z[1] - z[0])
        m2 = np.sum(a ** 2 * density) * (z[1] - z[0])
        out = f(s)
        if not isinstance(out, tuple) or len(out) != 2:
            fail(f"relu_moments({s}) should return the pair (mean, std); it returned {out!r:.60}")
        mean, std = out
        assert_close(mean, m1, f"for s = {s}, the mean", ref_error=1e-9 * s,
                     reference="numerical integration",
                     slips={"it is s / 2; E[a] = s * phi(0) = s / sqrt(2 pi)": s / 2,
                            "it is the mean of |z| (the half-normal); a is 0 on half the inputs, so "
                            "E[a] is half of it": s * np.sqrt(2 / np.pi)})
        assert_close(std, np.sqrt(m2 - m1 ** 2), f"for s = {s}, the standard deviation", ref_error=1e-9 * s,
                     reference="numerical integration",
                     slips={"it is sqrt(E[a^2]); the standard deviation subtracts E[a]^2 first: "
                            "Var[a] = E[a^2] - E[a]^2": np.sqrt(m2),
                            "it is the variance, not its square root": m2 - m1 ** 2})
    return "mean and standard deviation agree with numerical integration for three widths"
