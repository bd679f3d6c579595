"""Tests of the activation explorer (actbook/explorer.py), against closed forms and quadrature.

Every reference below is computed here from first principles (the Gaussian density, the logistic
formula written out), never by calling the registry the explorer itself uses.
"""
import math

import numpy as np
import pytest

from actbook import explorer
from actbook.explorer import explorer_figure, layer_statistics

N = 40_000          # samples per layer: standard error of a mean about 0.005 for unit spread
TOL_MEAN = 0.02     # four standard errors


def _gauss_expectation(g, mu=0.0, s=1.0):
    """E[g(z)] for z ~ N(mu, s^2) by the trapezoid rule on +-10 s."""
    z = np.linspace(mu - 10 * s, mu + 10 * s, 200_001)
    w = np.exp(-0.5 * ((z - mu) / s) ** 2) / (s * math.sqrt(2 * math.pi))
    return float(np.trapezoid(g(z) * w, z)) if hasattr(np, "trapezoid") else float(np.trapz(g(z) * w, z))


def _sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * z))


def test_relu_moments_match_closed_form():
    st = layer_statistics("relu", n=N)
    assert st["out_mean"] == pytest.approx(1 / math.sqrt(2 * math.pi), abs=TOL_MEAN)
    assert st["out_std"] == pytest.approx(math.sqrt(0.5 - 1 / (2 * math.pi)), abs=TOL_MEAN)
    # half of the units output exactly 0 and pass no gradient
    assert st["frac_zero_output"] == pytest.approx(0.5, abs=0.01)
    assert st["frac_small_grad"] == pytest.approx(0.5, abs=0.01)


def test_sigmoid_and_tanh_match_quadrature():
    st = layer_statistics("sigmoid", n=N)
    assert st["out_mean"] == pytest.approx(0.5, abs=TOL_MEAN)
    ref = _gauss_expectation(lambda z: _sigmoid(z) * (1 - _sigmoid(z)))
    assert st["grad_mean"] == pytest.approx(ref, abs=0.005)
    assert st["grad"].max() <= 0.25 + 1e-12
    st = layer_statistics("tanh", n=N, scale=2.0)
    ref_std = math.sqrt(_gauss_expectation(lambda z: np.tanh(z) ** 2, s=2.0))
    assert st["out_mean"] == pytest.approx(0.0, abs=TOL_MEAN)
    assert st["out_std"] == pytest.approx(ref_std, abs=TOL_MEAN)


@pytest.mark.parametrize("scale", [1.0, 4.0, 8.0])
def test_sigmoid_fraction_of_small_gradients(scale):
    """sigma'(z) < tol exactly when |z| > z*, with sigma(z*) = (1 + sqrt(1 - 4 tol)) / 2."""
    tol = 0.01
    p = (1 + math.sqrt(1 - 4 * tol)) / 2
    z_star = math.log(p / (1 - p))
    expected = math.erfc(z_star / (scale * math.sqrt(2)))  # P(|z| > z*)
    st = layer_statistics("sigmoid", n=N, scale=scale, tol=tol)
    assert st["frac_small_grad"] == pytest.approx(expected, abs=0.01)


def test_saturation_grows_with_input_scale():
    fracs = [layer_statistics("tanh", n=5000, scale=s)["frac_small_grad"] for s in (0.5, 2, 8)]
    assert fracs[0] < fracs[1] < fracs[2]


def test_leaky_relu_gradients_take_two_values():
    st = layer_statistics("leaky_relu", n=5000, slope=0.2)
    assert set(np.round(np.unique(st["grad"]), 12)) == {0.2, 1.0}
    assert st["frac_small_grad"] == 0.0


def test_maxout_passes_gradient_to_one_piece_in_k():
    k = 3
    st = layer_statistics("maxout", n=3 * 6000, k=k)
    assert st["frac_small_grad"] == pytest.approx(1 - 1 / k, abs=1e-12)
    # E[max of 2 independent N(0,1)] = 1/sqrt(pi)
    st2 = layer_statistics("maxout", n=N, k=2)
    assert st2["out_mean"] == pytest.approx(1 / math.sqrt(math.pi), abs=TOL_MEAN)


def test_rrelu_training_draws_slopes_in_range():
    st = layer_statistics("rrelu", n=5000, training=True, lower=0.125, upper=1 / 3)
    neg = st["grad"][st["z"] < 0]
    assert neg.min() >= 0.125 - 1e-12 and neg.max() <= 1 / 3 + 1e-12
    assert neg.std() > 0.01  # random, not one fixed slope
    test_mode = layer_statistics("rrelu", n=5000, training=False, lower=0.125, upper=1 / 3)
    assert np.allclose(test_mode["grad"][test_mode["z"] < 0], (0.125 + 1 / 3) / 2)


def test_seed_makes_it_reproducible():
    a = layer_statistics("elu", n=1000, seed=3)["a"]
    b = layer_statistics("elu", n=1000, seed=3)["a"]
    assert np.array_equal(a, b)


def test_bad_input_is_refused_with_a_message():
    with pytest.raises(ValueError, match="softmax"):
        layer_statistics("softmax")
    with pytest.raises(ValueError, match="no parameter"):
        layer_statistics("relu", slope=0.1)
    with pytest.raises(ValueError, match="scale"):
        layer_statistics("tanh", scale=-1)
    with pytest.raises(ValueError, match="alpha"):   # outside the registry's range (0, inf)
        layer_statistics("elu", alpha=-1.0)
    with pytest.raises(TypeError):
        layer_statistics(3.0)


def test_figure_has_three_panels_and_is_not_global():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig = explorer_figure("sigmoid", n=2000, scale=3.0)
    assert len(fig.axes) == 3
    assert plt.get_fignums() == before  # never displayed twice by pyplot
    fig = explorer_figure("maxout", n=2000, k=2)
    assert len(fig.axes) == 3


def test_explorable_names_exclude_softmax_and_gated_units_only():
    from actbook.activations import names

    assert set(names()) - set(explorer.explorable_names()) == {
        "softmax", "glu", "reglu", "geglu", "swiglu"}


@pytest.mark.parametrize("name", ["glu", "swiglu"])
def test_gated_units_are_refused_with_a_reason(name):
    with pytest.raises(ValueError, match=f"{name} is a gated unit.*two pre-activations"):
        explorer_figure(name, n=200)
    with pytest.raises(ValueError, match="gated unit"):
        explorer.layer_statistics(name, n=200)


def test_static_twin_renders_and_limits_frames():
    html = explorer.static_activation_explorer(["sigmoid", "relu"], scale=[1.0, 3.0], n=500)
    text = html if isinstance(html, str) else (getattr(html, "data", None) or html._repr_html_())
    assert len(text) > 1000
    shifted = explorer.static_activation_explorer("relu", scale=[1.0], shift=[-2.0, 0.0], n=500)
    assert shifted is not None
    with pytest.raises(ValueError, match="frames"):
        explorer.static_activation_explorer(["sigmoid", "tanh", "relu"], scale=range(1, 22))
    with pytest.raises(ValueError, match="no parameter"):
        explorer.static_activation_explorer(["sigmoid", "leaky_relu"], params={"slope": [0.1]})


def test_live_explorer_rebuilds_parameter_sliders():
    pytest.importorskip("ipywidgets")
    box = explorer.live_activation_explorer("leaky_relu", n=1000)
    c = box.controls
    assert list(c["params"]) == ["slope"]
    image = box.children[-1]
    first = image.value
    assert len(first) > 1000  # a PNG was drawn
    c["params"]["slope"].value = 0.3
    assert image.value != first
    c["activation"].value = "elu"
    assert list(c["params"]) == ["alpha"]
    c["activation"].value = "relu"
    assert c["params"] == {}
