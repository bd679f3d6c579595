"""Speed of the book's numpy engine against PyTorch on the CPU (chapter 2; issue 3).

Trains a 784-256-256-10 ReLU network with softmax cross-entropy for one epoch of 60,000
synthetic examples, batch 128, float32, plain SGD, once with :class:`actbook.network.Network`
and once with PyTorch, on the same machine in the same run, and prints

* seconds per epoch for both, and their ratio engine / PyTorch;
* the engine's achieved GFLOP/s, next to the float32 matrix-multiply rate measured here with
  exactly the matrix shapes one training step multiplies (the "matmul bound": the time the
  epoch would take if it did nothing but its matrix products);
* the same training written directly in numpy with no engine around it, as a yardstick for the
  cost of the engine's structure;
* whether the targets hold: engine <= 0.5 x PyTorch time, engine <= 1.3 x the matmul bound;
  and the matmul bound / PyTorch ratio, the best engine / PyTorch ratio any numpy program
  could reach on this machine (it cannot run faster than its own matrix products).

Each measurement is repeated (``--repeats``) and the best is kept, since other processes on a
shared machine can only slow a run down. PyTorch is optional (``requirements-bench.txt``); without
it the PyTorch column is skipped.

    .venv/bin/python benchmarks/bench_engine.py              # full benchmark
    .venv/bin/python benchmarks/bench_engine.py --examples 6000 --repeats 1   # quick look
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import time
from pathlib import Path

import numpy as np

from actbook.network import Network

SIZES = [784, 256, 256, 10]
#: wall-clock time by default; ``--cpu-time`` switches to this process's CPU time, which a busy
#: machine disturbs far less (meaningful with ``--threads 1`` only: idle BLAS threads spin)
CLOCK = time.perf_counter


def step_matmul_shapes(sizes, batch):
    """The (m, k, n) of every matrix product in one training step, first layer's input
    gradient excluded (the engine does not compute it)."""
    shapes = []
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        shapes.append((batch, n_in, n_out))          # forward   z = a_prev @ W.T
        shapes.append((n_out, batch, n_in))          # backward  grad_W = delta.T @ a_prev
        if l > 0:
            shapes.append((batch, n_out, n_in))      # backward  grad_a_prev = delta @ W
    return shapes


def flops_per_epoch(sizes, n_examples, batch):
    n_steps, last = divmod(n_examples, batch)
    per_step = lambda b: sum(2 * m * k * n for m, k, n in step_matmul_shapes(sizes, b))
    return n_steps * per_step(batch) + (per_step(last) if last else 0)


def matmul_bound(sizes, n_examples, batch, dtype=np.float32, repeats=3):
    """Seconds the epoch's matrix products alone take, with the engine's own operand layouts."""
    rng = np.random.default_rng(0)
    ops = []
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        a_prev = rng.standard_normal((batch, n_in)).astype(dtype)
        W = rng.standard_normal((n_out, n_in)).astype(dtype)
        delta = rng.standard_normal((batch, n_out)).astype(dtype)
        ops.append((a_prev, W.T))        # a_prev @ W.T
        ops.append((delta.T, a_prev))    # delta.T @ a_prev
        if l > 0:
            ops.append((delta, W))       # delta @ W
    n_steps = math.ceil(n_examples / batch)
    best = math.inf
    for _ in range(repeats):
        t0 = CLOCK()
        for _ in range(n_steps):
            for x, y in ops:
                x @ y
        best = min(best, CLOCK() - t0)
    return best


def synthetic_data(n, seed=0):
    """Inputs in [0, 1) like scaled pixels; labels from a random linear teacher, so the task
    can be learned."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, SIZES[0]), dtype=np.float32)
    teacher = rng.standard_normal((SIZES[0], SIZES[-1])).astype(np.float32)
    y = np.argmax((X - 0.5) @ teacher, axis=1)
    return X, y


def time_engine(X, y, batch, lr, repeats):
    best, net = math.inf, None
    for r in range(repeats):
        net = Network(SIZES, activation="relu", init="he", dtype=np.float32, seed=r)
        net.fit(X[:batch * 4], y[:batch * 4], epochs=1, batch_size=batch, lr=lr, progress=False)  # warm-up
        t0 = CLOCK()
        net.fit(X, y, epochs=1, batch_size=batch, lr=lr, momentum=0.0, progress=False)
        best = min(best, CLOCK() - t0)
    return best, net


def time_numpy_direct(X, y, batch, lr, seed=0, weights=None, order=None):
    """The same training written directly in numpy, with no engine around it: the yardstick for
    what the engine's structure (layers, checks, history) costs.

    ``weights``: optional ``[(W, b), ...]`` to start from (updated in place); ``order``: the
    order of the examples. Returns ``(seconds for the epoch, [(W, b), ...])``.
    """
    rng = np.random.default_rng(seed)
    if weights is None:
        weights = [((rng.standard_normal((n_out, n_in)) * math.sqrt(2.0 / n_in)).astype(np.float32),
                    np.zeros(n_out, np.float32)) for n_in, n_out in zip(SIZES[:-1], SIZES[1:])]
    Ws, bs = [w for w, _ in weights], [b for _, b in weights]
    N = len(X)
    t0 = CLOCK()
    order = rng.permutation(N) if order is None else order
    for start in range(0, N, batch):
        idx = order[start:start + batch]
        acts = [X[idx]]
        for W, b in zip(Ws, bs):
            z = acts[-1] @ W.T
            z += b
            acts.append(np.maximum(z, 0.0) if len(acts) < len(Ws) else z)
        logits = acts.pop()
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        p[np.arange(len(idx)), y[idx]] -= 1.0
        delta = p * (1.0 / len(idx))            # gradient of the mean loss w.r.t. the logits
        for l in range(len(Ws) - 1, -1, -1):
            grad_W, grad_b = delta.T @ acts[l], delta.sum(axis=0)
            if l > 0:
                delta = (delta @ Ws[l]) * (acts[l] > 0)
            Ws[l] -= lr * grad_W
            bs[l] -= lr * grad_b
    return CLOCK() - t0, weights


def time_torch(X, y, batch, lr, repeats):
    import torch
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    best, model = math.inf, None
    for r in range(repeats):
        torch.manual_seed(r)
        model = torch.nn.Sequential(
            torch.nn.Linear(SIZES[0], SIZES[1]), torch.nn.ReLU(),
            torch.nn.Linear(SIZES[1], SIZES[2]), torch.nn.ReLU(),
            torch.nn.Linear(SIZES[2], SIZES[3]))
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        loss_fn = torch.nn.CrossEntropyLoss()

        def epoch(n):
            perm = torch.randperm(n)
            for start in range(0, n, batch):
                idx = perm[start:start + batch]
                opt.zero_grad()
                loss = loss_fn(model(Xt[idx]), yt[idx])
                loss.backward()
                opt.step()
            return loss.item()

        epoch(batch * 4)  # warm-up
        t0 = CLOCK()
        epoch(len(Xt))
        best = min(best, CLOCK() - t0)
    return best, model


def check_float32(net):
    """No silent upcast: every array the engine touched in the last step is float32."""
    bad = []
    for i, layer in enumerate(net.layers):
        for name in ("a_prev", "z", "a", "delta", "grad_W", "grad_b", "W", "b"):
            arr = getattr(layer, name)
            if arr.dtype != np.float32:
                bad.append(f"layer {i + 1}.{name}: {arr.dtype}")
    return bad


def set_threads(n):
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(n)
    except ImportError:  # pragma: no cover
        print("threadpoolctl missing: --threads not applied to numpy's BLAS")
    try:
        import torch
        torch.set_num_threads(n)
    except ImportError:
        pass


def blas_threads():
    try:
        from threadpoolctl import threadpool_info
        return ", ".join(f"{i['internal_api']} {i.get('version') or ''} x{i['num_threads']}"
                         for i in threadpool_info() if i["user_api"] == "blas")
    except ImportError:  # pragma: no cover
        return "unknown"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--examples", type=int, default=60_000)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=None, help="limit BLAS and torch threads")
    p.add_argument("--no-torch", action="store_true", help="skip PyTorch")
    p.add_argument("--cpu-time", action="store_true",
                   help="time with process CPU time (use with --threads 1 on a busy machine)")
    p.add_argument("--json", type=Path, help="also write the results to this file")
    args = p.parse_args(argv)
    global CLOCK
    if args.threads:
        set_threads(args.threads)
    CLOCK = time.process_time if args.cpu_time else time.perf_counter

    load = os.getloadavg()[0]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"load average {load:.2f}; numpy {np.__version__} ({blas_threads()})")
    if load > 1.5:
        print("  warning: the machine is busy; the timings below are pessimistic")

    X, y = synthetic_data(args.examples)
    flops = flops_per_epoch(SIZES, args.examples, args.batch)
    res = {"examples": args.examples, "batch": args.batch, "gflop_per_epoch": flops / 1e9,
           "load_average": load, "threads": args.threads, "clock": CLOCK.__name__}

    have_torch = False
    if not args.no_torch:
        try:
            import torch
            have_torch = True
        except ImportError:
            print("PyTorch not installed (pip install -r requirements-bench.txt): skipped")

    # interleave the three measurements, so a burst of load elsewhere hits all of them alike
    bound = engine = direct = torch_s = math.inf
    for _ in range(args.repeats):
        bound = min(bound, matmul_bound(SIZES, args.examples, args.batch, repeats=1))
        t, net = time_engine(X, y, args.batch, args.lr, 1)
        engine = min(engine, t)
        direct = min(direct, time_numpy_direct(X, y, args.batch, args.lr)[0])
        if have_torch:
            torch_s = min(torch_s, time_torch(X, y, args.batch, args.lr, 1)[0])
    res["matmul_seconds"] = bound
    res["matmul_gflops"] = flops / bound / 1e9
    res["engine_seconds"] = engine
    res["engine_gflops"] = flops / engine / 1e9
    res["numpy_direct_seconds"] = direct
    res["ratio_engine_direct"] = engine / direct
    res["engine_accuracy"] = net.accuracy(X[:10_000], y[:10_000])
    res["float32_violations"] = check_float32(net)
    if have_torch:
        res["torch_version"] = torch.__version__
        res["torch_threads"] = torch.get_num_threads()
        res["torch_seconds"] = torch_s
        res["ratio_engine_torch"] = engine / torch_s
        res["ratio_bound_torch"] = bound / torch_s
    res["ratio_engine_matmul"] = engine / bound

    clock = "CPU time of this process" if args.cpu_time else "wall-clock time"
    print(f"\n{SIZES} network, {args.examples:,} examples, batch {args.batch}, float32, plain SGD;"
          f" best of {args.repeats}, {clock}")
    print(f"  matrix products per epoch: {flops / 1e9:.1f} GFLOP")
    print(f"  {'':30s} {'s/epoch':>9s} {'GFLOP/s':>9s}")
    print(f"  {'matmul bound (same shapes)':30s} {bound:9.3f} {res['matmul_gflops']:9.1f}")
    print(f"  {'engine (actbook.network)':30s} {engine:9.3f} {res['engine_gflops']:9.1f}")
    print(f"  {'numpy written out, no engine':30s} {direct:9.3f} {flops / direct / 1e9:9.1f}")
    if have_torch:
        print(f"  {'PyTorch ' + torch.__version__ + ' CPU':30s} {res['torch_seconds']:9.3f} "
              f"{flops / res['torch_seconds'] / 1e9:9.1f}")
    print(f"\n  engine accuracy after one epoch (train, first 10,000): {res['engine_accuracy']:.3f}")
    print(f"  float32 throughout: {'yes' if not res['float32_violations'] else res['float32_violations']}")
    ok = True
    if have_torch:
        hold = res["ratio_engine_torch"] <= 0.5
        ok &= hold
        print(f"  engine / PyTorch = {res['ratio_engine_torch']:.2f}   target <= 0.50: "
              f"{'holds' if hold else 'MISSED'}")
    hold = res["ratio_engine_matmul"] <= 1.3
    ok &= hold
    print(f"  engine / matmul bound = {res['ratio_engine_matmul']:.2f}   target <= 1.30: "
          f"{'holds' if hold else 'MISSED'}")
    print(f"  engine / numpy written out = {res['ratio_engine_direct']:.2f}   "
          "(what the engine's structure costs)")
    if have_torch:
        # no numpy program can beat its own matrix products: if they alone take more than half
        # of PyTorch's epoch, the first target cannot be met on this machine by any engine
        floor = res["ratio_bound_torch"]
        print(f"  matmul bound / PyTorch = {floor:.2f}   (the best ratio any numpy engine could "
              f"reach here{'; the 0.50 target is out of reach' if floor > 0.5 else ''})")
    res["targets_hold"] = bool(ok)
    if args.json:
        args.json.write_text(json.dumps(res, indent=2))
    return res


if __name__ == "__main__":
    main()
