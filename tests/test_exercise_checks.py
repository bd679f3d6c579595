"""Every exercise's check passes on the solution, reports "not attempted" on the stub and
fails on a plausible wrong answer (stored in the answer cell's metadata["wrong_answer"]).

Each notebook is executed in a fresh kernel (nbclient) with ACTBOOK_CHECK_LOG set, and
the JSON lines written by actbook.checks.check are read back. One run serves all the
stubs of a notebook; each wrong answer gets its own run, cut after that exercise's
check cells. Tests are independent, so pytest-xdist may spread them over workers.
"""

import pytest

from actbook.course.execute import execute, substitute_region
from actbook.course.generate import generate
from actbook.course.notebooks import (
    BEGIN, parse_exercises, read, solution_notebooks)

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
CASES = [(p, e.label) for p, exs in NOTEBOOKS for e in exs]

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
            problems.append(f'{name}: no check cell `with check("{ex.label}"):`')
        code_answers = [i for i in ex.answer_indices if nb.cells[i].cell_type == "code"]
        if not any("wrong_answer" in nb.cells[i].metadata for i in code_answers):
            problems.append(f'{name}: no code answer cell has metadata["wrong_answer"] '
                            "(a plausible wrong answer that its check must reject)")
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


@needs_exercises
@pytest.mark.parametrize("path, label", CASES, ids=[f"{p.stem}-{lab}" for p, lab in CASES])
def test_check_fails_on_the_wrong_answer(path, label):
    nb = read(path)
    ex = next(e for e in parse_exercises(nb, strict=False) if e.label == label)
    substituted = 0
    for i in ex.answer_indices:
        cell = nb.cells[i]
        if "wrong_answer" in cell.metadata and BEGIN in cell.source:
            cell.source = substitute_region(cell.source, cell.metadata["wrong_answer"])
            substituted += 1
    assert substituted, (f'exercise {label} in solutions/{path.name} has no metadata["wrong_answer"] '
                         "on a code answer cell")
    result = execute(nb, path.parent, timeout=TIMEOUT, upto=max(ex.check_indices))
    assert not result.timed_out
    rec = result.status(label)
    assert rec is not None, (f"exercise {label}: the check never reported with the wrong answer in place "
                             f"({_describe_errors(result.errors)})")
    assert rec["status"] == "failed", (
        f"exercise {label}: the check should reject the wrong answer {ex.title!r} but reported "
        f"{rec['status']!r}")
    assert rec["message"], f"exercise {label}: the failure carries no message"
