"""``python -m actbook.course check STUDENT.ipynb``: run a student's notebook and report.

For each exercise of the notebook's chapter the report says *passed*, *failed* (with the
check's message), *not attempted*, or *not run* (execution stopped before its check),
then a total.  Problems that stop a fair check (the file does not parse, it belongs to
another chapter, it runs past the time limit, a cell outside the exercises raises) get
one plain paragraph each, never a traceback.

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
import textwrap
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from .execute import execute
from .notebooks import REPO, all_check_labels, parse_exercises, read, solution_notebooks, title

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


def _stem_for(chapter: str, table: dict) -> str | None:
    chapter = Path(str(chapter)).stem
    for stem in table:
        if stem == chapter or stem[:2] == chapter.zfill(2)[:2] and len(chapter) <= 2:
            return stem
    m = re.match(r"^(\d\d)_", chapter)
    if m:
        return next((s for s in table if s[:2] == m[1]), None)
    return None


def check_notebook(path, timeout: float = 300.0, chapter: str | None = None, repo: Path = REPO) -> Report:
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

    try:
        result = execute(nb, path.parent.resolve(), timeout=timeout)
    except Exception as exc:  # the kernel could not start, and the like: not the student's doing
        return stop(UNCHECKABLE, f"The notebook could not be run: {type(exc).__name__}: "
                                 f"{str(exc).strip().splitlines()[0] if str(exc).strip() else ''} "
                                 "Check that the course environment (python3 kernel, actbook) is installed.")
    report.seconds = round(result.seconds, 2)

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
        rec = result.status(ex.label)
        if rec is None:
            res = ExerciseResult(ex.label, ex.title, "not run",
                                 "its check cell did not run" + (" (missing from the notebook)"
                                                                 if ex.label not in labels else ""))
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
            where = f" while running cell {result.stopped_at + 1}" + (f" (exercise {label})" if label else "")
        cause = (f"did not finish within the time limit of {timeout:g} s" if result.timed_out
                 else "stopped because the Python kernel died (out of memory?)")
        report.problems.append(
            f"The notebook {cause}{where}. A loop that never ends is the usual cause; "
            "exercises after that point are reported as not run.")
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
    report = check_notebook(args.notebook, timeout=args.timeout, chapter=args.chapter)
    print(report.to_json() if args.json else report.to_text())
    return report.exit_code
