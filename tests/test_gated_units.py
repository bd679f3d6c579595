"""Gated linear units (GLU, ReGLU, GEGLU, SwiGLU; chapter 5) against independent references.

The forward is compared with a numpy reference written here from the papers' definitions
(value half ``u`` times ``g`` of gate half ``v``, with ``g`` written out from scratch), the
Jacobian and the backward (vector-Jacobian product) with central finite differences, and the
engine's gradients with :func:`actbook.gradcheck.check_network_gradients`.
"""
import math

import numpy as np
import pytest

from actbook.activations import (ActivationInputError, ActivationParameterError,
                                 ActivationValueError, get, names)
from actbook.data import load_digits
from actbook.gradcheck import (central_difference, check_network_gradients,
                               numerical_jacobian, relative_error)
from actbook.network import Network

GATED = ["glu", "reglu", "geglu", "swiglu"]

_erf = np.vectorize(math.erf)


def _reference_gate(name, v):
    """The gate g(v), written independently of the package."""
    if name == "glu":
        return 1.0 / (1.0 + np.exp(-v))
    if name == "reglu":
        return np.where(v > 0, v, 0.0)
    if name == "geglu":
        return v * 0.5 * (1.0 + _erf(v / math.sqrt(2.0)))
    if name == "swiglu":
        return v / (1.0 + np.exp(-v))
    raise KeyError(name)


def reference(name, z):
    """u * g(v) with z = [u, v] split in halves along the last axis."""
    n = z.shape[-1] // 2
    return z[..., :n] * _reference_gate(name, z[..., n:])


def _inputs(name, shape, seed=0):
    z = np.random.default_rng(seed).normal(scale=2.0, size=shape)
    if name == "reglu":  # keep the gate half away from ReLU's kink at 0
        n = shape[-1] // 2
        v = z[..., n:]
        z[..., n:] = np.where(np.abs(v) < 1e-2, v + 0.05, v)
    return z


def test_the_gated_units_are_registered_as_vector_activations():
    for name in GATED:
        act = get(name)
        assert name in names()
        assert not act.elementwise
        assert act.pre_activations_per_unit() == 2
        assert act.out_features(10) == 5
        assert act.chapter == "05_smooth_units"
        assert act.references and act.latex and act.latex_derivative


def test_gates_are_the_registry_activations():
    expect = {"glu": "sigmoid", "reglu": "relu", "geglu": "gelu", "swiglu": "swish"}
    for name, gate in expect.items():
        assert get(name).gate.name == gate
    assert get("swiglu").gate.values["beta"] == 1.0


@pytest.mark.parametrize("name", GATED)
@pytest.mark.parametrize("shape", [(8,), (5, 8), (2, 3, 6)])
def test_forward_matches_numpy_reference(name, shape):
    z = _inputs(name, shape)
    got = get(name)(z)
    assert got.shape == shape[:-1] + (shape[-1] // 2,)
    np.testing.assert_allclose(got, reference(name, z), rtol=1e-12, atol=1e-12)


def test_split_convention_value_first_gate_second():
    # u = [3], v = [0]: GLU gives 3 * sigmoid(0) = 1.5; swapped halves would give 0
    np.testing.assert_allclose(get("glu")(np.array([3.0, 0.0])), [1.5])
    np.testing.assert_allclose(get("reglu")(np.array([3.0, -1.0])), [0.0])
    np.testing.assert_allclose(get("reglu")(np.array([-1.0, 3.0])), [-3.0])


@pytest.mark.parametrize("name", GATED)
def test_jacobian_against_central_differences(name):
    act = get(name)
    z = _inputs(name, (10,), seed=1)
    numeric = numerical_jacobian(act.forward, z, h=1e-6)
    analytic = act.jacobian(z)
    assert analytic.shape == (5, 10)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", GATED)
def test_backward_is_the_vector_jacobian_product(name):
    act = get(name)
    rng = np.random.default_rng(2)
    z = _inputs(name, (4, 12), seed=3)
    a, cache = act.layer_forward(z)
    grad_a = rng.normal(size=a.shape)
    got = act.layer_backward(cache, grad_a)
    np.testing.assert_allclose(act.vjp(z, grad_a), got, rtol=1e-14, atol=0)
    # central differences of sum(grad_a * phi(z)) in every entry of z
    numeric = np.zeros_like(z)
    for idx in np.ndindex(z.shape):
        e = np.zeros_like(z)
        e[idx] = 1.0
        numeric[idx] = central_difference(
            lambda t: np.sum(grad_a * act.forward(z + t * e)), 0.0, 1e-6)
    assert relative_error(got, numeric) < 1e-8
    # and against the product rule written out with the reference gate
    n = z.shape[-1] // 2
    u, v = z[:, :n], z[:, n:]
    dg = central_difference(lambda t: _reference_gate(name, t), v, 1e-6)
    expected = np.concatenate([grad_a * _reference_gate(name, v), grad_a * u * dg], axis=1)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", GATED)
def test_float32_stays_float32_and_large_inputs_stay_finite(name):
    z = np.linspace(-1e4, 1e4, 4000).astype(np.float32).reshape(2, -1)
    a, cache = get(name).layer_forward(z)
    g = get(name).layer_backward(cache, np.ones_like(a))
    assert a.dtype == np.float32 and g.dtype == np.float32
    assert np.isfinite(a).all() and np.isfinite(g).all()


@pytest.mark.parametrize("name", GATED)
def test_network_gradients_check(name):
    rng = np.random.default_rng(4)
    X = rng.normal(size=(12, 5))
    y = rng.integers(0, 3, size=12)
    net = Network([5, 6, 4, 3], activation=name, dtype=np.float64, seed=5)
    assert net.layers[0].W.shape == (12, 5)   # 2 x 6 pre-activations
    assert net.layers[1].W.shape == (8, 6)    # reads the 6 outputs
    assert net.layers[2].W.shape == (3, 4)
    if name == "reglu":  # no gate pre-activation within the difference step of the kink
        net.forward(X)
        for layer in net.layers[:-1]:
            assert np.abs(layer.z[:, layer.z.shape[1] // 2:]).min() > 1e-4
    errors = check_network_gradients(net, X, y)
    assert max(errors.values()) < 1e-6, errors


def test_pre_activations_come_from_the_activation():
    assert Network([3, 4, 2], activation="maxout").layers[0].W.shape == (8, 3)
    assert Network([3, 4, 2], activation=get("maxout", k=3)).layers[0].W.shape == (12, 3)
    assert Network([3, 4, 2], activation="relu").layers[0].W.shape == (4, 3)
    assert Network([3, 4, 2], activation="swiglu").layers[0].W.shape == (8, 3)


@pytest.mark.parametrize("name", GATED)
def test_odd_last_axis_is_refused_with_a_clear_message(name):
    act = get(name)
    for z in (np.ones(5), np.ones((3, 7)), np.float64(1.0)):
        with pytest.raises(ActivationInputError, match="even"):
            act(z)
        with pytest.raises(ActivationInputError, match="even"):
            act.jacobian(z)
    with pytest.raises(ActivationInputError, match="even"):
        act.out_features(7)


@pytest.mark.parametrize("name", GATED)
def test_bad_values_and_parameters_are_refused(name):
    act = get(name)
    with pytest.raises(ActivationValueError, match="NaN"):
        act(np.array([1.0, np.nan, 0.5, 2.0]))
    with pytest.raises(ActivationInputError, match="complex"):
        act(np.ones(4, dtype=complex))
    with pytest.raises(ActivationParameterError, match="unknown parameter"):
        get(name, beta=2.0)
    with pytest.raises(TypeError, match="not elementwise"):
        act.derivative(np.ones(4))
    with pytest.raises(ActivationInputError, match="shape"):
        act.vjp(np.ones((2, 4)), np.ones((2, 4)))


@pytest.mark.parametrize("name", GATED)
def test_a_short_digits_run_learns(name):
    X, y, X_test, y_test = load_digits(seed=0)
    net = Network([64, 34, 10], activation=name, seed=0)
    hist = net.fit(X, y, epochs=10, batch_size=32, lr=0.05, momentum=0.9,
                   progress=False)
    assert hist["epoch_loss"][-1] < 0.5 * hist["epoch_loss"][0]
    acc = net.accuracy(X_test, y_test)
    assert acc > 0.9, f"{name}: test accuracy {acc:.3f} after 10 epochs"
