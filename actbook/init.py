"""Weight initialisation for the network engine (derived in chapter 7).

Each scheme draws a weight matrix ``W`` of shape ``(n_out, n_in)`` (the book's
convention: ``z = a_prev @ W.T + b``) with zero mean and a variance chosen so
that signals keep their size from layer to layer:

=================  ==========================  ===========================================
scheme             variance of each weight     derived from
=================  ==========================  ===========================================
``xavier_uniform``  ``2 / (n_in + n_out)``     forward *and* backward variance preserved
``xavier_normal``   ``2 / (n_in + n_out)``     for a unit with slope 1 at 0 (tanh)
``he`` (normal)     ``gain**2 / n_in``         second moment of a ReLU, gain**2 = 2
``he_uniform``      ``gain**2 / n_in``         (leaky ReLU with slope s: 2 / (1 + s**2))
``lecun``           ``1 / n_in``               forward variance preserved (SELU)
``normal``          ``scale**2``               the naive choice, std given directly
=================  ==========================  ===========================================

``glorot`` is another name for ``xavier`` and ``kaiming`` for ``he``. A uniform
distribution on ``[-r, r]`` has variance ``r**2 / 3``, so the uniform variants use
``r = sqrt(3 * variance)``. Every scheme accepts a ``scale`` that multiplies the
standard deviation (``normal`` reads it as the standard deviation itself).
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["INITS", "relu_gain", "init_std", "init_weights"]

#: Recognised names, including aliases, mapped to (family, distribution).
INITS = {
    "xavier": ("xavier", "uniform"), "xavier_uniform": ("xavier", "uniform"),
    "glorot": ("xavier", "uniform"), "glorot_uniform": ("xavier", "uniform"),
    "xavier_normal": ("xavier", "normal"), "glorot_normal": ("xavier", "normal"),
    "he": ("he", "normal"), "he_normal": ("he", "normal"), "kaiming": ("he", "normal"),
    "he_uniform": ("he", "uniform"), "kaiming_uniform": ("he", "uniform"),
    "lecun": ("lecun", "normal"), "lecun_normal": ("lecun", "normal"),
    "lecun_uniform": ("lecun", "uniform"),
    "normal": ("normal", "normal"),
}


def relu_gain(negative_slope: float = 0.0) -> float:
    """He's gain for a (leaky) ReLU with slope ``negative_slope`` for ``z < 0`` (chapter 7).

    A leaky ReLU keeps a fraction ``(1 + s**2) / 2`` of the second moment of a
    symmetric input, so the weights need variance ``2 / ((1 + s**2) n_in)``; the gain
    is the square root of the numerator, ``sqrt(2 / (1 + s**2))``: ``sqrt(2)`` for
    ReLU (``s = 0``) and 1 for the identity (``s = 1``).
    """
    return math.sqrt(2.0 / (1.0 + float(negative_slope) ** 2))


def init_std(name: str, n_in: int, n_out: int, scale: float | None = None,
             gain: float | None = None) -> float:
    """Standard deviation of each weight under the scheme ``name`` (chapter 7).

    ``gain`` is only used by He's scheme (default ``sqrt(2)``, the ReLU
    gain; see :func:`relu_gain`). ``scale`` multiplies the result (default
    1); for ``"normal"`` it *is* the standard deviation (default 1, the
    standard normal).
    """
    if name not in INITS:
        raise ValueError(f"unknown initialisation {name!r}; "
                         f"choose one of {sorted(INITS)}")
    family, _ = INITS[name]
    if family == "normal":
        return 1.0 if scale is None else float(scale)
    if family == "xavier":
        std = math.sqrt(2.0 / (n_in + n_out))
    elif family == "he":
        std = ((math.sqrt(2.0) if gain is None else float(gain))
               / math.sqrt(n_in))
    else:  # lecun
        std = 1.0 / math.sqrt(n_in)
    return std * (1.0 if scale is None else float(scale))


def init_weights(name, n_out: int, n_in: int, rng: np.random.Generator,
                 dtype=np.float32, scale: float | None = None,
                 gain: float | None = None) -> np.ndarray:
    """Draw a weight matrix of shape ``(n_out, n_in)`` (chapter 7).

    ``name`` is a key of :data:`INITS` or a callable ``f(n_out, n_in, rng) -> array``.
    """
    if callable(name):
        W = np.asarray(name(n_out, n_in, rng))
        if W.shape != (n_out, n_in):
            raise ValueError(f"custom initialiser returned shape {W.shape}, "
                             f"expected (n_out, n_in) = {(n_out, n_in)}")
        return W.astype(dtype)
    std = init_std(name, n_in, n_out, scale=scale, gain=gain)
    if INITS[name][1] == "uniform":
        r = math.sqrt(3.0) * std
        W = rng.uniform(-r, r, size=(n_out, n_in))
    else:
        W = rng.normal(0.0, std, size=(n_out, n_in))
    return W.astype(dtype)
