"""Generate exercise notebooks from solution notebooks (``python -m actbook.course exercises``).

The solution notebook ``solutions/NN_slug.ipynb`` is the single source.  Its exercise
twin ``exercises/NN_slug.ipynb`` is produced by:

1. dropping cells tagged ``solution-only`` (the solutions page's own opening, worked
   explanations), and keeping cells tagged ``exercise-only`` without that tag and
   without ``remove-cell`` (see below);
2. nbgrader's ``ClearSolutions`` preprocessor (with ``enforce_metadata = False``), which
   replaces every ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region with
   ``# YOUR CODE HERE`` / ``raise NotImplementedError()`` (code) or ``YOUR ANSWER HERE``
   (markdown);
3. stripping outputs, execution counts and the ``wrong_answer`` cell metadata;
4. renaming the title ``# Solutions: ...`` to ``# Exercises: ...`` (for a notebook that
   has no exercise-only opening of its own);
5. tagging ``raises-exception`` on each cleared cell whose stub raises when the cell runs,
   so nbval and the book accept the stub;
6. recording a hash of the generated cell sources in ``metadata.actbook.generated``.

A solution notebook opens with two markdown cells: the solutions page's opening, tagged
``solution-only`` (worked answers; links to the chapter and to the exercise notebook),
and the students' opening, tagged ``exercise-only`` and ``remove-cell`` (how to work;
a link to the chapter).  ``remove-cell`` keeps the students' opening off the solutions
page of the book; an ``exercise-only`` cell without it is an error, as is a cell tagged
both ``solution-only`` and ``exercise-only``.

Cell ids are those of the solution notebook, so they stay stable from run to run.
The hash lets the generator tell an unedited generated notebook (safe to replace,
even when stale) from a student's edited copy (never replaced without ``--force``).
"""

from __future__ import annotations

import ast
import copy
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .notebooks import REPO, solution_notebooks

SOLUTION_ONLY = "solution-only"
EXERCISE_ONLY = "exercise-only"
REMOVE_CELL = "remove-cell"  # myst-nb leaves a cell with this tag out of the book's page
RAISES = "raises-exception"
STUB_EXCEPTION = "NotImplementedError"


def cells_hash(nb) -> str:
    data = [[c.cell_type, c.source] for c in nb.cells]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


def _exception_name(node) -> str | None:
    exc = node.exc
    if isinstance(exc, ast.Call):
        exc = exc.func
    return exc.id if isinstance(exc, ast.Name) else None


def stub_raises_at_top_level(source: str) -> bool:
    """True when running this (cleared) cell raises the stub's ``NotImplementedError``.

    That is the case when a stub ``raise`` sits outside every function, or when the
    cell calls, outside every function, a function of its own whose body is a stub.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics and the like: fall back on indentation
        return bool(re.search(rf"^raise {STUB_EXCEPTION}", source, re.M))

    stub_functions = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if any(isinstance(n, ast.Raise) and _exception_name(n) == STUB_EXCEPTION for n in ast.walk(node)):
                stub_functions.add(node.name)

    def visit(node, in_function: bool) -> bool:
        if isinstance(node, ast.Raise) and not in_function and _exception_name(node) == STUB_EXCEPTION:
            return True
        if (isinstance(node, ast.Call) and not in_function and isinstance(node.func, ast.Name)
                and node.func.id in stub_functions):
            return True
        inner = in_function or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        return any(visit(child, inner) for child in ast.iter_child_nodes(node))

    return visit(tree, False)


class EditionTagError(ValueError):
    """A solution notebook's ``solution-only`` / ``exercise-only`` tags contradict each other."""


def check_edition_tags(solution_nb, source_name: str = "") -> None:
    """Raise :class:`EditionTagError` naming the cell when the edition tags are inconsistent."""
    where = source_name or "the solution notebook"
    for i, cell in enumerate(solution_nb.cells):
        tags = cell.metadata.get("tags", [])
        first = cell.source.strip().splitlines()[0] if cell.source.strip() else "(empty)"
        if SOLUTION_ONLY in tags and EXERCISE_ONLY in tags:
            raise EditionTagError(f"{where}, cell {i} ({first!r}) is tagged both {SOLUTION_ONLY!r} "
                                  f"and {EXERCISE_ONLY!r}; keep one")
        if EXERCISE_ONLY in tags and REMOVE_CELL not in tags:
            raise EditionTagError(f"{where}, cell {i} ({first!r}) is tagged {EXERCISE_ONLY!r} but not "
                                  f"{REMOVE_CELL!r}, so the book's solutions page would show it; "
                                  f"add the tag {REMOVE_CELL!r}")


def _without_tags(cell, drop) -> None:
    tags = [t for t in cell.metadata.get("tags", []) if t not in drop]
    if tags:
        cell.metadata["tags"] = tags
    else:
        cell.metadata.pop("tags", None)


def generate(solution_nb, source_name: str = "") -> nbformat.NotebookNode:
    """The exercise notebook generated from a solution notebook (not written anywhere)."""
    check_edition_tags(solution_nb, source_name)
    nb = copy.deepcopy(solution_nb)
    nb.cells = [c for c in nb.cells if SOLUTION_ONLY not in c.metadata.get("tags", [])]
    for cell in nb.cells:
        if EXERCISE_ONLY in cell.metadata.get("tags", []):
            _without_tags(cell, (EXERCISE_ONLY, REMOVE_CELL))
    had_region = []
    for cell in nb.cells:
        cell.metadata.pop("wrong_answer", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
        had_region.append("BEGIN SOLUTION" in cell.source)

    from nbgrader.preprocessors import ClearSolutions  # heavy import: only when generating

    clear = ClearSolutions()
    clear.enforce_metadata = False
    nb, _ = clear.preprocess(nb, {})

    for cell, cleared in zip(nb.cells, had_region):
        if cell.cell_type == "markdown" and re.match(r"^#\s+Solutions\s*:", cell.source):
            cell.source = re.sub(r"^#\s+Solutions\s*:\s*", "# Exercises: ", cell.source, count=1)
        if cleared and cell.cell_type == "code" and stub_raises_at_top_level(cell.source):
            tags = cell.metadata.setdefault("tags", [])
            if RAISES not in tags:
                tags.append(RAISES)

    meta = nb.metadata.setdefault("actbook", {})
    meta["generated"] = {
        "from": source_name,
        "note": "generated by `python -m actbook.course exercises`; edit the solution notebook instead",
        "cells_sha256": cells_hash(nb),
    }
    return nb


def render(nb) -> str:
    return nbformat.writes(nb) + "\n"


def is_unedited(existing_text: str) -> bool:
    """True when an existing exercise notebook's cells are exactly as they were generated."""
    try:
        nb = nbformat.reads(existing_text, as_version=4)
    except Exception:
        return False
    recorded = nb.metadata.get("actbook", {}).get("generated", {}).get("cells_sha256")
    return recorded is not None and recorded == cells_hash(nb)


@dataclass
class Outcome:
    stem: str
    status: str  # "unchanged", "written", "refused", "out of sync"
    reason: str = ""


def exercise_path_for(solution: Path, repo: Path) -> Path:
    return Path(repo) / "exercises" / solution.name


def sync(stems=None, force: bool = False, check_only: bool = False, repo: Path = REPO) -> list[Outcome]:
    repo = Path(repo)
    solutions = resolve_solutions(stems, repo)
    outcomes = []
    for solution in solutions:
        target = exercise_path_for(solution, repo)
        source_name = f"solutions/{solution.name}"
        text = render(generate(nbformat.read(str(solution), as_version=4), source_name))
        existing = target.read_text(encoding="utf-8") if target.exists() else None
        if existing == text:
            outcomes.append(Outcome(solution.stem, "unchanged"))
        elif check_only:
            why = "missing" if existing is None else f"differs from what {source_name} generates"
            outcomes.append(Outcome(solution.stem, "out of sync", f"exercises/{target.name} {why}"))
        elif existing is None or force or is_unedited(existing):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            outcomes.append(Outcome(solution.stem, "written"))
        else:
            outcomes.append(Outcome(
                solution.stem, "refused",
                f"exercises/{target.name} differs from what {source_name} generates, and its cells "
                "are not as this command last wrote them (edited by hand, or a student's working copy?), "
                "so it was left alone; rerun with --force to overwrite it"))
    return outcomes


def resolve_solutions(stems, repo: Path = REPO) -> list[Path]:
    available = solution_notebooks(repo)
    if not stems:
        return available
    chosen = []
    for stem in stems:
        name = Path(stem).stem
        matches = [p for p in available if p.stem == name or p.stem.startswith(f"{name}_")]
        if len(matches) != 1:
            known = ", ".join(p.stem for p in available)
            raise SystemExit(f"no single solution notebook matches {stem!r}; known: {known}")
        chosen.append(matches[0])
    return chosen


def main(args) -> int:
    try:
        outcomes = sync(args.stems, force=args.force, check_only=args.check)
    except EditionTagError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    bad = [o for o in outcomes if o.status in ("refused", "out of sync")]
    for o in outcomes:
        if o.status == "written" or o.reason:
            print(f"{o.status:>12}  {o.reason or 'exercises/' + o.stem + '.ipynb'}")
    if args.check:
        if bad:
            print(f"{len(bad)} exercise notebook(s) out of sync with solutions/; run "
                  "`python -m actbook.course exercises` (or ./run exercises)")
            return 1
        print(f"all {len(outcomes)} exercise notebooks are in sync with solutions/")
        return 0
    written = sum(o.status == "written" for o in outcomes)
    unchanged = sum(o.status == "unchanged" for o in outcomes)
    print(f"{written} written, {unchanged} unchanged, {len(bad)} refused")
    return 1 if bad else 0
