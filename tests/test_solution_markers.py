"""The Sphinx extension that hides solution markers and highlights the answer lines."""
from __future__ import annotations

import re
import textwrap

import pytest

from actbook.course.solution_markers import MarkerError, strip_markers

CELL = """\
x = 1
### BEGIN SOLUTION
y = x + 1

    z = y * 2
### END SOLUTION
print(y)"""


def test_markers_are_removed_and_answer_lines_numbered():
    code, lines = strip_markers(CELL)
    assert code.split("\n") == ["x = 1", "y = x + 1", "", "    z = y * 2", "print(y)"]
    assert lines == [2, 4]  # the blank line inside the answer is not highlighted


def test_indented_markers_and_two_blocks():
    cell = "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n" \
           "a = 0\n### BEGIN SOLUTION\nb = 2\n### END SOLUTION"
    code, lines = strip_markers(cell)
    assert code == "def f():\n    return 1\na = 0\nb = 2"
    assert lines == [2, 4]


def test_code_without_markers_is_unchanged():
    assert strip_markers("a = 1\nb = 2") == ("a = 1\nb = 2", [])


@pytest.mark.parametrize("cell, message", [
    ("### BEGIN SOLUTION\na = 1", "never closed"),
    ("a = 1\n### END SOLUTION", "line 2: ### END SOLUTION without"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "line 2: ### BEGIN SOLUTION inside"),
])
def test_unbalanced_markers_are_named(cell, message):
    with pytest.raises(MarkerError, match=re.escape(message)):
        strip_markers(cell)


def _build(tmp_path, docname, body):
    sphinx_app = pytest.importorskip("sphinx.application")
    src = tmp_path / "src"
    (src / docname).parent.mkdir(parents=True, exist_ok=True)
    (src / "conf.py").write_text("extensions = ['actbook.course.solution_markers']\n")
    (src / "index.rst").write_text("Index\n=====\n\n.. toctree::\n\n   " + docname + "\n")
    (src / f"{docname}.rst").write_text(body)
    app = sphinx_app.Sphinx(str(src), str(src), str(tmp_path / "out"), str(tmp_path / "dt"),
                            "html", status=None, warning=None, freshenv=True)
    app.build()
    return (tmp_path / "out" / f"{docname}.html").read_text()


PAGE = textwrap.dedent("""\
    Page
    ====

    .. code-block:: python

       x = 1
       ### BEGIN SOLUTION
       answer = x + 41
       ### END SOLUTION
       print(answer)
    """)


def test_solution_page_is_built_without_markers_and_with_highlight(tmp_path):
    html = _build(tmp_path, "solutions/page", PAGE)
    assert "BEGIN SOLUTION" not in html and "END SOLUTION" not in html
    highlighted = re.findall(r'<span class="hll">(.*?)</span>\n?</span>', html, re.S)
    assert len(highlighted) == 1 and "answer" in highlighted[0] and "41" in highlighted[0]
    assert "print" in html


def test_other_pages_keep_their_code_as_written(tmp_path):
    html = _build(tmp_path, "chapters/page", PAGE)
    assert "### BEGIN SOLUTION" in html and 'class="hll"' not in html
