"""Reference checks of chapter 8 (remedies for vanishing and exploding gradients)."""

from __future__ import annotations

import math

import numpy as np

from ..network import Network
from ..sweeps.common import standardised_digits
from . import reference
from ._tools import as_array, assert_close, fail, first_slip, fmt_num, fmt_pair, tolerance


# ------------------------------------------------------------------------------------------
# 8.1 clipping by global norm
# ------------------------------------------------------------------------------------------
_ORD_NAMES = {1: "1", 2: "2", np.inf: "np.inf"}


def _vector_norm(x, ord_):
    """The norm of a flat float64 vector, written out (1: sum |x|, 2: length, inf: max |x|)."""
    x = np.abs(np.asarray(x, dtype=np.float64).ravel())
    if ord_ == 1:
        return float(np.sum(x))
    if ord_ == 2:
        return float(np.sqrt(np.sum(x * x)))
    return float(np.max(x))


def _scaled(grads, scale):
    return np.concatenate([np.ravel(g) * scale for g in grads])


def _clip_slips(grads, max_norm, ord_):
    """What the usual slips return on these gradients, flattened into one vector."""
    flat = np.concatenate([np.ravel(g) for g in grads])
    norm = _vector_norm(flat, ord_)
    slips = {}
    # each array clipped by its own norm
    slips["each array was clipped by its own norm; treat all the arrays as one long vector: "
          "one norm of all of them together, and one factor for every array"] = np.concatenate(
        [np.ravel(g) * min(1.0, max_norm / _vector_norm(g, ord_)) for g in grads])
    # np.linalg.norm of a 2-D array with ord=1, 2 or inf is a matrix norm
    def matrix_norms():
        per = [np.linalg.norm(g, ord=ord_) if np.ndim(g) == 2 else _vector_norm(g, ord_) for g in grads]
        total = _vector_norm(per, ord_)
        return _scaled(grads, min(1.0, max_norm / total))
    slips["the norm of a 2-D array was taken as a matrix norm (np.linalg.norm(W, ord) with "
          "ord=1, 2 or np.inf on a matrix is its largest column sum, spectral norm or largest "
          "row sum); flatten the arrays first (np.ravel)"] = matrix_norms
    if ord_ != 2:
        l2 = _vector_norm(flat, 2)
        slips[f"the L2 norm was used although ord={_ORD_NAMES[ord_]}; pass ord on to the norm"] = \
            _scaled(grads, min(1.0, max_norm / l2))
    slips["the factor is upside down: clipping multiplies by max_norm / ||g||, which is below 1 "
          "when ||g|| > max_norm"] = _scaled(grads, norm / max_norm if norm > max_norm else 1.0)
    if norm < max_norm:
        slips["the gradients were rescaled although their norm is below max_norm; clipping only "
              "ever shrinks (return unchanged copies when ||g|| <= max_norm)"] = _scaled(grads, max_norm / norm)
    slips["every entry was clipped to [-max_norm, max_norm]: that is clipping by value, which "
          "changes the direction; clipping by norm scales all entries by one factor"] = np.clip(
        flat, -max_norm, max_norm)
    return slips


@reference("8.1")
def _(ans):
    clip_grads = ans.function("clip_grads")
    r = np.random.default_rng(4)
    grads = [r.standard_normal((5, 3)) * 3, r.standard_normal(3), r.standard_normal((2, 2)) * 10]
    before = [g.copy() for g in grads]
    for ord_ in (2, 1, np.inf):
        flat = np.concatenate([np.ravel(g) for g in grads])
        norm = _vector_norm(flat, ord_)
        # one threshold that clips, one just below the norm, one that does not clip
        for max_norm in (0.5, 0.9 * norm, 1e6):
            call = f"clip_grads(grads, {fmt_num(max_norm, 6)}, ord={_ORD_NAMES[ord_]})"
            mine = clip_grads(grads, max_norm, ord=ord_)
            if not all(np.array_equal(g, b) for g, b in zip(grads, before)):
                fail(f"{call} changed its input arrays (g *= scale works in place); scale copies "
                     "and return those")
            if mine is None or len(mine) != len(grads):
                fail(f"{call} should return a list of {len(grads)} arrays, one per gradient; got "
                     f"{'None' if mine is None else len(mine)}")
            shapes = [np.shape(m) for m in mine]
            if shapes != [g.shape for g in grads]:
                fail(f"{call} returned arrays of shapes {shapes}; they should keep the shapes "
                     f"{[g.shape for g in grads]} of the gradients")
            got = np.concatenate([np.ravel(np.asarray(m)) for m in mine])
            # the reference: one factor for all arrays, from the norm written out
            want = flat * (max_norm / norm if norm > max_norm else 1.0)
            assert_close(got, want, call, reference="one factor max_norm / ||g|| for all arrays",
                         slips=_clip_slips(grads, max_norm, ord_))
    return "clip_grads scales all arrays by one factor, for the L1, L2 and L-infinity norms"


# ------------------------------------------------------------------------------------------
# 8.2 the first-order change of the loss, and how it changes with depth
# ------------------------------------------------------------------------------------------
DEPTHS, SEEDS, LR_SWEEP = (2, 8, 16), range(10), 0.01


def _digits(n):
    X, y, _, _ = standardised_digits(0)
    return X[:n], y[:n]


def _params(net):
    return [p.copy() for _, p in net.parameters()]


def _set(net, values):
    for (_, p), v in zip(net.parameters(), values):
        p[...] = v


def _gradients(net, X, y):
    loss = net.loss(X, y)
    net.backward()
    return loss, [(name, g.copy()) for name, g in net.gradients()]


def _directional(net, X, y, grads, h):
    """(L(theta - h g) - L(theta + h g)) / 2h: the derivative of the loss along -g, which is
    -||g||^2, by central differences of the forward pass alone."""
    theta = _params(net)
    _set(net, [p - h * g for p, (_, g) in zip(theta, grads)])
    minus = net.loss(X, y)
    _set(net, [p + h * g for p, (_, g) in zip(theta, grads)])
    plus = net.loss(X, y)
    _set(net, theta)
    return (minus - plus) / (2 * h)


def _small_net():
    return Network([64, 32, 32, 10], activation="relu", init="he", dtype=np.float64, seed=7)


def _deep_net(depth, seed):
    return Network([64] + [64] * depth + [10], activation="relu", init="he", dtype=np.float64,
                   seed=seed)


def _per_seed(depth, X, y):
    """||g||^2 and the realised fraction for every seed, measured with the engine."""
    squares, fractions, inverse = [], [], []
    for seed in SEEDS:
        net = _deep_net(depth, seed)
        before, grads = _gradients(net, X, y)
        sq = float(sum(np.sum(g * g) for _, g in grads))
        net.step(LR_SWEEP)
        measured = net.loss(X, y) - before
        squares.append(sq)
        fractions.append(measured / (-LR_SWEEP * sq))
        inverse.append(-LR_SWEEP * sq / measured)
    return np.array(squares), np.array(fractions), np.array(inverse)


def _layers(n):
    return f"{n} hidden layer" + ("" if n == 1 else "s")


def _medians_other_depth(depth, X, y):
    squares, fractions, _ = _per_seed(depth, X, y)
    return float(np.median(squares)), float(np.median(fractions))


@reference("8.2")
def _(ans):
    foc = ans.function("first_order_change")
    X, y = _digits(200)
    # part 1 on a small network
    for lr in (1e-3, 1e-2):
        net = _small_net()
        before = _params(net)
        got = foc(net, X.copy(), y.copy(), lr)
        if not all(np.array_equal(p, b) for (_, p), b in zip(net.parameters(), before)):
            fail("first_order_change changed the network's parameters: it should predict the "
                 "change from the gradients, without taking the step")
        got_arr = as_array(got, f"first_order_change(net, X, y, lr={lr:g})")
        if got_arr.size != 1:
            fail(f"first_order_change should return one number, the predicted change of the loss; "
                 f"it returned an array of shape {got_arr.shape}")
        ref_net = _small_net()
        _, grads = _gradients(ref_net, X, y)
        # the reference: the slope of the loss along -g by central differences, with a step
        # of length 1e-4 in parameter space; its truncation error is estimated by
        # comparing with half the step (Richardson), and 10 times that is allowed
        g_len = math.sqrt(sum(float(np.sum(g * g)) for _, g in grads))
        h = 1e-4 / g_len
        slope = _directional(ref_net, X, y, grads, h)
        slope_half = _directional(ref_net, X, y, grads, h / 2)
        want = lr * slope_half  # the first-order change of a step of -lr g
        ref_error = lr * (10 * abs(slope - slope_half) + 1e-9 * abs(slope_half))
        sq = sum(float(np.sum(g * g)) for _, g in grads)
        weights_only = sum(float(np.sum(g * g)) for name, g in grads if name.endswith(".W"))
        slips = {
            "the sign is off: a step against the gradient lowers the loss, so the change is "
            "-lr ||g||^2, a negative number": lr * sq,
            "the learning rate is missing: the step is -lr g, so the change is -lr ||g||^2":
                -sq,
            "that is -lr ||g||, the norm; the change is -lr times its square (the sum of the "
            "squared entries)": -lr * g_len,
            "that sums the layers' norms ||grad W||, not their squares; the change is -lr times "
            "the sum of the *squared* entries of every gradient":
                -lr * sum(float(np.linalg.norm(g)) for _, g in grads),
            "the biases are left out: g holds the gradients of the weights *and* the biases":
                -lr * weights_only,
            "that is the mean of the squared entries; the change is -lr times their sum":
                -lr * sq / sum(g.size for _, g in grads),
            "there is a factor 1/2 too many: the first-order term is -lr ||g||^2 (the 1/2 belongs "
            "to the second-order term)": -lr * sq / 2,
        }
        assert_close(got, want, f"first_order_change(net, X, y, lr={lr:g})", ref_error=ref_error,
                     reference="the slope of the loss along -g by central differences", slips=slips)
    # part 2: the medians over the seeds
    X, y = _digits(256)
    for name in ("grad_sq", "realised"):
        values = ans[name]
        if not isinstance(values, dict):
            fail(f"`{name}` should be a dictionary keyed by the depth; it is a "
                 f"{type(values).__name__}")
        if sorted(values) != sorted(DEPTHS):
            fail(f"`{name}` should have one entry per depth {list(DEPTHS)}; its keys are "
                 f"{sorted(values)}")
    for depth in DEPTHS:
        squares, fractions, inverse = _per_seed(depth, X, y)
        # medians of float64 computations; a float32 sum of squares is accurate to about
        # 1e-6, so 1e-5 relative is allowed on top of the rounding of the answer's own type
        for name, per_seed, hint in [
            ("grad_sq", squares, "||g||^2 = -first_order_change(...) / LR_SWEEP, one per seed"),
            ("realised", fractions, "actual_change(...) / first_order_change(...), one per seed"),
        ]:
            got = ans[name][depth]
            want = float(np.median(per_seed))
            slips = {
                "that is the mean over the seeds; the exercise asks for the median":
                    float(np.mean(per_seed)),
                f"that is the value for {_layers(depth - 1)}: "
                f"[64] + [64] * depth + [10] has depth hidden layers":
                    (lambda d=depth - 1, k=("grad_sq", "realised").index(name):
                     _medians_other_depth(d, X, y)[k]),
                f"that is the value for {_layers(depth + 1)}: "
                f"[64] + [64] * depth + [10] has depth hidden layers":
                    (lambda d=depth + 1, k=("grad_sq", "realised").index(name):
                     _medians_other_depth(d, X, y)[k]),
            }
            if name == "grad_sq":
                slips["that is lr ||g||^2, the size of the predicted change; divide by the "
                      "learning rate"] = LR_SWEEP * want
            else:
                slips["the fraction is upside down: it is the actual change over the predicted "
                      "one"] = float(np.median(inverse))
                slips["the sign is off: both changes are negative, so the fraction is positive"] = -want
            assert_close(got, want, f"{name}[{depth}]", ref_error=1e-5 * abs(want),
                         reference=f"the median over the seeds {list(SEEDS)}", slips=slips,
                         hint=hint)
    return ("first_order_change agrees with the slope of the loss along the gradient, and "
            "grad_sq and realised with the medians over the seeds")


# ------------------------------------------------------------------------------------------
# 8.3 batch normalisation and the scale of the weights
# ------------------------------------------------------------------------------------------
BN_LAYER = 1


def _bn_net():
    return Network([64, 64, 64, 10], activation="relu", init="he", batch_norm=True,
                   dtype=np.float64, seed=3)


def _responses(net, X, y, layer, c):
    """Loss and gradient-norm ratios when ``layer``'s W is scaled by ``c``, for every
    layer's grad_W and grad_b and the whole gradient (a fresh network each time)."""
    def measure():
        loss = net.loss(X, y)
        net.backward()
        per_W = [float(np.sqrt(np.sum(L.grad_W ** 2))) for L in net.layers]
        per_b = [float(np.sqrt(np.sum(L.grad_b ** 2))) for L in net.layers]
        total = math.sqrt(sum(float(np.sum(g * g)) for _, g in net.gradients()))
        return loss, per_W, per_b, total

    l0, w0, b0, t0 = measure()
    net.layers[layer].W *= c
    l1, w1, b1, t1 = measure()
    net.layers[layer].W /= c
    return {"loss": l1 / l0, "W": [a / b for a, b in zip(w1, w0)],
            "b": [a / b if b else math.nan for a, b in zip(b1, b0)], "total": t1 / t0,
            "loss_diff": l1 - l0, "W_diff": [a - b for a, b in zip(w1, w0)]}


def _check_pair(got, want, what, rel, slips):
    """``got`` a pair (loss factor, gradient factor)."""
    arr = as_array(got, what)
    if arr.shape != (2,):
        fail(f"{what} should be a pair (loss after / loss before, ||grad W|| after / before); "
             f"it has shape {arr.shape}")
    if abs(arr[1] - 1.0) < 1e-12:
        fail(f"{what}: ||grad W|| did not change at all (factor {fmt_num(arr[1], 6)}). Either "
             "the weights were not scaled in place (W = W * c makes a new array the network "
             "never sees; W *= c scales the layer's own) or the gradient was not computed again "
             "with net.backward() after scaling")
    assert_close(got, want, what, ref_error=rel * float(np.max(np.abs(want))),
                 reference="a copy of the network scaled by hand", slips=slips)


@reference("8.3")
def _(ans):
    loss_factor = ans.function("predicted_loss_factor")
    grad_factor = ans.function("predicted_grad_factor")
    for c in (0.25, 4.0):
        got = loss_factor(c)
        assert_close(got, 1.0, f"predicted_loss_factor({c})", reference="the prediction",
                     slips={"that is c: BN(c z) = BN(z), the factor is divided out again": c,
                            "that is 1/c: BN(c z) = BN(z), the factor is divided out again": 1 / c,
                            "that is c^2: BN(c z) = BN(z), the factor is divided out again": c * c},
                     hint="what does the standardisation do to a factor c on every z of a unit?")
        got = grad_factor(c)
        assert_close(got, 1 / c, f"predicted_grad_factor({c})", reference="the prediction",
                     slips={"that is c: the forward pass is unchanged, but BN's derivative with "
                            "respect to an input c times larger is c times smaller": c,
                            "the gradient does change: BN's derivative with respect to an input c "
                            "times larger is c times smaller": 1.0,
                            "that is 1/c^2, the change of the step *relative to the weights*; "
                            "the gradient itself changes by 1/c": 1 / c ** 2},
                     hint="the forward pass is unchanged, but how does BN's derivative with "
                          "respect to its input change when the input is c times larger?")
    scale_response = ans.function("scale_response")
    X, y = _digits(256)
    # the answers are float64 ratios of float64 losses and norms; 1e-6 relative allows norms
    # computed in float32 and is far below every slip below
    rel = 1e-6
    for c in (0.1, 3.0):
        net = _bn_net()
        before = _params(net)
        got = scale_response(net, X.copy(), y.copy(), BN_LAYER, c)
        if not all(np.array_equal(p, b) for (_, p), b in zip(net.parameters(), before)):
            fail(f"scale_response(net, X, y, {BN_LAYER}, {c}) left the network changed: put the "
                 "weights back (keep a copy, or divide by c) before returning")
        ref = _responses(_bn_net(), X, y, BN_LAYER, c)
        want = np.array([ref["loss"], ref["W"][BN_LAYER]])
        slips = {"the ratios are upside down: after over before, not before over after": 1 / want,
                 "those are differences; the exercise asks for ratios, after / before":
                     np.array([ref["loss_diff"], ref["W_diff"][BN_LAYER]]),
                 "that is the norm of the whole network's gradient; measure the scaled layer's "
                 "grad_W only": np.array([ref["loss"], ref["total"]]),
                 "that is the gradient of the layer's biases; measure grad_W":
                     np.array([ref["loss"], ref["b"][BN_LAYER]])}
        for other in range(len(net.layers)):
            if other != BN_LAYER:
                slips[f"that is the gradient of layer {other} (net.layers[{other}]); measure the "
                      f"layer whose W was scaled, net.layers[layer]"] = np.array(
                    [ref["loss"], ref["W"][other]])
        _check_pair(got, want, f"scale_response(net, X, y, {BN_LAYER}, {c})", rel, slips)
    responses = ans["responses"]
    if not isinstance(responses, dict) or sorted(responses) != [0.1, 3.0]:
        fail("`responses` should be a dictionary with the keys 0.1 and 3.0, the factors c; it is "
             f"{responses!r:.80}")
    for c, pair in responses.items():
        ref = _responses(_bn_net(), X, y, BN_LAYER, c)
        want = np.array([ref["loss"], ref["W"][BN_LAYER]])
        slips = {f"that is the response of layer {other}; the exercise scales BN_LAYER = {BN_LAYER}":
                 (lambda other=other, c=c: np.array(
                     [_responses(_bn_net(), X, y, other, c)[k] if k == "loss" else
                      _responses(_bn_net(), X, y, other, c)["W"][other] for k in ("loss", "W")]))
                 for other in range(3) if other != BN_LAYER}
        _check_pair(pair, want, f"responses[{c}]", rel, slips)
    return ("the predictions are 1 and 1/c, and scale_response agrees with a copy of the network "
            "scaled by hand")
