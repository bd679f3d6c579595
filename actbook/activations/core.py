"""The registry's core types: errors, parameters, properties and the :class:`Activation` object.

An activation answers for itself: its kind (elementwise, grouped, gated or vector), the slope of
its negative side that fixes He's gain, the per-unit slopes the diagnostics count, its symbol and
its parameters with their ranges. Code elsewhere asks it, never its name (chapter 1; the
capabilities are used from chapter 4 on).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from ..init import relu_gain

KINDS = ("elementwise", "grouped", "gated", "vector")


# ---------------------------------------------------------------------------------------------
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
@dataclass(frozen=True, kw_only=True)
class Param:
    """One parameter of an activation, with its valid range (chapter 1).

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


@dataclass(frozen=True, kw_only=True)
class Properties:
    """Qualitative properties of an activation, as used by the comparison table (chapter 11).

    ``saturates`` says on which side the derivative tends to 0: ``"none"``, ``"negative"``,
    ``"positive"`` or ``"both"``. ``can_die`` is true when the derivative is exactly zero on a
    whole half-line, so a unit whose inputs all land there receives no gradient at all.
    ``smooth`` means continuously differentiable everywhere: the function and its derivative
    have no jump (``tests/test_activations.py`` checks this numerically). The properties
    describe an activation at its default parameters: ELU, for instance, is smooth with its
    default ``alpha = 1`` only, since its derivative is 1 just right of 0 and ``alpha`` just left.
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


@dataclass(frozen=True, kw_only=True)
class Activation:
    """An activation function with its derivative, formula, parameters and properties (chapter 1).

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
    _check: Callable | None = field(repr=False, default=None)
    # -- capabilities: what the engine, the diagnostics and the figures ask of an activation --
    #: "elementwise" (one pre-activation per unit), "grouped" (maxout: k per unit), "gated"
    #: (u g(v): two per unit) or "vector" (softmax: the whole layer at once)
    kind: str = "elementwise"
    #: the symbol the chapters write for it (LaTeX)
    symbol: str = r"\phi"
    #: the closure of its output range (low, high); +-inf where unbounded
    output_bounds: tuple = (-math.inf, math.inf)
    #: the slope of its negative side as a function of its parameter values, for He's gain;
    #: None means 0 (ReLU's gain; also used for every unit without a linear negative side)
    negative_slope: Callable[[Mapping], float] | None = field(repr=False, default=None)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: kind must be one of {KINDS}, got {self.kind!r}")

    @property
    def elementwise(self) -> bool:
        """True when each output depends on its own pre-activation only."""
        return self.kind == "elementwise"

    def he_gain(self) -> float:
        """He's gain ``sqrt(2 / (1 + s**2))`` for this activation, ``s`` the slope of its
        negative side at the current parameter values (0 unless it declares one): the
        engine draws the weights of a layer with it under He initialisation (chapter 7).

        A gated unit gets ReLU's gain, drawn on each of its ``2n`` pre-activations; He's
        derivation does not carry over exactly, since ``u g(v)`` is a product of two
        pre-activations (chapter 5)."""
        s = 0.0 if self.negative_slope is None else float(self.negative_slope(self.values))
        return relu_gain(s)

    def unit_slopes(self, cache):
        """How much gradient each output unit passes back, per example, from a forward
        cache of :meth:`layer_forward`: ``phi'(z)`` for an elementwise activation, computed
        by the activation's own backward with ``grad_a = 1`` (so RReLU's random slopes and
        learned PReLU slopes count). 0 means the unit passed no gradient. ``None`` for a
        vector activation (softmax), whose outputs share every input. Chapter 4."""
        z, a, _ = cache
        return self.layer_backward(cache, np.ones(a.shape, dtype=z.dtype))

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
@dataclass(frozen=True, repr=False, kw_only=True)
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


@dataclass(frozen=True, repr=False, kw_only=True)
class Maxout(Activation):
    """Maxout (Goodfellow et al., 2013): the maximum over groups of ``k`` pre-activations.

    A layer with ``n`` pre-activations gives ``n / k`` outputs: consecutive groups
    ``z[..., j*k:(j+1)*k]`` are reduced by ``max``. Chapter 4.
    """

    kind: str = "grouped"

    def _groups(self, z, k):
        return maxout_groups(z, k)

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

    def unit_slopes(self, cache):
        """1 for each unit: it always passes its gradient to its winning piece."""
        d = self.layer_backward(cache, np.ones(cache[1].shape, dtype=cache[0].dtype))
        return d.reshape(*cache[1].shape, -1).sum(axis=-1)

    def layer_param_grads(self, cache, grad_a):
        return {}


@dataclass(frozen=True, repr=False, kw_only=True)
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
    kind: str = "gated"

    def _halves(self, z):
        return gated_halves(z, self.name)

    def _g(self, v):
        return self.gate._f(v, **self.gate.values)

    def _dg(self, v):
        return self.gate._df(v, **self.gate.values)

    def out_features(self, n: int) -> int:
        n = int(n)
        if n % 2 or n == 0:
            raise ActivationInputError(gated_size_message(self.name, n))
        return n // 2

    def pre_activations_per_unit(self) -> int:
        return 2

    def unit_slopes(self, cache):
        """``|g(v)| + |u g'(v)|`` per unit: the sum of its two partial derivatives'
        sizes, 0 exactly when the unit passes no gradient at all."""
        d = self.layer_backward(cache, np.ones(cache[1].shape, dtype=cache[0].dtype))
        n = cache[1].shape[-1]
        return np.abs(d[..., :n]) + np.abs(d[..., n:])

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


@dataclass(frozen=True, repr=False, kw_only=True)
class Softmax(Activation):
    """Softmax over the last axis, with temperature ``T``: ``exp(z_i/T) / sum_j exp(z_j/T)``.

    Computed in the stable form (subtract the maximum first). Chapter 6.
    """

    kind: str = "vector"

    def unit_slopes(self, cache):
        return None

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


def maxout_groups(z, k):
    """Chapter 4."""
    n = z.shape[-1] if z.ndim else 0
    if z.ndim == 0 or n % k:
        raise ActivationInputError(
            f"maxout: the last axis ({n}) must be a non-empty multiple of k={k}"
        )
    return z.reshape(*z.shape[:-1], n // k, k)


def gated_size_message(name, n):
    """Chapter 5."""
    return (
        f"{name}: the last axis has {n} entries; a gated unit needs a positive even "
        f"number, a value half u and a gate half v (2n pre-activations for n outputs)"
    )


def gated_halves(z, name):
    """Split the last axis of ``z`` into the value half ``u`` and the gate half ``v``.

    Chapter 5.
    """
    n = z.shape[-1] if z.ndim else 0
    if z.ndim == 0 or n % 2 or n == 0:
        raise ActivationInputError(gated_size_message(name, n))
    return z[..., : n // 2], z[..., n // 2:]
