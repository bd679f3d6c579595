"""actbook.results: stored tables and their metadata round-trip, bad files are named, and the
per-seed summaries agree with numpy computed directly."""
import csv
import json
import math

import numpy as np
import pytest

from actbook.results import (DataFormatError, MissingDataError, Table, band, fill_band,
                             geo_mean, per_seed, read_meta, read_table, result_path, summarize,
                             write_meta, write_table)


def test_table_round_trip_converts_numbers(tmp_path):
    rows = [dict(act="relu", seed=0, acc=0.93125, note=None, diverged=False),
            dict(act="tanh", seed=1, acc=float("nan"), note="x", diverged=True),
            dict(act="relu", seed=2, acc=1 / 3, note=None, diverged=np.bool_(False))]
    path = write_table(tmp_path / "t.csv", rows, ["act", "seed", "acc", "note", "diverged"])
    with open(path, newline="") as fh:  # an independent reader sees the text
        raw = list(csv.reader(fh))
    assert raw[0] == ["act", "seed", "acc", "note", "diverged"]
    assert raw[2] == ["tanh", "1", "nan", "x", "1"] and raw[1][3] == ""
    back = read_table(path)
    assert len(back) == 3 and back.columns == raw[0]
    assert back[0]["seed"] == 0 and isinstance(back[0]["seed"], int)
    assert back[0]["note"] is None and back[1]["note"] == "x"
    assert math.isnan(back[1]["acc"]) and back[1]["diverged"] == 1
    assert abs(back[2]["acc"] - 1 / 3) < 1e-8  # 8 significant digits
    assert read_table(path, convert=False)[0]["seed"] == "0"


def test_write_table_refuses_missing_and_extra_columns(tmp_path):
    with pytest.raises(ValueError, match=r"missing columns \['b'\]"):
        write_table(tmp_path / "x.csv", [dict(a=1)], ["a", "b"])
    with pytest.raises(ValueError, match=r"unexpected keys \['c'\]"):
        write_table(tmp_path / "x.csv", [dict(a=1, c=2)], ["a"])


def test_read_table_names_bad_files(tmp_path):
    (tmp_path / "short.csv").write_text("x,y\n1,2\n3\n")
    with pytest.raises(DataFormatError, match="line 3"):
        read_table("short.csv", tmp_path)
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(DataFormatError, match="header"):
        read_table("empty.csv", tmp_path)
    with pytest.raises(DataFormatError, match=r"missing columns \['z'\]"):
        read_table("short.csv", tmp_path, ["x", "z"])
    with pytest.raises(MissingDataError, match="python -m actbook.sweeps"):
        read_table("nowhere.csv", tmp_path)
    assert len(read_table("nowhere.csv", tmp_path, missing_ok=True)) == 0
    with pytest.raises(MissingDataError, match="nowhere"):
        result_path("nowhere.csv", tmp_path)


def test_select_one_column_unique():
    t = Table([dict(a="relu", lr=0.01, s=0, v=1.0), dict(a="relu", lr=0.03, s=1, v=None),
               dict(a="tanh", lr=0.01, s=0, v=3.0)], name="demo")
    assert len(t.select(a="relu")) == 2
    assert len(t.select(lr=0.1 * 0.1)) == 2  # floats match within rounding
    assert len(t.select(lr=[0.03, 0.01], a="relu")) == 2
    assert len(t.select(s=lambda s: s > 0)) == 1
    assert t.one(a="tanh")["v"] == 3.0
    np.testing.assert_array_equal(t.select(a="relu").column("v"), [1.0, np.nan])
    assert t.unique("a") == ["relu", "tanh"]
    with pytest.raises(LookupError, match="2 rows match"):
        t.one(a="relu")
    with pytest.raises(KeyError, match="no column"):
        t.select(act="relu")


def test_meta_round_trip_records_the_environment(tmp_path):
    path = write_meta(tmp_path / "m.json", {"seeds": 10}, 12.34, 11.0, runs=3)
    meta = read_meta(path)
    assert meta["config"] == {"seeds": 10} and meta["seconds"] == 12.3
    assert meta["cpu_seconds"] == 11.0 and meta["runs"] == 3
    env = meta["environment"]
    assert env["numpy"] == np.__version__ and env["blas"], env
    assert {"architecture", "num_threads"} <= set(env["blas"][0])
    (tmp_path / "bad.json").write_text("[1, 2]")
    with pytest.raises(DataFormatError, match="config"):
        read_meta("bad.json", tmp_path)
    (tmp_path / "worse.json").write_text("{nope")
    with pytest.raises(DataFormatError, match="not valid JSON"):
        read_meta("worse.json", tmp_path)


def test_summarize_against_numpy():
    rng = np.random.default_rng(3)
    v = rng.uniform(0.5, 1.0, 10)
    v[2] = np.nan                      # a diverged run
    failed = np.zeros(10, bool)
    failed[5] = True                   # a run that ended at chance
    diverged = np.isnan(v)
    s = summarize(v, failed=failed, diverged=diverged)
    keep = v[~(failed | diverged)]
    assert (s.n, s.failed, s.diverged, s.ok) == (10, 2, 1, 8)
    assert math.isclose(s.median, float(np.median(keep)))
    assert (s.low, s.high) == (float(keep.min()), float(keep.max()))
    assert math.isclose(s.mean, float(keep.mean())) and math.isclose(s.spread, s.high - s.low)
    assert s.text() == (f"{np.median(keep):.2f} [{keep.min():.2f}, {keep.max():.2f}] "
                        "(2 of 10 failed)")
    none = summarize([np.nan, np.nan])
    assert none.ok == 0 and math.isnan(none.median) and none.text() == "failed in 2 of 2"
    with pytest.raises(ValueError, match="3 values"):
        summarize([1, 2, 3], failed=[True])


def test_per_seed_band_and_geo_mean():
    rows = [dict(seed=s, layer=l, x=float(10 * s + l)) for s in (1, 0) for l in (2, 1, 3)]
    t = Table(rows)
    a = per_seed(t, "x")
    np.testing.assert_array_equal(a, [[1, 2, 3], [11, 12, 13]])
    centre, lo, hi = band(a)
    np.testing.assert_array_equal(centre, [6, 7, 8])
    np.testing.assert_array_equal(lo, [1, 2, 3])
    g, _, _ = band(np.array([[1.0, 4.0], [100.0, np.nan]]), geometric=True)
    np.testing.assert_allclose(g, [10.0, 4.0])
    assert math.isclose(geo_mean([1, 100]), 10.0)
    with pytest.raises(ValueError, match="positive"):
        geo_mean([1, -1])
    with pytest.raises(LookupError, match="no rows"):
        per_seed(t, "x", seed=7)
    with pytest.raises(ValueError, match="different numbers"):
        per_seed(Table(rows[:-1]), "x")


def test_fill_band_draws_line_and_range():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    line = fill_band(ax, [1, 2], np.array([[1.0, 2.0], [3.0, 6.0]]), label="x", marker="o")
    np.testing.assert_array_equal(line.get_ydata(), [2.0, 4.0])
    (poly,) = ax.collections
    ys = poly.get_paths()[0].vertices[:, 1]
    assert ys.min() == 1.0 and ys.max() == 6.0
    plt.close(fig)


def test_shipped_metadata_is_readable():
    from actbook.sweeps import ALL, module

    for name in ALL:
        for file in module(name).FILES:
            if file.endswith(".json"):
                meta = read_meta(file)
                assert meta["config"] and meta["environment"]["blas"], file
                assert json.dumps(meta)  # plain JSON
