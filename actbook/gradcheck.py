"""Gradient checking by central finite differences (chapter 2; the elementwise form in chapter 1).

The central difference

    f'(x) ~ (f(x + h) - f(x - h)) / (2 h)

has two sources of error that pull the step size ``h`` in opposite directions:

* **truncation**: Taylor's theorem gives ``(f(x+h) - f(x-h)) / 2h = f'(x) + f'''(x) h**2 / 6 + ...``,
  an error of order ``h**2`` (the one-sided ``(f(x+h) - f(x)) / h`` is only of order ``h``);
* **rounding**: ``f`` is computed with relative precision ``eps`` (about ``1.1e-16`` in float64,
  ``6e-8`` in float32), so the numerator carries an error of about ``eps |f|``, which the
  division by ``2h`` amplifies to order ``eps / h``.

The total ``h**2 + eps / h`` is smallest near ``h ~ eps**(1/3)``: about ``1e-5`` in float64,
where the two errors are each around ``1e-10`` relative. In float32 the best achievable
relative error is only about ``1e-5``, so gradient checks are done in **float64**.

**Kinks.** At a point where ``f`` is not differentiable the check fails, correctly: for ReLU at
``z = 0`` the central difference straddles the kink and returns the average of the two slopes
(``1/2``), while the backward pass returns one of them. Any pre-activation within ``h`` of a
kink (``|z| < h`` for ReLU, leaky ReLU, PReLU, RReLU; ties between maxout pieces; ``|z| = 1`` for
hard tanh) can spoil a check; test inputs are kept away from kinks, or the check is repeated
with another random input.
"""
from __future__ import annotations

import numpy as np

__all__ = ["central_difference", "numerical_gradient", "numerical_jacobian", "relative_error", "check_network_gradients"]


def central_difference(f, z, h: float = 1e-5):
    """Derivative of an elementwise function ``f`` at every entry of ``z`` (chapter 1).

    ``(f(z + h) - f(z - h)) / (2 h)``, with error of order ``h**2``. ``f`` must act entry by
    entry (an activation, or a function of one scalar parameter); for a function that mixes
    entries use :func:`numerical_jacobian` or :func:`numerical_gradient`.
    """
    if not h > 0:
        raise ValueError(f"step h must be positive, got {h!r}")
    return (f(z + h) - f(z - h)) / (2 * h)


def numerical_jacobian(f, z, h: float = 1e-6) -> np.ndarray:
    """Central-difference Jacobian ``J[i, j] = d f_i / d z_j`` of a vector function (chapter 6).

    ``z`` is a 1-D array of length ``K`` and ``f(z)`` a 1-D array of length ``M``; column ``j``
    is ``(f(z + h e_j) - f(z - h e_j)) / 2h``, so the result has shape ``(M, K)``.
    """
    z = np.asarray(z, dtype=np.float64)
    if z.ndim != 1:
        raise ValueError(f"z must be a 1-D array, got shape {z.shape}")
    if not h > 0:
        raise ValueError(f"step h must be positive, got {h!r}")
    columns = []
    for j in range(z.size):
        e = np.zeros_like(z)
        e[j] = h
        f_plus, f_minus = np.asarray(f(z + e)), np.asarray(f(z - e))
        if f_plus.ndim != 1:
            raise ValueError(f"f must return a 1-D array, got shape {f_plus.shape}")
        columns.append((f_plus - f_minus) / (2 * h))
    return np.stack(columns, axis=1)


def numerical_gradient(f, x: np.ndarray, h: float = 1e-5,
                       indices=None) -> np.ndarray:
    """Central-difference gradient of a scalar function ``f()`` of the
    array ``x`` (chapter 2).

    ``x`` is perturbed **in place**, one entry at a time, and restored, so
    ``f`` may read ``x`` through a closure (for example a weight matrix of
    a network). ``indices``: an optional list of index tuples to check
    (others are left at 0), for large arrays.
    """
    grad = np.zeros(x.shape, dtype=np.float64)
    it = np.ndindex(*x.shape) if indices is None else indices
    for idx in it:
        old = x[idx]
        x[idx] = old + h
        f_plus = float(f())
        x[idx] = old - h
        f_minus = float(f())
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a, b, floor: float = 1e-12) -> float:
    """``||a - b|| / (||a|| + ||b||)`` over all entries (chapter 2).

    One number for a whole array, 0 when they agree and 1 when they point in opposite
    directions; ``floor`` keeps it defined when both are 0. Entrywise ratios are avoided on
    purpose: an entry that should be 0 makes them meaningless.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), floor))


def check_network_gradients(net, X, Y, h: float = 1e-5, training: bool = True,
                            max_entries: int | None = None, seed: int = 0) -> dict:
    """Compare every gradient of a network with central differences (chapter 2).

    Runs ``net.loss(X, Y)`` and ``net.backward()``, then perturbs each trainable array
    (``W``, ``b``, batch-norm ``gamma``/``beta``, learned activation parameters) and returns
    ``{"layer1.W": relative error, ...}``. Use a float64 network. ``training`` sets the
    mode (batch norm uses batch statistics in training); RReLU's random slopes are re-drawn
    from the same seed for every evaluation, so they cancel. ``max_entries`` checks a random
    subset of each array's entries (the rest is then excluded from both sides).
    """
    state = np.random.default_rng(seed).bit_generator.state
    was_training = net.training
    net.training = training
    rng_before = net.rng

    def loss():
        net.rng = np.random.default_rng()
        net.rng.bit_generator.state = state
        return net.loss(X, Y)

    # BN running statistics change at every training forward pass; keep them fixed
    saved_bn = [(l.bn.running_mean.copy(), l.bn.running_var.copy())
                for l in net.layers if l.bn is not None]
    try:
        loss()
        net.backward()
        analytic = {name: g.astype(np.float64).copy() for name, g in net.gradients()}
        sub = np.random.default_rng(seed + 1)
        errors = {}
        for name, p in net.parameters():
            idx = None
            if max_entries is not None and p.size > max_entries:
                flat = sub.choice(p.size, size=max_entries, replace=False)
                idx = [np.unravel_index(i, p.shape) for i in flat]
            num = numerical_gradient(loss, p, h, indices=idx)
            ana = analytic[name]
            if idx is not None:
                mask = np.zeros(p.shape, dtype=bool)
                for i in idx:
                    mask[i] = True
                num, ana = num[mask], ana[mask]
            errors[name] = relative_error(ana, num)
        return errors
    finally:
        net.training = was_training
        net.rng = rng_before
        bns = [l.bn for l in net.layers if l.bn is not None]
        for bn, (m, v) in zip(bns, saved_bn):
            bn.running_mean, bn.running_var = m, v
