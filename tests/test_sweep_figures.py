"""Chapter 8's figures (actbook.sweeps.figures) are readable at the text column's width:
WIDTH inches wide, no text below 10.5 points (10.5 CSS px at the 72 px per inch at which the
book shows figures in the 688-px column), a few panels, and legend entries that differ in line style or marker as well as
colour, so no contrast rests on colour alone."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from actbook.sweeps import clipping, depth, figures, layer_speed  # noqa: E402

DRAW = {
    "layer_speed": lambda: figures.layer_speed(layer_speed.Speeds()),
    "remedies_at_init": lambda: figures.remedies_at_init(),
    "clipping": lambda: figures.clipping(clipping.Clipping()),
    "depth_plain": lambda: figures.depth_plain(depth.Study()),
    "depth_remedies": lambda: figures.depth_remedies(depth.Study()),
}


def text_sizes(fig):
    fig.canvas.draw()
    return [(t.get_fontsize(), t.get_text()) for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip()]


@pytest.mark.parametrize("name", DRAW)
def test_figure_reads_at_the_column_width(name):
    fig = DRAW[name]()
    try:
        assert abs(fig.get_figwidth() - figures.WIDTH) < 1e-9
        sizes = text_sizes(fig)
        assert sizes, "the figure has no text"
        small = [(s, t) for s, t in sizes if s < 10.5]
        assert not small, f"{name}: text below 10.5 pt: {small[:5]}"
        panels = [ax for ax in fig.axes if ax.get_visible() and ax.has_data()]
        assert 1 <= len(panels) <= 4, f"{name}: {len(panels)} panels"
        (legend,) = fig.legends
        styles = [(h.get_linestyle(), h.get_marker()) for h in legend.legend_handles]
        assert len(set(styles)) == len(styles), (
            f"{name}: legend entries share a line style and marker: {styles}")
        assert all(c.lower() in {v.lower() for v in figures.OKABE_ITO.values()}
                   for c in (h.get_color() for h in legend.legend_handles)), name
    finally:
        plt.close(fig)


def test_a_small_font_is_caught():
    fig, ax = plt.subplots(figsize=(figures.WIDTH, 3))
    ax.set_title("tiny", fontsize=6)
    assert any(s < 10.5 for s, _ in text_sizes(fig))
    plt.close(fig)
