"""Reading the book's notebooks: exercises, objectives, prerequisites, study time.

Everything the course tools and the instructor's guide know about a chapter is parsed
from the notebooks themselves, so it cannot drift from them.

* An exercise starts at a markdown cell whose first line is
  ``## Exercise N.k: <title> (<kind>, <difficulty>)``, with ``kind`` one of
  :data:`KINDS` and ``difficulty`` one of ``★``, ``★★``, ``★★★``; it runs until the
  next exercise heading (or a level-1/level-2 heading that is not an exercise).
* Its answer cells contain ``### BEGIN SOLUTION`` / ``### END SOLUTION``.
* Its check cells contain ``check("N.k")``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]
KINDS = ("derivation", "implementation", "exploration", "prediction", "debugging", "experiment")
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"

HEADING = re.compile(
    r"^##\s+Exercise\s+(?P<label>\d+\.\d+)\s*:\s*(?P<title>.+?)\s*"
    r"\(\s*(?P<kind>[A-Za-z]+)\s*,\s*(?P<difficulty>★{1,3})\s*\)\s*$"
)
LOOSE_HEADING = re.compile(r"^##\s+Exercise\b")
CHECK_CALL = re.compile(r"""\bcheck\(\s*["'](\d+\.\d+)["']""")
STEM = re.compile(r"^(\d\d)_[a-z0-9_]+$")


@dataclass
class Exercise:
    """One exercise of a solution (or exercise) notebook."""

    label: str  # "3.2"
    title: str
    kind: str
    difficulty: str  # "★★"
    heading_index: int  # index of the heading cell
    cell_indices: list = field(default_factory=list)  # every cell of the exercise, heading included
    answer_indices: list = field(default_factory=list)  # cells holding a solution region
    check_indices: list = field(default_factory=list)  # code cells calling check("<label>")

    @property
    def stars(self) -> int:
        return len(self.difficulty)


class NotebookFormatError(ValueError):
    """A solution notebook does not follow the exercise conventions."""


def read(path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def solution_notebooks(repo: Path = REPO) -> list[Path]:
    return sorted(p for p in (Path(repo) / "solutions").glob("*.ipynb") if STEM.match(p.stem))


def exercise_notebooks(repo: Path = REPO) -> list[Path]:
    return sorted(p for p in (Path(repo) / "exercises").glob("*.ipynb") if STEM.match(p.stem))


def chapter_notebooks(repo: Path = REPO) -> list[Path]:
    return sorted(p for p in (Path(repo) / "chapters").glob("*.ipynb") if STEM.match(p.stem))


def has_solution_region(cell) -> bool:
    """True for a cell with an answer region: ``### BEGIN SOLUTION`` in code, and in markdown
    also ``<!-- BEGIN SOLUTION -->`` (an HTML comment, so the book does not show the marker)."""
    return "BEGIN SOLUTION" in cell.source


def check_labels(cell) -> list[str]:
    return CHECK_CALL.findall(cell.source) if cell.cell_type == "code" else []


def parse_exercises(nb, strict: bool = True) -> list[Exercise]:
    """The exercises of a notebook, in order.

    With ``strict`` a heading that starts ``## Exercise`` but does not match the
    convention raises :class:`NotebookFormatError` naming the heading.
    """
    exercises: list[Exercise] = []
    current = None
    for i, cell in enumerate(nb.cells):
        first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
        if cell.cell_type == "markdown" and first.startswith("#"):
            m = HEADING.match(first)
            if m:
                kind = m["kind"].lower()
                if strict and kind not in KINDS:
                    raise NotebookFormatError(
                        f"exercise {m['label']}: kind {m['kind']!r} is not one of {', '.join(KINDS)}"
                    )
                current = Exercise(m["label"], m["title"], kind, m["difficulty"], i)
                exercises.append(current)
            elif LOOSE_HEADING.match(first):
                if strict:
                    raise NotebookFormatError(
                        f"heading {first!r} should read '## Exercise N.k: <title> (<kind>, ★|★★|★★★)'"
                    )
                current = None
            elif re.match(r"^#{1,2}\s", first):
                current = None  # a new top-level section ends the exercise
        if current is not None:
            current.cell_indices.append(i)
            if has_solution_region(cell):
                current.answer_indices.append(i)
            if current.label in check_labels(cell):
                current.check_indices.append(i)
    return exercises


def all_check_labels(nb) -> list[str]:
    labels = []
    for cell in nb.cells:
        for label in check_labels(cell):
            if label not in labels:
                labels.append(label)
    return labels


def title(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def _section(nb, heading: str):
    """Source of the markdown cell(s) under ``## heading`` (up to the next heading of level <= 2)."""
    pattern = re.compile(rf"^##\s+{re.escape(heading)}\s*$", re.M | re.I)
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        m = pattern.search(cell.source)
        if m:
            rest = cell.source[m.end():]
            nxt = re.search(r"^#{1,2}\s", rest, re.M)
            return rest[: nxt.start()] if nxt else rest
    return None


def objectives(nb) -> list[str]:
    """The bullet list under ``## You will learn``."""
    text = _section(nb, "You will learn")
    if text is None:
        return []
    items, current = [], None
    for line in text.splitlines():
        m = re.match(r"^\s*[-*+]\s+(.*)$", line)
        if m:
            current = m[1].strip()
            items.append(current)
        elif current is not None and line.strip() and line.startswith((" ", "\t")):
            items[-1] = items[-1] + " " + line.strip()
    return items


def prerequisites(nb) -> list[str]:
    """Stems of the chapters linked from the ``## Prerequisites`` cell, in order."""
    text = _section(nb, "Prerequisites")
    if text is None:
        return []
    stems = []
    # {doc}`target` or {doc}`title <target>`
    docs = [m[0] or m[1] for m in re.findall(r"\{doc\}`(?:[^`<]*<([^`>]+)>|([^`<>]+))`", text)]
    for target in re.findall(r"\]\(([^)\s]+)\)", text) + docs:
        stem = Path(target.split("#")[0]).stem
        if STEM.match(stem) and stem not in stems:
            stems.append(stem)
    return stems


def minutes(nb):
    value = nb.metadata.get("actbook", {}).get("minutes")
    return value if isinstance(value, (int, float)) else None


def chapter_info(stem: str, repo: Path = REPO) -> dict:
    """Everything the instructor's guide shows about one chapter, parsed from its notebooks."""
    repo = Path(repo)
    info = {"stem": stem, "number": int(stem[:2]), "title": stem, "objectives": [],
            "prerequisites": [], "minutes": None, "exercises": [], "placeholder": True}
    chapter = repo / "chapters" / f"{stem}.ipynb"
    if chapter.exists():
        nb = read(chapter)
        info.update(title=title(nb) or stem, objectives=objectives(nb),
                    prerequisites=[p for p in prerequisites(nb) if p != stem], minutes=minutes(nb))
        info["placeholder"] = not info["objectives"]
    solution = repo / "solutions" / f"{stem}.ipynb"
    if solution.exists():
        info["exercises"] = parse_exercises(read(solution), strict=False)
    return info
