"""actbook.plotting.html_table: escaping, line breaks, column choice and bad input."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from actbook.plotting import html_table


class _Cells(HTMLParser):
    """Collects the text of every <td>/<th>, with <br> as a newline (an independent reader)."""

    def __init__(self):
        super().__init__()
        self.cells, self._in = [], False

    def handle_starttag(self, tag, attrs):
        if tag in ("td", "th"):
            self.cells.append("")
            self._in = True
        elif tag == "br" and self._in:
            self.cells[-1] += "\n"

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._in = False

    def handle_data(self, data):
        if self._in:
            self.cells[-1] += data


def _cells(table):
    p = _Cells()
    p.feed(table.data)
    return p.cells


def test_values_escaped_and_newlines_become_line_breaks():
    rows = [{"name": "a<b & c", "value": "0.91 ± 0.01\n[0.90-0.92]"}]
    t = html_table(rows, caption="x < y")
    assert _cells(t) == ["name", "value", "a<b & c", "0.91 ± 0.01\n[0.90-0.92]"]
    assert "<caption>x &lt; y</caption>" in t.data
    assert re.search(r"<td>0\.91 ± 0\.01<br>\[0\.90-0\.92\]</td>", t.data)


def test_columns_pick_and_order():
    t = html_table([{"a": 1, "b": 2, "c": 3}], columns=["c", "a"])
    assert _cells(t) == ["c", "a", "3", "1"]


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="at least one row"):
        html_table([])
    with pytest.raises(KeyError, match=r"\['b'\]"):
        html_table([{"a": 1}, {"a": 2}], columns=["a", "b"])


# ------------------------------------------------------------------------------------------
# The figure style: sizes, text sizes, palette, alt text
# ------------------------------------------------------------------------------------------
import io  # noqa: E402
import itertools  # noqa: E402
import warnings  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from PIL import Image  # noqa: E402

from actbook import plotting  # noqa: E402


@pytest.fixture
def book_style():
    with matplotlib.rc_context():
        plotting.use_book_style(notebook=False)
        yield
    plt.close("all")


def test_figure_size_is_a_share_of_the_column():
    assert plotting.figure_size(1.0, height=3) == pytest.approx((688 / 72, 3.0))
    w, h = plotting.figure_size(0.5, aspect=0.5)
    assert w * 72 == pytest.approx(344) and h == pytest.approx(w / 2)
    for bad in (0.05, 1.2, "wide"):
        with pytest.raises(ValueError, match="share is the fraction of the text column"):
            plotting.figure_size(bad)
    with pytest.raises(ValueError, match="height must be positive"):
        plotting.figure_size(1.0, height=0)


def test_book_figures_keep_their_text_at_ten_css_pixels_or_more(book_style):
    for share, panels in [(1.0, 3), (0.6, 1), (1.0, 2)]:
        fig, axes = plotting.book_figure(1, panels, share=share, height=3.2)
        for ax in np.atleast_1d(axes):
            ax.plot([0, 1], [0, 1], label="a line")
            ax.set(title="title", xlabel="x label", ylabel="y label")
            ax.legend()
        data, info = plotting.figure_png(fig)
        assert info["min_text_px"] >= plotting.MIN_TEXT_PX, (share, panels, info)
        assert info["css_width"] <= plotting.COLUMN_PX + 2, info
        assert info["width_px"] == pytest.approx(2 * info["css_width"], rel=0.01)   # 144 dpi
        chunks = Image.open(io.BytesIO(data)).text
        assert float(chunks["actbook:min-text-pt"]) == pytest.approx(info["min_text_pt"])
        assert float(chunks["actbook:dpi"]) == plotting.SAVE_DPI


def test_small_text_or_a_wide_figure_is_measured_and_warned_about(book_style):
    fig, ax = plotting.book_figure(share=0.8)
    ax.set_title("small", fontsize=8)
    with pytest.warns(UserWarning, match="reads at 8.0 CSS px, below 10"):
        _, info = plotting.figure_png(fig)
    assert info["min_text_pt"] == pytest.approx(8.0)
    # 10.5-point text on a figure twice the column's width is shown at half size
    fig = plt.figure(figsize=(2 * plotting.COLUMN_INCHES, 3))
    fig.text(0.5, 0.5, "label", fontsize=10.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, info = plotting.figure_png(fig, tight=False)
    assert info["min_text_px"] == pytest.approx(10.5 / 2, rel=0.02)
    assert plotting.displayed_text_px(12, 1376) == pytest.approx(6.0)
    # tick labels get their text only when the figure is drawn: they are measured too
    fig, ax = plotting.book_figure(share=0.5)
    ax.plot([0, 1], [0, 1])
    ax.tick_params(labelsize=7)
    with pytest.warns(UserWarning):
        _, info = plotting.figure_png(fig)
    assert info["min_text_pt"] == pytest.approx(7.0)


def test_text_sizes_skip_invisible_and_empty_text(book_style):
    fig, ax = plt.subplots()
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(0, 0, "shown", fontsize=11)
    ax.text(0, 0, "hidden", fontsize=5).set_visible(False)
    ax.text(0, 0, "   ", fontsize=4)
    assert plotting.text_sizes(fig) == [(11.0, "shown")]


# Machado, Oliveira and Fernandes (2009): full protanopia, deuteranopia, tritanopia (linear RGB)
_CVD = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}


def _lab(rgb_linear):
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ rgb_linear / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _smallest_difference(colours, vision=None):
    """Smallest CIELAB distance between two of ``colours`` as seen with ``vision``."""
    labs = []
    for c in colours:
        rgb = np.asarray(to_rgb(c))
        linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
        if vision:
            linear = np.clip(np.array(_CVD[vision]) @ linear, 0, 1)
        labs.append(_lab(linear))
    return min(np.linalg.norm(a - b) for a, b in itertools.combinations(labs, 2))


def test_palette_stays_distinguishable_with_colour_blindness():
    for vision in (None, *_CVD):
        assert _smallest_difference(plotting.PALETTE[:6], vision) > 12, vision
    # the check can fail: matplotlib's old default colours merge for protanopes and deuteranopes
    tab10 = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]
    assert _smallest_difference(tab10, "deuteranopia") < 12
    assert _smallest_difference(["#d62728", "#2ca02c"], "deuteranopia") < 12   # red vs green


def test_default_cycle_differs_in_dash_as_well_as_colour(book_style):
    cycle = list(matplotlib.rcParams["axes.prop_cycle"])
    assert len({str(c["linestyle"]) for c in cycle}) == len(cycle) == len(plotting.PALETTE)
    assert [c["color"] for c in cycle] == plotting.PALETTE
    styles = [plotting.series_style(i) for i in range(len(plotting.PALETTE))]
    assert len({s["marker"] for s in styles}) == len(styles)
    assert plotting.series_style(len(plotting.PALETTE)) == plotting.series_style(0)


def test_figures_are_opaque_white(book_style):
    fig, ax = plotting.book_figure(share=0.3, height=1)
    data, _ = plotting.figure_png(fig)
    image = Image.open(io.BytesIO(data)).convert("RGBA")
    assert image.getpixel((0, 0)) == (255, 255, 255, 255)


def test_show_figure_needs_alt_text_and_records_its_text_size(book_style):
    fig, ax = plotting.book_figure(share=0.5, height=2)
    ax.set_title("t")
    with pytest.raises(ValueError, match="alt text"):
        plotting.show_figure(fig, "  ")
    html = plotting.show_figure(fig, 'A line "quoted" & more', share=1.0).data
    assert 'alt="A line &quot;quoted&quot; &amp; more"' in html
    assert 'width="688"' in html and 'data-min-text-pt="' in html and "data-css-width" in html
    assert not plt.fignum_exists(fig.number)


def test_drawings_describe_themselves():
    fig = plotting.neuron_plane(4, 4, -6, "sigmoid")
    text = plotting.alt_text(fig)
    assert "weights w1 = 4, w2 = 4 and bias b = minus 6" in text
    assert "(1, 1) 0.88" in text and "(0, 0) 0" in text     # sigma(2) = 0.88, sigma(-6) = 0.00
    fig = plotting.relu_sum_figure(np.sin, 4, spread=0.5, shift=3.0)
    text = plotting.alt_text(fig)
    assert "sum of a straight line and 4 shifted ReLU units" in text and "fall outside the domain" in text
    with pytest.raises(ValueError, match="alt text must say"):
        plotting.set_alt_text(fig, " ")
    plt.close("all")


def test_explorer_frames_carry_alt_text_and_their_text_size():
    import re

    from actbook.widgets import static_explorer

    def render(w):
        fig, ax = plt.subplots(figsize=(4, 2))
        ax.plot([0, 1], [0, w])
        return plotting.set_alt_text(fig, f"A line rising to {w} at the right edge")

    html = static_explorer(render, {"w": [1, 2]}).data
    assert re.findall(r'alt="([^"]*)"', html) == ["A line rising to 1 at the right edge",
                                                  "A line rising to 2 at the right edge"]
    assert len(re.findall(r'data-min-text-pt="[\d.]+" ', html)) == 2
    assert 'width="288"' in html         # 4 inches at 72 CSS px per inch
    explicit = static_explorer(render, {"w": [1]}, alt="Slope {w}, drawn as a line").data
    assert 'alt="Slope 1, drawn as a line"' in explicit
    called = static_explorer(render, {"w": [3]}, alt=lambda w: f"Frame with w {w}").data
    assert 'alt="Frame with w 3"' in called
    bare = static_explorer(lambda w: plt.figure(), {"w": [1]}, title="T").data
    assert 'alt="w = 1"' in bare         # only the settings: the book's tests reject it
    plt.close("all")


def test_relu_sum_fit_has_a_linear_term():
    """The breakpoint explorer's basis (chapter 10) spans every straight line: a region without
    breakpoints is fitted by a line of any slope, not only by a constant."""
    x = np.linspace(-2, 2, 801)
    t = np.linspace(-2, 2, 6)[1:-1]
    line = 0.7 - 1.3 * x
    c0, c1, c = plotting.relu_sum_fit(x, line, t)
    assert abs(c0 - 0.7) < 1e-9 and abs(c1 + 1.3) < 1e-9 and np.all(np.abs(c) < 1e-9)
    # a target with a slope left of the first breakpoint: the fit follows it there, the basis
    # without the linear term (1 and the ReLUs) cannot, since all units are off there
    y = np.sin(3 * x) + 0.3 * x ** 2
    c0, c1, c = plotting.relu_sum_fit(x, y, t)
    g = plotting.relu_sum(x, t, c0, c1, c)
    left = x < t[0]
    assert np.ptp(g[left]) > 0.5                          # not flat
    F = np.column_stack([np.ones_like(x), np.maximum(0, x[:, None] - t[None, :])])
    flat = F @ np.linalg.lstsq(F, y, rcond=None)[0]
    assert np.ptp(flat[left]) < 1e-9                       # the defect the linear term removes
    # least squares over a larger basis: the squared error can only fall (here strictly)
    assert np.sum((g - y) ** 2) < 0.9 * np.sum((flat - y) ** 2)
    # relu_sum is the same network written out
    ref = c0 + c1 * x + sum(ci * np.maximum(0, x - ti) for ci, ti in zip(c, t))
    assert np.allclose(g, ref, rtol=0, atol=1e-12)


def test_breakpoint_explorer_grid_solves_exercise_10_3():
    """The static explorer of chapter 10 shows the answer of exercise 10.3 and the count below it,
    with the exercise's setting (spread 1, shift 0)."""
    from actbook.exercise_checks import universal_approximation as ua

    n = next(k for k in range(1, 100) if ua._breakpoint_error(k) < 0.1)
    grid = plotting.RELU_SUM_EXPLORER_GRID
    assert {n - 1, n} <= set(grid["units"]), (n, grid["units"])
    assert 1.0 in grid["spread"] and 0.0 in grid["shift"]
    import math
    from actbook.widgets import MAX_FRAMES
    assert math.prod(len(v) for v in grid.values()) <= MAX_FRAMES
    fig = plotting.relu_sum_figure(lambda v: np.sin(3 * v) + 0.3 * v ** 2, n)
    title = fig.axes[0].get_title()
    assert float(title.split()[-1]) < 0.1
    fig = plotting.relu_sum_figure(lambda v: np.sin(3 * v) + 0.3 * v ** 2, n - 1)
    assert float(fig.axes[0].get_title().split()[-1]) >= 0.1
    plt.close("all")
