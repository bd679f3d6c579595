"""The numeric kernels of the registry: plain functions of arrays, one per formula.

Each takes a floating array ``z`` (and the activation's parameters by keyword) and returns an
array of the same dtype, with no input validation: the :class:`~actbook.activations.Activation`
objects in :mod:`actbook.activations.catalogue` validate before they call them. The chapters
print some of them to show how a formula becomes code (chapters 1 and 3 to 6).
"""
from __future__ import annotations

import math

import numpy as np

try:  # scipy ships with scikit-learn, a requirement of the book
    from scipy.special import expit as _expit
except ImportError:  # pragma: no cover
    _expit = None

SQRT_2 = math.sqrt(2.0)
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
GELU_TANH_C = 0.044715
#: SELU constants (Klambauer et al., 2017), to the precision of their paper's derivation.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def sigmoid(z):
    """The logistic function without overflow: scipy's ``expit`` (a stable
    C loop) when available, else ``exp(-|z|)``, which lies in (0, 1] and
    never overflows. Chapters 1 and 3."""
    if _expit is not None:
        return _expit(z)
    e = np.exp(-np.abs(z))
    r = 1.0 / (1.0 + e)
    return np.where(z >= 0, r, e * r)


def softplus_unit(z):
    """log(1 + exp(z)) without overflow (chapter 5)."""
    return np.log1p(np.exp(-np.abs(z))) + np.maximum(z, 0.0)


def erf(x):
    """Error function, vectorised (scipy when present, else math.erf elementwise);
    chapter 5."""
    try:
        from scipy.special import erf as _erf
    except ImportError:  # pragma: no cover - scipy ships with scikit-learn
        return np.vectorize(math.erf, otypes=[x.dtype])(x)
    return _erf(x).astype(x.dtype, copy=False)


def norm_cdf(z):
    """The standard normal distribution function Phi(z) (chapter 5)."""
    return 0.5 * (1.0 + erf(z / SQRT_2))


def norm_pdf(z):
    """The standard normal density phi(z) (chapter 5)."""
    return INV_SQRT_2PI * np.exp(-0.5 * np.minimum(z * z, 1e4))


def zeros(z, **_):
    """The derivative of a step: 0 everywhere (chapter 1)."""
    return np.zeros_like(z)


def ones(z, **_):
    """The derivative of the identity: 1 everywhere (chapter 1)."""
    return np.ones_like(z)


def leaky_relu_factor(z, slope):
    """phi'(z) of leaky ReLU: 1 where z > 0, ``slope`` elsewhere (chapter 4).

    The mask is multiplied rather than selected with np.where: exactly
    the same values (1 + s * 0 = 1 and 0 + s * 1 = s), several times
    faster when the signs are unpredictable."""
    m = (z > 0).astype(z.dtype)
    return m + slope * (1.0 - m)


def leaky_relu(z, slope, **_):
    """Leaky ReLU, PReLU: z where z > 0, slope * z elsewhere (chapter 4)."""
    return z * leaky_relu_factor(z, slope)


def leaky_relu_derivative(z, slope, **_):
    """d phi / d z of leaky ReLU, shaped like ``z`` (chapter 4)."""
    return np.broadcast_to(leaky_relu_factor(z, slope), z.shape).astype(
        z.dtype, copy=False)


def leaky_relu_dslope(z, **_):
    """d phi / d slope of leaky ReLU and PReLU: 0 for z > 0, z elsewhere
    (chapter 4)."""
    return z * (z <= 0)


def leaky_relu_backward(z, a, grad_a, slope, **_):
    """The engine's backward for leaky ReLU: grad_a * phi'(z) (chapter 4)."""
    return grad_a * leaky_relu_factor(z, slope)


def elu(z, alpha, **_):
    """ELU: z for z > 0, alpha (e^z - 1) elsewhere (chapter 4)."""
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))


def elu_derivative(z, alpha, **_):
    """d ELU / d z: 1 for z > 0, alpha e^z elsewhere (chapter 4)."""
    return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0))).astype(z.dtype, copy=False)


def swish(z, beta, **_):
    """Swish: z sigma(beta z) (chapter 5)."""
    return z * sigmoid(beta * z)


def swish_derivative(z, beta, **_):
    """d swish / d z (chapter 5)."""
    s = sigmoid(beta * z)
    return s + beta * z * s * (1.0 - s)


def swish_dbeta(z, beta, **_):
    """d swish / d beta (chapter 5)."""
    s = sigmoid(beta * z)
    return z * z * s * (1.0 - s)


def mish(z, **_):
    """Mish: z tanh(softplus(z)) (chapter 5)."""
    return z * np.tanh(softplus_unit(z))


def mish_derivative(z, **_):
    """d mish / d z (chapter 5)."""
    t = np.tanh(softplus_unit(z))
    return t + z * (1.0 - t * t) * sigmoid(z)


def gelu(z, **_):
    """GELU: z Phi(z) (chapter 5)."""
    return z * norm_cdf(z)


def gelu_derivative(z, **_):
    """d GELU / d z = Phi(z) + z phi(z) (chapter 5)."""
    return norm_cdf(z) + z * norm_pdf(z)


def gelu_tanh(z, **_):
    """The tanh approximation of GELU (chapter 5)."""
    u = SQRT_2_OVER_PI * (z + GELU_TANH_C * z * z * z)
    return 0.5 * z * (1.0 + np.tanh(u))


def gelu_tanh_derivative(z, **_):
    """d / d z of the tanh approximation of GELU (chapter 5)."""
    u = SQRT_2_OVER_PI * (z + GELU_TANH_C * z * z * z)
    t = np.tanh(u)
    du = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_TANH_C * z * z)
    return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * du


def softplus(z, beta, **_):
    """Softplus with sharpness beta: log(1 + e^(beta z)) / beta (chapter 5)."""
    return softplus_unit(beta * z) / beta


def softplus_dbeta(z, beta, **_):
    """d softplus / d beta (chapter 5)."""
    return -softplus_unit(beta * z) / (beta * beta) + z * sigmoid(beta * z) / beta


def softmax(z, temperature, **_):
    """Softmax over the last axis, less each row's maximum (chapter 6)."""
    y = z / temperature
    y = y - y.max(axis=-1, keepdims=True)
    e = np.exp(y)
    return e / e.sum(axis=-1, keepdims=True)
