"""`python -m actbook.course check`: per-exercise report, total and exit code, on tiny
synthetic notebooks (a two-chapter mini book made in a temporary folder)."""

import json
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from actbook.course import grade
from actbook.course.generate import generate
from actbook.course.notebooks import REPO

KERNELSPEC = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}


def chapter_one(answer_1="slope = 0.25", answer_2="    return 2 * z", preamble="import math"):
    return new_notebook(cells=[
        new_markdown_cell("# Solutions: Tiny chapter"),
        new_code_cell(preamble + "\nfrom actbook.checks import check"),
        new_markdown_cell("## Exercise 1.1: Slope at zero (derivation, ★)"),
        new_code_cell(f"### BEGIN SOLUTION\n{answer_1}\n### END SOLUTION"),
        new_code_cell('with check("1.1"):\n    assert abs(slope - 0.25) < 1e-12, f"the slope is 1/4, not {slope}"'),
        new_markdown_cell("## Exercise 1.2: Double it (implementation, ★★)"),
        new_code_cell(f"def double(z):\n    ### BEGIN SOLUTION\n{answer_2}\n    ### END SOLUTION"),
        new_code_cell('with check("1.2"):\n    assert double(3) == 6, f"double(3) should be 6; got {double(3)}"'),
    ], metadata=KERNELSPEC)


def chapter_two():
    return new_notebook(cells=[
        new_markdown_cell("# Solutions: Other chapter"),
        new_code_cell("from actbook.checks import check"),
        new_markdown_cell("## Exercise 2.1: Three (implementation, ★)"),
        new_code_cell("### BEGIN SOLUTION\nthree = 3\n### END SOLUTION"),
        new_code_cell('with check("2.1"):\n    assert three == 3, "three is 3"'),
    ], metadata=KERNELSPEC)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    root = tmp_path_factory.mktemp("book")
    (root / "solutions").mkdir()
    nbformat.write(chapter_one(), str(root / "solutions" / "01_tiny.ipynb"))
    nbformat.write(chapter_two(), str(root / "solutions" / "02_other.ipynb"))
    return root


def write(tmp_path, nb, name="01_tiny.ipynb"):
    path = tmp_path / name
    nbformat.write(nb, str(path))
    return path


def by_label(report):
    return {e.label: e for e in report.exercises}


def test_all_passed_exit_0(book, tmp_path):
    report = grade.check_notebook(write(tmp_path, chapter_one()), timeout=60, repo=book)
    assert report.exit_code == 0, report.to_text()
    assert [e.status for e in report.exercises] == ["passed", "passed"]
    text = report.to_text()
    assert "Total: 2 of 2 passed" in text and "chapter 1: Tiny chapter" in text


def test_failed_and_not_attempted_exit_1(book, tmp_path):
    student = generate(chapter_one(answer_1="slope = 0.5"))  # 1.2 left as the stub
    student.cells[3].source = "slope = 0.5"  # the student's (wrong) answer
    report = grade.check_notebook(write(tmp_path, student), timeout=60, repo=book)
    assert report.exit_code == 1
    results = by_label(report)
    assert results["1.1"].status == "failed" and "the slope is 1/4, not 0.5" in results["1.1"].message
    assert results["1.2"].status == "not attempted"
    assert "1 failed, 1 not attempted" in report.to_text()


def test_answer_cell_that_raises_counts_as_failed(book, tmp_path):
    nb = chapter_one(answer_1="slope = 1 / 0")
    report = grade.check_notebook(write(tmp_path, nb), timeout=60, repo=book)
    r = by_label(report)["1.1"]
    assert r.status == "failed" and "ZeroDivisionError" in r.message


def test_unparseable_notebook_exit_2_without_traceback(book, tmp_path):
    path = tmp_path / "01_tiny.ipynb"
    path.write_text('{"cells": [ {"cell_type": "code", "sou')
    report = grade.check_notebook(path, repo=book)
    assert report.exit_code == 2 and "could not be read as a Jupyter notebook" in report.to_text()
    assert "Traceback" not in report.to_text()


def test_missing_file_exit_2(book, tmp_path):
    report = grade.check_notebook(tmp_path / "nope.ipynb", repo=book)
    assert report.exit_code == 2 and "There is no file" in report.problems[0]


def test_notebook_of_another_chapter_exit_2(book, tmp_path):
    path = write(tmp_path, chapter_two(), name="01_tiny.ipynb")
    report = grade.check_notebook(path, repo=book)
    assert report.exit_code == 2
    assert "chapter 2 (Other chapter), not of chapter 1 (Tiny chapter)" in report.problems[0]
    report = grade.check_notebook(write(tmp_path, chapter_two(), "mine.ipynb"), chapter="01", repo=book)
    assert report.exit_code == 2 and "--chapter 02" in report.problems[0]


def test_notebook_without_checks_exit_2(book, tmp_path):
    nb = new_notebook(cells=[new_code_cell("x = 1")], metadata=KERNELSPEC)
    report = grade.check_notebook(write(tmp_path, nb, "notes.ipynb"), repo=book)
    assert report.exit_code == 2 and "no check cells" in report.problems[0]


def test_infinite_loop_times_out_exit_3(book, tmp_path):
    nb = chapter_one(answer_2="    while True:\n        pass")
    nb.cells[7].source = 'with check("1.2"):\n    assert double(3) == 6'
    report = grade.check_notebook(write(tmp_path, nb), timeout=6, repo=book)
    assert report.exit_code == 3, report.to_text()
    text = " ".join(report.to_text().split())
    assert "time limit of 6 s" in text and "exercise 1.2" in text
    assert by_label(report)["1.1"].status == "passed"
    assert by_label(report)["1.2"].status == "not run"


def test_error_outside_exercises_exit_4(book, tmp_path):
    nb = chapter_one(preamble="import a_module_that_does_not_exist")
    report = grade.check_notebook(write(tmp_path, nb), timeout=60, repo=book)
    assert report.exit_code == 4, report.to_text()
    assert "outside the exercises" in report.to_text() and "ModuleNotFoundError" in report.to_text()


def test_cli_json_and_exit_code(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text("not a notebook")
    proc = subprocess.run([sys.executable, "-m", "actbook.course", "check", str(path), "--json"],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    data = json.loads(proc.stdout)
    assert data["exit_code"] == 2 and data["problems"] and "Traceback" not in proc.stderr


# ------------------------------------------------------------------------------------------
# the grade comes from the book's check cells, whatever the student did to theirs
# ------------------------------------------------------------------------------------------
def student_copy(answer_1="slope = 0.5"):
    """The exercise notebook of chapter one as a student has it: the stub, with answer 1.1 filled in."""
    student = generate(chapter_one())
    student.cells[3].source = answer_1
    return student


def test_a_check_cell_replaced_by_pass_is_graded_with_the_books(book, tmp_path):
    student = student_copy("slope = 0.5")  # wrong
    student.cells[4].source = 'with check("1.1"):\n    pass'
    report = grade.check_notebook(write(tmp_path, student), timeout=60, repo=book)
    r = by_label(report)["1.1"]
    assert r.status == "failed" and "the slope is 1/4, not 0.5" in r.message
    notes = " ".join(report.check_cells)
    assert "exercise 1.1: the check cell (cell 5) was changed" in notes
    assert "Check cells (graded with the book's own checks)" in report.to_text()


def test_a_removed_check_cell_is_put_back_and_reported(book, tmp_path):
    student = student_copy("slope = 0.25")  # right
    del student.cells[4]
    report = grade.check_notebook(write(tmp_path, student), timeout=60, repo=book)
    assert by_label(report)["1.1"].status == "passed"
    assert any("exercise 1.1: the check cell was missing" in n for n in report.check_cells)


def test_an_extra_check_of_the_students_own_does_not_count(book, tmp_path):
    student = student_copy("slope = 0.5")
    student.cells.insert(5, new_code_cell('with check("1.1"):\n    pass'))  # after the book's
    report = grade.check_notebook(write(tmp_path, student), timeout=60, repo=book)
    assert by_label(report)["1.1"].status == "failed"
    assert any("also calls check(\"1.1\")" in n for n in report.check_cells)


def test_an_unchanged_notebook_has_no_check_cell_notes(book, tmp_path):
    report = grade.check_notebook(write(tmp_path, student_copy("slope = 0.25")), timeout=60, repo=book)
    assert report.check_cells == [] and "Check cells" not in report.to_text()


def test_an_endless_loop_is_stopped_by_the_cell_limit_with_progress(book, tmp_path, capsys):
    nb = chapter_one(answer_2="    while True:\n        pass")
    nb.cells[7].source = 'with check("1.2"):\n    assert double(3) == 6'
    report = grade.check_notebook(write(tmp_path, nb), timeout=120, cell_timeout=8, repo=book,
                                  progress=True, progress_every=2)
    assert report.exit_code == 3, report.to_text()
    text = " ".join(report.to_text().split())
    assert "still running after 8 s, the time limit for one cell (--cell-timeout 8)" in text
    assert "exercise 1.2" in text and by_label(report)["1.2"].status == "not run"
    err = capsys.readouterr().err
    assert "checking exercise 1.1" in err and "cell 8 (exercise 1.2) has been running for" in err


def test_without_cell_ids_the_check_cell_is_found_by_its_label(book, tmp_path):
    student = student_copy("slope = 0.25\nprint('check(\"1.1\") comes next')")
    for cell in student.cells:
        cell.pop("id", None)
    student.nbformat_minor = 4
    report = grade.check_notebook(write(tmp_path, student), timeout=60, repo=book)
    assert by_label(report)["1.1"].status == "passed", report.to_text()
    # the book's check cell was found (not changed, not missing); the answer cell that merely
    # mentions the check is only noted
    assert not any("changed" in n or "missing" in n for n in report.check_cells), report.check_cells
