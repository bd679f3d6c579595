"""The sweeps whose stored results the book reads (chapters 4 and 7 to 9).

Each sweep is a module ``actbook.sweeps.<name>`` that provides

* ``FILES``: the names of the files it writes into a data folder;
* ``run(out_dir, *, progress=True, seed_offset=0)``: runs the whole sweep and writes ``FILES``
  into ``out_dir`` (never into the repository unless ``out_dir`` is the repository's
  ``data/``); ``seed_offset`` shifts every seed, for a re-run on another seed set;
* ``facts(data_dir=None) -> list[actbook.facts.Fact]``: every statement the chapters make
  about the sweep, evaluated on the files in ``data_dir`` (default: the stored ones), one
  function per chapter section underneath.

``python -m actbook.sweeps.<name> --out DIR`` runs one from the command line,
``python -m actbook.sweeps --out DIR`` runs them all (``--only NAME ...`` some).
``scripts/check_robustness.py`` re-runs every sweep listed in :data:`ALL` under several BLAS
kernels and evaluates its facts on each re-run.

=============== ============================================================ =========
sweep           what it measures                                             chapter
=============== ============================================================ =========
``bias_init``   dead ReLU units with the biases started at 0 or 0.01          4
``gradients``   the error signal per layer at initialisation (no training)   7, 8
``layer_speed`` how fast each layer learns, per initialisation, batch norm   8
``clipping``    divergence and accuracy against the learning rate, clipped   8
``depth``       trainability against depth, with the remedies and rates      8
``digits``      seven activations compared on the digits                     9
``mnist``       the slides' activation experiment on 10,000 MNIST digits     9
=============== ============================================================ =========
"""
from __future__ import annotations

import importlib

#: names of the sweep modules, in the order the book uses them
ALL: tuple[str, ...] = ("bias_init", "gradients", "layer_speed", "clipping", "depth", "digits", "mnist")


def module(name: str):
    """The sweep module ``actbook.sweeps.<name>``; ``ValueError`` for a name not in
    :data:`ALL`."""
    if name not in ALL:
        raise ValueError(f"unknown sweep {name!r}; the sweeps are {list(ALL)}")
    return importlib.import_module(f"{__name__}.{name}")


def all_facts(data_dir=None, names=ALL) -> list:
    """The facts of the sweeps ``names`` (default every one), evaluated on ``data_dir``."""
    return [f for name in names for f in module(name).facts(data_dir)]
