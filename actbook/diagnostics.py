"""What to measure inside a network: gradient norms, dead and saturated units, statistics.

Every function reads what the engine leaves on its layers after ``net.loss`` /
``net.backward`` (``z``, ``a``, ``delta``, ``grad_W``), so a measurement costs almost
nothing beyond the training step itself. Used in chapters 4, 7, 8 and 9.

Definitions (per layer ``l``; the batch has ``N`` rows):

* **delta norm**: ``sqrt(mean_n ||delta_n||^2)``, the root-mean-square over the batch of each
  example's ``||dl_n/dz^(l)||``; it does not grow with ``N``.
* **grad_W norm**: the Frobenius norm of ``grad_W`` (the gradient of the batch-mean loss).
* **relative gradient**: ``||grad_W|| / ||W||``, how fast the layer's weights move per unit
  learning rate: the "learning speed" of the layer.
* **dead unit**: a unit whose activation derivative is 0 for *every* example of the batch, so
  no gradient reaches its incoming weights from this batch.
* **saturated entry**: an (example, unit) pair with ``|phi'(z)|`` below ``threshold`` times the
  largest ``|phi'|`` of that activation (for ReLU this counts every inactive entry).
"""
from __future__ import annotations

import numpy as np

from .network import Network

__all__ = ["layer_norms", "derivatives", "dead_fraction", "saturated_fraction",
           "activation_stats", "max_derivative", "Recorder"]


def layer_norms(net: Network) -> dict:
    """Per-layer norms after ``net.backward()`` (chapter 7).

    Returns a dict of arrays with one entry per layer (first to last): ``delta`` (RMS
    per-example norm of ``delta``), ``grad_W`` (Frobenius norm), ``W`` and ``relative``
    (``||grad_W|| / ||W||``).
    """
    if net.layers[-1].delta is None:
        raise RuntimeError("run net.loss(X, Y) and net.backward() first")
    delta = [np.sqrt(np.mean(np.sum(np.square(l.delta, dtype=np.float64), axis=1)))
             for l in net.layers]
    gW = [np.linalg.norm(l.grad_W) for l in net.layers]
    W = [np.linalg.norm(l.W) for l in net.layers]
    return {"delta": np.array(delta), "grad_W": np.array(gW, dtype=np.float64),
            "W": np.array(W, dtype=np.float64),
            "relative": np.array(gW, dtype=np.float64) / np.maximum(np.array(W, dtype=np.float64), 1e-30)}


def derivatives(layer) -> np.ndarray | None:
    """``phi'(z)`` of a layer's last forward pass, per example and unit, shape ``(N, n_units)``.

    Computed by the activation's own backward with ``grad_a = 1``, so it uses exactly the
    slopes the forward pass used (RReLU's random ones, learned PReLU slopes). For maxout,
    each unit always passes gradient to its winning piece: all ones. A gated unit
    ``u g(v)`` (chapter 5) has two partial derivatives, ``g(v)`` and ``u g'(v)``: it gets
    ``|g(v)| + |u g'(v)|``, which is 0 exactly when the unit passes no gradient at all.
    Softmax (not elementwise) returns ``None``. Chapter 4.
    """
    if layer.z is None:
        raise RuntimeError("run a forward pass first")
    return layer.act.unit_slopes(layer.cache)


def dead_fraction(net: Network, X=None) -> np.ndarray:
    """Fraction of dead units in each hidden layer, on the last batch or on ``X`` (chapter 4).

    A unit is dead on a batch if its derivative ``phi'(z)`` is 0 for every example.
    With ``X`` the network is first run on it in evaluation mode. Layers whose activation is
    not elementwise-differentiable (softmax) give NaN.
    """
    _maybe_forward(net, X)
    out = []
    for layer in net.layers[:-1]:
        d = derivatives(layer)
        out.append(np.nan if d is None else float(np.mean(np.all(d == 0, axis=0))))
    return np.array(out)


_MAX_DERIV_CACHE: dict = {}


def max_derivative(act) -> float:
    """The largest ``|phi'(z)|`` of an elementwise activation, on a fine grid over [-20, 20]
    (chapter 8, through saturated_fraction)."""
    key = (act.name, tuple(sorted(act.values.items())))
    if key not in _MAX_DERIV_CACHE:
        z = np.linspace(-20, 20, 40001)
        _MAX_DERIV_CACHE[key] = float(np.max(np.abs(act.derivative(z))))
    return _MAX_DERIV_CACHE[key]


def saturated_fraction(net: Network, threshold: float = 0.05, X=None) -> np.ndarray:
    """Fraction of (example, unit) entries per hidden layer with ``|phi'(z)|`` below
    ``threshold`` times the activation's largest slope (chapter 8; the digits sweep of chapter 9).

    With ``X`` the network is first run on it in evaluation mode.
    """
    _maybe_forward(net, X)
    out = []
    for layer in net.layers[:-1]:
        d = derivatives(layer)
        if d is None:
            out.append(np.nan)
            continue
        top = max_derivative(layer.act) if layer.act.elementwise else 1.0
        out.append(float(np.mean(np.abs(d) < threshold * top)))
    return np.array(out)


def activation_stats(net: Network, X=None) -> dict:
    """Mean and standard deviation of ``z`` and ``a`` in every layer (chapter 7, exercise 7.4).

    Returns a dict of arrays, one entry per layer: ``z_mean``, ``z_std``, ``a_mean``,
    ``a_std``, and ``a_zero`` (fraction of activations exactly 0).
    """
    _maybe_forward(net, X)
    stats = {k: [] for k in ("z_mean", "z_std", "a_mean", "a_std", "a_zero")}
    for layer in net.layers:
        z = layer.z.astype(np.float64)
        a = layer.a.astype(np.float64)
        stats["z_mean"].append(z.mean())
        stats["z_std"].append(z.std())
        stats["a_mean"].append(a.mean())
        stats["a_std"].append(a.std())
        stats["a_zero"].append(np.mean(a == 0))
    return {k: np.array(v) for k, v in stats.items()}


def _maybe_forward(net, X):
    if X is not None:
        was, net.training = net.training, False
        try:
            net.forward(X)
        finally:
            net.training = was
    elif net.layers[0].z is None:
        raise RuntimeError("run the network on a batch first, or pass X")


class Recorder:
    """A ``fit`` callback that records diagnostics every ``every`` steps (chapters 4, 8, 9).

    >>> rec = Recorder(every=10)                                   # doctest: +SKIP
    >>> net.fit(X, y, epochs=3, callback=rec)                      # doctest: +SKIP
    >>> rec.arrays()["grad_W"].shape                               # (records, layers)

    Records ``step``, ``loss``, ``delta`` and ``grad_W`` norms and ``relative`` gradients per
    layer (:func:`layer_norms`), and, if ``units=True``, ``dead`` and ``saturated`` fractions
    per hidden layer measured on the training batch of that step.
    """

    def __init__(self, every: int = 1, units: bool = True, threshold: float = 0.05):
        self.every, self.units, self.threshold = every, units, threshold
        self.records = {k: [] for k in ("step", "loss", "delta", "grad_W", "relative",
                                        "dead", "saturated")}

    def __call__(self, net, info):
        if info["step"] % self.every:
            return None
        r = self.records
        norms = layer_norms(net)
        r["step"].append(info["step"])
        r["loss"].append(info["loss"])
        for k in ("delta", "grad_W", "relative"):
            r[k].append(norms[k])
        if self.units:
            r["dead"].append(dead_fraction(net))
            r["saturated"].append(saturated_fraction(net, self.threshold))
        return None

    def arrays(self) -> dict:
        """The records as numpy arrays, shape ``(n_records,)`` or ``(n_records, n_layers)``."""
        return {k: np.array(v) for k, v in self.records.items() if v}
