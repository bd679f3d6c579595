"""Cross-check of the engine against PyTorch: the same small network, the same weights,
the same batch; losses and every gradient must agree (float64, relative error < 1e-8).

PyTorch is a benchmark/reference-only dependency (``requirements-bench.txt``); without it
these tests are skipped.
"""
import numpy as np
import pytest

torch = pytest.importorskip(
    "torch", reason="PyTorch is not installed (pip install -r requirements-bench.txt); "
                    "the engine is still checked against finite differences")

from actbook.activations import get  # noqa: E402
from actbook.gradcheck import relative_error  # noqa: E402
from actbook.network import Network  # noqa: E402

TOL = 1e-8
F = torch.nn.functional

TORCH_ACTS = {
    "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": F.relu,
    "leaky_relu": lambda z: F.leaky_relu(z, 0.01), "elu": F.elu, "selu": F.selu,
    "softplus": F.softplus, "swish": F.silu, "mish": F.mish, "gelu": F.gelu,
    "gelu_tanh": lambda z: F.gelu(z, approximate="tanh"), "hard_tanh": F.hardtanh,
}


def _data(seed=0, N=16, d=5, C=4):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(N, d)), rng.integers(0, C, N), rng.normal(size=(N, C))


def _torch_params(net):
    return [(torch.tensor(l.W, requires_grad=True), torch.tensor(l.b, requires_grad=True))
            for l in net.layers]


@pytest.mark.parametrize("name", sorted(TORCH_ACTS))
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_gradients_match_pytorch(name, loss):
    X, y, T = _data()
    output = "softmax" if loss == "cross_entropy" else "identity"
    net = Network([5, 7, 6, 4], activation=name, output=output, loss=loss, init="xavier",
                  dtype=np.float64, seed=1)
    ours = net.loss(X, y if loss == "cross_entropy" else T)
    net.backward()

    params = _torch_params(net)
    a = torch.tensor(X)
    for i, (W, b) in enumerate(params):
        z = a @ W.T + b
        a = TORCH_ACTS[name](z) if i < len(params) - 1 else z
    if loss == "cross_entropy":
        ref = F.cross_entropy(a, torch.tensor(y))
    else:  # the book's MSE: (1/N) sum_n (1/2)||a_n - t_n||^2
        ref = 0.5 * ((a - torch.tensor(T)) ** 2).sum(dim=1).mean()
    ref.backward()
    assert ours == pytest.approx(ref.item(), rel=1e-12)
    for layer, (W, b) in zip(net.layers, params):
        assert relative_error(layer.grad_W, W.grad.numpy()) < TOL, name
        assert relative_error(layer.grad_b, b.grad.numpy()) < TOL, name


def test_batch_norm_and_prelu_match_pytorch():
    X, y, _ = _data(N=32)
    net = Network([5, 7, 6, 4], activation="prelu", batch_norm=True,
                  learn_activation_params=True, dtype=np.float64, seed=2)
    for l in net.layers[:-1]:
        l.act_params["slope"][:] = np.linspace(0.1, 0.4, l.W.shape[0])
        l.bn.gamma[:] = np.linspace(0.8, 1.2, l.W.shape[0])
    net.train_mode()
    ours = net.loss(X, y)
    net.backward()

    params = _torch_params(net)
    bns, prelus = [], []
    for l in net.layers[:-1]:
        bn = torch.nn.BatchNorm1d(l.W.shape[0], eps=l.bn.eps, dtype=torch.float64)
        with torch.no_grad():
            bn.weight.copy_(torch.tensor(l.bn.gamma))
        pr = torch.nn.PReLU(l.W.shape[0], dtype=torch.float64)
        with torch.no_grad():
            pr.weight.copy_(torch.tensor(l.act_params["slope"]))
        bns.append(bn); prelus.append(pr)
    a = torch.tensor(X)
    for i, (W, b) in enumerate(params):
        z = a @ W.T + b
        a = prelus[i](bns[i](z)) if i < len(bns) else z
    ref = F.cross_entropy(a, torch.tensor(y))
    ref.backward()
    assert ours == pytest.approx(ref.item(), rel=1e-12)
    for l, (W, _), bn, pr in zip(net.layers, params, bns, prelus):
        assert relative_error(l.grad_W, W.grad.numpy()) < TOL
        assert relative_error(l.bn.grad_gamma, bn.weight.grad.numpy()) < TOL
        assert relative_error(l.bn.grad_beta, bn.bias.grad.numpy()) < TOL
        assert relative_error(l.grad_params["slope"], pr.weight.grad.numpy()) < TOL
        # running statistics updated the same way
        np.testing.assert_allclose(l.bn.running_var, bn.running_var.numpy(), rtol=1e-12)
        np.testing.assert_allclose(l.bn.running_mean, bn.running_mean.numpy(), rtol=1e-12, atol=1e-15)


def test_sgd_momentum_trajectory_matches_pytorch():
    """Five steps of SGD with momentum. The reference uses PyTorch's formulation of momentum
    (``buf = mu buf + g; p -= lr buf``, as in ``torch.optim.SGD``, written out here because
    creating a ``torch.optim`` optimiser imports the compiler stack, 15 s on a busy machine);
    the engine's ``v = mu v - lr g; p += v`` must give the same trajectory."""
    X, y, _ = _data(N=40)
    net = Network([5, 8, 4], activation="tanh", dtype=np.float64, seed=3)
    params = [p for pair in _torch_params(net) for p in pair]
    bufs = [torch.zeros_like(p) for p in params]
    for step in range(5):
        net.loss(X, y); net.backward(); net.step(lr=0.2, momentum=0.9)
        for p in params:
            p.grad = None
        W1, b1, W2, b2 = params
        F.cross_entropy(torch.tanh(torch.tensor(X) @ W1.T + b1) @ W2.T + b2,
                        torch.tensor(y)).backward()
        with torch.no_grad():
            for p, buf in zip(params, bufs):
                buf.mul_(0.9).add_(p.grad)
                p.sub_(0.2 * buf)
    np.testing.assert_allclose(net.layers[0].W, params[0].detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(net.layers[1].b, params[3].detach().numpy(), rtol=1e-10, atol=1e-14)
