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
