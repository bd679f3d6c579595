"""``python -m actbook.course check STUDENT.ipynb``: run a student's notebook and report.

For each exercise of the notebook's chapter the report says *passed*, *failed* (with the
check's message), *not attempted*, or *not run* (execution stopped before its check),
then a total.  Problems that stop a fair check (the file does not parse, it belongs to
another chapter, it runs past the time limit, a cell outside the exercises raises) get
one plain paragraph each, never a traceback.

The grade comes from the book's own check cells, taken from ``solutions/``: each check cell
of the student's notebook is replaced by the book's (matched by cell id, else by its label),
a missing one is put back after the exercise's answer, and the report says which were changed
or removed.  Only results logged by the book's check cells count (they run inside
:class:`actbook.checks.grading_token` with a token made up for the run), so a check a student
adds in a cell of their own does not stand in for the book's.

While the notebook runs, progress goes to standard error: the exercise being checked, and
every 10 s the cell that is still running.  ``--cell-timeout`` stops a cell that runs too long
(an endless loop), ``--timeout`` the whole run; the report names the cell and the exercise.

Exit codes (for scripts):

===  ==============================================================================
0    every exercise passed
1    the notebook ran, but at least one exercise failed or was not attempted
2    the notebook could not be checked: missing, does not parse, not an exercise
     notebook of this book, or of another chapter than expected
3    the run exceeded the time limit (exercises after that point were not run)
4    a cell outside the exercises raised an error (results may be incomplete)
===  ==============================================================================
"""

from __future__ import annotations

import json
import re
import secrets
import sys
import textwrap
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell

from .execute import execute
from .notebooks import REPO, all_check_labels, check_labels, parse_exercises, read, solution_notebooks, title

DEFAULT_TIMEOUT = 300.0  # seconds for the whole notebook
DEFAULT_CELL_TIMEOUT = 60.0  # seconds for one cell: the book's notebooks each run in under 60 s

OK, NOT_PASSED, UNCHECKABLE, TIMED_OUT, OUTSIDE_ERROR = 0, 1, 2, 3, 4


@dataclass
class ExerciseResult:
    label: str
    title: str
    status: str  # passed, failed, not attempted, not run
    message: str = ""


@dataclass
class Report:
    notebook: str
    chapter: str | None = None
    chapter_title: str = ""
    exercises: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    check_cells: list = field(default_factory=list)  # notes on changed, removed or extra check cells
    seconds: float = 0.0
    exit_code: int = OK

    def totals(self) -> dict:
        counts = {"passed": 0, "failed": 0, "not attempted": 0, "not run": 0}
        for ex in self.exercises:
            counts[ex.status] = counts.get(ex.status, 0) + 1
        counts["exercises"] = len(self.exercises)
        return counts

    def to_json(self) -> str:
        data = asdict(self)
        data["totals"] = self.totals()
        return json.dumps(data, indent=2, ensure_ascii=False)

    def to_text(self) -> str:
        lines = [f"Checking {self.notebook}"
                 + (f" (chapter {int(self.chapter[:2])}: {self.chapter_title})" if self.chapter else "")]
        width = max([len(e.title) for e in self.exercises] + [10])
        width = min(width, 46)
        for ex in self.exercises:
            name = ex.title if len(ex.title) <= width else ex.title[: width - 1] + "…"
            status = ex.status.upper() if ex.status == "failed" else ex.status
            lines.append(f"  {ex.label:<5} {name:<{width}}  {status}")
            if ex.message and ex.status in ("failed", "not run"):
                lines.extend(textwrap.wrap(ex.message, 88, initial_indent=" " * 8, subsequent_indent=" " * 8))
        if self.check_cells:
            lines.append("")
            lines.append("Check cells (graded with the book's own checks):")
            for note in self.check_cells:
                lines.extend(textwrap.wrap(note, 88, initial_indent="  - ", subsequent_indent="    "))
        for problem in self.problems:
            lines.append("")
            lines.extend(textwrap.wrap(problem, 92))
        if self.exercises:
            t = self.totals()
            parts = [f"{t['failed']} failed", f"{t['not attempted']} not attempted"]
            if t["not run"]:
                parts.append(f"{t['not run']} not run")
            lines.append("")
            lines.append(f"Total: {t['passed']} of {t['exercises']} passed, " + ", ".join(parts)
                         + (f" (ran in {self.seconds:.1f} s)" if self.seconds else ""))
        return "\n".join(lines)


def solution_labels(repo: Path = REPO) -> dict:
    """{stem: (chapter title, [Exercise, ...])} for every solution notebook."""
    table = {}
    for path in solution_notebooks(repo):
        nb = read(path)
        name = re.sub(r"^Solutions:\s*", "", title(nb)) or path.stem
        table[path.stem] = (name, parse_exercises(nb, strict=False))
    return table


def _wrapped(source: str, token: str) -> str:
    """The book's check cell, run inside ``grading_token(token)`` with a fresh ``check``."""
    body = "\n".join("    " + line if line.strip() else line for line in source.strip("\n").split("\n"))
    return ("from actbook.checks import check, grading_token\n"
            f"with grading_token({token!r}):\n{body}")


def _same(a: str, b: str) -> bool:
    return [line.rstrip() for line in a.strip().splitlines()] == [line.rstrip() for line in b.strip().splitlines()]


def graded_notebook(student, solution, token: str):
    """The student's notebook with the book's check cells in place; (notebook, notes)."""
    import copy

    nb = copy.deepcopy(student)
    notes = []
    reference = parse_exercises(solution, strict=False)
    by_id = {}
    for i, cell in enumerate(nb.cells):
        if cell.get("id"):
            by_id.setdefault(cell.id, i)
    used = set()
    labels = {ex.label for ex in reference}
    for ex in reference:
        for k, ci in enumerate(ex.check_indices):
            book = solution.cells[ci]
            index = by_id.get(book.get("id"))
            if index is not None and (nb.cells[index].cell_type != "code" or index in used):
                index = None
            if index is None:  # no cell with the book's id: a cell calling this check, preferring
                # one that is only a check over one that also holds code of the student's
                candidates = [i for i, c in enumerate(nb.cells) if i not in used and c.cell_type == "code"
                              and ex.label in check_labels(c)]
                candidates.sort(key=lambda i: not re.match(r"\s*(with\s+)?check\(", nb.cells[i].source))
                index = candidates[0] if candidates else None
            if index is not None:
                if not _same(nb.cells[index].source, book.source):
                    notes.append(f"exercise {ex.label}: the check cell (cell {index + 1}) was changed; "
                                 "the book's check was run in its place")
                nb.cells[index].source = _wrapped(book.source, token)
                nb.cells[index].metadata.pop("tags", None)
                used.add(index)
                continue
            # put it back after the exercise's last answer cell, found by id, else at the end
            anchors = [by_id.get(solution.cells[a].get("id")) for a in ex.answer_indices]
            anchors = [a for a in anchors if a is not None]
            where = (max(anchors) + 1) if anchors else len(nb.cells)
            nb.cells.insert(where, new_code_cell(_wrapped(book.source, token)))
            used = {i + 1 if i >= where else i for i in used} | {where}
            by_id = {cid: (i + 1 if i >= where else i) for cid, i in by_id.items()}
            notes.append(f"exercise {ex.label}: the check cell was missing; the book's check was run "
                         + ("after the exercise's answer" if anchors else "at the end of the notebook"))
    for i, cell in enumerate(nb.cells):
        extra = [lab for lab in check_labels(cell) if lab in labels] if i not in used else []
        if extra:
            notes.append(f"cell {i + 1} also calls check(\"{extra[0]}\"); only the book's check cell "
                         "counts")
    return nb, notes


def _stem_for(chapter: str, table: dict) -> str | None:
    chapter = Path(str(chapter)).stem
    for stem in table:
        if stem == chapter or stem[:2] == chapter.zfill(2)[:2] and len(chapter) <= 2:
            return stem
    m = re.match(r"^(\d\d)_", chapter)
    if m:
        return next((s for s in table if s[:2] == m[1]), None)
    return None


def _progress_printer(nb, stream=None):
    owner = {i: e.label for e in parse_exercises(nb, strict=False) for i in e.cell_indices}
    announced = set()

    def progress(index, running):
        label = owner.get(index)
        if running == 0:
            if label and label not in announced:
                announced.add(label)
                print(f"  checking exercise {label} ...", file=stream or sys.stderr, flush=True)
        else:
            where = f"cell {index + 1}" + (f" (exercise {label})" if label else "")
            print(f"  {where} has been running for {running:.0f} s", file=stream or sys.stderr, flush=True)
    return progress


def check_notebook(path, timeout: float = DEFAULT_TIMEOUT, chapter: str | None = None, repo: Path = REPO,
                   cell_timeout: float | None = DEFAULT_CELL_TIMEOUT, progress: bool = False,
                   progress_every: float = 10.0) -> Report:
    path = Path(path)
    report = Report(notebook=str(path))

    def stop(code, message):
        report.problems.append(message)
        report.exit_code = code
        return report

    if not path.exists():
        return stop(UNCHECKABLE, f"There is no file {path}. Check the path and try again.")
    try:
        nb = nbformat.read(str(path), as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # JSON errors, validation errors, binary files ...
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return stop(UNCHECKABLE,
                    f"{path.name} could not be read as a Jupyter notebook ({reason[:200]}). It may have been "
                    "truncated or edited outside Jupyter. Open it in JupyterLab, save it, and check it again, "
                    "or start again from a fresh copy of the exercise notebook.")

    table = solution_labels(repo)
    labels = set(all_check_labels(nb))
    expected = _stem_for(chapter, table) if chapter else _stem_for(path.stem, table)
    if chapter and expected is None:
        return stop(UNCHECKABLE, f"There is no chapter {chapter!r} in this book; chapters are "
                                 + ", ".join(s[:2] for s in table) + ".")
    owners = [s for s, (_, exs) in table.items() if labels & {e.label for e in exs}]
    if not labels or not owners:
        where = (f"chapter {int(expected[:2])} ({table[expected][0]})" if expected else "any chapter of this book")
        return stop(UNCHECKABLE,
                    f"{path.name} contains no check cells of {where}, so there is nothing to check. "
                    "Is this the exercise notebook you meant to hand in?")
    owner = max(owners, key=lambda s: len(labels & {e.label for e in table[s][1]}))
    if expected and owner != expected:
        return stop(UNCHECKABLE,
                    f"{path.name} holds the exercises of chapter {int(owner[:2])} ({table[owner][0]}), "
                    f"not of chapter {int(expected[:2])} ({table[expected][0]}). It was not run. Rename it "
                    f"or pass --chapter {owner[:2]} if that is what you meant to check.")
    stem = owner
    report.chapter, report.chapter_title = stem, table[stem][0]
    reference = table[stem][1]
    solution = read(Path(repo) / "solutions" / f"{stem}.ipynb")
    token = secrets.token_hex(8)
    graded, report.check_cells = graded_notebook(nb, solution, token)

    try:
        result = execute(graded, path.parent.resolve(), timeout=timeout, cell_timeout=cell_timeout,
                         repo=repo, progress=_progress_printer(graded) if progress else None,
                         progress_every=progress_every)
    except Exception as exc:  # the kernel could not start, and the like: not the student's doing
        return stop(UNCHECKABLE, f"The notebook could not be run: {type(exc).__name__}: "
                                 f"{str(exc).strip().splitlines()[0] if str(exc).strip() else ''} "
                                 "Check that the course environment (python3 kernel, actbook) is installed.")
    report.seconds = round(result.seconds, 2)
    labels = set(all_check_labels(graded))

    student_exercises = parse_exercises(result.notebook, strict=False)
    cell_owner = {i: e.label for e in student_exercises for i in e.cell_indices}
    errors_by_label = {}
    outside = []
    for err in result.errors:
        label = cell_owner.get(err.index)
        if label is None:
            if not err.tagged:
                outside.append(err)
        elif err.ename not in ("NotImplementedError", "CheckFailed", "KeyboardInterrupt"):
            errors_by_label.setdefault(label, err)

    for ex in reference:
        rec = result.status(ex.label, token)
        if rec is None:
            res = ExerciseResult(ex.label, ex.title, "not run", "its check cell did not run")
        else:
            res = ExerciseResult(ex.label, ex.title, rec["status"], rec["message"])
        err = errors_by_label.get(ex.label)
        if err is not None and res.status in ("not attempted", "not run"):
            res.status = "failed"
            res.message = f"your answer cell raised {err.ename}: {err.evalue}".rstrip(": ")
        if (result.timed_out or result.dead_kernel) and result.stopped_at is not None \
                and cell_owner.get(result.stopped_at) == ex.label:
            res.status, res.message = "not run", "the time limit was reached while this exercise was running"
        report.exercises.append(res)

    if result.timed_out or result.dead_kernel:
        where = ""
        if result.stopped_at is not None:
            label = cell_owner.get(result.stopped_at)
            where = f" cell {result.stopped_at + 1}" + (f" (exercise {label})" if label else "")
        if result.cell_timed_out:
            message = (f"The notebook was stopped:{where} was still running after {cell_timeout:g} s, the "
                       f"time limit for one cell (--cell-timeout {cell_timeout:g}). A loop that never ends "
                       "is the usual cause; if the cell is only slow, raise the limit.")
        elif result.timed_out:
            message = (f"The notebook was stopped: it did not finish within the time limit of {timeout:g} s "
                       f"for the whole run (--timeout {timeout:g}); it was running{where or ' its last cell'}. "
                       "A loop that never ends is the usual cause.")
        else:
            message = f"The notebook stopped because the Python kernel died (out of memory?) while running{where}."
        report.problems.append(message + " Exercises after that point are reported as not run.")
        report.exit_code = TIMED_OUT
    if outside:
        described = "; ".join(e.describe() for e in outside[:3])
        report.problems.append(
            f"A cell outside the exercises raised an error ({described}). Later cells may depend on it, "
            "so some results above may be wrong. Restart the kernel and run the notebook from the top to "
            "see the full error.")
        if report.exit_code == OK:
            report.exit_code = OUTSIDE_ERROR
    if report.exit_code == OK and any(e.status != "passed" for e in report.exercises):
        report.exit_code = NOT_PASSED
    return report


def main(args) -> int:
    report = check_notebook(args.notebook, timeout=args.timeout, chapter=args.chapter,
                            cell_timeout=args.cell_timeout or None, progress=not args.quiet)
    print(report.to_json() if args.json else report.to_text())
    return report.exit_code
