"""The openings of the solutions pages and of the exercise notebooks, and what the exercise
notebooks must never show: the solution-only cells and the answers of the solution notebooks."""

import re

import pytest

from actbook.course.generate import EXERCISE_ONLY, REMOVE_CELL, SOLUTION_ONLY
from actbook.course.launch import FIRST_LINE as SETUP_FIRST_LINE
from actbook.course.notebooks import BEGIN, END, REPO, read, solution_notebooks

SOLUTIONS = solution_notebooks()


def _tags(cell):
    return cell.metadata.get("tags", [])


def _links(text):
    return re.findall(r"\]\(([^)\s]+)\)", text)


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_solutions_page_opens_as_worked_solutions(solution):
    nb = read(solution)
    first = nb.cells[0]
    stem = solution.stem
    assert first.cell_type == "markdown" and first.source.startswith("# Solutions: "), (
        f"solutions/{solution.name}: the first cell should be the page's title '# Solutions: ...'")
    assert SOLUTION_ONLY in _tags(first), (
        f"solutions/{solution.name}: tag the opening cell '{SOLUTION_ONLY}' (students get their own)")
    assert "worked answers" in first.source.lower(), "the opening should say the page holds worked answers"
    links = _links(first.source)
    assert f"../chapters/{stem}.ipynb" in links, f"the opening should link to the chapter; links: {links}"
    assert f"../exercises/{stem}.ipynb" in links, f"the opening should link to the exercise notebook; links: {links}"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_exercise_notebook_opens_for_students(solution):
    stem = solution.stem
    openings = [c for c in read(solution).cells if EXERCISE_ONLY in _tags(c)]
    assert len(openings) == 1, f"solutions/{solution.name} should have one '{EXERCISE_ONLY}' opening"
    assert REMOVE_CELL in _tags(openings[0]), "the students' opening must not show on the solutions page"
    ex = read(REPO / "exercises" / solution.name)
    first = ex.cells[0]
    assert first.source == openings[0].source, "the exercise notebook should begin with the students' opening"
    assert first.source.startswith("# Exercises: ")
    assert f"../chapters/{stem}.ipynb" in _links(first.source), "the opening should link to the chapter"
    assert not any("solutions/" in link for link in _links(first.source)), (
        "the students' opening links to the solutions, which the student edition leaves out")
    text = first.source.lower()
    for words in ("your code here", "check cell", "passed", "failed"):
        assert words in text, f"the students' opening should say how to work; it does not mention {words!r}"
    for cell in ex.cells:
        # the setup cell that fetches the book on Colab stays hidden on the book's pages
        edition_tags = {SOLUTION_ONLY, EXERCISE_ONLY} | (
            set() if cell.source.startswith(SETUP_FIRST_LINE) else {REMOVE_CELL})
        assert not set(_tags(cell)) & edition_tags, (
            f"exercises/{solution.name}: a cell keeps an edition tag: {_tags(cell)}")


def _answer_lines(nb):
    """Lines written inside answer regions that occur nowhere outside them."""
    inside, outside = set(), set()
    for cell in nb.cells:
        region = False
        for line in cell.source.splitlines():
            s = line.strip()
            if BEGIN in s or "<!-- BEGIN SOLUTION" in s:
                region = True
            elif END in s or "<!-- END SOLUTION" in s:
                region = False
            elif s:
                (inside if region else outside).add(s)
    return {s for s in inside - outside if len(s) >= 12 and not s.startswith("#")}


def _sentences(text):
    flat = " ".join(text.split())
    return [s for s in re.split(r"(?<=[.:;])\s+", flat) if len(s) >= 25 and not s.startswith("#")]


def leaks(sol, ex):
    """(solution-only sentences, answer lines) of the solution notebook that the exercise shows."""
    ex_text = " ".join(" ".join(c.source.split()) for c in ex.cells)
    ex_lines = {line.strip() for c in ex.cells for line in c.source.splitlines()}
    shared = " ".join(" ".join(c.source.split()) for c in sol.cells if SOLUTION_ONLY not in _tags(c))
    sentences = [s for c in sol.cells if SOLUTION_ONLY in _tags(c)
                 for s in _sentences(c.source) if s in ex_text and s not in shared]
    return sentences, sorted(_answer_lines(sol) & ex_lines)


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_exercise_notebook_shows_no_solution_text(solution):
    sentences, answers = leaks(read(solution), read(REPO / "exercises" / solution.name))
    assert not sentences, f"exercises/{solution.name} shows solution-only text: {sentences[:3]}"
    assert not answers, f"exercises/{solution.name} shows lines of the answers: {answers[:3]}"


def test_the_leak_detector_finds_a_leak():
    """The test above can fail: paste a solution-only sentence and an answer line into an exercise."""
    from nbformat.v4 import new_code_cell, new_markdown_cell

    solution = SOLUTIONS[0]
    sol, ex = read(solution), read(REPO / "exercises" / solution.name)
    opening = next(c for c in sol.cells if SOLUTION_ONLY in _tags(c))
    sentence = _sentences(opening.source)[0]
    answer = sorted(_answer_lines(sol))[0]
    ex.cells.append(new_markdown_cell("Note.\n" + sentence))
    ex.cells.append(new_code_cell("    " + answer))
    sentences, answers = leaks(sol, ex)
    assert sentences == [sentence] and answers == [answer]
