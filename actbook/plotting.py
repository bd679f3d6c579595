"""Plot helpers shared by the chapters, and the book's figure style.

Engineers add functions at the end of this module; each docstring names its chapter.

The figure style (chapter 1 introduces it; every chapter calls :func:`use_book_style` once)
---------------------------------------------------------------------------------------------
* **Size by share of the text column.** The text column of the HTML book is about
  :data:`COLUMN_PX` CSS pixels wide in a 1280-pixel window. :func:`book_figure` makes a figure
  ``share * COLUMN_INCHES`` inches wide, at :data:`PX_PER_INCH` CSS px per inch, so that one
  point of figure text is one CSS pixel on the page: a 10.5-point tick label reads as 10.5 px.
* **No text below** :data:`MIN_TEXT_PX` **CSS px.** The fonts of :data:`BOOK_RC` are all at least
  10.5 pt. Every figure a chapter shows goes through :func:`figure_png`, which measures the
  smallest text on it and writes that size into the PNG (``actbook:min-text-pt``); the
  browser test reads it back and fails on a figure whose text the reader sees smaller than
  :data:`MIN_TEXT_PX` (a figure wider than the column is scaled down, and its text with it).
* **High-dpi PNG**, :data:`SAVE_DPI` (two image pixels per CSS pixel), shown at its CSS size.
* **Opaque white background**, so figures stay readable in the theme's dark mode.
* **One colour-blind-safe palette** (Okabe and Ito's), as the default cycle *together with*
  line styles: the n-th line of an axes differs from the others in colour and in dash pattern,
  so no contrast depends on colour alone. :func:`series_style` adds a marker as well.
"""
from __future__ import annotations

import io
import math
import warnings

import numpy as np
import matplotlib.pyplot as plt
from cycler import cycler

#: Width of the book's text column in CSS px in a 1280-px window (book_assets/book.css and
#: the theme; measured in the browser test).
COLUMN_PX = 688
#: Smallest size, in CSS px, that any text on a figure may have on the page.
MIN_TEXT_PX = 10.0
#: Figure inches to CSS px when a figure is shown at its share of the column: 1 pt = 1 px.
PX_PER_INCH = 72
#: The text column in figure inches.
COLUMN_INCHES = COLUMN_PX / PX_PER_INCH
#: Resolution of the PNG files: two image pixels per CSS pixel.
SAVE_DPI = 2 * PX_PER_INCH

#: Okabe and Ito's colour-blind-safe palette (Okabe and Ito, *Color Universal Design*, 2008).
OKABE_ITO = {
    "blue": "#0072B2", "vermillion": "#D55E00", "bluish_green": "#009E73",
    "orange": "#E69F00", "reddish_purple": "#CC79A7", "sky_blue": "#56B4E9",
    "black": "#000000", "yellow": "#F0E442",
}
#: The default colour cycle (yellow left out: too pale on white for lines).
PALETTE = [OKABE_ITO[k] for k in ("blue", "vermillion", "bluish_green", "orange",
                                  "reddish_purple", "sky_blue", "black")]
#: Dash patterns that go with :data:`PALETTE`, one each: the cycle pairs them.
LINESTYLES = ["-", "--", "-.", ":", (0, (6, 2, 1, 2, 1, 2)), (0, (9, 3)), (0, (1, 3))]
#: Markers for :func:`series_style` (for points, or a few marks along a curve).
MARKERS = ["o", "s", "^", "D", "v", "P", "X"]
#: Colours used consistently: function, derivative, highlight, neutral.
COLORS = {"f": OKABE_ITO["blue"], "df": OKABE_ITO["vermillion"],
          "accent": OKABE_ITO["bluish_green"], "grey": "#6b6b6b"}

#: The book's matplotlib settings (:func:`use_book_style` applies them).
BOOK_RC = {
    "axes.prop_cycle": cycler(color=PALETTE) + cycler(linestyle=LINESTYLES),
    "font.size": 11.0,
    "axes.titlesize": 11.5,
    "axes.labelsize": 11.0,
    "xtick.labelsize": 10.5,
    "ytick.labelsize": 10.5,
    "legend.fontsize": 10.5,
    "legend.title_fontsize": 10.5,
    "figure.titlesize": 12.0,
    "figure.labelsize": 11.0,
    "lines.linewidth": 1.8,
    "legend.framealpha": 0.9,
    "legend.edgecolor": "0.8",
    "figure.facecolor": "white",
    "figure.edgecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.edgecolor": "white",
    "savefig.transparent": False,
    "figure.dpi": PX_PER_INCH,
    "savefig.dpi": SAVE_DPI,
    "figure.figsize": (0.75 * COLUMN_INCHES, 0.42 * 0.75 * COLUMN_INCHES),
    "image.cmap": "viridis",
}


_WARNED: dict = {}   # warnings already shown (one per message, not one per frame)


def figure_size(share: float = 1.0, aspect: float | None = None,
                height: float | None = None) -> tuple[float, float]:
    """``(width, height)`` in inches of a figure that fills ``share`` of the text column.

    Introduced in chapter 1. ``height`` (inches, 72 CSS px each) wins over ``aspect``
    (height / width, default 0.42).
    """
    if not (isinstance(share, (int, float)) and 0.1 <= share <= 1.0):
        raise ValueError(f"share is the fraction of the text column a figure fills, between "
                         f"0.1 and 1; got {share!r}")
    width = share * COLUMN_INCHES
    if height is None:
        aspect = 0.42 if aspect is None else aspect
        if not aspect > 0:
            raise ValueError(f"aspect (height / width) must be positive; got {aspect!r}")
        height = aspect * width
    elif not height > 0:
        raise ValueError(f"height must be positive (inches); got {height!r}")
    return (width, float(height))


def book_figure(nrows: int = 1, ncols: int = 1, *, share: float = 1.0,
                aspect: float | None = None, height: float | None = None, **subplots_kw):
    """``plt.subplots`` sized for the book: ``share`` of the text column, constrained layout.

    Introduced in chapter 1. Returns ``(fig, axes)`` as :func:`matplotlib.pyplot.subplots`
    does. With the fonts of :data:`BOOK_RC` (:func:`use_book_style`), every text on the
    figure reads at 10.5 CSS px or more. Example::

        fig, (ax1, ax2) = book_figure(1, 2, height=3.2)    # two panels, full column
        fig, ax = book_figure(share=0.7)                   # one panel, 70 % of the column
    """
    subplots_kw.setdefault("layout", "constrained")
    fig, axes = plt.subplots(nrows, ncols, figsize=figure_size(share, aspect, height),
                             **subplots_kw)
    return fig, axes


def series_style(i: int, marker: bool = True) -> dict:
    """Colour, dash pattern (and marker) of the ``i``-th series, as keyword arguments.

    Used from chapter 2 on. The same order as the default cycle, so a series keeps its look
    when it is drawn by hand: ``ax.plot(x, y, **series_style(2))``.
    """
    i = int(i) % len(PALETTE)
    style = {"color": PALETTE[i], "linestyle": LINESTYLES[i]}
    if marker:
        style["marker"] = MARKERS[i]
    return style


def text_sizes(fig) -> list[tuple[float, str]]:
    """``(size in points, text)`` of every visible, non-empty text of ``fig``.

    Introduced in chapter 1 (the figure style). Tick labels, axis labels, titles, legend
    entries, annotations and colour-bar labels are all :class:`matplotlib.text.Text`.
    """
    from matplotlib.text import Text

    found = []
    for t in fig.findobj(Text):
        if not t.get_visible() or not t.get_text().strip():
            continue
        parent_axes = t.axes
        if parent_axes is not None and not parent_axes.get_visible():
            continue
        found.append((float(t.get_fontsize()), t.get_text()))
    return found


def displayed_text_px(size_pt: float, css_width: float, column_px: float = COLUMN_PX) -> float:
    """CSS px of ``size_pt``-point figure text when the figure's CSS width is ``css_width``.

    Introduced in chapter 1. The book shows a figure at its CSS width (72 px per figure inch)
    or, when that is wider than the text column, scaled down to the column.
    """
    return float(size_pt) * min(1.0, column_px / float(css_width))


def _png_with_text(png: bytes, text: dict) -> bytes:
    """``png`` with ``text`` added as tEXt chunks just before its end (IEND) chunk."""
    import struct
    import zlib

    end = png.rindex(b"IEND") - 4
    chunks = b""
    for key, value in text.items():
        body = key.encode("latin-1") + b"\0" + value.encode("latin-1")
        chunks += (struct.pack(">I", len(body)) + b"tEXt" + body
                   + struct.pack(">I", zlib.crc32(b"tEXt" + body) & 0xFFFFFFFF))
    return png[:end] + chunks + png[end:]


def figure_png(fig, dpi: int = SAVE_DPI, tight: bool = True,
               display_width: float | None = None) -> tuple[bytes, dict]:
    """Encode ``fig`` as PNG and measure it: ``(png bytes, info)``.

    Introduced in chapter 1 (the figure style). ``info`` holds ``width_px``,
    ``height_px`` (image pixels), ``css_width``, ``css_height`` (CSS px: 72 per inch),
    ``min_text_pt`` (the smallest text on the figure, ``inf`` without text) and
    ``min_text_px`` (that text's size on the page, see :func:`displayed_text_px`; with
    ``display_width``, for the figure shown that many CSS px wide instead). The PNG
    carries ``actbook:min-text-pt`` and ``actbook:dpi`` as text chunks, which the browser test
    reads back. Warns when ``min_text_px`` is below :data:`MIN_TEXT_PX`.
    """
    from PIL import Image

    buf = io.BytesIO()
    kwargs = {"bbox_inches": "tight", "pad_inches": 0.04} if tight else {}
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white", edgecolor="white", **kwargs)
    # measured after drawing: tick labels get their text only when the figure is drawn
    sizes = text_sizes(fig)
    min_pt = min((s for s, _ in sizes), default=math.inf)
    data = _png_with_text(buf.getvalue(), {"actbook:min-text-pt": f"{min_pt:.2f}",
                                           "actbook:dpi": f"{dpi:g}"})
    width_px, height_px = Image.open(io.BytesIO(data)).size
    css_width = width_px * PX_PER_INCH / dpi
    css_height = height_px * PX_PER_INCH / dpi
    scale = 1.0 if display_width is None else float(display_width) / css_width
    info = {"width_px": width_px, "height_px": height_px, "css_width": css_width,
            "css_height": css_height, "min_text_pt": min_pt,
            "min_text_px": (displayed_text_px(min_pt * scale, css_width * scale)
                            if sizes else math.inf)}
    if info["min_text_px"] < MIN_TEXT_PX - 0.05:
        smallest = min(sizes)[1]
        # a short message with a short prefix: it lands in a page's output, which must fit
        warnings.warn_explicit(
            f"figure text {smallest[:24]!r}\n  reads at {info['min_text_px']:.1f} CSS px, "
            f"below {MIN_TEXT_PX:g}: draw it with\n  book_figure() and the fonts of "
            f"use_book_style()", UserWarning, filename="actbook figure style", lineno=0,
            module=__name__, registry=_WARNED)
    return data, info


def _png_for_notebook(fig):
    """IPython's PNG formatter for figures: :func:`figure_png`, shown at its CSS size."""
    if not fig.axes and not fig.texts and not fig.images:
        return None  # an empty figure: show nothing, as the inline backend does
    data, info = figure_png(fig)
    return data, {"width": round(info["css_width"]), "height": round(info["css_height"])}


def show_figure(fig, alt: str, share: float | None = None, dpi: int = SAVE_DPI):
    """``fig`` as an ``<img>`` with alt text, for a figure whose alt text is computed.

    Used in chapter 9 (the figure style is introduced in chapter 1). Most figures take their alt text from their
    cell's metadata (``mystnb.image.alt``); when the alt text has to say what the code drew
    (which numbers, which edges), build it from the same data and show the figure with this.
    ``share`` displays it at that share of the text column (scaling it, and its text, up or
    down) instead of at 72 CSS px per inch. The figure is closed. Returns an
    :class:`IPython.display.HTML`; give the cell a caption (``mystnb.figure``) as usual.
    """
    import base64
    import html

    from IPython.display import HTML

    text = " ".join(str(alt).split())
    if not text:
        raise ValueError("show_figure needs alt text that says what the figure shows")
    display_width = None if share is None else figure_size(share)[0] * PX_PER_INCH
    data, info = figure_png(fig, dpi=dpi, display_width=display_width)
    plt.close(fig)
    width = info["css_width"] if display_width is None else display_width
    height = info["css_height"] * width / info["css_width"]
    uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    return HTML(f'<img class="actbook-figure" src="{uri}" alt="{html.escape(text, quote=True)}" '
                f'width="{round(width)}" height="{round(height)}" '
                f'data-css-width="{info["css_width"]:.1f}" '
                f'data-min-text-pt="{info["min_text_pt"]:.2f}">')


def use_book_style(notebook: bool = True) -> None:
    """Apply the book's figure style (:data:`BOOK_RC`) and its notebook display.

    Introduced in chapter 1; every chapter's setup cell calls it once, after importing
    pyplot. In a notebook (``notebook=True`` and IPython running) figures are then shown
    through :func:`figure_png`: PNG at :data:`SAVE_DPI`, displayed at 72 CSS px per inch,
    with the smallest text size recorded in the file.
    """
    import matplotlib

    # Load the backend now. The notebook's inline backend sets its own rcParams and figure
    # formatter when it is loaded, which pyplot otherwise does at the first figure, after us.
    plt.switch_backend(matplotlib.get_backend())
    matplotlib.rcParams.update(BOOK_RC)
    if not notebook:
        return
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the book's requirements
        return
    ip = get_ipython()
    if ip is None:
        return
    from matplotlib.figure import Figure

    formatters = ip.display_formatter.formatters
    formatters["image/png"].for_type(Figure, _png_for_notebook)
    # only PNG: no second copy of each figure as SVG or PDF in the notebook
    for mime in ("image/svg+xml", "application/pdf", "image/jpeg"):
        formatters[mime].pop(Figure, None)


def plot_activation(act, z=None, ax=None, derivative=True, title=None, **params):
    """Plot an activation ``act`` (an :class:`~actbook.activations.Activation`) and its derivative.

    Introduced in chapter 1. The function is a solid blue line, its derivative a dashed
    vermillion one (colour and dash both tell them apart). Returns the axes.
    """
    if z is None:
        z = np.linspace(-5, 5, 801)
    z = np.asarray(z, dtype=float)
    if ax is None:
        _, ax = book_figure(share=0.6)
    ax.plot(z, act.forward(z, **params), color=COLORS["f"], lw=2, ls="-", label=r"$\phi(z)$")
    if derivative and act.elementwise:
        ax.plot(z, act.derivative(z, **params), color=COLORS["df"], lw=1.8, ls="--",
                label=r"$\phi'(z)$")
    ax.axhline(0, color=COLORS["grey"], lw=0.6, ls="-")
    ax.axvline(0, color=COLORS["grey"], lw=0.6, ls="-")
    ax.set_xlabel("$z$")
    ax.set_title(title or act.label)
    ax.legend(frameon=False)
    ax.grid(alpha=0.25)
    return ax


def set_alt_text(fig, text: str):
    """Attach alt text (what the figure shows) to ``fig``; returns ``fig``.

    Introduced in chapter 1. :func:`actbook.widgets.static_explorer` uses it for each frame,
    so a drawing function can describe what it drew, from the numbers it drew.
    """
    text = " ".join(str(text).split())
    if not text:
        raise ValueError("alt text must say what the figure shows; got an empty text")
    fig.actbook_alt_text = text
    return fig


def alt_text(fig) -> str | None:
    """The alt text attached to ``fig`` by :func:`set_alt_text`, or None (chapter 1)."""
    return getattr(fig, "actbook_alt_text", None)


def _num(x: float) -> str:
    """A number for alt text: short, and a real minus sign never hides in a hyphen."""
    s = f"{x:.2f}".rstrip("0").rstrip(".") if abs(x) < 1000 else f"{x:.3g}"
    return "minus " + s[1:] if s.startswith("-") and s != "-0" else ("0" if s == "-0" else s)


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
    caller shows or closes it), with alt text that describes it.
    """
    from .activations import get

    act = get(activation) if isinstance(activation, str) else activation
    g = np.linspace(*extent, 161)
    x1, x2 = np.meshgrid(g, g)
    z = w1 * x1 + w2 * x2 + b
    a = act(z)
    fig, ax = plt.subplots(figsize=figure_size(0.72, height=4.3), dpi=dpi)
    low, high = act.output_bounds
    bounded = 0.0 <= low and high <= 1.0
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
                color="w", lw=2, ls="-")
        tip = foot + 0.6 * wvec / np.linalg.norm(wvec)
        ax.annotate("", xy=tip, xytext=foot,
                    arrowprops=dict(arrowstyle="->", color="w", lw=2))
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    a_corners = act(corners @ np.array([w1, w2], dtype=float) + b)
    ax.scatter(corners[:, 0], corners[:, 1], c="none", edgecolors="w",
               s=60, lw=1.5)
    for (c1, c2), ac in zip(corners, a_corners):
        ax.text(c1 + 0.08, c2 + 0.08, f"{ac:.2f}", color="k", fontsize=10.5,
                bbox=dict(boxstyle="round,pad=0.15", fc="w", ec="none",
                          alpha=0.8))
    ax.set_xlim(extent)
    ax.set_ylim(extent)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    # plain text: cheap per frame
    ax.set_title(f"{act.label}: w = ({w1:g}, {w2:g}), b = {b:g}",
                 fontsize=11)
    # fixed: cheap for many frames
    fig.subplots_adjust(left=0.12, right=0.98, bottom=0.12, top=0.93)
    set_alt_text(fig, _neuron_plane_alt(act, w1, w2, b, extent, vmax,
                                        a_corners))
    return fig


def _neuron_plane_alt(act, w1, w2, b, extent, vmax, a_corners) -> str:
    """Alt text for :func:`neuron_plane`: what it drew, from the numbers it drew."""
    if w1 == 0 and w2 == 0:
        boundary = "With both weights 0 the output is the same everywhere and there is no boundary."
    else:
        boundary = (f"The white line is the boundary z = 0, {_num(w1)} x1 + {_num(w2)} x2 + "
                    f"{_num(b)} = 0; the white arrow, the weight vector, points to the side "
                    f"where z and the output grow.")
    names = ["(0, 0)", "(0, 1)", "(1, 0)", "(1, 1)"]
    corners = ", ".join(f"{n} {_num(v)}" for n, v in zip(names, a_corners))
    return (f"Output of one {act.label} neuron with two inputs, weights w1 = {_num(w1)}, "
            f"w2 = {_num(w2)} and bias b = {_num(b)}, as colour over the plane of inputs x1 "
            f"and x2 from {_num(extent[0])} to {_num(extent[1])} (dark for 0, yellow for "
            f"{_num(vmax)}). {boundary} Outputs at the corners of the unit square: {corners}.")


def relu_sum_fit(x, y, breakpoints):
    """Best output layer for one hidden layer of ReLUs with fixed breakpoints (chapter 10).

    The network is ``g(x) = c_0 + c_1 x + sum_i c_i max(0, x - t_i)``: hidden weights 1, hidden
    biases ``-t_i``, and a linear term ``c_1 x`` (what one more unit with its breakpoint at or
    left of the domain's left end contributes there), so that a region without breakpoints is
    fitted by a straight line of any slope, not only by a constant. Returns ``(c0, c1, c)``
    minimising the squared error on the samples ``(x, y)``; :func:`relu_sum` evaluates the fit.
    """
    t = np.asarray(breakpoints, dtype=float)
    x = np.asarray(x, dtype=float)
    features = np.column_stack([np.ones_like(x), x, _relu_columns(x, t)])
    coef, *_ = np.linalg.lstsq(features, y, rcond=None)
    return coef[0], coef[1], coef[2:]


def _relu_columns(x, t):
    from .activations import get

    return get("relu")(np.asarray(x, dtype=float)[:, None] - np.asarray(t, dtype=float)[None, :])


def relu_sum(x, breakpoints, c0, c1, c):
    """The network ``c0 + c1 x + sum_i c_i max(0, x - t_i)`` of :func:`relu_sum_fit` (chapter 10)."""
    x = np.asarray(x, dtype=float)
    return c0 + c1 * x + _relu_columns(x, breakpoints) @ np.asarray(c, dtype=float)


#: The settings the HTML book's breakpoint explorer (chapter 10) pre-renders. The unit counts are
#: contiguous around the answer of exercise 10.3, so the exercise can be solved with the static
#: explorer (tests/test_plotting.py checks this against the exercise's reference check).
RELU_SUM_EXPLORER_GRID = {"units": [1, 2, 4, 6, 8, 9, 10, 11, 12, 16],
                          "spread": [0.5, 1.0], "shift": [-1.0, 0.0, 1.0]}


def relu_sum_figure(target, units, spread=1.0, shift=0.0, domain=(-2.0, 2.0), dpi=72):
    """A sum of ``units`` shifted ReLUs fitted to ``target`` on ``domain`` (chapter 10 explorer).

    The breakpoints are ``shift + spread * (evenly spaced points of the domain)``; the output
    weights, output bias and linear term are the least-squares best (:func:`relu_sum_fit`). Draws
    the target, the network and the breakpoints, with the largest error in the title. Returns the Figure, with alt
    text that describes it.
    """
    units = int(round(units))  # a live slider may deliver a float
    lo, hi = domain
    x = np.linspace(lo, hi, 801)
    y = target(x)
    t = shift + spread * np.linspace(lo, hi, units + 2)[1:-1]
    c0, c1, c = relu_sum_fit(x, y, t)
    g = relu_sum(x, t, c0, c1, c)
    err = np.max(np.abs(g - y))
    fig, ax = plt.subplots(figsize=figure_size(0.8, height=4.2), dpi=dpi)
    ax.plot(x, y, color="k", lw=3, ls="-", alpha=0.35, label="target $f$")
    ax.plot(x, g, color=COLORS["f"], lw=2, ls="--",
            label=f"network, {units} ReLU unit{'s' if units > 1 else ''}")
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
    ax.set_title(f"largest error {err:.3f}", fontsize=11)
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=3,
              columnspacing=1.0, handlelength=1.8)
    ax.grid(alpha=0.25)
    fig.subplots_adjust(left=0.12, right=0.98, bottom=0.27, top=0.92)  # fixed: cheap for many frames
    outside = len(t) - len(inside)
    where = (f"all {len(inside)} breakpoints lie inside the domain" if outside == 0 else
             f"{outside} of the {len(t)} breakpoints fall outside the domain and are wasted")
    set_alt_text(fig, (
        f"The target function f (thick grey curve) on x from {_num(lo)} to {_num(hi)} and the best "
        f"sum of a straight line and {units} shifted ReLU units (dashed blue), with its breakpoints marked as "
        f"triangles along the bottom (spread {_num(spread)}, shift {_num(shift)}): {where}. "
        f"The largest gap between network and target is {err:.3f}."))
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
