"""The student edition (no solutions) and the printable edition (PDF) of the book.

``python -m actbook.course student-edition``
    writes a table of contents without the Solutions part (and without any entry under
    ``solutions/``) to a temporary file and builds the book with it into
    ``_build/student/html``.  ``only_build_toc_files`` in ``_config.yml`` keeps the
    solution notebooks out of the build entirely, and the extension
    :mod:`actbook.course.student_links` turns each chapter's pointer to its solutions into
    the remark that worked solutions are not included in this edition.

``python -m actbook.course print [--student] [--paper letter]``
    builds the whole book as one HTML page (Sphinx's ``singlehtml`` builder) and prints
    it to PDF with headless Chromium (driven by playwright), after MathJax has typeset
    every formula: A4 by default, page numbers, a table of contents with page numbers
    after the title page (read back from a first printing's bookmarks), bookmarks, and a
    tagged PDF.  ``--student`` leaves the Solutions part out.  Nothing is downloaded.

Both builds share the main build's execution cache (``_build/.jupyter_cache``), so a
notebook already executed by ``./run book`` is not executed again.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from .notebooks import REPO

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def _is_solution(entry) -> bool:
    return isinstance(entry, dict) and str(entry.get("file", "")).startswith("solutions/")


def _strip(entries):
    kept = []
    for entry in entries or []:
        if _is_solution(entry):
            continue
        if isinstance(entry, dict):
            entry = dict(entry)
            for key in ("sections", "chapters"):
                if key in entry:
                    entry[key] = _strip(entry[key])
        kept.append(entry)
    return kept


def student_toc(toc: dict) -> dict:
    """The table of contents without the Solutions part or any page under ``solutions/``."""
    toc = dict(toc)
    if "parts" in toc:
        parts = []
        for part in toc["parts"]:
            if str(part.get("caption", "")).strip().lower() == "solutions":
                continue
            part = dict(part)
            part["chapters"] = _strip(part.get("chapters"))
            if part["chapters"]:
                parts.append(part)
        toc["parts"] = parts
    for key in ("chapters", "sections"):
        if key in toc:
            toc[key] = _strip(toc[key])
    return toc


def _add_extension(config: dict, name: str) -> None:
    extensions = config.get("sphinx", {}).get("config", {}).get("extensions")
    if isinstance(extensions, list):
        if name not in extensions:
            extensions.append(name)
    else:
        extra = config.setdefault("sphinx", {}).setdefault("extra_extensions", [])
        if name not in extra:
            extra.append(name)


def _config_with_shared_cache(repo: Path, dest: Path, cache: str | None = None, extra: dict | None = None,
                              single_page: bool = False, student: bool = False) -> Path:
    """A copy of ``_config.yml`` whose execution cache is the main build's (or ``cache``).

    With ``student`` the chapters' links to solution pages (left out of that edition) are
    rewritten to say that solutions are not included (:mod:`actbook.course.student_links`).
    """
    config = yaml.safe_load((repo / "_config.yml").read_text()) or {}
    execute = config.setdefault("execute", {})
    execute["cache"] = str(Path(cache).resolve()) if cache else str(repo / "_build" / ".jupyter_cache")
    for key, value in (extra or {}).items():
        config[key] = value
    if single_page:
        # sphinx_jupyterbook_latex rewrites hidden cells and toctrees into nodes that only
        # its LaTeX and "html" translators know; Sphinx's singlehtml builder then fails on them.
        config.setdefault("latex", {})["use_jupyterbook_latex"] = False
        extensions = config.get("sphinx", {}).get("config", {}).get("extensions")
        if isinstance(extensions, list):
            config["sphinx"]["config"]["extensions"] = [
                e for e in extensions if e != "sphinx_jupyterbook_latex"] + ["actbook.course.sphinx_singlehtml"]
        else:
            config.setdefault("sphinx", {}).setdefault("extra_extensions", []).append("actbook.course.sphinx_singlehtml")
    if student:
        _add_extension(config, "actbook.course.student_links")
    dest.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    return dest


def _jupyter_book() -> str:
    candidate = Path(sys.executable).with_name("jupyter-book")
    return str(candidate) if candidate.exists() else "jupyter-book"


def _build_env(repo: Path) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(repo)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def build_student_edition(out: Path, repo: Path = REPO, quiet: bool = False, cache: str | None = None) -> Path:
    """Build the book without solutions; return the folder holding ``index.html``."""
    repo, out = Path(repo), Path(out)
    with tempfile.TemporaryDirectory(prefix="actbook-student-") as tmp:
        tmp = Path(tmp)
        toc_path = tmp / "_toc.yml"
        toc_path.write_text(yaml.safe_dump(student_toc(yaml.safe_load((repo / "_toc.yml").read_text())),
                                           sort_keys=False, allow_unicode=True))
        config_path = _config_with_shared_cache(repo, tmp / "_config.yml", cache, student=True)
        staging = tmp / "out"
        cmd = [_jupyter_book(), "build", str(repo), "--toc", str(toc_path), "--config", str(config_path),
               "--path-output", str(staging), "--keep-going"]
        proc = subprocess.run(cmd, cwd=repo, env=_build_env(repo), text=True,
                              capture_output=quiet)
        html = staging / "_build" / "html"
        if proc.returncode != 0 or not (html / "index.html").exists():
            detail = (proc.stdout or "")[-3000:] + (proc.stderr or "")[-3000:] if quiet else ""
            raise RuntimeError(f"the student edition did not build (exit {proc.returncode}). {detail}")
        target = out / "html"
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(html, target)
    return target


def find_chromium() -> str:
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise RuntimeError("Chromium was not found (Debian: apt-get install chromium); it prints the PDF")
    return found


def build_single_page(out: Path, repo: Path = REPO, student: bool = False, quiet: bool = False,
                      cache: str | None = None) -> Path:
    repo, out = Path(repo), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="actbook-print-") as tmp:
        tmp = Path(tmp)
        toc = yaml.safe_load((repo / "_toc.yml").read_text())
        toc_path = tmp / "_toc.yml"
        toc_path.write_text(yaml.safe_dump(student_toc(toc) if student else toc, sort_keys=False,
                                           allow_unicode=True))
        config_path = _config_with_shared_cache(repo, tmp / "_config.yml", cache, single_page=True,
                                                student=student)
        cmd = [_jupyter_book(), "build", str(repo), "--builder", "singlehtml", "--toc", str(toc_path),
               "--config", str(config_path), "--path-output", str(out), "--keep-going"]
        proc = subprocess.run(cmd, cwd=repo, env=_build_env(repo), text=True, capture_output=quiet)
    page = single_page_path(out, repo)
    if proc.returncode != 0 or not page.exists():
        detail = (proc.stdout or "")[-3000:] + (proc.stderr or "")[-3000:] if quiet else ""
        raise RuntimeError(f"the single-page build failed (exit {proc.returncode}). {detail}")
    return page


def single_page_path(out: Path, repo: Path = REPO) -> Path:
    """The single page: ``<root>.html`` (``index.html`` is only a redirect to it)."""
    root = (yaml.safe_load((Path(repo) / "_toc.yml").read_text()) or {}).get("root", "index")
    folder = Path(out) / "_build" / "singlehtml"
    page = folder / f"{Path(root).name}.html"
    return page if page.exists() else folder / "index.html"


#: paper sizes of the printed book (``./run print --paper``)
PAPER = {"a4": "A4", "letter": "Letter"}

PRINT_CSS = """
<style media="print">
  /* the printed book: no navigation chrome, full-width text, figures kept whole */
  @page { size: %(paper)s; margin: 16mm 15mm 18mm 15mm;
          @bottom-center { content: counter(page); font-size: 9pt; color: #444; } }
  @page :first { @bottom-center { content: none; } }
  .bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-footer, .bd-footer-article,
  .header-article, .prev-next-area, .bd-header-article, #pst-back-to-top, .headerlink,
  .toggle-button, .copybtn, .skip-link, .bd-header-announcement, #pst-skip-link,
  .bd-sidebar, .sidebar-toggle, nav.bd-links, .bd-search, .search-button-field,
  .actbook-explorer-controls { display: none !important; }
  html, body { background: #fff !important; }
  .bd-main, .bd-content, .bd-article-container, .bd-page-width, .bd-container,
  .bd-container__inner, article.bd-article { max-width: 100%% !important;
      width: 100%% !important; margin: 0 !important; padding: 0 !important; }
  /* each document of the book (a part of the single page) starts on a new page; the first
     does not, so there is no blank first page */
  .actbook-print-doc { break-before: page; }
  .actbook-print-doc:first-of-type, #actbook-print-toc + .actbook-print-doc { break-before: auto; }
  #actbook-print-toc { break-before: page; break-after: page; }
  img, figure, mjx-container, .actbook-explorer, table { break-inside: avoid; }
  h1, h2, h3, h4 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
  /* code cells: no frame that can be left empty at a page break; a rule on the left instead,
     which breaks with the lines */
  div.cell, div.cell_input, div.cell_output, div.highlight, .output, details, details > div {
      border: none !important; box-shadow: none !important; background: none !important; }
  div.cell_input div.highlight { border-left: 3px solid #c8ced6 !important;
      padding-left: 0.6em !important; border-radius: 0 !important; }
  div.cell_input pre { border: none !important; padding-left: 0 !important; }
  figcaption, figcaption * { color: #222 !important; }
  pre, .highlight pre { white-space: pre-wrap !important; word-break: break-word;
      overflow: visible !important; background: none !important; font-size: 8.5pt !important; }
  .highlight, .cell_input, .cell_output, .output, div.math-wrapper, .MathJax,
  mjx-container { overflow: visible !important; }
  /* hidden cell inputs stay hidden: the toggles do not print */
  details.hide:not([open]) > :not(summary) { display: none !important; }
  details.hide > summary { display: none !important; }
  /* the table of contents */
  #actbook-print-toc h1 { display: block !important; font-size: 20pt; margin-bottom: 0.6em; }
  #actbook-print-toc ol { list-style: none; padding-left: 0; margin: 0; }
  #actbook-print-toc li { display: flex; align-items: baseline; gap: 0.4em; margin: 0.15em 0; }
  #actbook-print-toc li.part { font-weight: 600; margin-top: 0.8em; display: block; }
  #actbook-print-toc li.section { padding-left: 1.6em; font-size: 9.5pt; }
  #actbook-print-toc li .dots { flex: 1; border-bottom: 1px dotted #888; }
  #actbook-print-toc li .page { font-variant-numeric: tabular-nums; min-width: 2.2em;
      text-align: right; }
</style>
"""

_TOC_PLACEHOLDER = "\u2007\u2007\u2007"   # three figure spaces: a page number's width


def _page_documents(soup):
    """The documents of the single page, in order, moved to the top level.

    Sphinx's singlehtml builder puts every document of the book where the root document's
    table of contents stands, inside ``div.toctree-wrapper`` blocks (one per part), in the
    middle of the root document's "Contents" section. For print, the root document (the
    title page) comes first, whole, and the documents follow it; the emptied "Contents"
    section is dropped. A page without such blocks keeps its top-level sections.
    """
    main = soup.find("article") or soup.find("main") or soup.body
    tops = [s for s in main.find_all("section") if s.find_parent("section") is None]
    wrappers = main.select("div.toctree-wrapper")
    if not tops or not wrappers:
        return tops
    docs = [sec for w in wrappers for sec in w.find_all("section", recursive=False)]
    holders = {w.find_parent("section") for w in wrappers}
    for sec in docs:
        sec.extract()
    for w in wrappers:
        w.decompose()
    for holder in holders:
        rest = [c for c in holder.children
                if getattr(c, "name", None) and not re.match(r"^h[1-6]$", c.name)]
        if holder is not None and holder is not tops[0] and not rest:
            holder.decompose()
    anchor = tops[0]
    for sec in docs:
        anchor.insert_after(sec)
        anchor = sec
    return [tops[0]] + docs


def _heading_text(section) -> str:
    heading = section.find(re.compile(r"^h[1-6]$"))
    if heading is None:
        return ""
    for link in heading.find_all("a", class_="headerlink"):
        link.decompose()
    return " ".join(heading.get_text(" ").split())


def add_print_toc(html: str, parts: list[tuple[str | None, list[str]]] | None = None,
                  with_sections: bool = True) -> tuple[str, list[tuple[str, str]]]:
    """The single page with a table of contents after its first document.

    Every top-level section (one per document of the book) becomes an entry, and its
    numbered second-level sections (``2.3. ...``) become sub-entries when ``with_sections``.
    ``parts`` gives the part captions: ``[(caption, [first heading of the part, ...]), ...]``.
    Each entry links to its heading and ends in a page-number slot (filled by
    :func:`fill_toc_pages`). Returns ``(html, entries)`` with ``entries`` the ``(anchor,
    heading text)`` of every entry, in order. Each document's section gets the class
    ``actbook-print-doc`` (a new page in print).
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    docs = _page_documents(soup)
    if not docs:
        raise RuntimeError("the single page has no sections: is it a Sphinx singlehtml build?")
    unnumbered = lambda t: re.sub(r"^\d+(\.\d+)*\.?\s+", "", " ".join(t.split())).replace("\u2019", "'")
    starts = {}
    for caption, firsts in parts or []:
        if firsts:
            starts[unnumbered(firsts[0])] = caption
    nav = soup.new_tag("nav", id="actbook-print-toc")
    nav["aria-label"] = "Contents"
    title = soup.new_tag("h1")
    title.string = "Contents"
    nav.append(title)
    ol = soup.new_tag("ol")
    nav.append(ol)
    entries = []

    def add(section, kind):
        anchor = section.get("id")
        text = _heading_text(section)
        if not anchor or not text:
            return
        li = soup.new_tag("li", attrs={"class": kind})
        link = soup.new_tag("a", href=f"#{anchor}")
        link.string = text
        dots = soup.new_tag("span", attrs={"class": "dots"})
        page = soup.new_tag("span", attrs={"class": "page", "data-toc": str(len(entries))})
        page.string = _TOC_PLACEHOLDER
        li.extend([link, dots, page])
        ol.append(li)
        entries.append((anchor, text))

    for k, doc in enumerate(docs):
        doc["class"] = doc.get("class", []) + ["actbook-print-doc"]
        if k == 0:
            continue   # the title page: the contents follow it
        caption = starts.get(unnumbered(_heading_text(doc)))
        if caption:
            part = soup.new_tag("li", attrs={"class": "part"})
            part.string = caption
            ol.append(part)
        add(doc, "chapter")
        if with_sections:
            for sub in doc.find_all("section", recursive=False):
                if re.match(r"^\d+(\.\d+)+\.?\s", _heading_text(sub)):
                    add(sub, "section")
    docs[0].insert_after(nav)
    return str(soup), entries


def fill_toc_pages(html: str, pages: list[int | None]) -> str:
    """Write ``pages[i]`` into the page slot of entry ``i`` of :func:`add_print_toc`'s contents."""
    def number(m):
        i = int(m.group(1))
        value = pages[i] if i < len(pages) else None
        return f'data-toc="{i}">{value if value is not None else _TOC_PLACEHOLDER}<'
    return re.sub(r'data-toc="(\d+)">[^<]*<', number, html)


# ---- reading a PDF printed by Chromium: the page each outline entry points to ----
_OBJ = re.compile(rb"(\d+) 0 obj\s*(.*?)\s*endobj", re.S)


def _pdf_string(raw: bytes) -> str:
    raw = raw.strip()
    if raw.startswith(b"<") and not raw.startswith(b"<<"):
        data = bytes.fromhex(raw[1:-1].decode("ascii"))
        return data[2:].decode("utf-16-be") if data[:2] == b"\xfe\xff" else data.decode("latin-1")
    body = raw[1:-1]
    out, i = bytearray(), 0
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f",
               b"(": b"(", b")": b")", b"\\": b"\\"}
    while i < len(body):
        c = body[i:i + 1]
        if c == b"\\" and i + 1 < len(body):
            nxt = body[i + 1:i + 2]
            if nxt in escapes:
                out += escapes[nxt]; i += 2; continue
            octal = re.match(rb"[0-7]{1,3}", body[i + 1:i + 4])
            if octal:
                out.append(int(octal.group(0), 8) & 0xFF); i += 1 + len(octal.group(0)); continue
            i += 1; continue
        out += c; i += 1
    return out.decode("latin-1")


def pdf_outline_pages(pdf: bytes) -> list[tuple[str, int]]:
    """``(title, page number)`` of every outline (bookmark) entry of a Chromium PDF, in order.

    Chromium (Skia) writes plain objects: the page tree gives the pages' order, and each
    outline item a ``/Dest [page 0 R ...]``. Page numbers count from 1.
    """
    objects = {int(m.group(1)): m.group(2) for m in _OBJ.finditer(pdf)}
    ref = lambda body, key: (lambda m: int(m.group(1)) if m else None)(
        re.search(rb"/" + key + rb"\s+(\d+) 0 R", body))
    root_pages = next((n for n, body in objects.items()
                       if re.search(rb"/Type\s*/Pages\b", body) and b"/Parent" not in body), None)
    order: list[int] = []

    def walk(n):
        body = objects.get(n, b"")
        if re.search(rb"/Type\s*/Pages\b", body):
            kids = re.search(rb"/Kids\s*\[([^\]]*)\]", body)
            for k in re.findall(rb"(\d+) 0 R", kids.group(1) if kids else b""):
                walk(int(k))
        else:
            order.append(n)

    if root_pages is not None:
        walk(root_pages)
    page_of = {n: i + 1 for i, n in enumerate(order)}
    outlines = next((n for n, body in objects.items() if re.search(rb"/Type\s*/Outlines\b", body)),
                    None)
    found: list[tuple[str, int]] = []

    def items(n):
        while n is not None:
            body = objects.get(n, b"")
            title = re.search(rb"/Title\s*(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>)", body, re.S)
            dest = re.search(rb"/Dest\s*\[\s*(\d+) 0 R", body)
            if title and dest and int(dest.group(1)) in page_of:
                found.append((_pdf_string(title.group(1)), page_of[int(dest.group(1))]))
            items(ref(body, rb"First"))
            n = ref(body, rb"Next")

    if outlines is not None:
        items(ref(objects[outlines], rb"First"))
    return found


def _match_pages(entries: list[tuple[str, str]], outline: list[tuple[str, int]]) -> list[int | None]:
    """Page of each contents entry: the next outline entry with the same title, in order."""
    # compared without any white space: a heading that wraps in print loses the space at
    # its line break in the PDF's bookmark
    norm = lambda t: re.sub(r"\s+", "", t).rstrip("#")
    from collections import Counter

    def same(title, want):
        # Chromium sometimes writes a heading's text twice into its bookmark, interleaved
        # ("1.6. 1.6. Why depth ...Why depth ..."): accept exactly two copies of the text
        got = norm(title)
        return got == want or (len(got) == 2 * len(want) and got.startswith(want[:3])
                               and Counter(got) == Counter(want + want))

    pages, start = [], 0
    for _, text in entries:
        want = norm(text)
        hit = next((i for i in range(start, len(outline)) if same(outline[i][0], want)), None)
        number = re.match(r"^\d+(\.\d+)*\.", want)
        if hit is None and number:
            # maths in a heading, or a doubled bookmark cut at a line break: the bookmark's
            # text differs, its section number does not
            lead = lambda t: (lambda m: m.group(0) if m else "")(
                re.match(r"^\d+(\.\d+)*\.", norm(t)))
            hit = next((i for i in range(start, len(outline))
                        if lead(outline[i][0]) in (number.group(0), 2 * number.group(0))), None)
        if hit is None:
            pages.append(None)
        else:
            pages.append(outline[hit][1])
            start = hit + 1
    return pages


_WAIT_FOR_MATHJAX = """
async () => {
  const t0 = Date.now();
  while (!(window.MathJax && window.MathJax.startup && window.MathJax.startup.promise)) {
    if (!document.querySelector('.math') || Date.now() - t0 > 30000) return false;
    await new Promise(r => setTimeout(r, 100));
  }
  await window.MathJax.startup.promise;
  return true;
}
"""


def _book_parts(repo: Path, student: bool) -> list[tuple[str | None, list[str]]]:
    """``[(part caption, [title of each document in it]), ...]`` from ``_toc.yml``."""
    path = Path(repo) / "_toc.yml"
    if not path.is_file():
        return []
    toc = yaml.safe_load(path.read_text()) or {}
    toc = student_toc(toc) if student else toc
    parts = []
    for part in toc.get("parts", []):
        titles = []
        for entry in part.get("chapters", []) or []:
            stem = Path(repo) / str(entry.get("file", ""))
            titles.append(_document_title(stem))
        parts.append((part.get("caption"), [t for t in titles if t]))
    return parts


def _document_title(stem: Path) -> str | None:
    """The first heading of a notebook or markdown document (without its number)."""
    import json

    for suffix in (".ipynb", ".md"):
        path = stem.with_suffix(suffix)
        if not path.is_file():
            continue
        if suffix == ".ipynb":
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
            text = "\n".join("".join(c.get("source", [])) for c in cells if c.get("cell_type") == "markdown")
        else:
            text = path.read_text(encoding="utf-8")
        m = re.search(r"^#\s+(.+)$", text, re.M)
        return m.group(1).strip() if m else None
    return None


def print_to_pdf(page: Path, pdf: Path, paper: str = "a4", repo: Path = REPO, student: bool = False,
                 timeout: float = 600) -> Path:
    """Print the single page to PDF with headless Chromium, after MathJax has typeset it.

    Adds a table of contents after the title page, whose page numbers come from a first
    printing (read back from the PDF's bookmarks); prints on ``paper`` (``"a4"`` or
    ``"letter"``) with page numbers, bookmarks and tags (a PDF screen readers can follow).
    """
    from playwright.sync_api import sync_playwright

    if paper.lower() not in PAPER:
        raise ValueError(f"paper must be one of {', '.join(PAPER)}; got {paper!r}")
    page, pdf = Path(page).resolve(), Path(pdf).resolve()
    printable = page.with_name("print.html")
    html = page.read_text(encoding="utf-8")
    html = html.replace("</head>", PRINT_CSS % {"paper": PAPER[paper.lower()]} + "</head>", 1)
    html, entries = add_print_toc(html, _book_parts(repo, student))
    pdf.parent.mkdir(parents=True, exist_ok=True)
    if pdf.exists():
        pdf.unlink()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                          "--disable-background-networking", "--no-first-run"])
        try:
            tab = browser.new_page()
            tab.set_default_timeout(timeout * 1000)
            for attempt in ("measure", "final"):
                printable.write_text(html, encoding="utf-8")
                tab.goto(printable.as_uri(), wait_until="load")
                tab.evaluate(_WAIT_FOR_MATHJAX)
                tab.emulate_media(media="print")
                data = tab.pdf(prefer_css_page_size=True, print_background=True, outline=True,
                               tagged=True)
                if attempt == "measure":
                    pages = _match_pages(entries, pdf_outline_pages(data))
                    html = fill_toc_pages(html, pages)
        finally:
            browser.close()
    printable.write_text(html, encoding="utf-8")
    pdf.write_bytes(data)
    if pdf.stat().st_size < 1000:
        raise RuntimeError(f"Chromium did not write {pdf}")
    return pdf


def student_main(args) -> int:
    if args.toc:
        toc = student_toc(yaml.safe_load((REPO / "_toc.yml").read_text()))
        Path(args.toc).write_text(yaml.safe_dump(toc, sort_keys=False, allow_unicode=True))
        print(f"student table of contents written to {args.toc}")
        return 0
    start = time.monotonic()
    # a folder given on the command line is the caller's; the default lives in the repository
    out = Path(args.out).resolve() if args.out else REPO / "_build" / "student"
    target = build_student_edition(out, cache=args.cache)
    print(f"student edition (no solutions) built in {time.monotonic() - start:.0f} s: {target / 'index.html'}")
    return 0


def print_main(args) -> int:
    student = bool(getattr(args, "student", False))
    paper = getattr(args, "paper", None) or "a4"
    out = Path(args.out).resolve() if args.out else REPO / "_build" / "print"
    if student:
        out = out / "student"   # its own build: --no-build must never reuse the full book's
    start = time.monotonic()
    page = single_page_path(out)
    if not args.no_build or not page.exists():
        page = build_single_page(out, student=student, cache=args.cache)
    name = "book-student" if student else "book"
    pdf = Path(args.pdf) if args.pdf else out.parent / f"{name}.pdf" if student else out / f"{name}.pdf"
    print_to_pdf(page, pdf, paper=paper, student=student)
    print(f"printable edition ({'without solutions, ' if student else ''}{PAPER[paper.lower()]}) "
          f"written in {time.monotonic() - start:.0f} s: {pdf} ({pdf.stat().st_size / 1e6:.1f} MB); "
          f"single page HTML: {page}")
    return 0
