"""Open every built page in headless Chromium with the network cut off, and look at it.

The built book (``_build/html`` or ``$ACTBOOK_BUILD_DIR``) is served on 127.0.0.1 by a small
threaded HTTP server. Every request to another host is recorded and aborted. Each page
fails on:

* any request to another host (the book must read offline);
* any console error or uncaught exception (one harmless theme message is allowed, below);
* any local resource that fails to load (HTTP status >= 400);
* any formula left untypeset: a math element without MathJax output, or raw TeX
  (``\\(``, ``\\[``, ``$...$`` with TeX inside) in the visible text;
* any widget area left empty: an ipywidgets view the widget manager did not render, or a
  static explorer without a visible frame (and the first explorer of a page must change
  its frame when its first control moves);
* any broken image;
* any code cell or printed output (tracebacks aside) that scrolls sideways in the
  1280-pixel window (hidden inputs opened).

Chromium is Debian's ``/usr/bin/chromium`` (``./run test`` installs it when run as root),
driven by the PyPI ``playwright`` package; ``playwright install`` is never needed.
"""
from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import socketserver
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD = Path(os.environ.get("ACTBOOK_BUILD_DIR", ROOT / "_build" / "html")).resolve()
CHROMIUM = os.environ.get("ACTBOOK_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run",
               "--disable-dev-shm-usage"]

if not (BUILD / "intro.html").is_file():
    pytest.skip(f"no built book at {BUILD} (run `./run book` first, or set ACTBOOK_BUILD_DIR)",
                allow_module_level=True)

# sphinx-book-theme 1.3 with pydata-sphinx-theme 0.16/0.17 sets an empty theme mode before
# the theme reads it, on a reader's first visit, and the theme then logs this as an error and
# falls back to "auto". The page is unaffected. This exact message, and only it, is allowed.
ALLOWED_CONSOLE_ERRORS = [re.compile(r"^(\[PST\]: ?)?Got invalid theme mode: \. Resetting to auto\.?$")]



def _is_redirect_stub(path: Path) -> bool:
    """index.html is only a <meta http-equiv="Refresh"> to intro.html (checked in test_build)."""
    head = path.read_text(encoding="utf-8", errors="replace")[:2000].lower()
    return 'http-equiv="refresh"' in head and "<main" not in head


PAGES = sorted(str(p.relative_to(BUILD)) for p in BUILD.rglob("*.html")
               if not {"_static", "_sources", "_images", "reports"} & set(p.relative_to(BUILD).parts[:-1])
               and not _is_redirect_stub(p))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture(scope="module")
def site():
    handler = functools.partial(_QuietHandler, directory=str(BUILD))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (./run test does it as root)")
    from playwright.sync_api import sync_playwright

    # launch() runs Chromium with a fresh temporary profile (user-data dir) every time
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()


# JavaScript run in the page once it has loaded and MathJax has finished.
_INSPECT = r"""
() => {
  const problems = [];
  const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  // 1. math elements must contain MathJax output
  const maths = Array.from(document.querySelectorAll('.math'));
  const untypeset = maths.filter(m => !m.querySelector('mjx-container') && m.closest('mjx-container') === null);
  for (const m of untypeset.slice(0, 5)) problems.push('untypeset math: ' + m.textContent.trim().slice(0, 80));
  // 2. raw TeX in visible text (not in code, not in MathJax output)
  const main = document.querySelector('main') || document.body;
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT, {
    acceptNode: n => n.parentElement.closest(
      'pre, code, script, style, textarea, mjx-container, mjx-assistive-mml, .highlight, .output.text_plain, .cell_output pre, .actbook-explorer')
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT });
  const texPatterns = [/\\\(|\\\)|\\\[|\\\]/, /\$\$/, /\$[^$\n]{0,200}(\\[a-zA-Z]+|[_^{])[^$\n]{0,200}\$/, /\\(frac|sum|sigma|phi|delta|begin)\b/];
  let text;
  while ((text = walker.nextNode())) {
    const s = text.textContent;
    if (texPatterns.some(re => re.test(s))) { problems.push('raw TeX in text: ' + s.trim().slice(0, 100)); break; }
  }
  // 3. ipywidgets views must be rendered by the widget manager
  const views = Array.from(document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]'));
  for (const v of views) {
    const host = v.parentElement;
    const w = host && host.querySelector('.jupyter-widgets, .widget-container, .lm-Widget, .p-Widget');
    if (!w || !visible(w)) problems.push('empty ipywidgets area (view ' + v.textContent.trim().slice(0, 60) + ')');
  }
  // 4. static explorers must show exactly one visible frame that decoded
  for (const ex of document.querySelectorAll('.actbook-explorer')) {
    const shown = Array.from(ex.querySelectorAll('img[data-key]')).filter(i => getComputedStyle(i).display !== 'none');
    if (shown.length !== 1) problems.push('static explorer ' + ex.id + ' shows ' + shown.length + ' frames');
    else if (!(shown[0].complete && shown[0].naturalWidth > 0 && visible(shown[0])))
      problems.push('static explorer ' + ex.id + ' shows an empty frame');
  }
  // 5. broken images
  for (const img of document.images) {
    if (img.complete && img.naturalWidth === 0 && img.getAttribute('src'))
      problems.push('broken image: ' + img.getAttribute('src').slice(0, 100));
  }
  return {problems, views: views.length, explorers: document.querySelectorAll('.actbook-explorer').length,
          maths: maths.length};
}
"""

_WAIT_FOR_MATHJAX = """
async () => {
  const t0 = Date.now();
  while (!(window.MathJax && window.MathJax.startup && window.MathJax.startup.promise)) {
    if (!document.querySelector('.math') || Date.now() - t0 > 15000) return false;
    await new Promise(r => setTimeout(r, 50));
  }
  await window.MathJax.startup.promise;
  return true;
}
"""

_WAIT_FOR_WIDGETS = """
() => Array.from(document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]'))
      .every(v => v.parentElement && v.parentElement.querySelector('.jupyter-widgets, .widget-container, .lm-Widget'))
"""

_MOVE_FIRST_EXPLORER = """
() => {
  const ex = document.querySelector('.actbook-explorer');
  const shownKey = () => Array.from(ex.querySelectorAll('img[data-key]'))
      .filter(i => getComputedStyle(i).display !== 'none').map(i => i.getAttribute('data-key')).join('|');
  const c = Array.from(ex.querySelectorAll('[data-control]')).find(c =>
      c.tagName === 'SELECT' ? c.options.length > 1 : (Number(c.max) > 0 && !c.disabled));
  if (!c) return {moved: false, reason: 'no control with more than one value'};
  const before = shownKey();
  c.value = c.tagName === 'SELECT' ? String((Number(c.value) + 1) % c.options.length)
                                   : String(Number(c.value) === Number(c.max) ? 0 : Number(c.value) + 1);
  c.dispatchEvent(new Event('input', {bubbles: true}));
  const after = shownKey();
  return {moved: before !== after && after !== '' && !after.includes('|'), before, after};
}
"""


# Code cells and printed outputs that scroll sideways in a 1280-pixel window (hidden inputs
# opened first): the notebooks keep code and printed lines within 79 characters, and
# book_assets/book.css sizes the font so that such a line fits.
_CODE_OVERFLOW = """
() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  // code, and printed output other than tracebacks (deliberate errors may run long)
  const blocks = [...document.querySelectorAll('div.cell_input pre, div.cell_output pre')]
    .filter(e => !e.closest('.traceback, .error'));
  return blocks
    .filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => {
      const where = e.closest('div.cell_output') ? 'output' : 'code cell';
      const lines = e.textContent.split('\\n');
      const longest = lines.reduce((a, b) => (b.length > a.length ? b : a), '');
      return `${where} scrolls sideways by ${e.scrollWidth - e.clientWidth} px ` +
             `(longest line, ${longest.length} characters: ${longest.slice(0, 60)}...)`;
    });
}
"""


@pytest.mark.parametrize("page_path", PAGES)
def test_page_reads_offline(browser, site, page_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    page = context.new_page()
    host = urlsplit(site).netloc
    external, failed, console_errors = [], [], []

    def route(r):
        url = r.request.url
        if urlsplit(url).netloc == host or url.startswith(("data:", "blob:", "about:")):
            r.continue_()
        else:
            external.append(url)
            r.abort()

    context.route("**/*", route)
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console_errors.append(f"uncaught: {e}"))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("requestfailed", lambda r: failed.append(f"failed {r.url} ({r.failure})")
            if urlsplit(r.url).netloc == host else None)
    try:
        page.goto(f"{site}/{page_path}", wait_until="load", timeout=60000)
        mathjax_ok = page.evaluate(_WAIT_FOR_MATHJAX)
        if page.query_selector('script[type="application/vnd.jupyter.widget-view+json"]'):
            try:
                page.wait_for_function(_WAIT_FOR_WIDGETS, timeout=20000)
            except Exception:  # reported below as empty widget areas
                pass
        page.wait_for_timeout(300)  # late console messages
        report = page.evaluate(_INSPECT)
        moved = page.evaluate(_MOVE_FIRST_EXPLORER) if report["explorers"] else None
        overflowing = page.evaluate(_CODE_OVERFLOW)
    finally:
        context.close()

    problems = list(report["problems"]) + overflowing
    if report["maths"] and not mathjax_ok:
        problems.append("MathJax did not start")
    problems += [f"request to another host: {u}" for u in external]
    problems += [f"failed to load: {f}" for f in failed]
    problems += [f"console error: {t}" for t in console_errors
                 if not any(p.match(t.strip()) for p in ALLOWED_CONSOLE_ERRORS)]
    if moved is not None and not moved.get("moved") and moved.get("reason") is None:
        problems.append(f"static explorer did not change its frame when a control moved: {moved}")
    assert not problems, f"{page_path}:\n  " + "\n  ".join(problems)
