"""Figures of the MNIST comparison (chapter 9): sample digits and the stored sweep's results.

Sized for the book's text column (6.9 inches wide) with text of at least 11 pt. Colours are
Okabe and Ito's colour-blind-safe palette, and every activation also has its own marker and
line style, so the figures still read in greyscale and in print. Images are drawn dark ink on
a white background whatever the page's theme, as the digits were scanned.
"""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.ticker import LogLocator, NullFormatter

__all__ = ["OKABE_ITO", "STYLE", "style_of", "plot_sample_digits", "plot_iterations_to_target"]

#: Okabe and Ito's eight colours (yellow left out: too pale on white)
OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9",
             "green": "#009E73", "blue": "#0072B2", "vermillion": "#D55E00",
             "purple": "#CC79A7", "grey": "#999999"}

#: colour, marker and line style of each activation in these figures
STYLE = {
    "sigmoid": (OKABE_ITO["vermillion"], "o", "-"),
    "tanh": (OKABE_ITO["orange"], "s", "--"),
    "relu": (OKABE_ITO["blue"], "^", "-"),
    "leaky_relu": (OKABE_ITO["sky_blue"], "v", ":"),
    "elu": (OKABE_ITO["green"], "D", "-."),
    "gelu": (OKABE_ITO["purple"], "P", (0, (5, 1, 1, 1))),
    "swish": (OKABE_ITO["black"], "X", (0, (1, 1))),
}
_OTHER = [(OKABE_ITO["grey"], m, "-") for m in "*hp<>"]

WIDTH = 6.9  # inches: the text column
FONT = 11  # pt: the smallest text in these figures


def style_of(name: str, index: int = 0):
    """``(colour, marker, linestyle)`` of an activation in the chapter 9 figures."""
    return STYLE.get(name, _OTHER[index % len(_OTHER)])


def _rc():
    return plt.rc_context({"font.size": FONT, "axes.titlesize": FONT, "axes.labelsize": FONT,
                           "xtick.labelsize": FONT, "ytick.labelsize": FONT,
                           "legend.fontsize": FONT, "figure.facecolor": "white",
                           "axes.facecolor": "white", "savefig.facecolor": "white"})


def plot_sample_digits(images, labels, per_digit: int = 2, seed: int = 0):
    """A grid of MNIST digits: one column per digit 0-9, ``per_digit`` random examples each.

    ``images`` (n, 28, 28) or (n, 784), raw bytes or scaled to [0, 1]; ``labels`` (n,).
    The examples are drawn by a generator seeded with ``seed``. Each panel's label
    (``ax.get_label()``) is its digit. Returns the Figure. Chapter 9.
    """
    images = np.asarray(images)
    labels = np.asarray(labels)
    if images.ndim == 2 and images.shape[1] == 784:
        images = images.reshape(-1, 28, 28)
    if images.ndim != 3 or len(images) != len(labels):
        raise ValueError(f"expected images (n, 28, 28) and n labels, got {images.shape} and "
                         f"{labels.shape}")
    if per_digit < 1:
        raise ValueError(f"per_digit must be at least 1, got {per_digit}")
    vmax = 255 if images.max() > 1 else 1
    rng = np.random.default_rng(seed)
    with _rc():
        fig, axes = plt.subplots(per_digit, 10, figsize=(WIDTH, 0.78 * per_digit + 0.35),
                                 squeeze=False, gridspec_kw={"wspace": 0.08, "hspace": 0.08})
        for digit in range(10):
            pool = np.flatnonzero(labels == digit)
            if len(pool) < per_digit:
                raise ValueError(f"only {len(pool)} images of digit {digit}, need {per_digit}")
            for row, i in enumerate(rng.choice(pool, size=per_digit, replace=False)):
                ax = axes[row, digit]
                ax.imshow(images[i], cmap="gray_r", vmin=0, vmax=vmax, interpolation="nearest")
                ax.set_xticks([])
                ax.set_yticks([])
                ax.set_label(str(digit))
                for spine in ax.spines.values():
                    spine.set_color(OKABE_ITO["grey"])
            axes[0, digit].set_title(str(digit), pad=3)
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=1 - 0.3 / fig.get_figheight())
    return fig


def _label(name: str) -> str:
    from .activations import get

    try:
        return get(name).label
    except Exception:  # an unregistered name in stored data: show it as it is
        return name


def plot_iterations_to_target(runs, activations=None, thresholds=(0.8, 0.9, 0.95),
                              total_steps=None):
    """Iterations each seed needed to reach each target test accuracy (chapter 9).

    ``runs``: rows with ``activation``, ``seed`` and ``iters_to_<t>`` (``None`` = never
    reached), as from :func:`actbook.sweeps.mnist.load`. One panel per target, one row per
    activation, one marker per seed on a logarithmic axis, a bar at the median of the seeds
    that reached it. Seeds that never reached the target are drawn as hollow markers in a
    grey band at the right, labelled "never". ``total_steps`` (the iterations in the whole
    run) places that band; by default just past the largest count. Returns the Figure.
    """
    activations = list(activations or dict.fromkeys(r["activation"] for r in runs))
    reached = [r[f"iters_to_{t}"] for r in runs for t in thresholds
               if r[f"iters_to_{t}"] is not None]
    lo = max(1.0, 10 ** np.floor(np.log10(min(reached)))) if reached else 1.0
    hi = float(total_steps or (max(reached) if reached else 10.0))
    never_x = hi * 2.2
    with _rc():
        fig, axes = plt.subplots(1, len(thresholds), figsize=(WIDTH, 0.42 * len(activations) + 1.3),
                                 sharey=True, layout="constrained")
        axes = np.atleast_1d(axes)
        rows = np.arange(len(activations))[::-1]
        for ax, t in zip(axes, thresholds):
            ax.axvspan(hi * 1.45, hi * 3.3, color="0.88", lw=0)
            for y, (i, name) in zip(rows, enumerate(activations)):
                colour, marker, _ = style_of(name, i)
                values = [r[f"iters_to_{t}"] for r in runs if r["activation"] == name]
                got = np.array([v for v in values if v is not None], dtype=float)
                offsets = np.linspace(-0.22, 0.22, max(len(values), 1))
                k = 0
                for v in values:
                    if v is None:
                        ax.plot(never_x, y + offsets[k], marker=marker, ms=6, ls="none",
                                mfc="white", mec=colour, mew=1.4)
                    else:
                        ax.plot(v, y + offsets[k], marker=marker, ms=6, ls="none", color=colour,
                                mec="black", mew=0.4)
                    k += 1
                if got.size:
                    ax.plot([np.median(got)] * 2, [y - 0.34, y + 0.34], color="black", lw=1.6)
            ax.set_xscale("log")
            ax.set_xlim(lo * 0.7, hi * 3.3)
            ax.xaxis.set_major_locator(LogLocator(base=10, numticks=12))
            ax.xaxis.set_minor_formatter(NullFormatter())
            ax.set_title(f"to {t:g} test accuracy")
            ax.set_xlabel("iterations (log scale)")
            ax.grid(axis="x", alpha=0.3, which="major")
            ax.text(never_x, rows[0] + 0.75, "never", ha="center", va="bottom",
                    fontsize=FONT, color="0.25")
        axes[0].set_yticks(rows, [_label(a) for a in activations])
        axes[0].set_ylim(-0.7, len(activations) + 0.1)
    return fig

