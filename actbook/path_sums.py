"""The four rules of backpropagation applied literally (chapter 2): one weight's gradient as a
sum over every path from that weight to the output, for any small dense network.

Exponential in the depth (a path per choice of unit in every later layer), so it is a way to
see the rules at work and to check the engine on a few units, never a way to train.
"""
from __future__ import annotations

from itertools import product

import numpy as np

__all__ = ["path_sum_gradient"]


def path_sum_gradient(Ws, zs, a_in, dL_da_out, derivatives, layer, j, i):
    """The gradient of one weight ``W^(layer)[j, i]`` as a sum over all paths to the output.

    Follows the four rules of chapter 2 literally, for one example: start with the loss's
    derivative at an output unit; through a unit multiply by its activation's derivative;
    through an edge multiply by its weight; stop at the edge ``(i -> j)`` and multiply by the
    activation ``a_in[layer-1][i]`` that feeds it.

    Ws[l-1]        weight matrix of layer l, shape (n_l, n_{l-1})
    zs[l-1]        pre-activations of layer l, shape (n_l,)
    a_in[l-1]      the activations feeding layer l, shape (n_{l-1},) (a_in[0] is the input)
    dL_da_out      derivative of the loss with respect to the output activations, (n_D,)
    derivatives    list of callables, derivatives[l-1](z) = phi_l'(z) (elementwise)
    layer, j, i    1-based layer index, row and column of the weight

    Returns ``(total, paths)`` where each path is ``(units, factors)``: the unit indices
    visited in layers ``layer .. D`` and the factors multiplied along the way.
    """
    D = len(Ws)
    if not 1 <= layer <= D:
        raise ValueError(f"layer must be in 1..{D}; got {layer}")
    dphi = [np.asarray(derivatives[l](np.asarray(zs[l], dtype=np.float64)), dtype=np.float64)
            for l in range(D)]
    widths = [len(zs[l]) for l in range(D)]
    total, paths = 0.0, []
    # units visited in layers layer+1 .. D (0-based layer indices layer .. D-1)
    for tail in product(*[range(widths[l]) for l in range(layer, D)]):
        units = (j,) + tail
        factors = [float(dL_da_out[units[-1]])]                        # rule 1
        for step in range(len(units) - 1, -1, -1):
            l = layer - 1 + step                                         # 0-based layer index
            factors.append(float(dphi[l][units[step]]))                 # rule 2
            if step > 0:
                factors.append(float(Ws[l][units[step], units[step - 1]]))  # rule 3
        factors.append(float(a_in[layer - 1][i]))                       # rule 4
        paths.append((units, factors))
        total += float(np.prod(factors))
    return total, paths
