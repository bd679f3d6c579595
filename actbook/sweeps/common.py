"""What the sweeps share: the data, the networks, one training run, the command line.

Every sweep trains the engine's :class:`~actbook.network.Network` on scikit-learn's bundled
handwritten digits, each pixel standardised with the training set's mean and standard
deviation (:func:`standardised_digits`), so the inputs have mean 0 and variance 1 as the
initialisation arguments of chapter 7 assume. Chapter 8.
"""
from __future__ import annotations

import argparse
import importlib
import math
import sys
import time
from pathlib import Path

import numpy as np

from .. import gradient_flow as _gradient_flow
from ..data import load_digits
from ..network import Network

__all__ = ["INITS", "VARIANTS", "standardised_digits", "network", "train", "seed_list",
           "check_choices", "main", "parser", "out_folder", "each", "Timer",
           "progress_line"]

#: Initialisations by name (the engine's, and two naive fixed standard deviations that
#: ignore the width of the layer): chapter 7's table, :data:`actbook.gradient_flow.INITS`.
INITS = _gradient_flow.INITS

#: The remedies of chapter 8 as options of :class:`~actbook.network.Network`.
#: ``batch_norm+residual`` puts the normalisation inside the residual branch:
#: ``a = phi(BN(W a_prev + b)) + a_prev``.
VARIANTS = {"plain": {}, "batch_norm": {"batch_norm": True}, "residual": {"residual": True},
            "batch_norm+residual": {"batch_norm": True, "residual": True}}

_DIGITS = {}


def standardised_digits(seed: int = 0):
    """``X_train, y_train, X_test, y_test``: the bundled digits
    (:func:`actbook.data.load_digits`) in float64, each pixel standardised with the training
    set's mean and standard deviation. Chapter 8."""
    if seed not in _DIGITS:
        X, y, Xv, yv = load_digits(seed=seed, dtype=np.float64)
        mean, std = X.mean(axis=0), X.std(axis=0) + 1e-8
        _DIGITS[seed] = ((X - mean) / std, y, (Xv - mean) / std, yv)
    return _DIGITS[seed]


def network(depth: int, activation: str, init: str, seed: int, *, width: int = 64,
            variant: str = "plain", dtype=np.float32) -> Network:
    """A digits classifier: 64 inputs, ``depth`` hidden layers of ``width`` units, 10
    softmax outputs; ``init`` a key of :data:`INITS`, ``variant`` one of :data:`VARIANTS`.
    Chapter 8."""
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; choose from {list(INITS)}")
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose from {list(VARIANTS)}")
    sizes = [64] + [width] * depth + [10]
    return Network(sizes, activation=activation, output="softmax", loss="cross_entropy",
                   dtype=dtype, seed=seed, **INITS[init], **VARIANTS[variant])


def train(net: Network, data, *, epochs: int, lr: float, momentum: float = 0.9,
          batch_size: int = 32, threshold: float = 0.9, **fit) -> dict:
    """Train ``net`` on ``data`` (from :func:`standardised_digits`) and describe the run.

    Returns ``val_accuracy`` (test accuracy after the last epoch, ``nan`` if the run
    diverged), ``best_val_accuracy`` (the best after any epoch), ``epochs_to_threshold``
    (the first epoch that reached ``threshold``; ``None`` if none did), ``diverged``
    (1 if the loss became NaN or infinite) and ``diverged_at`` (that step, else ``None``).
    Other keywords go to :meth:`~actbook.network.Network.fit`. Chapter 8.
    """
    X, y, Xv, yv = data
    with np.errstate(all="ignore"):
        hist = net.fit(X, y, epochs=epochs, batch_size=batch_size, lr=lr, momentum=momentum,
                       X_val=Xv, y_val=yv, progress=False, on_nonfinite="stop", **fit)
    accs = hist["val_accuracy"]  # one per completed epoch
    diverged = hist["diverged_at"] is not None
    reached = [e + 1 for e, a in enumerate(accs) if a >= threshold]
    return dict(val_accuracy=math.nan if diverged or not accs else float(accs[-1]),
                best_val_accuracy=float(max(accs)) if accs else math.nan,
                epochs_to_threshold=reached[0] if reached else None,
                diverged=int(diverged), diverged_at=hist["diverged_at"], history=hist)


def seed_list(n: int, offset: int = 0) -> list[int]:
    """``n`` seeds starting at ``offset`` (a robustness run uses another set) (chapter 4)."""
    if n < 1 or offset < 0:
        raise ValueError(f"need at least one seed and a non-negative offset, got {n}, {offset}")
    return list(range(offset, offset + n))


def check_choices(name: str, values, allowed) -> None:
    """Raise ``ValueError`` naming the first entry of ``values`` not in ``allowed`` (chapter 7)."""
    values = list(values)
    if not values:
        raise ValueError(f"{name} must not be empty")
    for v in values:
        if v not in allowed:
            raise ValueError(f"unknown {name[:-1] if name.endswith('s') else name} {v!r}; "
                             f"choose from {list(allowed)}")


def parser(prog: str, description: str) -> argparse.ArgumentParser:
    """The options every sweep command shares: ``--out``, ``--seed-offset``, ``--quiet``."""
    p = argparse.ArgumentParser(prog=prog, description=description)
    p.add_argument("--out", required=True,
                   help="folder for the result files (data/ to replace the stored ones)")
    p.add_argument("--seed-offset", type=int, default=0,
                   help="shift every seed by this much (another seed set; default 0)")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    return p


def out_folder(p: argparse.ArgumentParser, args) -> Path:
    """The checked ``--out`` folder of parsed ``args`` (exits with a message naming a bad
    option, as argparse does)."""
    if args.seed_offset < 0:
        p.error(f"--seed-offset must be >= 0, got {args.seed_offset}")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        p.error(f"--out {out} exists and is not a folder")
    return out


def main(module, argv=None) -> int:
    """The command line (``module``: a sweep module or its name):
    ``python -m actbook.sweeps.<name> --out DIR``.

    ``--seed-offset K`` runs the same sweep on another set of seeds (the seeds shifted by
    ``K``); ``--facts`` evaluates the module's facts on the folder afterwards and prints
    them (exit code 1 if one fails).
    """
    if isinstance(module, str):
        module = importlib.import_module(module)
    name = module.__name__.rsplit(".", 1)[-1]
    doc = (module.__doc__ or name).strip().splitlines()[0]
    p = parser(f"python -m {module.__name__}", doc)
    p.add_argument("--facts", action="store_true",
                   help="evaluate the sweep's facts on the results and print them")
    args = p.parse_args(argv)
    out = out_folder(p, args)
    t0 = Timer()
    module.run(out, progress=not args.quiet, seed_offset=args.seed_offset)
    print(f"{name}: wrote {', '.join(module.FILES)} into {out} in {t0.wall:.1f} s",
          flush=True)
    if args.facts:
        from ..facts import table

        facts = module.facts(out)
        print(table(facts))
        return 0 if all(f.holds for f in facts) else 1
    return 0


def each(name: str, items, fn, progress: bool = True, every: int = 50) -> list:
    """``[fn(item) for item in items]``, with a progress line every ``every`` items (chapter 2)."""
    items, out, t0 = list(items), [], Timer()
    for i, item in enumerate(items):
        out.append(fn(item))
        if progress and (i + 1) % every == 0:
            progress_line(True, f"{name}: {i + 1} of {len(items)} runs ({t0.wall:.0f} s)")
    return out


class Timer:
    """Wall-clock and CPU seconds since it was made (``wall``, ``cpu``): the CPU time of one
    BLAS thread is the budget that does not depend on what else the machine runs (chapter 2)."""

    def __init__(self):
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    @property
    def wall(self) -> float:
        return time.perf_counter() - self._wall

    @property
    def cpu(self) -> float:
        return time.process_time() - self._cpu


def progress_line(enabled: bool, text: str) -> None:
    """Print one progress line (flushed) when ``enabled`` (chapter 2)."""
    if enabled:
        print(text, file=sys.stdout, flush=True)
