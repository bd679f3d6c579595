"""Tests of the data loaders on small IDX and .npz files made here."""
import gzip

import numpy as np
import pytest

from actbook.data import (
    DataFormatError,
    MissingDataError,
    load_digits,
    load_mnist,
    read_idx,
    write_idx,
)


@pytest.fixture
def mnist_folder(tmp_path):
    rng = np.random.default_rng(0)
    sets = {}
    for split, n, prefix in (("train", 12, "train"), ("test", 5, "t10k")):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n, dtype=np.uint8)
        write_idx(tmp_path / f"{prefix}-images-idx3-ubyte", images)
        write_idx(tmp_path / f"{prefix}-labels-idx1-ubyte.gz", labels, compress=True)
        sets[split] = (images, labels)
    return tmp_path, sets


def test_idx_round_trip_all_types(tmp_path):
    for dtype in (np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64):
        a = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype)
        if dtype == np.uint8:
            a = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
        back = read_idx(write_idx(tmp_path / "a.idx", a))
        assert back.dtype == a.dtype and back.shape == a.shape
        np.testing.assert_array_equal(back, a)


def test_idx_header_is_big_endian_as_in_the_standard(tmp_path):
    p = write_idx(tmp_path / "x", np.zeros((3, 2), dtype=np.uint8))
    assert p.read_bytes()[:12] == bytes([0, 0, 8, 2, 0, 0, 0, 3, 0, 0, 0, 2])


def test_load_mnist_from_idx_folder(mnist_folder):
    folder, sets = mnist_folder
    X, y = load_mnist(folder, "train")
    images, labels = sets["train"]
    assert X.shape == (12, 784) and X.dtype == np.float32
    np.testing.assert_allclose(X, images.reshape(12, -1) / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y, labels)
    Xt, yt = load_mnist(folder, "test", normalize=False, flatten=False)
    assert Xt.shape == (5, 28, 28) and Xt.max() > 1


def test_load_mnist_from_npz(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.integers(0, 256, size=(7, 28, 28), dtype=np.uint8)
    y = rng.integers(0, 10, size=7)
    p = tmp_path / "mnist.npz"
    np.savez(p, x_train=x, y_train=y, x_test=x[:2], y_test=y[:2])
    X, labels = load_mnist(p)
    assert X.shape == (7, 784)
    np.testing.assert_array_equal(labels, y)
    np.savez(tmp_path / "bad.npz", images=x)
    with pytest.raises(DataFormatError, match="missing arrays"):
        load_mnist(tmp_path / "bad.npz")


def test_missing_path_and_missing_files(tmp_path):
    with pytest.raises(MissingDataError, match="does not exist"):
        load_mnist(tmp_path / "nowhere")
    with pytest.raises(MissingDataError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path)


def test_truncated_file(mnist_folder):
    folder, _ = mnist_folder
    p = folder / "train-images-idx3-ubyte"
    p.write_bytes(p.read_bytes()[:-100])
    with pytest.raises(DataFormatError, match="truncated"):
        load_mnist(folder)


def test_truncated_gzip(mnist_folder):
    folder, _ = mnist_folder
    p = folder / "train-labels-idx1-ubyte.gz"
    p.write_bytes(p.read_bytes()[:15])
    with pytest.raises(DataFormatError):
        load_mnist(folder)


def test_wrong_file(mnist_folder):
    folder, _ = mnist_folder
    (folder / "train-images-idx3-ubyte").write_bytes(b"<html>not a data file</html>")
    with pytest.raises(DataFormatError, match="not an IDX file"):
        load_mnist(folder)


def test_label_count_and_range_are_checked(tmp_path):
    write_idx(tmp_path / "train-images-idx3-ubyte", np.zeros((4, 28, 28), np.uint8))
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.array([1, 2, 3], np.uint8))
    with pytest.raises(DataFormatError, match="4 images but 3 labels"):
        load_mnist(tmp_path)
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.array([1, 2, 3, 12], np.uint8))
    with pytest.raises(DataFormatError, match="0-9"):
        load_mnist(tmp_path)


def test_load_digits_split_is_stratified_and_reproducible():
    Xtr, ytr, Xte, yte = load_digits(seed=3)
    assert Xtr.shape[1] == 64 and len(Xtr) + len(Xte) == 1797
    assert 0.0 <= Xtr.min() and Xtr.max() <= 1.0
    counts_tr, counts_te = np.bincount(ytr), np.bincount(yte)
    np.testing.assert_allclose(counts_te / (counts_tr + counts_te), 0.25, atol=0.02)
    again = load_digits(seed=3)
    np.testing.assert_array_equal(again[1], ytr)
    other = load_digits(seed=4)
    assert not np.array_equal(other[1], ytr)
    with pytest.raises(ValueError, match="test_fraction"):
        load_digits(test_fraction=1.5)


def test_results_path_names_missing_files():
    from actbook.data import results_path

    with pytest.raises(MissingDataError, match="python -m actbook.sweeps"):
        results_path("no_such_result.csv")


def _store(tmp_path, monkeypatch, name, text):
    import actbook.data as data

    monkeypatch.setattr(data, "RESULTS_DIR", tmp_path)
    (tmp_path / name).write_text(text, encoding="utf-8")


def test_read_results_csv_rows_match_numpy(tmp_path, monkeypatch):
    """Rows agree with numpy's own CSV reader (an independent parser) on a file made here."""
    from actbook.data import read_results_csv

    rng = np.random.default_rng(1)
    values = rng.normal(size=(6, 2))
    lines = ["activation,seed,loss,accuracy"] + [
        f"{act},{seed},{float(a)!r},{float(b)!r}" for (act, seed), (a, b)
        in zip([("relu", 0), ("tanh", 0), ("relu", 1), ("tanh", 1), ("relu", 2), ("tanh", 2)], values)]
    _store(tmp_path, monkeypatch, "sweep.csv", "\n".join(lines) + "\n")
    rows = read_results_csv("sweep.csv", columns=["activation", "loss"])
    reference = np.genfromtxt(tmp_path / "sweep.csv", delimiter=",", names=True, dtype=None,
                              encoding="utf-8")
    assert len(rows) == len(reference) == 6
    assert [r["activation"] for r in rows] == list(reference["activation"])
    np.testing.assert_allclose([float(r["loss"]) for r in rows], reference["loss"], rtol=0, atol=1e-15)
    np.testing.assert_allclose([float(r["accuracy"]) for r in rows], values[:, 1], rtol=1e-15)


def test_read_results_csv_shipped_file_has_its_columns():
    from actbook.data import read_results_csv, results_path

    rows = read_results_csv("digits_comparison_runs.csv", columns=["activation", "init", "seed"])
    with open(results_path("digits_comparison_runs.csv"), encoding="utf-8") as fh:
        n_lines = sum(1 for line in fh if line.strip())
    assert len(rows) == n_lines - 1


def test_read_results_csv_bad_input(tmp_path, monkeypatch):
    from actbook.data import read_results_csv

    _store(tmp_path, monkeypatch, "a.csv", "x,y\n1,2\n")
    with pytest.raises(DataFormatError, match=r"missing columns \['z'\]"):
        read_results_csv("a.csv", columns=["x", "z"])
    _store(tmp_path, monkeypatch, "empty.csv", "")
    with pytest.raises(DataFormatError, match="header"):
        read_results_csv("empty.csv")
    _store(tmp_path, monkeypatch, "ragged.csv", "x,y\n1,2\n3\n")
    with pytest.raises(DataFormatError, match="line 3"):
        read_results_csv("ragged.csv")
    _store(tmp_path, monkeypatch, "long.csv", "x,y\n1,2,3\n")
    with pytest.raises(DataFormatError, match="line 2"):
        read_results_csv("long.csv")
    with pytest.raises(MissingDataError, match="nowhere.csv"):
        read_results_csv("nowhere.csv")
    assert read_results_csv("nowhere.csv", missing_ok=True) == []
