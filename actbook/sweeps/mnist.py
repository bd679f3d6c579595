"""The slides' MNIST experiment on the book's 10,000 real MNIST digits (chapter 9).

One network, 784-128-128-10 with softmax and cross-entropy, Glorot-uniform initialisation,
trained by plain mini-batch SGD (batch 32, learning rate 0.1, no momentum) for 100 epochs on
the 8,000 training digits of :func:`actbook.data.load_mnist_10k`; only the hidden activation
changes (sigmoid, tanh, ReLU, leaky ReLU, ELU, GELU, swish), five seeds each. A seed fixes the
initial weights and the order of the mini-batches; the train/test split is the same for all.

For every run the sweep records:

* the first iteration (mini-batch update) at which the accuracy on the 2,000 test digits
  reaches 0.8, 0.9 and 0.95, or nothing when it never does in 100 epochs. Test accuracy is
  measured on a grid of iterations: 20 points per decade (1, 2, ..., 10, 11, 13, 14, ...;
  from 100 on at most 13 % apart) and the end of every epoch (250 iterations apart), so an
  iteration count is the first grid point at or past the crossing;
* the test accuracy after the last epoch, its mean over the last 10 epochs, the best seen;
* the median time of one epoch of training (evaluation excluded), on the wall clock and in
  CPU time of the training thread;
* the fraction of dead hidden units at the end (derivative zero on every training digit).

The whole sweep runs on one BLAS thread (it sets the limit itself) and takes about 6.5 minutes
of CPU time on the machine that stored it (``mnist_sweep.json`` records the time).

    python -m actbook.sweeps.mnist --out DIR                  # the whole sweep into DIR
    python -m actbook.sweeps.mnist --out DIR --seeds 5 6 7 8 9
    python -m actbook.sweeps.mnist --facts DIR                # evaluate the facts on DIR

``facts(data_dir)`` holds every statement chapter 9 makes about the stored results, one
function per section: :func:`speed_facts` (iterations to a target), :func:`accuracy_facts`
(final accuracy), :func:`time_facts` (time per epoch) and :func:`slides_facts` (the book's
table beside the slides').
"""
from __future__ import annotations

import argparse
import math
import platform
import sys
import time
from pathlib import Path

import numpy as np

from .. import results
from ..facts import Fact, fact, table

__all__ = ["FILES", "CONFIG", "ACTIVATIONS", "THRESHOLDS", "SLIDES", "run", "run_one",
           "eval_steps", "first_reach", "load", "summary", "facts", "speed_facts",
           "accuracy_facts", "time_facts", "slides_facts", "main"]

NAME = "mnist"
#: the files the sweep writes: one row per run, the test-accuracy curves, the metadata
FILES = ("mnist_runs.csv", "mnist_curves.csv", "mnist_sweep.json")
DATA_DIR = Path(__file__).resolve().parents[2] / "data"

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "swish")
THRESHOLDS = (0.8, 0.9, 0.95)

#: the stored sweep's configuration; ``run(out, config={...})`` overrides any of it
CONFIG = dict(
    activations=ACTIVATIONS, seeds=(0, 1, 2, 3, 4), hidden=(128, 128), init="xavier",
    epochs=100, batch_size=32, lr=0.1, momentum=0.0, dtype="float32",
    test_fraction=0.2, data_seed=0, train_size=None, thresholds=THRESHOLDS,
    evals_per_decade=20, last_epochs=10,
)

#: The lecture slides' MNIST table (Lewy, "Activation function - comparison", the
#: "Experiment" slide): iterations to reach 0.8 / 0.9 / 0.95 accuracy (the first crossing,
#: where the slide gives two numbers, is in ``first``), average accuracy, time of one epoch
#: (no unit given); 100 epochs, only the hidden activation changed.
SLIDES = {
    "sigmoid": {"iters": (267, 3852, 17113), "first": (267, 3781, 16249),
                "accuracy": 0.974, "epoch_time": 0.0224},
    "tanh": {"iters": (174, 1254, 6417), "first": (174, 1254, 6053),
             "accuracy": 0.975, "epoch_time": 0.0236},
    "relu": {"iters": (154, 765, 3705), "first": (154, 692, 3694),
             "accuracy": 0.975, "epoch_time": 0.0227},
}

RUN_FIELDS = ("activation", "seed", *(f"iters_to_{t}" for t in THRESHOLDS), "final_accuracy",
              "last10_accuracy", "best_accuracy", "final_train_loss", "dead_units",
              "seconds_per_epoch", "cpu_seconds_per_epoch", "diverged_at")
CURVE_FIELDS = ("activation", "seed", "step", "accuracy")


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------
def eval_steps(total_steps: int, steps_per_epoch: int, per_decade: int = 20) -> np.ndarray:
    """The iterations after which test accuracy is measured: ``per_decade`` points per decade
    (rounded ``10**(k / per_decade)``) and the end of every epoch, up to ``total_steps``.
    (Chapter 9.)
    """
    if total_steps < 1 or steps_per_epoch < 1 or per_decade < 1:
        raise ValueError("total_steps, steps_per_epoch and per_decade must be positive")
    k = np.arange(int(math.ceil(per_decade * math.log10(total_steps))) + 1)
    log_grid = np.round(10.0 ** (k / per_decade)).astype(np.int64)
    ends = np.arange(steps_per_epoch, total_steps + 1, steps_per_epoch)
    steps = np.union1d(log_grid[log_grid <= total_steps], ends)
    return np.union1d(steps, [total_steps])


def first_reach(steps, accuracy, target: float):
    """The first of ``steps`` whose ``accuracy`` is at least ``target``; ``None`` if none.

    Chapter 9.
    """
    steps, accuracy = np.asarray(steps), np.asarray(accuracy)
    hit = np.flatnonzero(accuracy >= target)
    return int(steps[hit[0]]) if hit.size else None


def _data(cfg):
    from ..data import load_mnist_10k

    X_tr, y_tr, X_te, y_te = load_mnist_10k(test_fraction=cfg["test_fraction"],
                                            seed=cfg["data_seed"], dtype=np.dtype(cfg["dtype"]))
    if cfg.get("train_size"):
        X_tr, y_tr = X_tr[:cfg["train_size"]], y_tr[:cfg["train_size"]]
    return X_tr, y_tr, X_te, y_te


def run_one(activation: str, seed: int, data, cfg) -> tuple[dict, list[dict]]:
    """Train one network and return its row of ``mnist_runs.csv`` and its curve rows.

    Chapter 9.
    """
    from .. import diagnostics
    from ..network import Network

    X_tr, y_tr, X_te, y_te = data
    n_per_epoch = math.ceil(len(X_tr) / cfg["batch_size"])
    total = cfg["epochs"] * n_per_epoch
    grid = set(eval_steps(total, n_per_epoch, cfg["evals_per_decade"]).tolist())
    net = Network([X_tr.shape[1], *cfg["hidden"], 10], activation=activation,
                  init=cfg["init"], seed=seed, dtype=np.dtype(cfg["dtype"]))
    curve, eval_wall, cpu_epochs = [], [0.0] * cfg["epochs"], []
    clock = {"cpu": time.thread_time(), "eval_cpu": 0.0}

    def measure(net, info):
        step, epoch = info["step"], info["epoch"]
        if step in grid:
            w0, c0 = time.perf_counter(), time.thread_time()
            curve.append((step, net.accuracy(X_te, y_te)))
            eval_wall[epoch - 1] += time.perf_counter() - w0
            clock["eval_cpu"] += time.thread_time() - c0
        if step % n_per_epoch == 0:  # the epoch's last update: its CPU time, without evals
            now = time.thread_time()
            cpu_epochs.append(now - clock["cpu"] - clock["eval_cpu"])
            clock["cpu"], clock["eval_cpu"] = now, 0.0

    hist = net.fit(X_tr, y_tr, epochs=cfg["epochs"], batch_size=cfg["batch_size"],
                   lr=cfg["lr"], momentum=cfg["momentum"], progress=False, callback=measure,
                   on_nonfinite="stop")
    steps = np.array([s for s, _ in curve], dtype=np.int64)
    acc = np.array([a for _, a in curve])
    ends = np.isin(steps, np.arange(n_per_epoch, total + 1, n_per_epoch))
    train_wall = np.subtract(hist["seconds"], eval_wall[:len(hist["seconds"])])
    row = {"activation": activation, "seed": seed}
    for t in cfg["thresholds"]:
        row[f"iters_to_{t}"] = first_reach(steps, acc, t)
    row.update(
        final_accuracy=float(acc[-1]) if acc.size else None,
        last10_accuracy=float(np.mean(acc[ends][-cfg["last_epochs"]:])) if ends.any() else None,
        best_accuracy=float(acc.max()) if acc.size else None,
        final_train_loss=hist["epoch_loss"][-1] if hist["epoch_loss"] else None,
        dead_units=float(np.mean(diagnostics.dead_fraction(net, X=X_tr))),
        seconds_per_epoch=float(np.median(train_wall)) if train_wall.size else None,
        cpu_seconds_per_epoch=float(np.median(cpu_epochs)) if cpu_epochs else None,
        diverged_at=hist["diverged_at"],
    )
    curves = [{"activation": activation, "seed": seed, "step": int(s), "accuracy": float(a)}
              for s, a in zip(steps, acc)]
    return row, curves


def _environment() -> dict:
    import os

    from threadpoolctl import threadpool_info

    blas = [{k: info.get(k) for k in ("internal_api", "version", "architecture",
                                       "threading_layer", "num_threads")}
            for info in threadpool_info() if info.get("user_api") == "blas"]
    import threadpoolctl

    return {"python": platform.python_version(), "numpy": np.__version__,
            "threadpoolctl": threadpoolctl.__version__,
            "platform": platform.platform(), "machine": platform.machine(),
            "cpu_count": os.cpu_count(), "blas": blas,
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE")}


def run(out_dir, *, progress: bool = True, seed_offset: int = 0,
        config: dict | None = None) -> Path:
    """Run the sweep on one BLAS thread and write :data:`FILES` into ``out_dir`` (chapter 9).

    ``seed_offset`` shifts every seed (a re-run on another seed set, as
    ``scripts/check_robustness.py --seed-offset`` asks).

    ``config`` overrides entries of :data:`CONFIG` (e.g. fewer seeds, a tiny network for a
    test). Runs are interleaved (all activations for one seed, then the next seed), so that a
    change in the machine's load affects every activation alike. Returns ``out_dir``.
    """
    from threadpoolctl import threadpool_limits

    from ..activations import get

    unknown = set(config or {}) - set(CONFIG)
    if unknown:
        raise ValueError(f"unknown config keys {sorted(unknown)}; known: {sorted(CONFIG)}")
    cfg = dict(CONFIG, **(config or {}))
    if seed_offset:
        cfg["seeds"] = tuple(int(s) + int(seed_offset) for s in cfg["seeds"])
    for name in cfg["activations"]:
        get(name)  # a clear error for an unknown name before any training
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = _data(cfg)
    combos = [(a, s) for s in cfg["seeds"] for a in cfg["activations"]]
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=len(combos), desc="mnist sweep", unit="run")
    rows, curves = [], []
    wall0, cpu0 = time.perf_counter(), time.process_time()
    with threadpool_limits(limits=1, user_api="blas"):
        env = _environment()
        for activation, seed in combos:
            row, curve = run_one(activation, seed, data, cfg)
            rows.append(row)
            curves.extend(curve)
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    meta = {
        "sweep": NAME,
        "config": {k: list(v) if isinstance(v, tuple) else v for k, v in cfg.items()},
        "n_train": int(len(data[0])), "n_test": int(len(data[2])),
        "environment": env,
        "timing": {"wall_seconds": round(time.perf_counter() - wall0, 1),
                   "cpu_seconds": round(time.process_time() - cpu0, 1),
                   "runs": len(rows)},
        "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    _write_csv(out_dir / FILES[0], RUN_FIELDS, rows)
    _write_csv(out_dir / FILES[1], CURVE_FIELDS, curves)
    _write_json(out_dir / FILES[2], meta)
    return out_dir


# ---------------------------------------------------------------------------------------------
# I/O, through actbook.results (the one reader and writer of stored results)
# ---------------------------------------------------------------------------------------------
def _write_csv(path: Path, fields, rows) -> None:
    rows = [{k: round(row[k], 6) if isinstance(row.get(k), float) else row.get(k)
             for k in fields} for row in rows]
    results.write_table(path, rows, fields)


def _missing(path: Path) -> str:
    return f"{path} not found; it is made by `python -m actbook.sweeps.mnist --out {path.parent}`"


def _read_csv(path: Path, fields) -> list[dict]:
    from ..data import MissingDataError

    if not path.is_file():
        raise MissingDataError(_missing(path))
    return [dict(r) for r in results.read_table(path, columns=fields, convert=False).rows]


def _write_json(path: Path, obj) -> None:
    results.write_json(path, obj, indent=2)


def _read_json(path: Path) -> dict:
    from ..data import MissingDataError

    if not path.is_file():
        raise MissingDataError(_missing(path))
    return results.read_meta(path)


def _number(text: str):
    return None if text in ("", None) else float(text)


def load(data_dir=None) -> tuple[list[dict], list[dict], dict]:
    """``runs, curves, meta`` from the files in ``data_dir`` (default: the stored ones).
    (Chapter 9.)

    Numbers come back as floats (``iters_to_*``: ``None`` when never reached), ``seed`` and
    ``step`` as ints.
    """
    data_dir = DATA_DIR if data_dir is None else Path(data_dir)
    runs = _read_csv(data_dir / FILES[0], RUN_FIELDS)
    curves = _read_csv(data_dir / FILES[1], CURVE_FIELDS)
    meta = _read_json(data_dir / FILES[2])
    for r in runs:
        for k in RUN_FIELDS[2:]:
            r[k] = _number(r[k])
        r["seed"] = int(r["seed"])
    for c in curves:
        c["seed"], c["step"], c["accuracy"] = int(c["seed"]), int(c["step"]), float(c["accuracy"])
    return runs, curves, meta


# ---------------------------------------------------------------------------------------------
# Summaries and facts
# ---------------------------------------------------------------------------------------------
def _values(runs, activation, key) -> list:
    """One value per seed (``None`` kept: never reached / not recorded)."""
    return [r[key] for r in runs if r["activation"] == activation]


def _reached(values) -> np.ndarray:
    return np.array([v for v in values if v is not None], dtype=float)


def summary(runs, activations=None) -> list[dict]:
    """Per activation: for each target, how many seeds reached it and the median and range of
    the iterations they needed; final accuracy (mean and sd over seeds); median seconds per
    epoch. Chapter 9's table."""
    activations = activations or list(dict.fromkeys(r["activation"] for r in runs))
    out = []
    for a in activations:
        n = len(_values(runs, a, "seed"))
        row = {"activation": a, "seeds": n}
        for t in THRESHOLDS:
            v = _reached(_values(runs, a, f"iters_to_{t}"))
            row[f"reached_{t}"] = int(v.size)
            row[f"median_{t}"] = float(np.median(v)) if v.size else None
            row[f"min_{t}"] = float(v.min()) if v.size else None
            row[f"max_{t}"] = float(v.max()) if v.size else None
        for key in ("final_accuracy", "last10_accuracy", "seconds_per_epoch",
                    "cpu_seconds_per_epoch", "dead_units"):
            v = _reached(_values(runs, a, key))
            row[f"{key}_mean"] = float(v.mean()) if v.size else None
            row[f"{key}_sd"] = float(v.std(ddof=1)) if v.size > 1 else None
            row[f"{key}_min"] = float(v.min()) if v.size else None
            row[f"{key}_max"] = float(v.max()) if v.size else None
        out.append(row)
    return out


def _per_seed(runs, key) -> dict:
    """{seed: {activation: value}}."""
    out: dict = {}
    for r in runs:
        out.setdefault(r["seed"], {})[r["activation"]] = r[key]
    return out


def _never(v):
    """An iteration count, with never reached as infinity (slower than any count)."""
    return math.inf if v is None else v


def _ratio(a, b) -> float:
    """``a / b``, with never-reached (infinite) counts: inf / inf is NaN, no warning."""
    a, b = float(a), float(b)
    if math.isinf(a) and math.isinf(b):
        return math.nan
    return a / b


def _median_iters(runs, activation, target) -> float:
    """Median over seeds of the iterations to ``target`` (never reached counts as infinite)."""
    return float(np.median([_never(v) for v in _values(runs, activation, f"iters_to_{target}")]))


def _lacking(section, runs, needed) -> list[Fact]:
    """One failing fact when the data lack runs a section's statements are about, or when
    they hold fewer than 5 seeds (too few for any statement about seeds)."""
    have = {r["activation"] for r in runs}
    missing = [a for a in needed if a not in have]
    n = len({r["seed"] for r in runs})
    if missing or n < 5:
        why = f"no runs of {missing}" if missing else f"only {n} seeds"
        return [fact(f"{NAME}.{section}_data", f"The data support the {section} statements",
                     False, f"{why} in the data; at least 5 seeds of every unit are needed")]
    return []


def speed_facts(runs, meta) -> list[Fact]:
    """Section "Iterations to a target accuracy" (chapter 9)."""
    lacking = _lacking("speed", runs, ACTIVATIONS)
    if lacking:
        return lacking
    out = []
    seeds = sorted({r["seed"] for r in runs})
    n = len(seeds)
    others = [a for a in ACTIVATIONS if a != "sigmoid"]
    per_seed = {t: _per_seed(runs, f"iters_to_{t}") for t in THRESHOLDS}

    for t in (0.8, 0.9):
        ratios = [_ratio(_never(per_seed[t][s]["sigmoid"]),
                         max(_never(per_seed[t][s][a]) for a in others)) for s in seeds]
        out.append(fact(
            f"{NAME}.sigmoid_slowest_to_{t}",
            f"In every seed, sigmoid needs at least 3 times as many iterations as every other "
            f"unit to reach {t} test accuracy",
            min(ratios) >= 3,
            f"smallest per-seed ratio of sigmoid to the slowest other unit: {min(ratios):.2f} "
            f"over {n} seeds"))

    sig = [_never(per_seed[0.9][s]["sigmoid"]) for s in seeds]
    relu = [_never(per_seed[0.9][s]["relu"]) for s in seeds]
    ratio = _ratio(np.median(sig), np.median(relu))
    faster = sum(r < s for r, s in zip(relu, sig))
    out.append(fact(
        f"{NAME}.relu_vs_sigmoid_0.9",
        "ReLU reaches 0.9 test accuracy in fewer iterations than sigmoid in every seed, at "
        "least 5 times fewer in the median",
        faster == n and ratio >= 5,
        f"median sigmoid / median ReLU = {ratio:.2f}; ReLU faster in {faster} of {n} seeds"))

    epochs = meta["config"]["epochs"]
    half = epochs * math.ceil(meta["n_train"] / meta["config"]["batch_size"]) / 2
    v = _values(runs, "sigmoid", "iters_to_0.95")
    out.append(fact(
        f"{NAME}.sigmoid_late_to_0.95",
        f"Sigmoid reaches 0.95 test accuracy only after more than half of the {epochs} epochs, "
        f"or not at all, in every seed",
        all(_never(x) > half for x in v),
        f"never in {sum(x is None for x in v)} of {n} seeds; reached at "
        f"{sorted(x for x in v if x is not None)} (half the epochs: {half:.0f} iterations)"))

    failed = [(a, k) for a in others
              if (k := sum(x is None for x in _values(runs, a, "iters_to_0.95")))]
    out.append(fact(
        f"{NAME}.others_reach_0.95",
        f"Every unit other than sigmoid reaches 0.95 test accuracy in every seed within "
        f"{epochs} epochs",
        not failed, "all reached" if not failed else f"not reached (unit, seeds): {failed}"))

    med = {a: _median_iters(runs, a, 0.9) for a in others}
    spread = _ratio(max(med.values()), min(med.values()))
    out.append(fact(
        f"{NAME}.no_winner_among_others_0.9",
        "Among tanh, ReLU, leaky ReLU, ELU, GELU and swish, the medians of iterations to 0.9 "
        "lie within a factor of 2 of each other: differences within the seed-to-seed spread",
        spread <= 2,
        "medians " + ", ".join(f"{a} {m:.0f}" for a, m in med.items())
        + f"; largest / smallest = {spread:.2f}"))

    pairs = [(_never(per_seed[0.8][s]["tanh"]), _never(per_seed[0.8][s]["relu"]))
             for s in seeds]
    out.append(fact(
        f"{NAME}.tanh_before_relu_0.8",
        "In every seed tanh reaches 0.8 test accuracy in fewer iterations than ReLU",
        all(a < b for a, b in pairs), f"(tanh, ReLU) per seed: {pairs}"))

    med_t, med_r = _median_iters(runs, "tanh", 0.95), _median_iters(runs, "relu", 0.95)
    ratio = _ratio(med_t, med_r)
    out.append(fact(
        f"{NAME}.relu_before_tanh_0.95",
        "ReLU reaches 0.95 test accuracy in fewer iterations than tanh: the median of tanh is "
        "at least 1.3 times ReLU's",
        ratio >= 1.3, f"medians tanh {med_t:.0f}, ReLU {med_r:.0f}, ratio {ratio:.2f}"))
    return out


def accuracy_facts(runs, meta) -> list[Fact]:
    """Section "Final accuracy" (the mean test accuracy of the last 10 epochs, which evens
    out the epoch-to-epoch jitter of plain SGD) (chapter 9)."""
    lacking = _lacking("accuracy", runs, ACTIVATIONS)
    if lacking:
        return lacking
    out = []
    seeds = sorted({r["seed"] for r in runs})
    others = [a for a in ACTIVATIONS if a != "sigmoid"]
    last = _per_seed(runs, "last10_accuracy")

    gaps = [min(last[s][a] for a in others) - last[s]["sigmoid"] for s in seeds]
    out.append(fact(
        f"{NAME}.sigmoid_lowest_final",
        "In every seed sigmoid ends with the lowest test accuracy of the seven units",
        min(gaps) > 0, f"smallest per-seed gap to the next unit: {min(gaps):+.4f}"))

    gaps = [last[s]["relu"] - last[s]["sigmoid"] for s in seeds]
    out.append(fact(
        f"{NAME}.sigmoid_below_relu_final",
        "In every seed sigmoid ends at least half a percentage point below ReLU",
        min(gaps) >= 0.005,
        f"per-seed gaps ReLU - sigmoid from {min(gaps):+.4f} to {max(gaps):+.4f}"))

    means = {a: float(np.mean(_reached(_values(runs, a, "last10_accuracy")))) for a in others}
    width = max(means.values()) - min(means.values())
    out.append(fact(
        f"{NAME}.others_final_within_1pt",
        "The other six units end within 1 percentage point of each other (mean over seeds)",
        width <= 0.01,
        "means " + ", ".join(f"{a} {m:.4f}" for a, m in means.items()) + f"; range {width:.4f}"))

    lowest = min(r["last10_accuracy"] or 0.0 for r in runs)
    out.append(fact(
        f"{NAME}.final_above_0.94",
        "Every run of every unit ends above 0.94 test accuracy",
        lowest > 0.94, f"lowest {lowest:.4f}"))

    worst = max(runs, key=lambda r: r["dead_units"] or 0.0)
    out.append(fact(
        f"{NAME}.few_dead_units",
        "No run ends with more than 1 % of its hidden units dead (derivative zero on every "
        "training digit)",
        (worst["dead_units"] or 0.0) <= 0.01,
        f"most: {worst['activation']} seed {worst['seed']}, {worst['dead_units']:.4f}; runs "
        f"with any dead unit: {sum(1 for r in runs if r['dead_units'])} of {len(runs)}"))
    return out


def time_facts(runs, meta) -> list[Fact]:
    """Section "Time per epoch" (median CPU time of the training thread per epoch: less
    sensitive to other programs on the machine than the wall clock) (chapter 9)."""
    lacking = _lacking("time", runs, ACTIVATIONS)
    if lacking:
        return lacking
    med = {a: float(np.median(_reached(_values(runs, a, "cpu_seconds_per_epoch"))))
           for a in ACTIVATIONS}
    worst = max(med, key=med.get)
    ratio = med[worst] / med["relu"]
    three = [med[a] for a in ("sigmoid", "tanh", "relu")]
    return [
        fact(f"{NAME}.gelu_slowest_epoch",
             "GELU takes the longest per epoch of the seven units (median CPU time)",
             worst == "gelu", ", ".join(f"{a} {1000 * m:.0f} ms" for a, m in med.items())),
        fact(f"{NAME}.epoch_time_within_2x",
             "One epoch takes at most twice as long with any unit as with ReLU",
             ratio <= 2, f"slowest {worst}: {1000 * med[worst]:.0f} ms, ReLU "
                         f"{1000 * med['relu']:.0f} ms, ratio {ratio:.2f}"),
        fact(f"{NAME}.epoch_time_slides_three",
             "As in the slides, sigmoid, tanh and ReLU take about the same time per epoch: "
             "within 25 % of each other",
             max(three) / min(three) <= 1.25,
             "sigmoid {:.0f} ms, tanh {:.0f} ms, ReLU {:.0f} ms".format(
                 *(1000 * x for x in three))),
    ]


def slides_facts(runs, meta) -> list[Fact]:
    """Section "The slides' table beside ours": what carries over and what does not (chapter 9)."""
    lacking = _lacking("slides", runs, ("sigmoid", "tanh", "relu"))
    if lacking:
        return lacking
    med = {(a, t): _median_iters(runs, a, t) for a in SLIDES for t in THRESHOLDS}
    ratio = _ratio(med["tanh", 0.9], med["relu", 0.9])
    slides_ratio = SLIDES["tanh"]["iters"][1] / SLIDES["relu"]["iters"][1]
    best = max(r["last10_accuracy"] or 0.0 for r in runs)
    tanh09 = _reached(_values(runs, "tanh", "iters_to_0.9"))
    relu09 = _reached(_values(runs, "relu", "iters_to_0.9"))
    overlap = bool(tanh09.size and relu09.size
                   and max(tanh09.min(), relu09.min()) <= min(tanh09.max(), relu09.max()))
    sig = _ratio(med["sigmoid", 0.9], med["relu", 0.9])
    slides_sig = SLIDES["sigmoid"]["iters"][1] / SLIDES["relu"]["iters"][1]
    extra = [
        fact(f"{NAME}.tanh_relu_overlap_0.9",
             "Over the seeds, the iterations tanh and ReLU need to reach 0.9 overlap: the data "
             "name no faster unit of the two",
             overlap,
             (f"tanh {tanh09.min():.0f}..{tanh09.max():.0f}, ReLU {relu09.min():.0f}.."
              f"{relu09.max():.0f}") if tanh09.size and relu09.size else "a unit never got there"),
        fact(f"{NAME}.slides_sigmoid_lag_larger",
             "Sigmoid's lag behind ReLU to 0.9 (ratio of medians) is larger here than in the "
             "slides",
             sig > slides_sig, f"{sig:.2f} here, {slides_sig:.2f} in the slides"),
    ]
    return extra + [
        fact(f"{NAME}.slides_order_sigmoid_last",
             "As in the slides, sigmoid is the slowest of sigmoid, tanh and ReLU to every "
             "target (median over seeds)",
             all(med["sigmoid", t] > max(med["tanh", t], med["relu", t]) for t in THRESHOLDS),
             "; ".join(f"{t}: sigmoid {med['sigmoid', t]:.0f}, tanh {med['tanh', t]:.0f}, "
                       f"ReLU {med['relu', t]:.0f}" for t in THRESHOLDS)),
        fact(f"{NAME}.slides_tanh_not_slower",
             "Unlike the slides (tanh 1.6 times slower than ReLU to 0.9), tanh is not slower "
             "than ReLU to 0.9 here: the ratio of medians is at most 1.25",
             ratio <= 1.25,
             f"tanh / ReLU to 0.9: {ratio:.2f} here, {slides_ratio:.2f} in the slides"),
        fact(f"{NAME}.slides_accuracy_lower",
             "Every run ends below the slides' average accuracies (0.974-0.975), as expected "
             "from 8,000 training digits instead of MNIST's 60,000",
             best < min(s["accuracy"] for s in SLIDES.values()),
             f"best run: {best:.4f}"),
    ]


def section_speed(data_dir=None) -> list[Fact]:
    """Chapter 9, MNIST: how many iterations each unit needs to reach each accuracy."""
    runs, _, meta = load(data_dir)
    return speed_facts(runs, meta)


def section_accuracy(data_dir=None) -> list[Fact]:
    """Chapter 9, MNIST: final accuracies and dead units."""
    runs, _, meta = load(data_dir)
    return accuracy_facts(runs, meta)


def section_time(data_dir=None) -> list[Fact]:
    """Chapter 9, MNIST: seconds per epoch."""
    runs, _, meta = load(data_dir)
    return time_facts(runs, meta)


def section_slides(data_dir=None) -> list[Fact]:
    """Chapter 9, MNIST: the book's numbers beside the slides'."""
    runs, _, meta = load(data_dir)
    return slides_facts(runs, meta)


def facts(data_dir=None) -> list[Fact]:
    """Every statement chapter 9 makes about the sweep, evaluated on the files in
    ``data_dir`` (default: the stored ones)."""
    return (section_speed(data_dir) + section_accuracy(data_dir) + section_time(data_dir)
            + section_slides(data_dir))


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------
def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m actbook.sweeps.mnist",
                                description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, help="run the sweep and write its files into OUT")
    p.add_argument("--facts", type=Path, metavar="DIR",
                   help="evaluate the facts on the files in DIR and print them")
    p.add_argument("--seeds", type=int, nargs="+", help="seeds (default 0 1 2 3 4)")
    p.add_argument("--epochs", type=int, help=f"epochs (default {CONFIG['epochs']})")
    p.add_argument("--activations", nargs="+", help="hidden activations (default: all seven)")
    p.add_argument("--no-progress", action="store_true")
    args = p.parse_args(argv)
    if args.out is None and args.facts is None:
        p.error("give --out DIR (run the sweep) or --facts DIR (evaluate its facts)")
    if args.out is not None:
        config = {k: tuple(v) if isinstance(v, list) else v for k, v in
                  (("seeds", args.seeds), ("epochs", args.epochs),
                   ("activations", args.activations)) if v is not None}
        run(args.out, progress=not args.no_progress, config=config)
        meta = _read_json(args.out / FILES[2])
        t = meta["timing"]
        print(f"{t['runs']} runs in {t['wall_seconds']:.0f} s wall, {t['cpu_seconds']:.0f} s "
              f"CPU -> {args.out}")
    folder = args.facts if args.facts is not None else args.out
    found = facts(folder)
    print(table(found))
    return 0 if all(f.holds for f in found) else 1


if __name__ == "__main__":
    sys.exit(main())
