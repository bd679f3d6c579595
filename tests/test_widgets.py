"""Tests of actbook.widgets: the static explorer (frames behind controls) and the live one."""
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from actbook.widgets import MAX_FRAMES, live_explorer, static_explorer  # noqa: E402

CALLS = []


def render(w, activation="relu"):
    CALLS.append((w, activation))
    fig, ax = plt.subplots(figsize=(2, 1.5))
    z = np.linspace(-2, 2, 21)
    ax.plot(z, np.maximum(w * z, 0) if activation == "relu" else np.tanh(w * z))
    ax.set_title(f"{activation} {w}")
    return fig


def test_frame_count_and_every_state_rendered_once():
    plt.close("all")  # figures other test modules left open in this worker process
    CALLS.clear()
    out = static_explorer(render, {"w": [-1, 0, 0.5, 2], "activation": ["relu", "tanh"]}, title="T")
    html = out.data
    imgs = re.findall(r'<img data-key="([0-9,]+)" src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(imgs) == 8
    assert sorted(k for k, _ in imgs) == sorted(f"{i},{j}" for i in range(4) for j in range(2))
    assert len({b for _, b in imgs}) == 8, "every state must give its own frame"
    assert sorted(CALLS, key=str) == sorted([(w, a) for w in [-1, 0, 0.5, 2] for a in ["relu", "tanh"]], key=str)
    assert plt.get_fignums() == [], "frames must be closed after encoding"
    # exactly one frame visible at first, the initial state (first values)
    assert len(re.findall(r'style="display:block"', html)) == 1
    assert re.search(r'<img data-key="0,0" [^>]*display:block', html)
    # controls: a slider over the 4 stops and a menu with both choices
    assert re.search(r'type="range"[^>]*min="0" max="3" step="1"', html)
    assert html.count("<option") == 2
    assert "T" in html and "<script>" in html


def test_no_network_urls_and_unique_ids():
    a = static_explorer(render, {"w": [1, 2]}).data
    b = static_explorer(render, {"w": [1, 2]}).data
    for html in (a, b):
        without_frames = re.sub(r'src="data:image/[^"]*"', "", html)
        assert "data:image" not in without_frames
        assert not re.search(r"https?:|//|@import|url\(", without_frames), "no external URL may appear"
    ids_a = set(re.findall(r'id="([^"]+)"', a))
    ids_b = set(re.findall(r'id="([^"]+)"', b))
    assert ids_a and not ids_a & ids_b, "two explorers on one page need distinct element ids"


def test_initial_state_and_numpy_values():
    html = static_explorer(render, {"w": np.array([0.0, 1.0, 2.0])}, initial={"w": 1.0}).data
    assert re.search(r'<img data-key="1" [^>]*display:block', html)
    assert 'value="1"' in html


def test_svg_format():
    html = static_explorer(render, {"w": [1]}, fmt="svg").data
    assert "data:image/svg+xml;base64," in html


@pytest.mark.parametrize(
    "grid, message",
    [
        ({}, "non-empty dict"),
        ({"w": []}, "empty"),
        ({"w": 3}, "must be a list"),
        ({"w": "abc"}, "must be a list"),
        ({"w": [2, 1]}, "strictly increasing"),
        ({"w": [1, np.nan]}, "non-finite"),
        ({"w": [1, "relu"]}, "mixes"),
        ({"activation": ["relu", "relu"]}, "repeated"),
        ({"not an identifier": [1]}, "identifiers"),
        ({"w": list(range(8)), "activation": [f"a{i}" for i in range(8)]}, "64 combinations"),
    ],
)
def test_bad_grids_raise_clear_errors(grid, message):
    with pytest.raises(ValueError, match=message):
        static_explorer(render, grid)


def test_frame_cap_is_checked_before_rendering():
    CALLS.clear()
    with pytest.raises(ValueError, match=f"at most {MAX_FRAMES} frames"):
        static_explorer(render, {"w": list(range(61))})
    assert CALLS == [], "an oversized grid must be refused before any frame is drawn"


def test_bad_arguments():
    with pytest.raises(TypeError, match="render must be a function"):
        static_explorer("render", {"w": [1]})
    with pytest.raises(ValueError, match="fmt"):
        static_explorer(render, {"w": [1]}, fmt="gif")
    with pytest.raises(ValueError, match="not one of"):
        static_explorer(render, {"w": [1, 2]}, initial={"w": 3})
    with pytest.raises(TypeError, match="must return a matplotlib Figure"):
        static_explorer(lambda w: None, {"w": [1]})


def test_live_explorer_builds_controls():
    import ipywidgets as widgets

    plt.close("all")
    w = live_explorer(render, {"w": (-3.0, 3.0, 0.5), "activation": ["relu", "tanh"]})
    assert isinstance(w, widgets.interactive)
    slider, menu = w.children[0], w.children[1]
    assert isinstance(slider, widgets.FloatSlider) and (slider.min, slider.max, slider.step) == (-3.0, 3.0, 0.5)
    assert slider.value == pytest.approx(0.0)
    assert isinstance(menu, widgets.Dropdown) and list(menu.options) == ["relu", "tanh"]
    CALLS.clear()
    slider.value = 1.5
    assert CALLS and CALLS[-1] == (1.5, "relu")
    assert plt.get_fignums() == []


@pytest.mark.parametrize(
    "controls, message",
    [
        ({}, "non-empty dict"),
        ({"w": (1.0, -1.0, 0.1)}, "min < max"),
        ({"w": (-1.0, 1.0, 0.0)}, "step"),
        ({"w": (-1.0, "a", 0.1)}, r"\(min, max, step\)"),
        ({"w": []}, "empty list"),
        ({"w": 3.0}, "must be a"),
    ],
)
def test_live_explorer_bad_controls(controls, message):
    with pytest.raises(ValueError, match=message):
        live_explorer(render, controls)
