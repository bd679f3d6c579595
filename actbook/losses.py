"""Loss functions of the network engine (chapter 2; softmax details in chapter 6).

Every loss is the **mean over the batch** of a per-example loss ``l_n``:
``L = (1/N) sum_n l_n``. Each function returns the loss and the per-example
derivative of ``l_n`` (so the ``1/N`` is applied once, when weight gradients are
formed: ``grad_W = delta.T @ a_prev / N``).

=========================  =========================================  ======================
loss                       per-example loss ``l_n``                   derivative returned
=========================  =========================================  ======================
softmax + cross-entropy    ``-log softmax(z_n)[y_n]``                 ``delta = p_n - onehot(y_n)``
sigmoid + binary CE        ``sum_j softplus(z) - t z``                ``delta = sigmoid(z_n) - t_n``
mean squared error         ``(1/2) ||a_n - t_n||^2``                  ``grad_a = a_n - t_n``
=========================  =========================================  ======================

The first two are *fused* with their output activation and take the logits ``z``:
the derivative with respect to ``z`` is then simply "prediction minus target",
and computing from logits avoids ``log(0)``. MSE takes the output ``a`` and returns
the derivative with respect to ``a``; the output activation's own derivative is
applied by the layer.
"""
from __future__ import annotations

import numpy as np

__all__ = ["log_softmax", "softmax_cross_entropy", "sigmoid_binary_cross_entropy",
           "mean_squared_error", "LOSSES"]


def log_softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise ``log softmax(z)``, stable for any finite ``z`` (chapter 6).

    Subtracting the row maximum changes nothing mathematically (softmax is
    invariant to adding a constant to every logit) but keeps every ``exp``
    at most 1.
    """
    z_shift = z - z.max(axis=1, keepdims=True)
    return z_shift - np.log(np.exp(z_shift).sum(axis=1, keepdims=True))


def softmax_cross_entropy(z: np.ndarray, y: np.ndarray):
    """Softmax output and cross-entropy loss, fused (chapter 2; derivation in chapter 6).

    ``z``: logits ``(N, C)``; ``y``: integer labels ``(N,)``. Returns ``(L, p, delta)``
    with ``L`` the batch-mean loss, ``p = softmax(z)`` and ``delta = p - onehot(y)``,
    the per-example derivative ``dl_n/dz_n``.
    """
    N = z.shape[0]
    log_p = log_softmax(z)
    rows = np.arange(N)
    loss = -log_p[rows, y].mean()
    p = np.exp(log_p)
    delta = p.copy()
    delta[rows, y] -= 1
    return float(loss), p, delta


def sigmoid_binary_cross_entropy(z: np.ndarray, t: np.ndarray):
    """Sigmoid output and binary cross-entropy, fused (chapter 2).

    ``z``: logits ``(N, C)``; ``t``: targets in [0, 1], same shape. Per example
    ``l_n = sum_j [softplus(z) - t z]`` (which equals ``-t log p - (1-t) log(1-p)``
    with ``p = sigmoid(z)``, written so that no ``log(0)`` can occur).
    Returns ``(L, p, delta)`` with ``delta = p - t``.
    """
    softplus = np.logaddexp(0, z)
    loss = (softplus - t * z).sum(axis=1).mean()
    p = np.exp(z - softplus)  # sigmoid(z) = exp(z - softplus(z)), never overflows
    return float(loss), p, p - t


def mean_squared_error(a: np.ndarray, t: np.ndarray):
    """Mean squared error (chapter 2): ``L = (1/N) sum_n (1/2) ||a_n - t_n||^2``.

    Returns ``(L, grad_a)`` with ``grad_a = a - t`` the per-example derivative
    ``dl_n/da_n``. (PyTorch's ``MSELoss`` averages over the outputs too and drops the
    1/2: it equals ``2 L / C`` for ``C`` outputs.)
    """
    diff = a - t
    return float(0.5 * (diff * diff).sum(axis=1).mean()), diff


#: Loss names the network accepts, with the output activation each is fused with
#: (``None``: any output activation).
LOSSES = {
    "cross_entropy": "softmax",
    "binary_cross_entropy": "sigmoid",
    "mse": None,
}


def output_loss(name: str, layer, t):
    """The batch-mean loss ``name`` of the output ``layer`` (after its forward pass) against
    targets ``t``, and the layer's error ``delta``: row ``n`` is ``dl_n / dz_n`` (chapter 2).

    Every loss hands back the same thing, the gradient with respect to the pre-activation
    ``z``: the fused losses compute it from the logits (``p - y``), and the mean squared
    error passes its ``dl/da = a - t`` through the output activation's own backward.
    """
    if name == "cross_entropy":
        loss, _, delta = softmax_cross_entropy(layer.z, t)
    elif name == "binary_cross_entropy":
        loss, _, delta = sigmoid_binary_cross_entropy(layer.z, t)
    elif name == "mse":
        loss, grad_a = mean_squared_error(layer.a, t)
        delta = layer.act.layer_backward(layer.cache, grad_a)
    else:
        raise ValueError(f"unknown loss {name!r}; choose one of {sorted(LOSSES)}")
    return loss, delta
