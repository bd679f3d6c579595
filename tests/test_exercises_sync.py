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
