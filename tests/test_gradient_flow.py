"""actbook.gradient_flow: the computations and guarded statements of chapter 7.

The measurement is compared with the stored table that ``scripts/sweep_gradients.py`` (a
separate implementation) wrote, the helpers with closed forms, and every fact is shown to hold
on a fresh measurement and to fail when the number behind it is changed.
"""
import math

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from actbook import gradient_flow as gf  # noqa: E402
from actbook.data import read_results_csv  # noqa: E402
from actbook.facts import require  # noqa: E402


@pytest.fixture(scope="module")
def batch():
    X, y, _, _ = gf.standardised_digits(0)
    return X[:256], y[:256]


@pytest.fixture(scope="module")
def rows(batch):
    """The chapter's measurement (a few seconds)."""
    return gf.measure_at_init(*batch)


@pytest.fixture(scope="module")
def numbers(batch, rows):
    """Every section's numbers, computed once."""
    X, y = batch
    return {"jacobian": gf.jacobian_numbers(X, y),
            "float": gf.float_numbers(X[:128], y[:128]),
            "variance": gf.variance_numbers(),
            "init": gf.init_numbers(rows)}


FACTS = {"jacobian": gf.jacobian_facts, "float": gf.float_facts,
         "variance": gf.variance_facts, "init": gf.init_facts}


# -- the measurement --------------------------------------------------------------------------
def test_measurement_reproduces_the_stored_table(batch):
    """Deterministic float64 at initialisation: the stored rows of the separate sweep script
    agree to the 8 digits they were written with."""
    stored = read_results_csv("gradients_init.csv", columns=gf.INIT_COLUMNS)
    key = ("activation", "init", "depth", "seed", "layer")
    table = {tuple(str(r[k]) for k in key): r for r in stored}
    fresh = gf.measure_at_init(*batch, activations=["sigmoid", "relu", "elu"],
                               depths=[2, 10], seeds=[0, 3])
    assert len(fresh) == 3 * 5 * 2 * (3 + 11)  # depth 2: 3 layers, depth 10: 11 layers
    for row in fresh:
        ref = table[tuple(str(row[k]) for k in key)]
        for column in ("delta_norm", "grad_W_norm", "z_std", "a_std"):
            # the spread of the softmax outputs of a network whose logits are all about 0 is
            # rounding noise around 0.1 (about 1e-15): compared in absolute terms
            atol = 1e-12 if column == "a_std" else 0.0
            assert math.isclose(row[column], float(ref[column]), rel_tol=1e-6, abs_tol=atol), (
                f"{row} differs from the stored {column} {ref[column]}")


def test_measurement_reads_stored_strings_like_fresh_rows(batch):
    stored = gf.Measurement(read_results_csv("gradients_init.csv", columns=gf.INIT_COLUMNS))
    fresh = gf.Measurement(gf.measure_at_init(*batch, activations=["tanh"], inits=["he"],
                                              depths=[6]))
    assert stored.depths == list(gf.DEPTHS) and stored.seeds == list(gf.SEEDS)
    np.testing.assert_allclose(stored.first_to_output("tanh", "he", 6),
                               fresh.first_to_output("tanh", "he", 6), rtol=1e-6)
    assert stored.per_seed("delta_norm", "tanh", "he", 6).shape == (5, 7)


def test_measurement_names_what_is_missing():
    with pytest.raises(ValueError, match="at least one row"):
        gf.Measurement([])
    with pytest.raises(KeyError, match="a_std"):
        gf.Measurement([{"activation": "relu", "init": "he", "depth": 2, "seed": 0}])
    row = dict(activation="relu", init="he", depth=2, seed=0, layer=1, delta_norm=1.0,
               grad_W_norm=1.0, z_std=1.0, a_std=1.0)
    m = gf.Measurement([row])
    with pytest.raises(LookupError, match="init='xavier'"):
        m.per_seed("delta_norm", "relu", "xavier", 2)
    with pytest.raises(KeyError, match="no column 'speed'"):
        m.per_seed("speed", "relu", "he", 2)


def _geometric_rows(factor, depths=(2, 4, 8), seeds=(0, 1), noise=None):
    """Rows whose error signal shrinks by exactly ``factor`` per hidden layer."""
    rows = []
    for d in depths:
        for s in seeds:
            for layer in range(1, d + 2):
                value = factor ** (d + 1 - layer) * (1 if noise is None else noise[s])
                rows.append(dict(activation="relu", init="he", depth=d, seed=s, layer=layer,
                                 delta_norm=value, grad_W_norm=1.0, z_std=1.0, a_std=1.0))
    return rows


def test_per_layer_factor_recovers_a_geometric_signal():
    factor, r2 = gf.Measurement(_geometric_rows(0.7)).per_layer_factor("relu", "he")
    assert math.isclose(factor, 0.7, rel_tol=1e-9) and math.isclose(r2, 1.0, rel_tol=1e-9)
    m = gf.Measurement(_geometric_rows(0.7, noise={0: 1.0, 1: 3.0}))
    # the ratio first/output does not depend on a factor common to a seed's layers
    np.testing.assert_allclose(m.first_to_output("relu", "he", 4), [0.7 ** 4] * 2)


def test_geo_band_and_its_error():
    centre, lo, hi = gf.geo_band(np.array([[1e-6, 2.0], [1e-2, 8.0]]))
    np.testing.assert_allclose(centre, [1e-4, 4.0])
    np.testing.assert_allclose(lo, [1e-6, 2.0])
    np.testing.assert_allclose(hi, [1e-2, 8.0])
    with pytest.raises(ValueError, match="positive"):
        gf.geo_band([1.0, 0.0])


def test_init_network_refuses_bad_input():
    with pytest.raises(ValueError, match="unknown initialisation 'glorot'"):
        gf.init_network(3, "relu", "glorot")
    with pytest.raises(ValueError, match="at least 1 hidden layer"):
        gf.init_network(0, "relu", "he")


# -- the sections' helpers against closed forms -----------------------------------------------
@pytest.mark.parametrize("init", ["xavier", "normal-1"])
def test_jacobian_factors_respect_the_bound(batch, init):
    net = gf.init_network(4, "tanh", init)
    f = gf.jacobian_factors(net, *batch)
    assert f["measured"].shape == f["bound"].shape == (4, 256)
    for l in range(4):
        assert math.isclose(f["spectral"][l],
                            np.linalg.svd(net.layers[l + 1].W, compute_uv=False)[0],
                            rel_tol=1e-12)
    assert np.all(f["measured"] <= f["bound"] * (1 + 1e-12))


def test_orthogonal_chain_multiplies_by_c_over_4():
    for c in (2.0, 6.0):
        deltas = gf.orthogonal_sigmoid_chain(c, depth=12)
        np.testing.assert_allclose(deltas[:-1] / deltas[1:], c / 4, rtol=1e-9)


def test_steps_until_against_the_formats():
    # 4**-n is exact until it passes the smallest subnormal 2**(1 - bias - mantissa bits);
    # half of that rounds to 0 (round half to even)
    for dtype, smallest_exponent in [(np.float32, -149), (np.float64, -1074)]:
        assert gf.steps_until(0.25, dtype) == math.ceil((1 - smallest_exponent) / 2)
        largest = float(np.finfo(dtype).max)
        expected = math.floor(math.log(largest) / math.log(1.5)) + 1
        assert abs(gf.steps_until(1.5, dtype) - expected) <= 1
    assert gf.steps_until(1.0, np.float64, limit=50) is None


def test_second_moment_ratio_against_theory():
    z = np.random.default_rng(3).standard_normal(1_000_000)
    assert abs(gf.second_moment_ratio("relu", z) - 0.5) < 0.005
    # the identity keeps E[z^2] = Var[z] + E[z]^2 exactly
    assert math.isclose(gf.second_moment_ratio("identity", z),
                        1 + z.mean() ** 2 / z.var(), rel_tol=1e-12)


def test_gluable_keeps_plain_numbers_only():
    out = gf.gluable({"a": np.float64(1.5), "b": np.int64(3), "c": np.ones(2), "d": True,
                      "e": "text", "f": 2})
    assert out == {"a": 1.5, "b": 3, "f": 2}
    assert type(out["a"]) is float and type(out["b"]) is int


# -- the facts --------------------------------------------------------------------------------
@pytest.mark.parametrize("section", sorted(FACTS))
def test_every_fact_holds_on_a_fresh_measurement(numbers, section):
    facts = require(FACTS[section](numbers[section]))
    assert facts and len({f.key for f in facts}) == len(facts)


#: (section, number changed, new value, the fact that must then fail)
PLANTED = [
    ("jacobian", "bound_worst", 1.3, "jacobians.bound-holds"),
    ("jacobian", "spec_normal", 10.0, "jacobians.spectral-norms"),
    ("jacobian", "xavier_bound_max", 1.1, "jacobians.xavier-shrinks"),
    ("jacobian", "normal_measured_max", 1.2, "jacobians.normal-bound-above-1-measured-below"),
    ("jacobian", "chain_factor_max", 1.6, "jacobians.chain-grows"),
    ("float", "under_float32", 600, "float.float32-sooner"),
    ("float", "deep_norm_float64", 0.0, "float.deep-float64-nonzero"),
    ("float", "deep_zero_float32", 10.0, "float.deep-float32-zero"),
    ("float", "deep_zero_pixels", 0.0, "float.float64-zeros-are-blank-pixels"),
    ("variance", "sim_relu", 0.55, "variance.second-moments"),
    ("variance", "pred_relu_he", 1.1, "variance.he-predicts-level"),
    ("init", "r_sigmoid_he", 0.5, "init.sigmoid-width-scaled-vanish"),
    ("init", "f_sigmoid_xavier", 0.3, "init.sigmoid-quarter-per-layer"),
    ("init", "r_sigmoid_n1", 1e-5, "init.sigmoid-normal-keeps"),
    ("init", "f_tanh_xavier", 0.7, "init.tanh-xavier-keeps"),
    ("init", "r_relu_he", 3.0, "init.relu-he-level"),
    ("init", "relu_pred_dev", 4.0, "init.relu-follows-prediction"),
    ("init", "r_relu_n1", 10.0, "init.relu-naive-explode-vanish"),
    ("init", "leaky_dev", 5.0, "init.leaky-like-relu"),
    ("init", "f_elu_he", 0.95, "init.elu-between"),
    ("init", "f_swish_he", 1.0, "init.swish-loses"),
    ("init", "seed_spread", 12.0, "init.seeds-narrow"),
    ("init", "r2_min", 0.9, "init.geometric-in-depth"),
    ("init", "fwd_dev", 8.0, "init.forward-matches-backward"),
    ("init", "gw_relu_n001", 20.0, "init.weight-gradient-hides"),
]


def test_every_fact_is_planted_once(numbers):
    keys = [f.key for section, fn in FACTS.items() for f in fn(numbers[section])]
    assert sorted(keys) == sorted(p[3] for p in PLANTED)


@pytest.mark.parametrize("section,key,value,fact_key", PLANTED,
                         ids=[p[3] for p in PLANTED])
def test_each_fact_fails_when_its_number_changes(numbers, section, key, value, fact_key):
    assert key in numbers[section], f"{section} numbers have no {key!r}"
    planted = dict(numbers[section], **{key: value})
    verdict = {f.key: f.holds for f in FACTS[section](planted)}
    assert verdict[fact_key] is False, f"{fact_key} still holds with {key} = {value}"
    assert sum(not v for v in verdict.values()) >= 1


def test_facts_evaluates_every_section(rows):
    facts = require(gf.facts(rows))
    assert {f.key.split(".")[0] for f in facts} == {"jacobians", "float", "variance", "init"}
    assert len(facts) == len(PLANTED)


# -- the explorer -----------------------------------------------------------------------------
@pytest.mark.parametrize("batch_norm", ["off", "on"])
def test_explorer_text_is_readable_at_the_page_size(batch, batch_norm):
    fig = gf.explorer_figure(*batch, depth=6, activation="tanh", gain=2.0,
                             batch_norm=batch_norm)
    try:
        assert len(fig.axes) == 2
        fig.canvas.draw()
        texts = [t for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip()]
        assert texts
        dpi = 80  # the chapter's static explorer; 8.5 inches is about the text column
        smallest = min(t.get_fontsize() for t in texts) * dpi / 72
        assert smallest >= 10, f"the smallest text is {smallest:.1f} px"
        # the verdict "within 10x" is carried by the marker, not only the colour
        markers = {line.get_marker() for line in fig.axes[0].lines}
        assert {"o", "s"} <= markers, f"markers {markers}"
    finally:
        import matplotlib.pyplot as plt
        plt.close(fig)
