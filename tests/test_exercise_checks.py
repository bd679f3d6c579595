"""Every exercise is well formed, its check passes on the solution and reports "not attempted"
on the stub, each in a fresh kernel, as a student runs them.

Each notebook is executed in a fresh kernel (nbclient) with ACTBOOK_CHECK_LOG set, and
the JSON lines written by actbook.checks.check are read back. One run serves all the
stubs of a notebook. The stored wrong answers and float32 answers are tried by
tests/test_wrong_answers.py. Tests are independent, so pytest-xdist may spread them over
workers.
"""

import re

import pytest

from actbook.course.execute import execute
from actbook.course.generate import generate
from actbook.course.notebooks import parse_exercises, read, solution_notebooks

TIMEOUT = 120


def _with_exercises():
    found = []
    for path in solution_notebooks():
        exercises = parse_exercises(read(path), strict=False)
        if exercises:
            found.append((path, exercises))
    return found


NOTEBOOKS = _with_exercises()
IDS = [p.stem for p, _ in NOTEBOOKS]

needs_exercises = pytest.mark.skipif(not NOTEBOOKS, reason="no solution notebook has exercises yet")


def _describe_errors(errors):
    return "; ".join(e.describe() for e in errors)


@needs_exercises
@pytest.mark.parametrize("path, exercises", NOTEBOOKS, ids=IDS)
def test_exercises_are_well_formed(path, exercises):
    nb = read(path)
    parse_exercises(nb, strict=True)  # raises with the offending heading
    chapter = int(path.stem[:2])
    problems = []
    for ex in exercises:
        name = f"exercise {ex.label} ({ex.title!r}) in solutions/{path.name}"
        if int(ex.label.split(".")[0]) != chapter:
            problems.append(f"{name}: its label should start with {chapter}.")
        if not ex.answer_indices:
            problems.append(f"{name}: no answer cell with a ### BEGIN SOLUTION region")
        if not ex.check_indices:
            problems.append(f'{name}: no check cell `check("{ex.label}", globals())`')
        for i in ex.check_indices:
            # the check cell shows neither the reference nor how it is computed
            if not re.fullmatch(rf'check\("{re.escape(ex.label)}", globals\(\)\)\s*', nb.cells[i].source):
                problems.append(f'{name}: its check cell should be exactly '
                                f'check("{ex.label}", globals()); the comparison lives in '
                                f"actbook/exercise_checks/, got {nb.cells[i].source[:80]!r}")
        if ex.check_indices and ex.answer_indices and max(ex.answer_indices) > max(ex.check_indices):
            problems.append(f"{name}: an answer cell comes after the last check cell")
    labels = [e.label for e in exercises]
    if len(set(labels)) != len(labels):
        problems.append(f"solutions/{path.name}: duplicate exercise labels {labels}")
    assert not problems, "\n".join(problems)


@needs_exercises
@pytest.mark.parametrize("path, exercises", NOTEBOOKS, ids=IDS)
def test_checks_pass_on_the_solution(path, exercises):
    result = execute(read(path), path.parent, timeout=TIMEOUT)
    assert not result.timed_out, f"solutions/{path.name} did not finish in {TIMEOUT} s"
    errors = result.untagged_errors()
    assert not errors, f"solutions/{path.name}: {_describe_errors(errors)}"
    for ex in exercises:
        rec = result.status(ex.label)
        assert rec is not None, f"exercise {ex.label}: its check cell never reported"
        assert rec["status"] == "passed", f"exercise {ex.label} on the solution: {rec['status']}: {rec['message']}"


@needs_exercises
@pytest.mark.parametrize("path, exercises", NOTEBOOKS, ids=IDS)
def test_checks_report_not_attempted_on_the_stubs(path, exercises):
    stub = generate(read(path), f"solutions/{path.name}")
    result = execute(stub, path.parent, timeout=TIMEOUT)
    assert not result.timed_out, f"the exercise notebook of {path.name} did not finish in {TIMEOUT} s"
    errors = result.untagged_errors()
    assert not errors, (
        f"exercise notebook from solutions/{path.name}: a cell without the raises-exception tag raised "
        f"({_describe_errors(errors)}); a cell that uses the student's answer "
        "belongs inside a check, or its stub must not raise at top level")
    for ex in exercises:
        rec = result.status(ex.label)
        assert rec is not None, f"exercise {ex.label}: its check cell never reported on the stub"
        assert rec["status"] == "not attempted", (
            f"exercise {ex.label} on the unanswered stub should be 'not attempted'; got "
            f"{rec['status']}: {rec['message']}")
        assert len(rec["message"]) > 20, f"exercise {ex.label}: the not-attempted message does not help"
