"""The student edition (no solutions) and the printable edition (PDF) of the book.

``python -m actbook.course student-edition``
    writes a table of contents without the Solutions part (and without any entry under
    ``solutions/``) to a temporary file and builds the book with it into
    ``_build/student/html``.  ``only_build_toc_files`` in ``_config.yml`` keeps the
    solution notebooks out of the build entirely, and the extension
    :mod:`actbook.course.student_links` turns each chapter's pointer to its solutions into
    the remark that worked solutions are not included in this edition.

``python -m actbook.course print``
    builds the whole book as one HTML page (Sphinx's ``singlehtml`` builder) and prints
    it to PDF with headless Chromium (``/usr/bin/chromium --print-to-pdf``), after
    MathJax has typeset every formula.  Nothing is downloaded.

Both builds share the main build's execution cache (``_build/.jupyter_cache``), so a
notebook already executed by ``./run book`` is not executed again.
"""

from __future__ import annotations

import os
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


PRINT_CSS = """
<style media="print">
  /* the printed book: no navigation chrome, full-width text, figures kept whole */
  .bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-footer, .bd-footer-article,
  .header-article, .prev-next-area, .bd-header-article, #pst-back-to-top, .headerlink,
  .toggle-button, .copybtn, .skip-link { display: none !important; }
  .bd-main, .bd-content, .bd-article-container, .bd-page-width { max-width: 100% !important;
      width: 100% !important; margin: 0 !important; padding: 0 !important; }
  img, figure, .cell_output, mjx-container { break-inside: avoid; }
  h1 { break-before: page; }
  a { color: inherit; text-decoration: none; }
  pre, .highlight pre { white-space: pre-wrap !important; word-break: break-word; overflow: visible !important; }
  .highlight, .cell_input, .cell_output, .output, div.math-wrapper, .MathJax { overflow: visible !important; }
</style>
"""


def print_to_pdf(page: Path, pdf: Path, budget_ms: int = 60000, timeout: float = 600) -> Path:
    """Print an HTML page to PDF with headless Chromium, after its scripts (MathJax) have run."""
    page, pdf = Path(page).resolve(), Path(pdf).resolve()
    printable = page.with_name("print.html")
    html = page.read_text(encoding="utf-8")
    printable.write_text(html.replace("</head>", PRINT_CSS + "</head>", 1), encoding="utf-8")
    pdf.parent.mkdir(parents=True, exist_ok=True)
    if pdf.exists():
        pdf.unlink()
    with tempfile.TemporaryDirectory(prefix="actbook-chromium-") as profile:
        cmd = [find_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run", f"--user-data-dir={profile}", "--run-all-compositor-stages-before-draw",
               f"--virtual-time-budget={budget_ms}", "--no-pdf-header-footer",
               f"--print-to-pdf={pdf}", printable.as_uri()]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if not pdf.exists() or pdf.stat().st_size < 1000:
        raise RuntimeError(f"Chromium did not write {pdf} (exit {proc.returncode}): {proc.stderr[-2000:]}")
    return pdf


def student_main(args) -> int:
    if args.toc:
        toc = student_toc(yaml.safe_load((REPO / "_toc.yml").read_text()))
        Path(args.toc).write_text(yaml.safe_dump(toc, sort_keys=False, allow_unicode=True))
        print(f"student table of contents written to {args.toc}")
        return 0
    start = time.monotonic()
    out = Path(args.out) if Path(args.out).is_absolute() else REPO / args.out
    target = build_student_edition(out, cache=args.cache)
    print(f"student edition (no solutions) built in {time.monotonic() - start:.0f} s: {target / 'index.html'}")
    return 0


def print_main(args) -> int:
    out = Path(args.out) if Path(args.out).is_absolute() else REPO / args.out
    start = time.monotonic()
    page = single_page_path(out)
    if not args.no_build or not page.exists():
        page = build_single_page(out, student=args.student, cache=args.cache)
    pdf = Path(args.pdf) if args.pdf else out / "book.pdf"
    print_to_pdf(page, pdf)
    print(f"printable edition written in {time.monotonic() - start:.0f} s: {pdf} "
          f"({pdf.stat().st_size / 1e6:.1f} MB); single page HTML: {page}")
    return 0
