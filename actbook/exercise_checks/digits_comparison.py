"""Reference checks of chapter 9 (comparing activations on handwritten digits)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..data import load_digits, load_mnist_10k
from ..network import Network
from ..results import read_table
from . import reference
from ._tools import fail, fmt_num, fmt_pair


@lru_cache(maxsize=1)
def _stored():
    # strings, as the notebook reads them with the csv module
    runs = [dict(r) for r in read_table("digits_comparison_runs.csv", convert=False).rows]
    curves = [dict(r) for r in read_table("digits_comparison_curves.csv", convert=False).rows]
    return runs, curves


def _first_step(steps, accuracy, threshold):
    for s, a in zip(steps, accuracy):
        if a >= threshold:
            return int(s)
    return None


def _rule_first(steps, acc, t):
    return _first_step(steps, acc, t)


_SLIPS_9_1 = {
    "that is the index of the step, not the step itself":
        lambda steps, acc, t: int(np.argmax(np.asarray(acc) >= t)),
    "that is the first step *above* the target; reaching it exactly counts (>=)":
        lambda steps, acc, t: next((s for s, a in zip(steps, acc) if a > t), None),
    "that is the last step at or above the target, not the first":
        lambda steps, acc, t: max((s for s, a in zip(steps, acc) if a >= t), default=None),
}


@reference("9.1")
def _(ans):
    f = ans.function("iterations_to")
    steps, acc = [10, 20, 30, 40], [0.5, 0.8, 0.79, 0.95]
    cases = [(0.8, "accuracy first reaches 0.8 at step 20 (exactly 0.8 counts)"),
             (0.9, "the first step with accuracy >= 0.9 is 40"),
             (0.7, "accuracy first reaches 0.7 at step 20; a later dip below it does not matter"),
             (0.99, "the target is never reached, so the answer is None")]
    mine = []
    for threshold, _ in cases:
        got = f(list(steps), list(acc), threshold)
        if got is not None:
            arr = np.asarray(got)
            if arr.size != 1 or arr.dtype.kind not in "biuf":
                fail(f"iterations_to(steps, accuracy, {threshold}) should return a step or None; it "
                     f"returned {got!r:.60}")
            got = float(arr.reshape(-1)[0])
        mine.append(got)
    want = [_rule_first(steps, acc, t) for t, _ in cases]
    if mine != want:
        i = next(k for k in range(len(cases)) if mine[k] != want[k])
        named = [m for m, rule in _SLIPS_9_1.items() if [rule(steps, acc, t) for t, _ in cases] == mine]
        got_text = "None" if mine[i] is None else fmt_num(mine[i], 6)
        fail(f"iterations_to(steps, accuracy, {cases[i][0]}) returned {got_text}; {cases[i][1]}"
             + (f": {named[0]}" if len(named) == 1 else ""))
    runs, curves = _stored()
    key = ("tanh", "he", "2")
    row = next(r for r in runs if (r["activation"], r["init"], r["seed"]) == key)
    pts = [(int(c["step"]), float(c["accuracy"])) for c in curves
           if (c["activation"], c["init"], c["seed"]) == key]
    got = f([s for s, _ in pts], [a for _, a in pts], 0.9)
    if str(None if got is None else int(got)) != row["iters_to_0.9"]:
        fail(f"on a stored learning curve (tanh, He, seed 2) your function gives {got!r}; the sweep "
             f"recorded {row['iters_to_0.9']}")
    return "iterations_to finds the first step at or above the target, and None when there is none"


def _median_iterations(runs, act, t, init, statistic=np.median, keep_failed=False):
    key = f"iters_to_{t}"
    vals = [float(r[key]) if r[key] else np.inf for r in runs
            if r["activation"] == act and r["init"] == init and (r[key] or keep_failed)]
    return float(statistic(vals))


@reference("9.2")
def _(ans):
    speedup = ans.function("speedup")
    runs, _ = _stored()
    for slow, fast, t, init in [("sigmoid", "relu", 0.9, "xavier"), ("tanh", "relu", 0.8, "he"),
                                ("tanh", "gelu", 0.95, "xavier")]:
        want = _median_iterations(runs, slow, t, init) / _median_iterations(runs, fast, t, init)
        got = speedup([dict(r) for r in runs], slow, fast, t, init)
        try:
            got = float(got)
        except (TypeError, ValueError):
            fail(f"speedup(runs, {slow!r}, {fast!r}, {t}, {init!r}) should return a number; it "
                 f"returned {got!r:.60}")
        # a ratio of medians of whole numbers: exact to rounding
        if abs(got - want) <= 1e-6 * want:
            continue
        slips = {
            "that is the reciprocal: the slow activation's median over the fast one's":
                1 / want,
            "that uses the mean, not the median": _median_iterations(runs, slow, t, init, np.mean)
                / _median_iterations(runs, fast, t, init, np.mean),
            "that uses every initialisation, not only the one asked for": float(np.median(
                [float(r[f'iters_to_{t}']) for r in runs if r['activation'] == slow and r[f'iters_to_{t}']]))
                / float(np.median([float(r[f'iters_to_{t}']) for r in runs
                                   if r['activation'] == fast and r[f'iters_to_{t}']])),
        }
        slip = next((m for m, v in slips.items() if np.isfinite(v) and abs(got - v) <= 1e-6 * abs(v)), None)
        a, b = fmt_pair(got, want)
        fail(f"speedup(runs, {slow!r}, {fast!r}, {t}, {init!r}) gives {a}"
             + (f": {slip}" if slip else f", but the median of the slow runs over the median of the "
                                        f"fast runs is {b} (seeds that never reached {t} left out)"))
    got = ans.number("swish_over_relu")
    want = _median_iterations(runs, "swish", 0.95, "he") / _median_iterations(runs, "relu", 0.95, "he")
    if abs(got - want) > 1e-6 * want:
        fail(f"swish_over_relu = {fmt_pair(got, want)[0]}; it should be speedup(runs, 'swish', "
             "'relu', 0.95, 'he'): swish over ReLU, threshold 0.95 and the 'he' runs")
    return "speedup is the ratio of the median iterations, over the seeds that reached the target"


@reference("9.3")
def _(ans):
    prediction = ans.number("prediction")
    if not 0 <= prediction <= 1:
        fail(f"prediction = {fmt_num(prediction, 4)}; it should be a fraction between 0 and 1"
             + (" (a percentage was given?)" if 1 < prediction <= 100 else ""))
    measured = ans.number("measured")
    net = ans["net"]
    layers = getattr(net, "layers", None)
    if not isinstance(layers, list) or [getattr(layer, "n_out", None) for layer in layers] != [64, 64, 10]:
        fail("`net` should be the network 64-64-64-10 of the task (two hidden layers of 64 units)")
    for i, layer in enumerate(layers[:-1]):
        b = np.asarray(layer.b, dtype=np.float64)
        if not np.allclose(b, -3.0):
            values = (f"all {fmt_num(b.min(), 4)}" if np.ptp(b) == 0 else
                      f"from {fmt_num(b.min(), 4)} to {fmt_num(b.max(), 4)}")
            fail(f"the biases of hidden layer {i + 1} of `net` are {values}; set every hidden bias to "
                 "-3 (both hidden layers) before measuring")
    X_train = load_digits(seed=0)[0]
    ref = Network([64, 64, 64, 10], activation="relu", init="he", seed=0)
    a = X_train.astype(np.float64)
    dead, dead_first_only, dead_untouched = [], [], []
    for layer in ref.layers[:-1]:  # independent forward passes in float64
        W = layer.W.T.astype(np.float64)
        z = a @ W - 3.0
        dead.append(np.mean(np.all(z <= 0, axis=0)))
        a = np.maximum(z, 0)
    a1 = a2 = X_train.astype(np.float64)
    for i, layer in enumerate(ref.layers[:-1]):
        W, b = layer.W.T.astype(np.float64), layer.b.astype(np.float64)
        z1 = a1 @ W + (-3.0 if i == 0 else b)
        z2 = a2 @ W + b
        dead_first_only.append(np.mean(np.all(z1 <= 0, axis=0)))
        dead_untouched.append(np.mean(np.all(z2 <= 0, axis=0)))
        a1, a2 = np.maximum(z1, 0), np.maximum(z2, 0)
    want = float(np.mean(dead))
    # a fraction of 128 units, counted the same way: exact up to rounding
    if abs(measured - want) < 1e-9:
        return "the measured dead fraction agrees with an independent forward pass"
    slips = {float(np.mean(dead_untouched)): "that is the dead fraction of the untouched network; set "
                                             "the biases of both hidden layers to -3 before measuring",
             float(np.mean(dead_first_only)): "only the first hidden layer's biases were set to -3; "
                                              "set both hidden layers'",
             float(dead[0]): "that is the first layer's fraction alone; average the two hidden layers"}
    slip = next((m for v, m in slips.items() if abs(measured - v) < 1e-9), None)
    a, b = fmt_pair(measured, want)
    fail(f"measured = {a}, but with every hidden bias at -3 the dead fraction is {b}"
         + (f": {slip}" if slip else ". Did you set the biases of both hidden layers before measuring?"))


@lru_cache(maxsize=4)
def _ratio_with_momentum(lr=0.02, momentum=0.9):
    X_train, y_train, X_test, y_test = load_digits(seed=0)
    iters = {}
    for act in ("sigmoid", "relu"):
        net = Network([64, 64, 64, 10], activation=act, init="xavier", seed=0)
        hist = net.fit(X_train, y_train, epochs=60, batch_size=32, lr=lr, momentum=momentum,
                       X_val=X_test, y_val=y_test, eval_every=10, progress=False)
        iters[act] = _first_step(hist["val_step"], hist["val_accuracy"], 0.9)
    if iters["sigmoid"] is None or iters["relu"] is None:
        return float("nan")
    return iters["sigmoid"] / iters["relu"]


@reference("9.4")
def _(ans):
    ratio = ans.number("ratio_momentum")
    runs, _ = _stored()
    stored = {r["activation"]: float(r["iters_to_0.9"]) for r in runs
              if r["init"] == "xavier" and r["seed"] == "0" and r["activation"] in ("sigmoid", "relu")}
    plain = stored["sigmoid"] / stored["relu"]
    if ratio <= 0:
        fail(f"ratio_momentum = {fmt_num(ratio, 4)}; a ratio of two iteration counts is positive")
    print("[9.4] training both networks again to compare (a few seconds) ...", flush=True)
    want = _ratio_with_momentum()
    # the same deterministic training on the same machine: the ratio of two whole numbers agrees
    if abs(ratio - want) <= 1e-6 * want:
        return (f"sigmoid needs {fmt_num(want, 3)} times as many iterations as ReLU with momentum, "
                f"against {fmt_num(plain, 3)} with plain SGD")
    if abs(ratio - 1 / want) <= 1e-6 / want:
        fail(f"ratio_momentum = {fmt_num(ratio, 4)} is ReLU's count over sigmoid's; the task asks for "
             "sigmoid's over ReLU's")
    if abs(ratio - plain) <= 1e-6 * plain:
        fail(f"ratio_momentum = {fmt_num(ratio, 4)} is the plain-SGD ratio of the stored sweep; train "
             "again with learning rate 0.02 and momentum 0.9")
    a, b = fmt_pair(ratio, want)
    fail(f"ratio_momentum = {a}, but training both networks as described (Glorot, seed 0, 60 epochs, "
         f"batch 32, learning rate 0.02, momentum 0.9, eval_every=10) gives {b}. Check the learning rate, "
         "the momentum and how often accuracy is measured")


# ---------------------------------------------------------------------------------------------
# 9.5: the nearest class mean on the book's MNIST digits
# ---------------------------------------------------------------------------------------------
def _nearest_mean_predict(X_train, y_train, X_test, *, manhattan=False, farthest=False,
                          index=False):
    """Predictions of the nearest-class-mean rule in float64 (and of its slips)."""
    X_train = np.asarray(X_train, dtype=np.float64)
    X_test = np.asarray(X_test, dtype=np.float64)
    y_train = np.asarray(y_train)
    classes = np.unique(y_train)
    means = np.stack([X_train[y_train == c].mean(axis=0) for c in classes])
    if manhattan:
        d = np.stack([np.abs(X_test - m).sum(axis=1) for m in means], axis=1)
    else:
        d = np.stack([((X_test - m) ** 2).sum(axis=1) for m in means], axis=1)
    k = np.argmax(d, axis=1) if farthest else np.argmin(d, axis=1)
    return k if index else classes[k]


def _nm_accuracy(X_train, y_train, X_test, y_test, **slip):
    return float(np.mean(_nearest_mean_predict(X_train, y_train, X_test, **slip)
                         == np.asarray(y_test)))


@lru_cache(maxsize=1)
def _mnist_baselines():
    """``(reference, slips, n_test)`` on the chapter's split; the reference from scikit-learn's
    NearestCentroid, an implementation independent of the slips' code."""
    import warnings

    from sklearn.neighbors import NearestCentroid

    X_tr, y_tr, X_te, y_te = load_mnist_10k(dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constant border pixels within a class
        ref = float(NearestCentroid().fit(X_tr, y_tr).score(X_te, y_te))
    slips = {
        "that is the accuracy on the training digits; score the test digits":
            _nm_accuracy(X_tr, y_tr, X_tr, y_tr),
        "the class means come from the test digits; compute them from the training digits":
            _nm_accuracy(X_te, y_te, X_te, y_te),
        "that uses the sum of absolute differences; the task asks for the Euclidean distance":
            _nm_accuracy(X_tr, y_tr, X_te, y_te, manhattan=True),
        "that assigns each image to the *farthest* mean (argmax instead of argmin)":
            _nm_accuracy(X_tr, y_tr, X_te, y_te, farthest=True),
        "that is a percentage; give the fraction, between 0 and 1": 100 * ref,
    }
    return ref, slips, len(y_te)


def _as_fraction(got, what):
    try:
        arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        fail(f"{what} should return a number (the fraction classified correctly); it returned "
             f"{got!r:.60}")
    if arr.size != 1:
        fail(f"{what} should return one number, the fraction classified correctly; it returned "
             f"an array of shape {arr.shape}")
    return float(arr.reshape(-1)[0])


@reference("9.5")
def _(ans):
    f = ans.function("nearest_mean_accuracy")
    # a case worked by hand: class means (0, 1), (4, 1), (1, 8) for the labels 0, 5, 7; the
    # test points go to 0, 5, 7, 5, so three of the four labels are right
    X_train = np.array([[0, 0], [0, 2], [4, 0], [4, 2], [0, 8], [2, 8]], dtype=np.float64)
    y_train = np.array([0, 0, 5, 5, 7, 7])
    X_test = np.array([[1, 1], [3, 1], [1, 6], [4, 4]], dtype=np.float64)
    y_test = np.array([0, 5, 7, 7])
    got = _as_fraction(f(X_train.copy(), y_train.copy(), X_test.copy(), y_test.copy()),
                       "nearest_mean_accuracy")
    want = 0.75
    if abs(got - want) > 1e-6:
        slips = {
            "the position of the nearest mean was compared with the labels; return the class "
            "label of that mean (the labels here are 0, 5 and 7)":
                _nm_accuracy(X_train, y_train, X_test, y_test, index=True),
            "that is a percentage; give the fraction, between 0 and 1": 100 * want,
            "each image went to the *farthest* mean (argmax instead of argmin)":
                _nm_accuracy(X_train, y_train, X_test, y_test, farthest=True),
        }
        named = [m for m, v in slips.items() if abs(got - v) <= 1e-6]
        fail(f"on a small case worked by hand (labels 0, 5, 7; class means (0, 1), (4, 1), "
             f"(1, 8)) nearest_mean_accuracy gives {fmt_num(got, 6)}, but three of the four "
             f"test points are classified correctly (0.75)"
             + (f": {named[0]}" if len(named) == 1 else ""))
    ref, slips, n = _mnist_baselines()
    # accuracies are counts out of n: one image whose two nearest means tie to rounding in
    # float32 may flip, so the tolerance is one and a half images
    tol = 1.5 / n
    for what, value in (("nearest_mean_accuracy on the chapter's MNIST split",
                         _as_fraction(f(*load_mnist_10k()), "nearest_mean_accuracy")),
                        ("baseline", ans.number("baseline"))):
        if abs(value - ref) <= tol:
            continue
        named = [m for m, v in slips.items() if abs(value - v) <= tol]
        a, b = fmt_pair(value, ref)
        fail(f"{what} is {a}, but the nearest class mean of the training digits classifies "
             f"{b} of the test digits correctly" + (f": {named[0]}" if len(named) == 1 else ""))
    targets = ans["targets_reached"]
    try:
        got_targets = sorted(float(t) for t in targets)
    except TypeError:
        fail(f"targets_reached should be a list of targets such as [0.8]; it is {targets!r:.60}")
    want_targets = [t for t in (0.8, 0.9, 0.95) if ref >= t]
    if got_targets != want_targets:
        fail(f"targets_reached = {got_targets}, but a test accuracy of {fmt_num(ref, 4)} reaches "
             f"{want_targets}: list each target the accuracy is at least")
    return ("the nearest class mean reaches the accuracy of the reference classifier, and the "
            "targets it reaches are right")
