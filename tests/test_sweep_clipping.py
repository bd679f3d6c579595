"""The stored clipping sweep (actbook.sweeps.clipping): complete, a re-run of a stable
configuration lands among the stored seeds, and chapter 8's statements hold and can fail.

At the smallest rate with the small threshold, the same seeds under the SkylakeX and
Sandybridge kernels ended within 0.007 of each other, against a seed-to-seed range of about
0.04; the re-run is allowed 0.02 beyond the stored range.
"""
from __future__ import annotations

import numpy as np
import pytest
from _sweeps import copy_stored, plant, within

from actbook.facts import FactFailed, require
from actbook.results import read_meta
from actbook.sweeps import clipping


@pytest.fixture(scope="module")
def stored():
    return clipping.Clipping()


def test_stored_sweep_is_complete(stored):
    c = clipping.CONFIG
    keys = {(r["lr"], r["clip_norm"], r["seed"]) for r in stored.table}
    want = {(lr, t, s) for lr in c["lrs"] for t in c["clip_norms"] for s in range(c["seeds"])}
    assert len(stored.table) == len(want)
    assert {(float(a), None if b is None else float(b), s) for a, b, s in keys} == \
        {(float(a), None if b is None else float(b), s) for a, b, s in want}
    assert read_meta(clipping.FILES[1])["config"] == c
    for r in stored.table:
        assert 0.0 <= r["clipped_fraction"] <= 1.0
        assert (r["clip_norm"] is None) <= (r["clipped_fraction"] < 1e-12), r


def test_a_rerun_lands_among_the_stored_seeds(stored):
    lr, t = min(stored.lrs), min(stored.thresholds)
    row = clipping.run_one(lr, t, seed=0)
    assert row["diverged"] == 0
    within(row["val_accuracy"], stored.runs(lr, t).column("val_accuracy"), 0.02, "accuracy")
    assert row["clipped_fraction"] > 0.5  # the small threshold acts on most steps


def test_the_chapter_statements_hold_on_the_stored_files(stored):
    facts = clipping.facts(stored)
    assert len(facts) >= 4 and all(f.key.startswith("clipping.") for f in facts)
    require(facts)


def test_a_planted_fault_fails_its_statement(tmp_path):
    folder = copy_stored(clipping, tmp_path)
    plant(folder, clipping.FILES[0],
          lambda r: r.update(diverged=1, val_accuracy=float("nan"), diverged_at=12),
          lr=0.4, clip_norm=1, seed=3)
    verdict = {f.key: f.holds for f in clipping.facts(folder)}
    assert not verdict["clipping.never_diverges"]
    assert verdict["clipping.unclipped_fails_fast"]
    with pytest.raises(FactFailed, match="never_diverges"):
        require(clipping.facts(folder))
