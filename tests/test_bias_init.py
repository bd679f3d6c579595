"""The bias-initialisation measurement of chapter 4 (actbook.sweeps.bias_init): the stored table, its
facts, and that the facts can fail."""
import copy

import numpy as np
import pytest

from actbook.sweeps import bias_init
from actbook.data import load_digits
from actbook.facts import FactFailed, require


@pytest.fixture(scope="module")
def rows():
    return bias_init.load()


def test_stored_table_is_complete(rows):
    keys = {(r["lr"], r["bias"], r["seed"]) for r in rows}
    assert len(rows) == len(keys) == len(bias_init.LRS) * len(bias_init.BIASES) * len(bias_init.SEEDS)
    assert {r["seed"] for r in rows} == set(bias_init.SEEDS) and len(bias_init.SEEDS) >= 10
    for r in rows:
        for k in ("dead_start_1", "dead_start_2", "dead_1", "dead_2"):
            assert 0.0 <= r[k] <= 100.0, (k, r)


def test_facts_hold_on_the_stored_table(rows):
    assert len(require(bias_init.facts_of(rows))) >= 5


def test_facts_fail_when_the_bias_helps_in_every_seed(rows):
    # doctor the table: with bias 0.01 no unit of layer 2 ever dies at lr 0.2
    doctored = copy.deepcopy(rows)
    for r in doctored:
        if r["bias"] == 0.01 and r["lr"] == 0.2:
            r["dead_2"] = 0.0
        if r["bias"] == 0.0 and r["lr"] == 0.2:
            r["dead_2"] = max(r["dead_2"], 50.0)
    failed = {f.key for f in bias_init.facts_of(doctored) if not f.holds}
    assert {"bias_init.within_spread", "bias_init.not_consistent"} <= failed
    with pytest.raises(FactFailed):
        require(bias_init.facts_of(doctored))


def test_start_of_a_run_matches_an_independent_count(rows):
    """The dead units at initialisation (deterministic) agree with an independent forward pass,
    and with the stored table, for two seeds."""
    X, *_ = load_digits(seed=0)
    fresh = bias_init.measure(lrs=(0.05,), seeds=(0, 1), epochs=1)
    for r in fresh:
        net = bias_init._network(r["seed"], r["bias"])
        W, b = net.layers[0].W.astype(np.float64), net.layers[0].b.astype(np.float64)
        z = X.astype(np.float64) @ W.T + b
        assert r["dead_start_1"] == pytest.approx(100 * np.mean(np.all(z <= 0, axis=0)), abs=0.8)
        stored = next(s for s in rows if s["lr"] == 0.05 and s["bias"] == r["bias"]
                      and s["seed"] == r["seed"])
        assert r["dead_start_1"] == pytest.approx(stored["dead_start_1"], abs=0.8)
        assert r["dead_start_2"] == pytest.approx(stored["dead_start_2"], abs=0.8)


def test_positive_bias_is_set_on_hidden_layers_only():
    net = bias_init._network(0, 0.01)
    assert all(np.all(layer.b == np.float32(0.01)) for layer in net.layers[:-1])
    assert np.all(net.layers[-1].b == 0)
