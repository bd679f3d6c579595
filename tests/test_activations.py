"""Tests of the activation registry against independent references.

Derivatives are compared with central finite differences in float64 on a grid that includes
large inputs (points within a small distance of a kink are left out); forward values are
compared with closed forms written independently here (scalar ``math`` formulas).
"""
import math
import warnings

import numpy as np
import pytest

from actbook.activations import (
    ActivationInputError,
    ActivationParameterError,
    ActivationValueError,
    UnknownActivationError,
    get,
    names,
)

ELEMENTWISE = [n for n in names() if get(n).elementwise]
KINKS = {"relu": [0.0], "leaky_relu": [0.0], "prelu": [0.0], "rrelu": [0.0], "elu": [0.0],
         "selu": [0.0], "hard_tanh": [-1.0, 1.0], "binary_step": [0.0],
         "reglu": [0.0]}  # ReGLU: its ReLU gate has a kink at v = 0

# A grid with small, moderate and large inputs.
GRID = np.concatenate([
    np.linspace(-6, 6, 241),
    [-1e4, -3e3, -700.0, -100.0, -40.0, -20.0, 20.0, 40.0, 100.0, 700.0, 3e3, 1e4],
])


def central_difference(f, z, h):
    return (f(z + h) - f(z - h)) / (2 * h)


def away_from_kinks(name, z, margin):
    keep = np.ones_like(z, dtype=bool)
    for k in KINKS.get(name, []):
        keep &= np.abs(z - k) > margin
    return z[keep]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_central_differences(name):
    act = get(name)
    h = 1e-5 * np.maximum(1.0, np.abs(GRID))
    z = away_from_kinks(name, GRID, margin=1e-3)
    h = 1e-5 * np.maximum(1.0, np.abs(z))
    numeric = central_difference(act.forward, z, h)
    analytic = act.derivative(z)
    err = np.abs(analytic - numeric) / np.maximum(1.0, np.abs(numeric))
    worst = int(np.argmax(err))
    assert err.max() < 1e-6, (
        f"{name}: derivative disagrees with finite differences at z={z[worst]:g}: "
        f"analytic {analytic[worst]:.10g}, numeric {numeric[worst]:.10g}"
    )


@pytest.mark.parametrize("name,param", [
    ("leaky_relu", "slope"), ("prelu", "slope"), ("elu", "alpha"), ("softplus", "beta"),
    ("swish", "beta"),
])
def test_parameter_derivatives(name, param):
    act = get(name)
    z = away_from_kinks(name, np.linspace(-6, 6, 121), 1e-3)
    theta = act.values[param]
    h = 1e-6
    numeric = (act.forward(z, **{param: theta + h}) - act.forward(z, **{param: theta - h})) / (2 * h)
    analytic = act.param_derivative(z, param)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", names())
def test_no_overflow_or_nan_up_to_1e4(name, dtype):
    act = get(name)
    z = np.linspace(-1e4, 1e4, 4002).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning (overflow, invalid) fails
        a = act(z)
        assert a.dtype == dtype, f"{name} changed dtype {dtype} to {a.dtype}"
        assert np.all(np.isfinite(a)), f"{name} produced non-finite output"
        if act.elementwise:
            d = act.derivative(z)
            assert d.dtype == dtype
            assert np.all(np.isfinite(d)), f"{name} produced a non-finite derivative"
        else:
            jac = act.jacobian(z[:600].reshape(100, 6))
            assert np.all(np.isfinite(jac))


def _sig(x):
    return 1 / (1 + math.exp(-x))


REFERENCE = {
    "identity": lambda x: x,
    "binary_step": lambda x: 1.0 if x >= 0 else 0.0,
    "sigmoid": _sig,
    "tanh": math.tanh,
    "hard_tanh": lambda x: max(-1.0, min(1.0, x)),
    "relu": lambda x: max(0.0, x),
    "leaky_relu": lambda x: x if x > 0 else 0.01 * x,
    "prelu": lambda x: x if x > 0 else 0.25 * x,
    "rrelu": lambda x: x if x > 0 else (1 / 8 + 1 / 3) / 2 * x,
    "elu": lambda x: x if x > 0 else math.exp(x) - 1,
    "selu": lambda x: 1.0507009873554805 * (x if x > 0 else 1.6732632423543772 * (math.exp(x) - 1)),
    "softplus": lambda x: math.log(1 + math.exp(x)),
    "swish": lambda x: x * _sig(x),
    "mish": lambda x: x * math.tanh(math.log(1 + math.exp(x))),
    "gelu": lambda x: 0.5 * x * (1 + math.erf(x / math.sqrt(2))),
    "gelu_tanh": lambda x: 0.5 * x * (1 + math.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))),
}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_forward_matches_scalar_reference(name):
    z = np.linspace(-8, 8, 161)
    expected = np.array([REFERENCE[name](float(x)) for x in z])
    np.testing.assert_allclose(get(name)(z), expected, rtol=1e-12, atol=1e-12)


#: Activations that are not elementwise, tested here and (the gated units) in
#: tests/test_gated_units.py.
VECTOR = {"maxout", "softmax", "glu", "reglu", "geglu", "swiglu"}


def test_every_activation_is_covered_by_a_reference_or_a_vector_test():
    assert set(names()) == set(REFERENCE) | VECTOR


def test_tanh_is_a_rescaled_sigmoid():
    z = np.linspace(-10, 10, 201)
    np.testing.assert_allclose(get("tanh")(z), 2 * get("sigmoid")(2 * z) - 1, atol=1e-14)


def test_sigmoid_slope_is_at_most_a_quarter():
    z = np.linspace(-10, 10, 200001)
    d = get("sigmoid").derivative(z)
    assert abs(d.max() - 0.25) < 1e-9 and abs(z[np.argmax(d)]) < 1e-4


def test_softmax_worked_case_and_jacobian():
    sm = get("softmax")
    p = sm(np.array([1.2, 1.0, 1.5]))
    np.testing.assert_allclose(p, [0.316, 0.258, 0.426], atol=6e-4)
    z = np.array([[0.3, -1.0, 2.0, 0.5]])
    jac = sm.jacobian(z)[0]
    h = 1e-6
    numeric = np.stack([(sm(z[0] + h * e) - sm(z[0] - h * e)) / (2 * h) for e in np.eye(4)], axis=1)
    np.testing.assert_allclose(jac, numeric, atol=1e-9)
    np.testing.assert_allclose(sm(np.array([1000.0, 1001.0])), sm(np.array([0.0, 1.0])), atol=1e-15)


def test_softmax_temperature_jacobian():
    sm = get("softmax", temperature=2.5)
    z = np.array([0.1, 0.7, -0.4])
    h = 1e-6
    numeric = np.stack([(sm(z + h * e) - sm(z - h * e)) / (2 * h) for e in np.eye(3)], axis=1)
    np.testing.assert_allclose(sm.jacobian(z), numeric, atol=1e-9)


def test_maxout_forward_and_jacobian():
    mx = get("maxout", k=3)
    z = np.array([[1.0, 5.0, 2.0, -1.0, -3.0, -2.0]])
    np.testing.assert_array_equal(mx(z), [[5.0, -1.0]])
    jac = mx.jacobian(z)[0]
    expected = np.zeros((2, 6))
    expected[0, 1] = expected[1, 3] = 1.0
    np.testing.assert_array_equal(jac, expected)
    assert mx.out_features(12) == 4
    with pytest.raises(ActivationInputError, match="multiple of k=3"):
        mx(np.ones(4))


def test_maxout_generalises_relu_and_leaky_relu():
    z = np.linspace(-3, 3, 61)
    pair = np.stack([z, np.zeros_like(z)], axis=-1)  # (61, 2): one unit of two pieces per row
    np.testing.assert_allclose(get("maxout")(pair)[:, 0], get("relu")(z))
    pair = np.stack([z, 0.1 * z], axis=-1)
    np.testing.assert_allclose(get("maxout")(pair)[:, 0], get("leaky_relu", slope=0.1)(z))


@pytest.mark.parametrize("name", names())
def test_layer_backward_agrees_with_finite_differences(name):
    """The engine-facing backward equals the vector-Jacobian product, checked numerically."""
    act = get(name)
    rng = np.random.default_rng(1)
    z = rng.normal(size=(4, 6))
    for k in KINKS.get(name, []):  # keep away from kinks
        z = np.where(np.abs(z - k) < 1e-2, z + 0.05, z)
    a, cache = act.layer_forward(z)
    g = rng.normal(size=a.shape)
    got = act.layer_backward(cache, g)
    h = 1e-6
    numeric = np.zeros_like(z)
    for idx in np.ndindex(z.shape):
        e = np.zeros_like(z)
        e[idx] = h
        numeric[idx] = np.sum(g * (act.forward(z + e) - act.forward(z - e))) / (2 * h)
    np.testing.assert_allclose(got, numeric, rtol=1e-6, atol=1e-8)


def test_rrelu_random_in_training_and_mean_at_test():
    act = get("rrelu")
    rng = np.random.default_rng(0)
    z = -np.ones((2000, 5))
    a, cache = act.layer_forward(z, training=True, rng=rng)
    slopes = -a
    assert slopes.min() >= 1 / 8 and slopes.max() <= 1 / 3
    assert abs(slopes.mean() - (1 / 8 + 1 / 3) / 2) < 0.005
    assert slopes.std() > 0.05  # really random
    g = np.ones_like(z)
    np.testing.assert_allclose(act.layer_backward(cache, g), slopes)
    a_test, _ = act.layer_forward(z, training=False)
    np.testing.assert_allclose(-a_test, (1 / 8 + 1 / 3) / 2)
    with pytest.raises(ActivationParameterError, match="must not exceed"):
        get("rrelu", lower=0.5, upper=0.2)


def test_learnable_parameters_and_their_layer_gradients():
    assert get("prelu").learnable == ("slope",)
    assert get("swish").learnable == ("beta",)
    assert get("relu").learnable == ()
    act = get("prelu")
    z = np.array([[-2.0, 3.0], [-1.0, -4.0]])
    slope = np.array([0.1, 0.3])  # per unit
    a, cache = act.layer_forward(z, slope=slope)
    np.testing.assert_allclose(a, [[-0.2, 3.0], [-0.1, -1.2]])
    grads = act.layer_param_grads(cache, np.ones_like(z))
    np.testing.assert_allclose(grads["slope"], [[-2.0, 0.0], [-1.0, -4.0]])


def test_swish_limits():
    z = np.linspace(-5, 5, 101)
    np.testing.assert_allclose(get("swish", beta=0.0)(z), z / 2, atol=1e-15)
    np.testing.assert_allclose(get("swish", beta=200.0)(z), get("relu")(z), atol=2e-3)


@pytest.mark.parametrize("bad, match", [
    (np.array(["1.0"]), "real numeric"),
    (np.array([1 + 2j]), "complex"),
    (np.array([True, False]), "boolean"),
    ([1.0, None], "real numeric"),
])
def test_bad_input_types_raise_clear_errors(bad, match):
    with pytest.raises(ActivationInputError, match=match):
        get("sigmoid")(bad)


@pytest.mark.parametrize("value, what", [(np.nan, "NaN"), (np.inf, "infinite"), (-np.inf, "infinite")])
def test_non_finite_input_named(value, what):
    with pytest.raises(ActivationValueError, match=what):
        get("relu").derivative(np.array([0.5, value]))
    with pytest.raises(ValueError):  # also a ValueError
        get("relu")(np.array([value]))


def test_integers_are_accepted_as_float64():
    assert get("relu")(np.array([-1, 2])).dtype == np.float64


@pytest.mark.parametrize("name, params, match", [
    ("leaky_relu", {"slope": 1.5}, r"\[0, 1\)"),
    ("leaky_relu", {"slope": -0.1}, r"\[0, 1\)"),
    ("elu", {"alpha": 0.0}, r"\(0, inf\)"),
    ("softmax", {"temperature": -1.0}, "temperature"),
    ("maxout", {"k": 2.5}, "whole number"),
    ("maxout", {"k": 1}, r"\[2, 64\]"),
    ("swish", {"beta": float("nan")}, "real number"),
    ("swish", {"beta": "one"}, "must be a number"),
    ("relu", {"slope": 0.1}, "unknown parameter"),
])
def test_parameters_outside_their_range_raise(name, params, match):
    with pytest.raises(ActivationParameterError, match=match):
        get(name, **params)


def test_unknown_name_suggests_close_matches():
    with pytest.raises(UnknownActivationError, match="Did you mean 'sigmoid'"):
        get("sigmiod")
    with pytest.raises(UnknownActivationError, match="Did you mean 'leaky_relu'"):
        get("leaky_rel")
    with pytest.raises(UnknownActivationError, match="Registered:"):
        get("zzzzzz")


def test_aliases_and_spelling_variants():
    assert get("Leaky-ReLU").name == "leaky_relu"
    assert get("logistic").name == "sigmoid"
    assert get("SiLU").name == "swish"


def test_every_activation_documents_itself():
    for n in names():
        act = get(n)
        assert act.latex and act.latex_derivative and act.label, n
        assert act.properties.saturates in {"none", "negative", "positive", "both"}, n
        assert act.chapter, n
        for p in act.params.values():
            p.validate(p.default, n)


@pytest.mark.parametrize("name, params", [
    ("leaky_relu", {"slope": 0.2}), ("prelu", {"slope": -0.3}), ("elu", {"alpha": 0.5}),
    ("softplus", {"beta": 3.0}), ("swish", {"beta": 2.5}), ("swish", {"beta": 0.0}),
    ("rrelu", {"lower": 0.05, "upper": 0.45}),
])
def test_derivative_at_non_default_parameters(name, params):
    act = get(name, **params)
    z = away_from_kinks(name, GRID, margin=1e-3)
    h = 1e-5 * np.maximum(1.0, np.abs(z))
    numeric = central_difference(act.forward, z, h)
    np.testing.assert_allclose(act.derivative(z), numeric, rtol=1e-6, atol=1e-7)


# ---------------------------------------------------------------------------------------------
# The registry's `smooth` column, checked numerically (chapter 11's comparison table)
# ---------------------------------------------------------------------------------------------
def _largest_jumps(act, h=1e-6):
    """The largest jump of the function and of its derivative across the points where the
    book's activations have their kinks or steps (0 and +-1), and the largest change of the
    derivative between neighbours of a grid of step 1e-3 on [-6, 6] (which a kink anywhere
    else would show)."""
    points = np.array([-1.0, 0.0, 1.0])
    jump_f = np.abs(act.forward(points + h) - act.forward(points - h)).max()
    jump_d = np.abs(act.derivative(points + h) - act.derivative(points - h)).max()
    grid = np.linspace(-6.0, 6.0, 12001)
    step_d = np.abs(np.diff(act.derivative(grid))).max()
    return float(jump_f), float(jump_d), float(step_d)


def _numerically_smooth(act) -> bool:
    jump_f, jump_d, step_d = _largest_jumps(act)
    # a continuously differentiable unit changes by O(h) across a point and its derivative by
    # at most |phi''| * 1e-3 between grid neighbours (|phi''| < 1 for every unit here); a kink
    # or a step leaves a jump of order 0.1 or more
    return jump_f < 1e-4 and jump_d < 1e-4 and step_d < 1e-2


def test_smooth_column_agrees_with_the_derivative_jumps():
    disagree = {}
    for n in names():
        act = get(n)
        if not act.elementwise:
            continue
        if _numerically_smooth(act) != act.properties.smooth:
            disagree[n] = (act.properties.smooth, _largest_jumps(act))
    assert not disagree, f"registry 'smooth' against jumps (f, f', grid f'): {disagree}"


def test_elu_is_smooth_at_alpha_one_only():
    # the derivative is 1 just right of 0 and alpha just left: no jump when alpha = 1
    assert _numerically_smooth(get("elu"))
    assert get("elu").properties.smooth
    _, jump_d, _ = _largest_jumps(get("elu", alpha=0.5))
    assert abs(jump_d - 0.5) < 1e-4
    assert not _numerically_smooth(get("elu", alpha=0.5))
    # SELU's constants give lambda * alpha = 1.758 left of 0 against lambda = 1.051 right of it
    _, jump_d, _ = _largest_jumps(get("selu"))
    assert jump_d > 0.7 and not get("selu").properties.smooth
