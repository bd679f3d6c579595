"""Why gradients vanish and explode: the computations and the guarded statements of chapter 7.

Everything here is deterministic: float64 arithmetic on freshly initialised networks, no
training. Chapter 7 calls these functions (and shows some with ``inspect.getsource``). Each of
its sections has a ``*_numbers`` function, whose dict the chapter glues into its prose, and a
``*_facts`` function that turns the same dict into :class:`~actbook.facts.Fact` s, which the
chapter guards with :func:`~actbook.facts.require`:

=================================  ==========================================================
section of chapter 7               functions
=================================  ==========================================================
the gradient as a product          :func:`jacobian_factors`, :func:`orthogonal_sigmoid_chain`,
of Jacobians                       :func:`jacobian_numbers`, :func:`jacobian_facts`
floating point                     :func:`steps_until`, :func:`first_layer_gradient`,
                                   :func:`float_numbers`, :func:`float_facts`
variance propagation               :func:`second_moment_ratio`, :func:`variance_numbers`,
                                   :func:`variance_facts`
the error signal at                :func:`measure_at_init` (:func:`layer_rows`),
initialisation, measured           :class:`Measurement`, :func:`geo_band`,
                                   :func:`init_numbers`, :func:`init_facts`
explore                            :func:`explorer_figure`
=================================  ==========================================================

:func:`measure_at_init` returns rows with the columns of ``data/gradients_init.csv``
(:data:`INIT_COLUMNS`), and :class:`Measurement` reads both those rows and rows read from the
stored table, so :func:`init_facts` applies to a fresh measurement, to the stored table and to a
re-run under another BLAS kernel alike. :func:`facts` evaluates every section at once.
"""
from __future__ import annotations

import math

import numpy as np

from .activations import get
from .data import load_digits
from .diagnostics import layer_norms
from .facts import Fact, fact
from .network import Network
from .plotting import set_alt_text

__all__ = [
    "ACTIVATIONS",
    "Measurement",
    "DEPTHS",
    "INIT_COLUMNS",
    "INIT_KEYS",
    "INIT_LABEL_TEXT",
    "INIT_LABELS",
    "INIT_STYLES",
    "INIT_VARIANCE",
    "INITS",
    "SEEDS",
    "explorer_figure",
    "facts",
    "first_layer_gradient",
    "float_facts",
    "float_limits",
    "float_numbers",
    "geo_band",
    "gluable",
    "init_facts",
    "init_network",
    "init_numbers",
    "jacobian_facts",
    "jacobian_factors",
    "jacobian_numbers",
    "layer_rows",
    "measure_at_init",
    "orthogonal_sigmoid_chain",
    "plot_by_init",
    "second_moment_ratio",
    "standardised_digits",
    "steps_until",
    "variance_facts",
    "variance_numbers",
]

#: The initialisations compared, as keyword arguments of :class:`~actbook.network.Network`.
#: ``normal-0.01`` and ``normal-1`` are the naive choices: a fixed standard deviation that
#: ignores the width of the layer.
INITS = {
    "normal-0.01": dict(init="normal", init_scale=0.01),
    "normal-1": dict(init="normal", init_scale=1.0),
    "lecun": dict(init="lecun"),
    "xavier": dict(init="xavier"),
    "he": dict(init="he"),
}
#: The variance of each weight of a square layer of ``n`` units under each scheme.
INIT_VARIANCE = {
    "normal-0.01": lambda n: 1e-4,
    "normal-1": lambda n: 1.0,
    "lecun": lambda n: 1.0 / n,
    "xavier": lambda n: 2.0 / (n + n),
    "he": lambda n: 2.0 / n,
}
#: How the chapter names them (matplotlib mathtext).
INIT_LABELS = {
    "normal-0.01": r"$\mathcal{N}(0, 0.01^2)$",
    "normal-1": r"$\mathcal{N}(0, 1)$",
    "lecun": "LeCun",
    "xavier": "Xavier",
    "he": "He",
}
#: The same names in plain text, for tables.
INIT_LABEL_TEXT = {"normal-0.01": "N(0, 0.01^2)", "normal-1": "N(0, 1)", "lecun": "LeCun",
                   "xavier": "Xavier", "he": "He"}
#: Short keys of the initialisations in the names of glued numbers (``r_relu_n001``).
INIT_KEYS = {"normal-0.01": "n001", "normal-1": "n1", "lecun": "lecun", "xavier": "xavier",
             "he": "he"}
#: Line styles of the initialisations in every figure of chapter 7: Okabe and Ito's
#: colour-blind-safe palette, and a line style and marker of its own for each, so no contrast
#: rests on colour. LeCun's and Xavier's variances agree for square layers, so their lines
#: nearly coincide: LeCun is drawn dashed with large hollow squares around Xavier's small dots.
INIT_STYLES = {
    "normal-0.01": dict(color="#000000", ls=":", marker="v", ms=6),
    "normal-1": dict(color="#D55E00", ls="--", marker="^", ms=6),
    "lecun": dict(color="#CC79A7", ls=(0, (5, 2)), marker="s", ms=8, mfc="none", mew=1.4),
    "xavier": dict(color="#0072B2", ls="-", marker="o", ms=4),
    "he": dict(color="#009E73", ls="-", marker="D", ms=5),
}
#: The measurement's grid: activations, numbers of hidden layers and seeds.
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "swish")
DEPTHS = (2, 3, 4, 6, 8, 10, 12, 15)
SEEDS = (0, 1, 2, 3, 4)
#: Columns of a measurement row (those of ``data/gradients_init.csv``).
INIT_COLUMNS = ("activation", "init", "depth", "seed", "layer", "delta_norm", "grad_W_norm",
                "z_std", "a_std")
_NUMERIC = ("delta_norm", "grad_W_norm", "z_std", "a_std")
_KEY = INIT_KEYS


def gluable(numbers: dict) -> dict:
    """The entries of a ``*_numbers`` dict that myst-nb's ``glue`` can format: plain Python
    ``int`` and ``float`` (numpy scalars converted; arrays, dicts and strings left out).
    (Chapter 7.)
    """
    out = {}
    for key, value in numbers.items():
        if isinstance(value, (bool, np.bool_)):
            continue
        if isinstance(value, (int, np.integer)):
            out[key] = int(value)
        elif isinstance(value, (float, np.floating)):
            out[key] = float(value)
    return out


# ---------------------------------------------------------------------------------------------
# the networks and the data
# ---------------------------------------------------------------------------------------------
def standardised_digits(seed: int = 0):
    """The bundled digits (:func:`actbook.data.load_digits`, float64), each pixel standardised
    with the training set's mean and standard deviation, so the inputs have mean 0 and variance
    1 as the initialisation arguments assume. Returns ``X_train, y_train, X_test, y_test``.
    (Chapter 7.)
    """
    X, y, Xv, yv = load_digits(seed=seed, dtype=np.float64)
    mean, std = X.mean(axis=0), X.std(axis=0) + 1e-8
    return (X - mean) / std, y, (Xv - mean) / std, yv


def init_network(depth: int, activation: str, init: str, seed: int = 0, width: int = 64,
                 n_in: int = 64, n_out: int = 10, dtype=np.float64, **options) -> Network:
    """A fresh network of ``depth`` hidden layers of ``width`` units, softmax output and
    cross-entropy, initialised by the scheme ``init`` (a key of :data:`INITS`) (chapter 7)."""
    if init not in INITS:
        raise ValueError(f"unknown initialisation {init!r}; choose one of {list(INITS)}")
    if int(depth) < 1:
        raise ValueError(f"depth must be at least 1 hidden layer, got {depth!r}")
    return Network([n_in] + [width] * int(depth) + [n_out], activation=activation,
                   output="softmax", loss="cross_entropy", dtype=dtype, seed=seed,
                   **INITS[init], **options)


def layer_rows(net: Network, X, y) -> list[dict]:
    """One forward and backward pass on ``X, y``. Per layer (1 is the first
    hidden layer, the last is the output layer): the RMS over the batch of
    each example's ``||delta||``, ``||grad W||``, and the standard
    deviations of ``z`` and ``a`` (chapter 7)."""
    net.loss(X, y)
    net.backward()
    norms = layer_norms(net)
    return [dict(layer=i + 1,
                 delta_norm=float(norms["delta"][i]),
                 grad_W_norm=float(norms["grad_W"][i]),
                 z_std=float(np.std(layer.z)),
                 a_std=float(np.std(layer.a)))
            for i, layer in enumerate(net.layers)]


def measure_at_init(X, y, activations=ACTIVATIONS, inits=tuple(INITS), depths=DEPTHS,
                    seeds=SEEDS, width: int = 64) -> list[dict]:
    """The error signal of freshly initialised float64 networks: :func:`layer_rows` for every
    (activation, initialisation, depth, seed), one row per layer with the columns
    :data:`INIT_COLUMNS` (chapter 7).

    Deterministic: the same inputs give the same rows up to rounding (about 1e-12 relative
    between BLAS kernels). The chapter's grid, 1,200 networks, takes a few seconds.
    """
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    rows = []
    for act in activations:
        for init in inits:
            for depth in depths:
                for seed in seeds:
                    net = init_network(depth, act, init, seed, width=width, n_in=X.shape[1],
                                       n_out=int(y.max()) + 1)
                    for r in layer_rows(net, X, y):
                        rows.append(dict(activation=act, init=init, depth=int(depth),
                                         seed=int(seed), **r))
    return rows


class Measurement:
    """Rows of :func:`measure_at_init` (or of the stored table, whose fields are strings),
    grouped once by (activation, init, depth) so that repeated look-ups are cheap (chapter 7)."""

    def __init__(self, rows):
        self.rows = list(rows)
        if not self.rows:
            raise ValueError("a measurement needs at least one row")
        missing = [c for c in INIT_COLUMNS if c not in self.rows[0]]
        if missing:
            raise KeyError(f"the rows lack the columns {missing}; expected {list(INIT_COLUMNS)}")
        self.groups: dict[tuple, list] = {}
        for r in self.rows:
            key = (str(r["activation"]), str(r["init"]), int(r["depth"]))
            self.groups.setdefault(key, []).append(r)
        self.depths = sorted({k[2] for k in self.groups})
        self.seeds = sorted({int(r["seed"]) for r in self.rows})

    def per_seed(self, column: str, activation: str, init: str, depth: int) -> np.ndarray:
        """``column`` of one configuration as a (seeds, layers) float array, seeds in order,
        each seed's layers in order. Raises ``LookupError`` when it is missing."""
        if column not in INIT_COLUMNS:
            raise KeyError(f"no column {column!r}; the rows have {list(INIT_COLUMNS)}")
        selected = self.groups.get((activation, init, int(depth)))
        if not selected:
            raise LookupError(f"no rows for activation={activation!r}, init={init!r}, "
                              f"depth={depth!r}")
        by_seed: dict[int, list] = {}
        for r in selected:
            by_seed.setdefault(int(r["seed"]), []).append(r)
        out = []
        for seed in sorted(by_seed):
            ordered = sorted(by_seed[seed], key=lambda r: int(r["layer"]))
            out.append([float(r[column]) for r in ordered])
        if len({len(o) for o in out}) != 1:
            raise ValueError(f"the seeds of {activation}/{init}/{depth} have different "
                             "numbers of layers")
        return np.array(out, dtype=float)

    def first_to_output(self, activation: str, init: str, depth: int) -> np.ndarray:
        """Per seed, ``||delta^(1)|| / ||delta^(D)||``: the first hidden layer's error signal
        relative to the output layer's (1: as strong; below 1: vanished; above 1: exploded)."""
        d = self.per_seed("delta_norm", activation, init, depth)
        return d[:, 0] / d[:, -1]

    def per_layer_factor(self, activation: str, init: str):
        """The factor by which one more hidden layer multiplies the ratio of
        :meth:`first_to_output`: ``10**slope`` of a straight line fitted to ``log10`` of the
        ratio (geometric mean over the seeds) against the depth. Returns
        ``(factor, R^2 of the fit)``."""
        depths = np.asarray(self.depths, dtype=float)
        y = np.log10([geo_band(self.first_to_output(activation, init, d))[0]
                      for d in self.depths])
        slope, icpt = np.polyfit(depths, y, 1)
        resid = y - (slope * depths + icpt)
        total = float(np.sum((y - y.mean()) ** 2))
        r2 = 1 - float(np.sum(resid ** 2)) / total if total > 0 else float("nan")
        return float(10 ** slope), r2


def geo_band(values):
    """``(geometric mean, min, max)`` along axis 0 of an array of positive numbers (seeds first),
    the centre and the seed-to-seed range of a quantity that spreads over decades (chapter 7)."""
    values = np.asarray(values, dtype=float)
    if values.size == 0 or not np.all(values > 0):
        raise ValueError("geo_band needs positive numbers (a zero or NaN cannot be averaged "
                         "on a log scale)")
    return np.exp(np.log(values).mean(axis=0)), values.min(axis=0), values.max(axis=0)


def plot_by_init(ax, x, values: dict, *, inits=None, label=True):
    """Draw one line per initialisation (``values[init]`` aligned with ``x``) in the chapter's
    :data:`INIT_STYLES`. Returns the lines (chapter 7)."""
    lines = []
    for init in inits or [i for i in INITS if i in values]:
        (line,) = ax.plot(x, values[init], label=INIT_LABELS[init] if label else None,
                          lw=1.6, **INIT_STYLES[init])
        lines.append(line)
    return lines


# ---------------------------------------------------------------------------------------------
# section: the gradient is a product of Jacobians
# ---------------------------------------------------------------------------------------------
def jacobian_factors(net: Network, X, y) -> dict:
    """Check the bound of chapter 7 on ``net`` after a pass on ``X, y``.

    For every hidden layer l: the spectral norm of ``W^(l+1)``, and per
    example the largest ``|phi'(z^(l))|``, the bound factor
    ``max|phi'| * ||W^(l+1)||_2`` and the measured factor
    ``||delta^(l)_n|| / ||delta^(l+1)_n||``. Arrays of shape
    (hidden layers,) and (hidden layers, examples).
    """
    net.loss(X, y)
    net.backward()
    spec, slope, measured = [], [], []
    for layer, nxt in zip(net.layers[:-1], net.layers[1:]):
        spec.append(np.linalg.norm(nxt.W, 2))  # largest singular value
        phi_prime = layer.act.derivative(layer.z)  # (examples, units)
        slope.append(np.abs(phi_prime).max(axis=1))
        measured.append(np.linalg.norm(layer.delta, axis=1)
                        / np.linalg.norm(nxt.delta, axis=1))
    spec, slope = np.array(spec), np.array(slope)
    return {"spectral": spec, "max_slope": slope,
            "bound": slope * spec[:, None], "measured": np.array(measured)}


def bound_rows(factors: dict) -> list[dict]:
    """:func:`jacobian_factors` as table rows: per hidden layer the spectral norm, the largest
    slope, and the medians over the examples of the bound factor and of the measured factor.
    (Chapter 7.)
    """
    return [{"layer": i + 1,
             "||W^(l+1)||_2": f"{factors['spectral'][i]:.2f}",
             "max phi'(z)": f"{factors['max_slope'][i].max():.3f}",
             "bound factor (median)": f"{np.median(factors['bound'][i]):.3f}",
             "measured factor (median)": f"{np.median(factors['measured'][i]):.3f}"}
            for i in range(len(factors["spectral"]))]


def orthogonal_sigmoid_chain(c: float, depth: int = 30, n: int = 16, seed: int = 0):
    """``||delta^(l)||`` for the hidden layers of a sigmoid network built so that every
    Jacobian has norm ``c / 4``: weights ``c Q`` with random orthogonal ``Q`` and biases that
    make every pre-activation exactly 0 for one input (where ``sigma' = 1/4``) (chapter 7)."""
    r = np.random.default_rng(seed)
    net = Network([n] * (depth + 1) + [n], activation="sigmoid", output="identity",
                  loss="mse", dtype=np.float64, seed=seed)
    x = r.standard_normal((1, n))
    a = x
    for layer in net.layers[:-1]:
        Q, _ = np.linalg.qr(r.standard_normal((n, n)))
        layer.W[...] = c * Q
        layer.b[...] = -(a @ layer.W.T)[0]  # z = W a + b = 0
        a = layer.forward(a)
    net.loss(x, r.standard_normal((1, n)))
    net.backward()
    return layer_norms(net)["delta"][:-1]


def jacobian_numbers(X, y, depth: int = 6, width: int = 64, c: float = 6.0,
                     chain_depth: int = 30) -> dict:
    """The numbers of the section: the bound checked on two sigmoid networks of ``depth``
    hidden layers (Xavier and N(0, 1) weights) and the orthogonal chain with weights ``c Q``.
    (Chapter 7.)
    """
    xavier = jacobian_factors(init_network(depth, "sigmoid", "xavier", width=width), X, y)
    normal = jacobian_factors(init_network(depth, "sigmoid", "normal-1", width=width), X, y)
    chain = orthogonal_sigmoid_chain(c, depth=chain_depth)
    per_layer = chain[:-1] / chain[1:]
    med = lambda a: np.median(a, axis=1)  # noqa: E731  (per layer, over the examples)
    return {
        "jac_depth": depth, "jac_width": width,
        "jac_factors_xavier": xavier, "jac_factors_normal": normal,
        "bound_worst": max(float(np.max(f["measured"] / f["bound"])) for f in (xavier, normal)),
        "spec_pred_xavier": 2.0 * math.sqrt(width * INIT_VARIANCE["xavier"](width)),
        "spec_pred_normal": 2.0 * math.sqrt(width * INIT_VARIANCE["normal-1"](width)),
        "spec_xavier": float(np.median(xavier["spectral"])),
        "spec_normal": float(np.median(normal["spectral"])),
        "xavier_bound_max": float(np.max(xavier["bound"])),
        "xavier_measured_max": float(np.max(med(xavier["measured"]))),
        "normal_bound_min": float(np.min(med(normal["bound"]))),
        "normal_measured_min": float(np.min(med(normal["measured"]))),
        "normal_measured_max": float(np.max(med(normal["measured"]))),
        "chain_c": float(c), "chain_pred": float(c) / 4, "chain_steps": chain_depth - 1,
        "chain_deltas": chain,
        "chain_factor_min": float(per_layer.min()), "chain_factor_max": float(per_layer.max()),
        "chain_total": float(chain[0] / chain[-1]),
    }


def jacobian_facts(n: dict) -> list[Fact]:
    """The statements of the section, on :func:`jacobian_numbers` (chapter 7)."""
    return [
        fact("jacobians.bound-holds",
             "over every example and layer of both networks the measured factor never "
             "exceeds the bound", n["bound_worst"] <= 1 + 1e-9,
             f"largest measured / bound = {n['bound_worst']:.3f}"),
        fact("jacobians.spectral-norms",
             "the spectral norms are within 15 % of 2 sqrt(n v)",
             abs(n["spec_xavier"] / n["spec_pred_xavier"] - 1) < 0.15
             and abs(n["spec_normal"] / n["spec_pred_normal"] - 1) < 0.15,
             f"median {n['spec_xavier']:.2f} (predicted {n['spec_pred_xavier']:.0f}), "
             f"{n['spec_normal']:.1f} (predicted {n['spec_pred_normal']:.0f})"),
        fact("jacobians.xavier-shrinks",
             "with Xavier weights every bound factor is below 1, so the signal shrinks",
             n["xavier_bound_max"] < 1, f"largest bound factor {n['xavier_bound_max']:.3f}"),
        fact("jacobians.normal-bound-above-1-measured-below",
             "with N(0, 1) weights the bound exceeds 1 in every layer, yet the measured factor "
             "stays below 1", n["normal_bound_min"] > 1 and n["normal_measured_max"] < 1,
             f"smallest median bound {n['normal_bound_min']:.2f}, largest median measured "
             f"{n['normal_measured_max']:.2f}"),
        fact("jacobians.chain-grows",
             "the orthogonal sigmoid chain multiplies the signal by c/4 in every layer",
             abs(n["chain_factor_min"] / n["chain_pred"] - 1) < 1e-6
             and abs(n["chain_factor_max"] / n["chain_pred"] - 1) < 1e-6
             and n["chain_pred"] > 1,
             f"per-layer factors {n['chain_factor_min']:.6f} to {n['chain_factor_max']:.6f}, "
             f"c/4 = {n['chain_pred']}"),
    ]


# ---------------------------------------------------------------------------------------------
# section: floating point
# ---------------------------------------------------------------------------------------------
def float_limits() -> list[dict]:
    """The limits of IEEE 754 single and double precision, as table rows (chapter 7)."""
    rows = []
    for dtype in (np.float32, np.float64):
        fi = np.finfo(dtype)
        rows.append({"type": dtype.__name__, "largest": f"{fi.max:.3e}",
                     "smallest normal": f"{fi.smallest_normal:.3e}",
                     "smallest subnormal": f"{fi.smallest_subnormal:.3e}",
                     "decimal digits": fi.precision})
    return rows


def steps_until(factor: float, dtype, limit: int = 10_000):
    """How many multiplications by ``factor``, starting from 1 in ``dtype``, until the product
    is exactly 0 or infinite (``None`` if neither happens within ``limit`` steps) (chapter 7)."""
    x, f = dtype(1.0), dtype(factor)
    with np.errstate(over="ignore", under="ignore"):
        for n in range(1, limit):
            x = x * f
            if x == 0 or np.isinf(x):
                return n
    return None


def first_layer_gradient(depth: int, dtype, X, y, width: int = 32, seed: int = 0):
    """``(||grad W^(1)||, fraction of its entries exactly 0)`` for a sigmoid network with
    Xavier weights, ``depth`` hidden layers of ``width`` units, computed in ``dtype``.
    (Chapter 7.)
    """
    net = Network([X.shape[1]] + [width] * depth + [int(np.max(y)) + 1], activation="sigmoid",
                  init="xavier", dtype=dtype, seed=seed)
    with np.errstate(under="ignore"):
        net.loss(np.asarray(X, dtype=dtype), y)
        net.backward()
    g = net.layers[0].grad_W
    return float(np.linalg.norm(g.astype(np.float64))), float(np.mean(g == 0))


def float_numbers(X, y, depth: int = 80, width: int = 32, shrink: float = 0.1,
                  grow: float = 1.5) -> dict:
    """The numbers of the section: steps of ``shrink`` until 0 and of ``grow`` until infinity
    in both precisions; the first layer's gradient of a sigmoid network of ``depth`` layers
    on ``X, y`` in both; the fraction of its entries that belong to pixels that are 0 in every
    image of ``X`` (their gradient is exactly 0 in any precision) (chapter 7)."""
    out = {"shrink": float(shrink), "grow": float(grow), "deep_depth": depth,
           "deep_width": width}
    for dtype in (np.float32, np.float64):
        name = dtype.__name__
        out[f"under_{name}"] = steps_until(shrink, dtype)
        out[f"over_{name}"] = steps_until(grow, dtype)
        norm, zero = first_layer_gradient(depth, dtype, X, y, width=width)
        out[f"deep_norm_{name}"], out[f"deep_zero_{name}"] = norm, 100 * zero
    out["deep_zero_pixels"] = 100 * float(np.mean(np.all(np.asarray(X) == 0, axis=0)))
    return out


def float_facts(n: dict) -> list[Fact]:
    """The statements of the section, on :func:`float_numbers` (chapter 7)."""
    return [
        fact("float.float32-sooner",
             "float32 reaches 0 and infinity after fewer factors than float64",
             n["under_float32"] < n["under_float64"] and n["over_float32"] < n["over_float64"],
             f"0 after {n['under_float32']} / {n['under_float64']}, "
             f"inf after {n['over_float32']} / {n['over_float64']}"),
        fact("float.deep-float64-nonzero",
             "in float64 the deep network's first layer still receives a gradient, a tiny one",
             0 < n["deep_norm_float64"] < 1e-6, f"||grad W1|| = {n['deep_norm_float64']:.2e}"),
        fact("float.deep-float32-zero",
             "in float32 most of its entries are exactly 0",
             n["deep_zero_float32"] > 50
             and n["deep_zero_float32"] > n["deep_zero_float64"] + 20,
             f"{n['deep_zero_float32']:.1f} % zero in float32, "
             f"{n['deep_zero_float64']:.1f} % in float64"),
        fact("float.float64-zeros-are-blank-pixels",
             "the entries that are 0 in float64 too belong to pixels that are 0 in every image",
             abs(n["deep_zero_float64"] - n["deep_zero_pixels"]) < 1e-9,
             f"{n['deep_zero_float64']:.2f} % zero, {n['deep_zero_pixels']:.2f} % blank pixels"),
    ]


# ---------------------------------------------------------------------------------------------
# section: variance propagation
# ---------------------------------------------------------------------------------------------
def second_moment_ratio(activation, z) -> float:
    """``E[phi(z)^2] / Var[z]`` estimated on the sample ``z``: the fraction of the variance of
    its input that an activation passes on as the second moment of its output (chapter 7)."""
    act = get(activation) if isinstance(activation, str) else activation
    z = np.asarray(z, dtype=np.float64)
    return float(np.mean(act(z) ** 2) / np.var(z))


def variance_numbers(samples: int = 2_000_000, slopes=(0.1, 0.5), width: int = 64,
                     seed: int = 0) -> dict:
    """The numbers of the section: simulated second moments of ReLU and of leaky ReLUs with
    the given ``slopes`` on ``samples`` standard normal numbers, the predictions
    ``(1 + alpha^2) / 2``, and the per-layer factor ``sqrt(n v / 2)`` that the theory predicts for
    ReLU with each initialisation's variance ``v`` at width ``n`` (chapter 7)."""
    z = np.random.default_rng(seed).standard_normal(samples)
    out = {"sim_samples": samples, "sim_relu": second_moment_ratio("relu", z),
           "sim_relu_pred": 0.5}
    for i, s in enumerate(slopes, start=1):
        out[f"sim_slope{i}"] = float(s)
        out[f"sim_leaky{i}"] = second_moment_ratio(get("leaky_relu", slope=s), z)
        out[f"sim_leaky{i}_pred"] = (1 + s * s) / 2
    out["var_width"] = width
    for init in INITS:
        out[f"pred_relu_{_KEY[init]}"] = math.sqrt(width * INIT_VARIANCE[init](width) / 2)
    return out


def variance_facts(n: dict) -> list[Fact]:
    """The statements of the section, on :func:`variance_numbers` (chapter 7)."""
    pairs = [("sim_relu", "sim_relu_pred")] + [
        (k, k + "_pred") for k in n if k.startswith("sim_leaky") and not k.endswith("_pred")]
    worst = max(abs(n[a] / n[b] - 1) for a, b in pairs)
    return [
        fact("variance.second-moments",
             "the simulated second moments agree with (1 + alpha^2)/2 to within 1 %",
             worst < 0.01, "; ".join(f"{n[a]:.4f} vs {n[b]:.4f}" for a, b in pairs)),
        fact("variance.he-predicts-level", "He's variance predicts a factor 1 per ReLU layer",
             abs(n["pred_relu_he"] - 1) < 1e-12, f"{n['pred_relu_he']}"),
    ]


# ---------------------------------------------------------------------------------------------
# section: the error signal at initialisation, measured
# ---------------------------------------------------------------------------------------------
def init_numbers(rows, depth: int = 10, deep: int = 15, width: int = 64) -> dict:
    """The numbers of the measured section, from a measurement (:func:`measure_at_init`, or
    the stored table; rows or a :class:`Measurement`) that covers :data:`ACTIVATIONS` x
    :data:`INITS` x :data:`DEPTHS` x :data:`SEEDS`: ratios at ``depth``, per-layer factors
    over all depths, the forward spread and the weight gradients at ``deep`` hidden layers.
    (Chapter 7.)
    """
    m = rows if isinstance(rows, Measurement) else Measurement(rows)
    out: dict = {"meas_depth": depth, "meas_deep": deep, "meas_depths": list(m.depths),
                 "meas_seeds": len(m.seeds),
                 "meas_networks": sum(len({int(r["seed"]) for r in g})
                                      for g in m.groups.values())}
    spreads, ratios = [], []
    for act in ACTIVATIONS:
        for init in INITS:
            per = m.first_to_output(act, init, depth)
            spreads.append(float(per.max() / per.min()))
            ratios.append(float(geo_band(per)[0]))
            out[f"r_{act}_{_KEY[init]}"] = ratios[-1]
            factor, r2 = m.per_layer_factor(act, init)
            out[f"f_{act}_{_KEY[init]}"], out[f"r2_{act}_{_KEY[init]}"] = factor, r2
    out["seed_spread"] = max(spreads)
    out["decades"] = math.log10(max(ratios) / min(ratios))
    # how closely the ReLU measurements follow the prediction sqrt(n v / 2)
    out["relu_pred_dev"] = 100 * max(
        abs(out[f"f_relu_{_KEY[i]}"] / math.sqrt(width * INIT_VARIANCE[i](width) / 2) - 1)
        for i in INITS)
    out["leaky_dev"] = 100 * max(abs(out[f"r_leaky_relu_{_KEY[i]}"] / out[f"r_relu_{_KEY[i]}"]
                                     - 1) for i in INITS)
    tilted = [(a, i) for a in ("sigmoid", "relu") for i in INITS if (a, i) != ("relu", "he")]
    out["r2_min"] = min(out[f"r2_{a}_{_KEY[i]}"] for a, i in tilted)
    for init in INITS:
        k = _KEY[init]
        a = m.per_seed("a_std", "relu", init, deep)[:, :-1]  # the hidden layers
        out[f"fwd_relu_{k}"] = float(geo_band(a[:, -1] / a[:, 0])[0] ** (1 / (deep - 1)))
        g = m.per_seed("grad_W_norm", "relu", init, deep)
        out[f"gw_relu_{k}"] = float(geo_band(g[:, 0] / g[:, -2])[0])
        out[f"d15_relu_{k}"] = float(geo_band(m.first_to_output("relu", init, deep))[0])
        out[f"d15_tanh_{k}"] = float(geo_band(m.first_to_output("tanh", init, deep))[0])
    out["fwd_dev"] = 100 * max(abs(out[f"fwd_relu_{k}"] / out[f"f_relu_{k}"] - 1)
                               for k in _KEY.values())
    return out


def init_facts(n: dict) -> list[Fact]:
    """The statements of the measured section, on :func:`init_numbers` (chapter 7)."""
    def within(x, lo, hi):
        return lo < x < hi

    return [
        fact("init.sigmoid-width-scaled-vanish",
             "sigmoid with LeCun, Xavier or He loses the signal (ratio below 1e-3)",
             all(n[f"r_sigmoid_{i}"] < 1e-3 for i in ("lecun", "xavier", "he")),
             ", ".join(f"{i} {n[f'r_sigmoid_{i}']:.1e}" for i in ("lecun", "xavier", "he"))),
        fact("init.sigmoid-quarter-per-layer",
             "with Xavier each sigmoid layer multiplies the signal by less than 1/4",
             n["f_sigmoid_xavier"] < 0.25, f"{n['f_sigmoid_xavier']:.3f}"),
        fact("init.sigmoid-normal-keeps",
             "sigmoid with N(0, 1) keeps far more of it, though each layer still shrinks it",
             n["r_sigmoid_n1"] > 0.01 and n["r_sigmoid_n1"] > 1e3 * n["r_sigmoid_xavier"]
             and n["f_sigmoid_n1"] < 1,
             f"{n['r_sigmoid_n1']:.2f} against {n['r_sigmoid_xavier']:.1e}; "
             f"{n['f_sigmoid_n1']:.2f} per layer"),
        fact("init.tanh-xavier-keeps",
             "tanh with Xavier keeps the signal within a small factor, losing a few % per layer",
             within(n["r_tanh_xavier"], 0.1, 1) and within(n["f_tanh_xavier"], 0.85, 1),
             f"{n['r_tanh_xavier']:.2f}; {n['f_tanh_xavier']:.3f} per layer"),
        fact("init.relu-he-level", "ReLU with He keeps it nearly level",
             within(n["r_relu_he"], 0.5, 2), f"{n['r_relu_he']:.2f}"),
        fact("init.relu-follows-prediction",
             "ReLU's per-layer factors follow sqrt(n v / 2) to within 3 % for every scheme",
             n["relu_pred_dev"] < 3, f"largest deviation {n['relu_pred_dev']:.1f} %"),
        fact("init.relu-naive-explode-vanish",
             "ReLU explodes with N(0, 1) and vanishes with N(0, 0.01^2)",
             n["r_relu_n1"] > 1e6 and n["r_relu_n001"] < 1e-6,
             f"{n['r_relu_n1']:.1e}, {n['r_relu_n001']:.1e}"),
        fact("init.leaky-like-relu", "leaky ReLU (slope 0.01) behaves like ReLU, within 2 %",
             n["leaky_dev"] < 2, f"largest difference {n['leaky_dev']:.2f} %"),
        fact("init.elu-between",
             "ELU with He grows slowly and with Xavier shrinks slowly",
             within(n["f_elu_he"], 1, 1.2) and within(n["f_elu_xavier"], 0.8, 1),
             f"{n['f_elu_he']:.3f} and {n['f_elu_xavier']:.3f} per layer"),
        fact("init.swish-loses",
             "swish loses the signal even with He, and about half per layer with Xavier",
             n["f_swish_he"] < 0.95 and within(n["f_swish_xavier"], 0.4, 0.6),
             f"{n['f_swish_he']:.3f} and {n['f_swish_xavier']:.3f} per layer"),
        fact("init.seeds-narrow",
             "the seeds change a ratio by less than a factor 5, the initialisation by decades",
             n["seed_spread"] < 5 and n["decades"] > 10,
             f"largest max/min over seeds {n['seed_spread']:.2f}; "
             f"{n['decades']:.0f} decades between cells"),
        fact("init.geometric-in-depth",
             "on a log scale the ratio falls or rises along a straight line in the depth",
             n["r2_min"] > 0.98, f"smallest R^2 {n['r2_min']:.4f}"),
        fact("init.forward-matches-backward",
             "forwards, ReLU's activations change by the same factor per layer as the error "
             "signal backwards (within 5 %)", n["fwd_dev"] < 5,
             ", ".join(f"{k} {n[f'fwd_relu_{k}']:.3f}/{n[f'f_relu_{k}']:.3f}"
                       for k in _KEY.values())),
        fact("init.weight-gradient-hides",
             "the weight gradients of the first and last hidden layers are within a factor 3 "
             "of each other while the error signal vanishes (N(0, 0.01^2), Xavier)",
             all(within(n[f"gw_relu_{k}"], 1 / 3, 3) for k in ("n001", "xavier"))
             and n["d15_relu_n001"] < 1e-10 and n["d15_relu_xavier"] < 0.05,
             f"grad W ratios {n['gw_relu_n001']:.2f}, {n['gw_relu_xavier']:.2f}; delta ratios "
             f"{n['d15_relu_n001']:.1e}, {n['d15_relu_xavier']:.1e}"),
    ]


# ---------------------------------------------------------------------------------------------
# the explorer
# ---------------------------------------------------------------------------------------------
def explorer_figure(X, y, depth: int = 8, activation: str = "relu", gain: float = 1.41,
                    batch_norm: str = "off", seed: int = 0, width_in: float = 8.5):
    """The explorer's figure: ``||delta^(l)||`` per layer after one backward pass of a fresh
    network (weights with standard deviation ``gain / sqrt(n_in)``, batch normalisation
    ``"on"`` or ``"off"``), and histograms of the activations of its first, middle and last
    hidden layers (chapter 7).

    Points within a factor 10 of the output layer's signal are filled circles, the others
    hollow squares, so the verdict does not rest on colour. Drawn ``width_in`` inches wide
    with 12-point text (at 80 dpi, about the book's text column).
    """
    import matplotlib.pyplot as plt

    depth = int(depth)
    net = Network([X.shape[1]] + [64] * depth + [int(np.max(y)) + 1], activation=activation,
                  init="lecun", init_scale=gain, batch_norm=(batch_norm == "on"),
                  dtype=np.float64, seed=seed)
    with np.errstate(all="ignore"):
        net.loss(X, y)
        net.backward()
    d = layer_norms(net)["delta"]
    with plt.rc_context({"font.size": 12, "axes.titlesize": 12, "legend.fontsize": 11}):
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(width_in, 4.0))
        fig.subplots_adjust(left=0.09, right=0.98, bottom=0.15, top=0.8, wspace=0.18)
        layers = np.arange(1, len(d) + 1)
        level = np.log10(np.maximum(d, 1e-300))
        ok = np.abs(level - level[-1]) <= 1  # within a factor 10 of the output's
        ax1.plot(layers, level, color="#7f7f7f", lw=1)
        ax1.plot(layers[ok], level[ok], "o", color="#0072B2", ms=7, zorder=3,
                 label="within 10x of the output")
        ax1.plot(layers[~ok], level[~ok], "s", mfc="none", mec="#D55E00", mew=1.8, ms=7,
                 zorder=3, label="more than 10x off")
        ax1.set_ylim(-16, 8)
        ax1.set_xlim(0.5, 21.5)
        ax1.set_xlabel(f"layer (1 = first hidden, {len(d)} = output)")
        ax1.set_ylabel(r"$\log_{10} \|\delta^{(l)}\|$")
        ax1.set_title("error signal per layer")
        ax1.legend(frameon=False, loc="lower left")
        ax1.grid(alpha=0.3)
        picks = sorted({0, (depth - 1) // 2, depth - 1})
        styles = [("#0072B2", "-"), ("#E69F00", "--"), ("#CC79A7", ":")]
        for k, (color, ls) in zip(picks, styles):
            a = net.layers[k].a.ravel()
            zeros = float(np.mean(a == 0))
            shown = a[a != 0] if zeros > 0.05 else a  # ReLU: the non-zero part
            lo, hi = np.percentile(shown, [0.5, 99.5])
            label = f"layer {k + 1}" + (f" ({zeros:.0%} at 0)" if zeros > 0.05 else "")
            ax2.hist(shown, bins=np.linspace(min(lo, -1), max(hi, 1), 50), histtype="step",
                     color=color, ls=ls, lw=1.8, label=label, density=True)
        ax2.set_xlabel("activation $a$")
        ax2.set_yticks([])
        ax2.set_title("activations of three layers")
        ax2.legend(frameon=False, loc="upper right")
        fig.suptitle(f"{activation}, {depth} hidden layers, gain {gain:g}, "
                     f"batch norm {batch_norm}")
    far = [int(l) for l in layers[~ok]]
    verdict = ("every layer is within a factor 10 of the output's signal" if not far else
               f"{len(far)} of the {len(d)} layers (layers {', '.join(map(str, far))}) are more "
               "than a factor 10 away from the output's signal")
    set_alt_text(fig, (
        f"Two panels for a {activation} network with {depth} hidden layers, gain {gain:g}, batch "
        f"normalisation {batch_norm}. Left: log10 of the error signal's norm per layer, from "
        f"{round(level[0], 1) + 0.0:.1f} at the first hidden layer to "
        f"{round(level[-1], 1) + 0.0:.1f} at the output; {verdict}. "
        "Right: histograms of the activations of the first, middle and last hidden layers."))
    return fig


# ---------------------------------------------------------------------------------------------
# everything at once
# ---------------------------------------------------------------------------------------------
def facts(rows=None) -> list[Fact]:
    """Every statement chapter 7 guards, computed afresh (``rows``: a measurement for the
    measured section, from a re-run or the stored table; default: measured now)."""
    X, y, _, _ = standardised_digits(0)
    Xb, yb = X[:256], y[:256]
    out = jacobian_facts(jacobian_numbers(Xb, yb))
    out += float_facts(float_numbers(Xb[:128], yb[:128]))
    out += variance_facts(variance_numbers())
    if rows is None:
        rows = measure_at_init(Xb, yb)
    out += init_facts(init_numbers(rows))
    return out
