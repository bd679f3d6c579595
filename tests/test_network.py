"""Tests of the network engine against independent references.

Gradients are compared with central finite differences in float64 (relative error < 1e-6),
for every registered activation as a hidden layer and for every loss; inputs are re-drawn
until every pre-activation is well away from the activation's kinks.
"""
import math

import numpy as np
import pytest

from actbook.activations import get, names
from actbook.gradcheck import check_network_gradients, relative_error
from actbook.init import init_std, init_weights, relu_gain
from actbook.network import (LabelError, Network, NonFiniteError, ShapeError, clip_by_norm,
                             clip_by_value, global_norm)

TOL = 1e-6
H = 1e-5
MARGIN = 1e-3  # every |z - kink| must exceed this (100 h)

KINKS = {"relu": [0.0], "leaky_relu": [0.0], "prelu": [0.0], "rrelu": [0.0], "elu": [0.0],
         "selu": [0.0], "hard_tanh": [-1.0, 1.0], "binary_step": [0.0]}


def _min_kink_distance(net):
    """Smallest distance of a hidden pre-activation to a kink (or between maxout pieces)."""
    dist = np.inf
    for layer in net.layers[:-1]:
        z = layer.z
        for k in KINKS.get(layer.act.name, []):
            dist = min(dist, float(np.min(np.abs(z - k))))
        if layer.act.name == "maxout":
            k = layer.act.values["k"]
            g = np.sort(z.reshape(z.shape[0], -1, k), axis=-1)
            dist = min(dist, float(np.min(g[..., -1] - g[..., -2])))
    return dist


def _data(loss, rng, N=6, d=4, C=3):
    X = rng.normal(size=(N, d))
    if loss == "cross_entropy":
        return X, rng.integers(0, C, N)
    return X, rng.uniform(0.1, 0.9, size=(N, C))


def _net_away_from_kinks(make, loss, tries=50):
    """Build a network and data with all hidden pre-activations away from kinks."""
    for seed in range(tries):
        net = make(seed)
        X, Y = _data(loss, np.random.default_rng(100 + seed))
        net.training = True
        net.rng = np.random.default_rng(0)
        net.loss(X, Y)
        if _min_kink_distance(net) > MARGIN:
            return net, X, Y
    raise AssertionError("could not draw inputs away from the kinks")


OUTPUTS = [("cross_entropy", "softmax"), ("mse", "identity"), ("mse", "sigmoid"),
           ("binary_cross_entropy", "sigmoid")]


@pytest.mark.parametrize("loss,output", OUTPUTS)
@pytest.mark.parametrize("name", names())
def test_gradients_match_finite_differences(name, loss, output):
    width = 6  # divisible by maxout's k = 2
    def make(seed):
        return Network([4, width, width, 3], activation=name, output=output, loss=loss,
                       init="xavier", dtype=np.float64, seed=seed)
    if loss == "binary_cross_entropy" and name not in ("tanh", "relu", "maxout", "softmax"):
        pytest.skip("binary cross-entropy: a few activations suffice")
    net, X, Y = _net_away_from_kinks(make, "ce" if loss != "cross_entropy" else loss)
    errors = check_network_gradients(net, X, Y, h=H, training=True)
    worst = max(errors, key=errors.get)
    assert errors[worst] < TOL, f"{name}/{loss}: {worst} relative error {errors[worst]:.2e}"


def test_gradient_check_can_fail():
    """Breaking the backward pass (dropping the 1/N) must be caught."""
    net, X, Y = _net_away_from_kinks(
        lambda s: Network([4, 6, 3], activation="tanh", dtype=np.float64, seed=s), "cross_entropy")
    layer = net.layers[0]
    original = layer.backward_delta

    def wrong(delta, need_grad_input=True):
        out = original(delta, need_grad_input)
        layer.grad_W = layer.grad_W * delta.shape[0]
        return out
    layer.backward_delta = wrong
    errors = check_network_gradients(net, X, Y)
    assert errors["layer1.W"] > 0.1
    assert errors["layer2.W"] < TOL


@pytest.mark.parametrize("activation", ["tanh", "relu", "swish"])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_gradients(activation, training):
    net, X, Y = _net_away_from_kinks(
        lambda s: Network([4, 6, 6, 3], activation=activation, batch_norm=True,
                          dtype=np.float64, seed=s), "cross_entropy")
    for layer in net.layers[:-1]:  # make eval mode differ from identity statistics
        layer.bn.running_mean[:] = 0.3
        layer.bn.running_var[:] = 2.0
        layer.bn.gamma[:] = np.linspace(0.5, 1.5, 6)
    errors = check_network_gradients(net, X, Y, training=training)
    assert {"layer1.gamma", "layer1.beta", "layer2.gamma"} <= set(errors)
    assert "layer1.b" not in errors, "with batch norm, beta replaces the bias"
    assert max(errors.values()) < TOL, errors


def test_batch_norm_normalises_and_uses_running_stats_in_eval():
    rng = np.random.default_rng(0)
    net = Network([5, 8, 2], activation="relu", batch_norm=True, dtype=np.float64)
    X = rng.normal(3.0, 2.0, size=(64, 5))
    net.train_mode().forward(X)
    z = net.layers[0].z  # after BN, gamma = 1, beta = 0
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-9)
    np.testing.assert_allclose(z.std(axis=0), 1, rtol=1e-3)
    net.eval_mode()
    single = net.forward(X[:1])
    batch = net.forward(X)[:1]
    np.testing.assert_allclose(single, batch, rtol=1e-12)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_residual_gradients_and_identity_path(activation):
    net, X, Y = _net_away_from_kinks(
        lambda s: Network([4, 6, 6, 6, 3], activation=activation, residual=True,
                          dtype=np.float64, seed=s), "cross_entropy")
    assert [l.residual for l in net.layers] == [False, True, True, False]
    assert max(check_network_gradients(net, X, Y).values()) < TOL
    # with zero weights a residual layer passes its input through unchanged (tanh(0) = 0)
    if activation == "tanh":
        net.layers[1].W[:] = 0
        net.forward(X)
        np.testing.assert_allclose(net.layers[1].a, net.layers[0].a)


@pytest.mark.parametrize("activation,param", [("prelu", "slope"), ("swish", "beta")])
def test_learned_activation_parameters(activation, param):
    net, X, Y = _net_away_from_kinks(
        lambda s: Network([4, 6, 6, 3], activation=activation, learn_activation_params=True,
                          dtype=np.float64, seed=s), "cross_entropy")
    start = get(activation).values[param]
    np.testing.assert_allclose(net.layers[0].act_params[param], start)
    errors = check_network_gradients(net, X, Y)
    assert errors[f"layer1.{param}"] < TOL and errors[f"layer2.{param}"] < TOL, errors
    # they move under SGD
    rng = np.random.default_rng(0)
    Xt = rng.normal(size=(200, 4)); yt = (Xt[:, 0] * Xt[:, 1] > 0).astype(int)
    net2 = Network([4, 6, 6, 2], activation=activation, learn_activation_params=True, seed=0)
    net2.fit(Xt, yt, epochs=3, batch_size=20, lr=0.1, momentum=0.9, progress=False)
    moved = np.abs(net2.layers[0].act_params[param] - start).max()
    assert moved > 1e-4
    assert net2.layers[0].act_params[param].dtype == np.float32


def test_prelu_slope_starts_at_default_and_not_learned_when_off():
    net = Network([3, 4, 2], activation="prelu")
    assert net.layers[0].act_params == {}
    net = Network([3, 4, 2], activation="prelu", learn_activation_params=True)
    np.testing.assert_allclose(net.layers[0].act_params["slope"], 0.25)


# -- clipping and the update ------------------------------------------------------------------
@pytest.mark.parametrize("ord", [1, 2, np.inf])
def test_clip_by_norm(ord):
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=(3, 4)), rng.normal(size=5)]
    flat = np.concatenate([g.ravel() for g in grads])
    expected = np.linalg.norm(flat, ord)
    assert math.isclose(global_norm(grads, ord), expected, rel_tol=1e-12)
    before = [g.copy() for g in grads]
    returned = clip_by_norm(grads, expected / 4, ord)
    assert math.isclose(returned, expected, rel_tol=1e-12)
    assert math.isclose(global_norm(grads, ord), expected / 4, rel_tol=1e-9)
    for g, b in zip(grads, before):  # same direction
        np.testing.assert_allclose(g, b / 4, rtol=1e-9)
    clip_by_norm(grads, expected, ord)  # below the threshold: unchanged
    for g, b in zip(grads, before):
        np.testing.assert_allclose(g, b / 4, rtol=1e-12)


def test_clip_by_value():
    g = [np.array([-3.0, -0.5, 0.2, 7.0])]
    clip_by_value(g, 1.0)
    np.testing.assert_array_equal(g[0], [-1.0, -0.5, 0.2, 1.0])


def test_step_applies_clipping_and_momentum():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 3)); y = rng.integers(0, 2, 8)
    net = Network([3, 4, 2], activation="tanh", dtype=np.float64, init="normal", init_scale=3.0)
    W0 = [l.W.copy() for l in net.layers]
    net.loss(X, y); net.backward()
    g = [l.grad_W.copy() for l in net.layers]
    total = global_norm([gr for _, gr in net.gradients()])
    net.step(lr=0.5, clip_norm=total / 10)
    for l, w0, gw in zip(net.layers, W0, g):
        np.testing.assert_allclose(l.W, w0 - 0.5 * gw / 10, rtol=1e-9)
    # momentum: v1 = -lr g1, v2 = mu v1 - lr g2
    net = Network([3, 4, 2], activation="tanh", dtype=np.float64, seed=1)
    W = net.layers[0].W.copy()
    net.loss(X, y); net.backward(); g1 = net.layers[0].grad_W.copy(); net.step(0.1, 0.9)
    net.loss(X, y); net.backward(); g2 = net.layers[0].grad_W.copy(); net.step(0.1, 0.9)
    np.testing.assert_allclose(net.layers[0].W, W - 0.1 * g1 + 0.9 * (-0.1 * g1) - 0.1 * g2,
                               rtol=1e-12)


# -- initialisation -------------------------------------------------------------------------
@pytest.mark.parametrize("scheme,expected", [
    ("xavier", math.sqrt(2 / (400 + 300))), ("xavier_normal", math.sqrt(2 / 700)),
    ("he", math.sqrt(2 / 400)), ("he_uniform", math.sqrt(2 / 400)),
    ("lecun", math.sqrt(1 / 400)), ("normal", 1.0)])
def test_init_std(scheme, expected):
    assert math.isclose(init_std(scheme, 400, 300), expected, rel_tol=1e-12)
    W = init_weights(scheme, 300, 400, np.random.default_rng(0), np.float64)
    assert W.shape == (300, 400)
    assert abs(W.std() / expected - 1) < 0.02
    assert abs(W.mean()) < 0.02 * expected


def test_init_scale_and_leaky_gain():
    assert math.isclose(init_std("normal", 10, 10, scale=0.05), 0.05)
    assert math.isclose(init_std("he", 100, 10, scale=0.5), 0.5 * math.sqrt(2 / 100))
    assert math.isclose(relu_gain(0.0), math.sqrt(2))
    assert math.isclose(relu_gain(1.0), 1.0)
    net = Network([500, 400, 2], activation=get("leaky_relu", slope=0.5), seed=0,
                  dtype=np.float64)
    expected = math.sqrt(2 / (1 + 0.25)) / math.sqrt(500)
    assert abs(net.layers[0].W.std() / expected - 1) < 0.02
    # the output layer (softmax) keeps the ReLU gain
    assert abs(net.layers[1].W.std() / (math.sqrt(2 / 400)) - 1) < 0.1


def test_he_keeps_relu_signal_scale():
    """Derived property: with He's variance the second moment of a ReLU layer stays put."""
    rng = np.random.default_rng(0)
    net = Network([256] + [256] * 10 + [10], activation="relu", init="he", dtype=np.float64)
    net.forward(rng.standard_normal((512, 256)))
    ms = [np.mean(l.a ** 2) for l in net.layers[:-1]]
    assert 0.5 < ms[-1] / ms[0] < 2.0


def test_custom_init_callable_and_maxout_shape():
    net = Network([3, 4, 2], init=lambda n_out, n_in, rng: np.ones((n_out, n_in)))
    np.testing.assert_array_equal(net.layers[0].W, 1)
    with pytest.raises(ValueError, match="shape"):
        Network([3, 4, 2], init=lambda n_out, n_in, rng: np.ones((n_in, n_out)))
    net = Network([3, 4, 2], activation=get("maxout", k=3))
    assert net.layers[0].W.shape == (12, 3)
    assert net.forward(np.zeros((5, 3))).shape == (5, 2)


# -- losses -------------------------------------------------------------------------------------
def test_cross_entropy_is_stable_and_matches_closed_form():
    net = Network([2, 3], activation="relu", dtype=np.float64)  # no hidden layer: logistic regression
    net.layers[0].W[:] = [[1000, 0], [0, 0], [-1000, 0]]
    X = np.array([[1.0, 0.0], [0.5, 2.0]]); y = np.array([2, 0])
    loss = net.loss(X, y)
    z = X @ net.layers[0].W.T
    expected = np.mean([np.logaddexp.reduce(z[n]) - z[n, y[n]] for n in range(2)])
    assert np.isfinite(loss) and math.isclose(loss, expected, rel_tol=1e-12)


def test_mse_matches_closed_form():
    net = Network([2, 4, 3], activation="tanh", output="identity", loss="mse", dtype=np.float64)
    rng = np.random.default_rng(0)
    X, T = rng.normal(size=(5, 2)), rng.normal(size=(5, 3))
    loss = net.loss(X, T)
    assert math.isclose(loss, 0.5 * np.sum((net.forward(X) - T) ** 2) / 5, rel_tol=1e-12)


# -- bad input --------------------------------------------------------------------------------
@pytest.fixture
def small():
    return Network([4, 5, 3], activation="relu", seed=0)


def test_wrong_input_width_names_the_layer(small):
    with pytest.raises(ShapeError, match=r"layer 1 expects input of shape \(N, 4\)"):
        small.forward(np.zeros((2, 5)))
    with pytest.raises(ShapeError):
        small.forward(np.zeros((2, 4, 1)))


def test_labels_checked(small):
    X = np.zeros((3, 4))
    with pytest.raises(LabelError, match=r"0\.\.2"):
        small.loss(X, np.array([0, 1, 3]))
    with pytest.raises(LabelError, match="0..2"):
        small.loss(X, np.array([0, -1, 1]))
    with pytest.raises(LabelError, match="whole numbers"):
        small.loss(X, np.array([0.0, 1.5, 1.0]))
    with pytest.raises(LabelError, match="one-hot"):
        small.loss(X, np.eye(3))
    with pytest.raises(LabelError, match="integers"):
        small.loss(X, np.array(["a", "b", "c"]))
    with pytest.raises(ShapeError, match=r"\(3,\)"):
        small.loss(X, np.array([0, 1]))
    assert np.isfinite(small.loss(X, np.array([0.0, 1.0, 2.0])))  # whole floats are fine


def test_nonfinite_input(small):
    X = np.zeros((4, 4)); X[2, 1] = np.nan
    with pytest.raises(NonFiniteError, match="row 2"):
        small.forward(X)
    X[2, 1] = np.inf
    with pytest.raises(NonFiniteError):
        small.fit(X, np.zeros(4, dtype=int), progress=False)


def test_large_finite_input_is_not_mistaken_for_nonfinite():
    """The input check sums X in its own dtype; a sum that overflows must not be reported as
    NaN or infinity when every entry is finite, and one real inf among them must be found."""
    import warnings
    net = Network([3, 4, 2], dtype=np.float32)
    X = np.full((5, 3), 3e38, dtype=np.float32)        # finite; the float32 sum overflows
    with warnings.catch_warnings():
        warnings.simplefilter("error")                   # the check itself stays quiet
        assert net._inputs(X) is not None
    X[3, 2] = np.inf
    with pytest.raises(NonFiniteError, match="row 3"):
        net._inputs(X)


def test_mse_target_shape():
    net = Network([4, 5, 2], output="identity", loss="mse")
    with pytest.raises(ShapeError, match=r"\(3, 2\)"):
        net.loss(np.zeros((3, 4)), np.zeros((3, 3)))


def test_bad_configuration():
    with pytest.raises(ValueError, match="softmax"):
        Network([2, 3, 2], output="identity", loss="cross_entropy")
    with pytest.raises(ValueError, match="unknown loss"):
        Network([2, 3, 2], loss="hinge")
    with pytest.raises(ValueError, match="unknown init"):
        Network([2, 3, 2], init="glorious")
    with pytest.raises(ShapeError, match="2 hidden layers"):
        Network([2, 3, 3, 2], activation=["relu"])
    with pytest.raises(TypeError, match="float32 or float64"):
        Network([2, 3, 2], dtype=np.float16)


def _diverging_run(**kw):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3)); T = rng.normal(size=(64, 1)) * 10
    net = Network([3, 16, 16, 1], activation="relu", output="identity", loss="mse",
                  init="normal", init_scale=2.0, seed=0)
    return net, net.fit(X, T, epochs=50, batch_size=16, lr=1.0, progress=False, **kw)


def test_nonfinite_loss_raises_with_epoch_and_step():
    with np.errstate(all="ignore"):
        with pytest.raises(NonFiniteError, match=r"epoch \d+, step \d+"):
            _diverging_run()


def test_nonfinite_loss_stop_leaves_no_nan_in_history():
    with np.errstate(all="ignore"):
        net, hist = _diverging_run(on_nonfinite="stop")
    assert hist["diverged_at"] is not None
    assert all(np.isfinite(hist["loss"])) and all(np.isfinite(hist["epoch_loss"]))
    assert "epoch" in hist["diverged_message"]


def test_clipping_rescues_the_diverging_run():
    net, hist = _diverging_run(clip_norm=1.0)
    assert hist["diverged_at"] is None and np.all(np.isfinite(hist["loss"]))


# -- training, modes, reproducibility, dtype ------------------------------------------------------
def _circles(n, rng):
    r = np.where(rng.random(n) < 0.5, 1.0, 2.5)
    t = rng.uniform(0, 2 * np.pi, n)
    X = np.c_[r * np.cos(t), r * np.sin(t)] + rng.normal(0, 0.2, (n, 2))
    return X, (r > 2).astype(int)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_training_separates_circles(activation):
    """Not linearly separable: needs the hidden layer to work."""
    rng = np.random.default_rng(0)
    X, y = _circles(600, rng)
    Xv, yv = _circles(300, rng)
    net = Network([2, 16, 2], activation=activation, seed=0)
    assert net.accuracy(Xv, yv) < 0.8
    hist = net.fit(X, y, epochs=40, batch_size=32, lr=0.1, momentum=0.9, X_val=Xv, y_val=yv,
                   progress=False)
    assert hist["val_accuracy"][-1] > 0.97
    assert hist["epoch_loss"][-1] < hist["epoch_loss"][0] / 3
    assert len(hist["loss"]) == 40 * math.ceil(600 / 32)


def test_linear_network_cannot_separate_circles():
    rng = np.random.default_rng(0)
    X, y = _circles(600, rng)
    net = Network([2, 16, 2], activation="identity", seed=0)
    net.fit(X, y, epochs=20, batch_size=32, lr=0.1, momentum=0.9, progress=False)
    assert net.accuracy(X, y) < 0.75


def test_reproducible_with_seed():
    rng = np.random.default_rng(0)
    X, y = _circles(200, rng)
    def run(seed):
        net = Network([2, 8, 8, 2], activation="rrelu", seed=seed)
        h = net.fit(X, y, epochs=2, batch_size=16, lr=0.05, progress=False)
        return net.layers[0].W.copy(), h["loss"]
    (W1, l1), (W2, l2), (W3, _) = run(3), run(3), run(4)
    np.testing.assert_array_equal(W1, W2)
    assert l1 == l2
    assert not np.allclose(W1, W3)


def test_rrelu_train_vs_eval():
    net = Network([3, 50, 2], activation="rrelu", seed=0, dtype=np.float64)
    X = -np.abs(np.random.default_rng(0).normal(size=(4, 3)))
    net.layers[0].W[:] = np.abs(net.layers[0].W)  # every z negative
    net.train_mode()
    a1 = net.forward(X); a2 = net.forward(X)
    assert not np.allclose(a1, a2)
    slopes = net.layers[0].a / net.layers[0].z
    assert slopes.min() >= 1 / 8 - 1e-12 and slopes.max() <= 1 / 3 + 1e-12
    net.eval_mode()
    net.forward(X)
    np.testing.assert_allclose(net.layers[0].a / net.layers[0].z, (1 / 8 + 1 / 3) / 2)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_everywhere(dtype):
    rng = np.random.default_rng(0)
    X, y = _circles(64, rng)
    for kw in (dict(activation="gelu"), dict(activation="relu", batch_norm=True, momentum=0.9),
               dict(activation="prelu", learn_activation_params=True),
               dict(activation="maxout")):
        momentum = kw.pop("momentum", 0.0)
        net = Network([2, 8, 8, 2], dtype=dtype, **kw)
        net.fit(X, y, epochs=1, batch_size=16, momentum=momentum, progress=False)
        for layer in net.layers:
            for arr in [layer.z, layer.a, layer.delta, *layer.parameters().values(),
                        *layer.gradients().values()]:
                assert arr.dtype == dtype, (kw, layer, arr.dtype)
        assert net.predict(X).dtype == dtype


def test_fit_history_and_callback():
    rng = np.random.default_rng(0)
    X, y = _circles(100, rng)
    net = Network([2, 8, 2], seed=0)
    seen = []
    hist = net.fit(X, y, epochs=2, batch_size=10, X_val=X, y_val=y, eval_every=5, progress=False,
                   callback=lambda n, info: seen.append(info["step"]) or info["loss"])
    assert seen == list(range(1, 21))
    assert hist["callback"] == hist["loss"]
    assert hist["val_step"] == [5, 10, 15, 20]
    assert len(hist["epoch_loss"]) == 2 and len(hist["seconds"]) == 2
    assert net.training  # mode restored


def test_layers_expose_forward_and_backward_quantities():
    net = Network([4, 5, 6, 3], activation="sigmoid", dtype=np.float64)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(7, 4)), rng.integers(0, 3, 7)
    net.loss(X, y); net.backward()
    shapes = [(l.z.shape, l.a.shape, l.delta.shape, l.grad_W.shape, l.grad_b.shape)
              for l in net.layers]
    assert shapes == [((7, 5), (7, 5), (7, 5), (5, 4), (5,)),
                      ((7, 6), (7, 6), (7, 6), (6, 5), (6,)),
                      ((7, 3), (7, 3), (7, 3), (3, 6), (3,))]
    # the backward recursion, written out independently
    l1, l2, l3 = net.layers
    s = 1 / (1 + np.exp(-l2.z))
    np.testing.assert_allclose(l2.delta, (l3.delta @ l3.W) * s * (1 - s), rtol=1e-12)
    np.testing.assert_allclose(l2.grad_W, l2.delta.T @ l1.a / 7, rtol=1e-12)
    p = np.exp(l3.z) / np.exp(l3.z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(l3.delta, p - np.eye(3)[y], rtol=1e-12, atol=1e-15)
    assert relative_error(l3.grad_b, l3.delta.mean(axis=0)) < 1e-12


def _load_bench():
    from _scripts import load_script
    return load_script("benchmarks/bench_engine.py")


def test_benchmark_yardstick_trains_like_the_engine():
    """The benchmark's numpy-written-out loop is a fair yardstick only if it does the engine's
    arithmetic: from the same weights and example order, both end an epoch at the same weights."""
    bench = _load_bench()
    X, y = bench.synthetic_data(640, seed=3)
    net = Network(bench.SIZES, activation="relu", init="he", dtype=np.float32, seed=1)
    start = [(layer.W.copy(), layer.b.copy()) for layer in net.layers]
    W0 = [W.copy() for W, _ in start]
    order = np.random.default_rng(2).permutation(len(X))
    net.fit(X[order], y[order], epochs=1, batch_size=128, lr=0.1, shuffle=False, progress=False)
    _, direct = bench.time_numpy_direct(X, y, 128, 0.1, weights=start, order=order)
    for layer, (W, b), w0 in zip(net.layers, direct, W0):
        assert np.abs(W - w0).max() > 1e-3                # training moved the weights
        np.testing.assert_allclose(W, layer.W, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(b, layer.b, rtol=1e-4, atol=1e-6)


def test_benchmark_script_runs_small(tmp_path):
    """The benchmark's bookkeeping on a tiny run: FLOP count, float32 check, JSON output."""
    import json
    bench = _load_bench()
    # 784-256-256-10, batch 128: 2*128*(784*256 + 256*256 + 256*10) per pass, three passes
    # minus the first layer's input gradient
    per_step = 2 * 128 * (3 * (784 * 256 + 256 * 256 + 256 * 10) - 784 * 256)
    assert bench.flops_per_epoch(bench.SIZES, 1280, 128) == 10 * per_step
    res = bench.main(["--examples", "1280", "--repeats", "1", "--no-torch",
                      "--json", str(tmp_path / "r.json")])
    assert res["float32_violations"] == []
    assert json.loads((tmp_path / "r.json").read_text())["examples"] == 1280


def test_mse_accepts_integer_labels_as_one_hot():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(6, 4)), rng.integers(0, 3, 6)
    net = Network([4, 5, 3], activation="sigmoid", output="sigmoid", loss="mse", dtype=np.float64)
    assert net.loss(X, y) == pytest.approx(net.loss(X, np.eye(3)[y]), rel=1e-15)
    with pytest.raises(LabelError, match="0..2"):
        net.loss(X, np.array([0, 1, 2, 3, 0, 1]))


def test_replaced_weight_of_wrong_shape_names_the_layer():
    net = Network([4, 5, 6, 3])
    net.layers[1].W = np.zeros((6, 7), dtype=np.float32)
    with pytest.raises(ShapeError, match="layer 2"):
        net.forward(np.zeros((2, 4)))


@pytest.mark.parametrize("output", ["softmax", "tanh", "softplus"])
def test_mse_through_other_output_activations(output):
    """MSE goes through the output activation's own backward (softmax: its Jacobian)."""
    net, X, Y = _net_away_from_kinks(
        lambda s: Network([4, 6, 3], activation="tanh", output=output, loss="mse",
                          dtype=np.float64, seed=s), "mse")
    assert max(check_network_gradients(net, X, Y).values()) < TOL


# ------------------------------------------------------------------------------------------
# training arguments and labels: a clear error for each bad value
# ------------------------------------------------------------------------------------------
def _tiny():
    X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
    return Network([2, 4, 2], activation="tanh", seed=0), X, np.array([0, 1, 1, 0])


@pytest.mark.parametrize("kwargs, error, text", [
    ({"batch_size": 0}, ValueError, "batch_size must be a whole number >= 1; got 0"),
    ({"batch_size": -1}, ValueError, "batch_size must be a whole number >= 1; got -1"),
    ({"batch_size": 2.5}, TypeError, "batch_size must be a whole number"),
    ({"batch_size": True}, TypeError, "batch_size must be a whole number"),
    ({"lr": float("nan")}, ValueError, "lr must be a finite number; got nan"),
    ({"lr": float("inf")}, ValueError, "lr must be a finite number; got inf"),
    ({"lr": -0.1}, ValueError, "lr must be >= 0; got -0.1"),
    ({"lr": "0.1"}, TypeError, "lr must be a number"),
    ({"momentum": 1.0}, ValueError, "momentum must be in [0, 1); got 1"),
    ({"momentum": -0.5}, ValueError, "momentum must be in [0, 1); got -0.5"),
    ({"momentum": float("nan")}, ValueError, "momentum must be a finite number"),
    ({"epochs": -1}, ValueError, "epochs must be a whole number >= 0; got -1"),
    ({"eval_every": 0}, ValueError, "eval_every must be a whole number >= 1; got 0"),
])
def test_fit_rejects_bad_arguments_by_name(kwargs, error, text):
    net, X, y = _tiny()
    before = [p.copy() for _, p in net.parameters()]
    with pytest.raises(error) as info:
        net.fit(X, y, progress=False, **kwargs)
    assert text in str(info.value)
    assert all(np.array_equal(a, p) for a, (_, p) in zip(before, net.parameters())), "fit trained anyway"


def test_step_rejects_a_non_finite_learning_rate():
    net, X, y = _tiny()
    net.loss(X, y)
    net.backward()
    with pytest.raises(ValueError, match="lr must be a finite number; got nan"):
        net.step(lr=float("nan"))


def test_good_arguments_still_train():
    net, X, y = _tiny()
    hist = net.fit(X, y, epochs=np.int64(2), batch_size=np.int64(2), lr=np.float32(0.1), momentum=0,
                   progress=False, X_val=X, y_val=y, eval_every=1)
    assert len(hist["loss"]) == 4 and hist["val_step"] == [1, 2, 3, 4]


@pytest.mark.parametrize("labels, error, text", [
    (np.array([0, 1, 2, 0]), LabelError, "labels must lie in 0..1 for 2 output(s); got values from 0 to 2"),
    (np.array([0, -1, 1, 0]), LabelError, "labels must lie in 0..1"),
    (np.array([0.0, 0.5, 1.0, 0.0]), LabelError, "whole numbers"),
    (np.array(["a", "b", "a", "b"]), LabelError, "integers"),
    (np.array([0, 1, 1]), ShapeError, "labels must have shape (4,)"),
])
def test_accuracy_rejects_labels_that_loss_rejects(labels, error, text):
    net, X, _ = _tiny()
    with pytest.raises(error) as info:
        net.accuracy(X, labels)
    assert text in str(info.value)
    with pytest.raises((LabelError, ShapeError)):
        net.loss(X, labels)


def test_accuracy_accepts_labels_and_one_hot_rows_alike():
    net, X, y = _tiny()
    a = net.accuracy(X, y)
    assert a == net.accuracy(X, np.eye(2)[y]) == net.accuracy(X, y.astype(float))
    assert 0.0 <= a <= 1.0


# ------------------------------------------------------------------------------------------
# the engine's hot-path helpers compute what they stand for
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n, n_in, n_out, dtype", [
    (32, 784, 128, np.float32),   # computed as (W @ a.T).T
    (32, 64, 64, np.float32),     # as a @ W.T (batch not below half the width)
    (2000, 784, 128, np.float32),
    (32, 784, 128, np.float64),   # float64: always a @ W.T
    (1, 5, 3, np.float32),        # a single example: (W @ a.T).T
])
def test_forward_product_is_a_times_w_transposed(n, n_in, n_out, dtype):
    from actbook.layers import _times_w_transposed

    rng = np.random.default_rng(n + n_in)
    a = rng.standard_normal((n, n_in)).astype(dtype)
    W = rng.standard_normal((n_out, n_in)).astype(dtype)
    a0, W0 = a.copy(), W.copy()
    got = _times_w_transposed(a, W)
    assert got.shape == (n, n_out) and got.dtype == dtype and got.flags.c_contiguous
    exact = a.astype(np.float64) @ W.astype(np.float64).T
    tol = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, exact, rtol=tol, atol=tol * np.abs(exact).max())
    got += 1.0  # a fresh array: adding the bias in place touches neither input
    assert np.array_equal(a, a0) and np.array_equal(W, W0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [1, 2, 32, 257])
def test_batch_mean_var_are_numpys(dtype, n):
    from actbook.layers import _batch_mean_var

    rng = np.random.default_rng(n)
    z = (rng.standard_normal((n, 17)) * 30 + 5).astype(dtype)
    mean, var, centred = _batch_mean_var(z)
    # the same steps as numpy's mean and var: the same numbers, bit for bit
    assert np.array_equal(mean, z.mean(axis=0)) and np.array_equal(var, z.var(axis=0))
    assert np.array_equal(centred, z - z.mean(axis=0))
    assert mean.dtype == var.dtype == centred.dtype == dtype


def test_layer_parameters_and_gradients_agree_with_the_dicts():
    net = Network([4, 5, 3], activation="prelu", batch_norm=True, learn_activation_params=True,
                  seed=0)
    X = np.random.default_rng(0).standard_normal((8, 4))
    net.loss(X, np.arange(8) % 3)
    net.backward()
    for layer in net.layers:
        triples = layer.parameters_and_gradients()
        assert [k for k, _, _ in triples] == list(layer.parameters()) == list(layer.gradients())
        for k, theta, g in triples:
            assert theta is layer.parameters()[k] and g is layer.gradients()[k]
            assert theta.shape == g.shape
    hidden = [k for k, _, _ in net.layers[0].parameters_and_gradients()]
    assert hidden[:3] == ["W", "gamma", "beta"] and "b" not in hidden and len(hidden) == 4
