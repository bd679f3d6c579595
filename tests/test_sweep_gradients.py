"""The stored gradients at initialisation (actbook.sweeps.gradients): complete, reproduced
tightly (float64, no training: BLAS kernels agree to about 1e-12, the files keep 8 significant
digits), and the statements of chapter 8 about them hold and can fail."""
from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from _sweeps import copy_stored, plant

from actbook.facts import FactFailed, require
from actbook.results import read_meta, read_table
from actbook.sweeps import gradients as g
from actbook.sweeps.common import network, standardised_digits

RTOL = 1e-6  # 8 stored digits; the kernels themselves agree to about 1e-12


def test_stored_files_hold_the_whole_configuration():
    c = g.CONFIG
    init = read_table(g.FILES[0])
    want = {(a, i, d, s, l) for a in c["init"]["activations"] for i in c["init"]["inits"]
            for d in c["init"]["depths"] for s in range(c["init"]["seeds"])
            for l in range(1, d + 2)}
    keys = [(r["activation"], r["init"], r["depth"], r["seed"], r["layer"]) for r in init]
    assert len(keys) == len(set(keys)) and set(keys) == want
    rem = read_table(g.FILES[1])
    r = c["remedies"]
    assert len(rem) == (len(r["activations"]) * len(r["inits"]) * len(r["variants"])
                        * r["seeds"] * (r["depth"] + 1))
    assert read_meta(g.FILES[2])["config"] == c


def test_a_rerun_reproduces_stored_rows_tightly(tmp_path):
    small = copy.deepcopy(g.CONFIG)
    small["init"].update(depths=[3, 10], activations=["sigmoid", "relu"],
                         inits=["xavier", "normal-1"], seeds=2)
    small["remedies"].update(activations=["relu"], inits=["he"], seeds=1)
    g.run(tmp_path, progress=False, config=small)
    for file, keys in ((g.FILES[0], ["activation", "init", "depth", "seed", "layer"]),
                       (g.FILES[1], ["activation", "init", "variant", "depth", "seed",
                                     "layer"])):
        stored = {tuple(r[k] for k in keys): r for r in read_table(file)}
        rows = read_table(file, tmp_path)
        assert len(rows) > 0
        for row in rows:
            ref = stored[tuple(row[k] for k in keys)]
            for col in ("delta_norm", "grad_W_norm", "z_std", "a_std"):
                assert math.isclose(row[col], ref[col], rel_tol=RTOL, abs_tol=1e-300), (
                    file, row, col, ref[col])


def test_ratio_matches_an_independent_computation():
    X, y, _, _ = standardised_digits(0)
    rem = read_table(g.FILES[1])
    got = g.ratio(rem, activation="sigmoid", init="xavier", variant="residual")
    for seed in range(len(got)):
        net = network(20, "sigmoid", "xavier", seed, variant="residual", dtype=np.float64)
        net.loss(X[:256], y[:256])
        net.backward()
        first = np.sqrt(np.mean(np.sum(net.layers[0].delta ** 2, axis=1)))
        last = np.sqrt(np.mean(np.sum(net.layers[-1].delta ** 2, axis=1)))
        assert math.isclose(got[seed], first / last, rel_tol=RTOL), (seed, got[seed])


def test_the_chapter_statements_hold_on_the_stored_files():
    facts = g.facts()
    assert len(facts) >= 5 and all(f.key.startswith("gradients.") for f in facts)
    require(facts)


def test_a_planted_fault_fails_its_statement(tmp_path):
    folder = copy_stored(g, tmp_path)
    # the batch-normalised N(0, 1) ReLU network's first layer made to explode
    plant(folder, g.FILES[1], lambda r: r.update(delta_norm=r["delta_norm"] * 1e6),
          activation="relu", init="normal-1", variant="batch_norm", layer=1)
    verdict = {f.key: f.holds for f in g.facts(folder)}
    assert not verdict["gradients.bn_tames_exploding_relu"]
    assert verdict["gradients.residual_keeps_sigmoid"]  # the others are untouched
    with pytest.raises(FactFailed, match="bn_tames_exploding_relu"):
        require(g.section_batch_norm(folder))
