"""Compare hidden-layer activations on the bundled handwritten digits (chapter 9).

The same network, 64-64-64-10 with softmax and cross-entropy, trained by plain mini-batch SGD;
only the hidden activation changes (and, as a second factor, the weight initialisation). For
every activation, initialisation and seed the script records:

* the iteration (mini-batch step) at which test accuracy first reaches 0.8, 0.9 and 0.95
  (measured every ``--eval-every`` steps; empty when never reached),
* the final test accuracy, the median seconds per epoch,
* the fraction of dead hidden units (derivative zero on every training example) and the
  fraction of (unit, example) pairs whose derivative is below 5 % of the activation's
  maximum slope (saturated for sigmoid and tanh; simply "off" for the ReLU family).

It writes ``<out>_runs.csv`` (one row per run) and ``<out>_curves.csv`` (the learning curves),
plus ``<out>_config.json``. The notebook of chapter 9 only reads these files; the test
``tests/test_compare_activations.py`` re-runs a small part and compares with the stored rows.

    python scripts/compare_activations.py               # the full sweep (about a minute)
    python scripts/compare_activations.py --activations relu sigmoid --seeds 1 --out /tmp/x
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path

# Tiny matrices: one BLAS thread is faster than two, and runs are then repeatable.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from actbook import diagnostics  # noqa: E402
from actbook.activations import get  # noqa: E402
from actbook.data import load_digits  # noqa: E402
from actbook.network import Network  # noqa: E402

ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "swish", "gelu"]
INITS = ["xavier", "he"]
THRESHOLDS = (0.8, 0.9, 0.95)
RUN_FIELDS = ["activation", "init", "seed", "iters_to_0.8", "iters_to_0.9", "iters_to_0.95",
              "final_accuracy", "dead_units", "small_gradient_fraction", "seconds_per_epoch"]
#: columns that depend on the machine's speed, left out of reproducibility checks
TIMING_FIELDS = {"seconds_per_epoch"}

DEFAULTS = dict(hidden=[64, 64], epochs=60, batch_size=32, lr=0.1, eval_every=10,
                data_seed=0)


def unit_health(net: Network, X: np.ndarray, small: float = 0.05):
    """Dead-unit fraction and small-derivative fraction over all hidden units, on ``X``.

    Every hidden layer has the same width, so the mean over layers is the mean over units.
    """
    dead = diagnostics.dead_fraction(net, X=X)
    saturated = diagnostics.saturated_fraction(net, threshold=small, X=X)
    return float(np.mean(dead)), float(np.mean(saturated))


def run_one(activation: str, init: str, seed: int, data, cfg) -> tuple[dict, list]:
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
        row[f"iters_to_{t}"] = int(steps[hit[0]]) if hit.size else ""
    row["final_accuracy"] = round(float(acc[-1]), 6) if acc.size else ""
    dead, small = unit_health(net, Xtr)
    row["dead_units"] = round(dead, 6)
    row["small_gradient_fraction"] = round(small, 6)
    row["seconds_per_epoch"] = round(float(np.median(hist["seconds"])), 6)
    curve = [{"activation": activation, "init": init, "seed": seed, "step": int(s),
              "accuracy": round(float(a), 6)} for s, a in zip(steps, acc)]
    return row, curve


def sweep(activations, inits, seeds, cfg, progress=True):
    data = load_digits(seed=cfg["data_seed"])
    rows, curves = [], []
    combos = [(a, i, s) for a in activations for i in inits for s in seeds]
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(combos, desc="runs", unit="run")
    for a, i, s in (bar if bar is not None else combos):
        get(a)  # a clear error for an unknown name before any training
        row, curve = run_one(a, i, s, data, cfg)
        rows.append(row)
        curves.extend(curve)
    return rows, curves


def write(rows, curves, cfg, out: Path):
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{out}_runs.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=RUN_FIELDS)
        w.writeheader()
        w.writerows(rows)
    with open(f"{out}_curves.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["activation", "init", "seed", "step", "accuracy"])
        w.writeheader()
        w.writerows(curves)
    Path(f"{out}_config.json").write_text(json.dumps(cfg, indent=2) + "\n")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--activations", nargs="+", default=ACTIVATIONS)
    p.add_argument("--inits", nargs="+", default=INITS)
    p.add_argument("--seeds", type=int, default=5, help="number of seeds (0..n-1)")
    p.add_argument("--epochs", type=int, default=DEFAULTS["epochs"])
    p.add_argument("--out", default=str(ROOT / "data" / "digits_comparison"),
                   help="output prefix (writes <out>_runs.csv, <out>_curves.csv, <out>_config.json)")
    p.add_argument("--no-progress", action="store_true")
    args = p.parse_args(argv)
    cfg = dict(DEFAULTS, epochs=args.epochs, activations=args.activations, inits=args.inits,
               seeds=list(range(args.seeds)))
    t0 = time.perf_counter()
    rows, curves = sweep(args.activations, args.inits, cfg["seeds"], cfg,
                         progress=not args.no_progress)
    write(rows, curves, cfg, Path(args.out))
    print(f"{len(rows)} runs in {time.perf_counter() - t0:.1f} s -> {args.out}_runs.csv")


if __name__ == "__main__":
    main()
