"""Does a small positive initial bias keep ReLU units alive? Measured over seeds (chapter 4).

A common piece of advice is to initialise the biases of ReLU units to a small positive value,
such as 0.01, so that every unit starts active and fewer of them die. Chapter 4 tests it in its
own dead-unit setting: the digits network ``64 -> 128 -> 128 -> 10`` of ReLUs, He-initialised
weights, SGD with momentum 0.9, batches of 32, ten epochs, at several learning rates, with the
hidden biases started at 0 or at a positive value, over several seeds. The same seed draws the
same weights and the same batch order for both biases, so each seed gives a paired comparison.

* :func:`measure`: one row per (learning rate, bias, seed): the percentage of dead units of each
  hidden layer on the training set at the start and at the end, the test accuracy, and the
  step at which the loss became non-finite, if it did.
* :func:`summary`: per (learning rate, bias), the per-seed summaries of
  :func:`actbook.results.summarize`, and per learning rate the paired differences.
* :func:`facts_of` (rows) and :func:`facts` (a data folder): the statements chapter 4 makes
  about the result, as :class:`~actbook.facts.Fact` objects, so that the build fails when text
  and data part; ``scripts/check_robustness.py`` evaluates them on re-runs.
* :func:`run` / :func:`load` / :func:`report`: the sweep protocol of :mod:`actbook.sweeps`
  (``python -m actbook.sweeps.bias_init --out DIR``: 60 runs, about 15 s of CPU), the stored
  rows (``data/bias_init.csv``) and a plain-text table of them.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..data import load_digits
from ..diagnostics import dead_fraction
from ..facts import fact
from ..network import Network
from ..results import read_meta, read_table, summarize, write_meta, write_table
from .common import Timer, progress_line, seed_list

__all__ = ["FILES", "SIZES", "LRS", "BIASES", "SEEDS", "COLUMNS", "TABLE", "measure", "run",
           "summary", "facts_of", "section_bias", "facts", "load", "report"]

#: The network of chapter 4's dead-unit experiment.
SIZES = (64, 128, 128, 10)
#: Its three learning rates.
LRS = (0.05, 0.2, 0.4)
#: The bias at initialisation: the engine's 0, and the advised small positive value.
BIASES = (0.0, 0.01)
#: Ten seeds.
SEEDS = tuple(range(10))


def _network(seed: int, bias: float) -> Network:
    net = Network(list(SIZES), activation="relu", seed=seed)
    for layer in net.layers[:-1]:           # the hidden ReLU layers only
        layer.b[...] = bias
    return net


def measure(lrs=LRS, biases=BIASES, seeds=SEEDS, epochs: int = 10, data=None) -> list[dict]:
    """Train one network per (learning rate, bias, seed) and measure its dead units (chapter 4).

    ``data`` is ``(X_train, y_train, X_test, y_test)``, by default the digits split of
    :func:`actbook.data.load_digits` with seed 0 (the chapter's). Dead units (percent, per hidden
    layer) are counted on the whole training set with :func:`actbook.diagnostics.dead_fraction`.
    A run whose loss becomes non-finite stops there; its row has ``diverged_at`` set and NaN
    accuracy.
    """
    X_train, y_train, X_test, y_test = load_digits(seed=0) if data is None else data
    rows = []
    for lr in lrs:
        for bias in biases:
            for seed in seeds:
                net = _network(seed, bias)
                start = 100 * dead_fraction(net, X_train)
                with np.errstate(all="ignore"):
                    hist = net.fit(X_train, y_train, epochs=epochs, batch_size=32, lr=lr,
                                   momentum=0.9, progress=False, on_nonfinite="stop")
                diverged = hist.get("diverged_at")
                end = (np.full(len(SIZES) - 2, np.nan) if diverged
                       else 100 * dead_fraction(net, X_train))
                acc = np.nan if diverged else float(net.accuracy(X_test, y_test))
                rows.append(dict(lr=float(lr), bias=float(bias), seed=int(seed),
                                 dead_start_1=float(start[0]), dead_start_2=float(start[1]),
                                 dead_1=float(end[0]), dead_2=float(end[1]),
                                 test_accuracy=acc, diverged_at=diverged))
    return rows


def _select(rows, lr, bias, key):
    chosen = sorted((r for r in rows if r["lr"] == lr and r["bias"] == bias),
                    key=lambda r: r["seed"])
    return np.array([r[key] for r in chosen], dtype=float)


def summary(rows) -> dict:
    """Chapter 4. Per ``(lr, bias)``: summaries (median and range over seeds) of the dead units of each
    layer and of the test accuracy; per ``lr``: the paired differences (positive bias minus
    zero bias, seed by seed) of the dead units of each layer, and how many seeds had fewer,
    as many and more dead units with the positive bias."""
    lrs = sorted({r["lr"] for r in rows})
    biases = sorted({r["bias"] for r in rows})
    out = {"lrs": lrs, "biases": biases, "n_seeds": len({r["seed"] for r in rows})}
    for lr in lrs:
        for bias in biases:
            out[lr, bias] = {key: summarize(_select(rows, lr, bias, key))
                             for key in ("dead_1", "dead_2", "test_accuracy")}
        lo, hi = biases[0], biases[-1]
        for layer in (1, 2):
            d = _select(rows, lr, hi, f"dead_{layer}") - _select(rows, lr, lo, f"dead_{layer}")
            d = d[~np.isnan(d)]
            out[lr, f"diff_{layer}"] = dict(
                median=float(np.median(d)) if d.size else np.nan,
                fewer=int(np.sum(d < 0)), same=int(np.sum(d == 0)), more=int(np.sum(d > 0)),
                n=int(d.size))
    return out


def facts_of(rows) -> list:
    """What chapter 4 says about the measurement, as facts that fail when the data disagree.

    1. At initialisation the positive bias changes the dead units of a layer by at most one
       unit, seed by seed.
    2. The ranges over seeds of the dead units with the two biases overlap at every learning
       rate and in both layers: any difference is within the seed-to-seed spread.
    3. The positive bias does not lower the dead units consistently: at no learning rate and
       in no layer does it give fewer dead units in every seed.
    4. The ranges over seeds of the test accuracy overlap at every learning rate.
    5. At the highest learning rate the networks fail with either bias (median test accuracy
       below 0.5).
    6. The learning rate decides: with either bias the first layer's median dead percentage
       rises with the learning rate, and every seed at the highest rate has more dead units
       than any seed at the lowest.
    7. No run diverged (ReLU networks fail quietly here).
    """
    s = summary(rows)
    lrs, (lo, hi) = s["lrs"], (s["biases"][0], s["biases"][-1])
    n = s["n_seeds"]
    out = []
    gaps = [abs(_select(rows, lr, hi, f"dead_start_{k}") - _select(rows, lr, lo, f"dead_start_{k}")).max()
            for lr in lrs for k in (1, 2)]
    one_unit = 100 / SIZES[1]
    out.append(fact("bias_init.start_close",
                    f"at initialisation bias {hi:g} changes the dead units of a layer by at most one "
                    f"unit against bias {lo:g}",
                    max(gaps) <= one_unit + 1e-6,
                    f"largest difference at the start {max(gaps):.2f} percentage points "
                    f"(one unit is {one_unit:.2f})"))
    def overlap(key):
        ok, ev = True, []
        for lr in lrs:
            a, b = s[lr, lo][key], s[lr, hi][key]
            ok &= not (b.high < a.low or a.high < b.low)
            ev.append(f"lr {lr:g} {key}: bias {lo:g} {a.text('{:.3g}')}, bias {hi:g} {b.text('{:.3g}')}")
        return ok, ev
    ok1, ev1 = overlap("dead_1")
    ok2, ev2 = overlap("dead_2")
    out.append(fact("bias_init.within_spread",
                    f"the ranges over seeds of the dead units with bias {hi:g} and with bias {lo:g} "
                    "overlap at every learning rate and in both layers",
                    ok1 and ok2, "; ".join(ev1 + ev2)))
    consistent = [(lr, layer) for lr in lrs for layer in (1, 2)
                  if s[lr, f"diff_{layer}"]["fewer"] == s[lr, f"diff_{layer}"]["n"] > 0]
    out.append(fact("bias_init.not_consistent",
                    f"at no learning rate and in no layer does bias {hi:g} give fewer dead units "
                    f"than bias {lo:g} in every seed",
                    not consistent,
                    "; ".join(f"lr {lr:g} layer {layer}: fewer in "
                              f"{s[lr, f'diff_{layer}']['fewer']}, same in "
                              f"{s[lr, f'diff_{layer}']['same']}, more in "
                              f"{s[lr, f'diff_{layer}']['more']} of {n}"
                              for lr in lrs for layer in (1, 2))))
    ok3, ev3 = overlap("test_accuracy")
    out.append(fact("bias_init.accuracy_within_spread",
                    f"the ranges over seeds of the test accuracy with bias {hi:g} and with bias "
                    f"{lo:g} overlap at every learning rate", ok3, "; ".join(ev3)))
    top = lrs[-1]
    accs = [s[top, b]["test_accuracy"].median for b in (lo, hi)]
    out.append(fact("bias_init.high_lr_fails",
                    f"at lr {top:g} the median test accuracy is below 0.5 with either bias",
                    max(accs) < 0.5, f"medians {accs[0]:.3f} (bias {lo:g}), {accs[1]:.3f} (bias {hi:g})"))
    by_lr = {b: [s[lr, b]["dead_1"] for lr in lrs] for b in (lo, hi)}
    rising = all(x.median < y.median for b in by_lr for x, y in zip(by_lr[b], by_lr[b][1:]))
    apart = all(by_lr[b][0].high < by_lr[b][-1].low for b in by_lr)
    out.append(fact("bias_init.lr_decides",
                    "with either bias the first layer's dead units rise with the learning rate, "
                    f"and every seed at lr {lrs[-1]:g} has more of them than any seed at lr {lrs[0]:g}",
                    rising and apart,
                    "; ".join(f"bias {b:g}: " + ", ".join(x.text('{:.3g}') for x in v)
                              for b, v in by_lr.items())))
    div = [r for r in rows if r["diverged_at"]]
    out.append(fact("bias_init.none_diverged", "no run diverged", not div,
                    f"{len(div)} of {len(rows)} runs diverged"))
    return out


COLUMNS = ("lr", "bias", "seed", "dead_start_1", "dead_start_2", "dead_1", "dead_2",
           "test_accuracy", "diverged_at")
#: The stored table in ``data/``, and its metadata.
TABLE = "bias_init.csv"
FILES = (TABLE, "bias_init.json")


def run(out_dir, *, progress: bool = True, seed_offset: int = 0) -> None:
    """The whole measurement (chapter 4), written as :data:`FILES` into ``out_dir``;
    ``seed_offset`` shifts every seed (another seed set)."""
    seeds = tuple(seed_list(len(SEEDS), seed_offset))
    t0 = Timer()
    rows = measure(seeds=seeds)
    out = Path(out_dir)
    write_table(out / TABLE, rows, COLUMNS)
    write_meta(out / FILES[1],
               dict(sizes=list(SIZES), lrs=list(LRS), biases=list(BIASES), seeds=list(seeds),
                    epochs=10, batch_size=32, momentum=0.9, init="he"),
               t0.wall, t0.cpu, seed_offset=seed_offset, runs=len(rows))
    progress_line(progress, f"bias_init: {len(rows)} runs ({t0.wall:.1f} s)")


def load(data_dir=None) -> list[dict]:
    """The stored rows of :func:`measure` (``data/bias_init.csv``), as dicts (chapter 4)."""
    read_meta(FILES[1], data_dir)  # a folder without its metadata is not a finished run
    table = read_table(TABLE, data_dir, columns=COLUMNS)
    return [dict(row) for row in table.rows]


def section_bias(data_dir=None) -> list:
    """The facts of chapter 4's section "Does a small positive bias help?"."""
    return facts_of(load(data_dir))


def facts(data_dir=None) -> list:
    """Every statement chapter 4 makes about the stored measurement in ``data_dir``."""
    return section_bias(data_dir)


def report(rows) -> str:
    """A plain-text table (chapter 4): per learning rate and bias, the median [range] over seeds of the
    dead units of each hidden layer and of the test accuracy."""
    s = summary(rows)
    lines = [f"{'lr':>5} {'bias':>5}   {'dead, layer 1 (%)':19} {'dead, layer 2 (%)':19} "
             "test accuracy", ]
    for lr in s["lrs"]:
        for b in s["biases"]:
            d = s[lr, b]
            lines.append(f"{lr:5g} {b:5g}   {d['dead_1'].text('{:.0f}'):19} "
                         f"{d['dead_2'].text('{:.0f}'):19} {d['test_accuracy'].text('{:.2f}')}")
    lines.append(f"median [lowest, highest] over {s['n_seeds']} seeds")
    return "\n".join(lines)


if __name__ == "__main__":
    from actbook.sweeps.common import main

    raise SystemExit(main("actbook.sweeps.bias_init"))
