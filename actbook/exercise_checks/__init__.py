"""The reference checks of the exercises, one module per chapter (introduced in chapter 1).

A check cell in an exercise notebook is one line, ``check("3.2", globals())``; the
comparison it runs lives here, so that the notebook shows neither the reference answer nor
how it is computed.  Each module is named after its chapter's slug (``sigmoid_tanh.py``
for ``03_sigmoid_tanh``) and registers one function per exercise label::

    @reference("3.2")
    def _(ans):
        f = ans.function("sigmoid_second_derivative")
        ...
        return "agrees with central differences of sigma' on [-8, 8]"

The function receives an :class:`actbook.checks.Answers` (the notebook's names), raises
``AssertionError`` with a message saying what differs, and returns a short description of
what it compared (printed after "passed").  Renumbering a chapter means changing the labels
in its module; a module for a new chapter is picked up without being listed anywhere.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Callable

_REFERENCES: dict[str, Callable] = {}
_ORIGIN: dict[str, str] = {}
_loaded = False


class UnknownExerciseError(LookupError):
    """No reference check is registered for a label."""


def reference(label: str):
    """Register the decorated function as the reference check of exercise ``label``."""
    def register(func):
        if label in _REFERENCES and _ORIGIN[label] != func.__module__:
            raise ValueError(f"exercise {label} has reference checks in both {_ORIGIN[label]} and "
                             f"{func.__module__}")
        _REFERENCES[label] = func
        _ORIGIN[label] = func.__module__
        return func
    return register


_FAILED: dict[str, str] = {}  # module -> why it could not be imported


def _load_all() -> None:
    global _loaded
    if _loaded:
        return
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            try:
                importlib.import_module(f"{__name__}.{info.name}")
            except ImportError as exc:  # a missing package breaks that chapter's checks only
                _FAILED[info.name] = f"{type(exc).__name__}: {exc}"
    _loaded = True


def labels() -> list[str]:
    """Every label with a reference check, in chapter order."""
    _load_all()
    return sorted(_REFERENCES, key=lambda s: tuple(int(p) for p in s.split(".")))


def reference_for(label: str) -> Callable | None:
    _load_all()
    return _REFERENCES.get(label)


def lookup(label: str) -> Callable:
    """The reference check of ``label``; :class:`UnknownExerciseError` if there is none."""
    func = reference_for(label)
    if func is None:
        broken = "".join(f"; the checks in {name}.py could not be loaded ({why})" for name, why in _FAILED.items())
        raise UnknownExerciseError(
            f"there is no reference check for exercise {label} in this version of the book's "
            f"package{broken}; known: {', '.join(labels()) or 'none'}")
    return func

