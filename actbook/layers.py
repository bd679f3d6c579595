"""The layers of the network engine, each backward written next to its forward.

A :class:`Dense` layer computes, for a batch whose rows are examples,

    z = a_prev @ W.T + b          (N, n_out) = (N, n_in) @ (n_in, n_out) + (n_out,)
    a = phi(z)                    the activation, from the registry

and its backward pass, given ``grad_a`` (the derivative of the loss with respect to ``a``),

    delta  = grad_a * phi'(z)     (N, n_out)   via ``act.layer_backward``
    grad_W = delta.T @ a_prev / N (n_out, n_in)  the shape of W
    grad_b = mean of delta over the batch
    grad_a_prev = delta @ W       (N, n_in)    the row form of W^T delta

Scaling convention: ``delta`` holds ``N * dL/dz``, where ``L`` is the **batch mean** of the
per-example losses. Without batch normalisation each row of ``delta`` is then simply the
per-example derivative ``dl_n/dz_n`` (examples do not interact), and the ``1/N`` of the
mean appears once, in ``grad_W`` and ``grad_b``. Introduced in chapter 2.

Two options come from chapter 8:

* **batch normalisation** (:class:`BatchNorm`) between the linear map and the activation:
  ``z_lin = a_prev @ W.T + b``, ``z = gamma * (z_lin - mean) / sqrt(var + eps) + beta``;
  then ``z`` is what the activation sees, ``delta`` is taken with respect to it, and
  ``delta_lin`` (with respect to ``z_lin``) forms ``grad_W``. The bias ``b`` is then
  redundant (subtracting the batch mean removes it, and ``grad_b`` is zero up to rounding):
  ``beta`` does its job, and ``b`` stays at 0, left out of :meth:`Dense.parameters`.
* a **residual connection** ``a = phi(z) + a_prev`` when the layer keeps the width; its
  backward adds ``grad_a`` straight through to ``grad_a_prev``.
"""
from __future__ import annotations

import numpy as np

__all__ = ["BatchNorm", "Dense"]


def _times_w_transposed(a, W):
    """``a @ W.T``, the forward product of :meth:`Dense.forward`. In float32, for a batch of
    fewer than half as many rows as ``W`` has, it is computed as ``(W @ a.T).T``: the same
    product, which OpenBLAS computes faster there (``benchmarks/bench_forward_product.py``
    times both ways); its last bits may differ on some BLAS kernels, as they differ from
    kernel to kernel anyway."""
    if W.dtype == np.float32 and 2 * a.shape[0] < W.shape[0]:
        return np.ascontiguousarray((W @ a.T).T)
    return a @ W.T


def _batch_mean_var(z):
    """``(z.mean(axis=0), z.var(axis=0), z - mean)``: numpy's numbers (the same steps as its
    ``mean`` and ``var``, the mean computed once), without their per-call overhead; the
    engine's hot path."""
    n = np.intp(z.shape[0])
    mean = np.add.reduce(z, axis=0, keepdims=True)
    np.true_divide(mean, n, out=mean, casting="unsafe")
    centred = np.subtract(z, mean)
    var = np.add.reduce(np.square(centred), axis=0)
    np.true_divide(var, n, out=var, casting="unsafe")
    return mean[0], var, centred


class BatchNorm:
    """Batch normalisation of each unit over the batch.

    Chapter 8; Ioffe and Szegedy, 2015.

    Training: ``z_hat = (z_lin - mean) / sqrt(var + eps)`` with the batch
    mean ``mean`` and the (biased) batch variance ``var`` of each unit;
    output ``gamma * z_hat + beta``. Running averages of ``mean`` and
    ``var`` (``momentum`` = weight of the new batch, not SGD's momentum)
    replace them in evaluation mode, so a prediction does not depend on
    the other examples in its batch.
    """

    def __init__(self, n: int, dtype=np.float32, eps: float = 1e-5,
                 momentum: float = 0.1):
        self.gamma = np.ones(n, dtype=dtype)
        self.beta = np.zeros(n, dtype=dtype)
        self.running_mean = np.zeros(n, dtype=dtype)
        self.running_var = np.ones(n, dtype=dtype)
        self.eps, self.momentum = eps, momentum
        self.grad_gamma = np.zeros_like(self.gamma)
        self.grad_beta = np.zeros_like(self.beta)

    def forward(self, z_lin: np.ndarray, training: bool) -> np.ndarray:
        if training:
            # z_lin.mean(axis=0), z_lin.var(axis=0) and z_lin - mean
            mean, var, centred = _batch_mean_var(z_lin)
            w = self.momentum  # the new batch's weight in the averages
            N = z_lin.shape[0]
            self.running_mean = (1 - w) * self.running_mean + w * mean
            # the running variance uses the unbiased estimate, as PyTorch does
            self.running_var = ((1 - w) * self.running_var
                                + w * var * (N / max(N - 1, 1)))
        else:
            var, centred = self.running_var, z_lin - self.running_mean
        self.training = training
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.z_hat = centred * self.inv_std
        return self.gamma * self.z_hat + self.beta

    def backward(self, delta: np.ndarray) -> np.ndarray:
        """Given ``delta = N dL/dz`` (after BN), set ``grad_gamma``,
        ``grad_beta`` and return ``delta_lin = N dL/dz_lin``.

        In training, every ``z_hat`` depends on the whole batch through
        ``mean`` and ``var``; differentiating through both gives, per unit,
        with ``g = delta``::

            delta_lin = (gamma * inv_std
                         * (g - mean(g) - z_hat * mean(g * z_hat)))

        (the two means remove what flows back through ``mean`` and
        ``var``; they are also the gradients of ``beta`` and ``gamma``,
        so each is computed once).
        """
        N = delta.shape[0]
        # the batch means of delta * z_hat and of delta, which are the
        # gradients of gamma and beta
        self.grad_gamma = np.add.reduce(delta * self.z_hat, axis=0) / N
        self.grad_beta = np.add.reduce(delta, axis=0) / N
        if not self.training:
            return delta * (self.gamma * self.inv_std)
        return ((self.gamma * self.inv_std)
                * (delta - self.grad_beta - self.z_hat * self.grad_gamma))


class Dense:
    """A fully connected layer and its activation (chapter 2).

    Attributes after a forward and backward pass: ``W`` (n_z, n_in), ``b`` (n_z,),
    ``a_prev``, ``z``, ``a``, ``delta``, ``grad_W``, ``grad_b``; ``act_params`` and
    ``grad_params`` for learned activation parameters (one value per unit); ``bn`` (a
    :class:`BatchNorm` or ``None``) with ``z_lin`` and ``delta_lin``. ``n_z`` is the number
    of pre-activations: the number of units, times ``k`` for maxout and 2 for a gated unit.
    """

    def __init__(self, W, b, act, *, batch_norm=False, residual=False, learn_params=False):
        self.W, self.b, self.act = W, b, act
        self.bn = BatchNorm(W.shape[0], dtype=W.dtype) if batch_norm else None
        self.residual = residual
        # learned activation parameters: one value per unit, started at the activation's value
        names = act.learnable if learn_params else ()
        self.act_params = {k: np.full(W.shape[0], act.values[k], dtype=W.dtype) for k in names}
        self.grad_params = {k: np.zeros_like(v) for k, v in self.act_params.items()}
        self.z = self.a = self.delta = None
        self.grad_W, self.grad_b = np.zeros_like(W), np.zeros_like(b)

    @property
    def n_in(self) -> int:
        return self.W.shape[1]

    @property
    def n_out(self) -> int:
        """Number of activations this layer outputs."""
        return self.act.out_features(self.W.shape[0])

    def forward(self, a_prev, training=False, rng=None):
        """``z = a_prev @ W.T + b`` (then batch norm, if any),
        ``a = phi(z)`` (+ ``a_prev``); chapter 2."""
        self.a_prev = a_prev
        z = _times_w_transposed(a_prev, self.W)  # a_prev @ W.T
        # in place: the product is a new array, so no second (N, n_z)
        # array is made
        z += self.b
        if self.bn is not None:
            self.z_lin = z
            z = self.bn.forward(z, training)
        self.z = z
        a, self.cache = self.act.layer_forward(z, training=training, rng=rng,
                                               **self.act_params)
        if self.residual:
            a = a + a_prev
        self.a = a
        return a

    def backward(self, grad_a, need_grad_input=True):
        """From ``grad_a`` (N, n_out): ``delta = grad_a * phi'(z)``, then
        :meth:`backward_delta` (chapter 2)."""
        delta = self.act.layer_backward(self.cache, grad_a)
        if self.act_params:
            N = grad_a.shape[0]
            grads = self.act.layer_param_grads(self.cache, grad_a)
            self.grad_params = {k: grads[k].sum(axis=0) / N
                                for k in self.act_params}
        grad_a_prev = self.backward_delta(delta, need_grad_input)
        if self.residual and need_grad_input:
            # the skip connection passes grad_a through unchanged
            grad_a_prev += grad_a
        return grad_a_prev

    def backward_delta(self, delta, need_grad_input=True):
        """From ``delta`` (N, n_z): the weight gradients and
        ``grad_a_prev = delta @ W`` (chapter 2)."""
        N = delta.shape[0]
        self.delta = delta
        if self.bn is not None:
            delta = self.delta_lin = self.bn.backward(delta)
        # the 1/N of the batch mean is applied to delta (N, n_z) rather
        # than to the product (n_z, n_in): the same numbers, one pass over
        # the smaller array
        scaled = delta * (1.0 / N)
        self.grad_W = scaled.T @ self.a_prev
        self.grad_b = np.add.reduce(scaled, axis=0)  # scaled.sum(axis=0)
        return delta @ self.W if need_grad_input else None

    # parameters and their gradients, by name (used by the optimiser and gradient checks)
    def parameters_and_gradients(self) -> list:
        """``[(name, array, gradient), ...]`` for every trainable array, the arrays themselves
        (not copies): ``W`` and ``b``; with batch norm ``W``, ``gamma`` and ``beta`` (``beta``
        replaces ``b``, whose gradient is then exactly zero); then learned activation
        parameters. What the update of chapter 2 walks through."""
        if self.bn is None:
            out = [("W", self.W, self.grad_W), ("b", self.b, self.grad_b)]
        else:
            bn = self.bn
            out = [("W", self.W, self.grad_W), ("gamma", bn.gamma, bn.grad_gamma),
                   ("beta", bn.beta, bn.grad_beta)]
        if self.act_params:
            out += [(k, v, self.grad_params[k]) for k, v in self.act_params.items()]
        return out

    def parameters(self) -> dict:
        """The layer's trainable arrays by name (the arrays themselves, not copies)."""
        return {k: v for k, v, _ in self.parameters_and_gradients()}

    def gradients(self) -> dict:
        """Gradients of the batch-mean loss, with the same names as :meth:`parameters`."""
        return {k: g for k, _, g in self.parameters_and_gradients()}

    def __repr__(self):
        extras = [s for s, on in (("batch norm", self.bn is not None),
                                  ("residual", self.residual)) if on]
        extras += [f"learned {k}" for k in self.act_params]
        extra = f", {', '.join(extras)}" if extras else ""
        return f"Dense({self.n_in} -> {self.n_out}, {self.act.name}{extra})"
