"""A comparison table of every registered activation, generated from the registry.

Introduced in chapter 11 (*Choosing an activation*). Each row holds the properties the
registry declares for one activation (output range, zero-centred, monotone, smooth,
saturates, can die) and its measured cost per element, forward and backward, in
nanoseconds on the machine that runs the code. Nothing in the table is typed by hand:
add an activation to :mod:`actbook.activations` and it appears here.

>>> from actbook.comparison import comparison_table
>>> table = comparison_table()          # measures every activation (about a second)
>>> table                                # renders as an HTML table in a notebook
>>> print(table.to_markdown())
"""
from __future__ import annotations

import html
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

#: The registry properties shown as columns, in order, with their column headings.
PROPERTY_COLUMNS = (
    ("output_range", "range"),
    ("zero_centred", "zero-centred"),
    ("monotone", "monotone"),
    ("smooth", "smooth"),
    ("saturates", "saturates"),
    ("can_die", "can die"),
)

#: The measured columns, with their headings.
COST_COLUMNS = (
    ("forward_ns", "fwd ns"),
    ("backward_ns", "bwd ns"),
    ("relative_cost", "× ReLU"),
)

#: Shape of the pre-activation array used for timing: rows x features. The number of
#: features, 60, is divisible by every maxout piece count from 2 to 6.
DEFAULT_SHAPE = (2000, 60)


def format_value(value) -> str:
    """Format one property value for the table (chapter 11).

    Booleans become ``yes``/``no``, infinities become the symbol ``∞``, a pair of
    numbers becomes an interval such as ``(0, ∞)``; strings are kept as they are.
    """
    if value is None:
        return "–"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(
        isinstance(v, (int, float, np.floating, np.integer)) for v in value
    ):
        low, high = (_format_number(v) for v in value)
        left = "(" if not np.isfinite(value[0]) else "["
        right = ")" if not np.isfinite(value[1]) else "]"
        return f"{left}{low}, {high}{right}"
    if isinstance(value, (int, float, np.floating, np.integer)):
        return _format_number(value)
    return str(value)


def _format_number(v) -> str:
    v = float(v)
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if v == int(v) and abs(v) < 1e6:
        return str(int(v))
    return f"{v:.4g}"


def property_value(act, key):
    """One property of an activation: ``act.properties`` may be a mapping or an object
    with attributes (the registry's :class:`~actbook.activations.Properties`). Chapter 11."""
    props = getattr(act, "properties", None)
    if props is None:
        return None
    if isinstance(props, Mapping):
        return props.get(key)
    return getattr(props, key, None)


#: The clock used by :func:`measure_cost`: CPU time of the calling thread, in seconds.
_clock = time.thread_time


def measure_cost(act, shape=DEFAULT_SHAPE, repeats=7, dtype=np.float32, seed=0, **params):
    """Measure the cost of one activation per element of its input, in nanoseconds.

    Introduced in chapter 11. Times ``act.layer_forward`` and ``act.layer_backward`` (the
    calls the network engine makes) on an array of ``shape`` drawn from N(0, 1), after
    one warm-up call, and keeps the fastest of ``repeats`` runs. The clock is the calling
    thread's CPU time (:func:`time.thread_time`), not the wall clock, so time the thread
    spends waiting while other programs use the processor is not counted; the minimum
    removes what disturbance remains (caches, interrupts). Returns a dict with
    ``forward_ns`` and ``backward_ns``.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(shape).astype(dtype)
    n = z.size
    a, cache = act.layer_forward(z, training=False, **params)
    grad_a = np.ones_like(a)
    act.layer_backward(cache, grad_a)  # warm-up
    best_f = best_b = math.inf
    for _ in range(repeats):
        t0 = _clock()
        a, cache = act.layer_forward(z, training=False, **params)
        t1 = _clock()
        act.layer_backward(cache, grad_a)
        t2 = _clock()
        best_f = min(best_f, t1 - t0)
        best_b = min(best_b, t2 - t1)
    return {"forward_ns": best_f / n * 1e9, "backward_ns": best_b / n * 1e9}


def comparison_rows(names=None, measure=True, shape=DEFAULT_SHAPE, repeats=7,
                    dtype=np.float32, baseline="relu"):
    """One dict per activation: name, label, the registry properties and the measured costs.

    Introduced in chapter 11. ``names`` defaults to every registered activation.
    ``relative_cost`` is forward plus backward time divided by that of ``baseline``
    (when the baseline is among the rows and ``measure`` is true).
    """
    from actbook.activations import get, names as registered

    if names is None:
        names = list(registered())
    rows = []
    for name in names:
        act = get(name)
        row = {"name": act.name, "label": getattr(act, "label", act.name)}
        for key, _ in PROPERTY_COLUMNS:
            row[key] = property_value(act, key)
        if measure:
            row.update(measure_cost(act, shape=shape, repeats=repeats, dtype=dtype))
        rows.append(row)
    if measure:
        base = next((r for r in rows if r["name"] == baseline), None)
        for r in rows:
            if base is None:
                r["relative_cost"] = None
            else:
                r["relative_cost"] = (r["forward_ns"] + r["backward_ns"]) / (
                    base["forward_ns"] + base["backward_ns"])
    return rows


@dataclass
class ComparisonTable:
    """The comparison table of chapter 11: rows plus renderers (HTML in notebooks, Markdown).

    ``rows`` is the list returned by :func:`comparison_rows`.
    """

    rows: list = field(default_factory=list)

    def columns(self):
        cols = [("label", "activation")] + list(PROPERTY_COLUMNS)
        if self.rows and "forward_ns" in self.rows[0]:
            cols += list(COST_COLUMNS)
        return cols

    def cell(self, row, key) -> str:
        value = row.get(key)
        if key in ("forward_ns", "backward_ns"):
            return "–" if value is None else f"{value:.1f}"
        if key == "relative_cost":
            return "–" if value is None else f"{value:.1f}×"
        return format_value(value)

    def row(self, name):
        """The row of the activation called ``name``."""
        for r in self.rows:
            if r["name"] == name:
                return r
        raise KeyError(f"no row for activation {name!r}; rows: {[r['name'] for r in self.rows]}")

    def select(self, **conditions):
        """Names of the activations whose properties equal every given value.

        Example: ``table.select(zero_centred=True, smooth=True)``.
        """
        unknown = set(conditions) - {k for k, _ in PROPERTY_COLUMNS}
        if unknown:
            raise KeyError(f"unknown property {sorted(unknown)}; known: "
                           f"{[k for k, _ in PROPERTY_COLUMNS]}")
        return [r["name"] for r in self.rows
                if all(r.get(k) == v for k, v in conditions.items())]

    def to_markdown(self) -> str:
        cols = self.columns()
        lines = ["| " + " | ".join(h for _, h in cols) + " |",
                 "| " + " | ".join("---" for _ in cols) + " |"]
        for r in self.rows:
            cells = [r["name"] if k == "label" else self.cell(r, k) for k, _ in cols]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        return "\n".join(lines)

    def to_html(self) -> str:
        cols = self.columns()
        head = "".join(f"<th>{html.escape(h)}</th>" for _, h in cols)
        body = []
        for r in self.rows:
            cells = []
            for k, _ in cols:
                if k == "label":
                    cells.append(f"<td><code>{html.escape(r['name'])}</code></td>")
                else:
                    align = ' style="text-align:right"' if k in dict(COST_COLUMNS) else ""
                    cells.append(f"<td{align}>{html.escape(self.cell(r, k))}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        style = ("<style>table.actbook-comparison{font-size:0.78em}"
                 "table.actbook-comparison td,table.actbook-comparison th"
                 "{padding:0.25em 0.4em}</style>")
        return (f'{style}<div style="overflow-x:auto"><table class="table actbook-comparison">'
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")

    def _repr_html_(self):
        return self.to_html()

    def __len__(self):
        return len(self.rows)


def comparison_table(names=None, measure=True, **kwargs) -> ComparisonTable:
    """Build the comparison table of chapter 11 from the activation registry.

    ``names`` defaults to every registered activation; ``measure=False`` skips the timing
    (the property columns only). Other keywords go to :func:`comparison_rows`.
    """
    return ComparisonTable(comparison_rows(names=names, measure=measure, **kwargs))


# ---------------------------------------------------------------------------------------------
# Chapter 11: every activation at a glance
# ---------------------------------------------------------------------------------------------
#: The registry's activations in groups of at most six, one figure each in chapter 11.
ACTIVATION_GROUPS = (
    ("classic and bounded units", ("identity", "binary_step", "sigmoid", "tanh", "hard_tanh")),
    ("the ReLU family", ("relu", "leaky_relu", "prelu", "rrelu", "elu", "selu")),
    ("smooth units", ("softplus", "swish", "mish", "gelu", "gelu_tanh")),
    ("units with several pre-activations", ("maxout", "softmax", "glu", "reglu", "geglu",
                                            "swiglu")),
)


def activation_groups(all_names=None, size: int = 6) -> list[tuple[str, list[str]]]:
    """:data:`ACTIVATION_GROUPS` restricted to ``all_names`` (default: every registered
    activation), with any activation no group names added in groups of ``size`` called
    "other units", so that every activation is drawn exactly once (chapter 11)."""
    from .activations import names as registered

    all_names = list(registered() if all_names is None else all_names)
    groups = [(title, [n for n in members if n in all_names])
              for title, members in ACTIVATION_GROUPS]
    groups = [(t, m) for t, m in groups if m]
    placed = {n for _, m in groups for n in m}
    rest = [n for n in all_names if n not in placed]
    for i in range(0, len(rest), size):
        groups.append(("other units", rest[i:i + size]))
    return groups


def _panel_title(act, name) -> str:
    import textwrap

    params = ", ".join(f"{k}={v:.3g}" for k, v in act.values.items())
    return "\n".join(textwrap.wrap(name + (f" ({params})" if params else ""), 22))


def plot_activation_panels(names, ncols: int = 3, width: float = 9.0, fontsize: float = 11):
    """Every activation in ``names`` and its derivative on ``z in [-4, 4]``, one panel each
    (chapter 11): the function as a solid line, the derivative dashed, so the two differ in
    style as well as colour. Maxout is drawn over the two pieces ``z`` and ``z/4``, softmax as
    its first probability for the logits ``(z, 0, 0)``, a gated unit ``u g(v)`` with ``u = 1``
    and gate ``v = z``. Returns the figure, ``width`` inches wide."""
    import matplotlib.pyplot as plt

    from .activations import get

    names = list(names)
    nrows = max(1, math.ceil(len(names) / ncols))
    z = np.linspace(-4, 4, 801)
    f_style = dict(color="#0072B2", lw=2, ls="-")
    d_style = dict(color="#D55E00", lw=1.8, ls="--")
    with plt.rc_context({"font.size": fontsize, "axes.titlesize": fontsize,
                         "legend.fontsize": fontsize}):
        fig, axes = plt.subplots(nrows, ncols, figsize=(width, 2.6 * nrows + 0.5),
                                 layout="constrained", squeeze=False)
        for ax, name in zip(axes.flat, names):
            act = get(name)
            title = _panel_title(act, name)
            if act.elementwise:
                f, d = act(z), act.derivative(z)
            elif act.kind == "grouped":
                pieces = np.stack([z, z / 4], axis=-1)  # one unit, k = 2 pieces
                f, cache = act.layer_forward(pieces, k=2)
                g = act.layer_backward(cache, np.ones_like(f))
                f, d = f[:, 0], g[:, 0] + g[:, 1] / 4
                title = "maxout of z and z/4"
            elif act.kind == "gated":  # u g(v)
                pair = np.stack([np.ones_like(z), z], axis=-1)  # u = 1, v = z
                f, cache = act.layer_forward(pair)
                g = act.layer_backward(cache, np.ones_like(f))  # [dphi/du, dphi/dv]
                f, d = f[:, 0], g[:, 1]
                title = f"{name}: u = 1, gate v = z"
            elif act.kind == "vector":
                logits = np.stack([z, np.zeros_like(z), np.zeros_like(z)], axis=-1)
                f, d = act(logits)[:, 0], act.jacobian(logits)[:, 0, 0]
                title = "softmax: p1 of (z, 0, 0)"
            else:
                raise ValueError(f"plot_activation_panels cannot draw {name!r}")
            ax.plot(z, f, label=r"function $\phi$", **f_style)
            ax.plot(z, d, label=r"derivative", **d_style)
            ax.axhline(0, color="#7f7f7f", lw=0.6)
            ax.axvline(0, color="#7f7f7f", lw=0.6)
            ax.set_title(title)
            ax.grid(alpha=0.25)
        for ax in list(axes.flat)[len(names):]:
            ax.axis("off")
        fig.legend(*axes.flat[0].get_legend_handles_labels(), loc="outside lower center",
                   ncol=2, frameon=False)
    return fig


# ---------------------------------------------------------------------------------------------
# Chapter 11: what chapter 9's digits runs say, as guarded statements
# ---------------------------------------------------------------------------------------------
def digits_summary(rows, init: str = "he") -> dict:
    """Per activation (chapter 11), the runs of chapter 9's sweep (``data/digits_comparison_runs.csv`` rows,
    strings or numbers) with initialisation ``init``: the steps to 0.9 test accuracy of the
    seeds that reached it, how many did, and the final accuracies and dead-unit fractions."""
    out: dict = {}
    for r in rows:
        if str(r["init"]) != init:
            continue
        s = out.setdefault(str(r["activation"]), {"steps": [], "n": 0, "acc": [], "dead": []})
        s["n"] += 1
        steps = r["iters_to_0.9"]
        if steps not in ("", None, "nan") and not (isinstance(steps, float) and math.isnan(steps)):
            s["steps"].append(float(steps))
        s["acc"].append(float(r["final_accuracy"]))
        s["dead"].append(float(r["dead_units"]))
    if not out:
        raise LookupError(f"no runs with init={init!r}")
    for s in out.values():
        s["reached"] = len(s["steps"])
        s["median_steps"] = float(np.median(s["steps"])) if s["steps"] else math.nan
        acc = np.array(s["acc"])
        s.update(acc_mean=float(acc.mean()), acc_sd=float(acc.std()), acc_min=float(acc.min()),
                 acc_max=float(acc.max()), dead_mean=float(np.mean(s["dead"])))
    return out


def digits_numbers(summary: dict) -> dict:
    """The numbers chapter 11 quotes from :func:`digits_summary` (``summary`` must include
    ReLU, leaky ReLU and tanh). The slowest activation is the one with the largest median
    number of steps; the others are every activation but that one."""
    finite = {a: s for a, s in summary.items() if s["steps"]}
    slowest = max(finite, key=lambda a: finite[a]["median_steps"])
    others = {a: s for a, s in summary.items() if a != slowest}
    medians = [s["median_steps"] for s in others.values() if s["steps"]]
    accs = [s["acc_mean"] for s in others.values()]
    best = max(s["acc_mean"] for s in summary.values())
    return {
        "digits_slowest": slowest,
        "digits_seeds": min(s["n"] for s in summary.values()),
        "digits_slow_ratio": finite[slowest]["median_steps"] / summary["relu"]["median_steps"],
        "digits_relu_steps": summary["relu"]["median_steps"],
        "digits_tanh_steps": summary["tanh"]["median_steps"],
        "digits_others_lo": min(medians), "digits_others_hi": max(medians),
        "digits_spread_others": 100 * (max(accs) - min(accs)),
        "digits_slowest_gap": 100 * (best - summary[slowest]["acc_mean"]),
        "digits_relu_dead": 100 * summary["relu"]["dead_mean"],
        "digits_leaky_dead": 100 * summary["leaky_relu"]["dead_mean"],
        # the evidence behind the verdicts below
        "_slowest_fastest_seed": min(finite[slowest]["steps"]),
        "_others_slowest_seed": max(max(s["steps"]) for s in others.values() if s["steps"]),
        "_others_overlap": (max(min(s["steps"]) for s in others.values() if s["steps"])
                            <= min(max(s["steps"]) for s in others.values() if s["steps"])),
        "_relu_slowest_seed": max(summary["relu"]["steps"]),
        "_slowest_best_acc": summary[slowest]["acc_max"],
        "_others_worst_acc": min(s["acc_min"] for s in others.values()),
        "_all_reached": all(s["reached"] == s["n"] for s in summary.values()),
    }


def digits_facts(n: dict) -> list:
    """The statements chapter 11 makes about chapter 9's runs, on :func:`digits_numbers`."""
    from .facts import fact

    return [
        fact("digits.sigmoid-slowest-in-every-seed",
             "the sigmoid is the slowest: its fastest seed needs more steps than any other "
             "activation's slowest", n["digits_slowest"] == "sigmoid"
             and n["_slowest_fastest_seed"] > n["_others_slowest_seed"],
             f"slowest {n['digits_slowest']}: {n['_slowest_fastest_seed']:.0f} steps at best, "
             f"others at most {n['_others_slowest_seed']:.0f}"),
        fact("digits.others-overlap",
             "the other activations' seed ranges of steps overlap: no winner among them",
             n["_others_overlap"], f"medians {n['digits_others_lo']:.0f} to "
             f"{n['digits_others_hi']:.0f}"),
        fact("digits.tanh-keeps-up",
             "tanh's median is within ReLU's range of seeds or faster",
             n["digits_tanh_steps"] <= n["_relu_slowest_seed"],
             f"tanh {n['digits_tanh_steps']:.0f}, ReLU's slowest seed "
             f"{n['_relu_slowest_seed']:.0f}"),
        fact("digits.sigmoid-ends-lower",
             "the sigmoid's best seed ends below every other activation's worst",
             n["_slowest_best_acc"] < n["_others_worst_acc"],
             f"{n['_slowest_best_acc']:.3f} against {n['_others_worst_acc']:.3f}"),
        fact("digits.every-seed-reaches",
             "every seed of every activation reaches 0.9 within the budget", n["_all_reached"]),
        fact("digits.relu-dies-leaky-less",
             "some ReLU units die; leaky ReLU loses fewer",
             n["digits_relu_dead"] > 0 and n["digits_leaky_dead"] < n["digits_relu_dead"],
             f"ReLU {n['digits_relu_dead']:.1f} %, leaky {n['digits_leaky_dead']:.1f} %"),
    ]


def cost_facts(rows) -> list:
    """The statements chapter 11 makes about the measured costs (:func:`comparison_rows` with
    timings): ReLU is in the cheaper half of the table, and the smooth units GELU, swish and
    mish cost at least three times as much as ReLU. Timings vary between machines, so the
    thresholds leave a wide margin."""
    from .facts import fact

    total = {r["name"]: r["forward_ns"] + r["backward_ns"] for r in rows}
    rank = sorted(total, key=total.get).index("relu")
    smooth = {n: total[n] / total["relu"] for n in ("gelu", "swish", "mish") if n in total}
    return [
        fact("cost.relu-among-cheapest", "ReLU is among the cheapest activations in the table",
             rank < len(total) / 2, f"ReLU is number {rank + 1} of {len(total)}"),
        fact("cost.smooth-units-dearer",
             "GELU, swish and mish cost many times as much as ReLU (at least 3x)",
             len(smooth) == 3 and min(smooth.values()) >= 3,
             ", ".join(f"{n} {v:.1f}x" for n, v in smooth.items())),
    ]


# ---------------------------------------------------------------------------------------------
# Chapter 11: where the measured costs hold
# ---------------------------------------------------------------------------------------------
def cost_scope(names=("relu", "gelu", "swish", "mish"), n: int = 2 ** 22,
               widths=(256, 1024), batch: int = 256, block: int = 8192, repeats: int = 5,
               dtype=np.float32, seed: int = 0, clock=None) -> dict:
    """What the costs of the comparison table are made of, in nanoseconds per element on one
    thread (chapter 11). Returns a dict with

    * ``copy``: copying ``n`` elements into a ready array, one read and one write each: the
      least any elementwise kernel limited by memory traffic can cost;
    * ``whole[name]``: the activation's forward on the whole array, as the engine calls it;
      in numpy every operation of the formula is a separate pass over the array, with its
      intermediate result written to memory and read back;
    * ``blocked[name]``: the same forward applied to blocks of ``block`` elements, small
      enough to stay in the processor's cache, so the intermediate results never reach main
      memory: the saving in memory traffic that fusing the operations into one pass would
      bring, with the arithmetic unchanged;
    * ``matmul[w]``: a layer's matrix product ``a @ W.T`` for a batch of ``batch`` examples and
      ``w`` inputs and outputs, per output element (``w`` multiply-adds each).

    Every time is the fastest of ``repeats`` runs, on ``clock`` (default: the thread's CPU
    time, as :func:`measure_cost`), with BLAS limited to one thread so that the thread's CPU
    time is all of the work.
    """
    from threadpoolctl import threadpool_limits

    from .activations import get

    clock = _clock if clock is None else clock
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(n).astype(dtype)
    out = np.empty_like(z)

    def fastest(run, count):
        run()  # warm-up
        best = math.inf
        for _ in range(repeats):
            t0 = clock()
            run()
            best = min(best, clock() - t0)
        return best / count * 1e9

    result = {"n": n, "block": block, "batch": batch, "whole": {}, "blocked": {}, "matmul": {}}
    with threadpool_limits(1):
        result["copy"] = fastest(lambda: np.copyto(out, z), n)
        for name in names:
            act = get(name)

            def blocked(act=act):
                for i in range(0, n, block):
                    out[i:i + block] = act.forward(z[i:i + block])

            result["whole"][name] = fastest(lambda act=act: act.forward(z), n)
            result["blocked"][name] = fastest(blocked, n)
        for w in widths:
            a = rng.standard_normal((batch, w)).astype(dtype)
            W = rng.standard_normal((w, w)).astype(dtype)
            result["matmul"][w] = fastest(lambda a=a, W=W: a @ W.T, batch * w)
    return result


def cost_scope_facts(s: dict) -> list:
    """The statements chapter 11 makes about :func:`cost_scope`: ReLU costs a few memory
    copies (at most 4); GELU, swish and mish stay at least twice ReLU's cost even block by block
    in cache (in numpy their cost is arithmetic, not only memory traffic); and ReLU costs less
    than the matrix product of the narrowest layer measured. Margins are wide: timings vary
    between machines."""
    from .facts import fact

    relu = s["whole"]["relu"]
    smooth = {k: v / relu for k, v in s["blocked"].items() if k != "relu"}
    w = min(s["matmul"])
    return [
        fact("scope.relu-near-copy", "ReLU costs at most 4 copies of its input",
             relu <= 4 * s["copy"], f"ReLU {relu:.2f} ns, copy {s['copy']:.2f} ns"),
        fact("scope.blocked-smooth-dearer",
             "the smooth units cost at least twice ReLU even with their passes in cache",
             bool(smooth) and min(smooth.values()) >= 2,
             ", ".join(f"{k} {v:.1f}x" for k, v in smooth.items())),
        fact("scope.relu-below-matmul",
             f"ReLU costs less than a {w}-wide layer's matrix product per element",
             relu < s["matmul"][w], f"ReLU {relu:.2f} ns, matmul {s['matmul'][w]:.2f} ns"),
    ]
