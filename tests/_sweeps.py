"""Helpers for the sweep tests: a copy of the stored results to plant faults in."""
from __future__ import annotations

import shutil
from pathlib import Path

from actbook.results import RESULTS_DIR, read_table, write_table


def copy_stored(module, folder: Path) -> Path:
    """Copy the stored files of a sweep module into ``folder``; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in module.FILES:
        shutil.copy(RESULTS_DIR / name, folder / name)
    return folder


def plant(folder: Path, file: str, change, **where) -> int:
    """Apply ``change(row)`` (in place) to the rows of ``folder/file`` matching ``where``;
    return how many rows changed (at least one, or the plant is a mistake)."""
    table = read_table(file, folder)
    hits = 0
    for row in table:
        if all(row[k] == v or (isinstance(v, float) and isinstance(row[k], (int, float))
                               and abs(row[k] - v) < 1e-12) for k, v in where.items()):
            change(row)
            hits += 1
    assert hits, f"nothing in {file} matches {where}"
    write_table(folder / file, table.rows, table.columns)
    return hits


def within(value, stored, slack, what=""):
    """``value`` lies in the range of the ``stored`` seeds widened by ``slack`` on each side."""
    lo, hi = min(stored), max(stored)
    assert lo - slack <= value <= hi + slack, (
        f"{what}: {value:.4f} outside the stored seeds' range [{lo:.4f}, {hi:.4f}] "
        f"widened by {slack}")
