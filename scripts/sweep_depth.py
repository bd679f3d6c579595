"""Depth sweep for chapter 8, *Vanishing and exploding gradients*: how trainable is a network
as it gets deeper, per activation and initialisation?

For every activation, initialisation, depth (number of hidden layers of ``width`` units) and
seed, the script builds a fresh network on scikit-learn's bundled handwritten digits (the same
standardised split as ``scripts/sweep_gradients.py``), measures the gradient norms of one
forward and backward pass at initialisation, then trains it with mini-batch SGD and momentum
for a fixed number of epochs at a fixed learning rate. One row per run goes to
``data/depth_runs.csv``:

``val_accuracy``          test accuracy after the last epoch (NaN if the run diverged)
``best_val_accuracy``     the best test accuracy seen after any epoch
``epochs_to_threshold``   the first epoch after which the test accuracy reached ``threshold``
                          (empty if it never did)
``grad_ratio``            ``||grad W^(1)|| / ||grad W^(L-1)||`` at initialisation: the first
                          hidden layer's weight gradient over the last hidden layer's (1 for
                          one hidden layer)
``delta_ratio``           ``||delta^(1)|| / ||delta^(L)||`` at initialisation, the first hidden
                          layer's error signal over the output layer's (the ratio of the
                          chapter's "Measured: the error signal at initialisation")
``diverged``              1 if the loss became NaN or infinite during training

The gradient ratios are measured in float64 on 256 training digits; training runs in float32.
The configuration and the package versions go to ``data/depth_sweep.json``.

A follow-up (:data:`LR_FOLLOW_UP`) trains ReLU networks with He's initialisation at two depths
with three learning rates, the other settings unchanged, and writes ``data/depth_lr.csv``
(``val_accuracy``, ``best_val_accuracy``, ``diverged`` per depth, learning rate and seed) and
``data/depth_lr.json``: it asks whether the learning rate, rather than the gradient at
initialisation, limits the deepest ReLU networks.

A second follow-up (:data:`REMEDIES`) asks whether chapter 8's remedies let deep networks
*train*: for sigmoid and tanh with Xavier's and ReLU with He's initialisation it trains, at
the sweep's settings, each network four ways (:data:`VARIANTS`): ``plain`` (the sweep's own runs,
recomputed), with ``batch_norm`` in every hidden layer, ``residual``, a skip connection
``a = phi(z) + a_prev`` in every hidden layer (every hidden layer keeps the width of 64, the
input's included, so the first one has its skip connection too), and ``batch_norm+residual``,
``a = phi(BN(a_prev @ W.T + b)) + a_prev``: the normalisation inside the residual branch.
Then it trains the ReLU networks with batch normalisation, without and with residual
connections, at the depths and learning rates of the learning-rate follow-up. It writes
``data/depth_remedies.csv`` (the columns of ``depth_runs.csv`` plus ``variant`` and ``lr``)
and ``data/depth_remedies.json`` (configuration, package versions, time). With ``--reuse`` it
keeps the rows of an existing ``depth_remedies.csv`` made with the same settings and runs only
the missing ones (every run is seeded on its own, so the rows do not depend on which others
run); the JSON then gives the earlier run's time, the new runs' time and their sum.
``tests/test_sweep_depth.py`` re-runs the small configuration and a few runs of each follow-up
and checks them against the stored rows.

Usage::

    python scripts/sweep_depth.py                       # full sweep, writes data/ (minutes)
    python scripts/sweep_depth.py --quick --out /tmp/x  # small configuration (seconds)
    python scripts/sweep_depth.py --depths 1 4 --activations relu --seeds 0 --out /tmp/x
    python scripts/sweep_depth.py --part lr             # only the learning-rate follow-up
    python scripts/sweep_depth.py --part remedies       # only the remedies follow-up
    python scripts/sweep_depth.py --part remedies --reuse  # only its runs not yet stored
"""
from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import platform
import sys
import time
from pathlib import Path

# Small matrices on a shared machine: one BLAS thread is faster than several that compete.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
for _p in (ROOT, ROOT / "scripts"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from actbook.activations import get  # noqa: E402
from actbook.diagnostics import layer_norms  # noqa: E402
from actbook.network import Network  # noqa: E402
from sweep_gradients import load_digits_split, read_csv, write_csv  # noqa: E402,F401

#: The initialisation each activation is customarily paired with: Xavier (Glorot) for the
#: S-shaped units it was derived for, He for the ReLU family. Every activation is also run
#: with the other one, so activation and initialisation effects can be told apart.
CUSTOMARY_INIT = {"sigmoid": "xavier", "tanh": "xavier", "relu": "he", "leaky_relu": "he",
                  "elu": "he", "swish": "he"}
INITS = ["xavier", "he"]

FULL = dict(depths=[1, 2, 4, 8, 12, 16, 20], activations=["sigmoid", "tanh", "relu", "elu"],
            inits=INITS, seeds=[0, 1, 2], width=64, epochs=20, batch_size=32, lr=0.01,
            momentum=0.9, threshold=0.9, grad_batch=256, data_seed=0)

#: A subset of FULL: every row it produces is also a row of the full sweep.
QUICK = dict(FULL, depths=[2, 8], activations=["sigmoid", "relu"], inits=["xavier", "he"],
             seeds=[0])

#: Follow-up on ReLU with He's initialisation, whose accuracy drops at the largest depth although
#: its error signal is level: the same networks at a moderate and at the largest depth, with
#: the learning rate divided and multiplied by about 3. The other settings are FULL's.
LR_FOLLOW_UP = dict(activation="relu", init="he", depths=[8, 20], lrs=[0.003, 0.01, 0.03])
LR_COLUMNS = ["activation", "init", "depth", "lr", "seed", "val_accuracy", "best_val_accuracy",
              "diverged"]
LR_FILE = "depth_lr.csv"
LR_META = "depth_lr.json"

#: The remedies of chapter 8 as options of :class:`~actbook.network.Network`.
#: ``batch_norm+residual`` combines the two in one layer: ``a = phi(BN(a_prev @ W.T)) + a_prev``,
#: the normalisation inside the residual branch, before the activation, and the skip added after
#: it (the usual residual-network recipe, with a branch of one layer).
VARIANTS = {"plain": {}, "batch_norm": {"batch_norm": True}, "residual": {"residual": True},
            "batch_norm+residual": {"batch_norm": True, "residual": True}}

#: Follow-up on the remedies: each pair (activation, its customary initialisation) at each
#: depth, plain, with batch normalisation and with residual connections, at the sweep's
#: learning rate; then ``rates``: one pair and its ``variants`` at the learning-rate follow-up's
#: depths and rates (the runs at the sweep's rate are not repeated). The other settings (seeds,
#: epochs, momentum, ...) are the sweep's. Lists, not tuples, so that the copy stored in JSON
#: compares equal.
REMEDIES = dict(pairs=[["sigmoid", "xavier"], ["tanh", "xavier"], ["relu", "he"]],
                variants=list(VARIANTS),
                depths=[1, 2, 4, 8, 12, 16, 20],
                rates=dict(activation="relu", init="he",
                           variants=["batch_norm", "batch_norm+residual"],
                           depths=list(LR_FOLLOW_UP["depths"]),
                           lrs=list(LR_FOLLOW_UP["lrs"])))
REMEDY_KEYS = ["activation", "init", "variant", "depth", "lr", "seed"]
REMEDY_FILE = "depth_remedies.csv"
REMEDY_META = "depth_remedies.json"

COLUMNS = ["activation", "init", "depth", "seed", "val_accuracy", "best_val_accuracy",
           "epochs_to_threshold", "grad_ratio", "delta_ratio", "diverged"]
KEYS = ["activation", "init", "depth", "seed"]
#: The remedies' rows: the sweep's columns, with the variant among the keys.
REMEDY_COLUMNS = REMEDY_KEYS + COLUMNS[len(KEYS):]
FILE = "depth_runs.csv"
META = "depth_sweep.json"


def check_config(cfg):
    """Raise ``ValueError`` naming the first bad entry of a configuration."""
    def positive_ints(name):
        vals = cfg[name]
        if not vals or any(not isinstance(v, int) or v < 1 for v in vals):
            raise ValueError(f"{name} must be a non-empty list of integers >= 1, got {vals!r}")

    positive_ints("depths")
    if not cfg["seeds"] or any(not isinstance(s, int) or s < 0 for s in cfg["seeds"]):
        raise ValueError(f"seeds must be a non-empty list of integers >= 0, got {cfg['seeds']!r}")
    for act in cfg["activations"]:
        try:
            a = get(act)
        except (KeyError, ValueError) as err:
            raise ValueError(str(err)) from None
        if not a.elementwise or a.name == "softmax":
            raise ValueError(f"activation {act!r} is not an elementwise hidden-layer activation")
    for init in cfg["inits"]:
        if init not in INITS:
            raise ValueError(f"unknown init {init!r}; choose from {INITS}")
    for name in ("width", "epochs", "batch_size"):
        if not isinstance(cfg[name], int) or cfg[name] < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {cfg[name]!r}")
    if not (cfg["lr"] > 0 and math.isfinite(cfg["lr"])):
        raise ValueError(f"lr must be a positive number, got {cfg['lr']!r}")
    if not 0 <= cfg["momentum"] < 1:
        raise ValueError(f"momentum must lie in [0, 1), got {cfg['momentum']!r}")
    if not 0 < cfg["threshold"] <= 1:
        raise ValueError(f"threshold must lie in (0, 1], got {cfg['threshold']!r}")


def _net(cfg, act, init, depth, seed, dtype, variant="plain"):
    sizes = [64] + [cfg["width"]] * depth + [10]
    return Network(sizes, activation=act, init=init, output="softmax", loss="cross_entropy",
                   dtype=dtype, seed=seed, **VARIANTS[variant])


def gradient_ratios(cfg, act, init, depth, seed, X, y, variant="plain"):
    """``(grad_ratio, delta_ratio)`` of a fresh float64 network (see the module docstring);
    with batch normalisation, the batch's own statistics normalise (training mode)."""
    net = _net(cfg, act, init, depth, seed, np.float64, variant)
    net.loss(X[: cfg["grad_batch"]], y[: cfg["grad_batch"]])
    net.backward()
    n = layer_norms(net)
    return float(n["grad_W"][0] / n["grad_W"][depth - 1]), float(n["delta"][0] / n["delta"][-1])


def train_run(cfg, act, init, depth, seed, data, variant="plain"):
    """Train one network (``variant``: a key of :data:`VARIANTS`); returns the row's measured
    columns."""
    X, y, Xv, yv = data
    grad_ratio, delta_ratio = gradient_ratios(cfg, act, init, depth, seed, X, y, variant)
    net = _net(cfg, act, init, depth, seed, np.float32, variant)
    with np.errstate(all="ignore"):
        hist = net.fit(X, y, epochs=cfg["epochs"], batch_size=cfg["batch_size"], lr=cfg["lr"],
                       momentum=cfg["momentum"], X_val=Xv, y_val=yv, progress=False,
                       on_nonfinite="stop")
    accs = hist["val_accuracy"]  # one per completed epoch
    diverged = hist["diverged_at"] is not None
    reached = [e + 1 for e, a in enumerate(accs) if a >= cfg["threshold"]]
    return dict(val_accuracy=float("nan") if diverged or not accs else float(accs[-1]),
                best_val_accuracy=float(max(accs)) if accs else float("nan"),
                epochs_to_threshold=reached[0] if reached else "",
                grad_ratio=grad_ratio, delta_ratio=delta_ratio, diverged=int(diverged))


def sweep(cfg, data=None, progress=True):
    """Yield one row dict per run of the configuration ``cfg``."""
    check_config(cfg)
    data = load_digits_split(cfg["data_seed"]) if data is None else data
    grid = itertools.product(cfg["activations"], cfg["inits"], cfg["depths"], cfg["seeds"])
    for act, init, depth, seed in grid:
        t0 = time.perf_counter()
        row = dict(activation=act, init=init, depth=depth, seed=seed,
                   **train_run(cfg, act, init, depth, seed, data))
        if progress:
            print(f"{act:8s} {init:6s} depth {depth:2d} seed {seed}: accuracy "
                  f"{row['val_accuracy']:.3f}, grad ratio {row['grad_ratio']:.2e} "
                  f"({time.perf_counter() - t0:.1f} s)", flush=True)
        yield row


def lr_follow_up(cfg=None, follow=None, data=None, progress=True):
    """Yield one row per (depth, learning rate, seed) of the follow-up ``follow``
    (default :data:`LR_FOLLOW_UP`), every other setting from ``cfg`` (default FULL)."""
    cfg = FULL if cfg is None else cfg
    follow = LR_FOLLOW_UP if follow is None else follow
    for lr in follow["lrs"]:
        check_config(dict(cfg, lr=lr, depths=follow["depths"], activations=[follow["activation"]],
                          inits=[follow["init"]]))
    data = load_digits_split(cfg["data_seed"]) if data is None else data
    act, init = follow["activation"], follow["init"]
    for depth, lr, seed in itertools.product(follow["depths"], follow["lrs"], cfg["seeds"]):
        run_cfg = dict(cfg, lr=lr)
        r = train_run(run_cfg, act, init, depth, seed, data)
        row = dict(activation=act, init=init, depth=depth, lr=lr, seed=seed,
                   **{k: r[k] for k in ("val_accuracy", "best_val_accuracy", "diverged")})
        if progress:
            print(f"{act} {init} depth {depth:2d} lr {lr:g} seed {seed}: accuracy "
                  f"{row['val_accuracy']:.3f}", flush=True)
        yield row


def check_remedies(cfg, spec):
    """Raise ``ValueError`` naming the first bad entry of a remedies follow-up ``spec``."""
    if not spec["variants"] or any(v not in VARIANTS for v in spec["variants"]):
        raise ValueError(f"variants must be a non-empty list from {list(VARIANTS)}, "
                         f"got {spec['variants']!r}")
    if not spec["pairs"] or any(len(p) != 2 for p in spec["pairs"]):
        raise ValueError(f"pairs must be a non-empty list of [activation, init], "
                         f"got {spec['pairs']!r}")
    for act, init in spec["pairs"]:
        check_config(dict(cfg, depths=spec["depths"], activations=[act], inits=[init]))
    rates = spec.get("rates")
    if rates:
        if not rates["variants"] or any(v not in VARIANTS for v in rates["variants"]):
            raise ValueError(f"rates: variants must be a non-empty list from "
                             f"{list(VARIANTS)}, got {rates['variants']!r}")
        for lr in rates["lrs"]:
            check_config(dict(cfg, lr=lr, depths=rates["depths"],
                              activations=[rates["activation"]], inits=[rates["init"]]))


def remedy_grid(cfg, spec):
    """The keys ``(activation, init, variant, depth, lr, seed)`` of the follow-up ``spec``, in
    the order they are run: the main grid at ``cfg``'s learning rate, then the rates."""
    keys = [(act, init, variant, depth, cfg["lr"], seed)
            for (act, init), variant, depth, seed in itertools.product(
                spec["pairs"], spec["variants"], spec["depths"], cfg["seeds"])]
    r = spec.get("rates")
    if r:
        done = set(keys)
        for variant, depth, lr, seed in itertools.product(r["variants"], r["depths"],
                                                          r["lrs"], cfg["seeds"]):
            key = (r["activation"], r["init"], variant, depth, lr, seed)
            if key not in done:  # the main grid's runs at the sweep's rate
                keys.append(key)
    return keys


def remedies(cfg=None, spec=None, data=None, progress=True, stored=None):
    """Yield one row per key of :func:`remedy_grid` for the follow-up ``spec`` (default
    :data:`REMEDIES`), every other setting from ``cfg`` (default FULL). ``stored``: rows of an
    earlier run at the same settings, by key; a key found there is not run again, its row is
    yielded as it is (every run is seeded on its own, so the order of the runs does not
    matter)."""
    cfg = FULL if cfg is None else cfg
    spec = REMEDIES if spec is None else spec
    stored = {} if stored is None else stored
    check_remedies(cfg, spec)
    data = load_digits_split(cfg["data_seed"]) if data is None else data
    for act, init, variant, depth, lr, seed in remedy_grid(cfg, spec):
        key = (act, init, variant, depth, lr, seed)
        if key in stored:
            yield stored[key]
            continue
        t0 = time.perf_counter()
        row = dict(activation=act, init=init, variant=variant, depth=depth, lr=lr, seed=seed,
                   **train_run(dict(cfg, lr=lr), act, init, depth, seed, data, variant))
        if progress:
            print(f"{act:8s} {init:6s} {variant:19s} depth {depth:2d} lr {lr:g} seed {seed}: "
                  f"accuracy {row['val_accuracy']:.3f} ({time.perf_counter() - t0:.1f} s)",
                  flush=True)
        yield row


def versions():
    """The versions the results depend on, for the JSON files next to them."""
    import sklearn

    return {"python": platform.python_version(), "numpy": np.__version__,
            "scikit-learn": sklearn.__version__, "machine": platform.machine()}


def run(config=None, out=None, progress=True):
    """Run the sweep (default FULL); write the CSV into ``out`` if given. Returns the rows."""
    config = FULL if config is None else config
    rows = list(sweep(config, progress=progress))
    if out is not None:
        write_csv(Path(out) / FILE, rows, COLUMNS)
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small configuration (for the test)")
    p.add_argument("--out", default=str(ROOT / "data"), help="output folder (default data/)")
    p.add_argument("--depths", nargs="+", type=int, help="numbers of hidden layers")
    p.add_argument("--activations", nargs="+", help="hidden activations (registry names)")
    p.add_argument("--inits", nargs="+", help=f"initialisations, from {INITS}")
    p.add_argument("--seeds", nargs="+", type=int, help="seeds")
    p.add_argument("--epochs", type=int, help="epochs per run")
    p.add_argument("--lr", type=float, help="learning rate")
    p.add_argument("--part", choices=["all", "depth", "lr", "remedies"], default="all",
                   help="the depth sweep, the learning-rate follow-up, the remedies "
                        "follow-up, or all three (default)")
    p.add_argument("--reuse", action="store_true",
                   help="remedies: keep the rows already in the output folder's "
                        f"{REMEDY_FILE} (same settings required) and run only the "
                        "missing ones")
    args = p.parse_args(argv)
    config = dict(QUICK if args.quick else FULL)
    for name in ("depths", "activations", "inits", "seeds", "epochs", "lr"):
        if getattr(args, name) is not None:
            config[name] = getattr(args, name)
    try:
        check_config(config)
    except ValueError as err:
        p.error(str(err))
    if args.part in ("all", "lr"):
        t0 = time.perf_counter()
        lr_rows = list(lr_follow_up(config))
        write_csv(Path(args.out) / LR_FILE, lr_rows, LR_COLUMNS)
        with open(Path(args.out) / LR_META, "w") as f:
            json.dump({"follow_up": LR_FOLLOW_UP, "sweep": config, "rows": len(lr_rows),
                       "seconds": round(time.perf_counter() - t0, 1)}, f, indent=1)
        print(f"learning-rate follow-up: {len(lr_rows)} runs")
    if args.part in ("all", "remedies"):
        stored, reused = {}, {}
        if args.reuse:
            old_meta = json.loads((Path(args.out) / REMEDY_META).read_text())
            if old_meta["sweep"] != config:
                p.error(f"--reuse: {REMEDY_META} was made with other settings")
            stored = {tuple(r[k] for k in REMEDY_KEYS): r
                      for r in read_csv(Path(args.out) / REMEDY_FILE)}
        t0 = time.perf_counter()
        rem_rows = list(remedies(config, stored=stored))
        seconds = round(time.perf_counter() - t0, 1)
        n_reused = sum(tuple(r[k] for k in REMEDY_KEYS) in stored for r in rem_rows)
        if n_reused:
            # the time of the whole follow-up: the earlier run's and the new runs'
            reused = {"rows_reused": n_reused, "seconds_reused": old_meta["seconds"],
                      "seconds_new": seconds}
            seconds = round(old_meta["seconds"] + seconds, 1)
        write_csv(Path(args.out) / REMEDY_FILE, rem_rows, REMEDY_COLUMNS)
        with open(Path(args.out) / REMEDY_META, "w") as f:
            json.dump({"follow_up": REMEDIES, "sweep": config, "rows": len(rem_rows),
                       "seconds": seconds, **reused, **versions()}, f, indent=1)
        print(f"remedies follow-up: {len(rem_rows)} runs in {seconds} s"
              + (f" ({n_reused} of them reused)" if n_reused else ""))
    if args.part not in ("all", "depth"):
        return
    t0 = time.perf_counter()
    rows = run(config, out=args.out)
    meta = {"config": "quick" if args.quick else "full", "sweep": config,
            "customary_init": {a: CUSTOMARY_INIT.get(a) for a in config["activations"]},
            "rows": len(rows), "seconds": round(time.perf_counter() - t0, 1), **versions()}
    with open(Path(args.out) / META, "w") as f:
        json.dump(meta, f, indent=1)
    print(f"{len(rows)} runs in {meta['seconds']} s")


if __name__ == "__main__":
    main()
