"""Checks that students run at the end of every exercise (introduced in chapter 1).

Every exercise notebook ends each exercise with a check cell::

    from actbook.checks import check

    with check("1.3"):
        assert abs(answer - 0.25) < 1e-8, f"the slope at z=0 should be 1/4; got {answer}"

The block inside ``with check(label):`` compares the student's answer with an
independent reference.  Three things can happen:

* the block runs without error: a line ``[1.3] passed`` is printed;
* the answer has not been written yet (the block raises ``NotImplementedError``,
  because the student's function is still the stub, or ``NameError``, because the
  stub cell never defined the name): ``[1.3] not attempted yet`` is printed with a
  hint, and *nothing is raised*, so a notebook of untouched stubs still runs from
  top to bottom;
* anything else goes wrong (a failed assertion, or an exception raised by the
  student's code): the message is printed and :class:`CheckFailed`, a subclass of
  ``AssertionError``, is raised with a short, one-paragraph traceback.

With the environment variable ``ACTBOOK_STRICT_CHECKS=1`` an unattempted exercise
raises :class:`CheckFailed` too.  Graders that count a cell as passed when it does not
raise (nbgrader's autograder) need this, or untouched stubs would score full marks.

If the environment variable ``ACTBOOK_CHECK_LOG`` names a file, each result is
appended to it as one JSON line ``{"label", "status", "message"}``; the course
tools (``python -m actbook.course check``) and the tests read it.
"""

from __future__ import annotations

import json
import os
import re
from contextlib import contextmanager

__all__ = ["check", "CheckFailed", "PASSED", "FAILED", "NOT_ATTEMPTED", "LOG_ENV", "STRICT_ENV"]

PASSED = "passed"
FAILED = "failed"
NOT_ATTEMPTED = "not attempted"
LOG_ENV = "ACTBOOK_CHECK_LOG"
STRICT_ENV = "ACTBOOK_STRICT_CHECKS"

_LABEL = re.compile(r"^\d+\.\d+$")


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


def _log(label: str, status: str, message: str) -> None:
    path = os.environ.get(LOG_ENV)
    if not path:
        return
    record = {"label": label, "status": status, "message": message}
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")


def _not_attempted(label: str, message: str) -> None:
    print(f"[{label}] not attempted yet: {message}")
    _log(label, NOT_ATTEMPTED, message)
    if os.environ.get(STRICT_ENV, "") not in ("", "0"):
        raise CheckFailed(label, f"not attempted: {message}") from None


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    if isinstance(exc, AssertionError):
        return text or (
            "an assertion in the check failed (it carries no message; compare your "
            "answer with the task statement)"
        )
    name = type(exc).__name__
    return f"your code raised {name}: {text}" if text else f"your code raised {name}"


@contextmanager
def check(label: str, hint: str | None = None):
    """Run the assertions of exercise ``label`` (e.g. ``"1.3"``) and report the result.

    Introduced in chapter 1.  ``hint`` (optional) is shown when the exercise has
    not been attempted yet.  See the module docstring for the three outcomes.
    """
    label = str(label)
    if not _LABEL.match(label):
        raise ValueError(f"check label should look like '<chapter>.<n>', e.g. '1.3'; got {label!r}")
    try:
        yield
    except CheckFailed:
        raise
    except NotImplementedError:
        message = hint or "fill in the cell(s) marked YOUR CODE HERE above, run them, then run this check again."
        _not_attempted(label, message)
    except NameError as exc:
        missing = getattr(exc, "name", None) or str(exc)
        message = (
            f"`{missing}` is not defined yet. "
            + (hint or "Write your answer in the cell(s) marked YOUR CODE HERE above and run them first.")
        )
        _not_attempted(label, message)
    except Exception as exc:  # AssertionError and anything the student's code raised
        message = _describe(exc)
        print(f"[{label}] FAILED: {message}")
        _log(label, FAILED, message)
        raise CheckFailed(label, message) from None
    else:
        print(f"[{label}] passed")
        _log(label, PASSED, "")
