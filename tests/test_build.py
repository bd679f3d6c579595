"""Checks on the built HTML book (run after `./run book`; `./run test` runs them in order).

The build folder is ``_build/html`` or ``$ACTBOOK_BUILD_DIR``. Each check can fail: a page
missing from the build, a page or a script it loads that names a CDN, an empty
bibliography, a glue value left unsubstituted, a notebook page without launch links.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit, unquote

import pytest
import yaml

from actbook.course import toc

ROOT = Path(__file__).resolve().parents[1]
BUILD = Path(os.environ.get("ACTBOOK_BUILD_DIR", ROOT / "_build" / "html")).resolve()
# the one setting the launch buttons come from (README: "Where the book's addresses are set")
REPO_URL = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"].rstrip("/")

pytestmark = pytest.mark.skipif(
    not (BUILD / "intro.html").is_file(),
    reason=f"no built book at {BUILD} (run `./run book` first, or set ACTBOOK_BUILD_DIR)",
)

# A URL whose host names a CDN. Matches "https://cdn.jsdelivr.net/...", "//unpkg.com/...",
# "https://cdnjs.cloudflare.com/..." but not the attribute name "data-jupyter-widgets-cdn".
CDN_URL = re.compile(r"(?:https?:)?//(?:[a-z0-9-]+\.)*[a-z0-9-]*(?:cdn|unpkg|jsdelivr)[a-z0-9-]*(?:\.[a-z0-9-]+)+")
DATA_URI = re.compile(r"data:[a-z]+/[a-z0-9.+-]+;base64,[A-Za-z0-9+/=]+")
SRC_ATTR = re.compile(r"<(?:script|link|img|iframe|source|video|audio)\b[^>]*?\s(?:src|href)=[\"']([^\"']+)[\"']", re.I)
CSS_URL = re.compile(r"@import\s+(?:url\()?[\"']?([^\"')\s;]+)|url\([\"']?([^\"')]+)[\"']?\)", re.I)


def toc_files() -> list[str]:
    return toc.toc_files(ROOT)


def source_of(docname: str) -> Path | None:
    for ext in (".ipynb", ".md"):
        if (ROOT / f"{docname}{ext}").is_file():
            return ROOT / f"{docname}{ext}"
    return None


def built_pages() -> list[Path]:
    if not BUILD.is_dir():
        return []
    return sorted(p for p in BUILD.rglob("*.html")
                  if not {"_static", "_sources", "_images", "reports"} & set(p.relative_to(BUILD).parts[:-1]))


def local_target(page: Path, url: str) -> Path | None:
    """The file a relative or site-absolute URL of ``page`` points at (None if external)."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith("data:"):
        return None
    path = unquote(parts.path)
    if not path:
        return None
    base = BUILD if path.startswith("/") else page.parent
    return (base / path.lstrip("/")).resolve()


@pytest.mark.parametrize("docname", toc_files())
def test_every_toc_page_is_built(docname):
    assert (BUILD / f"{docname}.html").is_file(), f"{docname} is in _toc.yml but {docname}.html was not built"


def test_no_cdn_urls_in_pages_or_what_they_load():
    offenders = []
    checked = set()
    for page in built_pages():
        html = DATA_URI.sub("data:", page.read_text(encoding="utf-8", errors="replace"))
        for m in CDN_URL.finditer(html):
            offenders.append(f"{page.relative_to(BUILD)}: {m.group(0)}")
        for url in SRC_ATTR.findall(html):
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") or url.startswith("//"):
                offenders.append(f"{page.relative_to(BUILD)} loads an external resource: {url}")
                continue
            target = local_target(page, url)
            if target is None or target in checked:
                continue
            checked.add(target)
            assert target.is_file(), f"{page.relative_to(BUILD)} loads {url}, which is not in the build"
            if target.suffix in (".js", ".css", ".mjs"):
                text = DATA_URI.sub("data:", target.read_text(encoding="utf-8", errors="replace"))
                offenders += [f"{target.relative_to(BUILD)}: {m.group(0)}" for m in CDN_URL.finditer(text)]
                if target.suffix == ".css":
                    for a, b in CSS_URL.findall(text):
                        u = a or b
                        if urlsplit(u).scheme in ("http", "https") or u.startswith("//"):
                            offenders.append(f"{target.relative_to(BUILD)} imports {u}")
    assert checked, "no page loads any local script or stylesheet: is this a Sphinx build?"
    assert not offenders, "CDN or external URLs in the built book:\n" + "\n".join(sorted(set(offenders))[:40])


def test_mathjax_and_widget_scripts_are_local():
    # Sphinx loads MathJax only on pages with maths; the notation page is all maths
    notation = (BUILD / "notation.html").read_text(encoding="utf-8")
    m = re.search(r'<script[^>]+src="([^"]*tex-chtml\.js)[^"]*"', notation)
    assert m, "notation.html does not load MathJax (tex-chtml.js)"
    assert local_target(BUILD / "notation.html", m.group(1)).is_file(), f"{m.group(1)} is not in the build"
    for name in ("vendor/requirejs/require.js", "vendor/html-manager/embed-amd.js"):
        assert (BUILD / name).is_file(), f"{name} missing from the build (html_extra_path: book_assets)"
    for page in built_pages():
        html = page.read_text(encoding="utf-8", errors="replace")
        if "application/vnd.jupyter.widget-state+json" in html:
            assert "vendor/html-manager/embed-amd.js" in html and "vendor/requirejs/require.js" in html, \
                f"{page.relative_to(BUILD)} has widget state but does not load the vendored widget JS"


def test_bibliography_is_not_empty_and_citations_resolve():
    html = (BUILD / "bibliography.html").read_text(encoding="utf-8")
    entries = re.findall(r'role="doc-biblioentry"|class="citation"', html)
    assert len(entries) >= 3, "the bibliography page lists fewer than 3 entries"
    for page in built_pages():
        text = page.read_text(encoding="utf-8", errors="replace")
        assert "{cite" not in text, f"{page.relative_to(BUILD)} shows an unprocessed {{cite}} role"


def _glue_keys(source: Path) -> list[str]:
    text = source.read_text(encoding="utf-8")
    return re.findall(r"\{glue(?::text|:md|:any|:figure|:math)?\}`([^`]+)`|```\{glue(?::\w+)?\}\s+(\S+)", text)


def test_glue_values_are_substituted():
    pages_with_glue = 0
    for docname in toc_files():
        source = source_of(docname)
        built = BUILD / f"{docname}.html"
        if source is None or not built.is_file() or source.suffix != ".ipynb":
            continue
        html = built.read_text(encoding="utf-8")
        assert not re.search(r"\{glue(:\w+)?\}", html), f"{docname}.html shows a raw {{glue}} role"
        n_inline = len(re.findall(r"\{glue(?::text)?\}`", source.read_text(encoding="utf-8")))
        if n_inline:
            pages_with_glue += 1
            n_pasted = len(re.findall(r'class="[^"]*pasted-(?:text|inline)', html))
            raw = re.findall(r'class="[^"]*pasted-(?:text|inline)[^"]*">(?:<[^>]+>)*([^<]*(?:np\.\w+\(|array\()[^<]*)', html)
            assert not raw, (f"{docname}: glued values shown as Python reprs {raw[:3]}; glue plain numbers "
                             f"(float(x)), not numpy scalars or arrays")
            assert n_pasted >= n_inline, (
                f"{docname}: the source uses {{glue:text}} {n_inline} times but the page shows "
                f"{n_pasted} pasted values (a glue key was not found or the notebook did not run)")
    if pages_with_glue == 0:
        pytest.skip("no built notebook uses {glue:text} yet")


def test_notebook_pages_have_binder_and_colab_links():
    missing = []
    for docname in toc_files():
        source = source_of(docname)
        built = BUILD / f"{docname}.html"
        if source is None or source.suffix != ".ipynb" or not built.is_file():
            continue
        html = built.read_text(encoding="utf-8")
        org_repo = REPO_URL.split("github.com/", 1)[-1]
        binder = f"mybinder.org/v2/gh/{org_repo}/main?urlpath=lab/tree/{docname}.ipynb"
        colab = f"colab.research.google.com/github/{org_repo}/blob/main/{docname}.ipynb"
        for what, link in (("Binder", binder), ("Colab", colab)):
            if link not in html.replace("&amp;", "&"):
                missing.append(f"{docname}: no {what} launch link ({link})")
    assert not missing, "\n".join(missing)



def test_index_leads_to_the_intro():
    index = (BUILD / "index.html").read_text(encoding="utf-8")
    assert "intro.html" in index, "index.html (the page a reader opens first) does not lead to intro.html"


def test_solution_pages_highlight_answers_and_hide_markers():
    """Every solution page shows its answer lines highlighted, and no BEGIN/END marker."""
    problems = []
    for docname in toc_files():
        source = source_of(docname)
        if not docname.startswith("solutions/") or source is None:
            continue
        html = (BUILD / f"{docname}.html").read_text(encoding="utf-8")
        if "### BEGIN SOLUTION" in html or "### END SOLUTION" in html:
            problems.append(f"{docname}: shows a solution marker")
        n_blocks = source.read_text(encoding="utf-8").count("### BEGIN SOLUTION")
        if n_blocks and 'class="hll"' not in html:
            problems.append(f"{docname}: {n_blocks} answer blocks but no highlighted line")
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------------------------------
# Every figure: alt text that says what it shows, and a numbered caption. Code the reader sees
# teaches: no glue calls and no live-widget cells on a page.
# ------------------------------------------------------------------------------------------
_FILE_LIKE = re.compile(r"(\.(png|jpe?g|svg|gif|webp|pdf)\b|^data:|^https?:|_images|^\.\.?/|"
                        r"^[0-9a-f]{12,}\b|^[\w.-]+/[\w./-]+$)", re.I)
_ASSIGNMENT = re.compile(r"[\w.()]+\s*=\s*[-\w.()]+")
#: alt text must carry at least this many words besides "name = value" pairs
MIN_ALT_WORDS = 6


def alt_text_problem(alt: str | None) -> str | None:
    """Why ``alt`` does not say what a figure shows, or None when it does."""
    if alt is None:
        return "has no alt attribute"
    text = " ".join(alt.split())
    if not text:
        return "has empty alt text"
    if _FILE_LIKE.search(text):
        return f"has alt text that looks like a file name or path ({text[:60]!r})"
    words = re.findall(r"[A-Za-z]{2,}", _ASSIGNMENT.sub(" ", text))
    if len(words) < MIN_ALT_WORDS:
        return (f"has alt text that does not say what the figure shows ({text[:80]!r}): "
                f"describe the axes, what is compared and the point it makes")
    return None


def test_alt_text_rule_rejects_paths_and_bare_settings():
    assert alt_text_problem(None) and alt_text_problem("   ")
    assert alt_text_problem("../_images/ba0e11a9f3c2d7e8.png")
    assert alt_text_problem("ba0e11a9f3c2d7e8aa")
    assert alt_text_problem("w1 = -2, w2 = 4, b = -6, activation = sigmoid")
    assert alt_text_problem("A figure") is not None
    assert alt_text_problem("Line chart of the loss against the epoch: the ReLU network's "
                            "loss falls fastest") is None


def _figure_problems(html: str) -> list[str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    main = soup.find("article") or soup.find("main") or soup
    problems = []
    frames: dict[str, list] = {}   # explorer id -> [(frame number, problem)]
    checked: set[str] = set()      # explorers whose caption was checked
    for k, img in enumerate(main.find_all("img"), 1):
        src = img.get("src", "")
        where = f"image {k} ({src[:60] + '...' if len(src) > 60 else src})"
        fault = alt_text_problem(img.get("alt"))
        explorer = img.find_parent(class_="actbook-explorer")
        if fault and explorer is not None:
            frames.setdefault(explorer.get("id", "?"), []).append(fault)
        elif fault:
            problems.append(f"{where} {fault}")
        if explorer is not None:
            if explorer.get("id", "?") in checked:
                continue  # one caption report per explorer is enough
            checked.add(explorer.get("id", "?"))
        figure = img.find_parent("figure")
        caption = figure.find("figcaption") if figure else None
        number = caption.find(class_="caption-number") if caption else None
        if caption is None:
            problems.append(f"{where} has no caption: give its cell "
                            f'"mystnb": {{"figure": {{"caption": ..., "name": "fig-NN-..."}}}}')
        elif number is None or not re.match(r"Fig\.\s*\d", number.get_text(strip=True)):
            problems.append(f"{where} has a caption without a figure number")
    for uid, faults in frames.items():
        title = soup.find(id=uid)
        name = title.get("aria-label", uid) if title else uid
        problems.append(f"explorer {name!r}: {len(faults)} frame(s) whose alt text does not say "
                        f"what the frame shows (pass alt= to static_explorer, or have render "
                        f"call actbook.plotting.set_alt_text); first: image {faults[0]}")
    return problems


def test_figures_have_alt_text_and_numbered_captions():
    """Every <img> of every page: alt text that describes it, inside a numbered figure."""
    problems = []
    for page in built_pages():
        if _is_redirect(page):
            continue
        found = _figure_problems(page.read_text(encoding="utf-8", errors="replace"))
        problems += [f"{page.relative_to(BUILD)}: {p}" for p in found]
    assert not problems, (f"{len(problems)} figure problems:\n" + "\n".join(problems[:80])
                          + ("\n..." if len(problems) > 80 else ""))


def test_figure_check_catches_a_bare_image():
    html = ('<article><figure><img src="../_images/a.png" alt="../_images/a.png">'
            '<figcaption><p><span class="caption-number">Fig. 1.1 </span>x</p></figcaption>'
            '</figure><div class="cell_output"><img src="b.png" alt="Line chart of the loss '
            'against the epoch for three learning rates"></div></article>')
    problems = _figure_problems(html)
    assert any("image 1" in p and "file name" in p for p in problems), problems
    assert any("image 2" in p and "no caption" in p for p in problems), problems
    assert not any("image 1" in p and "caption" in p for p in problems), problems


def _is_redirect(page: Path) -> bool:
    head = page.read_text(encoding="utf-8", errors="replace")[:2000].lower()
    return 'http-equiv="refresh"' in head and "<main" not in head


#: code a reader of the HTML book should never see in a cell: storing numbers for the prose
#: (tag the cell remove-input) and live widgets that need a kernel (tag the cell remove-cell)
_HIDDEN_CODE = {
    "glue(": "a glue call (tag the cell remove-input; glue is explained once, in chapter 1)",
    "live_explorer(": "a live widget (tag the cell remove-cell; the static twin stays)",
    "live_activation_explorer(": "a live widget (tag the cell remove-cell; the static twin stays)",
}


def _code_problems(html: str) -> list[str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    problems = []
    for cell in soup.select("div.cell_input"):
        code = cell.get_text()
        first = next((line for line in code.splitlines() if line.strip()), "")[:60]
        for needle, what in _HIDDEN_CODE.items():
            if re.search(r"(^|[^\w.])" + re.escape(needle), code, re.M):
                problems.append(f"a code cell ({first!r}) shows {what}")
    return problems


def test_code_cells_shown_teach():
    problems = []
    for docname in toc_files():
        page = BUILD / f"{docname}.html"
        if not page.is_file() or not docname.startswith(("chapters/", "instructors/")):
            continue
        problems += [f"{docname}.html: {p}" for p in _code_problems(page.read_text(encoding="utf-8"))]
    assert not problems, "\n".join(problems)


def test_code_check_catches_glue_and_live_widgets():
    html = ('<div class="cell_input"><pre>x = 1\nglue("x", x, display=False)</pre></div>'
            '<div class="cell_input"><pre>live_explorer(render, {})</pre></div>'
            '<div class="cell_input"><pre>from myst_nb import glue\nstatic_explorer(r, g)</pre></div>')
    problems = _code_problems(html)
    assert len(problems) == 2 and "glue" in problems[0] and "live widget" in problems[1], problems


def test_no_page_shows_a_warning():
    """A warning printed by a cell (matplotlib's, numpy's) reaches the page as a stderr block:
    the reader sees noise, and something in the code wants fixing."""
    problems = []
    for docname in toc_files():
        page = BUILD / f"{docname}.html"
        if page.is_file() and docname.startswith(("chapters/", "solutions/")):
            for m in re.finditer(r'class="output stderr[^"]*"[^>]*>(.{0,400})', page.read_text(encoding="utf-8"), re.S):
                text = re.sub(r"<[^>]+>", "", m.group(1)).strip().splitlines()
                problems.append(f"{docname}.html: {text[0] if text else '(empty)'}")
    assert not problems, "\n".join(problems)

