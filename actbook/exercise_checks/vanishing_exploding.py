"""Reference checks of chapter 7 (vanishing and exploding gradients)."""

from __future__ import annotations

import math

import numpy as np

from ..diagnostics import activation_stats
from ..gradient_flow import standardised_digits
from ..network import Network
from . import reference
from ._tools import as_array, assert_close, fail, first_slip, fmt_num, fmt_pair, forbidden_calls, tolerance


# ---------------------------------------------------------------------------------------------
# 7.1  the norm of every Jacobian, example by example
# ---------------------------------------------------------------------------------------------
def _jacobian_pieces(net):
    """Per hidden layer l: the slopes phi'(z^(l)) (examples, units) and W^(l+1)."""
    return [(layer.act.derivative(np.asarray(layer.z, dtype=np.float64)),
             np.asarray(nxt.W, dtype=np.float64))
            for layer, nxt in zip(net.layers[:-1], net.layers[1:])]


def _jacobian_norms_ref(net) -> np.ndarray:
    """||diag(phi'(z^(l)_n)) W^(l+1)T||_2 per hidden layer l and example n, as the square root
    of the largest eigenvalue of J^T J = W diag(phi'^2) W^T (no singular value decomposition)."""
    out = []
    for d, W in _jacobian_pieces(net):
        gram = np.einsum("oi,ni,pi->nop", W, d * d, W)  # (examples, n_out, n_out)
        out.append(np.sqrt(np.maximum(np.linalg.eigvalsh(gram)[:, -1], 0.0)))
    return np.array(out)


def _check_net(seed: int = 11) -> Network:
    """A sigmoid network of unequal widths (so that W and W^T cannot be confused), after one
    forward and backward pass on random inputs."""
    r = np.random.default_rng(seed)
    net = Network([30, 24, 16, 12, 6], activation="sigmoid", init="normal", init_scale=0.6,
                  dtype=np.float64, seed=seed)
    X = r.standard_normal((40, 30))
    net.loss(X, r.integers(0, 6, size=40))
    net.backward()
    return net


@reference("7.1")
def _(ans):
    f = ans.function("jacobian_norms")
    net = _check_net()
    ref = _jacobian_norms_ref(net)
    pieces = _jacobian_pieces(net)
    n_layers, n_examples = ref.shape
    got = f(net)
    spectral = np.array([np.linalg.svd(W, compute_uv=False)[0] for _, W in pieces])
    own = [np.asarray(layer.W, dtype=np.float64) for layer in net.layers[:-1]]
    slips = {
        "it is the bound c_k of the theorem (the largest slope times ||W^(l+1)||_2); the exact "
        "norm of diag(phi'(z)) W^T weighs every unit by its own slope":
            lambda: np.array([np.abs(d).max(axis=1) * s for (d, _), s in zip(pieces, spectral)]),
        "it is the sigmoid's worst case 1/4 ||W^(l+1)||_2 for every example; use the slopes "
        "each example actually has":
            lambda: np.repeat(0.25 * spectral[:, None], n_examples, axis=1),
        "the slopes phi'(z^(l)) are missing: that is ||W^(l+1)||_2 alone":
            lambda: np.repeat(spectral[:, None], n_examples, axis=1),
        "it is the Frobenius norm (np.linalg.norm's default for a matrix); the bound needs the "
        "spectral norm, ord=2, the largest singular value":
            lambda: np.array([np.sqrt((d * d) @ np.sum(W * W, axis=0)) for d, W in pieces]),
        "it uses W^(l), the weights into layer l; the error reaches layer l through W^(l+1), the "
        "weights out of it":
            lambda: np.array([[np.linalg.norm(dn[:, None] * Wl, 2) for dn in d]
                              for (d, _), Wl in zip(pieces, own)]),
        "rows and columns are swapped: one row per hidden layer, one column per example":
            lambda: ref.T,
    }
    arr = as_array(got, "jacobian_norms(net)")
    if arr.shape != ref.shape:
        slip = first_slip(got, slips)
        fail(f"on a sigmoid network with {n_layers} hidden layers and a batch of {n_examples} "
             f"examples, jacobian_norms(net) should have shape {ref.shape} (hidden layers, "
             f"examples); it has shape {arr.shape}" + (f": {slip}" if slip else ""))
    assert_close(got, ref, "jacobian_norms(net)", reference="an eigenvalue computation",
                 slips=slips, hint="for hidden layer l and example n the matrix is "
                 "diag(phi'(z^(l)_n)) W^(l+1)T, and its norm is the largest singular value")
    # the notebook's own network: total_bound against the product of the reference norms
    mine = ans["net"]
    ref_norms = _jacobian_norms_ref(mine)
    ref_total = np.prod(ref_norms, axis=0)
    total_slips = {
        "it is a sum over the layers; the bound multiplies the factors": ref_norms.sum(axis=0),
        "it multiplies over the examples (the wrong axis); multiply over the layers, one bound "
        "per example": np.prod(ref_norms, axis=1),
        "it is the largest factor, not the product of the factors": ref_norms.max(axis=0),
        "it is one number for the whole batch; the bound holds example by example, one "
        "product per example": np.prod(ref_norms),
    }
    total = ans["total_bound"]
    tot = as_array(total, "total_bound")
    if tot.shape != ref_total.shape:
        slip = first_slip(total, total_slips)
        fail(f"total_bound should hold one bound per example of the batch, shape {ref_total.shape}; "
             f"it has shape {tot.shape}" + (f": {slip}" if slip else ""))
    assert_close(total, ref_total, "total_bound", reference="the product of the reference norms",
                 slips=total_slips, where_name="example")
    measured = (np.linalg.norm(mine.layers[0].delta, axis=1)
                / np.linalg.norm(mine.layers[-1].delta, axis=1))
    ratio = float(np.max(measured / ref_total))
    if ratio > 1 + 1e-9:  # cannot happen for the right bound: a guard on the reference itself
        fail(f"a measured ratio exceeds the bound by a factor {fmt_num(ratio, 6)}")
    return ("the norms agree with an eigenvalue computation on a network of unequal widths, and "
            f"total_bound bounds every example (measured / bound at most {ratio:.2f})")


# ---------------------------------------------------------------------------------------------
# 7.2  halvings until float32 gives 0
# ---------------------------------------------------------------------------------------------
def _halvings_until_zero(dtype) -> int:
    x, half, n = dtype(1.0), dtype(0.5), 0
    with np.errstate(under="ignore"):
        while x != 0:
            x, n = x * half, n + 1
    return n


@reference("7.2")
def _(ans):
    got = ans.number("n_halvings", integer=True)
    n = _halvings_until_zero(np.float32)
    if got == n:
        return "n_halvings is the number of halvings after which float32 gives exactly 0"
    fi = np.finfo(np.float32)
    sub = -int(round(math.log2(float(fi.smallest_subnormal))))  # 149
    normal = -int(round(math.log2(float(fi.smallest_normal))))  # 126
    slips = {
        sub: f"that many halvings reach the smallest subnormal 2**-{sub}, which is not 0 yet: "
             "what does rounding to nearest make of half of it?",
        normal: f"2**-{normal} is the smallest *normal* float32; below it the subnormal numbers "
                f"go on down to 2**-{sub}",
        normal + 1: f"that is one past the smallest normal number 2**-{normal}; the subnormal "
                    f"numbers go on down to 2**-{sub}",
        _halvings_until_zero(np.float64): "that is the count for float64; the exercise asks for "
                                          "float32",
        fi.nmant: "that is the number of stored significand bits; count the halvings down "
                  "through the exponents and the subnormal numbers",
        fi.nmant + 1: "that is the significand's precision in bits; count the halvings down "
                      "through the exponents and the subnormal numbers",
    }
    if got in slips:
        fail(f"n_halvings = {got}: {slips[got]}")
    fail(f"n_halvings = {got} is {'too many' if got > n else 'too few'}: look up the smallest "
         "positive float32 (np.finfo(np.float32).smallest_subnormal), count the halvings that "
         "reach it, and decide what the next one rounds to")


# ---------------------------------------------------------------------------------------------
# 7.3  He's variance as a uniform distribution
# ---------------------------------------------------------------------------------------------
def _second_moment_ratio(slope: float) -> float:
    """E[phi(z)^2] / Var[z] for a leaky ReLU with slope ``slope`` and z ~ N(0, 1), by the
    trapezoidal rule on [-12, 12] (error far below 1e-12)."""
    z = np.linspace(-12.0, 12.0, 240_001)
    phi = np.where(z >= 0, z, slope * z)
    density = np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    return float(np.trapezoid(phi * phi * density, z)) if hasattr(np, "trapezoid") else \
        float(np.trapz(phi * phi * density, z))


_UNIFORM_CASES = [(64, 0.0), (100, 0.01), (50, 0.3), (10, 1.0), (7, 0.5), (300, 0.2)]


@reference("7.3")
def _(ans):
    f = ans.function("he_uniform_limit")
    n = np.array([c[0] for c in _UNIFORM_CASES], dtype=float)
    s = np.array([c[1] for c in _UNIFORM_CASES])
    raw = [f(int(ni), float(si)) for ni, si in _UNIFORM_CASES]
    got = np.array([float(as_array(x, f"he_uniform_limit({ni}, {si})").reshape(-1)[0])
                    if np.size(x) == 1 else np.nan for x, (ni, si) in zip(raw, _UNIFORM_CASES)])
    # the variance that keeps E[z^2] level: n_in v E[phi(z)^2] / Var[z] = 1, with the second
    # moment by quadrature; U(-r, r) has variance r^2 / 3 (the integral of x^2 / 2r over [-r, r])
    v = np.array([1.0 / (ni * _second_moment_ratio(si)) for ni, si in _UNIFORM_CASES])
    ref = np.sqrt(3.0 * v)
    std = np.sqrt(2.0 / ((1 + s * s) * n))
    slips = {
        "it is the standard deviation of He's scheme; a uniform distribution on [-r, r] has "
        "variance r^2 / 3, so r is sqrt(3) times the standard deviation": std,
        "it is the variance times 3, not its square root: r^2 / 3 = v gives r = sqrt(3 v)":
            3 * std * std,
        "it uses alpha where the second moment has alpha^2: the negative half keeps (alpha z)^2":
            np.sqrt(6.0 / ((1 + s) * n)),
        "it ignores the slope: a leaky ReLU keeps (1 + alpha^2) / 2 of the second moment, "
        "not 1/2": np.sqrt(6.0 / n) * np.ones_like(s),
        "it misses the factor 1/2: the positive and the negative half each carry half of "
        "E[z^2], so E[phi(z)^2] = (1 + alpha^2) / 2 Var[z]": np.sqrt(3.0 / ((1 + s * s) * n)),
        "it takes the width of the interval as r: U(-r, r) has variance (2r)^2 / 12 = r^2 / 3":
            np.sqrt(1.5 / ((1 + s * s) * n)),
    }
    # the quadrature is exact to ~1e-13 relative; the rest is the student's rounding
    cases = ", ".join(f"({ni}, {si:g})" for ni, si in _UNIFORM_CASES)
    assert_close(got, ref, f"he_uniform_limit(n_in, slope) over (n_in, slope) = {cases}",
                 ref_error=1e-10 * float(ref.max()), precision_of=raw[0],
                 reference="the limit from the second moment by numerical integration",
                 slips=slips, where_name="case",
                 hint="find the variance v first (part 2), then the r for which U(-r, r) has "
                      "variance v")
    used = forbidden_calls(f, {"relu_gain", "init_std", "init_weights"})
    if used:
        fail(f"the values are right, but he_uniform_limit calls the engine's {', '.join(used)}; the "
             "task is to write the formula you derived")
    return "the limits give the variance 2 / ((1 + alpha^2) n_in) for six widths and slopes"


# ---------------------------------------------------------------------------------------------
# 7.4  the initialisation bug
# ---------------------------------------------------------------------------------------------
@reference("7.4")
def _(ans):
    f = ans.function("fixed_init")
    n_out, n_in = 300, 700
    W = f(n_out, n_in, np.random.default_rng(5))
    arr = as_array(W, f"fixed_init({n_out}, {n_in}, rng)")
    if arr.shape == (n_in, n_out):
        fail(f"fixed_init({n_out}, {n_in}, rng) has shape {arr.shape}: the engine's weights have "
             "shape (n_out, n_in), one row per unit of the layer")
    if arr.shape != (n_out, n_in):
        fail(f"fixed_init({n_out}, {n_in}, rng) should have shape (n_out, n_in) = ({n_out}, {n_in}); "
             f"it has shape {arr.shape}")
    again = as_array(f(n_out, n_in, np.random.default_rng(5)), "fixed_init a second time")
    if again.shape != arr.shape or not np.array_equal(again, arr):
        fail("two calls with generators seeded alike gave different weights: draw from the rng "
             "passed in (rng.normal(...)), not from np.random, so that a seed reproduces the network")
    want = math.sqrt(2.0 / n_in)
    N = arr.size
    # the sample standard deviation of N = 210 000 draws has relative standard error
    # 1 / sqrt(2N) = 0.0015; 1 % is 6.5 standard errors, and the nearest slip is 30 % away
    sd, mean = float(arr.std()), float(arr.mean())
    if abs(mean) > 5 * want / math.sqrt(N):
        a = fmt_num(mean, 3)
        fail(f"the weights have mean {a}; He's scheme draws them with mean 0")
    if abs(sd / want - 1) > 0.01:
        slips = {2.0 / n_in: "it is still the bug: 2 / n_in is the variance, and rng.normal takes "
                             "the standard deviation, its square root",
                 math.sqrt(1.0 / n_in): "it is LeCun's sqrt(1 / n_in); a ReLU keeps half of the "
                                        "second moment, so He's variance is 2 / n_in",
                 math.sqrt(2.0 / n_out): "it scales with n_out; the forward pass sums over the n_in "
                                         "inputs, so the variance is 2 / n_in",
                 math.sqrt(2.0 / (n_in + n_out)): "that is Xavier's variance 2 / (n_in + n_out); "
                                                  "He's is 2 / n_in"}
        slip = next((m for v, m in slips.items() if abs(sd / v - 1) < 0.01), None)
        g, w = fmt_pair(sd, want)
        fail(f"for n_in = {n_in} the weights have standard deviation {g}, He's scheme needs "
             f"sqrt(2 / n_in) = {w}" + (f": {slip}" if slip else ""))
    # and the motivation: through 20 ReLU layers the spread of the activations stays level
    X = standardised_digits(0)[0][:256]
    net = Network([64] + [64] * 20 + [10], activation="relu", init=f, dtype=np.float64, seed=0)
    spread = activation_stats(net, X)["a_std"][:-1]
    change = float(spread[-1] / spread[0])
    if not 1 / 3 < change < 3:
        fail(f"through 20 ReLU layers the spread of the activations changed by a factor "
             f"{fmt_num(change, 3)}; with He's variance it stays level (within a factor 3)")
    return (f"standard deviation {sd:.5f} against sqrt(2 / n_in) = {want:.5f}, and the spread of a "
            f"20-layer ReLU network changes by a factor {change:.2f}")
