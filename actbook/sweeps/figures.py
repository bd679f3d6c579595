"""The figures of chapter 8, drawn from the stored sweeps.

Every figure is :data:`WIDTH` inches wide, the text column of the HTML book (688 CSS px) at the
72 CSS px per inch at which :func:`actbook.plotting.use_book_style` shows figures, with fonts of
10.5 points or more, so no text is smaller than 10.5 CSS px on the page. Colours come from Okabe and Ito's colour-blind-safe
palette, and every contrast is carried by a line style or a marker as well. Each function takes
the sweep's reader (``Speeds``, ``Clipping``, ``Study``) or a data folder and returns the figure.
"""
from __future__ import annotations

import numpy as np

from ..plotting import COLUMN_INCHES
from ..results import band, fill_band, per_seed, read_table

__all__ = ["OKABE_ITO", "STYLE", "WIDTH", "ACTIVATION_STYLE", "VARIANT_STYLE", "INIT_LABEL",
           "VARIANT_LABEL", "ACTIVATION_LABEL", "CHANCE", "styled", "layer_speed",
           "remedies_at_init", "clipping", "depth_plain", "depth_remedies"]

#: Okabe and Ito's colour-blind-safe palette (Okabe and Ito, *Color Universal Design*, 2008).
OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9",
             "bluish_green": "#009E73", "yellow": "#F0E442", "blue": "#0072B2",
             "vermillion": "#D55E00", "reddish_purple": "#CC79A7"}

#: Figure width in inches: the text column (688 CSS px at 72 px per inch).
WIDTH = COLUMN_INCHES
#: heights are given for a figure 6.9 inches wide and scaled with the width
_H = WIDTH / 6.9

#: Fonts of at least 10.5 points, white backgrounds (readable in dark mode and in print).
STYLE = {"font.size": 11.0, "axes.titlesize": 11.5, "axes.labelsize": 11.0,
         "xtick.labelsize": 10.5, "ytick.labelsize": 10.5, "legend.fontsize": 10.5,
         "legend.title_fontsize": 10.5, "figure.titlesize": 12.0, "lines.linewidth": 1.8,
         "lines.markersize": 5.5, "figure.facecolor": "white", "axes.facecolor": "white",
         "savefig.facecolor": "white", "axes.grid": True, "grid.alpha": 0.3}

#: colour, line style and marker per activation
ACTIVATION_STYLE = {
    "sigmoid": dict(color=OKABE_ITO["vermillion"], linestyle="-", marker="o"),
    "tanh": dict(color=OKABE_ITO["blue"], linestyle="--", marker="s"),
    "relu": dict(color=OKABE_ITO["bluish_green"], linestyle="-.", marker="^"),
    "elu": dict(color=OKABE_ITO["orange"], linestyle=":", marker="D"),
    "leaky_relu": dict(color=OKABE_ITO["reddish_purple"], linestyle=(0, (6, 2)), marker="v"),
}
#: colour, line style and marker per remedy
VARIANT_STYLE = {
    "plain": dict(color=OKABE_ITO["black"], linestyle="--", marker="o"),
    "batch_norm": dict(color=OKABE_ITO["blue"], linestyle="-", marker="s"),
    "residual": dict(color=OKABE_ITO["vermillion"], linestyle="-.", marker="^"),
    "batch_norm+residual": dict(color=OKABE_ITO["bluish_green"], linestyle=":", marker="D"),
}
INIT_LABEL = {"normal-0.01": "N(0, 0.01²)", "normal-1": "N(0, 1)", "lecun": "LeCun",
              "xavier": "Xavier", "he": "He"}
VARIANT_LABEL = {"plain": "plain", "batch_norm": "batch norm", "residual": "residual",
                 "batch_norm+residual": "batch norm + residual"}
ACTIVATION_LABEL = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "elu": "ELU",
                    "leaky_relu": "leaky ReLU"}


def styled():
    """A context in which the figures are drawn with :data:`STYLE` (chapter 8)."""
    import matplotlib.pyplot as plt

    return plt.rc_context(STYLE)


def _legend_below(fig, handles, ncol, **kw):
    fig.legend(handles=handles, loc="outside lower center", ncol=ncol, frameon=False, **kw)


def layer_speed(speeds):
    """Learning speed of every layer during training, one panel per initialisation (N(0, 1),
    Xavier, He), one line per activation (median over the seeds, band: their range).
    A network in which a seed diverged has no speed and is left out. ``speeds``: a
    :class:`~actbook.sweeps.layer_speed.Speeds` (chapter 8)."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    c = speeds.config
    inits = c["inits"]
    with styled():
        fig, axes = plt.subplots(1, len(inits), figsize=(WIDTH, 3.4 * _H), sharey=True,
                                 layout="constrained")
        handles = []
        for ax, init in zip(axes, inits):
            for act in c["activations"]:
                sp = speeds.speed(act, init)
                if np.isnan(sp).any():  # a seed diverged: its speeds do not exist
                    continue
                layers = np.arange(1, sp.shape[1] + 1)
                fill_band(ax, layers, sp, geometric=True, markersize=5, **ACTIVATION_STYLE[act])
            ax.set_yscale("log")
            ax.set_title(f"{INIT_LABEL[init]} initialisation")
            ax.set_xlabel("layer")
            ax.set_xticks(range(1, c["depth"] + 2))
        axes[0].set_ylabel("learning speed\n‖∇W‖ / ‖W‖ per step")
        handles = [Line2D([], [], label=ACTIVATION_LABEL[a], **ACTIVATION_STYLE[a])
                   for a in c["activations"]]
        _legend_below(fig, handles, len(handles))
    return fig


def remedies_at_init(data_dir=None, panels=(("sigmoid", "xavier"), ("relu", "normal-1"),
                                            ("relu", "he"))):
    """The error signal per layer of fresh deep networks, plain, with batch norm and with
    residual connections (``gradients_remedies.csv`` in ``data_dir``), one panel per
    (activation, initialisation): geometric mean over the seeds, band: their range (chapter 8)."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from .gradients import FILES as GFILES

    rem = read_table(GFILES[1], data_dir)
    variants = ("plain", "batch_norm", "residual")
    with styled():
        fig, axes = plt.subplots(1, len(panels), figsize=(WIDTH, 3.3 * _H), sharey=True,
                                 layout="constrained")
        for ax, (act, init) in zip(axes, panels):
            for v in variants:
                d = per_seed(rem, "delta_norm", activation=act, init=init, variant=v)
                fill_band(ax, np.arange(1, d.shape[1] + 1), d, geometric=True, markersize=4,
                          markevery=3, **VARIANT_STYLE[v])
            ax.set_yscale("log")
            ax.set_title(f"{ACTIVATION_LABEL[act]}, {INIT_LABEL[init]}")
            ax.set_xlabel("layer")
        axes[0].set_ylabel("error signal ‖δ‖ at layer")
        handles = [Line2D([], [], label=VARIANT_LABEL[v], **VARIANT_STYLE[v])
                   for v in variants]
        _legend_below(fig, handles, len(handles))
    return fig


def clipping(clip):
    """Clipping against the learning rate: the share of seeds that failed (left) and the
    final test accuracy of the others (right, median and range), without clipping and with
    each threshold. ``clip``: a :class:`~actbook.sweeps.clipping.Clipping` (chapter 8)."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    styles = [dict(color=OKABE_ITO["black"], linestyle="--", marker="o"),
              dict(color=OKABE_ITO["vermillion"], linestyle="-.", marker="^"),
              dict(color=OKABE_ITO["blue"], linestyle="-", marker="s")]
    settings = [None] + sorted(clip.thresholds, reverse=True)
    labels = ["no clipping"] + [f"clip ‖g‖ at {t:g}" for t in settings[1:]]
    lrs = np.array(clip.lrs)
    with styled():
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(WIDTH, 3.3 * _H), layout="constrained")
        for t, st in zip(settings, styles):
            sums = [clip.summary(lr, t) for lr in lrs]
            ax1.plot(lrs, [s.failed for s in sums], **st)
            ok = np.array([s.ok > 0 for s in sums])
            med = np.array([s.median for s in sums])
            lo = np.array([s.low for s in sums])
            hi = np.array([s.high for s in sums])
            if ok.any():
                (h,) = ax2.plot(lrs[ok], med[ok], **st)
                ax2.fill_between(lrs[ok], lo[ok], hi[ok], color=h.get_color(), alpha=0.18,
                                 linewidth=0)
        ax1.set_ylabel(f"seeds that failed (of {clip.seeds})")
        ax2.set_ylabel("test accuracy (seeds that trained)")
        ax2.set_ylim(0, 1)
        for ax in (ax1, ax2):
            ax.set_xscale("log")
            ax.set_xticks(lrs, [f"{lr:g}" for lr in lrs])
            ax.minorticks_off()
            ax.set_xlabel("learning rate")
        handles = [Line2D([], [], label=lab, **st) for lab, st in zip(labels, styles)]
        _legend_below(fig, handles, len(handles))
    return fig


#: where a diverged run is drawn: at chance, a tenth of the digits right
CHANCE = 0.1


def _accuracies(study, act, init, variant, lr, depths) -> np.ndarray:
    """(seeds, depths) final test accuracies; a diverged run counts as chance (0.1)."""
    cols = [study.runs(act, init, variant, d, lr).column("val_accuracy") for d in depths]
    return np.nan_to_num(np.array(cols).T, nan=CHANCE)


def _depth_axes(ax, study, depths):
    ax.set_xscale("log", base=2)
    ax.set_xticks(depths, [str(d) for d in depths])
    ax.minorticks_off()
    ax.set_xlabel("hidden layers")
    ax.set_ylim(0, 1.02)
    ax.axhline(study.threshold, color="0.3", linewidth=0.9, linestyle=":")


def depth_plain(study):
    """Test accuracy after training against depth, plain networks: one panel for Xavier's
    and one for He's initialisation, one line per activation (median over the seeds, a
    diverged run counted at chance; band: their range). ``study``: a
    :class:`~actbook.sweeps.depth.Study` (chapter 8)."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    pairs = [tuple(p) for p in study.config["plain"]["pairs"]]
    depths = np.array(study.depths)
    with styled():
        fig, axes = plt.subplots(1, 2, figsize=(WIDTH, 3.4 * _H), sharey=True,
                                 layout="constrained")
        for ax, init in zip(axes, ("xavier", "he")):
            for act, i in pairs:
                if i == init:
                    fill_band(ax, depths, _accuracies(study, act, i, "plain", study.lr, depths),
                              **ACTIVATION_STYLE[act])
            _depth_axes(ax, study, depths)
            ax.set_title(f"{INIT_LABEL[init]} initialisation")
        axes[0].set_ylabel("test accuracy after training")
        acts = list(dict.fromkeys(a for a, _ in pairs))
        handles = [Line2D([], [], label=ACTIVATION_LABEL[a], **ACTIVATION_STYLE[a])
                   for a in acts]
        _legend_below(fig, handles, len(handles))
    return fig


def depth_remedies(study):
    """Test accuracy after training against depth with the remedies: a panel per activation
    (with its customary initialisation), a line per remedy (median over the seeds, a diverged
    run counted at chance; band: their range), at the sweep's learning rate (chapter 8)."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    depths = np.array(study.depths)
    variants = ["plain"] + list(study.config["remedies"]["variants"])
    with styled():
        fig, axes = plt.subplots(1, len(study.pairs), figsize=(WIDTH, 3.5 * _H), sharey=True,
                                 layout="constrained")
        for ax, (act, init) in zip(axes, study.pairs):
            for v in variants:
                fill_band(ax, depths, _accuracies(study, act, init, v, study.lr, depths),
                          alpha=0.12, **VARIANT_STYLE[v])
            _depth_axes(ax, study, depths)
            ax.set_title(f"{ACTIVATION_LABEL[act]}, {INIT_LABEL[init]}")
        axes[0].set_ylabel("test accuracy after training")
        handles = [Line2D([], [], label=VARIANT_LABEL[v], **VARIANT_STYLE[v]) for v in variants]
        _legend_below(fig, handles, 2)
    return fig
