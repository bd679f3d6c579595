"""How fast each layer learns: initialisations and batch normalisation compared in training
(chapter 8).

Networks with 6 hidden layers of 64 units are trained on the standardised digits for 10 epochs
(mini-batches of 32, learning rate 0.02, momentum 0.9), for every activation, initialisation
(the naive N(0, 1), Xavier's and He's) and seed, plain and with batch normalisation. At every
step each layer's **relative gradient** ``||grad W^(l)|| / ||W^(l)||`` is recorded: the
fraction by which a unit learning rate would change the layer's weights, its learning speed.

``layer_speed.csv``   one row per run and layer: ``speed`` (the relative gradient averaged over
                      every step; ``nan`` if the run diverged), the run's final test accuracy
                      ``val_accuracy`` (``nan`` if it diverged), ``diverged`` and the step it
                      diverged at
``layer_speed.json``  the configuration, versions, BLAS kernel and time

    python -m actbook.sweeps.layer_speed --out data
"""
from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np

from ..diagnostics import Recorder
from ..facts import fact
from ..results import geo_mean, per_seed, read_meta, read_table, summarize
from ..results import write_meta, write_table
from .common import Timer, each, network, seed_list, standardised_digits, train

__all__ = ["FILES", "CONFIG", "COLUMNS", "run_one", "run", "Speeds", "numbers", "facts",
           "section_initialisation", "section_batch_norm", "table_rows"]

FILES = ("layer_speed.csv", "layer_speed.json")

CONFIG = dict(depth=6, width=64, activations=["sigmoid", "tanh", "relu", "elu"],
              inits=["normal-1", "xavier", "he"], variants=["plain", "batch_norm"],
              seeds=10, epochs=10, batch_size=32, lr=0.02, momentum=0.9, data_seed=0,
              chance=0.2)

COLUMNS = ["activation", "init", "variant", "seed", "layer", "speed", "val_accuracy",
           "diverged", "diverged_at"]


def run_one(activation, init, variant, seed, cfg=None) -> list[dict]:
    """Train one network; its rows, one per layer (chapter 8)."""
    cfg = CONFIG if cfg is None else cfg
    net = network(cfg["depth"], activation, init, seed, width=cfg["width"], variant=variant)
    rec = Recorder(every=1, units=False)
    out = train(net, standardised_digits(cfg["data_seed"]), epochs=cfg["epochs"], lr=cfg["lr"],
                momentum=cfg["momentum"], batch_size=cfg["batch_size"], callback=rec)
    layers = len(net.layers)
    if out["diverged"]:
        speed = np.full(layers, np.nan)
    else:
        speed = rec.arrays()["relative"].mean(axis=0)
    return [dict(activation=activation, init=init, variant=variant, seed=seed, layer=l + 1,
                 speed=float(speed[l]), val_accuracy=out["val_accuracy"],
                 diverged=out["diverged"], diverged_at=out["diverged_at"])
            for l in range(layers)]


def run(out_dir, *, progress: bool = True, seed_offset: int = 0, config=None) -> None:
    """Train every configuration of ``config`` (default :data:`CONFIG`) and write
    :data:`FILES` into ``out_dir`` (chapter 8)."""
    cfg = CONFIG if config is None else config
    seeds = seed_list(cfg["seeds"], seed_offset)
    t0 = Timer()
    grid = list(itertools.product(cfg["activations"], cfg["inits"], cfg["variants"], seeds))
    rows = [row for rows in each("layer_speed", grid, lambda k: run_one(*k, cfg=cfg), progress)
            for row in rows]
    out = Path(out_dir)
    write_table(out / FILES[0], rows, COLUMNS)
    write_meta(out / FILES[1], cfg, t0.wall, t0.cpu, seed_offset=seed_offset,
               runs=len(grid))


# ---------------------------------------------------------------------------------------------
# reading it
# ---------------------------------------------------------------------------------------------
class Speeds:
    """The stored layer-speed sweep of ``data_dir`` (default ``data/``) (chapter 1)."""

    def __init__(self, data_dir=None):
        self.table = read_table(FILES[0], data_dir, COLUMNS)
        self.config = read_meta(FILES[1], data_dir)["config"]
        self.chance = self.config["chance"]

    def runs(self, activation, init, variant="plain"):
        """One row per seed (the first layer's), in seed order."""
        return self.table.select(activation=activation, init=init, variant=variant,
                                 layer=1).sorted("seed")

    def speed(self, activation, init, variant="plain") -> np.ndarray:
        """(seeds, layers) learning speeds; the diverged seeds' rows are ``nan``."""
        return per_seed(self.table, "speed", activation=activation, init=init,
                        variant=variant)

    def first_over_last(self, activation, init, variant="plain") -> np.ndarray:
        """Per seed that did not diverge: the first layer's speed over the output layer's."""
        s = self.speed(activation, init, variant)
        s = s[~np.isnan(s).any(axis=1)]
        return s[:, 0] / s[:, -1]

    def accuracy(self, activation, init, variant="plain"):
        """:class:`~actbook.results.SeedSummary` of the final test accuracy; a run fails if it
        diverged or ended below ``chance``."""
        r = self.runs(activation, init, variant)
        acc = r.column("val_accuracy")
        return summarize(acc, failed=~(acc >= self.chance),
                         diverged=r.column("diverged") == 1)


def _speeds(data_dir):
    return data_dir if isinstance(data_dir, Speeds) else Speeds(data_dir)


#: the activations that train with a width-scaled initialisation, and those initialisations
TRAINABLE = ("tanh", "relu", "elu")
SCALED = ("xavier", "he")


def numbers(data_dir=None) -> dict:
    """The numbers chapter 8 quotes: for every activation ``a``, initialisation ``i`` and
    variant ``v``, ``ls_<v>_<a>_<i>_acc`` (median final test accuracy over the seeds that
    did not fail), ``..._low``, ``..._high``, ``..._failed``, ``..._diverged``, and
    ``..._ratio`` (geometric mean over the seeds of the first layer's speed over the
    output layer's; ``nan`` when every seed diverged); ``ls_normal_1_diverged_by``, the
    latest step at which a plain N(0, 1) ReLU or ELU run diverged; the configuration as ``ls_depth``,
    ``ls_epochs``, ``ls_lr``, ``ls_momentum``, ``ls_seeds``."""
    s = _speeds(data_dir)
    c = s.config
    out = {"ls_depth": c["depth"], "ls_width": c["width"], "ls_epochs": c["epochs"],
           "ls_lr": float(c["lr"]), "ls_momentum": float(c["momentum"]),
           "ls_seeds": c["seeds"], "ls_batch": c["batch_size"]}
    for v in c["variants"]:
        for a in c["activations"]:
            for i in c["inits"]:
                key = f"ls_{v}_{a}_{i}"
                acc = s.accuracy(a, i, v)
                r = s.first_over_last(a, i, v)
                out.update({f"{key}_acc": acc.median, f"{key}_low": acc.low,
                            f"{key}_high": acc.high, f"{key}_failed": acc.failed,
                            f"{key}_diverged": acc.diverged,
                            f"{key}_ratio": geo_mean(r) if r.size else math.nan,
                            f"{key}_ratio_low": float(r.min()) if r.size else math.nan,
                            f"{key}_ratio_high": float(r.max()) if r.size else math.nan})
    # the step at which the last plain N(0, 1) ReLU or ELU run that diverged did so
    steps = [st for a in ("relu", "elu")
             for st in s.runs(a, "normal-1", "plain").column("diverged_at")
             if not math.isnan(st)]
    out["ls_normal_1_diverged_by"] = int(max(steps)) if steps else math.nan
    return out


def section_initialisation(data_dir=None) -> list:
    """Chapter 8, "Initialisation, compared in training": what each initialisation does to
    the layers' learning speed and to the outcome, over the seeds."""
    s = _speeds(data_dir)
    n = numbers(s)
    seeds = s.config["seeds"]
    facts = []
    stall = [f"ls_plain_sigmoid_{i}" for i in SCALED]
    facts.append(fact(
        "layer_speed.sigmoid_stalls",
        "with Xavier's or He's initialisation the 6-layer sigmoid network ends at chance in "
        "every seed, its first layer learning over 100 times slower than its output layer",
        all(n[f"{k}_failed"] == seeds and n[f"{k}_ratio_high"] < 0.01 for k in stall),
        "; ".join(f"{k[9:]}: failed {n[f'{k}_failed']} of {seeds}, speed ratio up to "
                  f"{n[f'{k}_ratio_high']:.2g}" for k in stall)))
    good = [f"ls_plain_{a}_{i}" for a in TRAINABLE for i in SCALED]
    facts.append(fact(
        "layer_speed.scaled_inits_train",
        "tanh, ReLU and ELU with Xavier's or He's initialisation train in every seed (test "
        "accuracy 0.9 or more), their first layer learning within a factor 3 of the output "
        "layer's speed",
        all(n[f"{k}_failed"] == 0 and n[f"{k}_low"] >= 0.9
            and 1 / 3 < n[f"{k}_ratio_low"] and n[f"{k}_ratio_high"] < 3 for k in good),
        f"lowest accuracy {min(n[f'{k}_low'] for k in good):.3f}; speed ratios "
        f"{min(n[f'{k}_ratio_low'] for k in good):.2f}.."
        f"{max(n[f'{k}_ratio_high'] for k in good):.2f}"))
    facts.append(fact(
        "layer_speed.scaled_inits_tie",
        "for each of tanh, ReLU and ELU, Xavier's and He's medians differ by less than the "
        "seed-to-seed spread: the data name no winner",
        all(abs(n[f"ls_plain_{a}_xavier_acc"] - n[f"ls_plain_{a}_he_acc"])
            < max(n[f"ls_plain_{a}_{i}_high"] - n[f"ls_plain_{a}_{i}_low"] for i in SCALED)
            for a in TRAINABLE),
        "; ".join(f"{a}: {n[f'ls_plain_{a}_xavier_acc']:.3f} vs {n[f'ls_plain_{a}_he_acc']:.3f}"
                  for a in TRAINABLE)))
    explode = ("relu", "elu")
    facts.append(fact(
        "layer_speed.normal_1_diverges",
        "with N(0, 1) weights the ReLU and ELU networks diverge in at least 9 of 10 seeds, "
        "each within its first 10 steps",
        all(n[f"ls_plain_{a}_normal-1_diverged"] >= 0.9 * seeds for a in explode)
        and n["ls_normal_1_diverged_by"] <= 10,
        "; ".join(f"{a}: {n[f'ls_plain_{a}_normal-1_diverged']} of {seeds}"
                  for a in explode) + f"; the last at step {n['ls_normal_1_diverged_by']}"))
    facts.append(fact(
        "layer_speed.normal_1_sigmoid_trains",
        "with N(0, 1) weights the sigmoid network trains in every seed (accuracy above "
        "0.7), while the tanh network lags behind its Xavier twin by more than 0.2",
        n["ls_plain_sigmoid_normal-1_failed"] == 0
        and n["ls_plain_sigmoid_normal-1_low"] > 0.7
        and n["ls_plain_tanh_normal-1_acc"] < n["ls_plain_tanh_xavier_acc"] - 0.2,
        f"sigmoid lowest {n['ls_plain_sigmoid_normal-1_low']:.3f}; tanh "
        f"{n['ls_plain_tanh_normal-1_acc']:.3f} vs {n['ls_plain_tanh_xavier_acc']:.3f}"))
    return facts


def bn_cost(data_dir=None) -> dict:
    """What batch norm does where the plain network already trains (tanh, ReLU and ELU with
    Xavier's or He's weights): ``ls_bn_lower``, the number of those networks whose median
    test accuracy is lower with batch norm; ``ls_bn_cost_low``/``_high``, the smallest and
    largest drop of the median; ``ls_bn_below_worst``, the batch-normalised runs that end
    below every plain seed of their network, of ``ls_bn_runs``; ``ls_bn_networks`` (chapter 8)."""
    s = _speeds(data_dir)
    drops, below, runs = [], 0, 0
    for a in TRAINABLE:
        for i in SCALED:
            plain = s.runs(a, i, "plain").column("val_accuracy")
            bn = s.runs(a, i, "batch_norm").column("val_accuracy")
            drops.append(float(np.nanmedian(plain) - np.nanmedian(bn)))
            below += int(np.sum(np.nan_to_num(bn, nan=0.0) < np.nanmin(plain)))
            runs += bn.size
    return {"ls_bn_networks": len(drops), "ls_bn_lower": sum(d > 0 for d in drops),
            "ls_bn_cost_low": min(drops), "ls_bn_cost_high": max(drops),
            "ls_bn_below_worst": below, "ls_bn_runs": runs}


def section_batch_norm(data_dir=None) -> list:
    """Chapter 8, "Batch normalisation", in training: every network trains with it, the
    stalled sigmoid network included."""
    s = _speeds(data_dir)
    n = numbers(s)
    c = s.config
    if "batch_norm" not in c["variants"]:
        return [fact("layer_speed.bn_measured", "the sweep trains networks with batch norm",
                     False, f"variants {c['variants']}")]
    keys = [f"ls_batch_norm_{a}_{i}" for a in c["activations"] for i in c["inits"]]
    cost = bn_cost(s)
    return [
        fact("layer_speed.bn_all_train",
             "with batch norm no run of any of the twelve networks diverges, and each trains: "
             "median accuracy above 0.75, first-to-last speed ratio within a factor 3 of 1",
             all(n[f"{k}_diverged"] == 0 and n[f"{k}_acc"] > 0.75
                 and 1 / 3 < n[f"{k}_ratio"] < 3 for k in keys),
             f"diverged {sum(n[f'{k}_diverged'] for k in keys)}; lowest median "
             f"{min(n[f'{k}_acc'] for k in keys):.3f}; speed ratios "
             f"{min(n[f'{k}_ratio'] for k in keys):.2f}.."
             f"{max(n[f'{k}_ratio'] for k in keys):.2f}"),
        fact("layer_speed.bn_rescues_sigmoid",
             "batch norm lifts the Xavier sigmoid network from chance in every seed to a "
             "median of 0.88 or more, with no failed seed",
             n["ls_plain_sigmoid_xavier_failed"] == c["seeds"]
             and n["ls_batch_norm_sigmoid_xavier_acc"] >= 0.88
             and n["ls_batch_norm_sigmoid_xavier_failed"] == 0,
             f"plain failed {n['ls_plain_sigmoid_xavier_failed']}; batch norm "
             f"{n['ls_batch_norm_sigmoid_xavier_acc']:.3f}"),
        fact("layer_speed.bn_costs_accuracy",
             "where the plain network already trains (tanh, ReLU, ELU with Xavier's or He's "
             "weights), batch norm lowers the median test accuracy in at least 5 of the 6 "
             "networks, and at least a third of the batch-normalised runs end below every "
             "plain seed of their network",
             cost["ls_bn_lower"] >= cost["ls_bn_networks"] - 1
             and cost["ls_bn_below_worst"] >= cost["ls_bn_runs"] / 3,
             f"lower in {cost['ls_bn_lower']} of {cost['ls_bn_networks']}, drops "
             f"{cost['ls_bn_cost_low']:.3f}..{cost['ls_bn_cost_high']:.3f}; "
             f"{cost['ls_bn_below_worst']} of {cost['ls_bn_runs']} runs below the worst plain "
             "seed"),
        fact("layer_speed.bn_normal_1_lags",
             "with batch norm the N(0, 1) ReLU and ELU networks train, below their He twins",
             all(n[f"ls_batch_norm_{a}_normal-1_acc"] < n[f"ls_batch_norm_{a}_he_acc"] - 0.03
                 for a in ("relu", "elu")),
             "; ".join(f"{a}: {n[f'ls_batch_norm_{a}_normal-1_acc']:.3f} vs "
                       f"{n[f'ls_batch_norm_{a}_he_acc']:.3f}" for a in ("relu", "elu"))),
    ]


def table_rows(data_dir=None) -> list[dict]:
    """The chapter's table: per activation and initialisation, plain and with batch norm,
    the final test accuracy (median [range], failed seeds) and the first-to-last speed
    ratio (geometric mean over the seeds) (chapter 8)."""
    s = _speeds(data_dir)
    n = numbers(s)
    rows = []
    for a in s.config["activations"]:
        for i in s.config["inits"]:
            row = {"activation": a, "init": i}
            for v, label in (("plain", "plain"), ("batch_norm", "batch norm")):
                acc = s.accuracy(a, i, v)
                ratio = n[f"ls_{v}_{a}_{i}_ratio"]
                row[f"accuracy, {label}"] = acc.text()
                row[f"speed ratio, {label}"] = "-" if math.isnan(ratio) else f"{ratio:.2g}"
            rows.append(row)
    return rows


def facts(data_dir=None) -> list:
    """Every statement the chapters make about the stored layer-speed sweep (chapter 1)."""
    s = _speeds(data_dir)
    return section_initialisation(s) + section_batch_norm(s)


if __name__ == "__main__":
    from actbook.sweeps.common import main

    raise SystemExit(main("actbook.sweeps.layer_speed"))
