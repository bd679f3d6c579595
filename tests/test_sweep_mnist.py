"""The MNIST sweep (actbook.sweeps.mnist): it runs, writes its files, its facts evaluate and
can fail. No training trajectory is compared with the stored values: training is chaotic across
BLAS kernels, so the stored data are only checked through the facts the chapter states."""
import math
import shutil

import numpy as np
import pytest

from actbook.facts import Fact, FactFailed, require
from actbook.sweeps import ALL
from actbook.sweeps import mnist

TINY = dict(hidden=(8,), epochs=2, seeds=(0, 1), train_size=400)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp("mnist_tiny")
    mnist.run(out, progress=False, config=TINY)
    return out


def test_listed_in_all():
    assert "mnist" in ALL


def test_tiny_sweep_writes_its_files_and_facts_evaluate(tiny):
    for name in mnist.FILES:
        assert (tiny / name).is_file(), name
    runs, curves, meta = mnist.load(tiny)
    assert len(runs) == len(mnist.ACTIVATIONS) * 2
    assert {r["activation"] for r in runs} == set(mnist.ACTIVATIONS)
    assert meta["config"]["epochs"] == 2 and meta["n_train"] == 400 and meta["n_test"] == 2000
    assert meta["environment"]["blas"] and meta["timing"]["runs"] == len(runs)
    assert all(b["num_threads"] == 1 for b in meta["environment"]["blas"])
    found = mnist.facts(tiny)
    assert found and all(isinstance(f, Fact) and f.key.startswith("mnist.") for f in found)
    assert len({f.key for f in found}) == len(found)
    # two seeds are too few for any claim about seeds: every section says so and fails
    assert all(not f.holds and "only 2 seeds" in f.evidence for f in found)
    with pytest.raises(FactFailed):
        require(found)


def test_tiny_rows_agree_with_their_curves(tiny):
    """Each row's numbers, recomputed independently from the stored learning curve."""
    runs, curves, meta = mnist.load(tiny)
    steps_per_epoch = math.ceil(400 / 32)
    total = 2 * steps_per_epoch
    for r in runs:
        c = sorted((x["step"], x["accuracy"]) for x in curves
                   if x["activation"] == r["activation"] and x["seed"] == r["seed"])
        steps = [s for s, _ in c]
        assert steps[:10] == list(range(1, 11)) and steps[-1] == total
        assert steps_per_epoch in steps
        assert r["final_accuracy"] == pytest.approx(c[-1][1], abs=1e-6)
        assert r["best_accuracy"] == pytest.approx(max(a for _, a in c), abs=1e-6)
        ends = [a for s, a in c if s % steps_per_epoch == 0]
        assert r["last10_accuracy"] == pytest.approx(np.mean(ends), abs=1e-6)
        for t in mnist.THRESHOLDS:
            first = next((s for s, a in c if a >= t), None)
            assert r[f"iters_to_{t}"] == first
        assert 0 < r["cpu_seconds_per_epoch"] and 0 < r["seconds_per_epoch"]
        assert 0.0 <= r["dead_units"] <= 1.0


def test_same_config_same_results_in_one_process(tmp_path):
    """Same kernel, same process: the runs repeat exactly (timings aside)."""
    cfg = dict(TINY, seeds=(3,), activations=("relu", "tanh"), epochs=1)
    a = mnist.run(tmp_path / "a", progress=False, config=cfg)
    b = mnist.run(tmp_path / "b", progress=False, config=cfg)
    ra, ca, _ = mnist.load(a)
    rb, cb, _ = mnist.load(b)
    assert ca == cb
    drop = ("seconds_per_epoch", "cpu_seconds_per_epoch")
    assert [{k: v for k, v in r.items() if k not in drop} for r in ra] == \
           [{k: v for k, v in r.items() if k not in drop} for r in rb]


def test_bad_config_is_named(tmp_path):
    with pytest.raises(ValueError, match="unknown config keys"):
        mnist.run(tmp_path, progress=False, config={"epoch": 3})
    with pytest.raises(ValueError, match="softsign"):
        mnist.run(tmp_path, progress=False, config={"activations": ("softsign",)})
    assert not any(tmp_path.iterdir())  # nothing written


def test_missing_files_name_the_command(tmp_path):
    from actbook.data import MissingDataError

    with pytest.raises(MissingDataError, match="python -m actbook.sweeps.mnist"):
        mnist.facts(tmp_path)


def test_eval_steps():
    steps = mnist.eval_steps(25000, 250, 20)
    assert steps[0] == 1 and steps[-1] == 25000
    assert set(range(1, 11)) <= set(steps.tolist())
    assert set(range(250, 25001, 250)) <= set(steps.tolist())
    assert np.all(np.diff(steps) > 0)
    # 10**(1/20) = 1.122 between neighbours, plus rounding to whole iterations
    ratios = steps[1:] / steps[:-1]
    assert ratios[steps[:-1] >= 100].max() <= 1.122 * 100.5 / 99.5
    assert ratios[steps[:-1] >= 10].max() <= 1.19
    assert mnist.first_reach([1, 5, 9], [0.1, 0.85, 0.95], 0.8) == 5
    assert mnist.first_reach([1, 5, 9], [0.1, 0.85, 0.95], 0.96) is None


def test_stored_data_support_every_fact():
    found = require(mnist.facts())
    assert len(found) >= 10


def _planted(tmp_path, change):
    for name in mnist.FILES:
        shutil.copy(mnist.DATA_DIR / name, tmp_path / name)
    path = tmp_path / mnist.FILES[0]
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    rows = [dict(zip(header, line.split(","))) for line in lines[1:]]
    change(rows)
    path.write_text("\n".join([lines[0]] + [",".join(r[h] for h in header) for r in rows]) + "\n")
    return {f.key: f for f in mnist.facts(tmp_path)}


def test_facts_fail_on_planted_data(tmp_path):
    def fast_sigmoid(rows):
        for r in rows:
            if r["activation"] == "sigmoid" and r["seed"] == "2":
                r["iters_to_0.9"] = "100"
                r["iters_to_0.95"] = "1000"

    found = _planted(tmp_path, fast_sigmoid)
    assert not found["mnist.sigmoid_slowest_to_0.9"].holds
    assert not found["mnist.relu_vs_sigmoid_0.9"].holds
    assert not found["mnist.sigmoid_late_to_0.95"].holds
    assert found["mnist.sigmoid_slowest_to_0.8"].holds  # untouched


def test_facts_fail_on_planted_data_2(tmp_path):
    def bad_tanh(rows):
        for r in rows:
            if r["activation"] == "tanh" and r["seed"] == "0":
                r["iters_to_0.95"] = ""
                r["last10_accuracy"] = "0.5"
            if r["activation"] == "gelu":
                r["cpu_seconds_per_epoch"] = str(10 * float(r["cpu_seconds_per_epoch"]))
            if r["activation"] == "relu" and r["seed"] == "4":
                r["dead_units"] = "0.05"

    found = _planted(tmp_path, bad_tanh)
    assert not found["mnist.others_reach_0.95"].holds
    assert not found["mnist.final_above_0.94"].holds
    assert not found["mnist.epoch_time_within_2x"].holds
    assert not found["mnist.few_dead_units"].holds
    assert found["mnist.sigmoid_slowest_to_0.9"].holds  # untouched


def test_facts_fail_on_planted_data_3(tmp_path):
    """The comparisons chapter 9 makes with the slides' table, and GELU the slowest."""
    def changed(rows):
        for r in rows:
            if r["activation"] == "tanh":
                r["iters_to_0.9"] = str(4 * float(r["iters_to_0.9"]))   # no overlap with ReLU
            if r["activation"] == "sigmoid":
                r["iters_to_0.9"] = str(float(r["iters_to_0.9"]) / 2)    # lag below the slides'
            if r["activation"] == "swish":
                r["cpu_seconds_per_epoch"] = str(1.9 * float(r["cpu_seconds_per_epoch"]))

    found = _planted(tmp_path, changed)
    assert not found["mnist.tanh_relu_overlap_0.9"].holds
    assert not found["mnist.slides_sigmoid_lag_larger"].holds
    assert not found["mnist.gelu_slowest_epoch"].holds
    assert found["mnist.sigmoid_slowest_to_0.8"].holds  # untouched


def test_facts_fail_when_a_unit_is_missing(tmp_path):
    found = _planted(tmp_path, lambda rows: rows.__setitem__(
        slice(None), [r for r in rows if r["activation"] != "tanh"]))
    assert found and all(not f.holds for f in found.values())
    assert "tanh" in found["mnist.speed_data"].evidence


def test_cli_facts_on_stored_data(capsys):
    assert mnist.main(["--facts", str(mnist.DATA_DIR)]) == 0
    assert "mnist.sigmoid_slowest_to_0.9" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        mnist.main([])


def test_result_figures():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from actbook.mnist_figures import plot_iterations_to_target

    runs, curves, meta = mnist.load()
    for fig in (plot_iterations_to_target(runs, total_steps=25000),):
        try:
            assert abs(fig.get_figwidth() - 6.9) < 0.05
            sizes = [t.get_fontsize() for t in fig.findobj(matplotlib.text.Text)
                     if t.get_text()]
            assert min(sizes) >= 11
        finally:
            plt.close(fig)
