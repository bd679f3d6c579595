"""The one walk of ``_toc.yml``: the book's documents in reading order.

Used by the instructors' guide (chapter list), the build tests (every page built), the cache
prefill before a build (which notebooks the build executes) and the editions.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from .notebooks import REPO


def load(repo: Path = REPO) -> dict:
    """The parsed ``_toc.yml`` of ``repo`` ({} when there is none)."""
    path = Path(repo) / "_toc.yml"
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.is_file() else {}


def walk_files(node) -> list[str]:
    """Every ``file:`` entry under ``node`` (a toc or a part of one), in order."""
    files = []
    if isinstance(node, dict):
        if "file" in node:
            files.append(str(node["file"]))
        for key, value in node.items():
            if key != "file":
                files += walk_files(value)
    elif isinstance(node, list):
        for item in node:
            files += walk_files(item)
    return files


def toc_files(repo: Path = REPO, toc: dict | None = None) -> list[str]:
    """Docnames (paths without suffix) of every document, the root first."""
    toc = load(repo) if toc is None else toc
    files = ([toc["root"]] if "root" in toc else []) + walk_files(
        {k: v for k, v in toc.items() if k != "root"})
    return [re.sub(r"\.(md|ipynb)$", "", f) for f in files]


def notebooks(repo: Path = REPO, exclude: tuple = ()) -> list[Path]:
    """The notebooks among the documents, except those under a prefix in ``exclude``."""
    repo = Path(repo)
    return [repo / f"{d}.ipynb" for d in toc_files(repo)
            if (repo / f"{d}.ipynb").is_file() and not any(d.startswith(e) for e in exclude)]
