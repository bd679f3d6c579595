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
    dead_kernel: bool = False
    stopped_at: int | None = None  # index of the cell running when time ran out
    seconds: float = 0.0
    notebook: nbformat.NotebookNode | None = None

    def status(self, label: str) -> dict | None:
        """The last record for ``label`` (a check cell may be run more than once)."""
        found = [c for c in self.checks if c["label"] == label]
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


def execute(nb, cwd, timeout: float = 300.0, upto: int | None = None, repo: Path = REPO) -> RunResult:
    """Run ``nb`` (cells ``0..upto`` inclusive when given) with ``cwd`` as working folder.

    ``timeout`` bounds the whole run, not each cell.  Errors never propagate: they are
    collected in the result (``allow_errors``), as are a timeout and a dead kernel.
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
    state = {"current": None}

    def on_cell_start(cell=None, cell_index=None, **_):
        state["current"] = cell_index

    with tempfile.TemporaryDirectory(prefix="actbook-run-") as tmp:
        log_path = Path(tmp) / "checks.jsonl"
        client = NotebookClient(
            nb, timeout=max(1, int(timeout)), kernel_name="python3", allow_errors=True,
            interrupt_on_timeout=False, record_timing=False,
            timeout_func=lambda cell: max(1, int(deadline - time.monotonic()) + 1),
            resources={"metadata": {"path": str(cwd)}}, on_cell_start=on_cell_start,
            startup_timeout=60,
        )
        result = RunResult(notebook=nb)
        try:
            client.execute(env=kernel_env(log_path, repo), stderr=subprocess.DEVNULL)
        except CellTimeoutError:
            result.timed_out = True
            result.stopped_at = state["current"]
        except DeadKernelError:
            result.dead_kernel = True
            result.stopped_at = state["current"]
        finally:
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


def substitute_region(source: str, replacement: str) -> str:
    """Replace the ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region with ``replacement``,
    indented like the ``BEGIN`` line (used for the wrong answers in ``metadata.wrong_answer``)."""
    lines = source.split("\n")
    out, inside, done = [], False, False
    for line in lines:
        if BEGIN.strip("# ") in line and not done:
            indent = re.match(r"\s*", line).group(0)
            out.extend(indent + r if r else r for r in replacement.split("\n"))
            inside, done = True, True
        elif inside and END.strip("# ") in line:
            inside = False
        elif not inside:
            out.append(line)
    if not done:
        raise ValueError("no ### BEGIN SOLUTION region in the cell")
    return "\n".join(out)


def read(path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)
