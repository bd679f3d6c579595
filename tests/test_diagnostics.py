"""Tests of the diagnostics against quantities computed independently here."""
import numpy as np
import pytest

from actbook.diagnostics import (Recorder, activation_stats, dead_fraction, derivatives,
                                 layer_norms, max_derivative,
                                 saturated_fraction)
from actbook.activations import get
from actbook.network import Network


def _batch(n=32, d=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.integers(0, 3, n)


def test_layer_norms_match_definitions():
    X, y = _batch()
    net = Network([6, 10, 8, 3], activation="tanh", dtype=np.float64)
    net.loss(X, y); net.backward()
    norms = layer_norms(net)
    for i, layer in enumerate(net.layers):
        rms = np.sqrt(np.mean([np.sum(row ** 2) for row in layer.delta]))
        assert norms["delta"][i] == pytest.approx(rms, rel=1e-12)
        assert norms["grad_W"][i] == pytest.approx(np.sqrt(np.sum(layer.grad_W ** 2)), rel=1e-12)
        assert norms["relative"][i] == pytest.approx(norms["grad_W"][i] / np.sqrt(np.sum(layer.W ** 2)))


def test_dead_fraction_counts_units_silenced_by_bias():
    X, y = _batch()
    net = Network([6, 10, 8, 3], activation="relu", dtype=np.float64)
    net.layers[0].b[:4] = -1e3   # 4 of 10 units can never fire
    net.layers[0].b[4:] = 1e3    # the other 6 always fire
    assert dead_fraction(net, X)[0] == pytest.approx(0.4)
    assert dead_fraction(net, X)[1] < 1.0
    # a leaky ReLU never dies; maxout always passes gradient to one piece
    for act in (get("leaky_relu"), get("maxout")):
        net = Network([6, 10, 8, 3], activation=act)
        net.layers[0].b[:] = -1e3
        assert np.all(dead_fraction(net, X) == 0)


def test_derivatives_use_the_forward_slopes():
    X, _ = _batch()
    net = Network([6, 10, 3], activation="sigmoid", dtype=np.float64)
    net.forward(X)
    s = 1 / (1 + np.exp(-net.layers[0].z))
    np.testing.assert_allclose(derivatives(net.layers[0]), s * (1 - s), rtol=1e-12)
    assert derivatives(net.layers[-1]) is None  # softmax


def test_derivatives_of_a_gated_unit_are_its_summed_absolute_partials():
    """Independent reference: the finite-difference Jacobian of the activation itself."""
    from actbook.gradcheck import numerical_jacobian

    X, _ = _batch()
    for name in ("reglu", "swiglu"):
        net = Network([6, 5, 3], activation=name, dtype=np.float64, seed=1)
        net.forward(X)
        layer = net.layers[0]
        act = layer.act
        expected = np.array([np.abs(numerical_jacobian(act, z)).sum(axis=1)
                             for z in layer.z])
        got = derivatives(layer)
        assert got.shape == (X.shape[0], 5)
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)


def test_a_reglu_unit_whose_gate_never_opens_is_dead():
    X, _ = _batch()
    net = Network([6, 4, 3], activation="reglu", dtype=np.float64, seed=0)
    net.layers[0].b[4:6] = -1e3   # the gates of units 0 and 1 never open
    net.layers[0].b[6:] = 1e3     # the gates of units 2 and 3 always do
    assert dead_fraction(net, X)[0] == pytest.approx(0.5)


def test_saturated_fraction():
    X, _ = _batch()
    assert max_derivative(get("sigmoid")) == pytest.approx(0.25)
    net = Network([6, 10, 3], activation="sigmoid", init="normal", init_scale=100.0)
    assert saturated_fraction(net, X=X)[0] > 0.9
    net = Network([6, 10, 3], activation="sigmoid", init="normal", init_scale=0.01)
    assert saturated_fraction(net, X=X)[0] == 0.0


def test_activation_stats():
    X, _ = _batch()
    net = Network([6, 10, 3], activation="relu", dtype=np.float64)
    s = activation_stats(net, X)
    a = net.layers[0].a
    assert s["a_mean"][0] == pytest.approx(a.mean())
    assert s["a_std"][0] == pytest.approx(a.std())
    assert s["a_zero"][0] == pytest.approx(np.mean(a == 0))


def test_recorder():
    X, y = _batch(100)
    net = Network([6, 10, 8, 3], activation="relu")
    rec = Recorder(every=2)
    hist = net.fit(X, y, epochs=2, batch_size=20, callback=rec, progress=False)
    arr = rec.arrays()
    assert hist["callback"] == []
    assert list(arr["step"]) == [2, 4, 6, 8, 10]
    assert arr["grad_W"].shape == (5, 3) and arr["dead"].shape == (5, 2)
    assert np.all(np.isfinite(arr["delta"]))
