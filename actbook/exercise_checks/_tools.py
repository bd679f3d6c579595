"""Helpers shared by the reference checks: tolerances, messages, and slip detection.

Tolerances follow from the problem: each comparison names the accuracy of its reference
(``ref_error``: a finite-difference truncation error, a quadrature error, zero for a closed
form) and the magnitude of the values compared (``scale``).  On top of that comes the
rounding of the student's own floating-point type, so that a right answer computed in
float32 passes: the allowance is a few units of that type's machine epsilon times the scale.

A message names a likely slip only when the answer matches that slip's result (computed
here, on the same inputs); otherwise it says where the answer differs, with both numbers
given to enough digits to tell them apart.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import warnings
from contextlib import contextmanager

import numpy as np

from ..checks import as_array, fmt_num, fmt_pair

ROUNDING_ULPS = 64  # allowance for the student's rounding, in units of their type's epsilon

__all__ = ["as_array", "fmt_num", "fmt_pair", "eps_of", "tolerance", "assert_close",
           "matches", "first_slip", "forbidden_calls", "fail", "raised_warnings",
           "central_difference"]


def fail(message: str):
    raise AssertionError(message)


def eps_of(value) -> float:
    """Machine epsilon of the student's value (float64's for integers and Python floats)."""
    try:
        dtype = np.asarray(value).dtype
    except Exception:
        return float(np.finfo(np.float64).eps)
    if dtype.kind == "f":
        return float(np.finfo(dtype).eps)
    if dtype.kind == "c":
        return float(np.finfo(dtype).eps)
    return float(np.finfo(np.float64).eps)


def tolerance(got, scale: float, ref_error: float = 0.0) -> float:
    """Largest difference accepted between ``got`` and a reference of magnitude ``scale``
    that is itself accurate to ``ref_error``."""
    return float(ref_error) + ROUNDING_ULPS * eps_of(got) * max(float(scale), 1e-300)


def matches(got, candidate) -> bool:
    """True when ``got`` equals ``candidate`` (a slip's result) up to rounding, NaNs included."""
    try:
        a = np.asarray(got, dtype=np.float64)
        b = np.asarray(candidate, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if a.shape != b.shape:
        return False
    finite = np.abs(b[np.isfinite(b)])
    scale = float(finite.max()) if finite.size else 1.0
    rtol = max(1e-7, ROUNDING_ULPS * eps_of(got))
    return bool(np.allclose(a, b, rtol=rtol, atol=rtol * scale + 1e-300, equal_nan=True))


def first_slip(got, slips: dict) -> str | None:
    """The message of the first slip whose result ``got`` matches, or None.

    ``slips`` maps a message to the result that slip produces on the check's inputs
    (or to a callable returning it; a callable that raises is skipped).
    """
    for message, result in slips.items():
        if callable(result):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    with np.errstate(all="ignore"):
                        result = result()
            except Exception:
                continue
        if matches(got, result):
            return message
    return None


def _where_text(index, where, where_name):
    if where is not None:
        w = np.asarray(where)
        if w.ndim == 1 and len(index) == 1:
            return f"at {where_name} = {fmt_num(w[index[0]], 4)}"
    if len(index) == 0:
        return ""
    return f"at index {tuple(int(i) for i in index) if len(index) > 1 else int(index[0])}"


def assert_close(got, want, what: str, *, ref_error: float = 0.0, scale: float | None = None,
                 reference: str = "the reference", where=None, where_name: str = "z",
                 slips: dict | None = None, hint: str = "", precision_of=None) -> float:
    """Fail unless ``got`` (the student's, any float type) is within tolerance of ``want``.

    Returns the largest difference.  On failure the message names a matching slip from
    ``slips`` when there is one, and otherwise where the two differ most, with enough digits.
    ``precision_of``: the student's value whose floating-point type sets the rounding
    allowance, when ``got`` was derived from it (default: ``got`` itself).
    """
    want = np.asarray(want, dtype=np.float64)
    arr = as_array(got, what)
    if arr.shape != want.shape and arr.size == 1 and want.size == 1:
        arr = arr.reshape(want.shape)
    if arr.shape != want.shape:
        slip = first_slip(got, slips or {})
        fail(f"{what} should have shape {want.shape}; it has shape {arr.shape}"
             + (f": {slip}" if slip else ""))
    if scale is None:
        finite = np.abs(want[np.isfinite(want)])
        scale = float(finite.max()) if finite.size else 1.0
    tol = tolerance(got if precision_of is None else precision_of, scale, ref_error)
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0] if arr.ndim else ()
        slip = first_slip(got, slips or {})
        where_txt = _where_text(tuple(bad), where, where_name) if arr.ndim else ""
        fail(f"{what} is NaN or infinite{(' ' + where_txt) if where_txt else ''}"
             + (f": {slip}" if slip else (f"; {hint}" if hint else "")))
    diff = np.abs(arr - want)
    worst = float(diff.max()) if diff.size else 0.0
    if worst <= tol:
        return worst
    slip = first_slip(got, slips or {})
    if slip:
        fail(f"{what}: {slip}")
    index = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.ndim else ()
    g, w = fmt_pair(arr[index], want[index])
    place = _where_text(index, where, where_name)
    detail = f"{place}: yours is {g}, {reference} gives {w}" if place else f"yours is {g}, {reference} gives {w}"
    fail(f"{what} differs from {reference} by up to {fmt_num(worst, 3)} ({detail})"
         + (f". {hint[:1].upper()}{hint[1:]}" if hint else ""))


def central_difference(f, x, h: float):
    """(f(x + h) - f(x - h)) / 2h, elementwise."""
    x = np.asarray(x, dtype=np.float64)
    return (f(x + h) - f(x - h)) / (2 * h)


@contextmanager
def raised_warnings():
    """Collect the warnings (numpy's floating-point ones included) raised inside the block."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"):
            yield caught


def _source_tree(func):
    try:
        source = textwrap.dedent(inspect.getsource(func))
        return ast.parse(source)
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None


def forbidden_calls(func, names) -> list[str]:
    """The names among ``names`` that ``func``'s source uses (``np.tanh``, ``tanh``,
    ``z.clip`` ...); empty when the source cannot be read."""
    tree = _source_tree(func)
    if tree is None:
        return []
    found = []
    for node in ast.walk(tree):
        name = None
        if isinstance(node, ast.Attribute):
            name = node.attr
            prefix = node.value.id + "." if isinstance(node.value, ast.Name) else "."
        elif isinstance(node, ast.Name):
            name, prefix = node.id, ""
        if name in names:
            label = f"{prefix}{name}" if prefix != "." else f".{name}"
            if label not in found:
                found.append(label)
    return found
