"""``python -m actbook.course nbgrader-source 03 --assignment week3 [--course DIR]``.

Writes chapters' solution notebooks into an nbgrader course folder, ready for
``nbgrader generate_assignment``, with the cell metadata nbgrader needs:

* every code cell holding an answer region becomes an *autograded answer* (nbgrader clears
  the region in the student version, as ``./run exercises`` does);
* every text cell holding an answer becomes a *manually graded answer* worth
  ``--written-points`` (default 0: the checks carry the marks; give written answers points to
  grade them by hand in the formgrader);
* every check cell becomes an *autograder test* worth ``--points`` (default 1). Its first lines
  are an nbgrader hidden test that calls :func:`actbook.checks.strict_checks`: nbgrader leaves
  it out of the student version (so students can run a half-finished notebook) and puts it back
  when autograding, so an unanswered exercise scores 0 whatever the environment.

The ``solution-only`` opening is left out and the students' ``exercise-only`` opening kept, as
in the exercise notebooks. A missing ``nbgrader_config.py`` is written too. Nothing is
overwritten without ``--force``.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat

from .generate import EXERCISE_ONLY, REMOVE_CELL, SOLUTION_ONLY, resolve_solutions
from .notebooks import REPO, parse_exercises, read

HIDDEN_STRICT = ("### BEGIN HIDDEN TESTS\n"
                 "from actbook.checks import check, strict_checks\n"
                 "strict_checks()  # autograding: an unanswered exercise scores 0\n"
                 "### END HIDDEN TESTS\n")

CONFIG = '''# nbgrader's settings for this course folder (written by `./run nbgrader-source`).
c = get_config()
c.CourseDirectory.course_id = "actbook"
# seconds for one cell when autograding; the book's notebooks each run in under a minute
c.Execute.timeout = 120
c.ExecutePreprocessor.timeout = 120
'''


def nbgrader_notebook(solution_nb, points: int = 1, written_points: int = 0):
    """The solution notebook with nbgrader's cell metadata (see the module docstring)."""
    nb = copy.deepcopy(solution_nb)
    nb.cells = [c for c in nb.cells if SOLUTION_ONLY not in c.metadata.get("tags", [])]
    for cell in nb.cells:
        tags = [t for t in cell.metadata.get("tags", []) if t not in (EXERCISE_ONLY,)]
        if EXERCISE_ONLY in cell.metadata.get("tags", []):
            tags = [t for t in tags if t != REMOVE_CELL]
        if tags:
            cell.metadata["tags"] = tags
        else:
            cell.metadata.pop("tags", None)
        cell.metadata.pop("wrong_answer", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    for ex in parse_exercises(nb, strict=False):
        key = ex.label.replace(".", "-")
        for n, i in enumerate(ex.answer_indices):
            cell = nb.cells[i]
            meta = {"solution": True, "grade": False, "locked": False,
                    "grade_id": f"answer-{key}-{n}", "schema_version": 3}
            if cell.cell_type == "markdown":
                meta.update(grade=True, points=written_points)
            cell.metadata["nbgrader"] = meta
        for n, i in enumerate(ex.check_indices):
            cell = nb.cells[i]
            cell.source = HIDDEN_STRICT + cell.source
            cell.metadata["nbgrader"] = {"solution": False, "grade": True, "locked": True, "points": points,
                                         "grade_id": f"check-{key}-{n}", "schema_version": 3}
    nb.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"})
    return nb


def write_source(chapters, assignment: str, course: Path, force: bool = False, points: int = 1,
                 written_points: int = 0):
    """Write the notebooks (and a missing nbgrader_config.py); (written, skipped) paths."""
    course = Path(course)
    written, skipped = [], []
    config = course / "nbgrader_config.py"
    if not config.exists():
        course.mkdir(parents=True, exist_ok=True)
        config.write_text(CONFIG)
        written.append(config)
    folder = course / "source" / assignment
    for solution in resolve_solutions(chapters):
        target = folder / solution.name
        if target.exists() and not force:
            skipped.append(target)
            continue
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nbgrader_notebook(read(solution), points, written_points), str(target))
        written.append(target)
    return written, skipped


def main(args) -> int:
    if not args.assignment or "/" in args.assignment or args.assignment.startswith("."):
        print(f"error: --assignment should be a plain name such as week3; got {args.assignment!r}")
        return 2
    course = Path(args.course or ".").resolve()
    written, skipped = write_source(args.chapters, args.assignment, course, args.force, args.points,
                                    args.written_points)
    for path in written:
        print(f"written  {path}")
    for path in skipped:
        print(f"skipped  {path} (exists; --force to overwrite)")
    if written:
        run = REPO / "run"
        print(f"\nnext, in {course}:\n"
              f"  {run} nbgrader generate_assignment {args.assignment}   # the student version, in release/\n"
              f"  {run} nbgrader autograde {args.assignment}             # grades what is in submitted/")
    return 1 if skipped and not written else 0
