"""The hand-worked 2-2-2 network of chapter 2 (actbook.small_network), checked against
central finite differences and against the engine (actbook.network)."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from actbook.activations import get  # noqa: E402
from actbook.gradcheck import numerical_gradient, relative_error  # noqa: E402
from actbook.network import Network  # noqa: E402
from actbook.path_sums import path_sum_gradient  # noqa: E402
from actbook.small_network import (PARAM_NAMES, SmallNetwork,  # noqa: E402
                                   render_step)

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "swish", "elu"]


@pytest.mark.parametrize("hidden", HIDDEN)
def test_hand_gradient_matches_finite_differences(hidden):
    net = SmallNetwork(hidden=hidden)
    theta = net.param_vector()
    num = numerical_gradient(lambda: net.error_at(theta), theta, h=1e-6)
    assert relative_error(net.gradient_vector(), num) < 1e-8


def test_a_wrong_gradient_would_be_caught():
    # the finite-difference reference distinguishes the two-path answer from the one-path one
    net = SmallNetwork()
    f, g, p = net.forward(), net.backward(), net.params()
    one_path = g["delta_O1"] * p["w5"] * g["dphi_H1"] * f["I1"]
    theta = net.param_vector()
    k = PARAM_NAMES.index("w1")
    ref = numerical_gradient(lambda: net.error_at(theta), theta, h=1e-6, indices=[(k,)])[k]
    assert abs(g["dE_dw1"] - ref) < 1e-9
    assert abs(one_path - ref) > 1e-3


def test_worked_example_values():
    f = SmallNetwork().forward()
    z_H1 = 0.3 * 0.8 + (-0.5) * (-0.4) + 0.1
    assert f["z_H1"] == pytest.approx(z_H1, abs=1e-12)
    assert f["a_H1"] == pytest.approx(1 / (1 + np.exp(-z_H1)), abs=1e-12)
    assert f["E"] == pytest.approx(0.5 * (0.2 - f["a_O1"]) ** 2 + 0.5 * (0.9 - f["a_O2"]) ** 2)


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu"])
def test_matches_the_engine(hidden):
    net = SmallNetwork(hidden=hidden)
    m = net.matrices()
    e = Network([2, 2, 2], activation=hidden, output="sigmoid", loss="mse", dtype=np.float64)
    for layer, W, b in zip(e.layers, (m["W1"], m["W2"]), (m["b1"], m["b2"])):
        layer.W[...] = W
        layer.b[...] = b
    loss = e.loss(m["x"][None], m["t"][None])
    e.backward()
    g = net.gradient()
    assert loss == pytest.approx(net.forward()["E"], abs=1e-14)
    np.testing.assert_allclose(e.layers[0].grad_W, [[g["w1"], g["w2"]], [g["w3"], g["w4"]]], atol=1e-14)
    np.testing.assert_allclose(e.layers[1].grad_W, [[g["w5"], g["w6"]], [g["w7"], g["w8"]]], atol=1e-14)
    np.testing.assert_allclose(e.layers[0].grad_b, [g["b1"], g["b2"]], atol=1e-14)
    np.testing.assert_allclose(e.layers[1].grad_b, [g["b3"], g["b4"]], atol=1e-14)


def test_path_sums_match_the_engine_on_a_deeper_network():
    rng = np.random.default_rng(3)
    net = Network([3, 4, 3, 2], activation="tanh", output="sigmoid", loss="mse",
                  init="xavier", dtype=np.float64, seed=1)
    x, t = rng.normal(size=(1, 3)), rng.uniform(size=(1, 2))
    net.loss(x, t)
    net.backward()
    Ws = [l.W for l in net.layers]
    zs = [l.z[0] for l in net.layers]
    a_in = [l.a_prev[0] for l in net.layers]
    derivs = [l.act.derivative for l in net.layers]
    for li, layer in enumerate(net.layers, start=1):
        for j in range(layer.W.shape[0]):
            for i in range(layer.W.shape[1]):
                s, paths = path_sum_gradient(Ws, zs, a_in, net.layers[-1].a[0] - t[0], derivs, li, j, i)
                assert len(paths) == int(np.prod([len(z) for z in zs[li:]]))
                assert s == pytest.approx(layer.grad_W[j, i], abs=1e-14)


def test_with_params_and_errors():
    net = SmallNetwork()
    assert net.with_params(w5=1.5).params()["w5"] == 1.5
    assert net.params()["w5"] == -0.4          # the original is unchanged
    with pytest.raises(KeyError, match="unknown parameter"):
        net.with_params(w9=1.0)
    with pytest.raises(ValueError, match="step must be between"):
        render_step(99)


def test_steps_and_frames():
    net = SmallNetwork()
    steps = net.steps()
    assert [s.index for s in steps] == list(range(len(steps)))
    assert {s.phase for s in steps} == {"forward", "backward"}
    fig = render_step(len(steps) - 1, "relu")
    assert isinstance(fig, matplotlib.figure.Figure)
    plt.close(fig)
