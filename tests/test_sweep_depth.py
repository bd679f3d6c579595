"""The stored depth sweep of chapter 8 is reproducible and complete.

Re-runs ``scripts/sweep_depth.py`` on its small configuration (a subset of the full sweep's
runs, a few seconds) and checks every row against the row with the same key in the stored
``data/depth_runs.csv``, with a tolerance; checks that the stored file holds every run of the
full configuration; and that bad arguments are refused with a message naming the problem.
The two follow-ups (learning rates, ``data/depth_lr.csv``; remedies,
``data/depth_remedies.csv``) are checked the same way: a few runs re-done, the stored files
complete, and their runs at the sweep's own settings equal to the sweep's.
"""
from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from _scripts import load_script

ROOT = Path(__file__).resolve().parents[1]


sd = load_script("scripts/sweep_depth.py")

#: (relative, absolute) tolerance per measured column. The gradient ratios are one float64
#: forward/backward pass; the accuracies come from 20 epochs of float32 training, where a
#: different BLAS may round differently and the difference can grow a little.
TOL = {"grad_ratio": (1e-6, 0.0), "delta_ratio": (1e-6, 0.0),
       "val_accuracy": (0.0, 0.03), "best_val_accuracy": (0.0, 0.03)}


def _stored():
    return sd.read_csv(ROOT / "data" / sd.FILE)


@pytest.fixture(scope="module")
def quick_rows():
    return sd.run(sd.QUICK, out=None, progress=False)


def assert_same_run(row, ref, where, tol=TOL, epochs_slack=2):
    """``row`` (re-run) agrees with ``ref`` (stored) within ``tol`` per column; NaN (a
    diverged run) only matches NaN."""
    for col, (rtol, atol) in tol.items():
        a, b = float(row[col]), float(ref[col])
        if math.isnan(a) or math.isnan(b):
            assert math.isnan(a) and math.isnan(b), f"{where}: {col} = {a} now, {b} stored"
            continue
        assert abs(a - b) <= atol + rtol * abs(b), f"{where}: {col} = {a!r} now, {b!r} stored"
    assert row["diverged"] == ref["diverged"], f"{where}: diverged differs from the stored run"
    # the epoch that first reaches the threshold may move by a little with rounding
    a, b = row["epochs_to_threshold"], ref["epochs_to_threshold"]
    if a == "" or b == "":
        assert a == b, f"{where}: threshold reached at epoch {a!r} now, {b!r} stored"
    else:
        assert abs(a - b) <= epochs_slack, (
            f"{where}: threshold reached at epoch {a} now, {b} stored")


def test_quick_config_reproduces_stored_rows(quick_rows):
    index = {tuple(r[k] for k in sd.KEYS): r for r in _stored()}
    assert len(quick_rows) == (len(sd.QUICK["activations"]) * len(sd.QUICK["inits"])
                               * len(sd.QUICK["depths"]) * len(sd.QUICK["seeds"]))
    for row in quick_rows:
        key = tuple(row[k] for k in sd.KEYS)
        assert key in index, f"run {key} is missing from data/{sd.FILE}"
        assert_same_run(row, index[key], dict(zip(sd.KEYS, key)))


def test_stored_file_holds_the_full_sweep():
    stored = _stored()
    c = sd.FULL
    n = len(c["activations"]) * len(c["inits"]) * len(c["depths"]) * len(c["seeds"])
    keys = {tuple(r[k] for k in sd.KEYS) for r in stored}
    assert len(stored) == n, f"data/{sd.FILE} has {len(stored)} rows, the full sweep {n}"
    assert len(keys) == n, f"data/{sd.FILE} has duplicate keys"
    for r in stored:
        assert 0.0 <= r["best_val_accuracy"] <= 1.0
        assert r["grad_ratio"] > 0 and r["delta_ratio"] > 0
        if r["depth"] == 1:  # the first hidden layer is the last one
            assert abs(r["grad_ratio"] - 1.0) < 1e-9
    meta = json.loads((ROOT / "data" / sd.META).read_text())
    assert meta["config"] == "full" and meta["sweep"] == sd.FULL, (
        f"data/{sd.META} does not describe the full configuration of scripts/sweep_depth.py")


def test_threshold_epoch_is_consistent_with_best_accuracy():
    """A run reaches the threshold exactly when its best accuracy is at least the threshold."""
    for r in _stored() + _stored_remedies():
        reached = r["epochs_to_threshold"] != ""
        assert reached == (r["best_val_accuracy"] >= sd.FULL["threshold"]), r
        if reached:
            assert 1 <= r["epochs_to_threshold"] <= sd.FULL["epochs"]


def test_gradient_ratio_matches_an_independent_computation():
    """grad_ratio recomputed from the weight gradients directly (no diagnostics helper)."""
    import numpy as np

    X, y, _, _ = sd.load_digits_split(sd.FULL["data_seed"])
    for act, init, depth in [("sigmoid", "xavier", 4), ("relu", "he", 3)]:
        net = sd._net(sd.FULL, act, init, depth, 1, np.float64)
        net.loss(X[:256], y[:256])
        net.backward()
        first = np.sqrt(np.sum(net.layers[0].grad_W ** 2))
        last = np.sqrt(np.sum(net.layers[depth - 1].grad_W ** 2))
        got, _ = sd.gradient_ratios(sd.FULL, act, init, depth, 1, X, y)
        assert math.isclose(got, first / last, rel_tol=1e-9), (act, got, first / last)


@pytest.mark.parametrize("args, message", [
    (["--depths", "0"], "depths must be"),
    (["--activations", "relu", "nosuchunit"], "unknown activation 'nosuchunit'"),
    (["--inits", "normal"], "unknown init 'normal'"),
    (["--lr", "-1"], "lr must be a positive number"),
])
def test_bad_arguments_give_a_clear_error(tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as exc:
        sd.main(args + ["--out", str(tmp_path)])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / sd.FILE).exists()


def test_bad_argument_message_on_the_command_line(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "sweep_depth.py"),
                           "--depths", "4", "-2", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "depths must be a non-empty list of integers >= 1, got [4, -2]" in proc.stderr


# -- the learning-rate follow-up (data/depth_lr.csv) -----------------------------------------
def _stored_lr():
    return sd.read_csv(ROOT / "data" / sd.LR_FILE)


def test_stored_lr_follow_up_is_complete_and_described():
    f, seeds = sd.LR_FOLLOW_UP, sd.FULL["seeds"]
    rows = _stored_lr()
    keys = {(r["depth"], float(r["lr"]), r["seed"]) for r in rows}
    want = {(d, float(lr), s) for d in f["depths"] for lr in f["lrs"] for s in seeds}
    assert keys == want, (f"data/{sd.LR_FILE} lacks {sorted(want - keys)}, "
                          f"has extra {sorted(keys - want)}")
    assert all(r["activation"] == f["activation"] and r["init"] == f["init"] for r in rows)
    meta = json.loads((ROOT / "data" / sd.LR_META).read_text())
    assert meta["follow_up"] == f and meta["sweep"] == sd.FULL


def test_lr_follow_up_agrees_with_the_depth_sweep_at_its_own_learning_rate():
    """The follow-up's runs at the sweep's learning rate are the sweep's runs: same numbers."""
    main = {(r["depth"], r["seed"]): r for r in _stored()
            if r["activation"] == sd.LR_FOLLOW_UP["activation"]
            and r["init"] == sd.LR_FOLLOW_UP["init"]}
    same_lr = [r for r in _stored_lr() if math.isclose(float(r["lr"]), sd.FULL["lr"])]
    assert same_lr, "the follow-up should include the sweep's own learning rate"
    for r in same_lr:
        ref = main[(r["depth"], r["seed"])]
        for col in ("val_accuracy", "best_val_accuracy"):
            a, b = float(r[col]), float(ref[col])
            assert (math.isnan(a) and math.isnan(b)) or abs(a - b) < 1e-6, (r, col, a, b)


def test_lr_follow_up_reproduces_stored_rows():
    """Two runs re-done: the deepest network at the smallest and the largest learning rate."""
    f = sd.LR_FOLLOW_UP
    follow = dict(f, depths=[max(f["depths"])], lrs=[min(f["lrs"]), max(f["lrs"])])
    cfg = dict(sd.FULL, seeds=[0])
    stored = {(r["depth"], float(r["lr"]), r["seed"]): r for r in _stored_lr()}
    rows = list(sd.lr_follow_up(cfg, follow, progress=False))
    assert len(rows) == 2
    for row in rows:
        ref = stored[(row["depth"], float(row["lr"]), row["seed"])]
        assert row["diverged"] == ref["diverged"], (row, ref)
        for col in ("val_accuracy", "best_val_accuracy"):
            a, b = float(row[col]), float(ref[col])
            if math.isnan(a) or math.isnan(b):
                assert math.isnan(a) and math.isnan(b), (col, a, b)
            else:
                assert abs(a - b) <= TOL[col][1], (col, a, b)


def test_lr_follow_up_refuses_a_bad_learning_rate():
    with pytest.raises(ValueError, match="lr must be a positive number"):
        list(sd.lr_follow_up(sd.FULL, dict(sd.LR_FOLLOW_UP, lrs=[0.01, 0.0]), progress=False))


# -- the remedies follow-up (data/depth_remedies.csv) ----------------------------------------
def _stored_remedies():
    return sd.read_csv(ROOT / "data" / sd.REMEDY_FILE)


def _remedy_key(row):
    return tuple(row[k] for k in sd.REMEDY_KEYS)


def test_stored_remedies_are_complete_and_described():
    rows = _stored_remedies()
    keys = [_remedy_key(r) for r in rows]
    want = sd.remedy_grid(sd.FULL, sd.REMEDIES)
    assert len(keys) == len(set(keys)), f"data/{sd.REMEDY_FILE} has duplicate keys"
    assert {r["variant"] for r in rows} == set(sd.VARIANTS), (
        f"data/{sd.REMEDY_FILE} should hold every variant of {list(sd.VARIANTS)}")
    assert set(keys) == set(want), (
        f"data/{sd.REMEDY_FILE} lacks {sorted(set(want) - set(keys))[:5]}, "
        f"has extra {sorted(set(keys) - set(want))[:5]}")
    for r in rows:
        if r["depth"] == 1:  # the first hidden layer is the last one
            assert abs(r["grad_ratio"] - 1.0) < 1e-9, r
        assert (r["diverged"] == 1) == math.isnan(r["val_accuracy"]), r
    meta = json.loads((ROOT / "data" / sd.REMEDY_META).read_text())
    assert meta["follow_up"] == sd.REMEDIES and meta["sweep"] == sd.FULL, (
        f"data/{sd.REMEDY_META} does not describe the remedies follow-up of "
        "scripts/sweep_depth.py")
    assert {"numpy", "scikit-learn", "python", "seconds"} <= set(meta)


def test_remedies_plain_rows_are_the_depth_sweep_rows():
    """The follow-up's plain runs are the sweep's runs (same code, same seeds): same numbers."""
    main = {tuple(r[k] for k in sd.KEYS): r for r in _stored()}
    plain = [r for r in _stored_remedies() if r["variant"] == "plain"]
    assert plain, "the remedies follow-up should include the plain networks"
    for r in plain:
        assert math.isclose(r["lr"], sd.FULL["lr"])
        key = tuple(r[k] for k in sd.KEYS)
        assert key in main, f"plain run {key} is missing from data/{sd.FILE}"
        exact = {c: (1e-6, 1e-9) for c in TOL}
        assert_same_run(r, main[key], dict(zip(sd.KEYS, key)), exact, epochs_slack=0)


#: A few runs of the remedies follow-up, re-done by the test (a few seconds): batch norm and
#: residual connections on a sigmoid network at the depth where the plain one fails, the
#: residual ReLU network at the depth where one seed diverges and, at the same depth, the one
#: with batch norm inside the residual branch, and one run from the rates.
REMEDY_SUBSETS = [
    dict(pairs=[["sigmoid", "xavier"]], variants=["batch_norm", "residual"], depths=[4]),
    dict(pairs=[["relu", "he"]], variants=["residual", "batch_norm+residual"], depths=[8],
         rates=dict(sd.REMEDIES["rates"], variants=["batch_norm"], depths=[8], lrs=[0.03])),
]


def test_remedies_reproduce_stored_rows():
    stored = {_remedy_key(r): r for r in _stored_remedies()}
    cfg = dict(sd.FULL, seeds=[0])
    rows = [row for spec in REMEDY_SUBSETS
            for row in sd.remedies(cfg, spec, progress=False)]
    assert len(rows) == 5
    assert any(r["diverged"] for r in rows), "the subset should include a diverging run"
    for row in rows:
        key = _remedy_key(row)
        assert key in stored, f"run {key} is missing from data/{sd.REMEDY_FILE}"
        assert_same_run(row, stored[key], dict(zip(sd.REMEDY_KEYS, key)))


@pytest.mark.parametrize("change, message", [
    (dict(variants=["plain", "dropout"]), "variants must be a non-empty list from"),
    (dict(variants=[]), "variants must be a non-empty list from"),
    (dict(pairs=[["relu"]]), "pairs must be a non-empty list of [activation, init]"),
    (dict(pairs=[["relu", "orthogonal"]]), "unknown init 'orthogonal'"),
    (dict(depths=[4, 0]), "depths must be"),
    (dict(rates=dict(sd.REMEDIES["rates"], variants=["batch_norm", "layer_norm"])),
     "rates: variants must be a non-empty list from"),
    (dict(rates=dict(sd.REMEDIES["rates"], variants=[])),
     "rates: variants must be a non-empty list from"),
    (dict(rates=dict(sd.REMEDIES["rates"], lrs=[0.01, -0.1])),
     "lr must be a positive number"),
])
def test_remedies_refuse_a_bad_follow_up(change, message):
    spec = dict(sd.REMEDIES, **change)
    with pytest.raises(ValueError) as exc:
        list(sd.remedies(sd.FULL, spec, progress=False))
    assert message in str(exc.value)


def test_remedies_take_stored_rows_without_running_them():
    """``--reuse``: a key found among the stored rows is yielded as stored, not run again."""
    spec = dict(pairs=[["relu", "he"]], variants=["batch_norm+residual"], depths=[20])
    cfg = dict(sd.FULL, seeds=[0])
    key = sd.remedy_grid(cfg, spec)[0]
    marker = dict(zip(sd.REMEDY_KEYS, key), val_accuracy=-1.0)
    assert list(sd.remedies(cfg, spec, data=(), progress=False,
                            stored={key: marker})) == [marker]


def test_unknown_part_is_refused_with_the_choices(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        sd.main(["--part", "remedy", "--out", str(tmp_path)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'remedy'" in err and "'remedies'" in err
    assert not list(tmp_path.iterdir())
