"""Code in the chapters and solutions fits the page: no line longer than 79 characters.

The HTML book shows a code cell in a column about 79 characters wide (``book_assets/book.css``
sizes the font for it); a longer line makes the cell scroll sideways, which the browser test
also catches on the built pages. This test names the notebook, cell and line directly.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_CHARS = 79
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb")) + sorted((ROOT / "solutions").glob("*.ipynb"))


def long_lines(nb, limit=MAX_CHARS):
    """``[(cell index, line number, length), ...]`` for code lines longer than ``limit``."""
    return [(i, n, len(line)) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for n, line in enumerate(cell.source.splitlines(), 1) if len(line) > limit]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_code_lines_fit_the_page(path):
    found = long_lines(nbformat.read(path, as_version=4))
    assert not found, f"{path.relative_to(ROOT)}: code lines over {MAX_CHARS} characters " + \
        ", ".join(f"cell {i} line {n} ({k} chars)" for i, n, k in found)


def test_long_line_is_found():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("x" * 200),
                                         nbformat.v4.new_code_cell("a = 1\n" + "b" * 80)])
    assert long_lines(nb) == [(1, 2, 80)]
