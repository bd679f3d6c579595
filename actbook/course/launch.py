"""The setup cell that lets a notebook run on Colab: ``python -m actbook.course launch-cells``.

The book's launch buttons open a notebook on Binder (which builds the repository with
``binder/``, so ``import actbook`` works) or on Google Colab, which opens the notebook file
alone. There ``import actbook`` (and the chapters' ``myst_nb``) would fail, so every notebook's
first code cell is a guarded setup cell::

    # On Colab, or in any Python without the book's package, fetch the book first.
    import importlib.util, os, subprocess, sys
    if importlib.util.find_spec("actbook") is None:
        ...clone the repository, run binder/setup_fresh.py, put it on sys.path

It does nothing where ``actbook`` imports (a local ``./run lab``, Binder, the book build, the
tests), so it needs no network there. It is tagged ``remove-cell``: the HTML book does not
show it. The repository address in it is the one setting ``repository.url`` of ``_config.yml``;
this command writes the cell into the chapters, the solutions and the instructor's guide
(the exercise notebooks get it from their solutions through ``./run exercises``), and
``--check`` reports notebooks whose cell is missing or differs.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import yaml
from nbformat.v4 import new_code_cell

from .notebooks import REPO

FIRST_LINE = "# On Colab, or in any Python without the book's package, fetch the book first."
TAG = "remove-cell"
LAUNCHED_FOLDERS = ("chapters", "solutions", "instructors")


def repository_url(repo: Path = REPO) -> str:
    config = yaml.safe_load((Path(repo) / "_config.yml").read_text(encoding="utf-8")) or {}
    url = str((config.get("repository") or {}).get("url", "")).rstrip("/")
    if not url:
        raise ValueError("_config.yml has no repository.url; set it to the book's public repository")
    return url


def book_url(repo: Path = REPO) -> str:
    """The address of the published HTML book (``book_url`` in ``_config.yml``), ending in /."""
    config = yaml.safe_load((Path(repo) / "_config.yml").read_text(encoding="utf-8")) or {}
    url = str(config.get("book_url") or "").strip()
    if not url:
        raise ValueError("_config.yml has no book_url; set it to the address of the published book")
    return url.rstrip("/") + "/"


def setup_source(url: str) -> str:
    folder = re.sub(r"\.git$", "", url.rstrip("/")).rsplit("/", 1)[-1] or "book"
    return "\n".join([
        FIRST_LINE,
        "import importlib.util, os, subprocess, sys",
        'if importlib.util.find_spec("actbook") is None:',
        f'    BOOK = "{url}"',
        f'    FOLDER = "{folder}"',
        "    if not os.path.isdir(FOLDER):",
        '        subprocess.run(["git", "clone", "-q", "--depth", "1", BOOK, FOLDER],',
        "                       check=True)",
        "    setup = os.path.join(FOLDER, \"binder\", \"setup_fresh.py\")",
        "    subprocess.run([sys.executable, setup], check=True)",
        "    sys.path.insert(0, os.path.abspath(FOLDER))",
    ])


def setup_index(nb) -> int | None:
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.source.startswith(FIRST_LINE):
            return i
    return None


def first_code_index(nb) -> int:
    return next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), len(nb.cells))


def in_sync(nb, url: str) -> bool:
    i = setup_index(nb)
    return (i is not None and i == first_code_index(nb) and nb.cells[i].source == setup_source(url)
            and TAG in nb.cells[i].metadata.get("tags", []))


def with_setup_cell(nb, url: str):
    """``nb`` with its setup cell written (or rewritten) as the first code cell."""
    i = setup_index(nb)
    if i is None:
        cell = new_code_cell(setup_source(url))
        nb.cells.insert(first_code_index(nb), cell)
    else:
        cell = nb.cells.pop(i)
        cell.source = setup_source(url)
        nb.cells.insert(first_code_index(nb), cell)
    tags = cell.metadata.setdefault("tags", [])
    if TAG not in tags:
        tags.append(TAG)
    return nb


def launched_notebooks(repo: Path = REPO) -> list[Path]:
    repo = Path(repo)
    return [p for folder in LAUNCHED_FOLDERS for p in sorted((repo / folder).glob("*.ipynb"))]


def main(args) -> int:
    url = repository_url()
    paths = [Path(p).resolve() for p in args.notebooks] if args.notebooks else launched_notebooks()
    stale = []
    for path in paths:
        nb = nbformat.read(str(path), as_version=4)
        if in_sync(nb, url):
            continue
        stale.append(path)
        if not args.check:
            nbformat.write(with_setup_cell(nb, url), str(path))
            print(f"setup cell written: {path.relative_to(REPO) if REPO in path.parents else path}")
    if args.check:
        for path in stale:
            print(f"out of date: {path.relative_to(REPO) if REPO in path.parents else path}")
        print(f"{len(stale)} of {len(paths)} notebooks need their setup cell written "
              "(python -m actbook.course launch-cells)" if stale else
              f"all {len(paths)} notebooks have the setup cell for {url}")
        return 1 if stale else 0
    if any(p.parent.name == "solutions" for p in stale):
        print("now regenerate the exercise notebooks: ./run exercises", file=sys.stderr)
    return 0
