"""How deep can a network be, and what do the remedies change? The depth case study (chapter 8).

Every run trains a fresh network on the standardised digits with the same budget whatever its
depth: ``epochs`` epochs of mini-batch SGD with momentum (:data:`CONFIG`), ten seeds each. The
grid has three parts, stored together in one table:

``plain``     sigmoid and ReLU with Xavier's and with He's initialisation, tanh with
              Xavier's and ELU with He's, at every depth: where does a plain network stop
              learning, and is it the activation or the initialisation?
``remedies``  sigmoid and tanh with Xavier's initialisation and ReLU with He's, with batch
              normalisation in every hidden layer, with a residual connection around every
              hidden layer (``a = phi(z) + a_prev``), and with both (the normalisation inside
              the residual branch, ``a = phi(BN(W a_prev + b)) + a_prev``)
``rates``     the ReLU network plain, with batch norm and with both, at two depths with the
              learning rate divided and multiplied by 3

One row per run in ``depth_study.csv``:

``val_accuracy``         test accuracy after the last epoch (``nan`` if the run diverged)
``best_val_accuracy``    the best test accuracy after any epoch
``epochs_to_threshold``  the first epoch whose test accuracy reached ``threshold`` (empty if
                         none did)
``delta_ratio``          ``||delta^(1)|| / ||delta^(L)||`` of the fresh network (float64, 256
                         training digits, batch statistics for batch norm): the first hidden
                         layer's error signal over the output layer's
``diverged``             1 if the loss became NaN or infinite; ``diverged_at`` the step

``depth_study.json`` holds the configuration, versions, BLAS kernel and time.

    python -m actbook.sweeps.depth --out data
"""
from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np

from ..diagnostics import layer_norms
from ..facts import fact
from ..results import SeedSummary, Table, geo_mean, read_meta, read_table, summarize
from ..results import write_meta, write_table
from .common import (INITS, VARIANTS, Timer, check_choices, each, network, seed_list,
                     standardised_digits, train)

__all__ = ["FILES", "CONFIG", "COLUMNS", "KEYS", "grid", "run_one", "run", "Study", "numbers",
           "facts", "section_activation", "section_remedies", "section_rates", "summary_rows",
           "rate_rows", "detail_rows"]

FILES = ("depth_study.csv", "depth_study.json")

CONFIG = dict(
    width=64, epochs=20, batch_size=32, lr=0.01, momentum=0.9, threshold=0.9, grad_batch=256,
    data_seed=0, seeds=10, chance=0.2,
    plain=dict(pairs=[["sigmoid", "xavier"], ["sigmoid", "he"], ["tanh", "xavier"],
                      ["relu", "he"], ["relu", "xavier"], ["elu", "he"]],
               depths=[1, 2, 4, 8, 16]),
    remedies=dict(pairs=[["sigmoid", "xavier"], ["tanh", "xavier"], ["relu", "he"]],
                  variants=["batch_norm", "residual", "batch_norm+residual"],
                  depths=[1, 2, 4, 8, 16]),
    rates=dict(activation="relu", init="he",
               variants=["plain", "batch_norm", "batch_norm+residual"],
               depths=[4, 16], lrs=[0.003, 0.01, 0.03]),
)

KEYS = ["activation", "init", "variant", "depth", "lr", "seed"]
COLUMNS = KEYS + ["val_accuracy", "best_val_accuracy", "epochs_to_threshold", "delta_ratio",
                  "diverged", "diverged_at"]


def check_config(cfg) -> None:
    """Raise ``ValueError`` naming the first bad entry of a configuration (chapter 7)."""
    from ..activations import get

    for part in ("plain", "remedies", "rates"):
        if part not in cfg:
            raise ValueError(f"the configuration lacks its {part!r} part")
    depths = cfg["plain"]["depths"] + cfg["remedies"]["depths"] + cfg["rates"]["depths"]
    if any(not isinstance(d, int) or d < 1 for d in depths):
        raise ValueError(f"depths must be integers >= 1, got {depths}")
    pairs = cfg["plain"]["pairs"] + cfg["remedies"]["pairs"]
    if any(len(p) != 2 for p in pairs):
        raise ValueError(f"pairs must be [activation, init] lists, got {pairs}")
    acts = [a for a, _ in pairs] + [cfg["rates"]["activation"]]
    for act in acts:
        a = get(act)  # raises naming the unknown activation
        if not a.elementwise:
            raise ValueError(f"activation {act!r} is not an elementwise hidden-layer activation")
    check_choices("inits", [i for _, i in pairs] + [cfg["rates"]["init"]], INITS)
    check_choices("variants", cfg["remedies"]["variants"] + cfg["rates"]["variants"], VARIANTS)
    lrs = [cfg["lr"]] + list(cfg["rates"]["lrs"])
    if any(not (isinstance(lr, (int, float)) and lr > 0 and math.isfinite(lr)) for lr in lrs):
        raise ValueError(f"learning rates must be positive numbers, got {lrs}")
    if not (isinstance(cfg["seeds"], int) and cfg["seeds"] >= 1):
        raise ValueError(f"seeds must be a number of seeds >= 1, got {cfg['seeds']!r}")


def grid(cfg=None, seeds=None) -> list[tuple]:
    """The keys ``(activation, init, variant, depth, lr, seed)`` of every run, in the order
    they run: the plain part, the remedies, then the rates not already in the grid (chapter 7)."""
    cfg = CONFIG if cfg is None else cfg
    seeds = seed_list(cfg["seeds"]) if seeds is None else seeds
    lr = cfg["lr"]
    p, r, q = cfg["plain"], cfg["remedies"], cfg["rates"]
    keys = [(a, i, "plain", d, lr, s) for (a, i), d, s in
            itertools.product(p["pairs"], p["depths"], seeds)]
    keys += [(a, i, v, d, lr, s) for (a, i), v, d, s in
             itertools.product(r["pairs"], r["variants"], r["depths"], seeds)]
    keys += [(q["activation"], q["init"], v, d, rate, s) for v, d, rate, s in
             itertools.product(q["variants"], q["depths"], q["lrs"], seeds)]
    out, seen = [], set()
    for k in keys:
        if k not in seen:
            seen.add(k)
            out.append(k)
    return out


def delta_ratio(cfg, act, init, variant, depth, seed) -> float:
    """``||delta^(1)|| / ||delta^(L)||`` of the fresh network in float64 on the first
    ``grad_batch`` training digits (chapter 7)."""
    X, y, _, _ = standardised_digits(cfg["data_seed"])
    n = cfg["grad_batch"]
    net = network(depth, act, init, seed, width=cfg["width"], variant=variant,
                  dtype=np.float64)
    net.loss(X[:n], y[:n])
    net.backward()
    d = layer_norms(net)["delta"]
    return float(d[0] / d[-1])


def run_one(key, cfg=None) -> dict:
    """Train the run with key ``(activation, init, variant, depth, lr, seed)``; its row.

    Chapter 7.
    """
    cfg = CONFIG if cfg is None else cfg
    act, init, variant, depth, lr, seed = key
    net = network(depth, act, init, seed, width=cfg["width"], variant=variant)
    out = train(net, standardised_digits(cfg["data_seed"]), epochs=cfg["epochs"], lr=lr,
                momentum=cfg["momentum"], batch_size=cfg["batch_size"],
                threshold=cfg["threshold"])
    out.pop("history")
    return dict(zip(KEYS, key), **out,
                delta_ratio=delta_ratio(cfg, act, init, variant, depth, seed))


def run(out_dir, *, progress: bool = True, seed_offset: int = 0, config=None) -> None:
    """Train every run of :func:`grid` and write :data:`FILES` into ``out_dir`` (chapter 7)."""
    cfg = CONFIG if config is None else config
    check_config(cfg)
    keys = grid(cfg, seed_list(cfg["seeds"], seed_offset))
    t0 = Timer()
    rows = each("depth", keys, lambda key: run_one(key, cfg), progress)
    out = Path(out_dir)
    write_table(out / FILES[0], rows, COLUMNS)
    write_meta(out / FILES[1], cfg, t0.wall, t0.cpu, seed_offset=seed_offset,
               runs=len(rows))


# ---------------------------------------------------------------------------------------------
# reading the study
# ---------------------------------------------------------------------------------------------
class Study:
    """The stored depth study of ``data_dir`` (default ``data/``) with its configuration.
    (Chapter 1.)

    ``runs(activation, variant, depth, lr=None)`` selects one configuration's seeds (the
    initialisation is the activation's in the remedies and rates parts, or given);
    ``summary(...)`` is their :class:`~actbook.results.SeedSummary` of the final test
    accuracy, where a run *fails* if it diverged or ended below ``chance``.
    """

    def __init__(self, data_dir=None):
        self.table: Table = read_table(FILES[0], data_dir, COLUMNS)
        self.config: dict = read_meta(FILES[1], data_dir)["config"]
        c = self.config
        self.lr = c["lr"]
        self.depths = sorted(set(c["plain"]["depths"]))
        self.max_depth = max(self.depths)
        self.seeds = c["seeds"]
        self.chance = c["chance"]
        self.threshold = c["threshold"]
        self.pairs = [tuple(p) for p in c["remedies"]["pairs"]]
        self.rate_depths = sorted(c["rates"]["depths"])
        self.lrs = sorted(c["rates"]["lrs"])

    def runs(self, activation, init, variant="plain", depth=None, lr=None) -> Table:
        where = dict(activation=activation, init=init, variant=variant,
                     lr=self.lr if lr is None else lr)
        if depth is not None:
            where["depth"] = depth
        found = self.table.select(**where)
        if not len(found):
            raise LookupError(f"depth study: no runs for {where}")
        return found.sorted("seed")

    def failed(self, runs: Table) -> np.ndarray:
        """Per run: diverged, or ended below ``chance`` test accuracy."""
        acc = runs.column("val_accuracy")
        return (runs.column("diverged") == 1) | ~(acc >= self.chance)

    def summary(self, activation, init, variant="plain", depth=None, lr=None) -> SeedSummary:
        r = self.runs(activation, init, variant, depth, lr)
        return summarize(r.column("val_accuracy"), failed=self.failed(r),
                         diverged=r.column("diverged") == 1)

    def median_accuracy(self, activation, init, variant="plain", depth=None, lr=None) -> float:
        """The median final test accuracy over every seed, a diverged run counted at chance
        (0.1, a tenth of the digits right)."""
        acc = self.runs(activation, init, variant, depth, lr).column("val_accuracy")
        return float(np.median(np.nan_to_num(acc, nan=0.1)))

    def reached(self, activation, init, variant="plain", depth=None, lr=None) -> int:
        """How many seeds reached ``threshold`` test accuracy after some epoch."""
        r = self.runs(activation, init, variant, depth, lr)
        return int(np.sum(r.column("best_val_accuracy") >= self.threshold))

    def at_chance(self, activation, init, variant="plain", depth=None, lr=None) -> int:
        """How many seeds never got clear of chance: best test accuracy below ``chance``
        after every epoch (a diverged run counts by the epochs it completed)."""
        r = self.runs(activation, init, variant, depth, lr)
        best = r.column("best_val_accuracy")
        return int(np.sum(~(best >= self.chance)))

    def diverged(self, activation, init, variant="plain", depth=None, lr=None) -> int:
        return int(np.sum(self.runs(activation, init, variant, depth, lr).column("diverged")))

    def ratio(self, activation, init, variant="plain", depth=None) -> float:
        """Geometric mean over the seeds of the error-signal ratio at initialisation."""
        return geo_mean(self.runs(activation, init, variant, depth).column("delta_ratio"))


# ---------------------------------------------------------------------------------------------
# what chapter 8 states about it
# ---------------------------------------------------------------------------------------------
def _study(data_dir):
    return data_dir if isinstance(data_dir, Study) else Study(data_dir)


PLAIN = "plain"
BN, RES, BNR = "batch_norm", "residual", "batch_norm+residual"
VARIANT_LABEL = {PLAIN: "plain", BN: "batch norm", RES: "residual",
                 BNR: "batch norm + residual"}


def section_activation(data_dir=None) -> list:
    """Chapter 8, "The activation": plain networks against depth. The sigmoid stops first
    whatever the initialisation; tanh and ELU keep training; ReLU needs He's weights."""
    s = _study(data_dir)
    n, top = s.seeds, s.max_depth
    early = [d for d in s.depths if d <= 2]
    later = [d for d in s.depths if d >= 8]
    sig = {d: s.summary("sigmoid", "xavier", depth=d) for d in s.depths}
    facts = [
        fact("depth.sigmoid_stops",
             "the plain sigmoid network (Xavier) trains with 1 and 2 hidden layers (every seed "
             "above 0.85); with 4 no seed gets beyond 50 %, and from 8 on every seed stays at "
             "chance",
             bool(early) and 4 in s.depths and bool(later)
             and all(sig[d].failed == 0 and sig[d].low > 0.85 for d in early)
             and float(np.max(s.runs("sigmoid", "xavier", depth=4)
                              .column("best_val_accuracy"))) < 0.5
             and all(s.at_chance("sigmoid", "xavier", depth=d) == n for d in later),
             ", ".join(f"{d}: {sig[d].text()}" for d in s.depths)),
        fact("depth.he_does_not_rescue_sigmoid",
             "He's larger weights do not rescue the sigmoid: with 4 hidden layers its median "
             "beats Xavier's by more than 0.1 but no seed reaches 90 %, and every seed stays at "
             "chance from 8 on",
             s.reached("sigmoid", "he", depth=4) == 0
             and s.median_accuracy("sigmoid", "he", depth=4)
             > s.median_accuracy("sigmoid", "xavier", depth=4) + 0.1
             and all(s.at_chance("sigmoid", "he", depth=d) == n for d in later),
             f"4 layers: He {s.summary('sigmoid', 'he', depth=4).text()}, Xavier "
             f"{s.summary('sigmoid', 'xavier', depth=4).text()}, reached 90 % "
             f"{s.reached('sigmoid', 'he', depth=4)}; at chance "
             + ", ".join(f"{d}: {s.at_chance('sigmoid', 'he', depth=d)}" for d in later)),
        fact("depth.tanh_elu_train_deep",
             f"tanh (Xavier) and ELU (He) still train with {top} hidden layers: at least 9 of "
             "10 seeds reach 90 %",
             all(s.reached(a, i, depth=top) >= 0.9 * n and s.summary(a, i, depth=top).failed == 0
                 for a, i in (("tanh", "xavier"), ("elu", "he"))),
             f"tanh {s.reached('tanh', 'xavier', depth=top)}, ELU "
             f"{s.reached('elu', 'he', depth=top)} of {n}"),
        fact("depth.relu_needs_he",
             f"ReLU trains in every seed up to 8 hidden layers with either initialisation; with "
             f"{top}, at least 9 of 10 seeds reach 90 % with He's weights but at most 8 with "
             "Xavier's, whose median is the lower",
             all(s.summary("relu", i, depth=d).failed == 0 and s.reached("relu", i, depth=d) == n
                 for i in ("xavier", "he") for d in s.depths if d <= 8)
             and s.reached("relu", "he", depth=top) >= 0.9 * n
             and s.reached("relu", "xavier", depth=top) <= 0.8 * n
             and s.median_accuracy("relu", "xavier", depth=top)
             < s.median_accuracy("relu", "he", depth=top),
             f"{top} layers: Xavier {s.summary('relu', 'xavier', depth=top).text()} "
             f"(reached {s.reached('relu', 'xavier', depth=top)}), He "
             f"{s.summary('relu', 'he', depth=top).text()} "
             f"(reached {s.reached('relu', 'he', depth=top)})"),
        fact("depth.signal_at_init",
             f"at initialisation, with {top} hidden layers, the sigmoid network's first layer "
             "receives less than 1e-6 of the output's error signal, ReLU with Xavier's weights "
             "less than 0.1, tanh and ReLU with He's more than 0.1",
             s.ratio("sigmoid", "xavier", depth=top) < 1e-6
             and s.ratio("relu", "xavier", depth=top) < 0.1
             and s.ratio("tanh", "xavier", depth=top) > 0.1
             and s.ratio("relu", "he", depth=top) > 0.1,
             ", ".join(f"{a}/{i} {s.ratio(a, i, depth=top):.2g}" for a, i in
                       (("sigmoid", "xavier"), ("relu", "xavier"), ("tanh", "xavier"),
                        ("relu", "he")))),
    ]
    return facts


def section_remedies(data_dir=None) -> list:
    """Chapter 8, the depth case study with the remedies, at the sweep's learning rate."""
    s = _study(data_dir)
    n, top = s.seeds, s.max_depth
    pairs = dict(s.pairs)
    mid = max(d for d in s.depths if d < top)
    res_relu = {d: s.diverged("relu", pairs["relu"], RES, d) for d in s.depths}
    return [
        fact("depth.residual_rescues_s_shaped",
             "with residual connections every seed of the sigmoid and tanh networks reaches "
             "90 % at every depth",
             all(s.reached(a, pairs[a], RES, d) == n for a in ("sigmoid", "tanh")
                 for d in s.depths),
             "fewest seeds reaching 90 %: "
             + ", ".join(f"{a} {min(s.reached(a, pairs[a], RES, d) for d in s.depths)}"
                         for a in ("sigmoid", "tanh"))),
        fact("depth.residual_relu_diverges",
             f"with residual connections the ReLU network diverges in every seed with {top} "
             f"hidden layers, while with {mid} most seeds (at least 6 of 10) still train",
             res_relu[top] == n and s.summary("relu", pairs["relu"], RES, mid).failed <= 0.4 * n
             and s.ratio("relu", pairs["relu"], RES, top) > 100,
             "diverged " + ", ".join(f"{d}: {res_relu[d]}" for d in s.depths)
             + f"; error-signal ratio at {top}: {s.ratio('relu', pairs['relu'], RES, top):.3g}"),
        fact("depth.bn_sigmoid_off_chance",
             f"with batch norm no sigmoid seed fails at any depth, yet with {top} hidden layers "
             "at most 2 of 10 reach 90 %",
             all(s.summary("sigmoid", pairs["sigmoid"], BN, d).failed == 0 for d in s.depths)
             and s.reached("sigmoid", pairs["sigmoid"], BN, top) <= 0.2 * n,
             f"{top} layers: {s.summary('sigmoid', pairs['sigmoid'], BN, top).text()}, "
             f"reached {s.reached('sigmoid', pairs['sigmoid'], BN, top)}"),
        fact("depth.bn_hurts_deep_tanh_relu",
             f"at the sweep's rate batch norm makes the {top}-layer tanh and ReLU networks "
             "worse: each median more than 0.1 below the plain network's",
             all(s.summary(a, pairs[a], BN, top).median
                 < s.summary(a, pairs[a], PLAIN, top).median - 0.1 for a in ("tanh", "relu")),
             "; ".join(f"{a}: {s.summary(a, pairs[a], BN, top).median:.2f} vs "
                       f"{s.summary(a, pairs[a], PLAIN, top).median:.2f}"
                       for a in ("tanh", "relu"))),
        fact("depth.bn_residual_trains_all",
             "with batch norm inside the residual branch no seed of any of the three "
             "activations fails at any depth, and at least 9 of 10 reach 90 %",
             all(s.summary(a, i, BNR, d).failed == 0 and s.reached(a, i, BNR, d) >= 0.9 * n
                 for a, i in s.pairs for d in s.depths),
             "fewest seeds reaching 90 %: " + ", ".join(
                 f"{a} {min(s.reached(a, i, BNR, d) for d in s.depths)}" for a, i in s.pairs)),
    ]


def section_rates(data_dir=None) -> list:
    """Chapter 8, the learning rate in the depth case study (ReLU, He's initialisation)."""
    s = _study(data_dir)
    n = s.seeds
    q = s.config["rates"]
    act, init = q["activation"], q["init"]
    small, big = min(s.rate_depths), max(s.rate_depths)
    lo, hi = min(s.lrs), max(s.lrs)

    def summ(variant, depth, lr):
        return s.summary(act, init, variant, depth, lr)

    plain_best = max(summ(PLAIN, big, lr).median for lr in s.lrs
                     if summ(PLAIN, big, lr).ok)
    bnr = [summ(BNR, big, lr) for lr in s.lrs]
    return [
        fact("depth.safe_rate_shrinks",
             f"the plain ReLU network trains every seed at the largest rate with {small} "
             f"hidden layers; with {big}, no seed reaches 90 % at that rate and at least 3 of "
             "10 fail, while at the smallest rate none fails and at least 9 of 10 reach 90 %",
             summ(PLAIN, small, hi).failed == 0 and s.reached(act, init, PLAIN, small, hi) == n
             and s.reached(act, init, PLAIN, big, hi) == 0
             and summ(PLAIN, big, hi).failed >= 0.3 * n
             and summ(PLAIN, big, lo).failed == 0
             and s.reached(act, init, PLAIN, big, lo) >= 0.9 * n,
             f"rate {hi:g}: {small} layers {summ(PLAIN, small, hi).text()}, {big} layers "
             f"{summ(PLAIN, big, hi).text()} (reached 90 %: "
             f"{s.reached(act, init, PLAIN, big, hi)}); rate {lo:g} at {big}: "
             f"{summ(PLAIN, big, lo).text()}"),
        fact("depth.bn_prefers_large_rate",
             f"with batch norm and {big} hidden layers the largest rate beats the sweep's by "
             "more than 0.1 in median accuracy, yet every rate stays more than 0.1 below the "
             "plain network's best median",
             summ(BN, big, hi).median > summ(BN, big, s.lr).median + 0.1
             and all(summ(BN, big, lr).median < plain_best - 0.1 for lr in s.lrs),
             ", ".join(f"{lr:g}: {summ(BN, big, lr).median:.2f}" for lr in s.lrs)
             + f"; plain best {plain_best:.2f}"),
        fact("depth.bn_residual_rate_robust",
             f"with batch norm inside the residual branch no seed fails at any rate and depth, "
             f"and at {big} hidden layers the three rates' medians lie within 0.03 of each "
             "other, inside the seeds' spread",
             all(summ(BNR, d, lr).failed == 0 for d in s.rate_depths for lr in s.lrs)
             and max(b.median for b in bnr) - min(b.median for b in bnr) < 0.03
             and max(b.median for b in bnr) - min(b.median for b in bnr)
             < max(b.spread for b in bnr),
             ", ".join(f"{lr:g}: {b.text()}" for lr, b in zip(s.lrs, bnr))),
    ]


def summary_rows(data_dir=None) -> list[dict]:
    """The case study's summary table: per network (activation, initialisation, remedy) at
    the sweep's learning rate, the deepest depth at which at least nine in ten seeds reached
    the threshold test accuracy (every shallower depth too), and the outcome at the largest
    depth (chapter 8)."""
    s = _study(data_dir)
    top = s.max_depth
    configs = [(a, i, PLAIN, s.lr) for a, i in (tuple(p) for p in s.config["plain"]["pairs"])]
    configs += [(a, i, v, s.lr) for a, i in s.pairs for v in s.config["remedies"]["variants"]]
    rows = []
    for a, i, v, lr in configs:
        depths = sorted(set(s.table.select(activation=a, init=i, variant=v, lr=lr)
                            .unique("depth")))
        deepest = 0
        for d in depths:
            if s.reached(a, i, v, d, lr) < 0.9 * s.seeds:
                break
            deepest = d
        last = s.summary(a, i, v, max(depths), lr)
        rows.append({"activation": a, "init": i, "network": VARIANT_LABEL[v],
                     "trains up to": ("-" if deepest == 0 else
                                      f"{deepest}" + (" (all)" if deepest == max(depths)
                                                      else "")),
                     f"at {max(depths)} layers": last.text()})
    return rows


def rate_rows(data_dir=None) -> list[dict]:
    """The learning-rate table: per depth and network of the rates part, the final test
    accuracy at each rate (median [range], failed seeds) (chapter 8)."""
    s = _study(data_dir)
    q = s.config["rates"]
    rows = []
    for d in s.rate_depths:
        for v in q["variants"]:
            row = {"hidden layers": d, "network": VARIANT_LABEL[v]}
            for lr in s.lrs:
                row[f"rate {lr:g}"] = s.summary(q["activation"], q["init"], v, d, lr).text()
            rows.append(row)
    return rows


def detail_rows(data_dir=None) -> list[dict]:
    """Every configuration at every depth: final test accuracy (median [range], failed
    seeds) and the number of seeds that reached the threshold (chapter 8)."""
    s = _study(data_dir)
    keys = sorted({(r["activation"], r["init"], r["variant"], r["lr"]) for r in s.table},
                  key=lambda k: (k[0], k[1], list(VARIANTS).index(k[2]), k[3]))
    rows = []
    for a, i, v, lr in keys:
        for d in s.table.select(activation=a, init=i, variant=v, lr=lr).unique("depth"):
            rows.append({"activation": a, "init": i, "network": VARIANT_LABEL[v],
                         "rate": f"{lr:g}", "hidden layers": d,
                         "test accuracy": s.summary(a, i, v, d, lr).text(),
                         "reached 90 %": f"{s.reached(a, i, v, d, lr)} of {s.seeds}"})
    return rows


def numbers(data_dir=None) -> dict:
    """The numbers chapter 8 quotes from the depth study: the configuration (``dst_*``),
    and for every stored configuration ``dst_<act>_<init>_<variant>_<depth>[_lr<k>]`` its
    median final accuracy ``_acc``, ``_low``, ``_high``, ``_failed``, ``_diverged``,
    ``_reached`` (seeds that reached the threshold) and ``_ratio`` (error-signal ratio at
    initialisation, geometric mean); ``k`` indexes the rates (``lr0`` the smallest), the
    sweep's own rate has no suffix."""
    s = _study(data_dir)
    c = s.config
    out = {"dst_seeds": s.seeds, "dst_epochs": c["epochs"], "dst_lr": float(s.lr),
           "dst_momentum": float(c["momentum"]), "dst_batch": c["batch_size"],
           "dst_width": c["width"], "dst_max": s.max_depth,
           "dst_threshold": 100 * float(s.threshold), "dst_chance": float(s.chance),
           "dst_depths": ", ".join(map(str, s.depths[:-1])) + f" and {s.depths[-1]}",
           "dst_rate_small": min(s.rate_depths), "dst_rate_big": max(s.rate_depths)}
    for k, lr in enumerate(s.lrs):
        out[f"dst_lr{k}"] = float(lr)
    keys = {(r["activation"], r["init"], r["variant"], r["depth"], r["lr"]) for r in s.table}
    for a, i, v, d, lr in sorted(keys):
        suffix = "" if math.isclose(lr, s.lr) else \
            f"_lr{[k for k, x in enumerate(s.lrs) if math.isclose(x, lr)][0]}"
        key = f"dst_{a}_{i}_{v}_{d}{suffix}".replace("+", "_")
        sm = s.summary(a, i, v, d, lr)
        out.update({f"{key}_acc": sm.median, f"{key}_low": sm.low, f"{key}_high": sm.high,
                    f"{key}_failed": sm.failed, f"{key}_diverged": sm.diverged,
                    f"{key}_reached": s.reached(a, i, v, d, lr)})
        if not suffix:
            out[f"{key}_ratio"] = s.ratio(a, i, v, d)
    return out


def facts(data_dir=None) -> list:
    """Every statement the chapters make about the stored depth study (chapter 1)."""
    s = _study(data_dir)
    return section_activation(s) + section_remedies(s) + section_rates(s)


if __name__ == "__main__":
    from actbook.sweeps.common import main

    raise SystemExit(main("actbook.sweeps.depth"))
