"""The printed edition (actbook.course.editions): contents with page numbers, paper sizes, and
no blank first page, on a small page printed by headless Chromium (no book build, no TeX).

The whole book's print run is in tests/test_course_editions.py (slow, selected with -m slow).
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from actbook.course import editions

CHAPTERS = 3


def _single_page(extra_head: str = "") -> str:
    """A page shaped like Sphinx's singlehtml: one top-level section per document."""
    docs = ['<section id="the-book"><h1>The book<a class="headerlink" href="#the-book">#</a></h1>'
            '<p>Title page text.</p></section>']
    for i in range(1, CHAPTERS + 1):
        body = "".join(f"<p>Paragraph {k} of chapter {i}, long enough to fill lines.</p>"
                       for k in range(60 * i))
        docs.append(f'<section id="ch{i}"><h1><span class="section-number">{i}. </span>Chapter {i}'
                    f'<a class="headerlink" href="#ch{i}">#</a></h1>'
                    f'<section id="s{i}-1"><h2><span class="section-number">{i}.1. </span>'
                    f'First section</h2>{body}</section>'
                    f'<section id="x{i}"><h2>Summary</h2><p>Done.</p></section></section>')
    return (f"<html><head><title>t</title>{extra_head}</head><body><main><article>"
            + "".join(docs) + "</article></main></body></html>")


def test_contents_list_every_chapter_and_numbered_section_after_the_title_page():
    parts = [("Start", ["Chapter 1"]), ("More", ["Chapter 2", "Chapter 3"])]
    html, entries = editions.add_print_toc(_single_page(), parts)
    assert [text for _, text in entries] == [
        "1. Chapter 1", "1.1. First section", "2. Chapter 2", "2.1. First section",
        "3. Chapter 3", "3.1. First section"]
    assert [a for a, _ in entries][:2] == ["ch1", "s1-1"]
    nav = re.search(r'<nav[^>]*id="actbook-print-toc"', html).start()
    toc = html[nav:html.index("</nav>", nav)]
    assert html.index("Title page text") < nav < html.index('id="ch1"')
    assert re.findall(r'<li class="part">([^<]*)</li>', toc) == ["Start", "More"]
    assert toc.count('href="#') == 6 and "Summary" not in toc
    assert html.count("actbook-print-doc") == CHAPTERS + 1


def test_page_numbers_are_written_into_the_contents():
    html, entries = editions.add_print_toc(_single_page())
    filled = editions.fill_toc_pages(html, [3, 3, 5, None, 9, 9])
    numbers = re.findall(r'data-toc="\d+">([^<]*)<', filled)
    assert numbers[:3] == ["3", "3", "5"] and numbers[4] == "9"
    assert numbers[3].strip("\u2007") == "", "an entry without a page keeps its empty slot"


def test_bad_paper_is_named(tmp_path):
    page = tmp_path / "index.html"
    page.write_text(_single_page())
    with pytest.raises(ValueError, match="paper must be one of a4, letter"):
        editions.print_to_pdf(page, tmp_path / "x.pdf", paper="A5")


needs_chromium = pytest.mark.skipif(
    not any(Path(c).exists() for c in editions.CHROMIUM_CANDIDATES) and not shutil.which("chromium"),
    reason="Chromium is not installed (./run test installs it as root)")


def _media_box(pdf: bytes) -> tuple[float, float]:
    m = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return float(m.group(1)), float(m.group(2))


@needs_chromium
@pytest.mark.parametrize("paper, size", [("a4", (595.3, 841.9)), ("letter", (612.0, 792.0))])
def test_print_on_paper_with_contents_and_no_blank_first_page(tmp_path, paper, size):
    page = tmp_path / "index.html"
    page.write_text(_single_page())
    pdf = editions.print_to_pdf(page, tmp_path / "book.pdf", paper=paper,
                                repo=tmp_path)          # no _toc.yml there: no part captions
    data = pdf.read_bytes()
    width, height = _media_box(data)
    assert abs(width - size[0]) < 1.5 and abs(height - size[1]) < 1.5, (width, height)
    outline = editions.pdf_outline_pages(data)
    titles = [t for t, _ in outline]
    pages = dict((t, p) for t, p in reversed(outline))
    # the title page is page 1 (no blank page before it), the contents page 2, chapter 1 page 3
    assert pages["The book"] == 1, outline
    assert pages["Contents"] == 2, outline
    assert pages["1. Chapter 1"] == 3, outline
    chapter_pages = [pages[f"{i}. Chapter {i}"] for i in range(1, CHAPTERS + 1)]
    assert chapter_pages == sorted(chapter_pages) and len(set(chapter_pages)) == CHAPTERS
    # the contents show the same page numbers as the bookmarks
    printed = page.with_name("print.html").read_text()
    shown = re.findall(r'<a href="#(ch\d)">[^<]*</a><span class="dots"></span>'
                       r'<span class="page" data-toc="\d+">(\d+)</span>', printed)
    assert [int(p) for _, p in shown] == chapter_pages, (shown, outline)
    assert "1.1. First section" in titles


def test_contents_match_bookmarks_that_chromium_doubles_or_typesets():
    entries = [("a", "1. Chapter one"), ("b", "1.1. A section"),
               ("c", "1.2. The gradient \\(p - y\\)"), ("d", "1.10. Wraps over two lines"),
               ("e", "1.11. Summary"), ("f", "2. Next")]
    outline = [("The book", 1), ("1. Chapter one", 3),
               ("1.1. 1.1. A sectionA section", 4),          # doubled by Chromium
               ("1.2. The gradient p\u2212y", 5),             # typeset maths
               ("1.10. 1.10. Wraps over twoWraps over twolines", 6),   # doubled, cut at a break
               ("1.11. Summary", 7), ("2. Next", 9)]
    assert editions._match_pages(entries, outline) == [3, 4, 5, 6, 7, 9]
    assert editions._match_pages([("x", "3. Missing")], outline) == [None]
