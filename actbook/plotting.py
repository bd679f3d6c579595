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
