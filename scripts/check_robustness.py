"""Do the book's statements about its sweeps survive another BLAS kernel or seed set?

Re-runs every sweep of ``actbook.sweeps.ALL`` into a temporary folder, once per OpenBLAS
kernel (``OPENBLAS_CORETYPE``, one BLAS thread, one subprocess per kernel, ``--jobs`` at a
time), evaluates every sweep's facts on each re-run, and prints a table: fact x kernel ->
holds / FAILS. It never reads the stored files in ``data/``. Exit code 1 if any fact fails
or a re-run breaks, 0 otherwise.

    python scripts/check_robustness.py                              # Haswell, SkylakeX, Zen
    python scripts/check_robustness.py --kernels Haswell Sandybridge --jobs 2
    python scripts/check_robustness.py --seed-offset 100            # another seed set
    python scripts/check_robustness.py --only depth --keep /tmp/re  # keep the re-runs

A kernel the processor cannot run (OpenBLAS falls back to another one, or the process
crashes) is reported and left out. The kernel each re-run actually used is read back from
its metadata (threadpoolctl) and shown above the table.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from actbook.facts import Fact
from actbook.sweeps import ALL, module

DEFAULT_KERNELS = ("Haswell", "SkylakeX", "Zen")


def kernel_env(kernel: str) -> dict:
    """The environment of a re-run under ``kernel``: that OpenBLAS kernel, one thread."""
    env = dict(os.environ)
    env.update(OPENBLAS_CORETYPE=kernel, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1")
    return env


def probe(kernel: str) -> tuple[str | None, str]:
    """``(architecture, note)``: the kernel OpenBLAS reports when asked for ``kernel``, or
    ``None`` and the reason when the processor cannot run it."""
    code = ("import numpy, threadpoolctl; "
            "print([i.get('architecture') for i in threadpoolctl.threadpool_info() "
            "if i.get('user_api') == 'blas'][0])")
    try:
        done = subprocess.run([sys.executable, "-c", code], env=kernel_env(kernel),
                              capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return None, "the probe timed out"
    if done.returncode != 0:
        return None, f"the probe failed (exit code {done.returncode})"
    arch = done.stdout.strip()
    if arch.lower() != kernel.lower():
        return arch, f"OpenBLAS runs its {arch} kernel for {kernel}"
    return arch, ""


def rerun(kernel: str, out: Path, names, seed_offset: int, log: Path) -> tuple[int, float]:
    """Run the sweeps ``names`` under ``kernel`` into ``out``; ``(exit code, seconds)``."""
    cmd = [sys.executable, "-m", "actbook.sweeps", "--out", str(out), "--quiet",
           "--seed-offset", str(seed_offset), "--only", *names]
    t0 = time.perf_counter()
    with open(log, "w") as fh:
        code = subprocess.call(cmd, env=kernel_env(kernel), stdout=fh, stderr=subprocess.STDOUT)
    return code, time.perf_counter() - t0


def evaluate(folder: Path, names) -> dict[str, Fact]:
    """Every fact of the sweeps ``names`` on the re-run in ``folder``, by key."""
    out = {}
    for name in names:
        try:
            facts = module(name).facts(folder)
        except Exception as err:  # a re-run that cannot be read fails every one of its facts
            facts = [Fact(f"{name}.(all)", "the re-run can be read", False,
                          f"{type(err).__name__}: {err}")]
        out.update({f.key: f for f in facts})
    return out


def used_kernels(folder: Path, names) -> set[str]:
    """The BLAS kernels the re-runs in ``folder`` report in their metadata."""
    found = set()
    for name in names:
        for file in module(name).FILES:
            if file.endswith(".json") and (folder / file).is_file():
                env = json.loads((folder / file).read_text()).get("environment", {})
                found.update(b.get("architecture") or "?" for b in env.get("blas", []))
    return found


def format_table(results: dict[str, dict[str, Fact]], kernels) -> str:
    keys = list(dict.fromkeys(k for r in results.values() for k in r))
    width = max([len(k) for k in keys] + [4])
    cols = [max(len(k), 5) for k in kernels]
    lines = [f"{'fact':{width}}  " + "  ".join(f"{k:{c}}" for k, c in zip(kernels, cols))]
    for key in keys:
        cells = []
        for kernel, c in zip(kernels, cols):
            f = results[kernel].get(key)
            cells.append(f"{'-' if f is None else 'holds' if f.holds else 'FAILS':{c}}")
        lines.append(f"{key:{width}}  " + "  ".join(cells))
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--kernels", nargs="+", default=list(DEFAULT_KERNELS),
                   help=f"OpenBLAS kernels (default: {' '.join(DEFAULT_KERNELS)})")
    p.add_argument("--only", nargs="+", choices=ALL, metavar="NAME",
                   help=f"only these sweeps (from {', '.join(ALL)})")
    p.add_argument("--jobs", type=int, default=2, help="kernels run at a time (default 2)")
    p.add_argument("--seed-offset", type=int, default=0,
                   help="re-run on another seed set: every seed shifted by this much")
    p.add_argument("--keep", metavar="DIR",
                   help="keep the re-runs in DIR/<kernel> (default: a temporary folder, removed)")
    args = p.parse_args(argv)
    if args.jobs < 1:
        p.error(f"--jobs must be at least 1, got {args.jobs}")
    if args.seed_offset < 0:
        p.error(f"--seed-offset must be >= 0, got {args.seed_offset}")
    names = args.only or list(ALL)

    kernels, problems, arches = [], [], {}
    for kernel in args.kernels:
        arch, note = probe(kernel)
        if arch is None:
            problems.append(f"{kernel}: left out, {note}")
            continue
        kernels.append(kernel)
        arches[kernel] = arch
        print(f"{kernel}: OpenBLAS kernel {arch}" + (f" ({note})" if note else ""), flush=True)
    if not kernels:
        print("no kernel can run here:\n" + "\n".join(problems))
        return 1

    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="robustness-"))
    try:
        def job(kernel):
            folder = root / kernel
            folder.mkdir(parents=True, exist_ok=True)
            code, seconds = rerun(kernel, folder, names, args.seed_offset,
                                  root / f"{kernel}.log")
            print(f"{kernel}: re-run {'done' if code == 0 else 'FAILED'} in {seconds:.0f} s",
                  flush=True)
            return kernel, code, seconds

        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            runs = list(pool.map(job, kernels))
        results, ok = {}, True
        for kernel, code, seconds in runs:
            folder = root / kernel
            if code != 0:
                ok = False
                tail = (root / f"{kernel}.log").read_text().strip().splitlines()[-5:]
                problems.append(f"{kernel}: the re-run failed (exit code {code}):\n  "
                                + "\n  ".join(tail))
            used = used_kernels(folder, names)
            if used != {arches[kernel]}:
                ok = False
                problems.append(f"{kernel}: the re-run reports the kernel(s) {sorted(used)}, "
                                f"not {arches[kernel]}")
            results[kernel] = evaluate(folder, names)
        print()
        print(f"seed offset {args.seed_offset}; sweeps: {', '.join(names)}")
        print(format_table(results, kernels))
        failed = [(k, f) for k in kernels for f in results[k].values() if not f.holds]
        if failed:
            print("\nfacts that fail:")
            for kernel, f in failed:
                print(f"- {kernel}: {f.key}: {f.claim} ({f.evidence})")
        for line in problems:
            print(line)
        n = len({key for r in results.values() for key in r})
        print(f"\n{n} facts x {len(kernels)} kernels: "
              + ("every fact holds under every kernel" if ok and not failed
                 else f"{len(failed)} failures"))
        return 0 if ok and not failed else 1
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
