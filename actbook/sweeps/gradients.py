"""Gradients at initialisation: the error signal in every layer of fresh networks (chapters 7, 8).

No training happens here: every number is one forward and one backward pass in float64 on the
first 256 training digits, so the results are deterministic (different BLAS kernels agree to
about 1e-12) and five seeds show the spread over random initial weights.

``gradients_init.csv``      for every activation, initialisation, depth and seed, per layer:
                            the norm of delta^(l) (RMS over the batch of each example's
                            ||delta_n^(l)||), of grad W^(l), and the spread of z^(l), a^(l)
``gradients_remedies.csv``  the same at 20 hidden layers, plain, with batch normalisation and
                            with residual connections (chapter 8)
``gradients.json``          the configuration, versions, BLAS kernel and time

    python -m actbook.sweeps.gradients --out data
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..diagnostics import layer_norms
from ..facts import fact
from ..results import (Table, geo_mean, per_seed, read_meta, read_table, write_meta,
                       write_table)
from .common import Timer, network, progress_line, seed_list, standardised_digits

__all__ = ["FILES", "CONFIG", "run", "facts", "layer_rows", "ratio", "section_batch_norm",
           "section_residual", "remedies_numbers"]

FILES = ("gradients_init.csv", "gradients_remedies.csv", "gradients.json")

CONFIG = {
    "init": dict(depths=[2, 3, 4, 6, 8, 10, 12, 15],
                 activations=["sigmoid", "tanh", "relu", "leaky_relu", "elu", "swish"],
                 inits=["normal-0.01", "normal-1", "lecun", "xavier", "he"], seeds=5,
                 width=64, batch=256),
    "remedies": dict(depth=20, activations=["sigmoid", "tanh", "relu"],
                     inits=["normal-1", "xavier", "he"],
                     variants=["plain", "batch_norm", "residual"], seeds=5, width=64,
                     batch=256),
}

INIT_COLUMNS = ["activation", "init", "depth", "seed", "layer", "delta_norm", "grad_W_norm",
                "z_std", "a_std"]
REMEDY_COLUMNS = ["activation", "init", "variant", "depth", "seed", "layer", "delta_norm",
                  "grad_W_norm", "z_std", "a_std"]


def layer_rows(net, X, y) -> list[dict]:
    """One forward and backward pass; per layer (1 = first hidden, last = output): RMS
    ``||delta_n||``, ``||grad W||``, and the standard deviations of ``z`` and ``a`` (chapter 8)."""
    net.loss(X, y)
    net.backward()
    norms = layer_norms(net)
    return [dict(layer=l + 1, delta_norm=float(norms["delta"][l]),
                 grad_W_norm=float(norms["grad_W"][l]),
                 z_std=float(np.std(layer.z)), a_std=float(np.std(layer.a)))
            for l, layer in enumerate(net.layers)]


def _init_rows(cfg, X, y, seeds):
    for act in cfg["activations"]:
        for init in cfg["inits"]:
            for depth in cfg["depths"]:
                for seed in seeds:
                    net = network(depth, act, init, seed, width=cfg["width"], dtype=np.float64)
                    for r in layer_rows(net, X, y):
                        yield dict(activation=act, init=init, depth=depth, seed=seed, **r)


def _remedy_rows(cfg, X, y, seeds):
    for act in cfg["activations"]:
        for init in cfg["inits"]:
            for variant in cfg["variants"]:
                for seed in seeds:
                    net = network(cfg["depth"], act, init, seed, width=cfg["width"],
                                  variant=variant, dtype=np.float64)
                    for r in layer_rows(net, X, y):
                        yield dict(activation=act, init=init, variant=variant,
                                   depth=cfg["depth"], seed=seed, **r)


def run(out_dir, *, progress: bool = True, seed_offset: int = 0, config=None) -> None:
    """Measure every configuration of ``config`` (default :data:`CONFIG`) and write
    :data:`FILES` into ``out_dir`` (chapter 8)."""
    cfg = CONFIG if config is None else config
    out = Path(out_dir)
    X, y, _, _ = standardised_digits(0)
    t0 = Timer()
    seeds = seed_list(cfg["init"]["seeds"], seed_offset)
    n = cfg["init"]["batch"]
    rows = list(_init_rows(cfg["init"], X[:n], y[:n], seeds))
    write_table(out / FILES[0], rows, INIT_COLUMNS)
    progress_line(progress, f"gradients: {len(rows)} rows at initialisation "
                            f"({t0.wall:.1f} s)")
    seeds = seed_list(cfg["remedies"]["seeds"], seed_offset)
    n = cfg["remedies"]["batch"]
    rem = list(_remedy_rows(cfg["remedies"], X[:n], y[:n], seeds))
    write_table(out / FILES[1], rem, REMEDY_COLUMNS)
    write_meta(out / FILES[2], cfg, t0.wall, t0.cpu, seed_offset=seed_offset)
    progress_line(progress, f"gradients: {len(rem)} rows with the remedies "
                            f"({t0.wall:.1f} s)")


# ---------------------------------------------------------------------------------------------
# what chapter 8 states about them
# ---------------------------------------------------------------------------------------------
def ratio(table: Table, **where) -> np.ndarray:
    """Per seed, ``||delta^(1)|| / ||delta^(L)||``: the first hidden layer's error signal over
    the output layer's, for the runs matching ``where`` (chapter 8)."""
    d = per_seed(table, "delta_norm", **where)
    return d[:, 0] / d[:, -1]


def remedies_numbers(data_dir=None) -> dict:
    """The numbers chapter 8 quotes from ``gradients_remedies.csv``: the geometric mean over
    the seeds of the first-to-output error-signal ratio, ``rem_<act>_<init>_<variant>``,
    for every configuration, and the batch-normalised ReLU network's growth per layer."""
    rem = read_table(FILES[1], data_dir)
    cfg = read_meta(FILES[2], data_dir)["config"]["remedies"]
    out = {"rem_depth": int(cfg["depth"]), "rem_seeds": int(cfg["seeds"]),
           "rem_width": int(cfg["width"])}
    for act in cfg["activations"]:
        for init in cfg["inits"]:
            for variant in cfg["variants"]:
                r = ratio(rem, activation=act, init=init, variant=variant)
                out[f"rem_{act}_{init}_{variant}"] = geo_mean(r)
                out[f"rem_{act}_{init}_{variant}_min"] = float(r.min())
                out[f"rem_{act}_{init}_{variant}_max"] = float(r.max())
    out["rem_relu_he_bn_factor"] = out["rem_relu_he_batch_norm"] ** (1 / cfg["depth"])
    return out


def section_batch_norm(data_dir=None) -> list:
    """Chapter 8, "Batch normalisation": at initialisation it takes the weights' scale out of
    the error signal, and makes it grow slowly in a deep ReLU network."""
    n = remedies_numbers(data_dir)
    return [
        fact("gradients.bn_tames_exploding_relu",
             f"with N(0, 1) weights a {n['rem_depth']}-layer ReLU network's first-to-output "
             "error-signal ratio explodes (> 1e6 in every seed); with batch norm it stays "
             "below 1e3",
             n["rem_relu_normal-1_plain_min"] > 1e6
             and n["rem_relu_normal-1_batch_norm_max"] < 1e3,
             f"plain {n['rem_relu_normal-1_plain_min']:.2g}..; batch norm "
             f"..{n['rem_relu_normal-1_batch_norm_max']:.3g}"),
        fact("gradients.bn_lifts_vanishing_sigmoid",
             f"the {n['rem_depth']}-layer Xavier sigmoid network's ratio rises from below 1e-6 "
             "to within a factor 10 of 1 with batch norm",
             n["rem_sigmoid_xavier_plain_max"] < 1e-6
             and 0.1 < n["rem_sigmoid_xavier_batch_norm_min"]
             and n["rem_sigmoid_xavier_batch_norm_max"] < 10,
             f"plain ..{n['rem_sigmoid_xavier_plain_max']:.2g}; batch norm "
             f"{n['rem_sigmoid_xavier_batch_norm_min']:.3g}.."
             f"{n['rem_sigmoid_xavier_batch_norm_max']:.3g}"),
        fact("gradients.bn_relu_grows_slowly",
             "with batch norm the He ReLU network's error signal grows on its way back, "
             "by a factor between 1.05 and 1.5 per layer",
             1.05 < n["rem_relu_he_bn_factor"] < 1.5,
             f"{n['rem_relu_he_bn_factor']:.3f} per layer"),
    ]


def section_residual(data_dir=None) -> list:
    """Chapter 8, "Residual connections": the identity path keeps a deep sigmoid network's
    error signal, and makes a He ReLU network's grow."""
    n = remedies_numbers(data_dir)
    return [
        fact("gradients.residual_keeps_sigmoid",
             f"with residual connections the {n['rem_depth']}-layer Xavier sigmoid network "
             "keeps its error signal within a factor 10 of the output's in every seed",
             0.1 < n["rem_sigmoid_xavier_residual_min"]
             and n["rem_sigmoid_xavier_residual_max"] < 10,
             f"{n['rem_sigmoid_xavier_residual_min']:.3g}.."
             f"{n['rem_sigmoid_xavier_residual_max']:.3g}"),
        fact("gradients.residual_relu_grows",
             f"with residual connections the {n['rem_depth']}-layer He ReLU network's first "
             "layer receives over 100 times the output's error signal in every seed",
             n["rem_relu_he_residual_min"] > 100,
             f"smallest {n['rem_relu_he_residual_min']:.3g}"),
    ]


def facts(data_dir=None) -> list:
    """Every statement the chapters make about this sweep's stored files (chapter 8)."""
    return section_batch_norm(data_dir) + section_residual(data_dir)


if __name__ == "__main__":
    from actbook.sweeps.common import main

    raise SystemExit(main("actbook.sweeps.gradients"))
