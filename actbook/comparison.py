"""A comparison table of every registered activation, generated from the registry.

Introduced in chapter 7 (*Choosing an activation*). Each row holds the properties the
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
    """Format one property value for the table (chapter 7).

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
    with attributes (the registry's :class:`~actbook.activations.Properties`). Chapter 7."""
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

    Introduced in chapter 7. Times ``act.layer_forward`` and ``act.layer_backward`` (the
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

    Introduced in chapter 7. ``names`` defaults to every registered activation.
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
    """The comparison table of chapter 7: rows plus renderers (HTML in notebooks, Markdown).

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
    """Build the comparison table of chapter 7 from the activation registry.

    ``names`` defaults to every registered activation; ``measure=False`` skips the timing
    (the property columns only). Other keywords go to :func:`comparison_rows`.
    """
    return ComparisonTable(comparison_rows(names=names, measure=measure, **kwargs))
