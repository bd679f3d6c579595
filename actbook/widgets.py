"""Widgets with a static twin: live ipywidgets for readers who run a notebook, and
pre-rendered frames behind sliders for readers of the HTML book.

Introduced in chapter 1 (:doc:`/chapters/01_neuron_models`), where one neuron's output over
the input plane is explored by moving its weights and bias.

Both helpers take the same ``render`` function, which draws one state of the picture and
returns a matplotlib :class:`~matplotlib.figure.Figure`::

    def render(w1, w2, b, activation):
        fig, ax = plt.subplots(figsize=(5, 4))
        ...
        return fig

    live_explorer(render, {"w1": (-3.0, 3.0, 0.1), "activation": ["sigmoid", "relu"]})
    static_explorer(render, {"w1": [-2, -1, 0, 1, 2], "activation": ["sigmoid", "relu"]})

:func:`static_explorer` renders every combination of the grid's values once, as images,
and returns an :class:`IPython.display.HTML` whose few lines of inline JavaScript swap the
image as the reader moves the controls. It needs no kernel, no network and no widget
library, so it works in the static HTML book, in JupyterLab and in a downloaded page.
Without JavaScript the initial frame is still shown.
"""
from __future__ import annotations

import base64
import hashlib
import html
import io
import itertools
import json
import math
import numbers
from typing import Any, Callable, Mapping, Sequence

__all__ = ["static_explorer", "live_explorer", "MAX_FRAMES"]

#: Default cap on the number of pre-rendered frames of one static explorer (each frame is
#: an image embedded in the page; 60 frames at modest dpi keep a page under about 2 MB).
MAX_FRAMES = 60

_FORMATS = {"png": "image/png", "jpeg": "image/jpeg", "jpg": "image/jpeg", "svg": "image/svg+xml"}
_counter = itertools.count(1)


# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------
def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _plain(value: Any) -> Any:
    """numpy scalars -> Python scalars (so render gets ordinary ints, floats and strs)."""
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "shape", None) == ():
        return item()
    return value


def _check_render(render: Callable, where: str) -> None:
    if not callable(render):
        raise TypeError(f"{where}: render must be a function that returns a matplotlib Figure; "
                        f"got {type(render).__name__}")


def _check_name(name: Any, where: str) -> None:
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"{where}: control names must be Python identifiers (they are passed to "
                         f"render as keyword arguments); got {name!r}")


def _encode_frame(fig, dpi: int, fmt: str, bbox_inches=None) -> tuple[str, float, float]:
    """``(data URI, CSS width, CSS height)`` of a frame: 72 CSS px per figure inch."""
    return _encode_frame_measured(fig, dpi, fmt, bbox_inches)[:3]


def _encode_frame_measured(fig, dpi: int, fmt: str, bbox_inches=None):
    """:func:`_encode_frame` and the smallest text on the frame, in points."""
    from .plotting import text_sizes

    fmt = fmt.lower()
    if fmt not in _FORMATS:
        raise ValueError(f"image format must be one of {sorted(set(_FORMATS))}; got {fmt!r}")
    if fmt == "png":
        # the book's PNG: white, with the smallest text size recorded for the browser test
        from .plotting import figure_png

        data, info = figure_png(fig, dpi=dpi, tight=bbox_inches == "tight")
        css = (info["css_width"], info["css_height"])
        min_pt = info["min_text_pt"]
    else:
        buf = io.BytesIO()
        fig.savefig(buf, format="jpeg" if fmt == "jpg" else fmt, dpi=dpi, bbox_inches=bbox_inches,
                    facecolor="white")
        data = buf.getvalue()
        w, h = fig.get_size_inches()
        css = (72 * w, 72 * h)
        min_pt = min((s for s, _ in text_sizes(fig)), default=math.inf)   # after drawing
    uri = f"data:{_FORMATS[fmt]};base64," + base64.b64encode(data).decode("ascii")
    return uri, css[0], css[1], min_pt


def _frame_alt(alt, fig, state: dict, title: str | None, where: str) -> str:
    """Alt text of one frame: ``alt(**state)`` or ``alt.format(**state)``, else the text
    the drawing attached (:func:`actbook.plotting.set_alt_text`), else the state alone
    (which the book's tests reject as not saying what the frame shows)."""
    from .plotting import alt_text

    if callable(alt):
        text = alt(**state)
    elif isinstance(alt, str):
        text = alt.format(**state)
    else:
        text = alt_text(fig)
    if text is None:   # the settings alone: a placeholder the book's tests reject
        text = ", ".join(f"{name} = {_format_value(v)}" for name, v in state.items())
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{where}: the alt text of the frame {state} is empty; it must say what "
                         f"the frame shows")
    return " ".join(text.split())


def _render_figure(render: Callable, kwargs: dict, where: str):
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    fig = render(**kwargs)
    if not isinstance(fig, Figure):
        # close whatever render left open, so the notebook does not show it as a stray figure
        plt.close("all")
        raise TypeError(f"{where}: render({', '.join(f'{k}={v!r}' for k, v in kwargs.items())}) "
                        f"returned {type(fig).__name__}; it must return a matplotlib Figure "
                        f"(for example the `fig` of `fig, ax = plt.subplots()`)")
    return fig


def _format_value(value: Any) -> str:
    if _is_number(value):
        if float(value).is_integer() and abs(value) < 1e15:
            return str(int(value)) if isinstance(value, numbers.Integral) else f"{float(value):.1f}"
        return f"{value:.4g}"
    return str(value)


# ---------------------------------------------------------------------------------------
# static explorer
# ---------------------------------------------------------------------------------------
def _validate_grid(grid: Mapping[str, Sequence], where: str) -> list[tuple[str, list, str]]:
    """Return [(name, values, kind)] with kind 'range' (numbers) or 'select' (strings)."""
    if not isinstance(grid, Mapping) or not grid:
        raise ValueError(f"{where}: grid must be a non-empty dict mapping each argument of render "
                         f"to a list of values, e.g. {{'w1': [-1, 0, 1], 'activation': ['relu']}}; "
                         f"got {grid!r}")
    controls = []
    for name, values in grid.items():
        _check_name(name, where)
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise ValueError(f"{where}: grid[{name!r}] must be a list of values; got {values!r}. "
                             f"For a single fixed value write [{values!r}].")
        values = [_plain(v) for v in values]
        if not values:
            raise ValueError(f"{where}: grid[{name!r}] is empty; give at least one value")
        if all(_is_number(v) for v in values):
            if not all(math.isfinite(v) for v in values):
                raise ValueError(f"{where}: grid[{name!r}] contains a non-finite number: {values!r}")
            if any(b <= a for a, b in zip(values, values[1:])):
                raise ValueError(f"{where}: the numbers in grid[{name!r}] must be strictly increasing "
                                 f"(they become the stops of a slider); got {values!r}")
            controls.append((name, values, "range"))
        elif all(isinstance(v, (str, bool)) for v in values):
            labels = [str(v) for v in values]
            if len(set(labels)) != len(labels):
                raise ValueError(f"{where}: grid[{name!r}] has repeated choices: {values!r}")
            controls.append((name, values, "select"))
        else:
            kinds = sorted({type(v).__name__ for v in values})
            raise ValueError(f"{where}: grid[{name!r}] mixes or uses unsupported types ({', '.join(kinds)}); "
                             f"use numbers only (a slider) or strings only (a menu)")
    return controls


_JS = """
(function () {
  var root = document.getElementById(%(uid)s);
  if (!root || root.getAttribute("data-ready")) { return; }
  root.setAttribute("data-ready", "1");
  var controls = root.querySelectorAll("[data-control]");
  var frames = root.querySelectorAll("img[data-key]");
  function update() {
    var key = [];
    for (var i = 0; i < controls.length; i++) {
      var c = controls[i];
      key.push(c.value);
      var out = root.querySelector("output[data-for='" + c.id + "']");
      if (out) {
        var labels = JSON.parse(c.getAttribute("data-labels"));
        out.textContent = labels[parseInt(c.value, 10)];
      }
    }
    key = key.join(",");
    for (var j = 0; j < frames.length; j++) {
      frames[j].style.display = frames[j].getAttribute("data-key") === key ? "block" : "none";
    }
  }
  for (var k = 0; k < controls.length; k++) {
    controls[k].addEventListener("input", update);
    controls[k].addEventListener("change", update);
  }
  update();
})();
"""

_CSS = """
#%(uid)s { border: 1px solid #d0d7de; border-radius: 6px; padding: 0.6em 0;
  margin: 0.6em 0; max-width: 100%%; }
#%(uid)s .actbook-explorer-title { font-weight: 600; margin: 0 0.8em 0.4em; }
#%(uid)s .actbook-explorer-controls { display: flex; flex-wrap: wrap; gap: 0.3em 1.6em;
  margin: 0 0.8em 0.5em; font-size: 0.9em; align-items: center; }
#%(uid)s .actbook-explorer-controls label { display: inline-flex; align-items: center;
  gap: 0.4em; white-space: nowrap; }
#%(uid)s .actbook-explorer-controls output { font-family: monospace; min-width: 3.5em; }
#%(uid)s img { max-width: 100%%; height: auto; margin: 0 auto; }
"""


def static_explorer(render: Callable[..., Any], grid: Mapping[str, Sequence], title: str | None = None,
                    dpi: int = 80, fmt: str = "png", *, initial: Mapping[str, Any] | None = None,
                    labels: Mapping[str, str] | None = None, max_frames: int = MAX_FRAMES,
                    alt: Callable[..., str] | str | None = None):
    """Pre-render ``render`` on every combination of ``grid`` and return an explorer as HTML.

    Introduced in chapter 1. This is the *static twin* of :func:`live_explorer`: it needs no
    kernel and no network, so it works in the HTML book.

    Parameters
    ----------
    render : callable
        ``render(**state)`` draws one state and returns a matplotlib ``Figure``; the figure
        is closed after it has been encoded.
    grid : dict
        Maps each keyword argument of ``render`` to the list of values the reader can pick
        from. Numbers (strictly increasing) become a slider over exactly those stops;
        strings (or booleans) become a menu.
    title : str, optional
        A heading shown above the controls.
    dpi, fmt : int, str
        Resolution and image format (``"png"``, ``"jpeg"``, ``"svg"``) of the frames.
    initial : dict, optional
        The state shown first, as values from ``grid`` (default: the first value of each).
    labels : dict, optional
        Text shown next to a control instead of its argument name.
    max_frames : int
        Refuse (with ``ValueError``) grids with more combinations than this; every frame is
        an image embedded in the page.
    alt : callable or str, optional
        The alt text of each frame, which says what that frame shows (what is drawn, and the
        numbers a sighted reader reads off it): ``alt(**state)``, or a format string such as
        ``"Softmax of the logits at temperature {temperature}"``. Without it, the text that
        ``render`` attached to its figure with :func:`actbook.plotting.set_alt_text` is used;
        a frame with neither gets only its control values, which the book's tests reject.

    Returns
    -------
    IPython.display.HTML
        Self-contained HTML (all frames as ``data:`` images, inline CSS and JavaScript, element
        ids unique to this call).
    """
    from IPython.display import HTML

    where = "static_explorer"
    _check_render(render, where)
    controls = _validate_grid(grid, where)
    if fmt.lower() not in _FORMATS:
        raise ValueError(f"{where}: fmt must be one of 'png', 'jpeg', 'svg'; got {fmt!r}")
    if not (isinstance(dpi, numbers.Real) and 10 <= dpi <= 600):
        raise ValueError(f"{where}: dpi must be a number between 10 and 600; got {dpi!r}")
    n_frames = math.prod(len(values) for _, values, _ in controls)
    if n_frames > max_frames:
        sizes = " x ".join(f"{name}: {len(values)}" for name, values, _ in controls)
        raise ValueError(f"{where}: the grid has {n_frames} combinations ({sizes}) but at most "
                         f"{max_frames} frames are rendered into a page. Use fewer values per control, "
                         f"or fewer controls (fix one argument inside render).")
    labels = dict(labels or {})
    unknown = set(labels) - set(grid)
    if unknown:
        raise ValueError(f"{where}: labels names controls that are not in the grid: {sorted(unknown)}")
    initial = dict(initial or {})
    unknown = set(initial) - set(grid)
    if unknown:
        raise ValueError(f"{where}: initial names controls that are not in the grid: {sorted(unknown)}")
    start = []
    for name, values, kind in controls:
        if name in initial:
            want = _plain(initial[name])
            matches = [i for i, v in enumerate(values)
                       if (kind == "range" and _is_number(want) and math.isclose(v, want, rel_tol=1e-9, abs_tol=1e-12))
                       or (kind == "select" and str(v) == str(want))]
            if not matches:
                raise ValueError(f"{where}: initial[{name!r}] = {want!r} is not one of grid[{name!r}] = {values!r}")
            start.append(matches[0])
        else:
            start.append(0)

    import matplotlib.pyplot as plt

    frames = []
    for index in itertools.product(*(range(len(values)) for _, values, _ in controls)):
        state = {name: values[i] for (name, values, _), i in zip(controls, index)}
        fig = _render_figure(render, state, where)
        try:
            uri, css_w, css_h, min_pt = _encode_frame_measured(fig, dpi=dpi, fmt=fmt)
            text = _frame_alt(alt, fig, state, title, where)
        finally:
            plt.close(fig)
        frames.append((",".join(map(str, index)), state, uri, text, css_w, css_h, min_pt))

    digest = hashlib.sha1("".join(f[2] for f in frames).encode("ascii")).hexdigest()[:10]
    uid = f"actbook-explorer-{next(_counter)}-{digest}"
    start_key = ",".join(map(str, start))

    label = html.escape(title or "Explorer", quote=True)
    parts = [f'<div class="actbook-explorer" id="{uid}" data-frames="{len(frames)}" role="group" '
             f'aria-label="{label}">',
             f"<style>{_CSS % {'uid': uid}}</style>"]
    if title:
        parts.append(f'<div class="actbook-explorer-title">{html.escape(title)}</div>')
    parts.append('<div class="actbook-explorer-controls">')
    for c, ((name, values, kind), s) in enumerate(zip(controls, start)):
        cid = f"{uid}-c{c}"
        text = html.escape(labels.get(name, name))
        shown = [_format_value(v) for v in values]
        data_labels = html.escape(json.dumps(shown), quote=True)
        if kind == "range":
            parts.append(
                f'<label for="{cid}">{text} '
                f'<input type="range" id="{cid}" data-control="{html.escape(name)}" min="0" '
                f'max="{len(values) - 1}" step="1" value="{s}" data-labels="{data_labels}" '
                f'aria-label="{text}"{" disabled" if len(values) == 1 else ""}>'
                f'<output data-for="{cid}">{html.escape(shown[s])}</output></label>')
        else:
            options = "".join(f'<option value="{i}"{" selected" if i == s else ""}>{html.escape(lab)}</option>'
                              for i, lab in enumerate(shown))
            parts.append(f'<label for="{cid}">{text} <select id="{cid}" data-control="{html.escape(name)}" '
                         f'data-labels="{data_labels}">{options}</select></label>')
    parts.append("</div>")
    parts.append('<div class="actbook-explorer-frames">')
    for key, state, uri, text, css_w, css_h, min_pt in frames:
        style = "block" if key == start_key else "none"
        # data-css-width and data-min-text-pt: the browser test's measure of the smallest text
        parts.append(f'<img data-key="{key}" src="{uri}" alt="{html.escape(text, quote=True)}" '
                     f'width="{round(css_w)}" height="{round(css_h)}" '
                     f'data-css-width="{css_w:.1f}" data-min-text-pt="{min_pt:.2f}" '
                     f'style="display:{style}">')
    parts.append("</div>")
    parts.append(f"<script>{_JS % {'uid': json.dumps(uid)}}</script>")
    parts.append("</div>")
    return HTML("\n".join(parts))


# ---------------------------------------------------------------------------------------
# live explorer
# ---------------------------------------------------------------------------------------
def _slider(name: str, spec: tuple, initial: Any, where: str):
    import ipywidgets as widgets

    if len(spec) == 2:
        spec = (spec[0], spec[1], (spec[1] - spec[0]) / 100)
    if len(spec) != 3 or not all(_is_number(_plain(v)) for v in spec):
        raise ValueError(f"{where}: controls[{name!r}] must be (min, max, step) with numbers, "
                         f"e.g. (-3.0, 3.0, 0.1); got {spec!r}")
    low, high, step = (float(_plain(v)) for v in spec)
    if not all(math.isfinite(v) for v in (low, high, step)):
        raise ValueError(f"{where}: controls[{name!r}] has a non-finite bound or step: {spec!r}")
    if not low < high:
        raise ValueError(f"{where}: controls[{name!r}] needs min < max; got min={low}, max={high}")
    if not 0 < step <= high - low:
        raise ValueError(f"{where}: controls[{name!r}] needs 0 < step <= max - min; got step={step}")
    if initial is None:
        value = low + round((high - low) / 2 / step) * step
    else:
        value = float(_plain(initial))
        if not low <= value <= high:
            raise ValueError(f"{where}: initial[{name!r}] = {value} lies outside [{low}, {high}]")
    return widgets.FloatSlider(value=value, min=low, max=high, step=step, description=name,
                               continuous_update=False, readout_format=".3g")


def _dropdown(name: str, options: list, initial: Any, where: str):
    import ipywidgets as widgets

    options = [_plain(v) for v in options]
    if not options:
        raise ValueError(f"{where}: controls[{name!r}] is an empty list; give at least one choice")
    if initial is not None and initial not in options:
        raise ValueError(f"{where}: initial[{name!r}] = {initial!r} is not one of {options!r}")
    return widgets.Dropdown(options=options, value=options[0] if initial is None else initial,
                            description=name)


def live_explorer(render: Callable[..., Any], controls: Mapping[str, Any], *,
                  initial: Mapping[str, Any] | None = None):
    """Return an ``ipywidgets.interactive`` that redraws ``render`` as the controls move.

    Introduced in chapter 1. It needs a running kernel; in the HTML book, pair it with its
    static twin :func:`static_explorer` (and tag the live cell ``remove-output``).

    Parameters
    ----------
    render : callable
        ``render(**state)`` returns a matplotlib ``Figure`` for one state.
    controls : dict
        Maps each keyword argument of ``render`` to a control: a tuple ``(min, max, step)``
        (or ``(min, max)``) gives a ``FloatSlider``; a list of choices gives a ``Dropdown``;
        a ``ipywidgets`` widget is used as it is.
    initial : dict, optional
        Starting values (default: the middle of each slider, the first choice of each list).
    """
    import ipywidgets as widgets

    where = "live_explorer"
    _check_render(render, where)
    if not isinstance(controls, Mapping) or not controls:
        raise ValueError(f"{where}: controls must be a non-empty dict, e.g. "
                         f"{{'w1': (-3.0, 3.0, 0.1), 'activation': ['sigmoid', 'relu']}}; got {controls!r}")
    initial = dict(initial or {})
    unknown = set(initial) - set(controls)
    if unknown:
        raise ValueError(f"{where}: initial names controls that are not in controls: {sorted(unknown)}")
    made = {}
    for name, spec in controls.items():
        _check_name(name, where)
        if isinstance(spec, widgets.ValueWidget):
            made[name] = spec
        elif isinstance(spec, tuple):
            made[name] = _slider(name, spec, initial.get(name), where)
        elif isinstance(spec, list) or (hasattr(spec, "__iter__") and not isinstance(spec, (str, bytes, Mapping))):
            made[name] = _dropdown(name, list(spec), initial.get(name), where)
        else:
            raise ValueError(f"{where}: controls[{name!r}] must be a (min, max, step) tuple (slider), "
                             f"a list of choices (menu) or an ipywidgets widget; got {spec!r}")

    def show(**state):
        import matplotlib.pyplot as plt
        from IPython.display import display

        fig = _render_figure(render, state, where)
        display(fig)
        plt.close(fig)

    return widgets.interactive(show, **made)
