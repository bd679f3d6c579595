"""The stored digits comparison of chapter 9 (actbook.sweeps.digits): complete, re-runs land
among the stored seeds, and the chapter's statements hold and can fail.

This network has two hidden layers and trains far from instability: the same seeds under the
SkylakeX and Haswell kernels gave identical rows. A re-run is compared with the spread of the
stored seeds (slack: 0.01 in accuracy, two evaluations in iterations), never with one stored
trajectory.
"""
from __future__ import annotations

import numpy as np
import pytest
from _sweeps import copy_stored, plant, within

from actbook.data import load_digits
from actbook.facts import FactFailed, require
from actbook.results import read_meta
from actbook.sweeps import digits


@pytest.fixture(scope="module")
def stored():
    return digits.Comparison()


def test_stored_sweep_is_complete(stored):
    cfg = read_meta(digits.FILES[2])["config"]
    assert cfg == digits.CONFIG and cfg["seeds"] >= 10
    want = {(a, i, s) for a in cfg["activations"] for i in cfg["inits"]
            for s in range(cfg["seeds"])}
    assert {(r["activation"], r["init"], r["seed"]) for r in stored.runs} == want
    assert stored.runs.columns == digits.RUN_FIELDS
    curves = stored.curves
    assert {(r["activation"], r["init"], r["seed"]) for r in curves} == want
    # the stored iterations are the curves' first crossings
    for act, init, seed in [("tanh", "he", 2), ("sigmoid", "xavier", 0)]:
        c = curves.select(activation=act, init=init, seed=seed).sorted("step")
        row = stored.runs.one(activation=act, init=init, seed=seed)
        for t in digits.THRESHOLDS:
            hit = [s for s, a in zip(c.column("step"), c.column("accuracy")) if a >= t]
            assert row[f"iters_to_{t}"] == (int(hit[0]) if hit else None)


@pytest.mark.parametrize("activation, init, seed", [("relu", "he", 0), ("sigmoid", "xavier", 1)])
def test_a_rerun_lands_among_the_stored_seeds(stored, activation, init, seed):
    row, curve = digits.run_one(activation, init, seed, load_digits(seed=0))
    eval_every = stored.config["eval_every"]
    within(row["final_accuracy"], stored.values(activation, init, "final_accuracy"), 0.01,
           "final accuracy")
    within(row["dead_units"], stored.values(activation, init, "dead_units"), 0.01, "dead units")
    for t in digits.THRESHOLDS:
        values = stored.values(activation, init, f"iters_to_{t}")
        if np.isnan(values).all():
            assert row[f"iters_to_{t}"] is None, t
        elif not np.isnan(values).any():
            within(row[f"iters_to_{t}"], values, 2 * eval_every, f"iterations to {t}")
    assert len(curve) == len(stored.curves.select(activation=activation, init=init, seed=0))


def test_unknown_activation_fails_before_training():
    with pytest.raises(ValueError, match="Did you mean 'relu'"):
        digits.sweep(["relux"], ["he"], [0], progress=False)


def test_the_chapter_statements_hold_on_the_stored_files(stored):
    facts = digits.facts(stored)
    assert len(facts) >= 8 and all(f.key.startswith("digits.") for f in facts)
    require(facts)


def test_a_planted_fault_fails_its_statement(tmp_path):
    folder = copy_stored(digits, tmp_path)
    plant(folder, digits.FILES[0], lambda r: r.update(dead_units=0.05),
          activation="leaky_relu", init="he", seed=4)
    verdict = {f.key: f.holds for f in digits.facts(folder)}
    assert not verdict["digits.relu_few_dead"] and verdict["digits.sigmoid_slow"]
    with pytest.raises(FactFailed, match="relu_few_dead"):
        require(digits.section_unit_health(folder))
