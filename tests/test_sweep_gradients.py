"""The stored gradient sweeps of chapter 8 are reproducible.

Re-runs ``scripts/sweep_gradients.py`` on its small configuration (a subset of the full
sweep's rows, a few seconds) and checks every row it produces against the row with the same
key in the stored ``data/*.csv`` files, with a tolerance.
"""
from __future__ import annotations

import math
from pathlib import Path

import pytest
from _scripts import load_script

ROOT = Path(__file__).resolve().parents[1]


sg = load_script("scripts/sweep_gradients.py")

#: Relative and absolute tolerance per column; columns not listed must match exactly.
TOL = {
    "delta_norm": (1e-6, 1e-30), "grad_W_norm": (1e-6, 1e-30), "z_std": (1e-6, 1e-12),
    "a_std": (1e-6, 1e-12),
    # training runs in float32 for whole epochs: allow rounding to accumulate a little
    "speed": (2e-2, 1e-8), "val_accuracy": (0.0, 0.02), "dead_fraction": (0.0, 0.03),
}


def _close(col, a, b):
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if col in TOL:
        rtol, atol = TOL[col]
        return abs(a - b) <= atol + rtol * abs(b)
    if col == "grad_W_norm":
        return True
    return a == b


@pytest.fixture(scope="module")
def quick_rows():
    return sg.run(sg.QUICK, out=None, progress=False)


@pytest.mark.parametrize("name", list(sg.SWEEPS))
def test_quick_config_reproduces_stored_rows(quick_rows, name):
    stored = sg.read_csv(ROOT / "data" / sg.FILES[name])
    keys = sg.KEYS[name]
    index = {tuple(r[k] for k in keys): r for r in stored}
    rows = quick_rows[name]
    assert rows, f"the quick configuration produced no rows for {name}"
    for row in rows:
        # round-trip through the CSV format, as the stored rows did
        row = {k: (float(f"{v:.8g}") if isinstance(v, float) else v) for k, v in row.items()}
        key = tuple(row[k] for k in keys)
        assert key in index, f"{name}: row {key} is missing from data/{sg.FILES[name]}"
        ref = index[key]
        for col in sg.COLUMNS[name]:
            if col in keys:
                continue
            a, b = row[col], ref[col]
            if isinstance(a, int) and isinstance(b, float):
                a = float(a)
            if isinstance(b, int) and isinstance(a, float):
                b = float(b)
            if col == "grad_W_norm" and name == "training":
                rtol, atol = TOL["speed"]
                ok = abs(a - b) <= atol + rtol * abs(b) or (math.isnan(a) and math.isnan(b))
            else:
                ok = _close(col, a, b)
            assert ok, f"{name} {dict(zip(keys, key))}: {col} = {a!r} now, {b!r} stored"


def test_stored_files_hold_the_full_sweep():
    """Every key of the full configuration is present once in the stored files."""
    expected = {
        "init": lambda c: len(c["activations"]) * len(c["inits"]) * len(c["seeds"])
        * sum(d + 1 for d in c["depths"]),
        "remedies": lambda c: len(c["activations"]) * len(c["inits"]) * len(c["variants"])
        * len(c["seeds"]) * (c["depth"] + 1),
        "training": lambda c: len(c["activations"]) * len(c["inits"]) * len(c["variants"])
        * len(c["seeds"]) * c["epochs"] * (c["depth"] + 1),
        "dead": lambda c: len(c["lrs"]) * len(c["variants"]) * len(c["seeds"]) * c["epochs"],
    }
    for name, count in expected.items():
        stored = sg.read_csv(ROOT / "data" / sg.FILES[name])
        keys = {tuple(r[k] for k in sg.KEYS[name]) for r in stored}
        assert len(stored) == count(sg.FULL[name]), f"data/{sg.FILES[name]}: wrong row count"
        assert len(keys) == len(stored), f"data/{sg.FILES[name]}: duplicate keys"
