"""Execute a notebook in a fresh kernel and collect what its check cells reported.

Used by ``python -m actbook.course check`` and by the tests of the exercise checks.
The kernel gets ``ACTBOOK_CHECK_LOG`` (so every ``check(...)`` appends one JSON line),
the repository on ``PYTHONPATH`` (so ``import actbook`` works from any folder), and the
non-interactive matplotlib backend.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from .notebooks import BEGIN, END, REPO

RAISES = "raises-exception"


@dataclass
class CellError:
    index: int
    ename: str
    evalue: str
    tagged: bool  # the cell carries the raises-exception tag

    def describe(self) -> str:
        return f"cell {self.index + 1} raised {self.ename}: {self.evalue}".rstrip(": ")


@dataclass
class RunResult:
    checks: list = field(default_factory=list)  # dicts {label, status, message}, in order
    errors: list = field(default_factory=list)  # CellError
    timed_out: bool = False
    cell_timed_out: bool = False  # one cell exceeded the per-cell limit (not the whole run)
    dead_kernel: bool = False
    stopped_at: int | None = None  # index of the cell running when time ran out
    seconds: float = 0.0
    notebook: nbformat.NotebookNode | None = None

    def status(self, label: str, token: str | None = None) -> dict | None:
        """The last record for ``label`` (a check cell may be run more than once); with
        ``token``, only records logged inside ``grading_token(token)``."""
        found = [c for c in self.checks if c["label"] == label
                 and (token is None or c.get("token") == token)]
        return found[-1] if found else None

    def untagged_errors(self) -> list:
        return [e for e in self.errors if not e.tagged]


def kernel_env(log_path: str, repo: Path = REPO) -> dict:
    env = dict(os.environ)
    env["ACTBOOK_CHECK_LOG"] = str(log_path)
    env["PYTHONPATH"] = os.pathsep.join([str(repo)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env["MPLBACKEND"] = "Agg"
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def execute(nb, cwd, timeout: float = 300.0, upto: int | None = None, repo: Path = REPO,
            cell_timeout: float | None = None, progress=None, progress_every: float = 10.0) -> RunResult:
    """Run ``nb`` (cells ``0..upto`` inclusive when given) with ``cwd`` as working folder.

    ``timeout`` bounds the whole run, ``cell_timeout`` (optional) each cell.  Errors never
    propagate: they are collected in the result (``allow_errors``), as are a timeout and a
    dead kernel.  ``progress(index, seconds_running)``, if given, is called when a cell starts
    (with 0) and then every ``progress_every`` seconds while it runs, from a helper thread.
    """
    nb = copy.deepcopy(nb)
    if upto is not None:
        nb.cells = nb.cells[: upto + 1]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None

    start = time.monotonic()
    deadline = start + timeout
    state = {"current": None, "since": start, "limit": "run"}

    def cell_limit(cell):
        left = deadline - time.monotonic()
        if cell_timeout is not None and cell_timeout < left:
            state["limit"] = "cell"
            return max(1, int(cell_timeout))
        state["limit"] = "run"
        return max(1, int(left) + 1)

    def on_cell_start(cell=None, cell_index=None, **_):
        state["current"], state["since"] = cell_index, time.monotonic()
        if progress is not None:
            progress(cell_index, 0.0)

    stop = threading.Event()

    def ticker():
        last = None
        while not stop.wait(min(1.0, progress_every / 4)):
            index, since = state["current"], state["since"]
            running = time.monotonic() - since
            if progress is not None and index is not None and running >= progress_every:
                step = int(running // progress_every)
                if (index, step) != last:
                    last = (index, step)
                    progress(index, running)

    with tempfile.TemporaryDirectory(prefix="actbook-run-") as tmp:
        log_path = Path(tmp) / "checks.jsonl"
        client = NotebookClient(
            nb, timeout=max(1, int(timeout)), kernel_name="python3", allow_errors=True,
            interrupt_on_timeout=False, record_timing=False, timeout_func=cell_limit,
            resources={"metadata": {"path": str(cwd)}}, on_cell_start=on_cell_start,
            startup_timeout=60,
        )
        result = RunResult(notebook=nb)
        thread = threading.Thread(target=ticker, daemon=True)
        thread.start()
        try:
            client.execute(env=kernel_env(log_path, repo), stderr=subprocess.DEVNULL)
        except CellTimeoutError:
            result.timed_out = True
            result.cell_timed_out = state["limit"] == "cell"
            result.stopped_at = state["current"]
        except DeadKernelError:
            result.dead_kernel = True
            result.stopped_at = state["current"]
        finally:
            stop.set()
            thread.join(timeout=5)
            result.seconds = time.monotonic() - start
        if log_path.exists():
            for line in log_path.read_text(encoding="utf-8").splitlines():
                try:
                    result.checks.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                result.errors.append(CellError(i, out.get("ename", ""), _plain(out.get("evalue", "")),
                                               RAISES in cell.metadata.get("tags", [])))
    return result


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def count_regions(source: str) -> int:
    """How many ``### BEGIN SOLUTION`` regions a cell holds."""
    return sum(BEGIN.strip("# ") in line for line in source.split("\n"))


def substitute_regions(source: str, replacements) -> str:
    """Replace the cell's ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` regions, in order, with
    ``replacements`` (``None`` keeps a region's worked answer and drops its markers), each
    indented like its ``BEGIN`` line.  Used to try stored answers in place of the solution."""
    replacements = list(replacements)
    lines = source.split("\n")
    out, inside, k = [], False, 0
    for line in lines:
        if BEGIN.strip("# ") in line and not inside:
            indent = re.match(r"\s*", line).group(0)
            replacement = replacements[k] if k < len(replacements) else None
            inside, keep, k = True, replacement is None, k + 1
            if not keep:
                out.extend(indent + r if r else r for r in replacement.rstrip("\n").split("\n"))
        elif inside and END.strip("# ") in line:
            inside = False
        elif not inside or keep:
            out.append(line)
    if k == 0:
        raise ValueError("no ### BEGIN SOLUTION region in the cell")
    return "\n".join(out)


def substitute_region(source: str, replacement: str) -> str:
    """Replace the cell's first answer region with ``replacement`` (see :func:`substitute_regions`)."""
    return substitute_regions(source, [replacement])


def read(path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)
