"""Data sets for the experiments: scikit-learn's bundled digits, and MNIST from your own files.

The book's experiments use the 8x8 handwritten digits that ship inside scikit-learn (1,797
images; no download). Readers who have the full MNIST files can load them with
:func:`load_mnist` from a path they give: the four standard IDX files (optionally gzipped) or a
single ``.npz`` with ``x_train, y_train, x_test, y_test``. Nothing here touches the network.

Introduced in chapter 9.
"""
from __future__ import annotations

import csv
import gzip
import os
import struct
from pathlib import Path

import numpy as np

__all__ = [
    "DataFormatError",
    "MissingDataError",
    "load_digits",
    "load_mnist",
    "read_idx",
    "read_results_csv",
    "results_path",
    "write_idx",
]

#: Stored results of long sweeps: the ``data/`` folder beside the package (the repository's,
#: or a student bundle's).
RESULTS_DIR = Path(__file__).resolve().parent.parent / "data"


class MissingDataError(FileNotFoundError):
    """A data file the reader asked for is not where they said it is."""


class DataFormatError(ValueError):
    """A data file exists but is not what it should be (wrong magic, truncated, bad labels)."""


# IDX type codes (LeCun et al.'s format): code -> (numpy big-endian dtype, name)
_IDX_TYPES = {
    0x08: (">u1", "unsigned byte"),
    0x09: (">i1", "signed byte"),
    0x0B: (">i2", "short"),
    0x0C: (">i4", "int"),
    0x0D: (">f4", "float"),
    0x0E: (">f8", "double"),
}
_DTYPE_TO_CODE = {np.dtype(v[0]).newbyteorder("="): k for k, v in _IDX_TYPES.items()}


def _open(path: Path):
    with open(path, "rb") as fh:
        start = fh.read(2)
    if start == b"\x1f\x8b":
        return gzip.open(path, "rb")
    return open(path, "rb")


def read_idx(path) -> np.ndarray:
    """Read one IDX file (plain or gzipped) into a numpy array.

    Raises :class:`MissingDataError` if the file does not exist and :class:`DataFormatError` if
    its header is not an IDX header or the file holds fewer bytes than the header promises.
    """
    path = Path(path)
    if not path.is_file():
        raise MissingDataError(f"no such file: {path}")
    try:
        with _open(path) as fh:
            raw = fh.read()
    except (OSError, EOFError) as exc:  # e.g. a truncated gzip stream
        raise DataFormatError(f"{path}: cannot be read as (gzipped) IDX: {exc}") from None
    if len(raw) < 4:
        raise DataFormatError(f"{path}: too short to be an IDX file ({len(raw)} bytes)")
    zero, code, ndim = raw[0] << 8 | raw[1], raw[2], raw[3]
    if zero != 0 or code not in _IDX_TYPES or ndim == 0:
        raise DataFormatError(
            f"{path}: not an IDX file (first bytes {raw[:4].hex()}; expected 00 00 <type> <ndim>)"
        )
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataFormatError(f"{path}: truncated inside the header")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    dtype, _ = _IDX_TYPES[code]
    expected = int(np.prod(shape)) * np.dtype(dtype).itemsize
    have = len(raw) - header
    if have < expected:
        raise DataFormatError(
            f"{path}: truncated: the header promises shape {shape} ({expected} bytes of data), "
            f"the file holds {have}"
        )
    if have > expected:
        raise DataFormatError(
            f"{path}: {have - expected} unexpected bytes after the data for shape {shape}"
        )
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(
        np.dtype(dtype).newbyteorder("="))


def write_idx(path, array, compress: bool = False) -> Path:
    """Write ``array`` as an IDX file (used by the tests to make small MNIST-like files)."""
    array = np.asarray(array)
    dt = array.dtype.newbyteorder("=")
    if dt not in _DTYPE_TO_CODE:
        raise DataFormatError(f"IDX cannot store dtype {array.dtype}")
    code = _DTYPE_TO_CODE[dt]
    big = array.astype(np.dtype(_IDX_TYPES[code][0]))
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    path = Path(path)
    opener = gzip.open if compress else open
    with opener(path, "wb") as fh:
        fh.write(header + big.tobytes())
    return path


_MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def _find(folder: Path, stem: str) -> Path | None:
    for candidate in (stem, stem + ".gz", stem.replace("-idx", ".idx"),
                      stem.replace("-idx", ".idx") + ".gz"):
        if (folder / candidate).is_file():
            return folder / candidate
    return None


def _check_pair(images, labels, source):
    if images.ndim != 3:
        raise DataFormatError(f"{source}: images must have 3 dimensions (n, rows, cols), got {images.shape}")
    if labels.ndim != 1:
        raise DataFormatError(f"{source}: labels must have 1 dimension, got {labels.shape}")
    if len(images) != len(labels):
        raise DataFormatError(
            f"{source}: {len(images)} images but {len(labels)} labels")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise DataFormatError(
            f"{source}: labels must be digits 0-9, found values from {labels.min()} to {labels.max()}")


def load_mnist(path, split: str = "train", normalize: bool = True, flatten: bool = True,
               dtype=np.float32):
    """Load MNIST (or any data set in its format) from files the reader already has.

    ``path`` is a folder holding the standard IDX files (``train-images-idx3-ubyte``,
    ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``, each
    optionally ``.gz``) or a ``.npz`` file with ``x_train, y_train, x_test, y_test``.
    ``split`` is ``"train"`` or ``"test"``. Returns ``(X, y)``: ``X`` of shape (n, 784) scaled
    to [0, 1] (unless ``flatten`` / ``normalize`` are off), ``y`` integer labels.
    """
    if split not in _MNIST_FILES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    path = Path(os.path.expanduser(str(path)))
    if not path.exists():
        raise MissingDataError(
            f"{path} does not exist. Give the folder with the four MNIST IDX files "
            f"({', '.join(sum(_MNIST_FILES.values(), ()))}, optionally .gz) or an .npz file")
    if path.is_file():
        if path.suffix != ".npz":
            raise DataFormatError(f"{path}: expected a folder of IDX files or an .npz file")
        try:
            with np.load(path) as npz:
                keys = (f"x_{split}", f"y_{split}")
                missing = [k for k in keys if k not in npz.files]
                if missing:
                    raise DataFormatError(
                        f"{path}: missing arrays {missing}; it holds {npz.files}")
                images, labels = npz[keys[0]], npz[keys[1]]
        except (OSError, ValueError, EOFError) as exc:
            if isinstance(exc, DataFormatError):
                raise
            raise DataFormatError(f"{path}: not a readable .npz file ({exc})") from None
        source = str(path)
    else:
        img_stem, lab_stem = _MNIST_FILES[split]
        img, lab = _find(path, img_stem), _find(path, lab_stem)
        missing = [s for s, f in ((img_stem, img), (lab_stem, lab)) if f is None]
        if missing:
            raise MissingDataError(
                f"{path}: missing {', '.join(missing)} (plain or .gz); found "
                f"{sorted(p.name for p in path.iterdir())[:10]}")
        images, labels = read_idx(img), read_idx(lab)
        source = f"{img.name} / {lab.name}"
    _check_pair(images, labels, source)
    X = images.reshape(len(images), -1) if flatten else images
    X = X.astype(dtype)
    if normalize:
        X /= 255.0
    return X, labels.astype(np.int64)


def results_path(name: str) -> Path:
    """Path of a stored result file, e.g. ``results_path("digits_comparison_runs.csv")``.

    Sweeps too slow to run inside a notebook store their results in ``data/`` beside the
    package; notebooks read them through this function, so they work from any folder.
    Raises :class:`MissingDataError` naming the script that makes the file. Chapter 9.
    """
    path = RESULTS_DIR / name
    if not path.is_file():
        raise MissingDataError(
            f"stored result {name!r} not found in {RESULTS_DIR}; it is made by the scripts in "
            f"scripts/ (e.g. python scripts/compare_activations.py)")
    return path


def load_digits(test_fraction: float = 0.25, seed: int = 0, dtype=np.float32):
    """The 8x8 handwritten digits bundled with scikit-learn, split into train and test.

    Returns ``X_train, y_train, X_test, y_test`` with pixels scaled to [0, 1] (the raw values
    are 0-16) and a stratified split that depends only on ``seed``. Introduced in chapter 8.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must lie in (0, 1), got {test_fraction!r}")
    from sklearn.datasets import load_digits as _sk_digits

    data = _sk_digits()
    X = (data.data / 16.0).astype(dtype)
    y = data.target.astype(np.int64)
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label in np.unique(y):  # stratified: the same fraction of every digit
        idx = rng.permutation(np.flatnonzero(y == label))
        n_test = int(round(test_fraction * len(idx)))
        test.append(idx[:n_test])
        train.append(idx[n_test:])
    train = rng.permutation(np.concatenate(train))
    test = rng.permutation(np.concatenate(test))
    return X[train], y[train], X[test], y[test]


def read_results_csv(name: str, columns=(), missing_ok: bool = False) -> list[dict]:
    """Rows of a stored result table in ``data/`` as dicts of strings (chapters 7 and 9).

    ``columns`` names the columns the caller relies on; a file that lacks any of them raises
    :class:`DataFormatError` naming them, as does a file with no header row. A missing file
    raises :class:`MissingDataError` (from :func:`results_path`), unless ``missing_ok``, in
    which case the result is an empty list, so a chapter can still be read without it.
    """
    try:
        path = results_path(name)
    except MissingDataError:
        if missing_ok:
            return []
        raise
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames
        if not header:
            raise DataFormatError(f"{path}: empty file, expected a header row of column names")
        missing = [c for c in columns if c not in header]
        if missing:
            raise DataFormatError(f"{path}: missing columns {missing}; it has {header}")
        rows = list(reader)
    for line, row in enumerate(rows, start=2):
        if None in row or any(v is None for v in row.values()):
            raise DataFormatError(
                f"{path}, line {line}: the number of fields differs from the header's "
                f"{len(header)}")
    return rows
