"""Plot helpers shared by the chapters.

Engineers add functions at the end of this module; each docstring names its chapter.
"""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt

#: Colours used consistently: function, derivative, highlight.
COLORS = {"f": "#1f77b4", "df": "#d62728", "accent": "#2ca02c", "grey": "#7f7f7f"}


def plot_activation(act, z=None, ax=None, derivative=True, title=None, **params):
    """Plot an activation ``act`` (an :class:`~actbook.activations.Activation`) and its derivative.

    Introduced in chapter 1. Returns the axes.
    """
    if z is None:
        z = np.linspace(-5, 5, 801)
    z = np.asarray(z, dtype=float)
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2))
    ax.plot(z, act.forward(z, **params), color=COLORS["f"], lw=2, label=r"$\phi(z)$")
    if derivative and act.elementwise:
        ax.plot(z, act.derivative(z, **params), color=COLORS["df"], lw=1.6, ls="--",
                label=r"$\phi'(z)$")
    ax.axhline(0, color=COLORS["grey"], lw=0.6)
    ax.axvline(0, color=COLORS["grey"], lw=0.6)
    ax.set_xlabel("$z$")
    ax.set_title(title or act.label)
    ax.legend(frameon=False)
    ax.grid(alpha=0.25)
    return ax


# ---------------------------------------------------------------------------------------------
# Chapter 1 (models of neurons) and chapter 10 (universal approximation)
# ---------------------------------------------------------------------------------------------
def neuron_plane(w1, w2, b, activation, extent=(-1.5, 2.5), dpi=72):
    """One neuron with two inputs, ``a = phi(w1 x1 + w2 x2 + b)``, drawn
    over the input plane.

    Introduced in chapter 1 (the two-input neuron explorer). Shows the
    output as an image, the decision boundary ``z = 0`` (white line), the
    weight vector (white arrow, drawn from the point of the boundary
    nearest the origin) and the output at the four corners of the unit
    square. ``activation`` is a registry name or an
    :class:`~actbook.activations.Activation`. Returns the Figure (the
    caller shows or closes it).
    """
    from .activations import get

    act = get(activation) if isinstance(activation, str) else activation
    g = np.linspace(*extent, 161)
    x1, x2 = np.meshgrid(g, g)
    z = w1 * x1 + w2 * x2 + b
    a = act(z)
    fig, ax = plt.subplots(figsize=(4.6, 3.8), dpi=dpi)
    bounded = act.name in ("binary_step", "sigmoid")
    vmax = 1.0 if bounded else max(1.0, float(np.max(a)))
    im = ax.imshow(a, extent=(*extent, *extent), origin="lower",
                   cmap="viridis", vmin=0, vmax=vmax)
    fig.colorbar(im, ax=ax, label=r"output $a = \phi(z)$")
    if w1 != 0 or w2 != 0:
        wvec = np.array([w1, w2], dtype=float)
        # the point of the boundary nearest the origin
        foot = -b * wvec / (wvec @ wvec)
        along = 20 * np.array([-w2, w1], dtype=float) / np.linalg.norm(wvec)
        ax.plot([foot[0] - along[0], foot[0] + along[0]],
                [foot[1] - along[1], foot[1] + along[1]],
                color="w", lw=2)
        tip = foot + 0.6 * wvec / np.linalg.norm(wvec)
        ax.annotate("", xy=tip, xytext=foot,
                    arrowprops=dict(arrowstyle="->", color="w", lw=2))
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    a_corners = act(corners @ np.array([w1, w2], dtype=float) + b)
    ax.scatter(corners[:, 0], corners[:, 1], c="none", edgecolors="w",
               s=60, lw=1.5)
    for (c1, c2), ac in zip(corners, a_corners):
        ax.text(c1 + 0.08, c2 + 0.08, f"{ac:.2f}", color="k", fontsize=8,
                bbox=dict(boxstyle="round,pad=0.15", fc="w", ec="none",
                          alpha=0.75))
    ax.set_xlim(extent)
    ax.set_ylim(extent)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    # plain text: cheap per frame
    ax.set_title(f"{act.label}: w = ({w1:g}, {w2:g}), b = {b:g}",
                 fontsize=10)
    # fixed: cheap for many frames
    fig.subplots_adjust(left=0.13, right=0.97, bottom=0.13, top=0.92)
    return fig


def relu_sum_fit(x, y, breakpoints):
    """Best output layer for one hidden layer of ReLUs with fixed breakpoints (chapter 10).

    The network is ``g(x) = c_0 + sum_i c_i max(0, x - t_i)``: hidden weights 1, hidden biases
    ``-t_i``. Returns ``(c0, c)`` minimising the squared error on the samples ``(x, y)``.
    """
    from .activations import get

    t = np.asarray(breakpoints, dtype=float)
    features = np.column_stack([np.ones_like(x), get("relu")(x[:, None] - t[None, :])])
    coef, *_ = np.linalg.lstsq(features, y, rcond=None)
    return coef[0], coef[1:]


def relu_sum_figure(target, units, spread=1.0, shift=0.0, domain=(-2.0, 2.0), dpi=72):
    """A sum of ``units`` shifted ReLUs fitted to ``target`` on ``domain`` (chapter 10 explorer).

    The breakpoints are ``shift + spread * (evenly spaced points of the domain)``; the output
    weights are the least-squares best (:func:`relu_sum_fit`). Draws the target, the network,
    each unit's contribution (faint) and the breakpoints, with the largest error in the title.
    Returns the Figure.
    """
    from .activations import get

    units = int(round(units))  # a live slider may deliver a float
    lo, hi = domain
    x = np.linspace(lo, hi, 801)
    y = target(x)
    t = shift + spread * np.linspace(lo, hi, units + 2)[1:-1]
    c0, c = relu_sum_fit(x, y, t)
    parts = c[None, :] * get("relu")(x[:, None] - t[None, :])
    g = c0 + parts.sum(axis=1)
    err = np.max(np.abs(g - y))
    fig, ax = plt.subplots(figsize=(5.6, 3.9), dpi=dpi)
    ax.plot(x, y, color="k", lw=2.5, alpha=0.35, label="target $f$")
    ax.plot(x, g, color=COLORS["f"], lw=2, label=f"network, {units} ReLU unit{'s' if units > 1 else ''}")
    span = y.max() - y.min()
    ymin = max(min(y.min(), g.min()), y.min() - 0.5 * span) - 0.15 * span
    ymax = min(max(y.max(), g.max()), y.max() + 0.5 * span) + 0.1 * span
    inside = t[(t >= lo) & (t <= hi)]
    ax.plot(inside, np.full_like(inside, ymin + 0.04 * span), "^", color=COLORS["df"], ms=7,
            label="breakpoints")
    ax.set_xlim(lo, hi)
    ax.set_ylim(ymin, ymax)
    ax.set_xlabel("$x$")
    ax.set_ylabel("output")
    ax.set_title(f"largest error {err:.3f}", fontsize=10)
    ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3,
              columnspacing=1.0, handlelength=1.5)
    ax.grid(alpha=0.25)
    fig.subplots_adjust(left=0.14, right=0.98, bottom=0.25, top=0.92)  # fixed: cheap for many frames
    return fig


def html_table(rows, columns=None, caption=None):
    """A list of dicts as an HTML table for notebooks and the book (chapter 9).

    Values are shown as given (format them first; a newline in a value starts a new line in
    its cell); ``columns`` picks and orders the keys. Returns an
    :class:`IPython.display.HTML` object.
    """
    import html

    from IPython.display import HTML

    rows = list(rows)
    if not rows:
        raise ValueError("html_table needs at least one row")
    columns = list(columns or rows[0].keys())
    missing = [c for c in columns if any(c not in r for r in rows)]
    if missing:
        raise KeyError(f"html_table: some rows lack the column(s) {missing}")
    def cell(value):
        return "<br>".join(html.escape(line) for line in str(value).split("\n"))

    head = "".join(f"<th>{cell(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell(r[c])}</td>" for c in columns) + "</tr>"
        for r in rows
    )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return HTML(f'<table class="actbook-table">{cap}<thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table>")
