"""Every exercise's check accepts its worked answer and a float32 answer, and rejects each of at
least three stored wrong answers (solutions/wrong_answers/*.yml), naming the slip where the
store says it should.

The trials run in this process (actbook/course/trials.py): one namespace per solution
notebook, built by running its cells once, and a copy of it for every stored answer. One test
per notebook, so pytest-xdist spreads them over workers.
"""

import pytest

from actbook.course import trials
from actbook.course.notebooks import parse_exercises, read, solution_notebooks
from actbook.exercise_checks import reference_for

NOTEBOOKS = [p for p in solution_notebooks() if parse_exercises(read(p), strict=False)]
STORE = trials.load_store()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_stored_answers(path):
    result = trials.run_trials(path, STORE)
    assert not result.problems, "\n".join(result.problems)
    labels = [e.label for e in parse_exercises(read(path), strict=False)]
    missing = [lab for lab in labels if lab not in STORE]
    assert not missing, (f"solutions/{path.name}: no stored answers for {missing} in "
                         f"{trials.STORE_DIR}/ (a float32 answer and at least "
                         f"{trials.MIN_WRONG} wrong answers each)")
    no_reference = [lab for lab in labels if reference_for(lab) is None]
    assert not no_reference, f"no reference check in actbook/exercise_checks/ for {no_reference}"
    bad = [t.describe() for t in result.trials if not t.ok]
    assert not bad, "\n".join(bad)
    for label in labels:
        kinds = [t.kind for t in result.trials if t.label == label]
        assert "solution" in kinds and "wrong" in kinds, f"exercise {label} was not tried: {kinds}"


def test_every_stored_label_belongs_to_an_exercise():
    labels = {e.label for p in NOTEBOOKS for e in parse_exercises(read(p), strict=False)}
    orphans = sorted(set(STORE) - labels)
    assert not orphans, f"stored answers for exercises that do not exist (renumbered?): {orphans}"


def test_store_entries_are_validated():
    assert trials.validate_entry("9.9", {"float32": "x = 1", "wrong": []})
    assert trials.validate_entry("9.9", {"wrong": [{"slip": "s", "answer": "x"}] * 3})
    assert trials.validate_entry("9.9", {"float32": "x", "wrong": [{"answer": "x"}] * 3})
    assert not trials.validate_entry("9.9", {"float32": "x", "wrong": [{"slip": "s", "answer": "x"}] * 3})


def test_a_wrong_answer_that_passes_is_reported(tmp_path):
    """The trials can fail: a 'wrong' answer that is in fact right, a float32 answer that is in
    fact wrong, and an `expect` the message does not contain are each reported."""
    path = next(p for p in NOTEBOOKS if p.stem.startswith("03_"))
    store = dict(STORE)
    store["3.1"] = {
        "float32": "slope_at_ln3 = np.float32(3 / 4)",
        "wrong": [{"slip": "right after all", "answer": "slope_at_ln3 = 3 / 16"},
                  {"slip": "sigma itself", "answer": "slope_at_ln3 = 3 / 4", "expect": "no such text"},
                  {"slip": "slope at 0", "answer": "slope_at_ln3 = 1 / 4"}],
    }
    result = trials.run_trials(path, store, labels={"3.1"})
    verdicts = {(t.kind, t.name): t.ok for t in result.trials}
    assert verdicts == {("solution", ""): True, ("float32", "float32"): False,
                        ("wrong", "right after all"): False, ("wrong", "sigma itself"): False,
                        ("wrong", "slope at 0"): True}, result.trials
