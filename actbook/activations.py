"""The activation registry: every activation function in the book, as one object each.

Each :class:`Activation` carries its forward function, its derivative, its LaTeX formula, its
parameters with their valid ranges, its properties and the papers that introduced it. The
chapters plot and discuss these objects; the network engine (:mod:`actbook.network`) calls their
``layer_forward`` / ``layer_backward`` methods; the tests check every derivative against
central finite differences.

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

import difflib
import math
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

__all__ = [
    "Activation",
    "ActivationInputError",
    "ActivationParameterError",
    "Param",
    "Properties",
    "UnknownActivationError",
    "aliases",
    "get",
    "names",
    "register",
]


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------
class UnknownActivationError(ValueError):
    """Raised by :func:`get` for a name that is not registered (with a "did you mean")."""


class ActivationParameterError(ValueError):
    """Raised when an activation parameter is outside its valid range or of the wrong type."""


class ActivationInputError(TypeError):
    """Raised when an activation is given input it cannot handle (text, complex, NaN, inf).

    It derives from :class:`TypeError`; NaN and infinity problems are also instances of
    :class:`ValueError` through :class:`ActivationValueError`.
    """


class ActivationValueError(ActivationInputError, ValueError):
    """Input of the right type but with NaN or infinite entries."""


def _as_input(z, who: str) -> np.ndarray:
    """Return ``z`` as a floating numpy array, or raise an error that says what is wrong."""
    arr = np.asarray(z)
    kind = arr.dtype.kind
    if kind == "c":
        raise ActivationInputError(
            f"{who}: complex input (dtype {arr.dtype}); activations are defined on real numbers"
        )
    if kind == "b":
        raise ActivationInputError(
            f"{who}: boolean input; convert it first, e.g. z.astype(float)"
        )
    if kind not in "iuf":
        raise ActivationInputError(
            f"{who}: expected a real numeric array, got dtype {arr.dtype!s}"
            + (f" (e.g. {arr.flat[0]!r})" if arr.size else "")
        )
    if kind in "iu":
        arr = arr.astype(np.float64)
    elif arr.dtype.itemsize < 4:
        arr = arr.astype(np.float32)
    finite = np.isfinite(arr)
    if not finite.all():
        bad = np.argwhere(~finite)[0]
        idx = tuple(int(i) for i in bad) if arr.ndim else ()
        value = arr[idx] if arr.ndim else arr
        what = "NaN" if np.isnan(value) else "an infinite value"
        count = int((~finite).sum())
        raise ActivationValueError(
            f"{who}: input contains {what} at index {idx} ({count} non-finite entr"
            f"{'y' if count == 1 else 'ies'} in all); activations need finite inputs"
        )
    return arr


# ---------------------------------------------------------------------------------------------
# Parameters and properties
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Param:
    """One parameter of an activation, with its valid range.

    ``low`` and ``high`` bound the range; ``low_inclusive`` / ``high_inclusive`` say whether the
    bound itself is allowed. ``integer`` parameters (maxout's ``k``) must be whole numbers.
    ``learnable`` marks parameters the engine can learn by gradient descent.
    """

    name: str
    default: float
    low: float = -math.inf
    high: float = math.inf
    low_inclusive: bool = True
    high_inclusive: bool = True
    description: str = ""
    integer: bool = False
    learnable: bool = False

    @property
    def range_text(self) -> str:
        """The valid range in interval notation, e.g. ``(0, inf)``."""
        lo = "-inf" if self.low == -math.inf else f"{self.low:g}"
        hi = "inf" if self.high == math.inf else f"{self.high:g}"
        left = "[" if self.low_inclusive and self.low != -math.inf else "("
        right = "]" if self.high_inclusive and self.high != math.inf else ")"
        return f"{left}{lo}, {hi}{right}"

    def validate(self, value, activation: str):
        """Return ``value`` checked against the range; raise :class:`ActivationParameterError`."""
        if isinstance(value, (bool, np.bool_)) or isinstance(value, (str, bytes)):
            raise ActivationParameterError(
                f"{activation}: parameter {self.name!r} must be a number, got {value!r}"
            )
        if isinstance(value, np.ndarray) and value.ndim > 0:
            if value.dtype.kind not in "iuf":
                raise ActivationParameterError(
                    f"{activation}: parameter {self.name!r} must be numeric, got dtype {value.dtype}"
                )
            if not np.isfinite(value).all():
                raise ActivationParameterError(
                    f"{activation}: parameter {self.name!r} contains NaN or infinity"
                )
            lo_ok = (value >= self.low) if self.low_inclusive else (value > self.low)
            hi_ok = (value <= self.high) if self.high_inclusive else (value < self.high)
            if not (np.all(lo_ok) and np.all(hi_ok)):
                raise ActivationParameterError(
                    f"{activation}: parameter {self.name!r} must lie in {self.range_text}; "
                    f"got values from {value.min():g} to {value.max():g}"
                )
            return value
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ActivationParameterError(
                f"{activation}: parameter {self.name!r} must be a number, got {value!r}"
            ) from None
        if isinstance(value, complex) or math.isnan(number):
            raise ActivationParameterError(
                f"{activation}: parameter {self.name!r} must be a real number, got {value!r}"
            )
        lo_ok = number >= self.low if self.low_inclusive else number > self.low
        hi_ok = number <= self.high if self.high_inclusive else number < self.high
        if not (lo_ok and hi_ok) or math.isinf(number):
            raise ActivationParameterError(
                f"{activation}: parameter {self.name!r} must lie in {self.range_text}; "
                f"got {value!r}" + (f". {self.description}" if self.description else "")
            )
        if self.integer:
            if number != int(number):
                raise ActivationParameterError(
                    f"{activation}: parameter {self.name!r} must be a whole number, got {value!r}"
                )
            return int(number)
        return number


@dataclass(frozen=True)
class Properties:
    """Qualitative properties of an activation, as used by the comparison table (chapter 7).

    ``saturates`` says on which side the derivative tends to 0: ``"none"``, ``"negative"``,
    ``"positive"`` or ``"both"``. ``can_die`` is true when the derivative is exactly zero on a
    whole half-line, so a unit whose inputs all land there receives no gradient at all.
    ``smooth`` means continuously differentiable everywhere.
    """

    output_range: str
    monotone: bool
    zero_centred: bool
    smooth: bool
    saturates: str
    can_die: bool

    def as_dict(self) -> dict:
        return {
            "output range": self.output_range,
            "monotone": self.monotone,
            "zero-centred": self.zero_centred,
            "smooth": self.smooth,
            "saturates": self.saturates,
            "can die": self.can_die,
        }


# ---------------------------------------------------------------------------------------------
# The Activation object
# ---------------------------------------------------------------------------------------------
Fn = Callable[..., np.ndarray]


@dataclass(frozen=True)
class Activation:
    """An activation function with its derivative, formula, parameters and properties.

    Call it like a function: ``get("relu")(z)``. Parameters given to :func:`get` become the
    defaults; any call may override them by keyword, e.g. ``act(z, slope=0.2)``.

    Engine interface (works for every activation, including RReLU, maxout and softmax)::

        a, cache = act.layer_forward(z, training=False, rng=None, **params)
        grad_z = act.layer_backward(cache, grad_a)
        grads = act.layer_param_grads(cache, grad_a)   # {learnable param: array shaped like z}
    """

    name: str
    label: str
    latex: str
    latex_derivative: str
    properties: Properties
    _f: Fn = field(repr=False)
    _df: Fn | None = field(repr=False, default=None)
    _df_from_a: Callable | None = field(repr=False, default=None)
    _dparams: Mapping[str, Fn] = field(repr=False, default_factory=dict)
    params: Mapping[str, Param] = field(default_factory=dict)
    values: Mapping[str, float] = field(default_factory=dict)
    chapter: str = ""
    references: tuple = ()
    description: str = ""
    elementwise: bool = True
    _check: Callable | None = field(repr=False, default=None)

    # -- parameters -------------------------------------------------------------------------
    def _resolve(self, overrides: Mapping) -> dict:
        unknown = set(overrides) - set(self.params)
        if unknown:
            known = ", ".join(self.params) or "none"
            raise ActivationParameterError(
                f"{self.name}: unknown parameter(s) {sorted(unknown)}; its parameters are: {known}"
            )
        merged = dict(self.values)
        for key, value in overrides.items():
            merged[key] = self.params[key].validate(value, self.name)
        if self._check is not None:
            self._check(self.name, merged)
        return merged

    def with_params(self, **params) -> "Activation":
        """A copy of this activation whose default parameter values are replaced."""
        merged = self._resolve(params)
        return _replace(self, values=merged)

    @property
    def learnable(self) -> tuple:
        """Names of the parameters the engine can learn (PReLU's slope, swish's beta)."""
        return tuple(k for k, p in self.params.items() if p.learnable)

    # -- public, validated ------------------------------------------------------------------
    def __call__(self, z, **params) -> np.ndarray:
        return self.forward(z, **params)

    def forward(self, z, **params) -> np.ndarray:
        """The activation ``a = phi(z)`` (inference mode: RReLU uses its mean slope)."""
        z = _as_input(z, self.name)
        return self._f(z, **self._resolve(params))

    def derivative(self, z, **params) -> np.ndarray:
        """The elementwise derivative ``d phi / d z`` at ``z``."""
        if not self.elementwise:
            raise TypeError(
                f"{self.name} is not elementwise: use jacobian(z) or layer_backward(cache, grad_a)"
            )
        z = _as_input(z, self.name)
        return self._df(z, **self._resolve(params))

    def param_derivative(self, z, name: str, **params) -> np.ndarray:
        """The derivative ``d phi / d theta`` of the activation with respect to parameter ``name``."""
        if name not in self._dparams:
            have = ", ".join(self._dparams) or "none"
            raise ActivationParameterError(
                f"{self.name}: no derivative with respect to {name!r} (available: {have})"
            )
        z = _as_input(z, self.name)
        return self._dparams[name](z, **self._resolve(params))

    def jacobian(self, z, **params) -> np.ndarray:
        """Jacobian ``d a_i / d z_j`` over the last axis: shape ``(..., n_out, n_in)``."""
        z = _as_input(z, self.name)
        p = self._resolve(params)
        if self.elementwise:
            d = self._df(z, **p)
            return d[..., :, None] * np.eye(z.shape[-1], dtype=d.dtype)
        raise NotImplementedError  # overridden by vector activations

    def out_features(self, n: int) -> int:
        """How many activations a layer of ``n`` pre-activations produces."""
        return int(n)

    def pre_activations_per_unit(self) -> int:
        """How many pre-activations each output unit consumes: 1 for an elementwise
        activation (and softmax), ``k`` for maxout, 2 for a gated unit. The engine sizes
        each layer's weight matrix with it (chapters 4 and 5)."""
        return 1

    # -- engine hot path (no input validation) ---------------------------------------------
    def layer_forward(self, z, training: bool = False, rng=None, **params):
        """Forward for the engine: returns ``(a, cache)``. Params may be per-unit arrays."""
        p = {**self.values, **params} if params else self.values
        a = self._f(z, **p)
        return a, (z, a, p)

    def layer_backward(self, cache, grad_a):
        """Backward for the engine: ``grad_z = grad_a * phi'(z)``."""
        z, a, p = cache
        if self._df_from_a is not None:
            return self._df_from_a(z, a, grad_a, **p)
        return grad_a * self._df(z, **p)

    def layer_param_grads(self, cache, grad_a) -> dict:
        """Gradients with respect to the learnable parameters, elementwise (shape of ``z``).

        The engine sums them over the batch (and over units, for a shared parameter).
        """
        z, a, p = cache
        return {k: grad_a * self._dparams[k](z, **p) for k in self.learnable}

    def __repr__(self) -> str:
        vals = ", ".join(f"{k}={v:g}" for k, v in self.values.items())
        return f"<Activation {self.name}({vals})>"


def _replace(act: Activation, **changes) -> Activation:
    import dataclasses

    return dataclasses.replace(act, **changes)


# ---------------------------------------------------------------------------------------------
# Vector-valued and stochastic activations
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class RReLU(Activation):
    """Randomised leaky ReLU (Xu et al., 2015): a random negative slope in training.

    In training every element gets its own slope drawn from ``U(lower, upper)``; at test time the
    slope is fixed at the mean ``(lower + upper) / 2``. Xu et al. write the negative part as
    ``z / a`` with ``a ~ U(3, 8)``, i.e. slopes between 1/8 and 1/3: those are the defaults here.
    Chapter 4.
    """

    def layer_forward(self, z, training: bool = False, rng=None, **params):
        p = {**self.values, **params} if params else self.values
        if not training:
            return super().layer_forward(z, training=False, **params)
        rng = np.random.default_rng() if rng is None else rng
        slope = rng.uniform(p["lower"], p["upper"], size=np.shape(z)).astype(z.dtype, copy=False)
        a = np.where(z > 0, z, slope * z)
        return a, (z, a, {**p, "_slope": slope})

    def layer_backward(self, cache, grad_a):
        z, a, p = cache
        if "_slope" in p:
            return np.where(z > 0, grad_a, p["_slope"] * grad_a)
        return super().layer_backward(cache, grad_a)


@dataclass(frozen=True, repr=False)
class Maxout(Activation):
    """Maxout (Goodfellow et al., 2013): the maximum over groups of ``k`` pre-activations.

    A layer with ``n`` pre-activations gives ``n / k`` outputs: consecutive groups
    ``z[..., j*k:(j+1)*k]`` are reduced by ``max``. Chapter 4.
    """

    def _groups(self, z, k):
        return _maxout_groups(z, k)

    def out_features(self, n: int) -> int:
        k = self.values["k"]
        if n % k:
            raise ActivationParameterError(f"maxout: {n} units is not a multiple of k={k}")
        return n // k

    def jacobian(self, z, **params):
        z = _as_input(z, self.name)
        k = self._resolve(params)["k"]
        g = self._groups(z, k)
        idx = g.argmax(axis=-1)  # (..., m)
        m = g.shape[-2]
        jac = np.zeros((*z.shape[:-1], m, z.shape[-1]), dtype=z.dtype)
        cols = np.arange(m) * k + idx
        np.put_along_axis(jac, cols[..., None], 1.0, axis=-1)
        return jac

    def layer_forward(self, z, training: bool = False, rng=None, **params):
        k = ({**self.values, **params})["k"]
        g = self._groups(z, k)
        idx = g.argmax(axis=-1)
        a = np.take_along_axis(g, idx[..., None], axis=-1)[..., 0]
        return a, (z, a, {"k": k, "_idx": idx})

    def layer_backward(self, cache, grad_a):
        z, a, p = cache
        k, idx = p["k"], p["_idx"]
        grad = np.zeros(z.shape[:-1] + (z.shape[-1] // k, k), dtype=grad_a.dtype)
        np.put_along_axis(grad, idx[..., None], grad_a[..., None], axis=-1)
        return grad.reshape(z.shape)

    def pre_activations_per_unit(self) -> int:
        return int(self.values["k"])

    def layer_param_grads(self, cache, grad_a):
        return {}


@dataclass(frozen=True, repr=False)
class Gated(Activation):
    """A gated linear unit (Dauphin et al., 2017; Shazeer, 2020): ``u * g(v)``.

    A layer with ``2n`` pre-activations gives ``n`` outputs. The last axis of ``z`` is split
    into halves: the first half ``u = z[..., :n]`` is the *value*, the second half
    ``v = z[..., n:]`` the *gate*, and output ``j`` is ``u_j * g(v_j)`` (the convention of
    PyTorch's ``torch.nn.functional.glu``). The gate ``g`` is a registered activation:
    the sigmoid for GLU, ReLU for ReGLU, the exact GELU for GEGLU and swish with
    ``beta = 1`` (SiLU) for SwiGLU. Its forward and derivative are the registry's own.

    The vector-Jacobian product follows from the product rule:
    ``d out_j / d u_j = g(v_j)`` and ``d out_j / d v_j = u_j g'(v_j)``; every other
    entry of the Jacobian is 0. Chapter 5.
    """

    gate: Activation | None = field(default=None, repr=False)

    def _halves(self, z):
        return _gated_halves(z, self.name)

    def _g(self, v):
        return self.gate._f(v, **self.gate.values)

    def _dg(self, v):
        return self.gate._df(v, **self.gate.values)

    def out_features(self, n: int) -> int:
        n = int(n)
        if n % 2 or n == 0:
            raise ActivationInputError(_gated_size_message(self.name, n))
        return n // 2

    def pre_activations_per_unit(self) -> int:
        return 2

    def jacobian(self, z, **params):
        """``d out_i / d z_j``, shape ``(..., n, 2n)``: ``g(v_i)`` at column ``i`` and
        ``u_i g'(v_i)`` at column ``n + i``."""
        z = _as_input(z, self.name)
        self._resolve(params)
        u, v = self._halves(z)
        n = u.shape[-1]
        eye = np.eye(n, dtype=z.dtype)
        left = self._g(v)[..., :, None] * eye
        right = (u * self._dg(v))[..., :, None] * eye
        return np.concatenate([left, right], axis=-1)

    def vjp(self, z, grad_a, **params):
        """The vector-Jacobian product ``grad_a @ J``: the gradient with respect to ``z``
        of ``sum(grad_a * out)``, i.e. ``[grad_a * g(v), grad_a * u * g'(v)]``."""
        z = _as_input(z, self.name)
        self._resolve(params)
        a, cache = self.layer_forward(z)
        grad_a = np.asarray(grad_a, dtype=z.dtype)
        if grad_a.shape != a.shape:
            raise ActivationInputError(
                f"{self.name}: grad_a has shape {grad_a.shape}; the output has shape "
                f"{a.shape}"
            )
        return self.layer_backward(cache, grad_a)

    def layer_forward(self, z, training: bool = False, rng=None, **params):
        u, v = self._halves(z)
        gv = self._g(v)
        a = u * gv
        return a, (z, a, {"_u": u, "_v": v, "_gv": gv})

    def layer_backward(self, cache, grad_a):
        z, a, p = cache
        grad_u = grad_a * p["_gv"]
        grad_v = grad_a * p["_u"] * self._dg(p["_v"])
        return np.concatenate([grad_u, grad_v], axis=-1)

    def layer_param_grads(self, cache, grad_a):
        return {}


@dataclass(frozen=True, repr=False)
class Softmax(Activation):
    """Softmax over the last axis, with temperature ``T``: ``exp(z_i/T) / sum_j exp(z_j/T)``.

    Computed in the stable form (subtract the maximum first). Chapter 6.
    """

    def jacobian(self, z, **params):
        z = _as_input(z, self.name)
        p = self._resolve(params)
        s = self._f(z, **p)
        eye = np.eye(z.shape[-1], dtype=s.dtype)
        return (s[..., :, None] * eye - s[..., :, None] * s[..., None, :]) / p["temperature"]

    def layer_backward(self, cache, grad_a):
        z, s, p = cache
        inner = np.sum(grad_a * s, axis=-1, keepdims=True)
        return s * (grad_a - inner) / p["temperature"]

    def layer_param_grads(self, cache, grad_a):
        return {}


# ---------------------------------------------------------------------------------------------
# The functions
# ---------------------------------------------------------------------------------------------
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


def _sigmoid(z):
    """The logistic function without overflow: scipy's ``expit`` (a stable
    C loop) when available, else ``exp(-|z|)``, which lies in (0, 1] and
    never overflows."""
    if _expit is not None:
        return _expit(z)
    e = np.exp(-np.abs(z))
    r = 1.0 / (1.0 + e)
    return np.where(z >= 0, r, e * r)


def _softplus_unit(z):
    """log(1 + exp(z)) without overflow."""
    return np.log1p(np.exp(-np.abs(z))) + np.maximum(z, 0.0)


def _erf(x):
    """Error function, vectorised (scipy when present, else math.erf elementwise)."""
    try:
        from scipy.special import erf
    except ImportError:  # pragma: no cover - scipy ships with scikit-learn
        return np.vectorize(math.erf, otypes=[x.dtype])(x)
    return erf(x).astype(x.dtype, copy=False)


def _norm_cdf(z):
    return 0.5 * (1.0 + _erf(z / SQRT_2))


def _norm_pdf(z):
    return INV_SQRT_2PI * np.exp(-0.5 * np.minimum(z * z, 1e4))


def _zeros(z, **_):
    return np.zeros_like(z)


def _ones(z, **_):
    return np.ones_like(z)


def _relu_like(slope_key):
    # Masks are multiplied rather than selected with np.where: exactly the same values
    # (1 + s * 0 = 1 and 0 + s * 1 = s), several times faster on unpredictable signs.
    def factor(z, p):
        m = (z > 0).astype(z.dtype)
        return m + p[slope_key] * (1.0 - m)

    def f(z, **p):
        return z * factor(z, p)

    def df(z, **p):
        return np.broadcast_to(factor(z, p), z.shape).astype(
            z.dtype, copy=False)

    def dslope(z, **p):
        return z * (z <= 0)

    def back(z, a, grad_a, **p):
        return grad_a * factor(z, p)

    return f, df, dslope, back


def _elu(z, alpha, **_):
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))


def _elu_d(z, alpha, **_):
    return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0))).astype(z.dtype, copy=False)


def _swish(z, beta, **_):
    return z * _sigmoid(beta * z)


def _swish_d(z, beta, **_):
    s = _sigmoid(beta * z)
    return s + beta * z * s * (1.0 - s)


def _swish_dbeta(z, beta, **_):
    s = _sigmoid(beta * z)
    return z * z * s * (1.0 - s)


def _mish(z, **_):
    return z * np.tanh(_softplus_unit(z))


def _mish_d(z, **_):
    t = np.tanh(_softplus_unit(z))
    return t + z * (1.0 - t * t) * _sigmoid(z)


def _gelu(z, **_):
    return z * _norm_cdf(z)


def _gelu_d(z, **_):
    return _norm_cdf(z) + z * _norm_pdf(z)


def _gelu_tanh(z, **_):
    u = SQRT_2_OVER_PI * (z + GELU_TANH_C * z * z * z)
    return 0.5 * z * (1.0 + np.tanh(u))


def _gelu_tanh_d(z, **_):
    u = SQRT_2_OVER_PI * (z + GELU_TANH_C * z * z * z)
    t = np.tanh(u)
    du = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_TANH_C * z * z)
    return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * du


def _softplus(z, beta, **_):
    return _softplus_unit(beta * z) / beta


def _softplus_dbeta(z, beta, **_):
    return -_softplus_unit(beta * z) / (beta * beta) + z * _sigmoid(beta * z) / beta


def _softmax(z, temperature, **_):
    y = z / temperature
    y = y - y.max(axis=-1, keepdims=True)
    e = np.exp(y)
    return e / e.sum(axis=-1, keepdims=True)


def _maxout_groups(z, k):
    n = z.shape[-1] if z.ndim else 0
    if z.ndim == 0 or n % k:
        raise ActivationInputError(
            f"maxout: the last axis ({n}) must be a non-empty multiple of k={k}"
        )
    return z.reshape(*z.shape[:-1], n // k, k)


def _gated_size_message(name, n):
    return (
        f"{name}: the last axis has {n} entries; a gated unit needs a positive even "
        f"number, a value half u and a gate half v (2n pre-activations for n outputs)"
    )


def _gated_halves(z, name):
    """Split the last axis of ``z`` into the value half ``u`` and the gate half ``v``."""
    n = z.shape[-1] if z.ndim else 0
    if z.ndim == 0 or n % 2 or n == 0:
        raise ActivationInputError(_gated_size_message(name, n))
    return z[..., : n // 2], z[..., n // 2:]


def _gated_forward(name, gate):
    """The forward ``u * g(v)`` of the gated unit ``name`` whose gate is the activation
    ``gate``."""

    def f(z, **_):
        u, v = _gated_halves(z, name)
        return u * gate._f(v, **gate.values)

    return f


def _check_rrelu(name, p):
    if p["lower"] > p["upper"]:
        raise ActivationParameterError(
            f"{name}: lower ({p['lower']:g}) must not exceed upper ({p['upper']:g})"
        )


# ---------------------------------------------------------------------------------------------
# The registry
# ---------------------------------------------------------------------------------------------
_REGISTRY: dict[str, Activation] = {}
_ALIASES: dict[str, str] = {}


def register(act: Activation, aliases: tuple = ()) -> Activation:
    """Add an activation to the registry (and optional alternative names)."""
    if act.name in _REGISTRY:
        raise ValueError(f"an activation named {act.name!r} is already registered")
    for key, p in act.params.items():
        p.validate(act.values.get(key, p.default), act.name)
    _REGISTRY[act.name] = act
    for alias in aliases:
        _ALIASES[alias] = act.name
    return act


def names() -> list:
    """Names of every registered activation, in the book's order."""
    return list(_REGISTRY)


def aliases() -> dict:
    """Alternative names accepted by :func:`get` (e.g. ``"logistic"`` for ``"sigmoid"``)."""
    return dict(_ALIASES)


def get(name, **params) -> Activation:
    """The registered activation called ``name``, with parameter defaults set by keyword.

    ``get("leaky_relu", slope=0.1)``. Passing an :class:`Activation` returns it (with the
    parameters applied). An unknown name raises :class:`UnknownActivationError` with the closest
    names; a parameter outside its range raises :class:`ActivationParameterError`.
    Introduced in chapter 1.
    """
    if isinstance(name, Activation):
        return name.with_params(**params) if params else name
    if not isinstance(name, str):
        raise UnknownActivationError(
            f"an activation is named by a string or given as an Activation, got {type(name).__name__}"
        )
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    key = _ALIASES.get(key, key)
    if key not in _REGISTRY:
        options = list(_REGISTRY) + list(_ALIASES)
        close = difflib.get_close_matches(key, options, n=3, cutoff=0.5)
        close = list(dict.fromkeys(_ALIASES.get(c, c) for c in close))
        hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise UnknownActivationError(
            f"unknown activation {name!r}.{hint} Registered: {', '.join(_REGISTRY)}"
        )
    act = _REGISTRY[key]
    return act.with_params(**params) if params else act


def _make(cls=Activation, *, params=(), **kw) -> Activation:
    pmap = {p.name: p for p in params}
    values = {p.name: p.default for p in params}
    return cls(params=pmap, values=values, **kw)


_leaky_f, _leaky_df, _leaky_dslope, _leaky_back = _relu_like("slope")

register(
    _make(
        name="identity",
        label="Identity",
        latex=r"\phi(z) = z",
        latex_derivative=r"\phi'(z) = 1",
        properties=Properties("(-inf, inf)", True, True, True, "none", False),
        _f=lambda z, **_: z.copy(),
        _df=_ones,
        _df_from_a=lambda z, a, g, **_: g,
        chapter="01_neuron_models",
        description="No non-linearity: a stack of identity layers is one linear map.",
    ),
    aliases=("linear",),
)
register(
    _make(
        name="binary_step",
        label="Binary threshold",
        latex=r"\phi(z) = \begin{cases} 1 & z \ge 0 \\ 0 & z < 0 \end{cases}",
        latex_derivative=r"\phi'(z) = 0 \quad (z \ne 0)",
        properties=Properties("{0, 1}", True, False, False, "both", True),
        _f=lambda z, **_: (z >= 0).astype(z.dtype),
        _df=_zeros,
        chapter="01_neuron_models",
        references=("mcculloch1943logical", "rosenblatt1958perceptron"),
        description="The McCulloch-Pitts threshold unit: all or nothing; no gradient to learn from.",
    ),
    aliases=("step", "heaviside", "threshold"),
)
register(
    _make(
        name="sigmoid",
        label="Logistic sigmoid",
        latex=r"\sigma(z) = \frac{1}{1 + e^{-z}}",
        latex_derivative=r"\sigma'(z) = \sigma(z)\,(1 - \sigma(z))",
        properties=Properties("(0, 1)", True, False, True, "both", False),
        _f=lambda z, **_: _sigmoid(z),
        _df=lambda z, **_: _sigmoid(z) * (1.0 - _sigmoid(z)),
        _df_from_a=lambda z, a, g, **_: g * a * (1.0 - a),
        chapter="01_neuron_models",
        references=("rumelhart1986learning",),
        description="Squashes evidence into a probability; slope at most 1/4, at z = 0.",
    ),
    aliases=("logistic", "sigma"),
)
register(
    _make(
        name="tanh",
        label="Hyperbolic tangent",
        latex=r"\tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}} = 2\sigma(2z) - 1",
        latex_derivative=r"\tanh'(z) = 1 - \tanh^2(z)",
        properties=Properties("(-1, 1)", True, True, True, "both", False),
        _f=lambda z, **_: np.tanh(z),
        _df=lambda z, **_: 1.0 - np.tanh(z) ** 2,
        _df_from_a=lambda z, a, g, **_: g * (1.0 - a * a),
        chapter="03_sigmoid_tanh",
        references=("lecun2012efficient",),
        description="A rescaled sigmoid: zero-centred, slope 1 at the origin.",
    )
)
register(
    _make(
        name="hard_tanh",
        label="Hard tanh",
        latex=r"\phi(z) = \max(-1, \min(1, z))",
        latex_derivative=r"\phi'(z) = \begin{cases} 1 & |z| < 1 \\ 0 & |z| > 1 \end{cases}",
        properties=Properties("[-1, 1]", True, True, False, "both", True),
        _f=lambda z, **_: np.clip(z, -1.0, 1.0),
        _df=lambda z, **_: (np.abs(z) < 1.0).astype(z.dtype),
        _df_from_a=lambda z, a, g, **_: g * (np.abs(z) < 1.0),
        chapter="03_sigmoid_tanh",
        references=("collobert2004large",),
        description="A piecewise-linear tanh: cheap, but with zero gradient outside [-1, 1].",
    ),
    aliases=("hardtanh",),
)
register(
    _make(
        name="relu",
        label="ReLU",
        latex=r"\phi(z) = \max(0, z)",
        latex_derivative=r"\phi'(z) = \begin{cases} 1 & z > 0 \\ 0 & z < 0 \end{cases}",
        properties=Properties("[0, inf)", True, False, False, "negative", True),
        _f=lambda z, **_: np.maximum(z, 0.0),
        _df=lambda z, **_: (z > 0).astype(z.dtype),
        _df_from_a=lambda z, a, g, **_: g * (z > 0),
        chapter="01_neuron_models",
        references=("nair2010rectified", "glorot2011deep"),
        description="Rectified linear unit: identity for positive inputs, zero otherwise.",
    ),
    aliases=("rectifier", "rectified_linear"),
)
register(
    _make(
        name="leaky_relu",
        label="Leaky ReLU",
        latex=r"\phi(z) = \begin{cases} z & z > 0 \\ \alpha z & z \le 0 \end{cases}",
        latex_derivative=r"\phi'(z) = \begin{cases} 1 & z > 0 \\ \alpha & z < 0 \end{cases}",
        properties=Properties("(-inf, inf)", True, False, False, "none", False),
        params=(
            Param("slope", 0.01, 0.0, 1.0, True, False,
                  "The negative-side slope alpha; 0 gives ReLU, 1 the identity."),
        ),
        _f=_leaky_f,
        _df=_leaky_df,
        _dparams={"slope": _leaky_dslope},
        _df_from_a=_leaky_back,
        chapter="04_relu_family",
        references=("maas2013rectifier",),
        description="A small fixed slope on the negative side keeps gradients alive.",
    ),
    aliases=("lrelu", "leakyrelu"),
)
register(
    _make(
        name="prelu",
        label="PReLU",
        latex=r"\phi(z) = \begin{cases} z & z > 0 \\ a z & z \le 0 \end{cases}",
        latex_derivative=(
            r"\frac{\partial\phi}{\partial z} = \begin{cases} 1 & z > 0 \\ a & z < 0 \end{cases},"
            r"\quad \frac{\partial\phi}{\partial a} = \begin{cases} 0 & z > 0 \\ z & z \le 0 \end{cases}"
        ),
        properties=Properties("(-inf, inf)", True, False, False, "none", False),
        params=(
            Param("slope", 0.25, description="The learned negative-side slope a (He et al. start at 0.25).",
                  learnable=True),
        ),
        _f=_leaky_f,
        _df=_leaky_df,
        _dparams={"slope": _leaky_dslope},
        _df_from_a=_leaky_back,
        chapter="04_relu_family",
        references=("he2015delving",),
        description="Leaky ReLU whose slope is learned with the weights (monotone while a >= 0).",
    ),
    aliases=("parametric_relu",),
)
register(
    _make(
        RReLU,
        name="rrelu",
        label="RReLU",
        latex=(
            r"\phi(z) = \begin{cases} z & z > 0 \\ a z & z \le 0 \end{cases},\quad"
            r" a \sim U(l, u) \text{ in training},\ a = \tfrac{l+u}{2} \text{ at test}"
        ),
        latex_derivative=r"\phi'(z) = \begin{cases} 1 & z > 0 \\ a & z < 0 \end{cases}",
        properties=Properties("(-inf, inf)", True, False, False, "none", False),
        params=(
            Param("lower", 1.0 / 8.0, 0.0, 1.0, True, False, "Smallest negative-side slope."),
            Param("upper", 1.0 / 3.0, 0.0, 1.0, True, False, "Largest negative-side slope."),
        ),
        _f=lambda z, lower, upper, **_: np.where(z > 0, z, (0.5 * (lower + upper)) * z),
        _df=lambda z, lower, upper, **_: np.where(
            z > 0, 1.0, 0.5 * (lower + upper) * np.ones_like(z)).astype(z.dtype, copy=False),
        _check=_check_rrelu,
        chapter="04_relu_family",
        references=("xu2015empirical",),
        description="Leaky ReLU with a random slope per element in training, its mean at test.",
    ),
    aliases=("randomized_relu",),
)
register(
    _make(
        name="elu",
        label="ELU",
        latex=r"\phi(z) = \begin{cases} z & z > 0 \\ \alpha (e^{z} - 1) & z \le 0 \end{cases}",
        latex_derivative=(
            r"\phi'(z) = \begin{cases} 1 & z > 0 \\ \alpha e^{z} = \phi(z) + \alpha & z \le 0 \end{cases}"
        ),
        properties=Properties("(-alpha, inf)", True, False, False, "negative", False),
        params=(Param("alpha", 1.0, 0.0, math.inf, False, True,
                      "Negative saturation value -alpha; alpha > 0."),),
        _f=_elu,
        _df=_elu_d,
        _dparams={"alpha": lambda z, **_: np.expm1(np.minimum(z, 0.0))},
        chapter="04_relu_family",
        references=("clevert2016fast",),
        description="Exponential linear unit: smooth negative part saturating at -alpha.",
    )
)
register(
    _make(
        name="selu",
        label="SELU",
        latex=(
            r"\phi(z) = \lambda \begin{cases} z & z > 0 \\ \alpha (e^{z} - 1) & z \le 0 \end{cases},"
            r"\ \lambda \approx 1.0507,\ \alpha \approx 1.6733"
        ),
        latex_derivative=r"\phi'(z) = \lambda \begin{cases} 1 & z > 0 \\ \alpha e^{z} & z \le 0 \end{cases}",
        properties=Properties("(-1.7581, inf)", True, False, False, "negative", False),
        _f=lambda z, **_: SELU_SCALE * _elu(z, SELU_ALPHA),
        _df=lambda z, **_: SELU_SCALE * _elu_d(z, SELU_ALPHA),
        chapter="05_smooth_units",
        references=("klambauer2017self",),
        description="Scaled ELU whose fixed constants make activations self-normalising.",
    )
)
register(
    _make(
        name="softplus",
        label="Softplus",
        latex=r"\phi(z) = \frac{1}{\beta}\log\left(1 + e^{\beta z}\right)",
        latex_derivative=r"\phi'(z) = \sigma(\beta z)",
        properties=Properties("(0, inf)", True, False, True, "negative", False),
        params=(Param("beta", 1.0, 0.0, math.inf, False, True, "Sharpness; beta -> inf gives ReLU."),),
        _f=_softplus,
        _df=lambda z, beta, **_: _sigmoid(beta * z),
        _dparams={"beta": _softplus_dbeta},
        chapter="05_smooth_units",
        references=("dugas2001incorporating",),
        description="A smooth ReLU whose derivative is the logistic sigmoid.",
    )
)
register(
    _make(
        name="swish",
        label="Swish",
        latex=r"\phi(z) = z\,\sigma(\beta z)",
        latex_derivative=r"\phi'(z) = \sigma(\beta z) + \beta z\,\sigma(\beta z)\,(1 - \sigma(\beta z))",
        properties=Properties("[about -0.278/beta, inf)", False, False, True, "negative", False),
        params=(
            Param("beta", 1.0, 0.0, math.inf, True, True,
                  "beta = 0 gives z/2 (linear); beta -> inf gives ReLU; beta = 1 is SiLU.",
                  learnable=True),
        ),
        _f=_swish,
        _df=_swish_d,
        _dparams={"beta": _swish_dbeta},
        chapter="05_smooth_units",
        references=("ramachandran2017searching", "elfwing2018sigmoid"),
        description="Self-gated unit: z times a sigmoid gate of itself.",
    ),
    aliases=("silu",),
)
register(
    _make(
        name="mish",
        label="Mish",
        latex=r"\phi(z) = z \tanh\left(\operatorname{softplus}(z)\right)",
        latex_derivative=(
            r"\phi'(z) = \tanh(\operatorname{softplus}(z)) + z\,\operatorname{sech}^2"
            r"(\operatorname{softplus}(z))\,\sigma(z)"
        ),
        properties=Properties("[about -0.309, inf)", False, False, True, "negative", False),
        _f=_mish,
        _df=_mish_d,
        chapter="05_smooth_units",
        references=("misra2020mish",),
        description="Smooth, non-monotone self-gated unit.",
    )
)
register(
    _make(
        name="gelu",
        label="GELU",
        latex=r"\phi(z) = z\,\Phi(z) = \frac{z}{2}\left(1 + \operatorname{erf}(z/\sqrt{2})\right)",
        latex_derivative=r"\phi'(z) = \Phi(z) + z\,\varphi(z)",
        properties=Properties("[about -0.170, inf)", False, False, True, "negative", False),
        _f=_gelu,
        _df=_gelu_d,
        chapter="05_smooth_units",
        references=("hendrycks2016gaussian",),
        description="Gaussian error linear unit: z weighted by the probability a N(0,1) is below z.",
    )
)
register(
    _make(
        name="gelu_tanh",
        label="GELU (tanh approximation)",
        latex=(
            r"\phi(z) = \frac{z}{2}\left(1 + \tanh\left(\sqrt{2/\pi}\,(z + 0.044715\,z^3)\right)\right)"
        ),
        latex_derivative=(
            r"\phi'(z) = \tfrac12(1 + t) + \tfrac12 z (1 - t^2)\sqrt{2/\pi}\,(1 + 3\cdot 0.044715\,z^2)"
        ),
        properties=Properties("[about -0.170, inf)", False, False, True, "negative", False),
        _f=_gelu_tanh,
        _df=_gelu_tanh_d,
        chapter="05_smooth_units",
        references=("hendrycks2016gaussian",),
        description="The tanh approximation of GELU used by many implementations.",
    ),
    aliases=("gelu_approx",),
)
register(
    _make(
        Maxout,
        name="maxout",
        label="Maxout",
        latex=r"\phi(z)_j = \max_{i \in \{1..k\}} z_{(j-1)k + i}",
        latex_derivative=r"\frac{\partial \phi_j}{\partial z_m} = 1 \text{ if } m \text{ is the arg max of group } j, \text{ else } 0",
        properties=Properties("(-inf, inf)", True, False, False, "none", False),
        params=(Param("k", 2, 2, 64, True, True, "Number of pieces per unit.", integer=True),),
        _f=lambda z, k, **_: _maxout_groups(z, k).max(axis=-1),
        elementwise=False,
        chapter="04_relu_family",
        references=("goodfellow2013maxout",),
        description="The maximum of k linear pieces; ReLU and leaky ReLU are special cases.",
    )
)
register(
    _make(
        Softmax,
        name="softmax",
        label="Softmax",
        latex=r"\operatorname{softmax}(z)_i = \frac{e^{z_i/T}}{\sum_j e^{z_j/T}}",
        latex_derivative=(
            r"\frac{\partial\, \mathrm{softmax}_i}{\partial z_j} = \tfrac{1}{T}\,p_i(\delta_{ij} - p_j)"
        ),
        properties=Properties("(0, 1), sums to 1", False, False, True, "both", False),
        params=(Param("temperature", 1.0, 0.0, math.inf, False, True,
                      "T > 0; large T flattens, small T sharpens."),),
        _f=_softmax,
        elementwise=False,
        chapter="06_softmax",
        references=("bridle1990probabilistic",),
        description="Turns a vector of logits into a probability distribution.",
    )
)


def _register_gated(name, label, gate, g_latex, dg_latex, smooth, can_die, description,
                    references=("dauphin2017language", "shazeer2020glu"), aliases=()):
    gate = get(gate)
    register(
        _make(
            Gated,
            name=name,
            label=label,
            latex=(
                rf"\phi(z)_j = u_j\, {g_latex.format('v_j')},\quad"
                r" z = [u;\, v],\ u, v \in \mathbb{R}^n"
            ),
            latex_derivative=(
                rf"\frac{{\partial \phi_j}}{{\partial u_j}} = {g_latex.format('v_j')},"
                rf"\quad \frac{{\partial \phi_j}}{{\partial v_j}} = u_j\,"
                rf" {dg_latex.format('v_j')}"
            ),
            properties=Properties("(-inf, inf)", False, True, smooth, "negative", can_die),
            _f=_gated_forward(name, gate),
            elementwise=False,
            gate=gate,
            chapter="05_smooth_units",
            references=references,
            description=description,
        ),
        aliases=aliases,
    )


_register_gated(
    "glu", "GLU", "sigmoid", r"\sigma({})", r"\sigma'({})", True, False,
    "Gated linear unit: the value half times a sigmoid of the gate half.",
    references=("dauphin2017language",),
)
_register_gated(
    "reglu", "ReGLU", "relu", r"\max(0, {})", r"\mathbb{{1}}[{} > 0]", False, True,
    "GLU variant with a ReLU gate: u * max(0, v).",
    references=("shazeer2020glu",),
)
_register_gated(
    "geglu", "GEGLU", "gelu", r"\operatorname{{GELU}}({})",
    r"\operatorname{{GELU}}'({})", True, False,
    "GLU variant with an exact GELU gate: u * GELU(v).",
    references=("shazeer2020glu",),
)
_register_gated(
    "swiglu", "SwiGLU", get("swish", beta=1.0), r"\operatorname{{SiLU}}({})",
    r"\operatorname{{SiLU}}'({})", True, False,
    "GLU variant with a swish (beta = 1, SiLU) gate: u * v * sigmoid(v).",
    references=("shazeer2020glu",),
)
