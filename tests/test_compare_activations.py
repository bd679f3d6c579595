"""The stored digits comparison (data/digits_comparison_*) is reproduced by its script.

Re-runs two of the stored configurations with the stored settings and compares every
non-timing column and the learning curve with the stored rows, with tolerances that allow for
floating-point differences between BLAS builds but not for a changed engine or experiment.
"""
import csv
import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import compare_activations as ca  # noqa: E402

PREFIX = ROOT / "data" / "digits_comparison"


def stored():
    cfg = json.loads(Path(f"{PREFIX}_config.json").read_text())
    with open(f"{PREFIX}_runs.csv") as fh:
        runs = list(csv.DictReader(fh))
    with open(f"{PREFIX}_curves.csv") as fh:
        curves = list(csv.DictReader(fh))
    return cfg, runs, curves


def test_stored_sweep_is_complete():
    cfg, runs, curves = stored()
    assert len(cfg["seeds"]) >= 5, "the comparison must cover at least five seeds"
    assert set(ca.ACTIVATIONS) <= set(cfg["activations"])
    expected = {(a, i, str(s)) for a in cfg["activations"] for i in cfg["inits"] for s in cfg["seeds"]}
    assert {(r["activation"], r["init"], r["seed"]) for r in runs} == expected
    assert list(runs[0]) == ca.RUN_FIELDS


@pytest.mark.parametrize("activation, init, seed", [("relu", "he", 0), ("sigmoid", "xavier", 1)])
def test_script_reproduces_stored_rows(activation, init, seed):
    cfg, runs, curves = stored()
    rows, new_curves = ca.sweep([activation], [init], [seed], cfg, progress=False)
    new = rows[0]
    old = next(r for r in runs
               if (r["activation"], r["init"], r["seed"]) == (activation, init, str(seed)))
    tol_steps = 2 * cfg["eval_every"]
    for t in ca.THRESHOLDS:
        key = f"iters_to_{t}"
        if old[key] == "" or new[key] == "":
            assert (old[key] == "") == (new[key] == ""), f"{key}: stored {old[key]!r}, now {new[key]!r}"
        else:
            assert abs(int(old[key]) - new[key]) <= tol_steps, f"{key}: stored {old[key]}, now {new[key]}"
    assert abs(float(old["final_accuracy"]) - new["final_accuracy"]) < 0.01
    assert abs(float(old["dead_units"]) - new["dead_units"]) < 0.02
    assert abs(float(old["small_gradient_fraction"]) - new["small_gradient_fraction"]) < 0.02
    old_curve = np.array([float(c["accuracy"]) for c in curves
                          if (c["activation"], c["init"], c["seed"]) == (activation, init, str(seed))])
    new_curve = np.array([c["accuracy"] for c in new_curves])
    assert old_curve.shape == new_curve.shape
    assert np.max(np.abs(old_curve - new_curve)) < 0.03


def test_unknown_activation_fails_before_training():
    cfg, _, _ = stored()
    with pytest.raises(ValueError, match="Did you mean 'relu'"):
        ca.sweep(["relux"], ["he"], [0], cfg, progress=False)
