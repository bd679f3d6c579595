"""The engine's checks of what it is given: each bad input gets an error that names it.

Kept apart from :mod:`actbook.network` so that the engine reads as forward, loss, backward and
step (chapter 2); every public method of :class:`~actbook.network.Network` passes its
arguments through these functions first. A wrong shape names the layer and the expected
shape, a bad label the range, a NaN its row, a bad training argument its name and value.
"""
from __future__ import annotations

import math

import numpy as np


# ---------------------------------------------------------------------------------------------
# Errors: each names the layer, the step or the epoch where things went wrong
# ---------------------------------------------------------------------------------------------
class NetworkError(ValueError):
    """Base class of the engine's errors about its input or its training run."""


class ShapeError(NetworkError):
    """An array has the wrong shape for the network (names the layer or the argument)."""


class LabelError(NetworkError):
    """Labels that are not integers in ``0 .. n_classes-1`` (for cross-entropy)."""


class NonFiniteError(NetworkError, FloatingPointError):
    """NaN or infinity in the input, or a loss that became non-finite during training."""


# ---------------------------------------------------------------------------------------------
# Training arguments: each bad value gets an error that names it
# ---------------------------------------------------------------------------------------------
def whole_number(value, name: str, minimum: int) -> int:
    """Chapter 1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) and not (
            isinstance(value, (float, np.floating)) and math.isfinite(value) and value == int(value)):
        raise TypeError(f"{name} must be a whole number >= {minimum}; got {value!r}")
    if int(value) < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}; got {int(value)}")
    return int(value)


def rate(value, name: str, upper: float | None = None) -> float:
    """A finite, non-negative number (below ``upper`` when given) (chapter 1)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number; got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number; got {value}")
    if value < 0 or (upper is not None and value >= upper):
        bound = f"in [0, {upper:g})" if upper is not None else ">= 0"
        raise ValueError(f"{name} must be {bound}; got {value:g}")
    return value


def check_step_args(lr, momentum) -> None:
    """Validate only: the values are used as given, so a numpy scalar keeps its type (and the
    arithmetic of the update keeps its rounding) (chapter 1)."""
    rate(lr, "lr")
    rate(momentum, "momentum", upper=1.0)


# ---------------------------------------------------------------------------------------------
# Inputs, targets and labels
# ---------------------------------------------------------------------------------------------
def check_input(X, n_in: int, dtype):
    """``X`` as a 2-D array of ``dtype`` with ``n_in`` columns (a single row may be 1-D),
    or an error naming what is wrong: its type, shape or a NaN/infinity and its row (chapter 1)."""
    X = np.asarray(X)
    if X.dtype.kind not in "iufb":
        raise TypeError(f"X must be numeric, got dtype {X.dtype}")
    if X.ndim == 1 and n_in == X.shape[0]:
        X = X[None, :]
    if X.ndim != 2 or X.shape[1] != n_in:
        raise ShapeError(f"layer 1 expects input of shape (N, {n_in}) with examples in "
                         f"rows; got X of shape {X.shape}")
    X = X.astype(dtype, copy=False)
    # a finite sum means every entry is finite (NaN and inf propagate); only when it is
    # not do we look for the culprits (the sum may merely have overflowed)
    with np.errstate(over="ignore", invalid="ignore"):
        total = X.sum()
    if not np.isfinite(total) and not np.isfinite(X).all():
        rows = np.unique(np.argwhere(~np.isfinite(X))[:, 0])
        raise NonFiniteError(f"X contains NaN or infinity in {len(rows)} row(s), first at "
                             f"row {rows[0]}")
    return X


def check_targets(Y, N: int, n_out: int, loss: str, dtype):
    """Targets for ``loss``: integer labels ``(N,)`` for cross-entropy, rows ``(N, n_out)``
    otherwise (integer labels become one-hot rows); an error naming the problem (chapter 1)."""
    Y = np.asarray(Y)
    if loss == "cross_entropy":
        if Y.ndim == 2 and Y.shape == (N, n_out):
            raise LabelError("cross-entropy takes integer labels of shape (N,), not one-hot rows; "
                             "pass Y.argmax(axis=1)")
        if Y.shape != (N,):
            raise ShapeError(f"labels must have shape ({N},) to match X; got {Y.shape}")
        if Y.dtype.kind == "f":
            if not np.all(np.isfinite(Y)) or np.any(Y != np.round(Y)):
                bad = Y[~np.isfinite(Y) | (Y != np.round(Y))]
                raise LabelError(f"labels must be whole numbers (class indices); got e.g. {bad[0]!r}")
            Y = Y.astype(np.intp)
        elif Y.dtype.kind not in "iu":
            raise LabelError(f"labels must be integers (class indices), got dtype {Y.dtype}")
        if Y.size and (Y.min() < 0 or Y.max() >= n_out):
            raise LabelError(f"labels must lie in 0..{n_out - 1} for {n_out} outputs; got values "
                             f"from {Y.min()} to {Y.max()}")
        return Y
    if Y.ndim == 1 and n_out == 1:
        Y = Y[:, None]
    elif Y.shape == (N,) and n_out > 1 and Y.dtype.kind in "iu":  # labels -> one-hot rows
        if Y.size and (Y.min() < 0 or Y.max() >= n_out):
            raise LabelError(f"labels must lie in 0..{n_out - 1} for {n_out} outputs; got "
                             f"values from {Y.min()} to {Y.max()}")
        Y = np.eye(n_out, dtype=dtype)[Y]
    if Y.shape != (N, n_out):
        raise ShapeError(f"targets must have shape ({N}, {n_out}) for the output layer; "
                         f"got {Y.shape}")
    Y = Y.astype(dtype, copy=False)
    if not np.isfinite(Y).all():
        raise NonFiniteError("targets contain NaN or infinity")
    return Y


def check_labels(y, N: int, n_out: int):
    """Class labels for :meth:`accuracy`: ``(N,)`` whole numbers in range, or one-hot rows.

    Chapter 1.
    """
    n_classes = 2 if n_out == 1 else n_out
    y = np.asarray(y)
    if y.ndim == 2 and n_out > 1:
        if y.shape != (N, n_out):
            raise ShapeError(f"one-hot labels must have shape ({N}, {n_out}); got {y.shape}")
        return y.argmax(axis=1)
    if y.ndim == 2 and y.shape == (N, 1):
        y = y[:, 0]
    if y.shape != (N,):
        raise ShapeError(f"labels must have shape ({N},) to match X; got {y.shape}")
    if y.dtype.kind not in "biuf":
        raise LabelError(f"labels must be integers (class indices), got dtype {y.dtype}")
    if y.dtype.kind == "f" and (not np.all(np.isfinite(y)) or np.any(y != np.round(y))):
        bad = y[~np.isfinite(y) | (y != np.round(y))]
        raise LabelError(f"labels must be whole numbers (class indices); got e.g. {bad[0]!r}")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise LabelError(f"labels must lie in 0..{n_classes - 1} for {n_out} output(s); got values "
                         f"from {y.min():g} to {y.max():g}")
    return y.astype(np.intp)
