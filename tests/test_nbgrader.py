"""nbgrader generates the student version of one chapter's solutions and autogrades them.

In a temporary nbgrader course folder (no server, no exchange): the solution notebook
gets nbgrader cell metadata (answer cells become solution cells, check cells become
graded test cells worth one point each), `nbgrader generate_assignment` writes the
student version, and `nbgrader autograde` grades two submissions: the solutions (full
marks) and the untouched student version (no marks, thanks to ACTBOOK_STRICT_CHECKS=1,
without which a check that only prints "not attempted" would count as passed).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from actbook.course.notebooks import REPO, parse_exercises, read, solution_notebooks

ASSIGNMENT = "ch"


def _first_solution_with_exercises():
    for path in solution_notebooks():
        if parse_exercises(read(path), strict=False):
            return path
    return None


SOLUTION = _first_solution_with_exercises()
pytestmark = pytest.mark.skipif(SOLUTION is None, reason="no solution notebook has exercises yet")


def add_nbgrader_metadata(nb):
    exercises = parse_exercises(nb, strict=False)
    points = 0
    for ex in exercises:
        for n, i in enumerate(ex.answer_indices):
            cell = nb.cells[i]
            meta = {"solution": True, "grade": False, "locked": False,
                    "grade_id": f"answer-{ex.label.replace('.', '-')}-{n}", "schema_version": 3}
            if cell.cell_type == "markdown":  # a written answer: graded by hand
                meta.update(grade=True, points=0)
            cell.metadata["nbgrader"] = meta
        for n, i in enumerate(ex.check_indices):
            nb.cells[i].metadata["nbgrader"] = {
                "solution": False, "grade": True, "locked": True, "points": 1,
                "grade_id": f"check-{ex.label.replace('.', '-')}-{n}", "schema_version": 3}
            points += 1
    return nb, points


def nbgrader(course, *args, strict=False):
    exe = Path(sys.executable).with_name("nbgrader")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
               MPLBACKEND="Agg")
    env["PATH"] = os.pathsep.join([str(exe.parent), env.get("PATH", "")])  # nbgrader runs `alembic`
    if strict:
        env["ACTBOOK_STRICT_CHECKS"] = "1"
    proc = subprocess.run([str(exe), *args], cwd=course, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def test_nbgrader_generates_and_autogrades(tmp_path, monkeypatch):
    bindir = str(Path(sys.executable).parent)
    monkeypatch.setenv("PATH", os.pathsep.join([bindir, os.environ.get("PATH", "")]))  # for `alembic`
    course = tmp_path / "course"
    source = course / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        "c.CourseDirectory.course_id = 'actbook'\n"
        "c.ExecutePreprocessor.timeout = 300\n"
        "c.Execute.timeout = 300\n")
    nb, points = add_nbgrader_metadata(read(SOLUTION))
    name = SOLUTION.name
    nbformat.write(nb, str(source / name))

    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    released = course / "release" / ASSIGNMENT / name
    student = read(released)
    text = "\n".join(c.source for c in student.cells)
    assert "BEGIN SOLUTION" not in text and "YOUR CODE HERE" in text
    for ex in parse_exercises(nb, strict=False):
        for i in ex.answer_indices:
            if nb.cells[i].cell_type != "code":
                continue
            body = nb.cells[i].source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0].strip()
            if body:
                assert body not in text, f"exercise {ex.label}: the solution leaked into the student version"

    for who, notebook in (("solver", source / name), ("blank", released)):
        target = course / "submitted" / who / ASSIGNMENT
        target.mkdir(parents=True)
        shutil.copy(notebook, target / name)
    nbgrader(course, "autograde", ASSIGNMENT, "--create", "--force", strict=True)

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        solver = gb.find_submission(ASSIGNMENT, "solver")
        blank = gb.find_submission(ASSIGNMENT, "blank")
        assert solver.max_score == pytest.approx(points)
        assert solver.score == pytest.approx(points), "the solutions did not get full marks"
        assert blank.score == pytest.approx(0), "the unanswered student version got marks"
