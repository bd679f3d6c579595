"""Reference checks of chapter 2 (backpropagation)."""

from __future__ import annotations

import numpy as np

from ..activations import get
from ..gradcheck import numerical_gradient
from ..small_network import PARAM_NAMES, SmallNetwork
from . import reference
from ._tools import as_array, assert_close, fail, first_slip, fmt_num, fmt_pair, tolerance


@reference("2.1")
def _(ans):
    got = ans.number("dE_dw3")
    net = SmallNetwork()
    theta = net.param_vector()
    k = PARAM_NAMES.index("w3")
    # central differences of E in w3: truncation ~ h^2 |E'''| / 6 < 1e-12, rounding
    # ~ 1e-16 |E| / h < 1e-10
    ref = numerical_gradient(lambda: net.error_at(theta), theta, h=1e-6, indices=[(k,)])[k]
    f, p = net.forward(), net.params()
    d1 = (f["a_O1"] - f["t1"]) * f["a_O1"] * (1 - f["a_O1"])
    d2 = (f["a_O2"] - f["t2"]) * f["a_O2"] * (1 - f["a_O2"])
    sH2 = f["a_H2"] * (1 - f["a_H2"])
    slips = {
        "only the path through O1 is counted; w3 reaches E through both outputs (add "
        "delta_O2 * w8)": p["w6"] * d1 * sH2 * f["I1"],
        "only the path through O2 is counted; w3 reaches E through both outputs (add "
        "delta_O1 * w6)": p["w8"] * d2 * sH2 * f["I1"],
        "the factor sigma'(z_H2) of the hidden unit is missing": (p["w6"] * d1 + p["w8"] * d2) * f["I1"],
        "the sign is flipped: E = 1/2 (t - a)^2 gives dE/da = a - t": -ref,
        "it is multiplied by I2; w3 carries the input I1": (p["w6"] * d1 + p["w8"] * d2) * sH2 * f["I2"],
        "the outputs' factors sigma'(z_O) are missing from delta_O1 and delta_O2":
            (p["w6"] * (f["a_O1"] - f["t1"]) + p["w8"] * (f["a_O2"] - f["t2"])) * sH2 * f["I1"],
    }
    if abs(got - ref) > tolerance(ans["dE_dw3"], abs(ref), 1e-9):
        slip = first_slip(got, slips)
        g, r = fmt_pair(got, ref)
        fail(f"dE_dw3 = {g}{': ' + slip if slip else ', but central differences of E give ' + r}")
    return "dE_dw3 agrees with central differences of E"


@reference("2.2")
def _(ans):
    dense_backward = ans.function("dense_backward")
    r = np.random.default_rng(1)
    N, n_in, n_out = 5, 3, 4
    phi = get("tanh")
    A, W, b = r.normal(size=(N, n_in)), r.normal(size=(n_out, n_in)), r.normal(size=n_out)
    G = r.normal(size=(N, n_out))  # l_n = G_n . a_n, so dl_n/da_n = G_n
    Z = A @ W.T + b

    def L():  # the batch-mean loss, from the forward pass only
        return np.sum(G * phi(A @ W.T + b)) / N

    out = dense_backward(A.copy(), W.copy(), Z.copy(), G.copy(), phi)
    if not isinstance(out, tuple) or len(out) != 4:
        fail("dense_backward should return the four arrays (delta, grad_W, grad_b, grad_a_prev)")
    delta, gW, gb, gA = out
    # central differences, h = 1e-6: rounding ~ 1e-16 |L| / h ~ 1e-10
    num_W = numerical_gradient(L, W, h=1e-6)
    num_b = numerical_gradient(L, b, h=1e-6)
    num_A = numerical_gradient(L, A, h=1e-6) * N  # per example: N times the gradient of the mean
    Zv = Z.copy()
    num_Z = numerical_gradient(lambda: np.sum(G * phi(Zv)) / N, Zv, h=1e-6) * N
    dphi = phi.derivative(Z)
    good = G * dphi
    assert_close(delta, num_Z, "delta", ref_error=1e-8, reference="central differences of L in z",
                 slips={"it is grad_a itself; the unit's derivative phi'(z) is missing": G,
                        "it is divided by N; row n is the per-example dl_n/dz_n": good / N})
    arr = as_array(gW, "grad_W")
    if arr.shape == (n_in, n_out):
        fail(f"grad_W has shape {arr.shape}, the transpose of W's {W.shape}: it is delta.T @ a_prev / N")
    assert_close(gW, num_W, "grad_W", ref_error=1e-8, reference="central differences of L",
                 slips={"it is N times too large: L is the mean over the batch, so divide "
                        "the sum by N": good.T @ A,
                        "it uses grad_a instead of delta (phi'(z) is missing)": G.T @ A / N})
    assert_close(gb, num_b, "grad_b", ref_error=1e-8, reference="central differences of L",
                 slips={"it is N times too large: L is the mean over the batch": good.sum(axis=0),
                        "it uses grad_a instead of delta (phi'(z) is missing)": G.sum(axis=0) / N})
    assert_close(gA, num_A, "grad_a_prev", ref_error=1e-7, reference="central differences of l_n",
                 slips={"it is divided by N; row n is the per-example dl_n/da_prev_n": good @ W / N,
                        "it uses grad_a instead of delta (phi'(z) is missing)": G @ W})
    return "delta, grad_W, grad_b and grad_a_prev agree with central differences"


@reference("2.3")
def _(ans):
    cdg = ans.function("central_difference_gradient")
    v = np.array([0.3, -1.2, 2.0])
    v_before = v.copy()

    def f(u):  # f = sum(sin u) + u0 u1^2
        return np.sum(np.sin(u)) + u[0] * u[1] ** 2

    exact = np.cos(v) + np.array([v[1] ** 2, 2 * v[0] * v[1], 0.0])
    got = cdg(f, v)
    if not np.array_equal(v, v_before):
        fail("central_difference_gradient changed theta; perturb a copy (theta + step) instead")
    h = 1e-6
    fwd = np.array([(f(v + h * e) - f(v)) / h for e in np.eye(3)])
    # the central difference's own error with h = 1e-6: rounding ~ 1e-16 |f| / h < 1e-9
    assert_close(got, exact, "on f(v) = sum(sin v) + v0 v1^2, your gradient", ref_error=1e-8,
                 reference="the exact gradient",
                 slips={"that is the forward difference (f(theta + h e) - f(theta)) / h; the central "
                        "difference evaluates f at theta + h e and theta - h e": fwd,
                        "it is twice the gradient: the central difference divides by 2h, not h": 2 * exact})
    rel = ans.number("rel_error")
    net = SmallNetwork()
    g = net.gradient_vector()
    g_num = np.asarray(cdg(net.error_at, net.param_vector()), dtype=float)
    want = float(np.linalg.norm(g - g_num) / (np.linalg.norm(g) + np.linalg.norm(g_num)))
    if not 0 <= want < 1e-7:
        fail(f"with your central_difference_gradient the relative error on the chapter's network is "
             f"{fmt_num(want, 3)}, not tiny; check the function on the network's error net.error_at")
    # the same formula on the same numbers: agreement to rounding, or rel_error was computed
    # from something else
    if abs(rel - want) > 1e-3 * want + 1e-30:
        slips = {
            "that is the absolute error ||g - g~||; the relative error divides it by ||g|| + ||g~||":
                np.linalg.norm(g - g_num),
            "that divides by ||g|| only; the relative error divides by ||g|| + ||g~||":
                np.linalg.norm(g - g_num) / np.linalg.norm(g),
            "that is the largest entrywise difference, not the relative error of the vectors":
                np.max(np.abs(g - g_num)),
        }
        slip = next((m for m, val in slips.items() if abs(rel - val) <= 1e-3 * abs(val)), None)
        a, b = fmt_pair(rel, want)
        fail(f"rel_error = {a}" + (f": {slip}" if slip else
                                   f", but ||g - g~|| / (||g|| + ||g~||) with your estimate g~ is {b}"))
    return "the central differences are right and rel_error is the relative error they give"


def _forward(Ws, bs, phi, x):
    zs, a_list = [], [x]
    for W, b in zip(Ws, bs):
        z = W @ a_list[-1] + b
        zs.append(z)
        a_list.append(phi(z))
    return zs, a_list


def _backward(Ws, zs, a_list, t, phi, transpose=True, shift=0, output_derivative=True):
    """The column-form backward pass, or one of its usual slips."""
    delta = (a_list[-1] - t) * (phi.derivative(zs[-1]) if output_derivative else 1.0)
    grads = [None] * len(Ws)
    for l in range(len(Ws) - 1, -1, -1):
        grads[l] = np.outer(delta, a_list[l])
        if l > 0:
            carried = (Ws[l].T if transpose else Ws[l]) @ delta
            delta = carried * phi.derivative(zs[l - 1 + shift])
    return grads


@reference("2.4")
def _(ans):
    fixed_backward = ans.function("fixed_backward")
    r = np.random.default_rng(2)
    phi = get("tanh")
    for sizes in ([3, 3, 3, 3], [4, 5, 3, 2]):
        Ws = [r.normal(size=(m, n)) for n, m in zip(sizes[:-1], sizes[1:])]
        bs = [r.normal(size=m) for m in sizes[1:]]
        x, t = r.normal(size=sizes[0]), r.normal(size=sizes[-1])
        zs, a_list = _forward(Ws, bs, phi, x)
        grads = fixed_backward([W.copy() for W in Ws], [z.copy() for z in zs],
                               [a.copy() for a in a_list], t.copy(), phi)
        if grads is None or len(grads) != len(Ws):
            fail(f"fixed_backward should return one gradient per layer ({len(Ws)}); got "
                 f"{'None' if grads is None else len(grads)}")
        variants = {
            "it multiplies delta by W, not by W transposed, on the way back (the bug is still there)":
                dict(transpose=False),
            "phi' is taken at the wrong layer's z: delta of layer l needs phi'(z of layer l)":
                dict(shift=1),
            "the output delta lacks phi'(z) of the last layer": dict(output_derivative=False),
        }
        E = lambda: 0.5 * np.sum((_forward(Ws, bs, phi, x)[1][-1] - t) ** 2)  # noqa: E731
        for l, W in enumerate(Ws):
            # central differences, h = 1e-6: rounding ~ 1e-16 |E| / h ~ 1e-10
            num = numerical_gradient(E, W, h=1e-6)
            g = as_array(grads[l], f"layer {l + 1}'s gradient")
            if g.shape == W.shape[::-1] and g.shape != W.shape:
                fail(f"layer {l + 1} of a {sizes} network: the gradient has shape {g.shape}, the "
                     f"transpose of W's {W.shape}; it is np.outer(delta, a_prev)")
            slips = {msg: (lambda kw=kw, l=l: np.asarray(_backward(Ws, zs, a_list, t, phi, **kw)[l]))
                     for msg, kw in variants.items()}
            slips["the gradient is transposed: np.outer(delta, a_prev) has one row per unit of "
                  "this layer"] = num.T
            assert_close(grads[l], num, f"layer {l + 1} of a {sizes} network", ref_error=1e-8,
                         reference="central differences of E", slips=slips,
                         hint="Which matrix carries delta back to the layer below?")
    return "fixed_backward agrees with central differences on square and uneven networks"


Z0, H = -3e-7, 5e-7  # the point and the step of exercise 2.5


@reference("2.5")
def _(ans):
    prediction = ans.number("prediction")
    relu = get("relu")
    computed = float((relu(np.array([Z0 + H])) - relu(np.array([Z0 - H])))[0] / (2 * H))
    if abs(prediction - computed) < 1e-6:
        return f"the central difference is {fmt_num(computed, 6)}, as predicted"
    slips = {
        0.0: "that is ReLU'(z0), the slope at z0 < 0; the central difference averages the slopes "
             "over [z0 - h, z0 + h], which reaches past the kink",
        1.0: "that is the slope right of the kink; most of [z0 - h, z0 + h] lies left of it here",
        0.5: "that is the average of the two slopes; it holds only when the interval is centred "
             "on the kink",
        (H - Z0) / (2 * H): "that is (h - z0) / 2h; the part of the interval above the kink is "
                            "z0 + h long",
        (Z0 + H) / H: "that is the forward difference (ReLU(z0 + h) - ReLU(z0)) / h, not the central one",
    }
    slip = next((m for v, m in slips.items() if abs(prediction - v) < 1e-6), None)
    fail(f"the central difference with z0 = {Z0:g} and h = {H:g} gives {fmt_num(computed, 6)}, "
         f"not {fmt_pair(prediction, computed)[0]}" + (f": {slip}" if slip else
                                                       "; which evaluation point lies on which side of the kink?"))
