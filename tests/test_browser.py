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
  1280-pixel window (hidden inputs opened);
* in the 1280-pixel window: a page that scrolls sideways, a display equation or a table wider
  than the text column;
* in a 400-pixel (phone) window: a page that scrolls sideways, or a block whose content is cut
  off instead of scrolling inside itself;
* figure text smaller than ``actbook.plotting.MIN_TEXT_PX`` CSS px as the figure is shown at
  1280 px (the smallest text size is recorded in each figure by ``actbook.plotting``), or a
  figure that carries no such record;
* any accessibility violation of impact "serious" or "critical" found by axe-core, which the
  test injects into the page (it is never part of the book); and in the theme's dark mode, any
  text contrast violation and any transparent figure on a dark background.

``test_header_does_not_cover_the_sidebar`` looks at screenshots of the top of a page at 1280 and
1600 px: the book's title in the sidebar must be drawn, not covered by a second header bar.

axe-core comes from npm (``npm pack axe-core@AXE_VERSION``) into ``_build/test-tools/`` the
first time (or from ``$ACTBOOK_AXE_JS``); nothing is loaded from a CDN.

Chromium is Debian's ``/usr/bin/chromium`` (``./run test`` installs it when run as root),
driven by the PyPI ``playwright`` package; ``playwright install`` is never needed.
"""
from __future__ import annotations

import base64
import functools
import http.server
import io
import json
import os
import re
import shutil
import socketserver
import subprocess
import tarfile
import tempfile
import threading
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from actbook.plotting import MIN_TEXT_PX, PX_PER_INCH

ROOT = Path(__file__).resolve().parents[1]
BUILD = Path(os.environ.get("ACTBOOK_BUILD_DIR", ROOT / "_build" / "html")).resolve()
CHROMIUM = os.environ.get("ACTBOOK_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run",
               "--disable-dev-shm-usage"]

#: axe-core, from npm, for the accessibility audit (tests only)
AXE_VERSION = "4.14.1"
AXE_DIR = ROOT / "_build" / "test-tools" / f"axe-core-{AXE_VERSION}"
#: the impacts that fail a page
AXE_FAILING = ("serious", "critical")
#: where the header check leaves its screenshots
SHOTS = ROOT / "_build" / "test-logs" / "screenshots"

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


# ------------------------------------------------------------------------------------------
# Every reader can read every page
# ------------------------------------------------------------------------------------------
# A page, a display equation or a table wider than its room at 1280 px. Tables are measured in
# the element that scrolls them (their own box, the theme's scrollable container or the cell
# output), display maths in its MathJax container; the TeX of an equation is reported.
_WIDE_BLOCKS = r"""
() => {
  const out = [];
  const article = document.querySelector('article.bd-article') || document.querySelector('main')
                  || document.body;
  const doc = document.scrollingElement || document.documentElement;
  if (doc.scrollWidth > window.innerWidth + 1)
    out.push(`the page scrolls sideways: ${doc.scrollWidth} px wide in a ${window.innerWidth}-px window`);
  const tex = m => {
    try {
      const items = MathJax.startup.document.getMathItemsWithin(m);
      if (items.length) return items[0].math.replace(/\s+/g, ' ').trim();
    } catch (e) { }
    return m.textContent.replace(/\s+/g, ' ').trim();
  };
  for (const m of article.querySelectorAll('mjx-container[display="true"]')) {
    const extra = m.scrollWidth - m.clientWidth;
    if (extra > 1) out.push(`display equation ${m.scrollWidth} px wide in a ${m.clientWidth}-px column ` +
                            `(break it with aligned or split): ${tex(m).slice(0, 90)}`);
  }
  const scroller = el => {
    for (let p = el; p && p !== article; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return p;
    }
    return null;
  };
  const right = article.getBoundingClientRect().right - parseFloat(getComputedStyle(article).paddingRight);
  for (const t of article.querySelectorAll('table')) {
    const box = scroller(t);
    const extra = box ? box.scrollWidth - box.clientWidth : t.getBoundingClientRect().right - right;
    if (extra > 1) {
      const head = (t.querySelector('tr') || t).textContent.replace(/\s+/g, ' ').trim();
      out.push(`table ${Math.round(extra)} px wider than the text column (reshape it): ${head.slice(0, 80)}`);
    }
  }
  return out;
}
"""

# At phone width: the page must not scroll sideways, and no block may cut its content off
# (a wide block has to scroll inside itself). Inline maths is left out: MathJax's glyph boxes
# overhang their container by a pixel or two without hiding anything.
_PHONE_WIDTH = r"""
() => {
  const out = [];
  const doc = document.scrollingElement || document.documentElement;
  if (doc.scrollWidth > window.innerWidth + 1) {
    const culprits = [...document.body.querySelectorAll('*')].filter(el => {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= window.innerWidth + 1) return false;
      for (let p = el.parentElement; p; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o !== 'visible') return false;
        if (getComputedStyle(p).position === 'fixed') return false;
      }
      return getComputedStyle(el).position !== 'fixed';
    }).slice(0, 3).map(el => `${el.tagName.toLowerCase()}.${el.className}`.slice(0, 60));
    out.push(`the page scrolls sideways at ${window.innerWidth} px (${doc.scrollWidth} px wide; ` +
             `widest: ${culprits.join(', ')})`);
  }
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  if (!article) return out;
  for (const el of article.querySelectorAll('div, table, pre, figure, p, section, mjx-container[display="true"]')) {
    if (el.closest('mjx-container') && el.tagName !== 'MJX-CONTAINER') continue;
    const o = getComputedStyle(el).overflowX;
    if ((o === 'hidden' || o === 'clip') && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 2) {
      out.push(`${el.tagName.toLowerCase()}.${el.className} cuts off ${el.scrollWidth - el.clientWidth} px ` +
               `instead of scrolling: ${el.textContent.replace(/\s+/g, ' ').trim().slice(0, 60)}`);
    }
  }
  return out;
}
"""

# Every visible image of the page's content: how wide it is drawn, how wide it is at 72 CSS px
# per figure inch, and the smallest text size recorded in it (data attributes of explorer
# frames and computed-alt figures; otherwise the PNG's own text chunks, read in Python).
_FIGURES = r"""
() => {
  const article = document.querySelector('article.bd-article') || document.querySelector('main')
                  || document.body;
  return [...article.querySelectorAll('img')]
    .filter(img => img.getBoundingClientRect().width > 0 && img.naturalWidth > 0)
    .map(img => ({src: img.currentSrc || img.src, shown: img.getBoundingClientRect().width,
                  natural: img.naturalWidth, cssWidth: img.dataset.cssWidth || null,
                  minTextPt: img.dataset.minTextPt || null,
                  alt: (img.getAttribute('alt') || '').slice(0, 50)}));
}
"""

# In dark mode: a figure must not be transparent where the page behind it is dark. Corner
# pixels of the image are read from a canvas (same-origin and data: images only).
_DARK_FIGURES = r"""
() => {
  const out = [];
  const article = document.querySelector('article.bd-article') || document.querySelector('main')
                  || document.body;
  const light = c => {
    const m = c.match(/rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/);
    if (!m || (m[4] !== undefined && Number(m[4]) < 0.9)) return false;
    return 0.2126 * m[1] + 0.7152 * m[2] + 0.0722 * m[3] > 200;
  };
  for (const img of article.querySelectorAll('img')) {
    if (img.getBoundingClientRect().width === 0 || !img.naturalWidth) continue;
    let opaque = true;
    try {
      const c = document.createElement('canvas');
      c.width = img.naturalWidth; c.height = img.naturalHeight;
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      for (const [x, y] of [[0, 0], [c.width - 1, 0], [0, c.height - 1], [c.width - 1, c.height - 1]])
        if (g.getImageData(x, y, 1, 1).data[3] < 250) opaque = false;
    } catch (e) { opaque = false; }
    if (!opaque && !light(getComputedStyle(img).backgroundColor))
      out.push(`transparent figure on the dark page (give it a light background): ` +
               `${(img.getAttribute('alt') || img.src).slice(0, 70)}`);
  }
  return out;
}
"""

_AXE_RUN = """
async (options) => {
  const result = await axe.run(document, options);
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 4).map(n => ({target: n.target.join(' '),
          summary: (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 220)})),
      count: v.nodes.length}));
}
"""


@pytest.fixture(scope="module")
def axe_source():
    """axe-core's axe.min.js: $ACTBOOK_AXE_JS, or npm's package unpacked into _build/test-tools."""
    given = os.environ.get("ACTBOOK_AXE_JS")
    path = Path(given) if given else AXE_DIR / "package" / "axe.min.js"
    if not path.is_file() and not given:
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed once to fetch axe-core for the accessibility audit "
                        f"(npm pack axe-core@{AXE_VERSION}); or set ACTBOOK_AXE_JS to axe.min.js")
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            proc = subprocess.run([npm, "pack", f"axe-core@{AXE_VERSION}", "--pack-destination", tmp],
                                  capture_output=True, text=True, timeout=300)
            tarballs = list(Path(tmp).glob("axe-core-*.tgz"))
            if proc.returncode != 0 or not tarballs:
                pytest.fail(f"npm pack axe-core@{AXE_VERSION} failed: {proc.stderr[-1500:]}")
            with tarfile.open(tarballs[0]) as tar:
                member = tar.getmember("package/axe.min.js")
                (AXE_DIR / "package").mkdir(exist_ok=True)
                (AXE_DIR / "package" / "axe.min.js").write_bytes(tar.extractfile(member).read())
    if not path.is_file():
        pytest.fail(f"axe-core not found at {path}")
    return path.read_text(encoding="utf-8")


def _axe(page, axe_source, options=None) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    return page.evaluate(_AXE_RUN, options or {})


def _axe_report(violations: list[dict]) -> list[str]:
    lines = []
    for v in violations:
        lines.append(f"axe {v['impact']}: {v['id']} ({v['count']} element{'s' if v['count'] > 1 else ''}): "
                     f"{v['help']}")
        for n in v["nodes"]:
            lines.append(f"    at {n['target'][:100]}: {n['summary']}")
    return lines


def _png_text(data: bytes) -> dict:
    from PIL import Image

    try:
        return dict(Image.open(io.BytesIO(data)).text)
    except Exception:  # not a PNG (JPEG, SVG): no text chunks
        return {}


def _image_bytes(src: str, page_url: str, site: str) -> bytes | None:
    if src.startswith("data:"):
        header, _, payload = src.partition(",")
        return base64.b64decode(payload) if ";base64" in header else None
    url = urljoin(page_url, src)
    if not url.startswith(site):
        return None
    path = BUILD / unquote(urlsplit(url).path).lstrip("/")
    return path.read_bytes() if path.is_file() else None


def _text_size_problems(figures: list[dict], page_url: str, site: str) -> list[str]:
    """Figures whose smallest text is drawn below MIN_TEXT_PX CSS px, or that carry no record."""
    problems = []
    for k, f in enumerate(figures, 1):
        label = f"figure {k} ({f['alt'] or f['src'][:50]})"
        if f["minTextPt"] is not None and f["cssWidth"] is not None:
            min_pt, css_width = float(f["minTextPt"]), float(f["cssWidth"])
        else:
            data = _image_bytes(f["src"], page_url, site)
            chunks = _png_text(data) if data else {}
            if "actbook:min-text-pt" not in chunks:
                problems.append(f"{label} carries no record of its text size: draw it after "
                                f"actbook.plotting.use_book_style() (or through figure_png)")
                continue
            min_pt = float(chunks["actbook:min-text-pt"])
            css_width = f["natural"] * PX_PER_INCH / float(chunks.get("actbook:dpi", PX_PER_INCH))
        if min_pt == float("inf"):
            continue  # no text at all
        shown_px = min_pt * f["shown"] / css_width
        if shown_px < MIN_TEXT_PX - 0.05:
            problems.append(f"{label}: its smallest text ({min_pt:g} pt) is drawn at "
                            f"{shown_px:.1f} CSS px, below {MIN_TEXT_PX:g} (figure {css_width:.0f} "
                            f"CSS px wide, shown at {f['shown']:.0f}): size it with book_figure(share=...) "
                            f"and the fonts of use_book_style()")
    return problems


def _light_checks(page, page_url, site, axe_source) -> list[str]:
    problems = list(page.evaluate(_WIDE_BLOCKS))
    problems += _text_size_problems(page.evaluate(_FIGURES), page_url, site)
    violations = [v for v in _axe(page, axe_source) if v["impact"] in AXE_FAILING]
    problems += _axe_report(violations)
    return problems


# resolves once the page has drawn twice more and no CSS transition or animation is running
# (the theme's colour transitions after a switch of mode, a layout after a resize)
_SETTLED = """() => new Promise(resolve => {
    const deadline = performance.now() + 10000;
    const check = () => {
        const running = document.getAnimations().some(a => a.playState === 'running');
        if (!running || performance.now() > deadline) resolve(!running);
        else requestAnimationFrame(check);
    };
    requestAnimationFrame(() => requestAnimationFrame(check));
})"""


def _dark_and_phone_checks(page, axe_source) -> list[str]:
    page.evaluate("() => { document.documentElement.dataset.theme = 'dark';"
                  " document.documentElement.dataset.mode = 'dark'; }")
    problems = [] if page.evaluate(_SETTLED) else ["dark mode: transitions still running after 10 s"]
    problems += [f"dark mode: {p}" for p in page.evaluate(_DARK_FIGURES)]
    contrast = [v for v in _axe(page, axe_source, {"runOnly": ["color-contrast"]})
                if v["impact"] in AXE_FAILING]
    problems += [f"dark mode: {line}" for line in _axe_report(contrast)]
    page.evaluate("() => { document.documentElement.dataset.theme = 'light';"
                  " document.documentElement.dataset.mode = 'light'; }")
    page.set_viewport_size({"width": 400, "height": 800})
    page.evaluate(_SETTLED)
    problems += [f"at 400 px: {p}" for p in page.evaluate(_PHONE_WIDTH)]
    return problems


@pytest.mark.parametrize("page_path", PAGES)
def test_page_reads_offline(browser, site, page_path, axe_source):
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
        overflowing = page.evaluate(_CODE_OVERFLOW)
        readable = _light_checks(page, f"{site}/{page_path}", site, axe_source)
        moved = page.evaluate(_MOVE_FIRST_EXPLORER) if report["explorers"] else None
        readable += _dark_and_phone_checks(page, axe_source)
    finally:
        context.close()

    problems = list(report["problems"]) + overflowing + readable
    if report["maths"] and not mathjax_ok:
        problems.append("MathJax did not start")
    problems += [f"request to another host: {u}" for u in external]
    problems += [f"failed to load: {f}" for f in failed]
    problems += [f"console error: {t}" for t in console_errors
                 if not any(p.match(t.strip()) for p in ALLOWED_CONSOLE_ERRORS)]
    if moved is not None and not moved.get("moved") and moved.get("reason") is None:
        problems.append(f"static explorer did not change its frame when a control moved: {moved}")
    assert not problems, f"{page_path}:\n  " + "\n  ".join(problems)


# ------------------------------------------------------------------------------------------
# The top of a page, as pictures: at 1280 and 1600 px (where pydata-sphinx-theme 0.16+ with
# sphinx-book-theme 1.3 drew a second "Search Ctrl+K" bar over the sidebar) the sidebar shows
# the book's title, uncovered, and the page shows one search field, inside the sidebar.
# ------------------------------------------------------------------------------------------
_TOP_OF_PAGE = r"""
() => {
  const box = el => { const r = el.getBoundingClientRect();
                      return {x: r.left, y: r.top, w: r.width, h: r.height}; };
  const shown = el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
                        return r.width > 0 && r.height > 0 && s.visibility !== 'hidden'; };
  const sidebar = document.querySelector('#pst-primary-sidebar, .bd-sidebar-primary');
  if (sidebar) sidebar.scrollTop = 0;   // the theme scrolls it to the current chapter
  const title = sidebar && sidebar.querySelector('.logo__title, .navbar-brand');
  const header = document.querySelector('#pst-header, header.bd-header');
  const fields = [...document.querySelectorAll('.search-button-field, .bd-search')]
    .filter(el => shown(el) && el.getBoundingClientRect().top < 200)
    .map(el => ({...box(el), inSidebar: !!(sidebar && sidebar.contains(el))}));
  let titleHit = null;
  if (title && shown(title)) {
    const r = title.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + Math.min(20, r.width / 2), r.top + r.height / 2);
    titleHit = !!hit && (title.contains(hit) || hit.contains(title));
  }
  return {title: title && shown(title) ? box(title) : null, titleHit,
          header: header && shown(header) ? box(header) : null,
          sidebar: sidebar && shown(sidebar) ? box(sidebar) : null, fields};
}
"""


def _ink(image, rect) -> float:
    """Fraction of clearly dark pixels in ``rect`` of a screenshot (text is drawn there)."""
    x0, y0 = max(0, int(rect["x"])), max(0, int(rect["y"]))
    x1 = min(image.width, int(rect["x"] + rect["w"]))
    y1 = min(image.height, int(rect["y"] + rect["h"]))
    if x1 <= x0 or y1 <= y0:
        return 0.0
    crop = image.convert("L").crop((x0, y0, x1, y1))
    histogram = crop.histogram()  # 256 counts of grey levels
    return sum(histogram[:110]) / max(1, sum(histogram))


@pytest.mark.parametrize("width", [1280, 1600])
def test_header_does_not_cover_the_sidebar(browser, site, width):
    from PIL import Image

    context = browser.new_context(viewport={"width": width, "height": 700}, service_workers="block")
    page = context.new_page()
    try:
        page.goto(f"{site}/chapters/02_backpropagation.html", wait_until="load", timeout=60000)
        page.wait_for_timeout(500)
        top = page.evaluate(_TOP_OF_PAGE)    # also scrolls the sidebar to its top
        page.wait_for_timeout(200)
        SHOTS.mkdir(parents=True, exist_ok=True)
        shot = SHOTS / f"top-of-page-{width}.png"
        page.screenshot(path=str(shot), clip={"x": 0, "y": 0, "width": width, "height": 260})
    finally:
        context.close()
    image = Image.open(shot)
    problems = []
    if top["title"] is None:
        problems.append("the book's title is not shown in the sidebar")
    else:
        if not top["titleHit"]:
            problems.append("something is drawn over the book's title in the sidebar")
        if _ink(image, top["title"]) < 0.01:
            problems.append(f"the screenshot shows no title text where the title is ({top['title']})")
    painted = [f for f in top["fields"] if _ink(image, f) > 0.005 or f["inSidebar"]]
    outside = [f for f in painted if not f["inSidebar"]]
    if outside:
        problems.append(f"{len(outside)} search field(s) drawn outside the sidebar, in a header bar: {outside}")
    if len(painted) > 1:
        problems.append(f"{len(painted)} search fields at the top of the page, one expected")
    if top["header"] and top["sidebar"] and top["header"]["h"] > 1:
        h, s = top["header"], top["sidebar"]
        if h["y"] < s["y"] + s["h"] and s["y"] < h["y"] + h["h"] and h["x"] < s["x"] + s["w"]:
            problems.append(f"a header bar ({h['h']:.0f} px high) spans the top of the sidebar")
    assert not problems, f"top of the page at {width} px (screenshot {shot}):\n  " + "\n  ".join(problems)
