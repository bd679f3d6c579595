"""The instructor's guide parser (actbook.course.notebooks / guide) on synthetic notebooks,
and on the real book (robust to placeholder chapters)."""

import matplotlib

matplotlib.use("Agg")

import nbformat  # noqa: E402
import pytest  # noqa: E402
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook  # noqa: E402

from actbook.course import guide  # noqa: E402
from actbook.course.notebooks import (  # noqa: E402
    NotebookFormatError, chapter_info, objectives, parse_exercises, prerequisites)


def chapter(title, learn=None, prereq=None, minutes=None):
    cells = [new_markdown_cell(f"# {title}\n\nIntro.")]
    if learn is not None:
        cells.append(new_markdown_cell("## You will learn\n\n" + "\n".join(f"- {x}" for x in learn)))
    if prereq is not None:
        cells.append(new_markdown_cell("## Prerequisites\n\n" + prereq + "\n\n## Next\n\n[not me](99_x.ipynb)"))
    cells.append(new_code_cell("x = 1"))
    nb = new_notebook(cells=cells)
    if minutes is not None:
        nb.metadata["actbook"] = {"minutes": minutes}
    return nb


def solutions(*headings):
    cells = [new_markdown_cell("# Solutions: X")]
    for h in headings:
        cells += [new_markdown_cell(h), new_code_cell("### BEGIN SOLUTION\na = 1\n### END SOLUTION"),
                  new_code_cell(f'with check("{h.split()[2].rstrip(":")}"):\n    pass')]
    return new_notebook(cells=cells)


@pytest.fixture
def repo(tmp_path):
    for d in ("chapters", "solutions"):
        (tmp_path / d).mkdir()
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nparts:\n  - caption: A\n    chapters:\n"
        "      - file: chapters/01_first\n      - file: chapters/02_second\n      - file: chapters/03_third\n"
        "  - caption: S\n    chapters:\n      - file: solutions/01_first\n")
    nbformat.write(chapter("First", ["one thing;", "another,\n  continued"], "None needed.", 30),
                   str(tmp_path / "chapters" / "01_first.ipynb"))
    nbformat.write(chapter("Second", ["b"], "Read [First](01_first.ipynb) and {doc}`01_first`.", 45),
                   str(tmp_path / "chapters" / "02_second.ipynb"))
    nbformat.write(chapter("Third", ["c"], "[First](../chapters/01_first.ipynb#sec), [Second](02_second.ipynb)"),
                   str(tmp_path / "chapters" / "03_third.ipynb"))
    nbformat.write(solutions("## Exercise 1.1: Slope (derivation, ★)", "## Exercise 1.2: Code it (implementation, ★★★)"),
                   str(tmp_path / "solutions" / "01_first.ipynb"))
    return tmp_path


def test_chapter_info(repo):
    info = chapter_info("01_first", repo)
    assert info["title"] == "First" and info["minutes"] == 30 and not info["placeholder"]
    assert info["objectives"] == ["one thing;", "another, continued"]
    assert [(e.label, e.title, e.kind, e.difficulty) for e in info["exercises"]] == [
        ("1.1", "Slope", "derivation", "★"), ("1.2", "Code it", "implementation", "★★★")]
    assert chapter_info("02_second", repo)["prerequisites"] == ["01_first"]
    assert chapter_info("03_third", repo)["prerequisites"] == ["01_first", "02_second"]


def test_placeholders_and_missing_files_do_not_break_the_outline(repo):
    nbformat.write(new_notebook(cells=[new_markdown_cell("# Fourth\n\nThis page is being written.")]),
                   str(repo / "chapters" / "04_fourth.ipynb"))
    with open(repo / "_toc.yml", "a") as fh:
        fh.write("  - caption: B\n    chapters:\n      - file: chapters/04_fourth\n      - file: chapters/05_gone\n")
    chapters = guide.outline(repo)
    assert [c["stem"] for c in chapters] == ["01_first", "02_second", "03_third", "04_fourth", "05_gone"]
    fourth = chapters[3]
    assert fourth["placeholder"] and fourth["objectives"] == [] and fourth["minutes"] is None
    text = guide.chapter_markdown(fourth, chapters)
    assert "being written" in text and "not given yet" in text and "No exercises yet" in text
    totals = guide.totals(chapters)
    assert totals["minutes"] == 75 and totals["exercises"] == 2 and totals["placeholders"] == 2


def test_levels_and_transitive_reduction(repo):
    chapters = guide.outline(repo)
    assert guide.levels(chapters) == {"01_first": 0, "02_second": 1, "03_third": 2}
    assert guide.reduced_edges(chapters) == [("01_first", "02_second"), ("02_second", "03_third")]


def test_cycles_do_not_hang(repo):
    chapters = guide.outline(repo)
    chapters[0]["prerequisites"] = ["03_third"]  # 1 -> 3 -> 2 -> 1
    depth = guide.levels(chapters)
    assert set(depth) == {"01_first", "02_second", "03_third"}
    guide.plot_dependencies(chapters)


def test_summary_and_figure(repo):
    chapters = guide.outline(repo)
    table = guide.summary_markdown(chapters)
    assert "| 1. First | 30 | none | 2 | 1 / 0 / 1 |" in table
    assert "| 3. Third | n/a | 1, 2 |" in table
    fig = guide.plot_dependencies(chapters)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any(t.startswith("1. First") for t in texts)
    assert len(fig.axes[0].patches) + len(fig.axes[0].texts) >= 5  # 3 boxes and 2 arrows


def test_malformed_exercise_heading_is_named():
    nb = solutions("## Exercise 1.1 Slope (derivation, ★)")
    with pytest.raises(NotebookFormatError, match="Exercise 1.1 Slope"):
        parse_exercises(nb)
    nb = solutions("## Exercise 1.1: Slope (guessing, ★)")
    with pytest.raises(NotebookFormatError, match="guessing"):
        parse_exercises(nb)
    assert parse_exercises(nb, strict=False)[0].kind == "guessing"


def test_sections_only_read_their_own_cell():
    nb = chapter("T", ["x"], "[A](01_a.ipynb)")
    assert objectives(nb) == ["x"] and prerequisites(nb) == ["01_a"]


def test_real_book_outline():
    chapters = guide.outline()
    assert len(chapters) >= 10
    for c in chapters:
        assert not c["unknown_prerequisites"], f"{c['stem']} links to unknown chapters {c['unknown_prerequisites']}"
        for e in c["exercises"]:
            assert e.label.split(".")[0] == str(c["number"]), f"{c['stem']}: exercise {e.label}"
    guide.plot_dependencies(chapters)
