"""actbook.sphinx_a11y: the theme's controls are announced by the words they show."""
from actbook.sphinx_a11y import fix_html

SEARCH = ('<button class="btn search-button-field search-button__button pst-js-only" title="Search" '
          'aria-label="Search" data-bs-placement="bottom"><i class="fa-solid fa-magnifying-glass"></i>'
          '<span class="search-button__default-text">Search</span></button>')
TOGGLE = '<details class="hide above-input"><summary aria-label="Toggle hidden content">'
THEME = '<i class="theme-switch fa-solid fa-sun fa-lg" data-mode="light" title="Light"></i>'


def test_labels_that_hide_visible_text_are_removed():
    out = fix_html(SEARCH + TOGGLE)
    assert 'aria-label="Search"' not in out and 'title="Search"' in out
    assert "<summary>" in out and "Toggle hidden content" not in out


def test_icon_glyphs_are_hidden_from_screen_readers():
    out = fix_html(THEME)
    assert out.count('aria-hidden="true"') == 1 and "title=" not in out and 'data-mode="light"' in out
    assert fix_html(out) == out, "applying the fixes twice changes nothing more"


def test_other_labels_are_kept():
    other = '<button class="btn" aria-label="Search">'
    assert fix_html(other) == other


def test_bibliography_entries_are_list_items():
    html = '<div role="list" class="citation-list"><div class="citation" id="id4" role="doc-biblioentry">'
    assert 'role="listitem"' in fix_html(html) and "doc-biblioentry" not in fix_html(html)
