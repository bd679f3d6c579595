"""Reference checks of chapter 6 (softmax and the output layer)."""

from __future__ import annotations

import numpy as np

from ..activations import get
from ..losses import softmax_cross_entropy
from . import reference
from ._tools import as_array, assert_close, fail, first_slip, fmt_num, fmt_pair, raised_warnings, tolerance

_softmax = get("softmax")


def _reference_softmax(z):
    """Row by row with Python's exact-enough arithmetic: shift each row by its own maximum."""
    z = np.asarray(z, dtype=np.float64)
    flat = z.reshape(-1, z.shape[-1])
    out = np.empty_like(flat)
    for i, row in enumerate(flat):
        e = np.exp(row - row.max())
        out[i] = e / e.sum()
    return out.reshape(z.shape)


@reference("6.1")
def _(ans):
    f = ans.function("stable_softmax")
    r = np.random.default_rng(61)
    cases = [np.array([1.0, 2.0, 3.0]), np.array([1000.0, 999.0, 998.0]),
             np.array([-1000.0, -1001.0, -1002.0]),
             np.array([[-2000.0, -2001.0], [0.0, 1.0]]),  # rows far apart: each needs its own shift
             r.normal(0, 300, size=(5, 7))]
    for z in cases:
        shown = ("[" + " | ".join(", ".join(fmt_num(v, 6) for v in row[:4]) + (", ..." if row.size > 4 else "")
                                  for row in np.atleast_2d(z)[:2]) + (" | ..." if z.ndim > 1 and len(z) > 2 else "")
                 + "]")
        with raised_warnings() as caught:
            got = f(z.copy())
        ref = _reference_softmax(z)
        with np.errstate(all="ignore"):
            slips = {
                "it shifts by the largest logit of the whole array; a row whose logits are all "
                "far below it underflows to 0 / 0 = NaN: subtract each row's own maximum "
                "(axis=-1, keepdims=True)": lambda: np.exp(z - z.max()) / np.exp(z - z.max()).sum(
                    axis=-1, keepdims=True),
                "it normalises over the first axis (columns sum to 1); the softmax is over the last "
                "axis (each row sums to 1)": lambda: np.exp(z - z.max(axis=0, keepdims=True)) / np.exp(
                    z - z.max(axis=0, keepdims=True)).sum(axis=0, keepdims=True),
                "it divides by the sum over the whole array; each row is divided by its own sum "
                "(axis=-1, keepdims=True)": lambda: np.exp(z - z.max(axis=-1, keepdims=True)) / np.exp(
                    z - z.max(axis=-1, keepdims=True)).sum(),
            }
        arr = np.asarray(got, dtype=float) if got is not None else None
        if arr is not None and arr.shape == z.shape:
            named = first_slip(got, slips) if not np.allclose(arr, ref, atol=1e-6, equal_nan=False) else None
            if named:
                fail(f"for logits {shown}: {named}")
        if caught:
            w = caught[0]
            fail(f"for logits {shown} your softmax warned ({w.category.__name__}: {w.message}): "
                 "exponentials of large logits overflow; subtract the maximum before exp")
        # probabilities are at most 1: the reference is exact to rounding
        assert_close(got, ref, f"for logits {shown}, your probabilities", scale=1.0, ref_error=1e-15,
                     reference="the softmax", hint="does each row (last axis) sum to 1?")
    return "stable_softmax is right for huge, tiny and far-apart rows, with no warning"


@reference("6.2")
def _(ans):
    f = ans.function("softmax_jacobian")
    h = 1e-6
    r = np.random.default_rng(62)
    for z in [np.array([1.2, 1.0, 1.5]), r.normal(0, 2, size=6)]:
        K = z.size
        J_fd = np.column_stack([(_softmax(z + h * e) - _softmax(z - h * e)) / (2 * h) for e in np.eye(K)])
        p = _softmax(z)
        got = f(z.copy())
        arr = as_array(got, "softmax_jacobian(z)")
        if arr.shape != (K, K):
            fail(f"for {K} logits the Jacobian is {K} x {K}; yours has shape {arr.shape}")
        # central differences, h = 1e-6: rounding ~ 1e-16 / h = 1e-10
        assert_close(got, J_fd, f"the Jacobian at {K} logits", ref_error=1e-9, scale=1.0,
                     reference="central differences",
                     slips={"it has the diagonal p_i (1 - p_i) only; every p_i depends on every z_j "
                            "(off-diagonal entries -p_i p_j)": np.diag(p * (1 - p)),
                            "the off-diagonal entries have the wrong sign: they are -p_i p_j":
                                np.diag(p) + np.outer(p, p) - 2 * np.diag(p * p),
                            "it is p_i (1 - p_j) everywhere; the Kronecker delta makes the "
                            "off-diagonal entries -p_i p_j": np.outer(p, 1 - p)},
                     hint="remember that every p_i depends on every z_j (off-diagonal entries -p_i p_j)")
    return "the Jacobian agrees with central differences"


@reference("6.3")
def _(ans):
    f = ans.function("leading_probability")
    for n, gap in [(5, 0.7), (50, 0.7), (2, 1.0), (1, 0.0), (3, 0.25)]:
        logits = np.array([1.3 + gap] + [1.3] * n)
        expected = float(_softmax(logits)[0])
        got = f(n, gap)
        e = np.exp(gap)
        # the softmax of a handful of logits is exact to rounding
        assert_close(got, expected, f"with n = {n} rivals and a gap of {gap}, the leading probability",
                     scale=1.0, ref_error=1e-15, reference="the softmax",
                     slips={"it is 1 / (n + 1), the share if there were no gap": 1 / (n + 1),
                            "it is e^gap / n, the ratio to all the rivals together, not a share":
                                e / n,
                            "it counts n - 1 rivals; there are n besides the leader": e / (e + n - 1),
                            "it is sigma(gap), right for one rival only": 1 / (1 + np.exp(-gap)),
                            "the roles are swapped: that is one rival's probability":
                                1 / (e + n)})
    return "leading_probability agrees with the softmax for several n and gaps"


@reference("6.4")
def _(ans):
    f = ans.function("cross_entropy_grad")
    r = np.random.default_rng(64)
    Z = r.normal(0, 2, size=(4, 5))
    y = np.array([0, 3, 3, 1])
    got = f(Z.copy(), y.copy())
    arr = as_array(got, "cross_entropy_grad(Z, y)")
    if arr.shape != Z.shape:
        fail(f"the gradient has the shape of Z, {Z.shape}; yours has shape {arr.shape}")
    h = 1e-6
    G_fd = np.zeros_like(Z)
    for idx in np.ndindex(*Z.shape):  # central differences of the engine's loss
        E = np.zeros_like(Z)
        E[idx] = h
        G_fd[idx] = (softmax_cross_entropy(Z + E, y)[0] - softmax_cross_entropy(Z - E, y)[0]) / (2 * h)
    N, K = Z.shape
    P = _softmax(Z)
    onehot = np.eye(K)[y]
    shifted = np.eye(K)[(y + 1) % K]
    fancy = P.copy()
    fancy[:, y] -= 1.0
    # rounding of the central differences ~ 1e-16 |L| / h ~ 1e-10
    assert_close(got, G_fd, "your gradient", ref_error=1e-8, scale=1.0, reference="central differences",
                 slips={"it is N times too large: the loss is a mean over the batch, so divide by N":
                        P - onehot,
                        "the 1 is subtracted at the wrong class: row n needs p - 1 at column y_n "
                        "(one-hot of the label)": (P - shifted) / N,
                        "G[:, y] -= 1 subtracts at every row's columns y; index the pairs "
                        "(row n, column y_n) with G[np.arange(N), y]": fancy / N,
                        "it is p / N without the one-hot label subtracted": P / N})
    return "the gradient agrees with central differences of the batch-mean loss"


@reference("6.5")
def _(ans):
    T = ans.number("T_target")
    if T <= 0:
        fail(f"T_target = {fmt_num(T, 6)}: a temperature is positive")
    z = np.array([3.0, 0.7, 0.5])
    p1 = float(_softmax(z, temperature=T)[0])
    # six decimals of the probability were asked for
    if abs(p1 - 0.6) < 1e-6:
        return "at this temperature the leading class gets 0.6"
    inverse = float(_softmax(z * T)[0])
    slip = (": that is the inverse temperature; softmax(z / T) divides the logits by T"
            if abs(inverse - 0.6) < 1e-6 else "")
    a, b = fmt_pair(p1, 0.6, digits=7)
    fail(f"at T = {fmt_num(T, 7)} the first class gets {a}, not {b}" + (slip or (
        "; raise T to flatten the distribution" if p1 > 0.6 else "; lower T")))
