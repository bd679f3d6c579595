"""A Sphinx extension: accessibility fixes to the theme's HTML, applied to every built page.

Listed in ``_config.yml``. The accessibility audit of ``tests/test_browser.py`` (axe-core)
found these in pydata-sphinx-theme 0.17 / sphinx-book-theme 1.3 / sphinx-togglebutton pages;
each fix keeps what a sighted reader sees and changes only what a screen reader announces:

* controls whose ``aria-label`` hides their visible text ("Search" on a button that reads
  "Search Ctrl+K", "Toggle hidden content" on a toggle that reads "Show code cell source"):
  the label goes, so the button is announced by the words it shows (WCAG 2.5.3, label in name);
* icon fonts inside labelled buttons (the theme switch's sun, moon and half circle) are marked
  ``aria-hidden`` and lose their ``title``, so that neither their glyphs nor their titles are
  read as text inside the button;
* bibliography entries, inside docutils' ``role="list"``, are list items: docutils marks them
  ``doc-biblioentry``, a role DPUB-ARIA 1.1 deprecates and axe does not accept in a list.

The rewriting runs once the HTML builder has finished, on the files it wrote.
"""
from __future__ import annotations

import re
from pathlib import Path

# (pattern, replacement) pairs, applied in order to each page
_FIXES = [
    # <button class="... search-button-field ..." title="Search" aria-label="Search" ...>
    (re.compile(r'(<button class="[^"]*search-button-field[^"]*"[^>]*?)\s+aria-label="Search"'),
     r"\1"),
    # <summary aria-label="Toggle hidden content"> (sphinx-togglebutton)
    (re.compile(r'<summary aria-label="Toggle hidden content">'), "<summary>"),
    # the theme switch's icons: <i class="theme-switch fa-solid ..." data-mode=... title=...>
    (re.compile(r'<i class="(theme-switch [^"]*)"(?![^>]*aria-hidden)'),
     r'<i class="\1" aria-hidden="true"'),
    # ... and without a title, which Font Awesome's script would turn into an <svg><title>,
    # read as text inside the button (its tooltip is the button's own data-bs-title)
    (re.compile(r'(<i class="theme-switch [^"]*"[^>]*?)\s+title="[^"]*"'), r"\1"),
    # <div class="citation" id="..." role="doc-biblioentry"> inside <div role="list">
    (re.compile(r'(<div class="citation"[^>]*?) role="doc-biblioentry"'), r'\1 role="listitem"'),
]


def fix_html(html: str) -> str:
    """The page with the fixes above applied (idempotent)."""
    for pattern, replacement in _FIXES:
        html = pattern.sub(replacement, html)
    return html


def _rewrite(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        if "_static" in page.parts:
            continue
        text = page.read_text(encoding="utf-8")
        fixed = fix_html(text)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


def setup(app):
    app.connect("build-finished", _rewrite)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
