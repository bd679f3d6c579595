"""exercises/ must be exactly what `python -m actbook.course exercises` generates from solutions/."""

import pytest

from actbook.course.generate import sync
from actbook.course.notebooks import exercise_notebooks, solution_notebooks


def test_every_solution_has_an_exercise_twin_and_nothing_else():
    solutions = {p.name for p in solution_notebooks()}
    exercises = {p.name for p in exercise_notebooks()}
    assert solutions, "no solution notebooks found"
    assert exercises == solutions, (
        f"exercises without a solution: {sorted(exercises - solutions)}; "
        f"solutions without an exercise notebook: {sorted(solutions - exercises)}")


@pytest.mark.parametrize("solution", solution_notebooks(), ids=lambda p: p.stem)
def test_exercise_notebook_in_sync(solution):
    (outcome,) = sync([solution.stem], check_only=True)
    assert outcome.status == "unchanged", (
        f"{outcome.reason}. Edit solutions/{solution.name} (the source), then run "
        "`./run exercises` (python -m actbook.course exercises) and commit both files.")


def _copy_pair(tmp_path, stem):
    import shutil

    from actbook.course.notebooks import REPO
    for folder in ("solutions", "exercises"):
        (tmp_path / folder).mkdir(exist_ok=True)
        shutil.copy(REPO / folder / f"{stem}.ipynb", tmp_path / folder / f"{stem}.ipynb")
    return tmp_path


def _status(repo, stem):
    (outcome,) = sync([stem], check_only=True, repo=repo)
    return outcome.status


def test_sync_check_catches_drift_in_the_openings(tmp_path):
    """A change to the students' opening, in either notebook, is drift; the solutions page's own
    opening is not in the exercise notebook, so changing it is not."""
    import nbformat

    from actbook.course.generate import EXERCISE_ONLY, SOLUTION_ONLY
    stem = solution_notebooks()[0].stem
    repo = _copy_pair(tmp_path, stem)
    solution, exercise = repo / "solutions" / f"{stem}.ipynb", repo / "exercises" / f"{stem}.ipynb"
    assert _status(repo, stem) == "unchanged"
    original = solution.read_text()

    nb = nbformat.read(str(solution), as_version=4)
    next(c for c in nb.cells if SOLUTION_ONLY in c.metadata.get("tags", [])).source += "\n\nOne more remark."
    nbformat.write(nb, str(solution))
    assert _status(repo, stem) == "unchanged", "the solution-only opening leaked into the exercise notebook"

    nb = nbformat.read(str(solution), as_version=4)
    next(c for c in nb.cells if EXERCISE_ONLY in c.metadata.get("tags", [])).source += "\n\nOne more hint."
    nbformat.write(nb, str(solution))
    assert _status(repo, stem) == "out of sync"

    solution.write_text(original)
    nb = nbformat.read(str(solution), as_version=4)
    nb.cells[0].metadata["tags"] = []  # forget the tag: the solutions opening would reach students
    nbformat.write(nb, str(solution))
    assert _status(repo, stem) == "out of sync"

    solution.write_text(original)
    assert _status(repo, stem) == "unchanged"
    ex = nbformat.read(str(exercise), as_version=4)
    ex.cells[0].source = ex.cells[0].source.replace("# Exercises:", "# Exercise sheet:")
    nbformat.write(ex, str(exercise))
    assert _status(repo, stem) == "out of sync"
