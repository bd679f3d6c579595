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

ROOT = Path(__file__).resolve().parents[1]
BUILD = Path(os.environ.get("ACTBOOK_BUILD_DIR", ROOT / "_build" / "html")).resolve()
REPO_URL = "https://github.com/actbook/activation-functions-book"

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
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in toc.items() if k != "root"})
    return [re.sub(r"\.(md|ipynb)$", "", f) for f in files]


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
        binder = f"mybinder.org/v2/gh/actbook/activation-functions-book/main?urlpath=lab/tree/{docname}.ipynb"
        colab = f"colab.research.google.com/github/actbook/activation-functions-book/blob/main/{docname}.ipynb"
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
