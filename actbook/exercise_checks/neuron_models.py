"""Reference checks of chapter 1 (models of neurons)."""

from __future__ import annotations

import numpy as np

from ..activations import get
from . import reference
from ._tools import as_array, assert_close, fail, first_slip, fmt_num, fmt_pair, forbidden_calls

_sigmoid = get("sigmoid")


def _rng(label: str):
    return np.random.default_rng([1, *map(int, label.split("."))])


@reference("1.1")
def _(ans):
    f = ans.function("tanh_derivative")
    z = np.linspace(-6, 6, 241)
    h = 1e-5
    # central differences of numpy's tanh: truncation h^2/6 max|tanh'''| <= 3e-11,
    # rounding 1e-16 / h = 1e-11
    reference_values = (np.tanh(z + h) - np.tanh(z - h)) / (2 * h)
    got = f(z.copy())
    exact = 1 - np.tanh(z) ** 2
    ratio = np.asarray(got, dtype=float) / exact if np.shape(got) == z.shape else None
    slips = {}
    if ratio is not None and np.all(np.isfinite(ratio)) and np.ptp(ratio) < 1e-6 * abs(ratio.mean()) \
            and abs(ratio.mean() - 1) > 1e-3:
        slips[f"it is {fmt_num(ratio.mean(), 4)} times tanh'(z) at every z: a constant factor of "
              "the chain rule is off (2 sigma(2z) - 1 has an outer factor 2 and an inner factor 2)"] = got
    slips["it is sigma'(z) = sigma(z)(1 - sigma(z)) scaled, not the derivative of 2 sigma(2z) - 1: "
          "the argument of the sigmoid is 2z"] = lambda: 4 * _sigmoid(z) * (1 - _sigmoid(z))
    assert_close(got, reference_values, "tanh_derivative(z)", ref_error=1e-10, where=z,
                 reference="central differences of tanh", slips=slips,
                 hint="Differentiate 2 sigma(2z) - 1 with the chain rule")
    used = forbidden_calls(f, {"tanh", "arctanh", "cosh", "sinh"})
    if used:
        fail(f"the values are right, but tanh_derivative uses {', '.join(used)}; the task is to "
             "compute tanh' from the sigmoid alone (sigmoid(...), no tanh)")
    return "tanh_derivative agrees with central differences of tanh on [-6, 6], using the sigmoid"


@reference("1.2")
def _(ans):
    layer_output = ans.function("layer_output")
    weight_gradient = ans.function("weight_gradient")
    r = _rng("1.2")
    X, W, b = r.normal(size=(7, 3)), r.normal(size=(4, 3)), r.normal(size=4)
    for name in ["sigmoid", "relu", "tanh"]:
        phi = get(name)
        # neuron by neuron, example by example
        expected = np.array([[float(phi(np.array(W[j] @ X[i] + b[j]))) for j in range(4)]
                             for i in range(7)])
        got = layer_output(X.copy(), W.copy(), b.copy(), phi)
        arr = as_array(got, f"layer_output(X, W, b, {name})")
        if arr.shape == (4, 7) and np.allclose(arr.T, expected, atol=1e-6):
            fail("layer_output returns shape (4, 7), the transpose of the (N, n) = (7, 4) asked for: "
                 "rows are examples, so compute X @ W.T + b")
        assert_close(got, expected, f"layer_output(X, W, b, {name})",
                     reference="neuron-by-neuron evaluation", scale=max(1.0, np.abs(X @ W.T + b).max()),
                     slips={"the bias b is missing": phi(X @ W.T),
                            "the bias is added after the activation": phi(X @ W.T) + b})
    phi, x, w, b0, h = get("sigmoid"), X[0], W[0], float(b[0]), 1e-6
    # central differences in each weight; truncation about h^2 |phi'''| |x|^3 / 6 < 1e-12
    fd = np.array([(float(phi(np.array((w + h * e) @ x + b0)))
                    - float(phi(np.array((w - h * e) @ x + b0)))) / (2 * h) for e in np.eye(3)])
    got = weight_gradient(x.copy(), w.copy(), b0, phi)
    z0 = w @ x + b0
    assert_close(got, fd, "weight_gradient(x, w, b, sigmoid)", ref_error=1e-9, where=None,
                 reference="central differences in each weight",
                 slips={"it multiplies phi'(z) by the weights w; the derivative with respect to w_i "
                        "is phi'(z) times the input x_i": phi.derivative(np.array(z0)) * w,
                        "phi'(z) is missing: the output is phi(z), so the chain rule gives "
                        "phi'(z) x": lambda: x.copy(),
                        "it multiplies phi(z), not phi'(z), by x": phi(np.array(z0)) * x,
                        "phi' is taken at w.x without the bias b": phi.derivative(np.array(w @ x)) * x})
    return "layer_output matches neuron-by-neuron evaluation; weight_gradient matches finite differences"


# The static explorer of chapter 1 offers w1 in {-2, 4}, w2 in {2, 4}, b in {-6, -2, 2};
# its best AND gate, (4, 4, -6), gives sigma(2) = 0.881 at (1, 1) and sigma(-2) = 0.119
# elsewhere, so the targets are 0.85 and 0.15.
AND_HIGH, AND_LOW = 0.85, 0.15


@reference("1.3")
def _(ans):
    w = as_array(ans["w_and"], "`w_and`")
    if w.shape != (2,):
        fail(f"`w_and` should hold two weights (w1, w2); it has shape {w.shape}")
    b = ans.number("b_and")
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    out = 1 / (1 + np.exp(-(corners @ w + b)))
    shown = ", ".join(f"{tuple(map(int, c))}: {o:.3f}" for c, o in zip(corners, out))
    if out[3] <= AND_HIGH:
        fail(f"at (1, 1) the neuron outputs {fmt_num(out[3], 3)}; it should be above {AND_HIGH} "
             f"(outputs at the corners: {shown})")
    high = [tuple(map(int, c)) for c, o in zip(corners[:3], out[:3]) if o >= AND_LOW]
    if high:
        fail(f"AND should be off at {', '.join(map(str, high))}, but the neuron outputs "
             f"{AND_LOW} or more there (outputs at the corners: {shown})")
    return f"the neuron is above {AND_HIGH} at (1, 1) and below {AND_LOW} at the other corners"


@reference("1.4")
def _(ans):
    w, b = 3.0, -6.0
    # the steepest point of sigma(wx + b) is where wx + b = 0 (sigma' is largest at 0),
    # located here by bisection on the second derivative's sign, and its slope there
    lo, hi = -5.0, 5.0
    for _ in range(80):
        mid = (lo + hi) / 2
        s = 1 / (1 + np.exp(-(w * mid + b)))
        lo, hi = (mid, hi) if s < 0.5 else (lo, mid)  # sigma'' > 0 left of the inflection
    x_ref = (lo + hi) / 2
    h = 1e-6
    slope_ref = float((_sigmoid(np.array(w * (x_ref + h) + b)) - _sigmoid(np.array(w * (x_ref - h) + b)))
                      / (2 * h))
    x_meas = ans.number("x_steepest_measured")
    s_meas = ans.number("slope_measured")
    x_pred = ans.number("x_steepest_predicted")
    s_pred = ans.number("slope_predicted")
    if abs(s_meas - slope_ref / w) < 1e-4 or abs(s_pred - slope_ref / w) < 1e-3:
        which = "slope_measured" if abs(s_meas - slope_ref / w) < 1e-4 else "slope_predicted"
        fail(f"{which} = {fmt_num(s_meas if which == 'slope_measured' else s_pred, 4)} is the largest "
             "slope of sigma itself; da/dx = w sigma'(wx + b) carries the factor w = 3")
    # a grid of spacing 1e-4 (as in the task) finds x to 1e-4 and the slope to about 1e-8
    if abs(x_meas - x_ref) > 1e-3:
        a, r = fmt_pair(x_meas, x_ref)
        fail(f"x_steepest_measured = {a}, but a direct measurement puts the steepest point at {r}")
    if abs(s_meas - slope_ref) > 1e-4:
        a, r = fmt_pair(s_meas, slope_ref)
        fail(f"slope_measured = {a} does not match a direct measurement ({r})")
    if abs(x_pred - x_ref) > 1e-3:
        hint = (" (the sign is flipped: wx + b = 0 gives x = -b/w)" if abs(x_pred + x_ref) < 1e-3
                else "; the steepest point is where z = wx + b = 0")
        fail(f"the prediction x = {fmt_num(x_pred, 4)} is off{hint}")
    if abs(s_pred - slope_ref) > 1e-3:
        fail(f"the predicted slope {fmt_num(s_pred, 4)} is off: it is w times the sigmoid's "
             "largest slope")
    return "predictions and measurements agree with a direct measurement"


@reference("1.5")
def _(ans):
    collapse = ans.function("collapse")
    r = _rng("1.5")
    for n_in, n_mid, n_out in ((3, 3, 3), (3, 5, 2)):
        W1, b1 = r.normal(size=(n_mid, n_in)), r.normal(size=n_mid)
        W2, b2 = r.normal(size=(n_out, n_mid)), r.normal(size=n_out)
        X = r.normal(size=(50, n_in))
        stacked = (X @ W1.T + b1) @ W2.T + b2
        out = collapse(W1.copy(), b1.copy(), W2.copy(), b2.copy())
        if not isinstance(out, tuple) or len(out) != 2:
            fail("collapse should return the pair (W, b)")
        W_raw = out[0]
        W = as_array(W_raw, "W")
        b = as_array(out[1], "b")
        shapes = f"for layers {n_in} -> {n_mid} -> {n_out}"
        if W.shape != (n_out, n_in):
            extra = (": it is the transpose of the right matrix" if W.shape == (n_in, n_out)
                     and np.allclose(W.T, W2 @ W1, atol=1e-6) else "")
            fail(f"{shapes} the single layer maps {n_in} inputs to {n_out} outputs, so W has shape "
                 f"({n_out}, {n_in}); yours has shape {W.shape}{extra}")
        scale = np.abs(stacked).max()
        assert_close(X @ W.T, stacked - (W2 @ b1 + b2), f"{shapes}, X @ W.T",
                     reference="the stack's linear part", scale=scale, precision_of=W_raw,
                     slips={"W is W1 @ W2; the second layer's matrix acts last, so it comes first: "
                            "W2 @ W1": lambda: X @ (W1 @ W2).T,
                            "W is the transpose of W2 @ W1": lambda: X @ (W2 @ W1)})
        if b.shape != (n_out,):
            fail(f"{shapes} b should have shape ({n_out},); yours has shape {b.shape}")
        assert_close(out[1], W2 @ b1 + b2, f"{shapes}, b", reference="the stack's output at x = 0",
                     slips={"b is b1 + b2: the first layer's bias also passes through the second "
                            "layer's weights (W2 @ b1 + b2)": lambda: b1 + b2,
                            "b2 is missing: b = W2 @ b1 + b2": W2 @ b1})
    return "the single layer reproduces the two-layer stack, square or not"
