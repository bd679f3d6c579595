"""A Sphinx extension: solution pages show the answer lines highlighted, without markers.

The solution notebooks mark each answer with ``### BEGIN SOLUTION`` and ``### END SOLUTION``
lines, which the exercise generator (and nbgrader) need. In the HTML book those lines are
noise. This extension removes them from the code cells of the pages under ``solutions/`` and
highlights the lines between them instead (Pygments' ``hl_lines``, the mechanism behind
``:emphasize-lines:``), so a reader sees at a glance which lines a student writes.

Only the displayed code changes: the notebooks, their execution and their outputs do not.
"""

from __future__ import annotations

from docutils import nodes

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
SOLUTIONS_DIR = "solutions/"


class MarkerError(ValueError):
    """Unbalanced solution markers in a code cell."""


def strip_markers(code: str) -> tuple[str, list[int]]:
    """``code`` without its marker lines, and the 1-based numbers of the answer lines in it.

    Raises :class:`MarkerError` for an unbalanced or nested marker, naming the line.
    Blank lines inside an answer are not highlighted.
    """
    kept, highlight = [], []
    inside = False
    for number, line in enumerate(code.split("\n"), start=1):
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise MarkerError(f"line {number}: {BEGIN} inside a solution block")
            inside = True
            continue
        if marker == END:
            if not inside:
                raise MarkerError(f"line {number}: {END} without a {BEGIN} before it")
            inside = False
            continue
        kept.append(line)
        if inside and line.strip():
            highlight.append(len(kept))
    if inside:
        raise MarkerError(f"{BEGIN} is never closed by {END}")
    return "\n".join(kept), highlight


def _on_doctree_read(app, doctree) -> None:
    docname = app.env.docname
    if not docname.startswith(SOLUTIONS_DIR):
        return
    for block in list(doctree.findall(nodes.literal_block)):
        code = block.astext()
        if BEGIN not in code and END not in code:
            continue
        try:
            new, highlight = strip_markers(code)
        except MarkerError as err:
            raise MarkerError(f"{docname}: {err}") from None
        replacement = nodes.literal_block(new, new, **block.attributes)
        args = dict(block.get("highlight_args", {}))
        if highlight:
            args["hl_lines"] = highlight
        replacement["highlight_args"] = args
        replacement.source, replacement.line = block.source, block.line
        block.replace_self(replacement)


def setup(app):
    app.connect("doctree-read", _on_doctree_read)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
