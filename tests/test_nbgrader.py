"""The instructor's nbgrader round trip, through the shipped commands, as the guide tells it.

In a temporary course folder (no server, no exchange): `./run nbgrader-source 01 --assignment
ch` writes chapter 1's solutions with nbgrader's cell metadata (and an nbgrader_config.py),
`./run nbgrader generate_assignment ch` writes the student version, and `./run nbgrader
autograde ch` grades two submissions: the solutions (full marks) and the untouched student
version (no marks). ACTBOOK_STRICT_CHECKS is removed from the environment: the blank notebook
scores 0 by default, because the check cells' hidden test (restored by nbgrader when it
autogrades) makes an unanswered exercise fail.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from actbook.course.nbgrader_source import HIDDEN_STRICT, nbgrader_notebook
from actbook.course.notebooks import REPO, parse_exercises, read

ASSIGNMENT = "ch"
STEM = "01_neuron_models"
RUN = REPO / "run"


def run(*args, cwd):
    env = {k: v for k, v in os.environ.items() if k not in ("ACTBOOK_STRICT_CHECKS", "VIRTUAL_ENV")}
    env["MPLBACKEND"] = "Agg"
    # a PATH without the environment's bin/: ./run nbgrader must find alembic by itself
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    proc = subprocess.run([str(RUN), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"./run {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def test_nbgrader_source_metadata():
    sol = read(REPO / "solutions" / f"{STEM}.ipynb")
    nb = nbgrader_notebook(sol)
    exercises = parse_exercises(nb, strict=False)
    assert exercises and not any("solution-only" in c.metadata.get("tags", []) for c in nb.cells)
    for ex in exercises:
        for i in ex.check_indices:
            meta = nb.cells[i].metadata["nbgrader"]
            assert meta["grade"] and meta["locked"] and meta["points"] == 1
            assert nb.cells[i].source.startswith(HIDDEN_STRICT)
        for i in ex.answer_indices:
            assert nb.cells[i].metadata["nbgrader"]["solution"]


def test_nbgrader_round_trip_through_run(tmp_path):
    course = tmp_path / "course"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # the course folder is given relative to the caller's folder, not the repository
    run("nbgrader-source", "01", "--assignment", ASSIGNMENT, "--course", "../course", cwd=elsewhere)
    source = course / "source" / ASSIGNMENT / f"{STEM}.ipynb"
    assert source.is_file() and (course / "nbgrader_config.py").is_file()
    again = subprocess.run([str(RUN), "nbgrader-source", "01", "--assignment", ASSIGNMENT],
                           cwd=course, capture_output=True, text=True, timeout=300)
    assert again.returncode == 1 and "exists; --force to overwrite" in again.stdout

    run("nbgrader", "generate_assignment", ASSIGNMENT, "--force", cwd=course)
    released = course / "release" / ASSIGNMENT / f"{STEM}.ipynb"
    student = read(released)
    text = "\n".join(c.source for c in student.cells)
    assert "BEGIN SOLUTION" not in text and "YOUR CODE HERE" in text
    assert "HIDDEN TESTS" not in text and "strict_checks" not in text, "the hidden test reached students"
    nb = read(source)
    points = 0
    for ex in parse_exercises(nb, strict=False):
        points += len(ex.check_indices)
        for i in ex.answer_indices:
            if nb.cells[i].cell_type != "code":
                continue
            body = nb.cells[i].source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0].strip()
            if body:
                assert body not in text, f"exercise {ex.label}: the solution leaked into the student version"

    for who, notebook in (("solver", source), ("blank", released)):
        target = course / "submitted" / who / ASSIGNMENT
        target.mkdir(parents=True)
        shutil.copy(notebook, target / notebook.name)
    run("nbgrader", "autograde", ASSIGNMENT, "--create", "--force", cwd=course)

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        solver = gb.find_submission(ASSIGNMENT, "solver")
        blank = gb.find_submission(ASSIGNMENT, "blank")
        assert solver.max_score == pytest.approx(points)
        assert solver.score == pytest.approx(points), "the solutions did not get full marks"
        assert blank.score == pytest.approx(0), "the unanswered student version got marks"
    assert not any(Path(REPO).glob("gradebook.db")), "the round trip wrote into the repository"
