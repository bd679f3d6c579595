"""Hidden activations compared on the bundled handwritten digits (chapter 9).

The same network, 64-64-64-10 with softmax and cross-entropy, trained by plain mini-batch SGD
on the digits scaled to [0, 1]; only the hidden activation changes (and, as a second factor,
the weight initialisation). For every activation, initialisation and seed it records:

* the iteration (mini-batch step) at which test accuracy first reaches 0.8, 0.9 and 0.95
  (measured every ``eval_every`` steps; empty when never reached),
* the final test accuracy and the median seconds per epoch,
* the fraction of dead hidden units (derivative zero on every training example) and the
  fraction of (unit, example) pairs whose derivative is below 5 % of the activation's
  maximum slope (saturated for sigmoid and tanh; simply "off" for the ReLU family).

``digits_comparison_runs.csv``    one row per run
``digits_comparison_curves.csv``  every learning curve (test accuracy every ``eval_every``
                                  steps)
``digits_comparison_config.json`` the configuration, versions, BLAS kernel and time

    python -m actbook.sweeps.digits --out data
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import diagnostics
from ..activations import get
from ..data import load_digits
from ..facts import fact
from ..network import Network
from ..results import read_meta, read_table, summarize, write_meta, write_table
from .common import Timer, each, seed_list

__all__ = ["FILES", "CONFIG", "RUN_FIELDS", "CURVE_FIELDS", "TIMING_FIELDS", "THRESHOLDS",
           "run_one", "sweep", "run", "Comparison", "facts", "section_speed",
           "section_unit_health"]

FILES = ("digits_comparison_runs.csv", "digits_comparison_curves.csv",
         "digits_comparison_config.json")

THRESHOLDS = (0.8, 0.9, 0.95)

CONFIG = dict(activations=["sigmoid", "tanh", "relu", "leaky_relu", "elu", "swish", "gelu"],
              inits=["xavier", "he"], seeds=10, hidden=[64, 64], epochs=60, batch_size=32,
              lr=0.1, eval_every=10, data_seed=0)

RUN_FIELDS = ["activation", "init", "seed", "iters_to_0.8", "iters_to_0.9", "iters_to_0.95",
              "final_accuracy", "dead_units", "small_gradient_fraction", "seconds_per_epoch"]
CURVE_FIELDS = ["activation", "init", "seed", "step", "accuracy"]
#: columns that depend on the machine's speed, not on the arithmetic
TIMING_FIELDS = {"seconds_per_epoch"}


def unit_health(net: Network, X: np.ndarray, small: float = 0.05):
    """Dead-unit fraction and small-derivative fraction over all hidden units, on ``X``.
    (Chapter 9.)

    Every hidden layer has the same width, so the mean over layers is the mean over units.
    """
    dead = diagnostics.dead_fraction(net, X=X)
    saturated = diagnostics.saturated_fraction(net, threshold=small, X=X)
    return float(np.mean(dead)), float(np.mean(saturated))


def run_one(activation: str, init: str, seed: int, data, cfg=None) -> tuple[dict, list]:
    """Train one network; its row of the runs table and its learning curve (chapter 9)."""
    cfg = CONFIG if cfg is None else cfg
    Xtr, ytr, Xte, yte = data
    net = Network([Xtr.shape[1], *cfg["hidden"], 10], activation=activation, init=init,
                  output="softmax", loss="cross_entropy", seed=seed, dtype=np.float32)
    hist = net.fit(Xtr, ytr, epochs=cfg["epochs"], batch_size=cfg["batch_size"], lr=cfg["lr"],
                   momentum=0.0, X_val=Xte, y_val=yte, eval_every=cfg["eval_every"],
                   progress=False, on_nonfinite="stop")
    steps = np.asarray(hist["val_step"])
    acc = np.asarray(hist["val_accuracy"])
    row = {"activation": activation, "init": init, "seed": seed}
    for t in THRESHOLDS:
        hit = np.flatnonzero(acc >= t)
        row[f"iters_to_{t}"] = int(steps[hit[0]]) if hit.size else None
    row["final_accuracy"] = float(acc[-1]) if acc.size else None
    dead, small = unit_health(net, Xtr)
    row["dead_units"] = dead
    row["small_gradient_fraction"] = small
    row["seconds_per_epoch"] = float(np.median(hist["seconds"]))
    curve = [{"activation": activation, "init": init, "seed": seed, "step": int(s),
              "accuracy": float(a)} for s, a in zip(steps, acc)]
    return row, curve


def sweep(activations, inits, seeds, cfg=None, progress: bool = True):
    """Rows and curves of every (activation, init, seed). Unknown activation names are
    refused before any training, with the registry's suggestion (chapter 9)."""
    cfg = CONFIG if cfg is None else cfg
    for a in activations:
        get(a)  # a clear error for an unknown name before any training
    data = load_digits(seed=cfg["data_seed"])
    combos = [(a, i, s) for a in activations for i in inits for s in seeds]
    done = each("digits", combos, lambda k: run_one(*k, data, cfg), progress, every=20)
    return [row for row, _ in done], [point for _, curve in done for point in curve]


def run(out_dir, *, progress: bool = True, seed_offset: int = 0, config=None) -> None:
    """Train every configuration of ``config`` (default :data:`CONFIG`) and write
    :data:`FILES` into ``out_dir`` (chapter 9)."""
    cfg = dict(CONFIG if config is None else config)
    seeds = seed_list(cfg["seeds"], seed_offset)
    t0 = Timer()
    rows, curves = sweep(cfg["activations"], cfg["inits"], seeds, cfg, progress)
    out = Path(out_dir)
    write_table(out / FILES[0], rows, RUN_FIELDS)
    write_table(out / FILES[1], curves, CURVE_FIELDS)
    write_meta(out / FILES[2], cfg, t0.wall, t0.cpu, seed_offset=seed_offset,
               runs=len(rows))


# ---------------------------------------------------------------------------------------------
# reading it
# ---------------------------------------------------------------------------------------------
class Comparison:
    """The stored comparison of ``data_dir`` (default ``data/``) with its configuration.

    Chapter 9.
    """

    def __init__(self, data_dir=None):
        self.runs = read_table(FILES[0], data_dir, RUN_FIELDS)
        self.config = read_meta(FILES[2], data_dir)["config"]
        self.activations = self.config["activations"]
        self.inits = self.config["inits"]
        self._data_dir = data_dir
        self._curves = None

    @property
    def curves(self):
        """The learning curves (read on first use: the file is large)."""
        if self._curves is None:
            self._curves = read_table(FILES[1], self._data_dir, CURVE_FIELDS)
        return self._curves

    def values(self, activation, init, column) -> np.ndarray:
        """One value per seed (``nan`` where a threshold was never reached)."""
        return self.runs.select(activation=activation, init=init).sorted("seed").column(column)

    def median_iters(self, activation, init, threshold) -> float:
        """Median over the seeds of the iterations to ``threshold``; ``nan`` if a seed never
        reached it."""
        v = self.values(activation, init, f"iters_to_{threshold}")
        return float("nan") if np.isnan(v).any() else float(np.median(v))

    def ratio(self, slow, fast, init, threshold) -> float:
        """How many times more iterations ``slow`` needs than ``fast`` (ratio of medians)."""
        return self.median_iters(slow, init, threshold) / self.median_iters(fast, init,
                                                                            threshold)

    def best_so_far(self, activation, init):
        """``steps, acc``: the best test accuracy reached so far, (seeds, points)."""
        sel = self.curves.select(activation=activation, init=init)
        steps = None
        acc = []
        for seed in sel.unique("seed"):
            c = sel.select(seed=seed).sorted("step")
            steps = c.column("step")
            acc.append(np.maximum.accumulate(c.column("accuracy")))
        return steps, np.array(acc)

    def summary(self, activation, init, column):
        return summarize(self.values(activation, init, column))


def _comparison(data_dir):
    return data_dir if isinstance(data_dir, Comparison) else Comparison(data_dir)


#: the units compared with ReLU for speed, besides the sigmoid
RELU_LIKE = ("tanh", "elu", "swish", "gelu")


def steps_per_epoch(c) -> int:
    """Mini-batch steps in one epoch of the stored comparison's training set (chapter 9)."""
    from math import ceil

    n_train = len(load_digits(seed=c.config["data_seed"])[0])
    return ceil(n_train / c.config["batch_size"])


def section_speed(data_dir=None) -> list:
    """Chapter 9, "How many times sooner?": the sigmoid is many times slower than ReLU; tanh
    and the smooth ReLU-like units are within a factor of two of it, and tanh's difference
    from ReLU lies within the seeds' spread."""
    c = _comparison(data_dir)
    inits = c.inits
    sig = {i: c.ratio("sigmoid", "relu", i, 0.9) for i in inits}
    others = {(a, i): c.ratio(a, "relu", i, 0.9) for a in RELU_LIKE for i in inits}
    tanh = c.values("tanh", "xavier", "iters_to_0.9")
    relu = c.values("relu", "xavier", "iters_to_0.9")
    never = {i: int(np.sum(np.isnan(c.values("sigmoid", i, "iters_to_0.95")))) for i in inits}
    n = len(c.runs.select(activation="sigmoid", init=inits[0]))
    epoch = steps_per_epoch(c)
    fast = [c.values(a, i, "iters_to_0.9") for a in c.activations if a != "sigmoid"
            for i in inits]
    slowest = max(float(np.max(v)) for v in fast)
    return [
        fact("digits.sigmoid_slow",
             "with either initialisation the sigmoid needs more than 3 times as many "
             "iterations as ReLU to reach 90 % (ratio of medians)",
             all(r > 3 for r in sig.values()),
             ", ".join(f"{i}: {r:.1f}" for i, r in sig.items())),
        fact("digits.sigmoid_never_95",
             f"the sigmoid network never reaches 95 % in {c.config['epochs']} epochs, in any seed",
             all(k == n for k in never.values()),
             ", ".join(f"{i}: {k} of {n} never" for i, k in never.items())),
        fact("digits.relu_like_within_2",
             "tanh, ELU, swish and GELU need between half and twice ReLU's iterations to 90 %",
             all(0.5 < r < 2 for r in others.values()),
             f"ratios {min(others.values()):.2f}..{max(others.values()):.2f}"),
        fact("digits.tanh_relu_overlap",
             "with Xavier's initialisation tanh's and ReLU's iterations to 90 % overlap over "
             "the seeds: the data name no faster unit",
             not np.isnan(tanh).any() and not np.isnan(relu).any()
             and max(tanh.min(), relu.min()) <= min(tanh.max(), relu.max()),
             f"tanh {tanh.min():.0f}..{tanh.max():.0f}, ReLU {relu.min():.0f}..{relu.max():.0f}"),
        fact("digits.fast_within_epochs",
             "every activation but the sigmoid reaches 90 % within 6 epochs in every seed",
             not any(np.isnan(v).any() for v in fast) and slowest < 6 * epoch,
             f"slowest {slowest:.0f} iterations, {slowest / epoch:.1f} epochs"),
    ]


def section_unit_health(data_dir=None) -> list:
    """Chapter 9, "Dead and saturated units"."""
    c = _comparison(data_dir)
    inits = c.inits

    def pooled(act, column):
        return np.concatenate([c.values(act, i, column) for i in inits])

    relu_dead = pooled("relu", "dead_units")
    leaky_dead = pooled("leaky_relu", "dead_units")
    relu_off = pooled("relu", "small_gradient_fraction")
    s_shaped = [float(np.median(pooled(a, "small_gradient_fraction")))
                for a in ("sigmoid", "tanh")]
    return [
        fact("digits.relu_few_dead",
             "ReLU leaves a few dead units (median above 0 and below 20 %); leaky ReLU none",
             0 < float(np.median(relu_dead)) < 0.2 and float(np.max(leaky_dead)) < 1e-12,
             f"ReLU median {np.median(relu_dead):.3f}, leaky ReLU largest "
             f"{np.max(leaky_dead):.3f}"),
        fact("digits.relu_a_third_off",
             "about a third of ReLU's unit-example pairs are off (median between 25 % and "
             "45 %)",
             0.25 < float(np.median(relu_off)) < 0.45, f"median {np.median(relu_off):.3f}"),
        fact("digits.s_shaped_not_saturated",
             "sigmoid and tanh units are rarely saturated (median below 5 % of pairs)",
             max(s_shaped) < 0.05, f"sigmoid {s_shaped[0]:.3f}, tanh {s_shaped[1]:.3f}"),
    ]


def facts(data_dir=None) -> list:
    """Every statement the chapters make about the stored comparison (chapter 9)."""
    c = _comparison(data_dir)
    return section_speed(c) + section_unit_health(c)


if __name__ == "__main__":
    from actbook.sweeps.common import main

    raise SystemExit(main("actbook.sweeps.digits"))
