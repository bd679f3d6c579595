"""Gradient sweeps for chapter 8, *Vanishing and exploding gradients*.

The sweeps are too slow for the chapter's execution budget, so they run here and store their
rows under ``data/``; the chapter plots those files. ``tests/test_sweep_gradients.py`` re-runs
a small configuration and checks that it reproduces the stored rows.

Four sweeps, all on scikit-learn's bundled handwritten digits (8x8 images, no download):

``init``      the norm of delta^(l) and of grad W^(l) for every layer of a freshly initialised
              network, for every depth, activation, initialisation and seed
              -> ``data/gradients_init.csv``
``remedies``  the same at one larger depth with batch normalisation or residual connections
              switched on -> ``data/gradients_remedies.csv``
``training``  per-layer learning speed while training: the mean over an epoch's steps of
              ||grad W^(l)|| / ||W^(l)||, with the validation accuracy
              -> ``data/gradients_training.csv``
``dead``      the fraction of dead ReLU units (zero output on every training example) after each
              epoch, against the learning rate -> ``data/dead_units.csv``

Usage::

    python scripts/sweep_gradients.py            # full sweep, writes data/*.csv (a few minutes)
    python scripts/sweep_gradients.py --quick --out /tmp/x   # small configuration (seconds)
"""
from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import sys
import time
from pathlib import Path

# Small matrices on a shared machine: one BLAS thread is faster than several that compete.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from actbook.data import load_digits  # noqa: E402
from actbook.diagnostics import Recorder, dead_fraction, layer_norms  # noqa: E402
from actbook.network import Network  # noqa: E402

#: Initialisations compared. ``normal-0.01`` and ``normal-1`` are the two naive choices: a
#: fixed standard deviation that ignores the layer width.
INITS = {
    "normal-0.01": dict(init="normal", init_scale=0.01),
    "normal-1": dict(init="normal", init_scale=1.0),
    "lecun": dict(init="lecun"),
    "xavier": dict(init="xavier"),
    "he": dict(init="he"),
}

FULL = {
    "init": dict(depths=[2, 3, 4, 6, 8, 10, 12, 15],
                 activations=["sigmoid", "tanh", "relu", "leaky_relu", "elu", "swish"],
                 inits=list(INITS), seeds=[0, 1, 2, 3, 4], width=64, batch=256),
    "remedies": dict(depth=20, activations=["sigmoid", "tanh", "relu"],
                     inits=["normal-1", "xavier", "he"],
                     variants=["plain", "batch_norm", "residual"],
                     seeds=[0, 1, 2, 3, 4], width=64, batch=256),
    "training": dict(depth=6, activations=["sigmoid", "tanh", "relu", "leaky_relu", "elu"],
                     inits=["normal-1", "xavier", "he"], variants=["plain", "batch_norm"],
                     seeds=[0, 1, 2], width=64, epochs=10, batch_size=32, lr=0.02, momentum=0.9),
    "dead": dict(depth=3, activation="relu", init="he", lrs=[0.01, 0.02, 0.05, 0.1, 0.2, 0.4],
                 variants=["plain", "batch_norm"], seeds=[0, 1, 2, 3, 4], width=64, epochs=10,
                 batch_size=32, momentum=0.9),
}

#: A subset of FULL: every row it produces is also a row of the full sweep.
QUICK = {
    "init": dict(FULL["init"], depths=[2, 6], activations=["sigmoid", "relu"],
                 inits=["normal-1", "he"], seeds=[0]),
    "remedies": dict(FULL["remedies"], activations=["relu"], inits=["normal-1"],
                     variants=["plain", "batch_norm"], seeds=[0]),
    "training": dict(FULL["training"], activations=["sigmoid", "relu"], inits=["he"],
                     seeds=[0], epochs=2),
    "dead": dict(FULL["dead"], lrs=[0.01, 0.2], variants=["plain"], seeds=[0], epochs=2),
}

#: Columns of each output file; the key columns identify a row across runs.
COLUMNS = {
    "init": ["activation", "init", "depth", "seed", "layer", "delta_norm", "grad_W_norm",
             "z_std", "a_std"],
    "remedies": ["activation", "init", "variant", "depth", "seed", "layer", "delta_norm",
                 "grad_W_norm", "z_std", "a_std"],
    "training": ["activation", "init", "variant", "seed", "epoch", "layer", "speed",
                 "grad_W_norm", "val_accuracy", "diverged"],
    "dead": ["lr", "variant", "seed", "epoch", "dead_fraction", "val_accuracy", "diverged"],
}
KEYS = {
    "init": ["activation", "init", "depth", "seed", "layer"],
    "remedies": ["activation", "init", "variant", "depth", "seed", "layer"],
    "training": ["activation", "init", "variant", "seed", "epoch", "layer"],
    "dead": ["lr", "variant", "seed", "epoch"],
}
FILES = {"init": "gradients_init.csv", "remedies": "gradients_remedies.csv",
         "training": "gradients_training.csv", "dead": "dead_units.csv"}


def load_digits_split(seed=0):
    """The bundled digits (:func:`actbook.data.load_digits`), each pixel standardised with the
    training set's mean and standard deviation, so inputs have mean 0 and variance 1 as the
    initialisation arguments of chapter 8 assume."""
    X, y, Xv, yv = load_digits(seed=seed, dtype=np.float64)
    mean, std = X.mean(axis=0), X.std(axis=0) + 1e-8
    return (X - mean) / std, y, (Xv - mean) / std, yv


def _net(depth, width, activation, init_name, seed, dtype=np.float64, **extra):
    sizes = [64] + [width] * depth + [10]
    return Network(sizes, activation=activation, output="softmax", loss="cross_entropy",
                   dtype=dtype, seed=seed, **INITS[init_name], **extra)


def layer_rows(net, X, y):
    """One forward/backward pass; per layer: RMS ||delta_n||, ||grad W||, std of z and of a."""
    net.loss(X, y)
    net.backward()
    norms = layer_norms(net)
    return [dict(layer=l + 1, delta_norm=float(norms["delta"][l]),
                 grad_W_norm=float(norms["grad_W"][l]),
                 z_std=float(np.std(layer.z)), a_std=float(np.std(layer.a)))
            for l, layer in enumerate(net.layers)]


def sweep_init(cfg, data):
    X, y = data[0][: cfg["batch"]], data[1][: cfg["batch"]]
    for act in cfg["activations"]:
        for init_name in cfg["inits"]:
            for depth in cfg["depths"]:
                for seed in cfg["seeds"]:
                    net = _net(depth, cfg["width"], act, init_name, seed)
                    for r in layer_rows(net, X, y):
                        yield dict(activation=act, init=init_name, depth=depth, seed=seed, **r)


def sweep_remedies(cfg, data):
    X, y = data[0][: cfg["batch"]], data[1][: cfg["batch"]]
    for act in cfg["activations"]:
        for init_name in cfg["inits"]:
            for variant in cfg["variants"]:
                extra = {"batch_norm": variant == "batch_norm", "residual": variant == "residual"}
                for seed in cfg["seeds"]:
                    net = _net(cfg["depth"], cfg["width"], act, init_name, seed, **extra)
                    for r in layer_rows(net, X, y):
                        yield dict(activation=act, init=init_name, variant=variant,
                                   depth=cfg["depth"], seed=seed, **r)


def sweep_training(cfg, data):
    X, y, Xv, yv = data
    runs = itertools.product(cfg["activations"], cfg["inits"], cfg["variants"], cfg["seeds"])
    for act, init_name, variant, seed in runs:
        net = _net(cfg["depth"], cfg["width"], act, init_name, seed, dtype=np.float32,
                   batch_norm=variant == "batch_norm")
        diverged = False
        for epoch in range(1, cfg["epochs"] + 1):
            if not diverged:
                rec = Recorder(every=1, units=False)
                with np.errstate(all="ignore"):
                    hist = net.fit(X, y, epochs=1, batch_size=cfg["batch_size"], lr=cfg["lr"],
                                   momentum=cfg["momentum"], progress=False, callback=rec,
                                   on_nonfinite="stop")
                diverged = hist["diverged_at"] is not None
            if diverged:
                speed = gnorm = np.full(len(net.layers), np.nan)
                acc = float("nan")
            else:
                r = rec.arrays()
                speed, gnorm = r["relative"].mean(axis=0), r["grad_W"].mean(axis=0)
                acc = net.accuracy(Xv, yv)
            for l in range(len(net.layers)):
                yield dict(activation=act, init=init_name, variant=variant, seed=seed,
                           epoch=epoch, layer=l + 1, speed=float(speed[l]),
                           grad_W_norm=float(gnorm[l]), val_accuracy=acc, diverged=int(diverged))


def sweep_dead(cfg, data):
    X, y, Xv, yv = data
    for lr, variant, seed in itertools.product(cfg["lrs"], cfg["variants"], cfg["seeds"]):
        net = _net(cfg["depth"], cfg["width"], cfg["activation"], cfg["init"], seed,
                   dtype=np.float32, batch_norm=variant == "batch_norm")
        diverged = False
        for epoch in range(1, cfg["epochs"] + 1):
            if not diverged:
                with np.errstate(all="ignore"):
                    hist = net.fit(X, y, epochs=1, batch_size=cfg["batch_size"], lr=lr,
                                   momentum=cfg["momentum"], progress=False, on_nonfinite="stop")
                diverged = hist["diverged_at"] is not None
            if diverged:
                yield dict(lr=lr, variant=variant, seed=seed, epoch=epoch,
                           dead_fraction=float("nan"), val_accuracy=float("nan"), diverged=1)
                continue
            frac = float(np.mean(dead_fraction(net, X)))
            yield dict(lr=lr, variant=variant, seed=seed, epoch=epoch, dead_fraction=frac,
                       val_accuracy=net.accuracy(Xv, yv), diverged=0)


SWEEPS = {"init": sweep_init, "remedies": sweep_remedies, "training": sweep_training,
          "dead": sweep_dead}


def run(config=None, out=None, only=None, progress=True):
    """Run the sweeps of ``config`` (default FULL); write CSVs into ``out`` if given.

    Returns ``{sweep name: list of row dicts}``.
    """
    config = FULL if config is None else config
    data = load_digits_split()
    results = {}
    for name, fn in SWEEPS.items():
        if only and name not in only:
            continue
        t0 = time.perf_counter()
        rows = list(fn(config[name], data))
        results[name] = rows
        if progress:
            print(f"{name}: {len(rows)} rows in {time.perf_counter() - t0:.1f} s", flush=True)
        if out is not None:
            write_csv(Path(out) / FILES[name], rows, COLUMNS[name])
    return results


def write_csv(path, rows, columns):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns)
        w.writeheader()
        for r in rows:
            w.writerow({c: (f"{r[c]:.8g}" if isinstance(r[c], float) else r[c]) for c in columns})


def read_csv(path):
    """Read a sweep CSV into a list of dicts, numbers converted (used by the chapter and test)."""
    out = []
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            row = {}
            for k, v in r.items():
                try:
                    row[k] = int(v)
                except ValueError:
                    try:
                        row[k] = float(v)
                    except ValueError:
                        row[k] = v
            out.append(row)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small configuration (for the test)")
    p.add_argument("--out", default=str(ROOT / "data"), help="output folder (default data/)")
    p.add_argument("--only", nargs="*", choices=list(SWEEPS), help="run only these sweeps")
    args = p.parse_args(argv)
    config = QUICK if args.quick else FULL
    t0 = time.perf_counter()
    run(config, out=args.out, only=args.only)
    meta = {"config": "quick" if args.quick else "full", "numpy": np.__version__,
            "seconds": round(time.perf_counter() - t0, 1), "sweeps": config}
    if not args.only:
        with open(Path(args.out) / "sweep_gradients.json", "w") as f:
            json.dump(meta, f, indent=1)
    print(f"done in {meta['seconds']} s")


if __name__ == "__main__":
    main()
