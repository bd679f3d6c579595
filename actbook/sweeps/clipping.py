"""Gradient clipping against the learning rate: when does clipping by norm rescue a run
(chapter 8)?

ReLU networks with 6 hidden layers of 64 units and He's initialisation are trained on the
standardised digits with momentum 0.9 at five learning rates, without clipping and with the
gradient's global L2 norm clipped at two thresholds: 1, below the norm of a typical gradient,
so that it acts on most steps, and 20, above it, so that it acts only on the rare large
gradients (:data:`CONFIG`); twenty seeds each.

``clipping.csv``   one row per run: the final test accuracy (``nan`` if the run diverged),
                   ``diverged`` and the step it diverged at, the largest global gradient norm
                   seen before clipping, and the fraction of steps whose gradient was clipped
``clipping.json``  the configuration, versions, BLAS kernel and time

    python -m actbook.sweeps.clipping --out data
"""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from ..facts import fact
from ..network import global_norm
from ..results import read_meta, read_table, summarize, write_meta, write_table
from .common import (Timer, network, progress_line, seed_list, standardised_digits,
                     train)

__all__ = ["FILES", "CONFIG", "COLUMNS", "run_one", "run", "Clipping", "numbers", "facts",
           "section_clipping", "table_rows"]

FILES = ("clipping.csv", "clipping.json")

CONFIG = dict(depth=6, width=64, activation="relu", init="he",
              lrs=[0.02, 0.05, 0.1, 0.2, 0.4], clip_norms=[None, 1.0, 20.0], seeds=20,
              epochs=5, batch_size=32, momentum=0.9,
              data_seed=0, chance=0.2)

COLUMNS = ["lr", "clip_norm", "seed", "val_accuracy", "diverged", "diverged_at",
           "max_grad_norm", "clipped_fraction"]


def run_one(lr, clip_norm, seed, cfg=None) -> dict:
    """Train one network; its row (chapter 8)."""
    cfg = CONFIG if cfg is None else cfg
    net = network(cfg["depth"], cfg["activation"], cfg["init"], seed, width=cfg["width"])
    norms = []

    def record(net, info):
        # with clipping the engine returns the norm before clipping; without, measure it
        g = info["grad_norm"]
        norms.append(g if g is not None else global_norm([g for _, g in net.gradients()]))

    out = train(net, standardised_digits(cfg["data_seed"]), epochs=cfg["epochs"], lr=lr,
                momentum=cfg["momentum"], batch_size=cfg["batch_size"], clip_norm=clip_norm,
                callback=record)
    norms = np.array(norms, dtype=float)
    finite = norms[np.isfinite(norms)]
    clipped = float(np.mean(norms > clip_norm)) if clip_norm is not None and norms.size else 0.0
    return dict(lr=lr, clip_norm=clip_norm, seed=seed, val_accuracy=out["val_accuracy"],
                diverged=out["diverged"], diverged_at=out["diverged_at"],
                max_grad_norm=float(finite.max()) if finite.size else float("nan"),
                clipped_fraction=clipped)


def run(out_dir, *, progress: bool = True, seed_offset: int = 0, config=None) -> None:
    """Train every configuration of ``config`` (default :data:`CONFIG`) and write
    :data:`FILES` into ``out_dir`` (chapter 8)."""
    cfg = CONFIG if config is None else config
    seeds = seed_list(cfg["seeds"], seed_offset)
    t0 = Timer()
    rows = [run_one(lr, clip, seed, cfg)
            for lr, clip, seed in itertools.product(cfg["lrs"], cfg["clip_norms"], seeds)]
    out = Path(out_dir)
    write_table(out / FILES[0], rows, COLUMNS)
    write_meta(out / FILES[1], cfg, t0.wall, t0.cpu, seed_offset=seed_offset,
               runs=len(rows))
    progress_line(progress, f"clipping: {len(rows)} runs ({t0.wall:.1f} s)")


class Clipping:
    """The stored clipping sweep of ``data_dir`` (default ``data/``) (chapter 1)."""

    def __init__(self, data_dir=None):
        self.table = read_table(FILES[0], data_dir, COLUMNS)
        self.config = read_meta(FILES[1], data_dir)["config"]
        self.chance = self.config["chance"]
        self.lrs = sorted(self.config["lrs"])
        self.thresholds = sorted(c for c in self.config["clip_norms"] if c is not None)
        self.seeds = self.config["seeds"]

    def runs(self, lr, clip_norm=None):
        """The seeds' rows at learning rate ``lr`` and threshold ``clip_norm`` (``None``:
        no clipping)."""
        found = self.table.select(lr=lr, clip_norm=clip_norm)
        if not len(found):
            raise LookupError(f"clipping: no runs at lr {lr}, clip_norm {clip_norm}")
        return found.sorted("seed")

    def summary(self, lr, clip_norm=None):
        """Final test accuracy over the seeds; a run fails if it diverged or ended below
        ``chance``."""
        r = self.runs(lr, clip_norm)
        acc = r.column("val_accuracy")
        return summarize(acc, failed=~(acc >= self.chance), diverged=r.column("diverged") == 1)


def _clipping(data_dir):
    return data_dir if isinstance(data_dir, Clipping) else Clipping(data_dir)


def _tag(clip_norm) -> str:
    return "none" if clip_norm is None else f"{clip_norm:g}"


def numbers(data_dir=None) -> dict:
    """The numbers chapter 8 quotes: for every learning rate and threshold,
    ``clip_<threshold>_<k>_acc`` (median final accuracy over the seeds that did not fail),
    ``..._low``, ``..._high``, ``..._failed``, ``..._diverged`` and ``..._clipped`` (the mean
    fraction of steps whose gradient was clipped); ``k`` is the index of the rate (0 for
    the smallest), ``clip_lr_<k>`` the rate, ``none`` the runs without clipping."""
    c = _clipping(data_dir)
    cfg = c.config
    out = {"clip_seeds": c.seeds, "clip_epochs": cfg["epochs"], "clip_depth": cfg["depth"],
           "clip_momentum": float(cfg["momentum"]), "clip_small": float(c.thresholds[0]),
           "clip_large": float(c.thresholds[-1])}
    for k, lr in enumerate(c.lrs):
        out[f"clip_lr_{k}"] = float(lr)
        for t in [None] + c.thresholds:
            s = c.summary(lr, t)
            key = f"clip_{_tag(t)}_{k}"
            out.update({f"{key}_acc": s.median, f"{key}_low": s.low, f"{key}_high": s.high,
                        f"{key}_failed": s.failed, f"{key}_diverged": s.diverged,
                        f"{key}_clipped": float(np.mean(c.runs(lr, t).column(
                            "clipped_fraction")))})
    return out


def section_clipping(data_dir=None) -> list:
    """Chapter 8, "Gradient clipping": clipping stops divergence at every rate, but only a
    threshold that acts on most steps lets the fast runs train."""
    c = _clipping(data_dir)
    n = numbers(c)
    seeds, lrs = c.seeds, c.lrs
    small, large = (_tag(t) for t in (c.thresholds[0], c.thresholds[-1]))
    fast = [k for k, lr in enumerate(lrs) if 0.1 <= lr <= 0.2 + 1e-12]
    top = len(lrs) - 1
    if not fast or lrs[0] > 0.02 + 1e-12 or lrs[top] < 0.4 - 1e-12:
        return [fact("clipping.rates", "the sweep covers the rates 0.02 to 0.4", False,
                     f"rates {lrs}")]
    return [
        fact("clipping.unclipped_fails_fast",
             "without clipping every rate of 0.1 or more fails in at least 18 of 20 seeds "
             "(diverged or stuck at chance), the smallest rate in at most 1",
             all(n[f"clip_none_{k}_failed"] >= 0.9 * seeds for k in range(len(lrs))
                 if lrs[k] >= 0.1 - 1e-12)
             and n["clip_none_0_failed"] <= 0.05 * seeds,
             "failed " + ", ".join(f"{lr:g}: {n[f'clip_none_{k}_failed']}"
                                   for k, lr in enumerate(lrs))),
        fact("clipping.never_diverges",
             "with either threshold no run diverges, at any rate",
             all(n[f"clip_{t}_{k}_diverged"] == 0 for t in (small, large)
                 for k in range(len(lrs))),
             "diverged " + ", ".join(
                 f"{t}: {sum(n[f'clip_{t}_{k}_diverged'] for k in range(len(lrs)))}"
                 for t in (small, large))),
        fact("clipping.large_threshold_still_fails",
             f"with the threshold {large}, which clips at most 10 % of the steps, every rate "
             "of 0.1 or more still fails in at least 18 of 20 seeds",
             all(n[f"clip_{large}_{k}_failed"] >= 0.9 * seeds
                 and n[f"clip_{large}_{k}_clipped"] <= 0.1
                 for k in range(len(lrs)) if lrs[k] >= 0.1 - 1e-12),
             "failed " + ", ".join(f"{lrs[k]:g}: {n[f'clip_{large}_{k}_failed']}"
                                   for k in range(len(lrs)) if lrs[k] >= 0.1 - 1e-12)),
        fact("clipping.small_threshold_trains",
             f"with the threshold {small}, which clips most steps (over 70 %), no seed fails "
             "up to the rate 0.2 (median 0.85 or more), and the median falls by more than "
             "0.15 at the largest rate",
             all(n[f"clip_{small}_{k}_failed"] == 0 and n[f"clip_{small}_{k}_acc"] >= 0.85
                 and n[f"clip_{small}_{k}_clipped"] > 0.7
                 for k in range(len(lrs)) if lrs[k] <= 0.2 + 1e-12)
             and n[f"clip_{small}_{top}_acc"] < n[f"clip_{small}_{fast[-1]}_acc"] - 0.15,
             "medians " + ", ".join(f"{lr:g}: {n[f'clip_{small}_{k}_acc']:.2f}"
                                    for k, lr in enumerate(lrs))),
    ]


def table_rows(data_dir=None) -> list[dict]:
    """The chapter's table: per learning rate and threshold, the final test accuracy
    (median [range], failed seeds) and the share of steps clipped (chapter 8)."""
    c = _clipping(data_dir)
    rows = []
    for lr in c.lrs:
        row = {"learning rate": f"{lr:g}"}
        for t in [None] + c.thresholds:
            label = "no clipping" if t is None else f"clip at {t:g}"
            row[label] = c.summary(lr, t).text()
        rows.append(row)
    return rows


def facts(data_dir=None) -> list:
    """Every statement the chapters make about the stored clipping sweep (chapter 1)."""
    return section_clipping(data_dir)


if __name__ == "__main__":
    from actbook.sweeps.common import main

    raise SystemExit(main("actbook.sweeps.clipping"))
