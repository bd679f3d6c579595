"""Tests of the finite-difference tools: accuracy, the O(h^2) error, and the kink failure."""
import numpy as np
import pytest

from actbook.activations import get
from actbook.gradcheck import (check_network_gradients, numerical_gradient,
                               relative_error)
from actbook.network import Network


def test_numerical_gradient_of_known_function():
    x = np.linspace(-2, 2, 7)
    g = numerical_gradient(lambda: np.sum(np.sin(x) * x), x)
    np.testing.assert_allclose(g, np.cos(x) * x + np.sin(x), rtol=1e-8, atol=1e-10)
    np.testing.assert_array_equal(x, np.linspace(-2, 2, 7))  # restored after perturbing


def test_central_difference_error_is_second_order():
    """Truncation error ~ h^2: ten times smaller h, about a hundred times smaller error."""
    x = np.array([0.7])
    exact = np.exp(0.7)
    err = [abs(numerical_gradient(lambda: np.exp(x[0]), x, h)[0] - exact) for h in (1e-2, 1e-3)]
    assert 80 < err[0] / err[1] < 120


def test_rounding_error_grows_for_tiny_steps():
    x = np.array([0.7])
    exact = np.exp(0.7)
    best = abs(numerical_gradient(lambda: np.exp(x[0]), x, 1e-5)[0] - exact)
    tiny = abs(numerical_gradient(lambda: np.exp(x[0]), x, 1e-12)[0] - exact)
    assert tiny > 100 * best


def test_relu_kink_fails_the_check():
    relu = get("relu")
    z = np.array([0.0])
    numeric = numerical_gradient(lambda: relu(z).sum(), z)
    assert numeric[0] == pytest.approx(0.5)
    assert relu.derivative(z)[0] in (0.0, 1.0)
    away = np.array([0.3, -0.3])
    assert relative_error(numerical_gradient(lambda: relu(away).sum(), away),
                          relu.derivative(away)) < 1e-9


def test_relative_error():
    a = np.array([1.0, 2.0, 3.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(a, -a) == pytest.approx(1.0)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(a, a * (1 + 1e-7)) == pytest.approx(5e-8, rel=1e-3)


def test_network_check_subset_and_state_restored():
    rng = np.random.default_rng(0)
    net = Network([5, 7, 3], activation="tanh", batch_norm=True, dtype=np.float64)
    X, y = rng.normal(size=(9, 5)), rng.integers(0, 3, 9)
    W = net.layers[0].W.copy()
    rm = net.layers[0].bn.running_mean.copy()
    net.eval_mode()
    errors = check_network_gradients(net, X, y, max_entries=6, training=True)
    assert max(errors.values()) < 1e-6
    np.testing.assert_array_equal(net.layers[0].W, W)
    np.testing.assert_array_equal(net.layers[0].bn.running_mean, rm)
    assert net.training is False


def test_central_difference_elementwise_against_closed_form():
    from actbook.gradcheck import central_difference

    z = np.linspace(-3, 3, 61)
    np.testing.assert_allclose(central_difference(np.tanh, z), 1 - np.tanh(z) ** 2,
                               rtol=1e-8, atol=1e-10)
    # a scalar parameter works the same way: d/dbeta of z * sigmoid(beta z) at beta = 1.3
    sig = lambda x: 1 / (1 + np.exp(-x))
    beta = 1.3
    exact = z ** 2 * sig(beta * z) * (1 - sig(beta * z))
    np.testing.assert_allclose(central_difference(lambda b: z * sig(b * z), beta, h=1e-6), exact,
                               rtol=1e-6, atol=1e-8)
    # a wrong derivative is detected: error of order one, not of order h^2
    assert np.abs(central_difference(np.tanh, z) - (1 + np.tanh(z) ** 2)).max() > 0.5
    with pytest.raises(ValueError, match="positive"):
        central_difference(np.tanh, z, h=0.0)


def test_numerical_jacobian_against_closed_form():
    from actbook.gradcheck import numerical_jacobian

    rng = np.random.default_rng(3)
    A = rng.normal(size=(3, 4))
    z = rng.normal(size=4)
    # f(z) = tanh(A z): J = diag(1 - tanh(Az)^2) A, shape (3, 4)
    J = numerical_jacobian(lambda v: np.tanh(A @ v), z)
    assert J.shape == (3, 4)
    np.testing.assert_allclose(J, (1 - np.tanh(A @ z) ** 2)[:, None] * A, rtol=1e-7, atol=1e-9)
    # softmax, written out here: J = diag(p) - p p^T
    s = np.exp(z - z.max())
    p = s / s.sum()
    J = numerical_jacobian(lambda v: np.exp(v - v.max()) / np.exp(v - v.max()).sum(), z)
    np.testing.assert_allclose(J, np.diag(p) - np.outer(p, p), atol=1e-9)
    with pytest.raises(ValueError, match="1-D"):
        numerical_jacobian(np.tanh, np.ones((2, 2)))
    with pytest.raises(ValueError, match="1-D array, got shape"):
        numerical_jacobian(lambda v: np.outer(v, v), z)
