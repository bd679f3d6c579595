"""The activation registry: every activation function in the book, as one object each.

Each :class:`Activation` carries its forward function, its derivative, its LaTeX formula, its
parameters with their valid ranges, its properties, its capabilities (kind, He gain, per-unit
slopes, symbol) and the papers that introduced it. The chapters plot and discuss these objects;
the network engine (:mod:`actbook.network`) calls their ``layer_forward`` / ``layer_backward``
methods; the tests check every derivative against central finite differences.

Three modules: :mod:`~actbook.activations.core` (the types), :mod:`~actbook.activations.kernels`
(the numeric functions, plain and public, which the chapters print) and
:mod:`~actbook.activations.catalogue` (the registrations and :func:`get`).

Introduced in chapter 1 (identity, binary step, sigmoid, ReLU); the rest in chapters 3 to 6.

Numerical care
--------------
* Inputs up to ``1e4`` in magnitude give no overflow warning and no NaN, in float32 and float64.
  The logistic function uses ``exp(-|z|)``, softplus uses ``log1p(exp(-|z|)) + max(z, 0)``,
  exponentials on the negative side are taken of ``min(z, 0)`` only.
* The result has the input's floating dtype (integers become float64). Constants are Python
  floats, so float32 arrays are never silently promoted to float64.
* Public methods (``forward``, ``derivative``, ...) validate their input and raise
  :class:`ActivationInputError` naming the problem (non-numeric, complex, NaN, infinity).
  The ``layer_*`` methods are the engine's hot path and skip that check: the engine validates its
  own inputs.

Conventions at kinks: the derivative of ReLU, leaky ReLU, PReLU, RReLU and the binary step at
exactly ``z = 0`` is taken as the left derivative (0 for ReLU); hard tanh's derivative is 0 at
``|z| = 1``. No gradient-based statement in the book depends on these measure-zero choices.
"""
from __future__ import annotations

from . import kernels
from .catalogue import aliases, get, names, register
from .core import (KINDS, Activation, ActivationInputError, ActivationParameterError,
                   ActivationValueError, Gated, Maxout, Param, Properties, RReLU, Softmax,
                   UnknownActivationError)
from .kernels import (GELU_TANH_C, SELU_ALPHA, SELU_SCALE, leaky_relu, leaky_relu_derivative,
                      leaky_relu_factor, mish_derivative, sigmoid, softmax, softplus_unit)

__all__ = [
    "KINDS",
    "Activation",
    "ActivationInputError",
    "ActivationParameterError",
    "ActivationValueError",
    "Gated",
    "Maxout",
    "Param",
    "Properties",
    "RReLU",
    "Softmax",
    "UnknownActivationError",
    "aliases",
    "get",
    "kernels",
    "leaky_relu",
    "leaky_relu_derivative",
    "leaky_relu_factor",
    "mish_derivative",
    "names",
    "register",
    "sigmoid",
    "softmax",
    "softplus_unit",
]
