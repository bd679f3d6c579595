"""Chapters 4-6 keep the notation page's symbols and cite what they quote (issue 16).

Each check names a drift that was once in these pages, so that it cannot come back unnoticed:
the PReLU slope written ``a`` (the notation page keeps ``a`` for activations), ``L`` as a depth
(``D`` is the depth, ``L`` the loss), and sources a reader cannot look up.
"""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STEMS = ["04_relu_family", "05_smooth_units", "06_softmax"]
PAGES = [f"{folder}/{stem}.ipynb" for stem in STEMS for folder in ("chapters", "solutions")]


def markdown(path):
    nb = json.loads((ROOT / path).read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


UNCITED = ["source document", "the source's", "lecture slides", "lecture material",
           "widely read introduction", "course notes", "often quoted", "a source"]


@pytest.mark.parametrize("path", PAGES)
def test_no_uncited_sources(path):
    text = markdown(path).lower()
    found = [p for p in UNCITED if p in text]
    assert not found, f"{path} speaks of sources a reader cannot look up: {found}; cite by author"


@pytest.mark.parametrize("path", PAGES)
def test_no_depth_written_L(path):
    text = markdown(path)
    found = re.findall(r"\^\{\(L\)\}|\^\{\(L-1\)\}|L\s+layers", text)
    assert not found, f"{path} uses L as a depth ({found}); the notation page writes D"


@pytest.mark.parametrize("stem", ["04_relu_family"])
def test_prelu_slope_is_alpha(stem):
    for folder in ("chapters", "solutions"):
        text = markdown(f"{folder}/{stem}.ipynb")
        # (dL/da_i with a the activation, as in the dead-unit proposition, is right)
        bad = re.findall(r"\\partial\s*\\phi(?:\(z\))?\s*\}?\s*/?\s*\{?\s*\\partial\s*a\b|"
                         r"slope \$a\$|\$a = 0\.25\$|a \\leftarrow a \+ v", text)
        assert not bad, f"{folder}/{stem}: the PReLU slope is written a ({bad}); write alpha"


def test_chapter_exercise_titles_match_their_notebooks():
    """The exercise list at the end of a chapter names the same exercises, in the same order,
    as the solution notebook (from which the exercise notebook is generated)."""
    for stem in STEMS:
        chapter = markdown(f"chapters/{stem}.ipynb")
        listed = [t.strip() for t in re.findall(r"[`:]{3}\{exercise\}\s*([^\n(]+)", chapter)]
        solved = [t.strip() for t in re.findall(r"## Exercise \d+\.\d+: ([^\n(]+)",
                                                markdown(f"solutions/{stem}.ipynb"))]
        assert listed == solved, f"{stem}: chapter lists {listed}, the notebooks have {solved}"
