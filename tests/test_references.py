"""The bibliography is consistent: no duplicate keys, and every key the package cites exists."""
import re
from pathlib import Path

from actbook.activations import get, names

BIB = Path(__file__).resolve().parents[1] / "references.bib"


def bib_keys():
    return re.findall(r"^@\w+\{([^,\s]+),", BIB.read_text(encoding="utf-8"), flags=re.M)


def test_no_duplicate_bibtex_keys():
    keys = bib_keys()
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    assert not dupes, f"duplicate BibTeX keys in references.bib: {dupes}"


def test_registry_references_exist():
    keys = set(bib_keys())
    missing = {(n, k) for n in names() for k in get(n).references if k not in keys}
    assert not missing, f"activations cite keys missing from references.bib: {sorted(missing)}"
