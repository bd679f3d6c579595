"""The activation explorer: one activation, a layer of it, and what it does to signals and gradients.

Introduced in chapter 3 (sigmoid and tanh) and used by the activation chapters 3 to 5.

The explorer answers three questions about an activation :math:`\\phi` from the registry:

1. What do :math:`\\phi` and :math:`\\phi'` look like? (left panel)
2. Feed a layer of such units pre-activations :math:`z \\sim \\mathcal N(\\mu, s^2)` (by default
   :math:`\\mathcal N(0, 1)`): what is the distribution of the outputs :math:`a = \\phi(z)`, and
   their mean and standard deviation? (middle panel)
3. In the backward pass every gradient is multiplied by :math:`\\phi'(z)`: how are those factors
   distributed, and what fraction of them is so small (below ``tol``) that almost nothing flows
   back? (right panel)

Public functions
----------------
layer_statistics(activation, ...)    the numbers behind the picture, as a dict
explorer_figure(activation, ...)     the three-panel matplotlib Figure for one setting
static_activation_explorer(...)      pre-rendered frames behind sliders (HTML book, no kernel)
live_activation_explorer(...)        ipywidgets: pick any activation and its parameters

Example (in a chapter)::

    from actbook.explorer import static_activation_explorer, live_activation_explorer
    live_activation_explorer()                                        # cell tagged remove-output
    static_activation_explorer(["sigmoid", "tanh", "relu"], scale=[0.5, 1, 2, 4])
"""
from __future__ import annotations

import inspect
import io
import math
from typing import Iterable, Mapping, Sequence

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure

from .activations import Activation, get, names
from .plotting import BOOK_RC, COLORS, COLUMN_INCHES, _num, set_alt_text

__all__ = [
    "layer_statistics",
    "explorer_figure",
    "static_activation_explorer",
    "live_activation_explorer",
    "explorable_names",
]

#: Colours are :data:`actbook.plotting.COLORS` (Okabe and Ito's palette): function,
#: derivative, highlight, grey; the function is a solid line and its derivative a dashed one.
_C = COLORS

#: Default threshold below which a derivative counts as "near zero".
DEFAULT_TOL = 1e-2
#: base font size (points) of the explorer figure; at its default width (the text column,
#: :data:`actbook.plotting.COLUMN_INCHES`) one point reads as one CSS px, and no text on it
#: is smaller than 10.5 pt
FONT_SIZE = 11.5
_FONTS = {key: value for key, value in BOOK_RC.items()
          if key.endswith(("size", "fontsize")) or key == "font.size"}
_FONTS["font.size"] = FONT_SIZE


def _resolve(activation) -> Activation:
    """Accept a registry name or an :class:`Activation` of one input per unit."""
    act = None
    if isinstance(activation, str):
        act = get(activation)
    elif hasattr(activation, "layer_forward") and hasattr(activation, "name"):
        act = activation
    if act is not None and act.kind == "gated":
        raise ValueError(
            f"{act.name} is a gated unit: each output multiplies a value and a gate, two "
            f"pre-activations, so it has no single curve phi(z) for the explorer to draw "
            f"(chapter 5 draws u g(v) for the gated units); choose one of "
            f"{', '.join(explorable_names())}")
    if act is not None:
        return act
    raise TypeError(
        f"activation must be a registry name (one of {', '.join(names())}) or an Activation; "
        f"got {type(activation).__name__}"
    )


def _is_elementwise(act) -> bool:
    return act.elementwise


def explorable_names() -> list[str]:
    """Registry names the explorer can show: every activation of one pre-activation per
    output or of a group (maxout); not softmax (chapter 6 has its own) and not the gated
    units, whose outputs depend on two pre-activations (chapter 5 draws them)."""
    return [n for n in names() if get(n).kind in ("elementwise", "grouped")]


def _check_params(act, params: Mapping) -> None:
    unknown = set(params) - set(getattr(act, "params", {}) or {})
    if unknown:
        known = ", ".join(sorted(act.params)) if act.params else "none"
        raise ValueError(
            f"{act.name} has no parameter(s) {', '.join(sorted(unknown))}; its parameters: {known}"
        )


def _group_size(act, params: Mapping) -> int:
    """Pieces per output for maxout (parameter ``k``), 1 otherwise."""
    if act.kind != "grouped":
        return 1
    k = params.get("k")
    if k is None:
        p = (getattr(act, "params", {}) or {}).get("k")
        k = getattr(p, "default", 2) if p is not None else 2
    return int(k)


def layer_statistics(activation, n: int = 20_000, scale: float = 1.0, shift: float = 0.0,
                     seed: int = 0, tol: float = DEFAULT_TOL, training: bool = False,
                     **params) -> dict:
    """Statistics of one layer of ``activation`` fed pre-activations ``z ~ N(shift, scale**2)``.

    Introduced in chapter 3. Returns a dict with

    - ``z``, ``a``, ``grad``: the samples (``grad`` is the factor by which the layer multiplies a
      gradient arriving at its output: :math:`\\phi'(z)` for elementwise activations; for maxout
      it is 1 for the winning piece of each group and 0 for the others);
    - ``in_mean``, ``in_std``, ``out_mean``, ``out_std``, ``grad_mean``;
    - ``frac_small_grad``: fraction of ``|grad| < tol`` (units that pass almost no gradient);
    - ``frac_zero_output``: fraction of outputs exactly 0 (sparsity);
    - ``n``, ``tol``, ``activation``, ``params``.

    ``training=True`` matters for RReLU only (random slopes, drawn with ``seed``).
    """
    act = _resolve(activation)
    if act.kind == "vector":
        raise ValueError("the explorer shows units that act on one pre-activation each; "
                         "softmax couples a whole vector (see chapter 6)")
    _check_params(act, params)
    if params:  # validated by the registry: a value outside its range raises a clear error
        act = act.with_params(**params)
    if not (np.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive finite number; got {scale}")
    if int(n) < 2:
        raise ValueError(f"n must be at least 2; got {n}")
    rng = np.random.default_rng(seed)
    k = _group_size(act, params)
    m = max(1, int(n) // k)
    z = shift + scale * rng.standard_normal((m, k))
    z = z.reshape(1, m * k) if k > 1 else z.reshape(1, m)
    a, cache = act.layer_forward(z, training=training, rng=rng)
    if _is_elementwise(act) and not training:
        grad = np.asarray(act.derivative(z), dtype=float)
    else:
        grad = np.asarray(act.layer_backward(cache, np.ones_like(a)), dtype=float)
    z, a, grad = z.ravel(), np.asarray(a, dtype=float).ravel(), grad.ravel()
    return {
        "activation": act.name,
        "params": dict(params),
        "n": z.size,
        "tol": tol,
        "z": z,
        "a": a,
        "grad": grad,
        "in_mean": float(z.mean()),
        "in_std": float(z.std()),
        "out_mean": float(a.mean()),
        "out_std": float(a.std()),
        "grad_mean": float(grad.mean()),
        "frac_small_grad": float(np.mean(np.abs(grad) < tol)),
        "frac_zero_output": float(np.mean(a == 0.0)),
    }


def _fmt_params(params: Mapping) -> str:
    if not params:
        return ""
    return "(" + ", ".join(f"{k}={v:g}" if isinstance(v, (int, float)) else f"{k}={v}"
                           for k, v in params.items()) + ")"


def _hist(ax, x, color, bins=60):
    """A histogram of fractions drawn as one filled step patch (fast to render)."""
    lo, hi = float(x.min()), float(x.max())
    if hi - lo < 1e-9:  # all values equal: one narrow bar
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(x, bins=bins, range=(lo, hi))
    ax.stairs(counts / x.size, edges, fill=True, color=color, alpha=0.8)


def explorer_figure(activation="sigmoid", scale: float = 1.0, shift: float = 0.0,
                    n: int = 20_000, seed: int = 0, tol: float = DEFAULT_TOL,
                    training: bool = False, zlim: float = 5.0, width: float = COLUMN_INCHES,
                    **params) -> Figure:
    """The explorer's picture for one setting: a :class:`matplotlib.figure.Figure` with 3 panels.

    Introduced in chapter 3. Left: :math:`\\phi` and :math:`\\phi'` on ``[-zlim, zlim]`` with the
    input density shaded. Middle: histogram of a layer's outputs for ``z ~ N(shift, scale**2)``,
    with mean and standard deviation. Right: histogram of the gradient factors, with the fraction
    below ``tol``. The figure is not attached to pyplot, so it is never shown twice; it carries
    alt text that describes it (:func:`actbook.plotting.set_alt_text`).
    """
    act = _resolve(activation)
    with rc_context(_FONTS):
        return _draw_explorer_figure(act, scale, shift, n, seed, tol, training, zlim, width,
                                     params)


def _draw_explorer_figure(act, scale, shift, n, seed, tol, training, zlim, width, params):
    st = layer_statistics(act, n=n, scale=scale, shift=shift, seed=seed, tol=tol,
                          training=training, **params)
    # the width of the book's text column: FONT_SIZE points read as FONT_SIZE CSS px
    fig = Figure(figsize=(width, width * 0.37), facecolor="white")
    # fixed margins: constrained layout would measure every label and triple the drawing time
    fig.subplots_adjust(left=0.065, right=0.99, bottom=0.18, top=0.8, wspace=0.42)
    ax_f, ax_a, ax_g = fig.subplots(1, 3)
    label = getattr(act, "label", act.name)
    fig.suptitle(f"{label} {_fmt_params(params)}   inputs $z\\sim\\mathcal{{N}}({shift:g},\\,{scale:g}^2)$",
                 fontsize="large")

    # left: the function and its derivative, and where the inputs fall
    zz = np.linspace(-zlim, zlim, 801)
    if _is_elementwise(act):
        ax_f.plot(zz, act.forward(zz, **params), color=_C["f"], lw=2, ls="-",
                  label=r"$\phi(z)$")
        ax_f.plot(zz, act.derivative(zz, **params), color=_C["df"], lw=1.6, ls="--",
                  label=r"$\phi'(z)$")
        ylo, yhi = ax_f.get_ylim()
        dens = np.exp(-0.5 * ((zz - shift) / scale) ** 2)
        ax_f.fill_between(zz, ylo, ylo + 0.35 * (yhi - ylo) * dens, color=_C["grey"], alpha=0.2,
                          lw=0, label="input density")
        ax_f.set_ylim(ylo, yhi)
        ax_f.legend(fontsize=10.5, loc="upper left", framealpha=0.85, edgecolor="none",
                    borderpad=0.3, handlelength=1.6)
    else:
        k = _group_size(act, params)
        ax_f.text(0.5, 0.5, f"maxout: each unit\ntakes the largest of\n{k} pre-activations;\n"
                  "no single curve $\\phi(z)$\n(see chapter 4)", ha="center", va="center",
                  transform=ax_f.transAxes, fontsize="medium")
        ax_f.set_xticks([]); ax_f.set_yticks([])
    ax_f.axhline(0, color=_C["grey"], lw=0.6, ls="-")
    ax_f.axvline(0, color=_C["grey"], lw=0.6, ls="-")
    ax_f.set_xlabel("pre-activation $z$")
    ax_f.set_title("function and derivative", fontsize="medium")
    ax_f.grid(alpha=0.25)

    # middle: outputs of the layer
    a = st["a"]
    _hist(ax_a, a, _C["f"])
    ax_a.axvline(st["out_mean"], color="k", lw=1.2, ls=":")
    ax_a.set_title("outputs $a=\\phi(z)$ of the layer", fontsize="medium")
    ax_a.set_xlabel("$a$")
    ax_a.set_ylabel("fraction of units")
    ax_a.text(0.97, 0.95, f"mean {st['out_mean']:.3f}\nstd  {st['out_std']:.3f}"
              + (f"\nexactly 0: {100 * st['frac_zero_output']:.0f}%" if st["frac_zero_output"] > 0 else ""),
              transform=ax_a.transAxes, ha="right", va="top", fontsize=10.5,
              bbox=dict(facecolor="white", alpha=0.8, edgecolor="none"))
    ax_a.grid(alpha=0.25)

    # right: gradient factors
    g = st["grad"]
    _hist(ax_g, g, _C["df"])
    ax_g.axvspan(-tol, tol, color=_C["accent"], alpha=0.25, lw=0)
    ax_g.set_title("gradient factors $\\phi'(z)$", fontsize="medium")
    ax_g.set_xlabel("$\\phi'(z)$")
    ax_g.text(0.5, 0.95, f"mean {st['grad_mean']:.3f}\n|$\\phi'$|<{tol:g}: {100 * st['frac_small_grad']:.1f}%",
              transform=ax_g.transAxes, ha="center", va="top", fontsize=10.5,
              bbox=dict(facecolor="white", alpha=0.8, edgecolor="none"))
    ax_g.grid(alpha=0.25)
    set_alt_text(fig, _explorer_alt(act, label, params, st, shift, scale, tol, zlim))
    return fig


def _explorer_alt(act, label, params, st, shift, scale, tol, zlim) -> str:
    """Alt text of :func:`explorer_figure`, from the statistics it drew."""
    inputs = f"inputs z drawn from a normal distribution with mean {_num(shift)} and standard " \
             f"deviation {_num(scale)}"
    if _is_elementwise(act):
        left = (f"Left: the function (solid) and its derivative (dashed) for z from "
                f"{_num(-zlim)} to {_num(zlim)}, with the input density shaded.")
    else:
        left = f"Left: a note that maxout takes the largest of {_group_size(act, params)} " \
               f"pre-activations, so it has no single curve."
    zero = (f", {100 * st['frac_zero_output']:.0f}% of them exactly 0"
            if st["frac_zero_output"] > 0 else "")
    return (f"Activation explorer for {label} {_fmt_params(params)} with {inputs}. {left} "
            f"Middle: histogram of the layer's outputs, mean {st['out_mean']:.3f} and standard "
            f"deviation {st['out_std']:.3f}{zero}. Right: histogram of the gradient factors "
            f"phi prime of z, mean {st['grad_mean']:.3f}; {100 * st['frac_small_grad']:.1f}% of "
            f"them are below {tol:g} in size and pass almost no gradient back.")


def static_activation_explorer(activations: Sequence[str] | str = ("sigmoid", "tanh", "relu"),
                               scale: Iterable[float] = (0.5, 1.0, 2.0, 4.0),
                               params: Mapping[str, Sequence] | None = None,
                               shift: Iterable[float] = (0.0,),
                               title: str | None = None, n: int = 20_000, seed: int = 0,
                               tol: float = DEFAULT_TOL, dpi: int = 80, **fixed):
    """The explorer's static twin: pre-rendered frames behind a select and sliders.

    Introduced in chapter 3. ``activations`` is one name or a list (a select box); ``scale`` the
    input standard deviations and ``shift`` the input means (a slider each, when they list
    more than one value); ``params`` maps a parameter name to the values to
    offer (one slider each); every activation listed must have every parameter in ``params``
    (sweep a parameter with one activation at a time). ``fixed`` are keyword arguments passed
    to every frame. At most 60 frames. Returns what :func:`actbook.widgets.static_explorer`
    returns (HTML that works in the book without a kernel).
    """
    from .widgets import static_explorer

    acts = [activations] if isinstance(activations, str) else list(activations)
    if not acts:
        raise ValueError("give at least one activation")
    params = dict(params or {})
    for name in acts:
        act = _resolve(name)
        _check_params(act, {**params, **{k: v for k, v in fixed.items() if k in (act.params or {})}})
        _check_params(act, params)
    scale = [float(s) for s in scale]
    shift = [float(m) for m in shift]
    if not scale or not shift:
        raise ValueError("scale and shift must each list at least one value")
    n_frames = len(acts) * len(scale) * len(shift) * math.prod(len(v) for v in params.values())
    if n_frames > 60:
        raise ValueError(f"{n_frames} frames requested; keep a static explorer to at most 60")

    def render(activation, scale=scale[0], shift=shift[0], **p):
        return explorer_figure(activation, scale=scale, shift=shift, n=n, seed=seed, tol=tol,
                               **fixed, **p)

    grid = {"activation": acts}
    if len(scale) > 1:
        grid["scale"] = scale
    if len(shift) > 1:
        grid["shift"] = shift
    grid.update({k: list(v) for k, v in params.items()})
    kwargs = {"title": title or "Activation explorer"}
    accepted = inspect.signature(static_explorer).parameters
    if "dpi" in accepted:
        kwargs["dpi"] = dpi
    if "labels" in accepted:
        names_ = {"scale": "input std s", "shift": "input mean \u03bc"}
        kwargs["labels"] = {k: v for k, v in names_.items() if k in grid}
    return static_explorer(render, grid, **kwargs)


def _slider_range(p, default):
    """A finite (low, high, step) for a registry parameter with possibly infinite bounds."""
    low = getattr(p, "low", None)
    high = getattr(p, "high", None)
    low = default - 3.0 if low is None or not np.isfinite(low) else float(low)
    high = (max(default, low) + 3.0 if high is None or not np.isfinite(high) else float(high))
    if high - low > 10:
        high = low + 10
    step = (high - low) / 100
    if not getattr(p, "low_inclusive", True):
        low += step
    if not getattr(p, "high_inclusive", True):
        high -= step
    return low, high, step


def live_activation_explorer(activation: str = "sigmoid", choices: Sequence[str] | None = None,
                             n: int = 20_000, seed: int = 0, tol: float = DEFAULT_TOL):
    """The live explorer (needs a running kernel): pick any activation and move its parameters.

    Introduced in chapter 3. A drop-down of registry names (``choices``; default: every
    explorable activation), sliders for the input mean and standard deviation, and one slider
    per parameter of the chosen activation (rebuilt when the choice changes, ranges from the
    registry). Returns an :class:`ipywidgets.VBox`; its ``.controls`` dict holds the widgets
    and ``.redraw()`` redraws (used by the tests).
    """
    import ipywidgets as W

    choices = list(choices or explorable_names())
    if activation not in choices:
        raise ValueError(f"activation {activation!r} is not among the choices {choices}")
    pick = W.Dropdown(options=choices, value=activation, description="activation")
    scale = W.FloatSlider(value=1.0, min=0.1, max=6.0, step=0.1, description="input std")
    shift = W.FloatSlider(value=0.0, min=-4.0, max=4.0, step=0.1, description="input mean")
    train = W.Checkbox(value=False, description="training mode (RReLU)")
    param_box = W.VBox([])
    image = W.Image(format="png")
    status = W.HTML("")
    controls = {"activation": pick, "scale": scale, "shift": shift, "training": train,
                "params": {}}

    def build_param_sliders():
        act = get(pick.value)
        sliders = {}
        for pname, p in (act.params or {}).items():
            default = float(getattr(p, "default", 1.0))
            if pname == "k":
                s = W.IntSlider(value=int(default), min=2, max=6, description="k")
            else:
                lo, hi, step = _slider_range(p, default)
                s = W.FloatSlider(value=default, min=lo, max=hi, step=step, description=pname,
                                  readout_format=".3g")
            s.observe(lambda _change: redraw(), names="value")
            sliders[pname] = s
        controls["params"] = sliders
        param_box.children = list(sliders.values())

    def redraw():
        p = {k: s.value for k, s in controls["params"].items()}
        try:
            fig = explorer_figure(pick.value, scale=scale.value, shift=shift.value, n=n,
                                  seed=seed, tol=tol, training=train.value, **p)
        except ValueError as err:  # a parameter combination the registry refuses
            status.value = f"<i>{err}</i>"
            return
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=80)
        image.value = buf.getvalue()
        status.value = ""

    def on_pick(_change):
        build_param_sliders()
        redraw()

    pick.observe(on_pick, names="value")
    for w in (scale, shift, train):
        w.observe(lambda _change: redraw(), names="value")
    build_param_sliders()
    redraw()
    box = W.VBox([W.HBox([pick, train]), W.HBox([scale, shift]), param_box, status, image])
    box.controls = controls
    box.redraw = redraw
    return box
