"""The catalogue: every activation of the book, registered once with its formula, parameters,
properties, capabilities and sources (chapter 1; each entry names the chapter that introduces it).

Adding an activation is one :func:`register` call here: its kernels (``actbook.activations.kernels``
or a lambda), its kind, and, for a leaky unit, the slope of its negative side. Nothing elsewhere in
the package needs to know its name.
"""
from __future__ import annotations

import difflib
import math

import numpy as np

from . import kernels as k
from .core import (Activation, ActivationParameterError, Gated, Maxout, Param, Properties, RReLU,
                   Softmax, UnknownActivationError, gated_halves, maxout_groups)


def _gated_forward(name, gate):
    """The forward ``u * g(v)`` of the gated unit ``name`` whose gate is the activation
    ``gate``."""

    def f(z, **_):
        u, v = gated_halves(z, name)
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
    """Names of every registered activation, in the book's order (chapter 3)."""
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


register(
    _make(
        name="identity",
        symbol=r"\mathrm{id}",
        label="Identity",
        latex=r"\phi(z) = z",
        latex_derivative=r"\phi'(z) = 1",
        properties=Properties(output_range="(-inf, inf)", monotone=True, zero_centred=True,
                              smooth=True, saturates="none", can_die=False),
        _f=lambda z, **_: z.copy(),
        _df=k.ones,
        _df_from_a=lambda z, a, g, **_: g,
        chapter="01_neuron_models",
        description="No non-linearity: a stack of identity layers is one linear map.",
    ),
    aliases=("linear",),
)
register(
    _make(
        name="binary_step",
        output_bounds=(0.0, 1.0),
        label="Binary threshold",
        latex=r"\phi(z) = \begin{cases} 1 & z \ge 0 \\ 0 & z < 0 \end{cases}",
        latex_derivative=r"\phi'(z) = 0 \quad (z \ne 0)",
        properties=Properties(output_range="{0, 1}", monotone=True, zero_centred=False, smooth=False,
                              saturates="both", can_die=True),
        _f=lambda z, **_: (z >= 0).astype(z.dtype),
        _df=k.zeros,
        chapter="01_neuron_models",
        references=("mcculloch1943logical", "rosenblatt1958perceptron"),
        description="The McCulloch-Pitts threshold unit: all or nothing; no gradient to learn from.",
    ),
    aliases=("step", "heaviside", "threshold"),
)
register(
    _make(
        name="sigmoid",
        symbol=r"\sigma",
        output_bounds=(0.0, 1.0),
        label="Logistic sigmoid",
        latex=r"\sigma(z) = \frac{1}{1 + e^{-z}}",
        latex_derivative=r"\sigma'(z) = \sigma(z)\,(1 - \sigma(z))",
        properties=Properties(output_range="(0, 1)", monotone=True, zero_centred=False, smooth=True,
                              saturates="both", can_die=False),
        _f=lambda z, **_: k.sigmoid(z),
        _df=lambda z, **_: k.sigmoid(z) * (1.0 - k.sigmoid(z)),
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
        symbol=r"\tanh",
        output_bounds=(-1.0, 1.0),
        label="Hyperbolic tangent",
        latex=r"\tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}} = 2\sigma(2z) - 1",
        latex_derivative=r"\tanh'(z) = 1 - \tanh^2(z)",
        properties=Properties(output_range="(-1, 1)", monotone=True, zero_centred=True, smooth=True,
                              saturates="both", can_die=False),
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
        output_bounds=(-1.0, 1.0),
        label="Hard tanh",
        latex=r"\phi(z) = \max(-1, \min(1, z))",
        latex_derivative=r"\phi'(z) = \begin{cases} 1 & |z| < 1 \\ 0 & |z| > 1 \end{cases}",
        properties=Properties(output_range="[-1, 1]", monotone=True, zero_centred=True, smooth=False,
                              saturates="both", can_die=True),
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
        symbol=r"\mathrm{ReLU}",
        output_bounds=(0.0, math.inf),
        label="ReLU",
        latex=r"\phi(z) = \max(0, z)",
        latex_derivative=r"\phi'(z) = \begin{cases} 1 & z > 0 \\ 0 & z < 0 \end{cases}",
        properties=Properties(output_range="[0, inf)", monotone=True, zero_centred=False,
                              smooth=False, saturates="negative", can_die=True),
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
        symbol=r"\mathrm{LReLU}",
        negative_slope=lambda p: p["slope"],
        label="Leaky ReLU",
        latex=r"\phi(z) = \begin{cases} z & z > 0 \\ \alpha z & z \le 0 \end{cases}",
        latex_derivative=r"\phi'(z) = \begin{cases} 1 & z > 0 \\ \alpha & z < 0 \end{cases}",
        properties=Properties(output_range="(-inf, inf)", monotone=True, zero_centred=False,
                              smooth=False, saturates="none", can_die=False),
        params=(
            Param(name="slope", default=0.01, low=0.0, high=1.0, low_inclusive=True,
                  high_inclusive=False,
                  description="The negative-side slope alpha; 0 gives ReLU, 1 the identity."),
        ),
        _f=k.leaky_relu,
        _df=k.leaky_relu_derivative,
        _dparams={"slope": k.leaky_relu_dslope},
        _df_from_a=k.leaky_relu_backward,
        chapter="04_relu_family",
        references=("maas2013rectifier",),
        description="A small fixed slope on the negative side keeps gradients alive.",
    ),
    aliases=("lrelu", "leakyrelu"),
)
register(
    _make(
        name="prelu",
        negative_slope=lambda p: p["slope"],
        label="PReLU",
        latex=r"\phi(z) = \begin{cases} z & z > 0 \\ a z & z \le 0 \end{cases}",
        latex_derivative=(
            r"\frac{\partial\phi}{\partial z} = \begin{cases} 1 & z > 0 \\ a & z < 0 \end{cases},"
            r"\quad \frac{\partial\phi}{\partial a} = \begin{cases} 0 & z > 0 \\ z & z \le 0 \end{cases}"
        ),
        properties=Properties(output_range="(-inf, inf)", monotone=True, zero_centred=False,
                              smooth=False, saturates="none", can_die=False),
        params=(
            Param(name="slope", default=0.25,
                  description="The learned negative-side slope a (He et al. start at 0.25).",
                  learnable=True),
        ),
        _f=k.leaky_relu,
        _df=k.leaky_relu_derivative,
        _dparams={"slope": k.leaky_relu_dslope},
        _df_from_a=k.leaky_relu_backward,
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
        negative_slope=lambda p: 0.5 * (p["lower"] + p["upper"]),
        label="RReLU",
        latex=(
            r"\phi(z) = \begin{cases} z & z > 0 \\ a z & z \le 0 \end{cases},\quad"
            r" a \sim U(l, u) \text{ in training},\ a = \tfrac{l+u}{2} \text{ at test}"
        ),
        latex_derivative=r"\phi'(z) = \begin{cases} 1 & z > 0 \\ a & z < 0 \end{cases}",
        properties=Properties(output_range="(-inf, inf)", monotone=True, zero_centred=False,
                              smooth=False, saturates="none", can_die=False),
        params=(
            Param(name="lower", default=1.0 / 8.0, low=0.0, high=1.0, low_inclusive=True,
                  high_inclusive=False, description="Smallest negative-side slope."),
            Param(name="upper", default=1.0 / 3.0, low=0.0, high=1.0, low_inclusive=True,
                  high_inclusive=False, description="Largest negative-side slope."),
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
        # smooth (continuously differentiable) at the default alpha = 1 only
        properties=Properties(output_range="(-alpha, inf)", monotone=True, zero_centred=False,
                              smooth=True, saturates="negative", can_die=False),
        params=(Param(name="alpha", default=1.0, low=0.0, high=math.inf, low_inclusive=False,
                      high_inclusive=True,
                      description="Negative saturation value -alpha; alpha > 0."),),
        _f=k.elu,
        _df=k.elu_derivative,
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
        properties=Properties(output_range="(-1.7581, inf)", monotone=True, zero_centred=False,
                              smooth=False, saturates="negative", can_die=False),
        _f=lambda z, **_: k.SELU_SCALE * k.elu(z, k.SELU_ALPHA),
        _df=lambda z, **_: k.SELU_SCALE * k.elu_derivative(z, k.SELU_ALPHA),
        chapter="05_smooth_units",
        references=("klambauer2017self",),
        description="Scaled ELU whose fixed constants make activations self-normalising.",
    )
)
register(
    _make(
        name="softplus",
        output_bounds=(0.0, math.inf),
        label="Softplus",
        latex=r"\phi(z) = \frac{1}{\beta}\log\left(1 + e^{\beta z}\right)",
        latex_derivative=r"\phi'(z) = \sigma(\beta z)",
        properties=Properties(output_range="(0, inf)", monotone=True, zero_centred=False, smooth=True,
                              saturates="negative", can_die=False),
        params=(Param(name="beta", default=1.0, low=0.0, high=math.inf, low_inclusive=False,
                      high_inclusive=True, description="Sharpness; beta -> inf gives ReLU."),),
        _f=k.softplus,
        _df=lambda z, beta, **_: k.sigmoid(beta * z),
        _dparams={"beta": k.softplus_dbeta},
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
        properties=Properties(output_range="[about -0.278/beta, inf)", monotone=False,
                              zero_centred=False, smooth=True, saturates="negative", can_die=False),
        params=(
            Param(name="beta", default=1.0, low=0.0, high=math.inf, low_inclusive=True,
                  high_inclusive=True,
                  description="beta = 0 gives z/2 (linear); beta -> inf gives ReLU; beta = 1 is SiLU.",
                  learnable=True),
        ),
        _f=k.swish,
        _df=k.swish_derivative,
        _dparams={"beta": k.swish_dbeta},
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
        properties=Properties(output_range="[about -0.309, inf)", monotone=False, zero_centred=False,
                              smooth=True, saturates="negative", can_die=False),
        _f=k.mish,
        _df=k.mish_derivative,
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
        properties=Properties(output_range="[about -0.170, inf)", monotone=False, zero_centred=False,
                              smooth=True, saturates="negative", can_die=False),
        _f=k.gelu,
        _df=k.gelu_derivative,
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
        properties=Properties(output_range="[about -0.170, inf)", monotone=False, zero_centred=False,
                              smooth=True, saturates="negative", can_die=False),
        _f=k.gelu_tanh,
        _df=k.gelu_tanh_derivative,
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
        properties=Properties(output_range="(-inf, inf)", monotone=True, zero_centred=False,
                              smooth=False, saturates="none", can_die=False),
        params=(Param(name="k", default=2, low=2, high=64, low_inclusive=True, high_inclusive=True,
                      description="Number of pieces per unit.", integer=True),),
        _f=lambda z, k, **_: maxout_groups(z, k).max(axis=-1),
        chapter="04_relu_family",
        references=("goodfellow2013maxout",),
        description="The maximum of k linear pieces; ReLU and leaky ReLU are special cases.",
    )
)
register(
    _make(
        Softmax,
        name="softmax",
        symbol=r"\operatorname{softmax}",
        output_bounds=(0.0, 1.0),
        label="Softmax",
        latex=r"\operatorname{softmax}(z)_i = \frac{e^{z_i/T}}{\sum_j e^{z_j/T}}",
        latex_derivative=(
            r"\frac{\partial\, \mathrm{softmax}_i}{\partial z_j} = \tfrac{1}{T}\,p_i(\delta_{ij} - p_j)"
        ),
        properties=Properties(output_range="(0, 1), sums to 1", monotone=False, zero_centred=False,
                              smooth=True, saturates="both", can_die=False),
        params=(Param(name="temperature", default=1.0, low=0.0, high=math.inf, low_inclusive=False,
                      high_inclusive=True,
                      description="T > 0; large T flattens, small T sharpens."),),
        _f=k.softmax,
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
            properties=Properties(output_range="(-inf, inf)", monotone=False, zero_centred=True,
                                  smooth=smooth, saturates="negative", can_die=can_die),
            _f=_gated_forward(name, gate),
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