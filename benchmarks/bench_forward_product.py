"""Which way should a dense layer compute ``a_prev @ W.T``? (chapter 2)

``Dense.forward`` computes the product as ``(W @ a_prev.T).T`` (made contiguous) in float32
when the batch has fewer than half as many rows as the layer has outputs, and as
``a_prev @ W.T`` otherwise (``actbook.layers._times_w_transposed``). This script times both
ways and the engine's choice side by side, in one run, for the shapes the book's sweeps
multiply (training batches of 32 and evaluation batches, float32 and float64), and reports
whether the two ways give bit-identical results under the BLAS kernel in use.

    .venv/bin/python benchmarks/bench_forward_product.py
    OPENBLAS_CORETYPE=Haswell .venv/bin/python benchmarks/bench_forward_product.py

One BLAS thread, as the sweeps run; the best of ``--repeats`` timings is kept, since other
processes can only slow a measurement down.
"""
from __future__ import annotations

import argparse
import os
import timeit

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from actbook.layers import _times_w_transposed  # noqa: E402

# (batch rows, inputs, outputs): MNIST's 784-128-128-10 network, the 8x8 digits' width-64
# networks, in training batches of 32 and on their test sets
SHAPES = [(32, 784, 128), (32, 128, 128), (32, 128, 10), (2000, 784, 128), (2000, 128, 128),
          (32, 64, 64), (32, 64, 10), (360, 64, 64)]


def best_time(fn, repeats: int) -> float:
    """The fastest of ``repeats`` timings of ``fn``, in microseconds per call."""
    number = 200
    return min(timeit.repeat(fn, number=number, repeat=repeats)) / number * 1e6


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args(argv)
    from threadpoolctl import threadpool_info

    kernel = [i.get("architecture") for i in threadpool_info() if i.get("user_api") == "blas"]
    print(f"BLAS kernel: {kernel[0] if kernel else 'unknown'}")
    print(f"{'dtype':8} {'N, n_in, n_out':>18} {'a @ W.T':>10} {'(W @ a.T).T':>12} {'ratio':>6}"
          f" {'identical':>10} {'engine':>10} {'engine / a @ W.T':>17}")
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        for n, n_in, n_out in SHAPES:
            a = rng.standard_normal((n, n_in)).astype(dtype)
            W = rng.standard_normal((n_out, n_in)).astype(dtype)
            plain = lambda: a @ W.T  # noqa: E731
            swapped = lambda: np.ascontiguousarray((W @ a.T).T)  # noqa: E731
            engine = lambda: _times_w_transposed(a, W)  # noqa: E731
            t_plain, t_swapped = best_time(plain, args.repeats), best_time(swapped, args.repeats)
            t_engine = best_time(engine, args.repeats)
            same = np.array_equal(plain(), swapped())
            print(f"{np.dtype(dtype).name:8} {f'{n}, {n_in}, {n_out}':>18} {t_plain:9.1f}us "
                  f"{t_swapped:10.1f}us {t_swapped / t_plain:6.2f} {str(same):>10} "
                  f"{t_engine:8.1f}us {t_engine / t_plain:17.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
