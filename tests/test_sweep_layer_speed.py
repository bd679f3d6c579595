"""The stored layer-speed sweep (actbook.sweeps.layer_speed): complete, re-runs of stable
configurations land among the stored seeds, and chapter 8's statements hold and can fail.

Re-runs are compared with the distribution of the stored seeds, never with one stored
trajectory. Measured under the SkylakeX and Haswell kernels for the same seeds: the tanh
(Xavier) and the sigmoid (Xavier) networks end at identical accuracies and learning speeds
(log-ratio below 1e-6); the ReLU (He) network's accuracy moves by up to 0.031, with batch norm
by up to 0.14 (so those are not re-run here). The slack below, 0.02 in accuracy and a factor
1.25 in speed, covers the first and is small against the seed-to-seed spreads.
"""
from __future__ import annotations

import numpy as np
import pytest
from _sweeps import copy_stored, plant, within

from actbook.facts import FactFailed, require
from actbook.results import read_meta
from actbook.sweeps import layer_speed as ls

ACC_SLACK, SPEED_FACTOR = 0.02, 1.25


@pytest.fixture(scope="module")
def stored():
    return ls.Speeds()


def test_stored_sweep_is_complete(stored):
    c = ls.CONFIG
    keys = {(r["activation"], r["init"], r["variant"], r["seed"], r["layer"])
            for r in stored.table}
    want = {(a, i, v, s, l) for a in c["activations"] for i in c["inits"]
            for v in c["variants"] for s in range(c["seeds"]) for l in range(1, c["depth"] + 2)}
    assert keys == want and len(stored.table) == len(want)
    assert read_meta(ls.FILES[1])["config"] == c
    for r in stored.table:
        assert (r["diverged"] == 1) == np.isnan(r["val_accuracy"]) == np.isnan(r["speed"]), r


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_a_rerun_lands_among_the_stored_seeds(stored, activation):
    rows = ls.run_one(activation, "xavier", "plain", seed=0)
    runs = stored.runs(activation, "xavier")
    within(rows[0]["val_accuracy"], runs.column("val_accuracy"), ACC_SLACK,
           f"{activation} accuracy")
    speed = stored.speed(activation, "xavier")
    for l, row in enumerate(rows):
        lo, hi = speed[:, l].min() / SPEED_FACTOR, speed[:, l].max() * SPEED_FACTOR
        assert lo <= row["speed"] <= hi, (activation, l + 1, row["speed"], lo, hi)


def test_the_chapter_statements_hold_on_the_stored_files(stored):
    facts = ls.facts(stored)
    assert len(facts) >= 8 and all(f.key.startswith("layer_speed.") for f in facts)
    require(facts)
    assert len(ls.table_rows(stored)) == len(ls.CONFIG["activations"]) * len(ls.CONFIG["inits"])


def test_a_planted_fault_fails_its_statement(tmp_path):
    folder = copy_stored(ls, tmp_path)
    # the batch-normalised Xavier sigmoid network made to end at chance in every seed
    plant(folder, ls.FILES[0], lambda r: r.update(val_accuracy=0.1),
          activation="sigmoid", init="xavier", variant="batch_norm")
    verdict = {f.key: f.holds for f in ls.facts(folder)}
    assert not verdict["layer_speed.bn_rescues_sigmoid"]
    assert verdict["layer_speed.sigmoid_stalls"]
    with pytest.raises(FactFailed, match="bn_rescues_sigmoid"):
        require(ls.section_batch_norm(folder))


def test_batch_norm_that_costs_nothing_fails_its_statement(tmp_path):
    folder = copy_stored(ls, tmp_path)
    # every batch-normalised run of the networks that train without it made perfect
    for a in ls.TRAINABLE:
        for i in ls.SCALED:
            plant(folder, ls.FILES[0], lambda r: r.update(val_accuracy=1.0),
                  activation=a, init=i, variant="batch_norm")
    verdict = {f.key: f.holds for f in ls.facts(folder)}
    assert not verdict["layer_speed.bn_costs_accuracy"]
    assert verdict["layer_speed.bn_rescues_sigmoid"]
