"""The stored depth case study (actbook.sweeps.depth): complete, its error-signal ratios at
initialisation reproduced tightly (float64, no training), re-runs of stable configurations
land among the stored seeds, bad configurations are refused, and chapter 8's statements hold
and can fail.

No test re-runs a configuration near instability: the same seed of a 16-layer ReLU network
ended at 0.82 under one BLAS kernel and 0.44 under another. The re-run configurations below
(tanh with 2 hidden layers, residual sigmoid with 4) ended at identical accuracies under the
SkylakeX and Haswell kernels; the re-run is allowed 0.02 beyond the stored seeds' range.
"""
from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from _sweeps import copy_stored, plant, within

from actbook.facts import FactFailed, require
from actbook.results import read_meta
from actbook.sweeps import depth


@pytest.fixture(scope="module")
def study():
    return depth.Study()


def test_stored_study_is_the_whole_grid(study):
    keys = [tuple(r[k] for k in depth.KEYS) for r in study.table]
    want = depth.grid()
    assert len(keys) == len(set(keys)) == len(want)
    norm = lambda k: (*k[:4], round(float(k[4]), 9), k[5])  # noqa: E731
    assert {norm(k) for k in keys} == {norm(k) for k in want}
    meta = read_meta(depth.FILES[1])
    assert meta["config"] == depth.CONFIG and meta["runs"] == len(want)
    for r in study.table:
        assert (r["diverged"] == 1) == math.isnan(r["val_accuracy"]), r
        reached = r["epochs_to_threshold"] is not None
        assert reached == (r["best_val_accuracy"] >= study.threshold), r
        if r["depth"] == 1 and r["variant"] == "plain":
            assert r["delta_ratio"] > 0


def test_grid_has_no_duplicates_and_puts_the_plain_part_first():
    keys = depth.grid()
    assert len(keys) == len(set(keys))
    assert keys[0][2] == "plain"
    small = copy.deepcopy(depth.CONFIG)
    small["rates"]["lrs"] = [depth.CONFIG["lr"]]  # the rates part then adds nothing new
    n_rates_new = len(depth.grid(small))
    assert n_rates_new < len(keys)


@pytest.mark.parametrize("key", [("sigmoid", "xavier", "plain", 16), ("relu", "he", "residual", 8),
                                 ("relu", "he", "batch_norm+residual", 16)])
def test_error_signal_ratios_are_reproduced_tightly(study, key):
    act, init, variant, d = key
    stored = study.runs(act, init, variant, d).sorted("seed")
    for row in list(stored)[:2]:
        got = depth.delta_ratio(depth.CONFIG, act, init, variant, d, row["seed"])
        assert math.isclose(got, row["delta_ratio"], rel_tol=1e-6), (key, got, row)


@pytest.mark.parametrize("key", [("tanh", "xavier", "plain", 2), ("sigmoid", "xavier", "residual", 4)])
def test_a_rerun_lands_among_the_stored_seeds(study, key):
    act, init, variant, d = key
    row = depth.run_one((act, init, variant, d, depth.CONFIG["lr"], 0))
    runs = study.runs(act, init, variant, d)
    assert row["diverged"] == 0
    within(row["val_accuracy"], runs.column("val_accuracy"), 0.02, f"{key} accuracy")
    within(row["best_val_accuracy"], runs.column("best_val_accuracy"), 0.02, f"{key} best")


@pytest.mark.parametrize("change, message", [
    (lambda c: c["plain"].update(depths=[4, 0]), "depths must be integers >= 1"),
    (lambda c: c["remedies"].update(pairs=[["relu"]]), "pairs must be [activation, init]"),
    (lambda c: c["plain"].update(pairs=[["relux", "he"]]), "relux"),
    (lambda c: c["remedies"].update(pairs=[["relu", "orthogonal"]]), "unknown init 'orthogonal'"),
    (lambda c: c["rates"].update(variants=["plain", "dropout"]), "unknown variant 'dropout'"),
    (lambda c: c["rates"].update(lrs=[0.01, -0.1]), "learning rates must be positive"),
    (lambda c: c.update(seeds=0), "seeds must be"),
    (lambda c: c.pop("rates"), "lacks its 'rates' part"),
])
def test_bad_configurations_are_refused(tmp_path, change, message):
    cfg = copy.deepcopy(depth.CONFIG)
    change(cfg)
    with pytest.raises(ValueError) as err:
        depth.run(tmp_path, config=cfg, progress=False)
    assert message in str(err.value)
    assert not any(tmp_path.iterdir())


def test_the_chapter_statements_hold_on_the_stored_files(study):
    facts = depth.facts(study)
    assert len(facts) >= 12 and all(f.key.startswith("depth.") for f in facts)
    require(facts)
    rows = depth.summary_rows(study)
    assert len(rows) == len(depth.CONFIG["plain"]["pairs"]) + \
        len(depth.CONFIG["remedies"]["pairs"]) * len(depth.CONFIG["remedies"]["variants"])
    n = depth.numbers(study)
    assert n["dst_seeds"] == depth.CONFIG["seeds"] and n["dst_max"] == 16


def test_median_accuracy_counts_a_diverged_run_at_chance(study):
    runs = study.runs("relu", "he", "residual", 16)
    assert np.isnan(runs.column("val_accuracy")).all()
    assert math.isclose(study.median_accuracy("relu", "he", "residual", 16), 0.1)


def test_a_planted_fault_fails_its_statement(tmp_path):
    folder = copy_stored(depth, tmp_path)
    # one residual ReLU seed with 16 hidden layers made to train instead of diverging
    plant(folder, depth.FILES[0],
          lambda r: r.update(diverged=0, diverged_at=None, val_accuracy=0.9,
                             best_val_accuracy=0.9, epochs_to_threshold=20),
          activation="relu", variant="residual", depth=16, seed=0)
    verdict = {f.key: f.holds for f in depth.facts(folder)}
    assert not verdict["depth.residual_relu_diverges"]
    assert verdict["depth.bn_residual_trains_all"]
    with pytest.raises(FactFailed, match="residual_relu_diverges"):
        require(depth.section_remedies(folder))
