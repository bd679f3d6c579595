"""Execute the notebooks a book build would execute, a few at a time, into the build's
execution cache (``python -m actbook.course.prefill CACHE_DIR``; ``./run book`` calls it).

jupyter-book executes notebooks one after another; on two cores, two at a time halve the
wall time. Notebooks whose cached outputs are current are skipped; a notebook that fails
here is left to the build, which reports it. ``ACTBOOK_JOBS`` sets how many run at once
(default 2).
"""
from __future__ import annotations

import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import yaml

from . import toc
from .notebooks import REPO


def _settings(repo: Path) -> tuple[list[str], int]:
    cfg = yaml.safe_load((repo / "_config.yml").read_text(encoding="utf-8")) or {}
    execute = cfg.get("execute", {}) or {}
    excluded = [p.rstrip("*") for p in execute.get("exclude_patterns", [])]
    return excluded, int(execute.get("timeout", 120))


def stale(cache_dir: str, repo: Path = REPO) -> list[Path]:
    """The notebooks the build would execute whose cached outputs are missing or out of date."""
    from jupyter_cache import get_cache

    excluded, _ = _settings(repo)
    cache = get_cache(cache_dir)
    todo = []
    for nb in toc.notebooks(repo, exclude=tuple(excluded)):
        try:
            cache.match_cache_notebook(nbformat.read(nb, as_version=4))
        except KeyError:
            todo.append(nb)
    return todo


def execute(nb: Path, cache_dir: str, repo: Path = REPO) -> str:
    """Execute one notebook and store it in the cache; a line saying what happened."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from jupyter_cache.executors.utils import single_nb_execution

    _, timeout = _settings(repo)
    notebook = nbformat.read(nb, as_version=4)
    t0 = time.perf_counter()
    result = single_nb_execution(notebook, cwd=str(nb.parent), timeout=timeout,
                                 allow_errors=False, meta_override=True)
    if result.err is not None:
        return (f"{nb.relative_to(repo)}: failed here ({type(result.err).__name__}); "
                "the build will report it")
    cache = get_cache(cache_dir)
    stage = cache.add_nb_to_project(str(nb))
    cache.cache_notebook_bundle(CacheBundleIn(notebook, stage.uri,
                                              data={"execution_seconds": result.time}),
                                check_validity=False, overwrite=True)
    return f"{nb.relative_to(repo)}: executed in {time.perf_counter() - t0:.1f} s"


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m actbook.course.prefill CACHE_DIR", file=sys.stderr)
        return 2
    cache_dir, repo = args[0], REPO
    nbs = toc.notebooks(repo, exclude=tuple(_settings(repo)[0]))
    todo = stale(cache_dir, repo)
    print(f"prefill: {len(todo)} of {len(nbs)} notebooks need executing", flush=True)
    if todo:
        jobs = int(os.environ.get("ACTBOOK_JOBS", "2"))
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for line in pool.map(execute, todo, [cache_dir] * len(todo)):
                print("prefill:", line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
