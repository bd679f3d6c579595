"""Checks that students run at the end of every exercise (introduced in chapter 1).

Every exercise ends with a check cell::

    check("1.3", globals())

It hands the notebook's names (``globals()``) to the exercise's *reference check*, which
lives in the book's package (:mod:`actbook.exercise_checks`), not in the notebook: the
check cell shows neither the reference answer nor how it is computed.  The reference
check reads the names the exercise asks for, compares them with an independent
reference (a closed form, finite differences, a direct measurement) and reports one of
three outcomes:

* everything agrees: ``[1.3] passed: <what was compared>`` is printed;
* the answer is not there yet (a name the exercise asks for is not defined, or the
  student's function is still the stub that raises ``NotImplementedError``):
  ``[1.3] not attempted yet`` is printed with a hint, and *nothing is raised*, so a
  notebook of untouched stubs still runs from top to bottom;
* anything else (a wrong answer, or an exception raised by the student's own code, a
  ``NameError`` from a typo inside their function included): the message is printed and
  :class:`CheckFailed`, a subclass of ``AssertionError``, is raised with a short,
  one-paragraph traceback.

``check(label)`` without a namespace is a context manager with the same three outcomes
for the assertions written inside the ``with`` block (used by the reference checks
themselves and by notebooks that still write their checks inline).  Inside such a block a
``NameError`` raised by the block's own code means "not attempted"; one raised inside a
function the block calls is an error in that function.

With the environment variable ``ACTBOOK_STRICT_CHECKS=1`` (or after
:func:`strict_checks`) an unattempted exercise raises :class:`CheckFailed` too.  Graders
that count a cell as passed when it does not raise (nbgrader's autograder) need this, or
untouched stubs would score full marks.

If the environment variable ``ACTBOOK_CHECK_LOG`` names a file, each result is appended
to it as one JSON line ``{"label", "status", "message"}``; the course tools
(``python -m actbook.course check``) and the tests read it.
"""

from __future__ import annotations

import json
import math
import os
import re
import textwrap
from pathlib import Path

import numpy as np

__all__ = [
    "check", "strict_checks", "grading_token", "CheckFailed", "NotAttempted", "Answers",
    "PASSED", "FAILED", "NOT_ATTEMPTED", "LOG_ENV", "STRICT_ENV",
    "fmt_pair", "fmt_num",
]

PASSED = "passed"
FAILED = "failed"
NOT_ATTEMPTED = "not attempted"
LOG_ENV = "ACTBOOK_CHECK_LOG"
STRICT_ENV = "ACTBOOK_STRICT_CHECKS"

_LABEL = re.compile(r"^\d+\.\d+$")
WIDTH = 76  # printed lines fit a notebook cell's output and the book's code column
_PACKAGE_DIR = str(Path(__file__).resolve().parent)
_strict_override: bool | None = None

DEFAULT_HINT = "fill in the cell(s) marked YOUR CODE HERE above, run them, then run this check again."


class CheckFailed(AssertionError):
    """Raised by :func:`check` when a student's answer is wrong (chapter 1).

    IPython shows exceptions that define ``_render_traceback_`` with the lines it
    returns, so a failed check prints one readable paragraph, not a stack of frames
    from inside this module.
    """

    def __init__(self, label: str, message: str):
        super().__init__(f"[{label}] {message}")
        self.label = label
        self.message = message

    def _render_traceback_(self):  # used by IPython instead of a full traceback
        return [f"CheckFailed: exercise {self.label} is not right yet.", self.message]


class NotAttempted(Exception):
    """Raised by a reference check when the answer it needs has not been written yet."""


def strict_checks(on: bool | None = True) -> None:
    """Make an unattempted exercise raise :class:`CheckFailed` (``False``: never; ``None``:
    as ``ACTBOOK_STRICT_CHECKS`` says, the default).

    The instructor's nbgrader notebooks call this in a hidden test, so that autograding
    gives an unanswered exercise no points whatever the environment.
    """
    global _strict_override
    _strict_override = None if on is None else bool(on)


def _strict() -> bool:
    if _strict_override is not None:
        return _strict_override
    return os.environ.get(STRICT_ENV, "") not in ("", "0")


_grading_token: str | None = None


class grading_token:
    """``with grading_token(t):`` marks the results logged inside the block with ``t``.

    ``python -m actbook.course check`` runs the book's own check cells inside such a block,
    with a token made up for that run, and counts only the results that carry it: a check a
    student adds or rewrites in a cell of their own cannot stand in for the book's.
    """

    def __init__(self, token: str):
        self.token = token

    def __enter__(self):
        global _grading_token
        self._previous, _grading_token = _grading_token, self.token
        return self

    def __exit__(self, *exc):
        global _grading_token
        _grading_token = self._previous
        return False


def _say(text: str) -> None:
    """Print a result, wrapped so that it never scrolls sideways."""
    print(textwrap.fill(text, WIDTH, subsequent_indent="    ", break_long_words=False,
                        break_on_hyphens=False))


def _log(label: str, status: str, message: str) -> None:
    path = os.environ.get(LOG_ENV)
    if not path:
        return
    record = {"label": label, "status": status, "message": message}
    if _grading_token is not None:
        record["token"] = _grading_token
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")


# ------------------------------------------------------------------------------------------
# numbers in messages
# ------------------------------------------------------------------------------------------
def fmt_num(x, digits: int = 4) -> str:
    """``x`` with ``digits`` significant digits (``nan``, ``inf`` spelled out) (chapter 1)."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return repr(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.{digits}g}"


def fmt_pair(got, want, digits: int = 4) -> tuple[str, str]:
    """Both numbers with the fewest significant digits (at least ``digits``) that tell them
    apart, so that a message never reads "got -14.5, expected -14.5"."""
    for d in range(digits, 18):
        a, b = fmt_num(got, d), fmt_num(want, d)
        if a != b:
            return a, b
    return fmt_num(got, 17), fmt_num(want, 17)


# ------------------------------------------------------------------------------------------
# what went wrong, and where
# ------------------------------------------------------------------------------------------
def _frames(tb):
    while tb is not None:
        yield tb.tb_frame, tb.tb_lineno
        tb = tb.tb_next


def _is_library(filename: str) -> bool:
    """True for code that is not the student's: this package, the standard library, and
    installed packages (numpy, scipy ...)."""
    filename = str(filename)
    if filename.startswith(_PACKAGE_DIR):
        return True
    if filename.startswith("<frozen") or "site-packages" in filename or "dist-packages" in filename:
        return True
    stdlib = os.path.dirname(os.__file__)
    return filename.startswith(stdlib)


def _student_frame(tb):
    """The innermost frame of the traceback that runs the student's code, or None."""
    found = None
    for frame, line in _frames(tb):
        if not _is_library(frame.f_code.co_filename):
            found = (frame, line)
    return found


def _where(tb) -> str:
    found = _student_frame(tb)
    if found is None:
        return ""
    frame, _ = found
    name = frame.f_code.co_name
    if name in ("<module>", "<listcomp>", "<genexpr>", "<dictcomp>", "<setcomp>", "<lambda>"):
        return ""
    return f" (in your function `{name}`)"


def _describe(exc: BaseException, tb) -> str:
    text = str(exc).strip()
    if isinstance(exc, AssertionError):
        return text or (
            "an assertion in the check failed (it carries no message; compare your "
            "answer with the task statement)")
    name = type(exc).__name__
    frames = list(_frames(tb))
    innermost = frames[-1][0].f_code.co_filename if frames else ""
    if _student_frame(tb) is None and str(innermost).startswith(_PACKAGE_DIR):
        return (f"checking your answer raised {name}: {text}. Check that each name holds what the "
                "exercise asks for (a number, an array, a function ...)").replace(": .", ".")
    return f"your code raised {name}: {text}{_where(tb)}" if text else f"your code raised {name}{_where(tb)}"


def _missing_name_in_block(exc: NameError, tb) -> bool:
    """True when a ``NameError`` was raised by the ``with`` block's own code (the student has
    not defined a name yet), False when it comes from inside a function the block called (a
    typo in the student's function, say)."""
    frames = list(_frames(tb))
    if not frames:
        return True
    block_file = frames[0][0].f_code.co_filename
    if str(block_file).startswith(_PACKAGE_DIR):
        return False
    # the block itself, or a comprehension or lambda written inside it
    return all(frame.f_code.co_filename == block_file and frame.f_code.co_name.startswith("<")
               for frame, _ in frames[1:])


class _CheckBlock:
    """The context manager behind ``with check(label):``."""

    def __init__(self, label: str, hint: str | None = None):
        self.label = label
        self.hint = hint
        self.detail = ""  # set by a reference check: what was compared

    def __enter__(self):
        return self

    def _not_attempted(self, message: str) -> None:
        _say(f"[{self.label}] not attempted yet: {message}")
        _log(self.label, NOT_ATTEMPTED, message)
        if _strict():
            raise CheckFailed(self.label, f"not attempted: {message}") from None

    def __exit__(self, etype, exc, tb):
        label = self.label
        if etype is None:
            _say(f"[{label}] passed" + (f": {self.detail}" if self.detail else ""))
            _log(label, PASSED, "")
            return False
        if not issubclass(etype, Exception) or isinstance(exc, CheckFailed):
            return False  # KeyboardInterrupt, SystemExit; a nested check's failure
        if isinstance(exc, NotAttempted):
            self._not_attempted(str(exc) or self.hint or DEFAULT_HINT)
            return True
        if isinstance(exc, NotImplementedError):  # the stub's `raise NotImplementedError()`
            self._not_attempted(self.hint or DEFAULT_HINT)
            return True
        if isinstance(exc, NameError) and _missing_name_in_block(exc, tb):
            missing = getattr(exc, "name", None) or str(exc)
            self._not_attempted(f"`{missing}` is not defined yet. "
                                + (self.hint or "Write your answer in the cell(s) marked YOUR CODE "
                                                "HERE above and run them first."))
            return True
        message = _describe(exc, tb)
        _say(f"[{label}] FAILED: {message}")
        _log(label, FAILED, message)
        raise CheckFailed(label, message) from None


# ------------------------------------------------------------------------------------------
# the answers a reference check reads
# ------------------------------------------------------------------------------------------
class Answers:
    """Read-only access to the names a student defined (the notebook's ``globals()``) (chapter 1).

    A reference check asks for what the exercise defines; a name that is not there raises
    :class:`NotAttempted`, a value of the wrong kind fails with a sentence saying so.
    """

    def __init__(self, namespace: dict, hint: str | None = None):
        self._ns = namespace
        self._hint = hint

    def __contains__(self, name: str) -> bool:
        return name in self._ns

    def __getitem__(self, name: str):
        if name not in self._ns:
            raise NotAttempted(f"`{name}` is not defined yet. " + (
                self._hint or "Write your answer in the cell(s) marked YOUR CODE HERE above and "
                              "run them, then run this check again."))
        return self._ns[name]

    def function(self, name: str):
        value = self[name]
        if not callable(value):
            raise AssertionError(f"`{name}` should be a function, but it is {_kind(value)}")
        return value

    def number(self, name: str, integer: bool = False) -> float:
        value = self[name]
        arr = np.asarray(value) if not isinstance(value, (str, bytes)) else None
        if arr is None or arr.dtype.kind not in "biuf" or arr.size != 1:
            raise AssertionError(f"`{name}` should be a single number, but it is {_kind(value)}")
        x = float(arr.reshape(()))
        if not math.isfinite(x):
            raise AssertionError(f"`{name}` should be a finite number; it is {x}")
        if integer and x != round(x):
            raise AssertionError(f"`{name}` should be a whole number; it is {fmt_num(x, 6)}")
        return int(round(x)) if integer else x

    def array(self, name: str, shape=None):
        return as_array(self[name], f"`{name}`", shape)


def _kind(value) -> str:
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    return f"a {type(value).__name__} ({value!r:.60})"


def as_array(value, what: str, shape=None) -> np.ndarray:
    """``value`` as a float64 array, failing with a sentence naming ``what`` when it is not
    numeric or (with ``shape``) does not have that shape (chapter 1)."""
    if value is None:
        raise AssertionError(f"{what} is None; did you forget a `return`?")
    try:
        arr = np.asarray(value)
    except Exception:  # ragged lists and the like
        raise AssertionError(f"{what} cannot be read as a numeric array: {_kind(value)}") from None
    if arr.dtype.kind not in "biuf":
        raise AssertionError(f"{what} should hold numbers; it is {_kind(value)}")
    if shape is not None and arr.shape != tuple(shape):
        raise AssertionError(f"{what} should have shape {tuple(shape)}; it has shape {arr.shape}")
    return arr.astype(np.float64)


# ------------------------------------------------------------------------------------------
# the entry point
# ------------------------------------------------------------------------------------------
def check(label: str, namespace: dict | None = None, hint: str | None = None):
    """Check exercise ``label`` (e.g. ``"1.3"``) and report the result (chapter 1).

    ``check(label, globals())`` runs the exercise's reference check from
    :mod:`actbook.exercise_checks` on the notebook's names.  ``with check(label):`` checks
    the assertions of the ``with`` block instead.  ``hint`` (optional) is shown when the
    exercise has not been attempted yet.  See the module docstring for the three outcomes.
    """
    label = str(label)
    if not _LABEL.match(label):
        raise ValueError(f"check label should look like '<chapter>.<n>', e.g. '1.3'; got {label!r}")
    block = _CheckBlock(label, hint)
    if namespace is None:
        return block
    if not isinstance(namespace, dict):
        raise TypeError(f"check({label!r}, namespace): pass the notebook's names as globals(); "
                        f"got {type(namespace).__name__}")
    from .exercise_checks import lookup

    run = lookup(label)
    with block:
        block.detail = run(Answers(namespace, hint)) or ""
    return None
