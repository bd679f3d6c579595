"""The exercise generator on small synthetic solution notebooks."""

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from actbook.course.generate import generate, stub_raises_at_top_level, sync


def solution_notebook():
    cells = [
        new_markdown_cell("# Solutions: Tiny chapter\n\nIntro."),
        new_code_cell("import numpy as np\nfrom actbook.checks import check"),
        new_markdown_cell("## Exercise 1.1: The slope at zero (derivation, ★)\n\nCompute it."),
        new_code_cell("### BEGIN SOLUTION\nslope = 0.25\n### END SOLUTION",
                      metadata={"wrong_answer": "slope = 0.5"}),
        new_code_cell('with check("1.1"):\n    assert abs(slope - 0.25) < 1e-12, "should be 1/4"'),
        new_markdown_cell("## Exercise 1.2: A function (implementation, ★★)"),
        new_code_cell("def f(z):\n    ### BEGIN SOLUTION\n    return 2 * z\n    ### END SOLUTION"),
        new_markdown_cell("Why it works.", metadata={"tags": ["solution-only"]}),
        new_markdown_cell("Explain:\n\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION"),
    ]
    cells[4].outputs = [nbformat.v4.new_output("stream", text="[1.1] passed\n")]
    cells[4].execution_count = 3
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                            "language": "python"}})
    return nb


def make_repo(tmp_path, nb):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "exercises").mkdir()
    nbformat.write(nb, str(tmp_path / "solutions" / "01_tiny.ipynb"))
    return tmp_path


def test_generated_notebook_content():
    sol = solution_notebook()
    ex = generate(sol, "solutions/01_tiny.ipynb")
    sources = [c.source for c in ex.cells]
    assert sources[0].startswith("# Exercises: Tiny chapter")
    assert "slope = 0.25" not in sources[3] and "raise NotImplementedError()" in sources[3]
    assert "return 2 * z" not in sources[6] and "    raise NotImplementedError()" in sources[6]
    assert not any("Why it works" in s for s in sources), "solution-only cell kept"
    assert "YOUR ANSWER HERE" in sources[-1] and "Because." not in sources[-1]
    assert all("wrong_answer" not in c.metadata for c in ex.cells)
    assert ex.cells[4].outputs == [] and ex.cells[4].execution_count is None
    # cell ids kept (solution-only cell dropped)
    kept = [c.id for c in sol.cells if "solution-only" not in c.metadata.get("tags", [])]
    assert [c.id for c in ex.cells] == kept
    # the top-level stub raises when run; the stub inside a function does not
    assert "raises-exception" in ex.cells[3].metadata.get("tags", [])
    assert "raises-exception" not in ex.cells[6].metadata.get("tags", [])
    # the source notebook is untouched
    assert "slope = 0.25" in sol.cells[3].source and sol.cells[4].outputs


@pytest.mark.parametrize("source, raises", [
    ("# YOUR CODE HERE\nraise NotImplementedError()", True),
    ("x = 1\nif x:\n    # YOUR CODE HERE\n    raise NotImplementedError()", True),
    ("def f(z):\n    # YOUR CODE HERE\n    raise NotImplementedError()", False),
    ("def f(z):\n    raise NotImplementedError()\n\nprint(f(1))", True),
    ("def f(z):\n    raise NotImplementedError()\n\ng = lambda: f(1)", False),
    ("%timeit 1\nraise NotImplementedError()", True),
])
def test_stub_raise_detection(source, raises):
    assert stub_raises_at_top_level(source) is raises


def test_sync_writes_then_is_unchanged_then_check_passes(tmp_path):
    repo = make_repo(tmp_path, solution_notebook())
    assert [o.status for o in sync(repo=repo)] == ["written"]
    assert [o.status for o in sync(repo=repo)] == ["unchanged"]
    assert [o.status for o in sync(repo=repo, check_only=True)] == ["unchanged"]


def test_stale_but_unedited_exercise_is_regenerated(tmp_path):
    repo = make_repo(tmp_path, solution_notebook())
    sync(repo=repo)
    nb = solution_notebook()
    nb.cells[2].source += "\n\nA new sentence."
    nbformat.write(nb, str(repo / "solutions" / "01_tiny.ipynb"))
    (o,) = sync(repo=repo, check_only=True)
    assert o.status == "out of sync" and "exercises/01_tiny.ipynb" in o.reason
    assert [o.status for o in sync(repo=repo)] == ["written"]
    assert "A new sentence." in (repo / "exercises" / "01_tiny.ipynb").read_text()


def test_student_edited_copy_is_refused_unless_forced(tmp_path):
    repo = make_repo(tmp_path, solution_notebook())
    sync(repo=repo)
    target = repo / "exercises" / "01_tiny.ipynb"
    ex = nbformat.read(str(target), as_version=4)
    ex.cells[3].source = "slope = 0.3  # my attempt"
    nbformat.write(ex, str(target))
    (o,) = sync(repo=repo)
    assert o.status == "refused" and "01_tiny.ipynb" in o.reason and "--force" in o.reason
    assert "my attempt" in target.read_text()
    (o,) = sync(repo=repo, force=True)
    assert o.status == "written" and "my attempt" not in target.read_text()


def test_outputs_from_running_the_exercise_do_not_count_as_edits(tmp_path):
    repo = make_repo(tmp_path, solution_notebook())
    sync(repo=repo)
    target = repo / "exercises" / "01_tiny.ipynb"
    ex = nbformat.read(str(target), as_version=4)
    ex.cells[4].outputs = [nbformat.v4.new_output("stream", text="[1.1] not attempted yet\n")]
    nbformat.write(ex, str(target))
    (o,) = sync(repo=repo)
    assert o.status == "written"


def test_placeholder_solution_gives_placeholder_exercise(tmp_path):
    nb = new_notebook(cells=[new_markdown_cell("# Solutions: Later\n\nThis page is being written.")])
    repo = make_repo(tmp_path, nb)
    sync(repo=repo)
    ex = json.loads((repo / "exercises" / "01_tiny.ipynb").read_text())
    assert "".join(ex["cells"][0]["source"]) == "# Exercises: Later\n\nThis page is being written."


def test_cli_check_exit_code(tmp_path, monkeypatch, capsys):
    from actbook.course import generate as gen
    repo = make_repo(tmp_path, solution_notebook())
    monkeypatch.setattr(gen, "REPO", repo)
    monkeypatch.setattr(gen, "sync", lambda *a, **k: sync(*a, **{**k, "repo": repo}))

    class Args:
        stems, force, check = [], False, True

    assert gen.main(Args) == 1
    assert "01_tiny.ipynb" in capsys.readouterr().out
    Args.check = False
    assert gen.main(Args) == 0
    Args.check = True
    assert gen.main(Args) == 0


def notebook_with_openings():
    nb = solution_notebook()
    nb.cells[0] = new_markdown_cell("# Solutions: Tiny chapter\n\nWorked answers, explained.",
                                    metadata={"tags": ["solution-only"]})
    nb.cells.insert(1, new_markdown_cell("# Exercises: Tiny chapter\n\nFill in, then run the checks.",
                                         metadata={"tags": ["exercise-only", "remove-cell", "keep-me"]}))
    return nb


def test_exercise_only_opening_replaces_the_solution_opening():
    sol = notebook_with_openings()
    ex = generate(sol, "solutions/01_tiny.ipynb")
    assert ex.cells[0].source == "# Exercises: Tiny chapter\n\nFill in, then run the checks."
    assert ex.cells[0].id == sol.cells[1].id
    # the edition tags are gone, other tags stay; remove-cell would hide the opening in the book
    assert ex.cells[0].metadata["tags"] == ["keep-me"]
    assert not any("Worked answers" in c.source for c in ex.cells)
    assert sum(c.source.startswith("# ") for c in ex.cells if c.cell_type == "markdown") == 1, "one title"
    # the solution notebook keeps both cells and their tags
    assert sol.cells[1].metadata["tags"] == ["exercise-only", "remove-cell", "keep-me"]


def test_exercise_only_cell_without_other_tags_loses_its_tags_key():
    sol = notebook_with_openings()
    sol.cells[1].metadata["tags"] = ["exercise-only", "remove-cell"]
    ex = generate(sol)
    assert "tags" not in ex.cells[0].metadata


@pytest.mark.parametrize("tags, words", [
    (["exercise-only"], ["cell 1", "'# Exercises: Tiny chapter'", "remove-cell"]),
    (["exercise-only", "solution-only", "remove-cell"], ["cell 1", "both"]),
])
def test_inconsistent_edition_tags_are_refused(tags, words):
    from actbook.course.generate import EditionTagError
    sol = notebook_with_openings()
    sol.cells[1].metadata["tags"] = tags
    with pytest.raises(EditionTagError) as err:
        generate(sol, "solutions/01_tiny.ipynb")
    for word in ["solutions/01_tiny.ipynb"] + words:
        assert word in str(err.value)


def test_cli_reports_inconsistent_tags(tmp_path, monkeypatch, capsys):
    from actbook.course import generate as gen
    sol = notebook_with_openings()
    sol.cells[1].metadata["tags"] = ["exercise-only"]
    repo = make_repo(tmp_path, sol)
    monkeypatch.setattr(gen, "sync", lambda *a, **k: sync(*a, **{**k, "repo": repo}))

    class Args:
        stems, force, check = [], False, False

    assert gen.main(Args) == 2
    assert "remove-cell" in capsys.readouterr().err
    assert not (repo / "exercises" / "01_tiny.ipynb").exists()
