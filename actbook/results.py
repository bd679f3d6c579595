"""Stored results of the book's sweeps: reading, writing and summarising them (chapters 8, 9).

A sweep that is too slow for a notebook (``actbook.sweeps.<name>``) writes its results as CSV
tables into a data folder, next to a JSON file of metadata: the configuration, the versions of
the packages, the BLAS kernel that did the arithmetic and the run time. Chapters, tests and
``scripts/check_robustness.py`` read them through this module, so there is one reader and one
writer for every stored table.

* :func:`write_table` / :func:`read_table`: a CSV table of rows; numbers come back as ``int``
  or ``float`` (``nan`` for a diverged run), an empty field as ``None``.
* :func:`write_meta` / :func:`read_meta`: the JSON metadata (:func:`environment` describes the
  machine: Python, numpy, scikit-learn, the BLAS library and its kernel).
* :class:`Table`: rows with :meth:`~Table.select`, :meth:`~Table.column`,
  :meth:`~Table.unique` and :meth:`~Table.one`.
* :func:`summarize`: a per-seed summary, median and range over the seeds that did not fail,
  with the counts of failed and diverged seeds; :func:`per_seed` arranges a column as a
  (seeds x layers) array; :func:`band` and :func:`fill_band` draw a line and its seed-to-seed
  band.

>>> from actbook.results import read_table, summarize
>>> runs = read_table("digits_comparison_runs.csv")
>>> str(summarize(runs.select(activation="relu", init="he").column("final_accuracy")))
... # doctest: +SKIP
'0.967 [0.962, 0.971] (10 seeds)'
"""
from __future__ import annotations

import csv
import json
import math
import os
import platform
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .data import DataFormatError, MissingDataError

__all__ = [
    "RESULTS_DIR",
    "DataFormatError",
    "MissingDataError",
    "SeedSummary",
    "Table",
    "band",
    "environment",
    "fill_band",
    "geo_mean",
    "per_seed",
    "read_meta",
    "read_table",
    "result_path",
    "summarize",
    "write_meta",
    "write_table",
]

#: The repository's stored results: the ``data/`` folder beside the package.
RESULTS_DIR = Path(__file__).resolve().parent.parent / "data"


# ---------------------------------------------------------------------------------------------
# where the files are
# ---------------------------------------------------------------------------------------------
def _folder(data_dir) -> Path:
    return RESULTS_DIR if data_dir is None else Path(data_dir)


def result_path(name: str, data_dir=None) -> Path:
    """The path of the stored file ``name`` in ``data_dir`` (default: the repository's
    ``data/``). Raises :class:`MissingDataError` naming the sweep command that makes it.
    (Chapter 4.)
    """
    path = _folder(data_dir) / name
    if not path.is_file():
        raise MissingDataError(
            f"stored result {name!r} not found in {path.parent}; the sweeps make it: "
            f"python -m actbook.sweeps.<name> --out {path.parent} "
            f"(see actbook.sweeps.ALL)")
    return path


# ---------------------------------------------------------------------------------------------
# tables
# ---------------------------------------------------------------------------------------------
def _convert(text: str):
    """A CSV field as ``int``, ``float`` (``nan`` included), ``None`` (empty) or ``str``."""
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _format(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(int(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return "nan" if math.isnan(value) else f"{value:.8g}"
    return str(value)


def _matches(value, wanted) -> bool:
    if callable(wanted):
        return bool(wanted(value))
    if isinstance(wanted, (list, tuple, set, frozenset)):
        return any(_matches(value, w) for w in wanted)
    if isinstance(wanted, float) or isinstance(value, float):
        if value is None or wanted is None or isinstance(value, str) or isinstance(wanted, str):
            return False
        return math.isclose(float(value), float(wanted), rel_tol=1e-9, abs_tol=1e-15)
    return value == wanted


class Table:
    """Rows of a stored table (a list of dicts with the same keys), with a name for messages.
    (Chapter 4.)

    ``select(activation="relu", depth=[8, 16])`` keeps the rows whose values match (a list
    means any of them, a callable is a test, floats match within rounding);
    ``column("val_accuracy")`` gives a float array (``None`` becomes ``nan``).
    """

    def __init__(self, rows, columns=None, name: str = "table"):
        self.rows = list(rows)
        if columns is None:
            columns = list(self.rows[0]) if self.rows else []
        self.columns = list(columns)
        self.name = name

    def __len__(self):
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __getitem__(self, i):
        return self.rows[i]

    def __repr__(self):
        return f"Table({self.name!r}, {len(self.rows)} rows, columns {self.columns})"

    def _check_columns(self, names):
        unknown = [c for c in names if c not in self.columns]
        if unknown:
            raise KeyError(f"{self.name}: no column {unknown}; it has {self.columns}")

    def select(self, **where) -> "Table":
        """The rows whose columns match every condition (see the class docstring)."""
        self._check_columns(where)
        rows = [r for r in self.rows if all(_matches(r[k], v) for k, v in where.items())]
        return Table(rows, self.columns, self.name)

    def one(self, **where) -> dict:
        """The single row that matches; raises ``LookupError`` for none or several."""
        found = self.select(**where)
        if len(found) != 1:
            raise LookupError(f"{self.name}: {len(found)} rows match {where}, expected one")
        return found.rows[0]

    def column(self, name: str, dtype=float) -> np.ndarray:
        """The column as an array of ``dtype`` (for floats, an empty field is ``nan``)."""
        self._check_columns([name])
        values = [r[name] for r in self.rows]
        if dtype is float:
            return np.array([np.nan if v is None else float(v) for v in values], dtype=float)
        return np.array(values, dtype=dtype)

    def unique(self, name: str) -> list:
        """The distinct values of a column, sorted."""
        self._check_columns([name])
        return sorted({r[name] for r in self.rows}, key=lambda v: (v is None, v))

    def sorted(self, *names) -> "Table":
        """The rows sorted by the given columns."""
        self._check_columns(names)
        return Table(sorted(self.rows, key=lambda r: tuple(r[n] for n in names)),
                     self.columns, self.name)


def write_table(path, rows, columns) -> Path:
    """Write ``rows`` (dicts) as a CSV file with the given ``columns``, in that order (chapter 4).

    Floats are written with 8 significant digits (``nan`` for a diverged run), ``None`` as
    an empty field. Every row must have every column; extra keys are an error too, so a
    misspelt column cannot vanish silently.
    """
    path = Path(path)
    columns = list(columns)
    for i, row in enumerate(rows):
        missing = [c for c in columns if c not in row]
        extra = [k for k in row if k not in columns]
        if missing or extra:
            raise ValueError(f"{path.name}, row {i}: missing columns {missing}, "
                             f"unexpected keys {extra}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_format(row[c]) for c in columns])
    return path


def read_table(name, data_dir=None, columns=(), *, missing_ok: bool = False,
               convert: bool = True) -> Table:
    """A stored CSV table: ``name`` in ``data_dir`` (default ``data/``), or a path (chapter 4).

    ``columns`` names the columns the caller relies on; a file without one of them, without a
    header row, or with a row of the wrong length raises :class:`DataFormatError` naming the
    file and line. A missing file raises :class:`MissingDataError` unless ``missing_ok``
    (then the table is empty). With ``convert=False`` every field stays a string.
    """
    if isinstance(name, Path) or os.sep in str(name):
        path = Path(name)
        if not path.is_file():
            if missing_ok:
                return Table([], list(columns), path.name)
            raise MissingDataError(f"no such stored result: {path}")
    else:
        try:
            path = result_path(name, data_dir)
        except MissingDataError:
            if missing_ok:
                return Table([], list(columns), str(name))
            raise
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if not header:
            raise DataFormatError(f"{path}: empty file, expected a header row of column names")
        missing = [c for c in columns if c not in header]
        if missing:
            raise DataFormatError(f"{path}: missing columns {missing}; it has {header}")
        rows = []
        for line, fields in enumerate(reader, start=2):
            if not fields:
                continue
            if len(fields) != len(header):
                raise DataFormatError(
                    f"{path}, line {line}: {len(fields)} fields, the header has {len(header)}")
            if convert:
                fields = [_convert(f) for f in fields]
            rows.append(dict(zip(header, fields)))
    return Table(rows, header, path.name)


# ---------------------------------------------------------------------------------------------
# metadata
# ---------------------------------------------------------------------------------------------
def environment() -> dict:
    """The software and the BLAS kernel that produced a result: Python, numpy, scikit-learn,
    the machine, and (from threadpoolctl) the BLAS library, its version, kernel
    (``architecture``) and thread count (chapter 4)."""
    import sklearn
    from threadpoolctl import threadpool_info

    blas = [{k: info.get(k) for k in ("internal_api", "version", "architecture",
                                       "num_threads")}
            for info in threadpool_info() if info.get("user_api") == "blas"]
    return {"python": platform.python_version(), "numpy": np.__version__,
            "scikit-learn": sklearn.__version__, "machine": platform.machine(),
            "blas": blas}


def write_json(path, obj, indent: int = 1) -> Path:
    """Write ``obj`` as a JSON file (a sweep's metadata), making the folder if needed.

    Chapter 4.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=indent) + "\n", encoding="utf-8")
    return path


def write_meta(path, config: dict, seconds: float, cpu_seconds: float | None = None,
               **extra) -> Path:
    """Write the JSON metadata of a sweep: its ``config``, the run time in ``seconds`` (wall
    clock) and ``cpu_seconds`` (CPU time of the process), :func:`environment` and any
    ``extra`` entries (chapter 4)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"config": config, "seconds": round(float(seconds), 1)}
    if cpu_seconds is not None:
        meta["cpu_seconds"] = round(float(cpu_seconds), 1)
    meta.update(extra)
    meta["environment"] = environment()
    return write_json(path, meta)


def read_meta(name, data_dir=None) -> dict:
    """The JSON metadata ``name`` in ``data_dir`` (default ``data/``), or at a path (chapter 4)."""
    path = Path(name) if (isinstance(name, Path) or os.sep in str(name)) \
        else result_path(name, data_dir)
    if not path.is_file():
        raise MissingDataError(f"no such stored result: {path}")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise DataFormatError(f"{path}: not valid JSON ({err})") from None
    if not isinstance(meta, dict) or "config" not in meta:
        raise DataFormatError(f"{path}: expected a JSON object with a 'config' entry")
    return meta


# ---------------------------------------------------------------------------------------------
# summaries over seeds
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SeedSummary:
    """One configuration's outcome over its seeds (chapter 4).

    ``n`` seeds, of which ``diverged`` stopped with a non-finite loss and ``failed`` (which
    includes them) did not count as a trained run; ``median``, ``low``, ``high`` and ``mean``
    are taken over the other ``n - failed`` seeds (``nan`` when none is left).
    """

    n: int
    failed: int
    diverged: int
    median: float
    low: float
    high: float
    mean: float

    @property
    def ok(self) -> int:
        """The number of seeds that did not fail."""
        return self.n - self.failed

    @property
    def spread(self) -> float:
        """``high - low`` over the seeds that did not fail."""
        return self.high - self.low

    def text(self, fmt: str = "{:.2f}") -> str:
        """``"0.93 [0.91, 0.95]"``, with ``" (2 of 10 failed)"`` when some seeds failed;
        ``"failed in 10 of 10"`` when all did."""
        if self.ok == 0:
            return f"failed in {self.failed} of {self.n}"
        out = f"{fmt.format(self.median)} [{fmt.format(self.low)}, {fmt.format(self.high)}]"
        if self.failed:
            out += f" ({self.failed} of {self.n} failed)"
        return out

    def __str__(self):
        return self.text()


def summarize(values, *, failed=None, diverged=None) -> SeedSummary:
    """Summarise one value per seed: median and range over the seeds that did not fail (chapter 4).

    ``failed`` and ``diverged`` are boolean arrays (one entry per seed); a ``nan`` value
    always counts as failed (a diverged run has no accuracy).
    """
    values = np.asarray(values, dtype=float).ravel()
    n = values.size
    fail = np.zeros(n, bool) if failed is None else np.asarray(failed, dtype=bool).ravel()
    div = np.zeros(n, bool) if diverged is None else np.asarray(diverged, dtype=bool).ravel()
    if fail.size != n or div.size != n:
        raise ValueError(f"summarize: {n} values but {fail.size} failed and {div.size} "
                         "diverged flags")
    bad = np.isnan(values) | fail | div
    good = values[~bad]
    if good.size:
        stats = (float(np.median(good)), float(good.min()), float(good.max()),
                 float(good.mean()))
    else:
        stats = (math.nan,) * 4
    return SeedSummary(int(n), int(bad.sum()), int(div.sum()), *stats)


def per_seed(table: Table, column: str, order: str = "layer", **where) -> np.ndarray:
    """``column`` as a (seeds, rows per seed) array: the rows matching ``where``, one row of
    the result per seed (in seed order), each seed's values sorted by ``order``. Raises
    ``ValueError`` when the seeds have different numbers of rows (chapter 8)."""
    sel = table.select(**where)
    if not len(sel):
        raise LookupError(f"{table.name}: no rows match {where}")
    out = []
    for seed in sel.unique("seed"):
        rows = sel.select(seed=seed).sorted(order)
        out.append(rows.column(column))
    if len({len(r) for r in out}) != 1:
        raise ValueError(f"{table.name}: the seeds of {where} have different numbers of rows")
    return np.array(out)


def geo_mean(values) -> float:
    """The geometric mean of positive numbers (the centre of a quantity spread over decades).

    Chapter 1.
    """
    values = np.asarray(values, dtype=float)
    if values.size == 0 or np.any(values <= 0) or np.any(np.isnan(values)):
        raise ValueError("geo_mean needs positive numbers")
    return float(np.exp(np.mean(np.log(values))))


def band(values, geometric: bool = False):
    """``(centre, low, high)`` along axis 0 of a (seeds, points) array: the median (or, with
    ``geometric``, the geometric mean) and the range over the seeds. ``nan`` entries (a
    diverged run) are left out; a point with no finite value is ``nan`` (chapter 8)."""
    v = np.asarray(values, dtype=float)
    if v.ndim == 1:
        v = v[:, None]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-nan points
        if geometric:
            centre = np.exp(np.nanmean(np.log(v), axis=0))
        else:
            centre = np.nanmedian(v, axis=0)
        return centre, np.nanmin(v, axis=0), np.nanmax(v, axis=0)


def fill_band(ax, x, values, *, geometric: bool = False, color=None, alpha: float = 0.18,
              **line):
    """Draw the centre of :func:`band` as a line (``line`` goes to ``ax.plot``: label,
    marker, linestyle...) and its seed-to-seed range as a shaded band in the same colour.
    Returns the line (chapter 8)."""
    centre, low, high = band(values, geometric=geometric)
    (handle,) = ax.plot(x, centre, color=color, **line)
    ax.fill_between(x, low, high, color=handle.get_color(), alpha=alpha, linewidth=0)
    return handle
