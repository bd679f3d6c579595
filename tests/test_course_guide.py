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


def test_prerequisites_read_both_forms_of_doc_links():
    nb = chapter("T", ["x"], "{doc}`02_b` and {doc}`the third <../chapters/03_c>`, [A](01_a.ipynb)")
    assert prerequisites(nb) == ["01_a", "02_b", "03_c"]


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


# -- the dependency figure: arrows never pass behind a box -------------------------------------
def _crosses_interior(p, q, box, eps=1e-6):
    """Does the segment p-q pass through the inside of ``box`` = (x, y, w, h) (centre, size),
    shrunk by ``eps``? (Liang-Barsky clipping.)"""
    x, y, w, h = box
    x0, x1, y0, y1 = x - w / 2 + eps, x + w / 2 - eps, y - h / 2 + eps, y + h / 2 - eps
    (px, py), (qx, qy) = p, q
    dx, dy = qx - px, qy - py
    t0, t1 = 0.0, 1.0
    for pk, qk in ((-dx, px - x0), (dx, x1 - px), (-dy, py - y0), (dy, y1 - py)):
        if pk == 0:
            if qk < 0:
                return False
        else:
            t = qk / pk
            if pk < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
    return t0 < t1


def _edges_behind_boxes(layout):
    bad = []
    for a, b, pts in layout["edges"]:
        for stem, box in layout["boxes"].items():
            for p, q in zip(pts, pts[1:]):
                if _crosses_interior(p, q, box):
                    bad.append(f"{a}->{b} passes through {stem}")
                    break
    return bad


def test_crossing_check_catches_a_segment_through_a_box():
    box = (0.0, 0.0, 2.0, 1.0)
    assert _crosses_interior((-3, 0), (3, 0), box)
    assert _crosses_interior((0, 2), (0.5, 0.2), box)           # ends inside
    assert not _crosses_interior((-3, 0.6), (3, 0.6), box)      # passes above
    assert not _crosses_interior((0, -0.5), (0, -2), box)       # leaves from the border


def _chapters(prereqs, placeholder=()):
    return [{"stem": f"{n:02d}_c", "number": n, "title": f"Chapter number {n} " * (1 + n % 3),
             "prerequisites": [f"{p:02d}_c" for p in ps], "placeholder": n in placeholder}
            for n, ps in prereqs.items()]


def _sizes(chapters):
    return {c["stem"]: (1.4 + 0.1 * (c["number"] % 3), 0.3 + 0.2 * (c["number"] % 4))
            for c in chapters}


#: the book's graph before chapter 8 was written: 6 -> 11 skips two rows next to 8 and 9
SKIPPING = {1: [], 2: [1], 3: [2], 4: [3], 5: [4], 6: [3], 7: [4], 8: [7], 9: [5, 7],
            10: [4], 11: [6, 8, 9]}


@pytest.mark.parametrize("seed", range(25))
def test_arrows_never_pass_behind_boxes_in_random_graphs(seed):
    rng = __import__("random").Random(seed)
    n = rng.randint(4, 14)
    prereqs = {k: sorted(rng.sample(range(1, k), rng.randint(0, min(3, k - 1))))
               for k in range(1, n + 1)}
    chapters = _chapters(prereqs)
    layout = guide.dependency_layout(chapters, _sizes(chapters))
    assert not _edges_behind_boxes(layout)
    assert len(layout["edges"]) == len(guide.reduced_edges(chapters))


def test_arrows_never_pass_behind_boxes_when_edges_skip_rows():
    chapters = _chapters(SKIPPING)
    layout = guide.dependency_layout(chapters, _sizes(chapters))
    assert not _edges_behind_boxes(layout)
    # the long arrow 6 -> 11 bends through a slot of its own in each row it crosses
    (pts,) = [p for a, b, p in layout["edges"] if (a, b) == ("06_c", "11_c")]
    assert len(pts) >= 6


def test_straight_arrows_would_pass_behind_a_box():
    """The check fails on the old drawing, straight lines from box to box."""
    chapters = _chapters(SKIPPING)
    layout = guide.dependency_layout(chapters, _sizes(chapters))
    boxes = layout["boxes"]
    straight = dict(layout, edges=[(a, b, [(boxes[a][0], boxes[a][1] - boxes[a][3] / 2),
                                           (boxes[b][0], boxes[b][1] + boxes[b][3] / 2)])
                                   for a, b, _ in layout["edges"]])
    assert _edges_behind_boxes(straight)


def test_the_books_figure_keeps_arrows_in_the_open():
    chapters = guide.outline()
    fig = guide.plot_dependencies(chapters)
    ax = fig.axes[0]
    boxes = {p.get_gid()[4:]: p for p in ax.patches if (p.get_gid() or "").startswith("box:")}
    edges = {p.get_gid()[5:]: p for p in ax.patches if (p.get_gid() or "").startswith("edge:")}
    assert set(boxes) == {c["stem"] for c in chapters}
    assert len(edges) == len(guide.reduced_edges(chapters))
    rects = {s: (b.get_x() + b.get_width() / 2, b.get_y() + b.get_height() / 2,
                 b.get_width(), b.get_height()) for s, b in boxes.items()}
    lines = []  # every stroke of every arrow (its shaft and its head), in data coordinates
    for k, e in edges.items():
        path = e.get_path()
        current = []
        for v, code in zip(path.vertices, path.codes):
            if code == path.MOVETO and current:
                lines.append((*k.split("->"), current))
                current = []
            if code == path.CLOSEPOLY:
                current.append(current[0])
            else:
                current.append(tuple(v))
        lines.append((*k.split("->"), current))
    drawn = {"boxes": rects, "edges": lines}
    assert not _edges_behind_boxes(drawn)
    # every label fits inside its box, and the text is at least 10 px at the page's width
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    inverse = ax.transData.inverted()
    labels = [t for t in ax.texts if t.get_text()]
    assert len(labels) == len(chapters)
    for t in labels:
        (x0, y0), (x1, y1) = inverse.transform(t.get_window_extent(renderer))
        stem = next(s for s, (x, y, w, h) in rects.items()
                    if abs(x - (x0 + x1) / 2) < 1e-6 and abs(y - (y0 + y1) / 2) < 0.05)
        x, y, w, h = rects[stem]
        assert x - w / 2 <= x0 and x1 <= x + w / 2 and y - h / 2 <= y0 and y1 <= y + h / 2
    width_px = fig.get_size_inches()[0] * 100  # a figure is at most 672 px wide on the page
    scale = min(1.0, 672 / width_px)
    assert min(t.get_fontsize() for t in labels) * 100 / 72 * scale >= 10
