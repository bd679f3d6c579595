"""A small multilayer network in numpy, with hand-written backpropagation (chapter 2).

The whole engine is this file plus :mod:`actbook.layers` (forward and backward of one layer),
:mod:`actbook.losses` (the losses) and :mod:`actbook.init` (initialisations). Shapes follow
the book's maths with examples in rows:

* ``X`` is ``(N, d)``; layer ``l`` has ``W`` of shape ``(n_l, n_{l-1})`` and ``b`` of ``(n_l,)``;
* forward: ``z = a_prev @ W.T + b``, ``a = phi(z)``;
* backward: ``delta^(l) = (delta^(l+1) @ W^(l+1)) * phi'(z^(l))``, the row form of
  ``(W^T delta) * phi'(z)``; ``grad_W = delta.T @ a_prev / N``; ``grad_b = mean(delta)``.

The loss is the **batch mean** of the per-example losses, so ``grad_W`` and ``grad_b`` are
gradients of the mean, and each row of ``delta`` is one example's ``dl_n/dz_n``.

>>> import numpy as np
>>> net = Network([2, 8, 2], activation="tanh", seed=0)
>>> X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]]); y = np.array([0, 1, 1, 0])
>>> loss = net.loss(X, y); net.backward(); net.step(lr=0.5)
>>> [layer.grad_W.shape for layer in net.layers]
[(8, 2), (2, 8)]
"""
from __future__ import annotations

import math
import sys
import time

import numpy as np

from .activations import Activation, get
from .init import INITS, init_weights
from .layers import Dense
from .losses import LOSSES, output_loss
from .validation import (LabelError, NetworkError, NonFiniteError, ShapeError, check_input,
                         check_labels, check_step_args, check_targets, whole_number)

__all__ = ["Network", "NetworkError", "ShapeError", "LabelError", "NonFiniteError",
           "clip_by_value", "clip_by_norm", "global_norm"]


# ---------------------------------------------------------------------------------------------
# Gradient clipping (chapter 8)
# ---------------------------------------------------------------------------------------------
def global_norm(grads, ord=2) -> float:
    """The norm of all gradient arrays taken together as one long vector (chapter 8).

    ``ord=2``: Euclidean length; ``ord=1``: sum of absolute values; ``ord=np.inf``:
    the largest absolute entry.
    """
    if ord == 2:
        return math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
    if ord == 1:
        return sum(float(np.abs(g).sum()) for g in grads)
    if ord in (np.inf, "inf"):
        return max(float(np.abs(g).max()) for g in grads)
    raise ValueError(f"clip_ord must be 1, 2 or np.inf, got {ord!r}")


def clip_by_value(grads, clip_value: float) -> None:
    """Clip every gradient entry to ``[-clip_value, clip_value]`` in place.

    Cheap, but it changes the gradient's *direction* whenever some entries
    are clipped (chapter 8).
    """
    for g in grads:
        np.clip(g, -clip_value, clip_value, out=g)


def clip_by_norm(grads, max_norm: float, ord=2) -> float:
    """Rescale all gradients together, in place, so their global norm is
    at most ``max_norm``.

    Keeps the direction of the update and bounds its size (chapter 8).
    Returns the norm before clipping.
    """
    norm = global_norm(grads, ord)
    if norm > max_norm:
        scale = max_norm / (norm + 1e-12)
        for g in grads:
            g *= scale
    return norm


# ---------------------------------------------------------------------------------------------
# The network
# ---------------------------------------------------------------------------------------------
class Network:
    """A fully connected feed-forward network trained by backpropagation (chapter 2).

    Parameters
    ----------
    sizes : list of int
        ``[d, n_1, ..., n_D]``: input width, hidden widths, output width (``D`` layers of weights).
    activation : str, Activation or list
        Hidden-layer activation (a registry name such as ``"relu"``, an
        :class:`~actbook.activations.Activation` such as ``get("leaky_relu", slope=0.1)``, or
        one per hidden layer).
    output, loss : str
        ``"softmax"`` with ``"cross_entropy"`` (fused, gradient ``p - y``); ``"sigmoid"`` with
        ``"binary_cross_entropy"`` (fused); any output activation with ``"mse"``.
    init : str or callable
        ``"xavier"`` (= ``"glorot"``, uniform), ``"xavier_normal"``, ``"he"`` (normal;
        leaky-ReLU/PReLU/RReLU layers get the leaky gain), ``"he_uniform"``, ``"lecun"``,
        ``"normal"`` (std ``init_scale``, default 1) or ``f(n_out, n_in, rng)``; see
        :mod:`actbook.init` (chapter 7). ``init_scale`` multiplies the std of the others.
        Maxout and gated units (GLU, SwiGLU, ...; chapter 5) draw ``W`` for all their
        pre-activations (``k n`` or ``2 n`` rows) by the same rule, with that fan-out.
    batch_norm, residual : bool or list of bool
        Batch normalisation / a skip connection for hidden layers (chapter 8). A residual
        connection needs the layer to keep its width; ``residual=True`` adds one to every
        hidden layer that does.
    learn_activation_params : bool
        Learn PReLU's slope / swish's beta (one per unit) with the weights.
    dtype : np.float32 or np.float64
        Every array of the network has this type.
    seed : int
        Seeds initialisation, shuffling and RReLU's random slopes.
    """

    def __init__(self, sizes, activation="relu", output="softmax", loss="cross_entropy",
                 init="he", init_scale=None, batch_norm=False, residual=False,
                 learn_activation_params=False, dtype=np.float32, seed=0):
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ShapeError(f"sizes must list at least an input and an output width, all >= 1; "
                             f"got {sizes}")
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise TypeError(f"dtype must be float32 or float64, got {self.dtype}")
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; choose one of {sorted(LOSSES)}")
        fused = LOSSES[loss]
        out_act = get(output)
        if fused is not None and out_act.name != fused:
            raise ValueError(f"loss {loss!r} is computed together with a {fused} output; "
                             f"got output={output!r}. Use output={fused!r} or loss='mse'")
        if not (callable(init) or init in INITS):
            raise ValueError(f"unknown init {init!r}; choose one of {sorted(INITS)} or a callable")
        n_hidden = len(sizes) - 2
        acts = [get(a) for a in self._per_layer(activation, n_hidden, "activation")]
        bns = self._per_layer(batch_norm, n_hidden, "batch_norm")
        res = self._per_layer(residual, n_hidden, "residual")

        self.sizes, self.loss_name, self.init = sizes, loss, init
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.training = True
        self.steps_done = 0
        self.layers = []
        for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            hidden = l < n_hidden
            act = acts[l] if hidden else out_act
            n_z = _pre_activations(act, n_out)
            W = init_weights(init, n_z, n_in, self.rng, self.dtype, scale=init_scale,
                             gain=act.he_gain())
            b = np.zeros(n_z, dtype=self.dtype)
            self.layers.append(Dense(
                W, b, act, batch_norm=hidden and bool(bns[l]),
                residual=hidden and bool(res[l]) and n_in == n_out,
                learn_params=hidden and learn_activation_params))
        self._velocity = {}

    @staticmethod
    def _per_layer(value, n, what):
        if isinstance(value, (list, tuple)):
            if len(value) != n:
                raise ShapeError(f"{what}: got a list of {len(value)} entries for {n} hidden layers")
            return list(value)
        return [value] * n

    # -- forward -------------------------------------------------------------------------------
    def _forward(self, X):
        a = X
        for i, layer in enumerate(self.layers):
            try:
                a = layer.forward(a, training=self.training, rng=self.rng)
            except ValueError as err:  # e.g. a weight matrix replaced by one of the wrong shape
                raise ShapeError(f"layer {i + 1} ({layer!r}, W {layer.W.shape}, b {layer.b.shape}) "
                                 f"cannot take input of shape {a.shape}: {err}") from err
        return a

    def forward(self, X):
        """Run the network on ``X`` (N, d) and return the output activations (N, n_D).

        Every layer keeps its ``a_prev``, ``z`` and ``a`` for a following :meth:`backward`.
        """
        return self._forward(self._inputs(X))

    __call__ = forward

    # -- loss ----------------------------------------------------------------------------------
    def _loss(self, X, Y):
        """Forward pass and the batch-mean loss; keeps the output layer's error for
        :meth:`backward`."""
        self._forward(X)
        loss, self._delta_out = output_loss(self.loss_name, self.layers[-1], Y)
        return loss

    def loss(self, X, Y) -> float:
        """Forward pass on ``X`` and the **batch-mean** loss against ``Y`` (chapter 2).

        ``Y``: integer labels ``(N,)`` for cross-entropy, targets ``(N, n_out)`` otherwise
        (integer labels are accepted there too and become one-hot rows).
        """
        X = self._inputs(X)
        return self._loss(X, self._targets(Y, X.shape[0]))

    # -- backward ------------------------------------------------------------------------------
    def backward(self):
        """Backpropagate the loss of the last :meth:`loss` call (chapter 2).

        Fills every layer's ``delta``, ``grad_W`` and ``grad_b`` (and
        batch-norm and activation-parameter gradients): gradients of the
        batch-mean loss.
        """
        if not hasattr(self, "_delta_out"):
            raise RuntimeError("call net.loss(X, Y) before net.backward()")
        last = self.layers[-1]
        grad = last.backward_delta(self._delta_out,
                                   need_grad_input=len(self.layers) > 1)
        for i in range(len(self.layers) - 2, -1, -1):
            grad = self.layers[i].backward(grad, need_grad_input=i > 0)

    # -- parameters and the update -------------------------------------------------------------
    def parameters(self):
        """``[(name, array), ...]`` for every trainable array, e.g. ``("layer2.W", W)`` (chapter 2)."""
        return [(f"layer{i + 1}.{k}", v) for i, layer in enumerate(self.layers)
                for k, v in layer.parameters().items()]

    def gradients(self):
        """``[(name, grad), ...]`` in the order of :meth:`parameters` (chapter 2)."""
        return [(f"layer{i + 1}.{k}", g) for i, layer in enumerate(self.layers)
                for k, g in layer.gradients().items()]

    def step(self, lr=0.1, momentum=0.0, clip_norm=None, clip_value=None,
             clip_ord=2):
        """One gradient-descent update from the current gradients (chapter 2).

        With momentum coefficient ``rho`` (``momentum``; notation.md):
        ``v <- rho v - lr g``, ``theta <- theta + v`` (plain SGD when
        ``rho = 0``). Gradients are first clipped by value
        and/or by global norm (``clip_ord`` 1, 2 or ``np.inf``; chapter 8).
        Returns the gradients' global norm before clipping by norm (``None``
        without ``clip_norm``).
        """
        check_step_args(lr, momentum)
        norm = self._clip(clip_value, clip_norm, clip_ord)
        for key, theta, g in self._parameters_and_gradients():
            if momentum:  # v <- rho v - lr g, then theta <- theta + v
                v = self._velocity.get(key)
                if v is None:
                    v = self._velocity[key] = np.zeros_like(theta)
                v *= momentum
                v -= lr * g
                theta += v
            else:
                theta -= lr * g  # the update: theta <- theta - lr g
        self._keep_activation_params_in_range()
        self.steps_done += 1
        return norm

    def _parameters_and_gradients(self):
        for i, layer in enumerate(self.layers):
            for k, theta, g in layer.parameters_and_gradients():
                yield (i, k), theta, g

    def _clip(self, clip_value, clip_norm, clip_ord):
        """Clip every gradient in place (chapter 8); the global norm before
        clipping by norm, or ``None``."""
        if clip_value is None and clip_norm is None:
            return None
        grads = [g for _, g in self.gradients()]
        if clip_value is not None:
            clip_by_value(grads, clip_value)
        if clip_norm is not None:
            return clip_by_norm(grads, clip_norm, clip_ord)
        return None

    def _keep_activation_params_in_range(self):
        """Learned activation parameters (PReLU's slope, swish's beta) stay
        inside their valid range (chapter 4)."""
        for layer in self.layers:
            for k, p in layer.act_params.items():
                spec = layer.act.params[k]
                np.clip(p, spec.low, spec.high, out=p)

    # -- modes ---------------------------------------------------------------------------------
    def train_mode(self):
        """Training behaviour: RReLU samples slopes, batch norm uses batch statistics (chapters 4, 8)."""
        self.training = True
        return self

    def eval_mode(self):
        """Evaluation behaviour: RReLU uses its mean slope, batch norm its running averages (chapters 4, 8)."""
        self.training = False
        return self

    # -- prediction ----------------------------------------------------------------------------
    def predict(self, X, batch_size=4096):
        """Output activations in evaluation mode (class probabilities for softmax; chapter 2)."""
        X = self._inputs(X)
        was_training, self.training = self.training, False
        try:
            return np.concatenate([self._forward(X[i:i + batch_size])
                                   for i in range(0, max(len(X), 1), batch_size)])
        finally:
            self.training = was_training

    def accuracy(self, X, y) -> float:
        """Fraction of rows whose largest output is the label (one output: threshold 0.5; chapter 2).

        ``y``: labels ``(N,)`` in ``0 .. n_classes-1`` or one-hot rows; other labels raise
        :class:`LabelError` or :class:`ShapeError`, as :meth:`loss` does.
        """
        out = self.predict(X)
        y = check_labels(y, out.shape[0], self.layers[-1].n_out)
        pred = (out[:, 0] > 0.5).astype(int) if out.shape[1] == 1 else out.argmax(axis=1)
        return float(np.mean(pred == y))

    # -- training ------------------------------------------------------------------------------
    def fit(self, X, y, epochs=1, batch_size=32, lr=0.1, momentum=0.0, X_val=None, y_val=None,
            progress=True, callback=None, clip_norm=None, clip_value=None, clip_ord=2,
            shuffle=True, eval_every=None, on_nonfinite="raise"):
        """Mini-batch SGD with momentum (chapter 2). Returns a history dict.

        Each epoch visits the examples in a new random order (from the network's seed), in
        batches of ``batch_size``. The history holds ``loss`` (each step), ``epoch_loss``
        (mean per epoch), ``val_accuracy`` with the step counts ``val_step`` at which it
        was measured (after each epoch, and every ``eval_every`` steps if given),
        ``seconds`` per epoch, and ``callback``: whatever ``callback(net, info)`` returned
        at each step, when not ``None`` (``info`` has ``step``, ``epoch``, ``loss``,
        ``grad_norm``). A progress bar is shown when ``progress`` is true and the output is
        a terminal (``progress="always"`` forces it).

        If the loss becomes NaN or infinite, ``on_nonfinite="raise"`` raises
        :class:`NonFiniteError` naming the epoch and step; ``"stop"`` ends training and
        records the step in ``history["diverged_at"]`` (the NaN loss is not recorded).
        """
        epochs = whole_number(epochs, "epochs", 0)
        batch_size = whole_number(batch_size, "batch_size", 1)
        check_step_args(lr, momentum)
        if eval_every is not None:
            eval_every = whole_number(eval_every, "eval_every", 1)
        X = self._inputs(X)
        y = self._targets(y, X.shape[0])
        if X_val is not None:
            X_val = self._inputs(X_val)
            y_val = self._targets(y_val, X_val.shape[0])
        if on_nonfinite not in ("raise", "stop"):
            raise ValueError("on_nonfinite must be 'raise' or 'stop'")
        N = X.shape[0]
        hist = {"loss": [], "epoch_loss": [], "val_accuracy": [], "val_step": [], "seconds": [],
                "callback": [], "diverged_at": None}
        n_batches = math.ceil(N / batch_size)
        show = progress == "always" or (progress and sys.stderr.isatty())
        bar = None
        if show:
            from tqdm.auto import tqdm
            bar = tqdm(total=epochs * n_batches, unit="step", leave=False)
        was_training = self.training
        try:
            for epoch in range(epochs):
                self.training = True
                t0 = time.perf_counter()
                order = self.rng.permutation(N) if shuffle else np.arange(N)
                losses = []
                for start in range(0, N, batch_size):
                    idx = order[start:start + batch_size]
                    loss = self._loss(X[idx], y[idx])
                    if not math.isfinite(loss):
                        msg = (f"loss became {loss} at epoch {epoch + 1}, step {self.steps_done + 1}"
                               f" (lr={lr}){self._nonfinite_hint()}")
                        if on_nonfinite == "raise":
                            raise NonFiniteError(msg)
                        hist["diverged_at"] = self.steps_done + 1
                        hist["diverged_message"] = msg
                        return hist
                    self.backward()
                    norm = self.step(lr, momentum, clip_norm, clip_value, clip_ord)
                    losses.append(loss)
                    if callback is not None:
                        self.training = False  # diagnostics see the network as it is used
                        out = callback(self, {"step": self.steps_done, "epoch": epoch + 1,
                                              "loss": loss, "grad_norm": norm})
                        self.training = True
                        if out is not None:
                            hist["callback"].append(out)
                    if eval_every and X_val is not None and self.steps_done % eval_every == 0:
                        hist["val_accuracy"].append(self.accuracy(X_val, y_val))
                        hist["val_step"].append(self.steps_done)
                    if bar is not None:
                        bar.update(1)
                        bar.set_postfix(epoch=epoch + 1, loss=f"{loss:.4f}", refresh=False)
                hist["loss"].extend(losses)
                hist["epoch_loss"].append(float(np.mean(losses)))
                hist["seconds"].append(time.perf_counter() - t0)
                if X_val is not None and not (eval_every and self.steps_done % eval_every == 0):
                    hist["val_accuracy"].append(self.accuracy(X_val, y_val))
                    hist["val_step"].append(self.steps_done)
        finally:
            self.training = was_training
            if bar is not None:
                bar.close()
        return hist

    def _nonfinite_hint(self):
        for i, layer in enumerate(self.layers):
            for k, p in layer.parameters().items():
                if not np.isfinite(p).all():
                    return (f"; layer {i + 1} ({layer.act.name}) has non-finite {k}: lower the "
                            f"learning rate or clip the gradients")
        return "; the weights are still finite (the outputs overflowed): lower the learning rate"

    # -- checked arguments (actbook.validation) -------------------------------------------------
    def _inputs(self, X):
        return check_input(X, self.sizes[0], self.dtype)

    def _targets(self, Y, N):
        return check_targets(Y, N, self.layers[-1].n_out, self.loss_name, self.dtype)

    def __repr__(self):
        body = "\n".join(f"  {i + 1}: {layer!r}" for i, layer in enumerate(self.layers))
        return f"Network({self.sizes}, loss={self.loss_name!r}, dtype={self.dtype.name})\n{body}"


def _pre_activations(act: Activation, n_units: int) -> int:
    """Number of pre-activations a layer of ``n_units`` outputs needs: the activation says
    how many each unit consumes (1; ``k`` for maxout; 2 for a gated unit such as SwiGLU,
    whose value half and gate half are the first and second ``n_units`` rows of ``W``)."""
    return int(act.pre_activations_per_unit()) * n_units
