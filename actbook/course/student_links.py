"""A Sphinx extension used only by the student edition (``python -m actbook.course student-edition``).

The student edition leaves the solution notebooks out of the build, so a chapter's sentence
"worked answers are in the [solutions](../solutions/NN_slug.ipynb)" would point nowhere: Sphinx
drops the link and keeps its text, and the reader is told that solutions exist without being able
to find them.  This extension rewrites that clause (from the previous ``.``, ``;`` or ``:`` to
the next ``.`` or ``;``) to say that worked solutions are not included in this edition.  When the
link is not a plain part of a paragraph, the link alone is replaced by that remark.

It runs before MyST's own reference resolver, so the missing pages raise no warning.
"""

from __future__ import annotations

import posixpath
import re

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

SOLUTIONS_DIR = "solutions/"
NOT_INCLUDED = "worked solutions are not included in this edition"
CLAUSE_START = re.compile(r"[.;:!?]\s+")  # the clause begins after the last of these
CLAUSE_END = re.compile(r"[.;!?](?=\s|$)")  # ... and ends at the first of these


def solution_target(node, docname: str = "") -> str | None:
    """The solutions page a cross-reference points to (``solutions/...``), or None."""
    target = str(node.get("reftarget", ""))
    if not target:
        return None
    if node.get("reftype") not in ("myst", "doc"):  # a Markdown link, or a {doc} role
        return None
    if node.get("reftype") == "myst" and node.get("refdomain") == "doc" or target.startswith("/"):
        resolved = target.lstrip("/")  # MyST gives a Markdown link's page as a full docname
    else:  # a {doc} role: relative to the page it is on
        base = node.get("refdoc", docname) or ""
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(base), target))
    return resolved if resolved.startswith(SOLUTIONS_DIR) else None


def _clause_bounds(children, index):
    """(start child, offset) and (end child, offset) of the clause around ``children[index]``."""
    start = (0, 0)
    for j in range(index - 1, -1, -1):
        if isinstance(children[j], nodes.Text):
            hits = list(CLAUSE_START.finditer(str(children[j])))
            if hits:
                start = (j, hits[-1].end())
                break
    end = None
    for j in range(index + 1, len(children)):
        if isinstance(children[j], nodes.Text):
            hit = CLAUSE_END.search(str(children[j]))
            if hit:
                end = (j, hit.start())
                break
    return start, end


def replace_with_note(xref) -> None:
    """Rewrite the clause holding ``xref`` (a link to a solutions page) as the remark."""
    parent = xref.parent
    if isinstance(parent, nodes.paragraph):
        children = list(parent.children)
        index = children.index(xref)
        (sj, so), end = _clause_bounds(children, index)
        before = str(children[sj])[:so] if isinstance(children[sj], nodes.Text) else ""
        previous_text = "".join(c.astext() for c in children[:sj]) + before
        sentence_start = not previous_text.strip() or previous_text.rstrip()[-1] in ".!?"
        note = NOT_INCLUDED[0].upper() + NOT_INCLUDED[1:] if sentence_start else NOT_INCLUDED
        if end is None:  # the clause runs to the end of the paragraph
            ej, after = len(children) - 1, "."
        else:
            ej, eo = end
            after = str(children[ej])[eo:]
        new = children[:sj]
        if before:
            new.append(nodes.Text(before))
        new.append(nodes.Text(note + after))
        new.extend(children[ej + 1:])
        parent.children = []
        parent.extend(new)
        return
    xref.replace_self(nodes.Text(f"({NOT_INCLUDED})"))


class SolutionLinksToNote(SphinxPostTransform):
    default_priority = 5  # before MyST's reference resolver (9) and Sphinx's (10)

    def run(self, **kwargs) -> None:
        for node in list(self.document.findall(addnodes.pending_xref)):
            target = solution_target(node, self.env.docname)
            if target is not None and target not in self.env.all_docs:
                replace_with_note(node)


def setup(app):
    app.add_post_transform(SolutionLinksToNote)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
