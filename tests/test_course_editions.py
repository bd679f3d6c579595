"""Student edition (no solutions) and printable edition (PDF).

The table-of-contents transformation is tested quickly. The two full builds are slow
(they build the whole book): they are marked `slow` and run only when selected with
`-m slow` or when ACTBOOK_SLOW_TESTS=1. Each prints how long it took.
"""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from actbook.course import editions
from actbook.course.notebooks import REPO


def run_slow(request):
    selected = "slow" in (request.config.option.markexpr or "")
    if not (selected or os.environ.get("ACTBOOK_SLOW_TESTS") == "1"):
        pytest.skip("slow: select with -m slow or ACTBOOK_SLOW_TESTS=1")


def test_student_toc_drops_solutions():
    toc = {"format": "jb-book", "root": "intro", "parts": [
        {"caption": "Chapters", "chapters": [{"file": "chapters/01_a", "sections": [{"file": "solutions/01_a"}]}]},
        {"caption": "Exercises", "chapters": [{"file": "exercises/01_a"}]},
        {"caption": "Solutions", "chapters": [{"file": "solutions/01_a"}, {"file": "solutions/02_b"}]},
        {"caption": "Stray", "chapters": [{"file": "solutions/03_c"}]},
    ]}
    out = editions.student_toc(toc)
    assert [p["caption"] for p in out["parts"]] == ["Chapters", "Exercises"]
    assert out["parts"][0]["chapters"][0]["sections"] == []
    assert "solutions/" not in yaml.safe_dump(out)
    assert len(toc["parts"]) == 4, "the original toc must not be modified"


def test_student_toc_of_the_book(tmp_path):
    target = tmp_path / "toc.yml"
    proc = subprocess.run([sys.executable, "-m", "actbook.course", "student-edition", "--toc", str(target)],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    text = target.read_text()
    assert "solutions/" not in text
    original = yaml.safe_load((REPO / "_toc.yml").read_text())
    chapters = [e["file"] for p in original["parts"] for e in p["chapters"] if e["file"].startswith("chapters/")]
    for chapter in chapters:
        assert chapter in text
    assert "exercises/" in text


NOTE = "solutions are not included in this edition"


def _tiny_book(tmp_path, extensions):
    """A two-page Sphinx project whose chapter points to a solutions page left out of the build."""
    src = tmp_path / "src"
    (src / "solutions").mkdir(parents=True)
    (src / "exercises").mkdir()
    (src / "chapters").mkdir()
    (src / "conf.py").write_text(f"extensions = {extensions!r}\nexclude_patterns = ['solutions/*']\n")
    (src / "index.md").write_text("# Book\n\n```{toctree}\nchapters/a\nexercises/a\n```\n")
    (src / "chapters" / "a.md").write_text(
        "# A\n\n"
        "Work on these in the [exercise notebook](../exercises/a.md); every exercise ends\n"
        "with a check cell. Worked answers are in the\n[solutions](../solutions/a.md).\n\n"
        "The exercises are in [exercises/a](../exercises/a.md); worked\n"
        "solutions in [solutions/a](../solutions/a.md).\n\n"
        "Work on these in the [exercise notebook](../exercises/a.md); the\n"
        "[solutions](../solutions/a.md) explain each answer.\n\n"
        "See *the* [worked solutions](/solutions/a.md)\n")
    (src / "exercises" / "a.md").write_text("# Exercises: A\n\nText.\n")
    (src / "solutions" / "a.md").write_text("# Solutions: A\n\nAnswers.\n")
    out = tmp_path / "html"
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", str(src), str(out)],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])})
    assert proc.returncode == 0, proc.stderr
    html = (out / "chapters" / "a.html").read_text()
    body = html[html.index("<h1"):html.index("</section>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", body)), proc.stderr, body


def test_student_links_say_solutions_are_not_included(tmp_path):
    text, warnings, body = _tiny_book(tmp_path, ["myst_parser", "actbook.course.student_links"])
    assert "Unknown source document" not in warnings, warnings
    assert "with a check cell. Worked " + NOTE + "." in text
    assert "The exercises are in exercises/a; worked " + NOTE + "." in text
    assert "Work on these in the exercise notebook; worked " + NOTE + "." in text
    assert "See the Worked " not in text and text.count(NOTE) == 4, text
    assert "Worked answers are in" not in text and "explain each answer" not in text
    assert 'href="../exercises/a.html"' in body, "links to pages that are in the edition stay links"


def test_without_the_extension_the_pointer_is_dead_text(tmp_path):
    """What the extension fixes: the link is dropped, its text stays, and Sphinx warns."""
    text, warnings, _ = _tiny_book(tmp_path, ["myst_parser"])
    assert "Unknown source document" in warnings
    assert "Worked answers are in the solutions." in text and NOTE not in text


def test_student_config_loads_the_extension(tmp_path):
    student = yaml.safe_load(editions._config_with_shared_cache(REPO, tmp_path / "s.yml", student=True).read_text())
    full = yaml.safe_load(editions._config_with_shared_cache(REPO, tmp_path / "f.yml").read_text())
    dump_s, dump_f = yaml.safe_dump(student), yaml.safe_dump(full)
    assert "actbook.course.student_links" in dump_s and "actbook.course.student_links" not in dump_f
    single = yaml.safe_load(editions._config_with_shared_cache(
        REPO, tmp_path / "p.yml", single_page=True, student=True).read_text())
    assert "actbook.course.student_links" in yaml.safe_dump(single)


@pytest.mark.slow
def test_student_edition_has_no_solutions(request, tmp_path):
    run_slow(request)
    start = time.monotonic()
    html = editions.build_student_edition(tmp_path / "student", quiet=True)
    seconds = time.monotonic() - start
    print(f"student edition built in {seconds:.0f} s")
    assert (html / "index.html").exists()
    pages = [p.relative_to(html).as_posix() for p in html.rglob("*.html")]
    assert any(p.startswith("chapters/") for p in pages) and any(p.startswith("exercises/") for p in pages)
    assert not [p for p in pages if "solutions" in p], "a solutions page is in the student edition"
    assert not (html / "solutions").exists()
    for page in html.rglob("*.html"):
        assert 'href="solutions/' not in page.read_text(errors="ignore") and \
            'href="../solutions/' not in page.read_text(errors="ignore"), f"{page.name} links to a solution"
    chapters = sorted((html / "chapters").glob("*.html"))
    pointing = [p.name for p in chapters if NOTE in p.read_text(errors="ignore")]
    assert pointing, "no chapter says that solutions are not included in this edition"
    for page in chapters:
        text = re.sub(r"<[^>]+>", "", page.read_text(errors="ignore"))
        assert not re.search(r"[Ww]orked (answers|solutions) (are )?in the\s+solutions", text), (
            f"{page.name} still points to solutions that this edition leaves out")


def _pdf_pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes()))


@pytest.mark.slow
def test_printable_edition(request, tmp_path):
    run_slow(request)
    start = time.monotonic()
    page = editions.build_single_page(tmp_path / "print", quiet=True)
    pdf = editions.print_to_pdf(page, tmp_path / "book.pdf")
    print(f"printable edition built in {time.monotonic() - start:.0f} s, {_pdf_pages(pdf)} pages")
    assert _pdf_pages(pdf) > 20
    # the formulas are typeset by MathJax before printing: look at the DOM Chromium printed
    dom = subprocess.run([editions.find_chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                          "--virtual-time-budget=60000", "--dump-dom", page.with_name("print.html").as_uri()],
                         capture_output=True, text=True, timeout=600).stdout
    assert dom.count("<mjx-container") > 50, "MathJax did not typeset the formulas"
    assert dom.count("<img") > 10, "figures are missing"
