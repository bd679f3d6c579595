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
