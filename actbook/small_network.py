"""The hand-worked 2-2-2 network of chapter 2 (Backpropagation).

Two inputs ``I1, I2``, two hidden units ``H1, H2`` and two outputs ``O1, O2``, joined by
eight weights ``w1 .. w8`` and four biases (one per unit: ``b1, b2`` for the hidden units,
``b3, b4`` for the outputs). In the book's matrix notation

    W^(1) = [[w1, w2], [w3, w4]]   (row j feeds hidden unit H_j)
    W^(2) = [[w5, w6], [w7, w8]]   (row k feeds output unit O_k)
    b^(1) = (b1, b2),  b^(2) = (b3, b4)

so ``z_H1 = w1 I1 + w2 I2 + b1`` and ``z_O1 = w5 a_H1 + w6 a_H2 + b3``. The error is
``E = 1/2 (t1 - a_O1)^2 + 1/2 (t2 - a_O2)^2``.

Everything here is plain data: :meth:`SmallNetwork.forward` and
:meth:`SmallNetwork.backward` return dictionaries of named numbers, so the chapter can print
them, the step-through widget can draw them, and the tests can compare them with the engine
(:mod:`actbook.network`) and with finite differences (:mod:`actbook.gradcheck`).

The "four rules" applied path by path to any small dense network live in
:mod:`actbook.path_sums`.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

__all__ = ["SmallNetwork", "Step", "WEIGHT_EDGES", "render_step", "draw_network"]

#: Which edge each weight sits on: name -> (source unit, target unit, matrix, row, column).
WEIGHT_EDGES = {
    "w1": ("I1", "H1", 1, 0, 0), "w2": ("I2", "H1", 1, 0, 1),
    "w3": ("I1", "H2", 1, 1, 0), "w4": ("I2", "H2", 1, 1, 1),
    "w5": ("H1", "O1", 2, 0, 0), "w6": ("H2", "O1", 2, 0, 1),
    "w7": ("H1", "O2", 2, 1, 0), "w8": ("H2", "O2", 2, 1, 1),
}
#: Which unit each bias belongs to: name -> (unit, layer, index).
BIAS_UNITS = {"b1": ("H1", 1, 0), "b2": ("H2", 1, 1), "b3": ("O1", 2, 0), "b4": ("O2", 2, 1)}
PARAM_NAMES = list(WEIGHT_EDGES) + list(BIAS_UNITS)


def _activation(act):
    from actbook.activations import get, Activation  # imported late: the registry is optional here
    if isinstance(act, Activation):
        return act
    return get(act)


@dataclass(frozen=True)
class SmallNetwork:
    """The 2-2-2 network of chapter 2 with its numbers.

    ``hidden`` and ``output`` are activation names (or :class:`~actbook.activations.Activation`
    objects). The default numbers are the chapter's worked example.
    """

    x: tuple = (0.8, -0.4)
    W1: tuple = ((0.3, -0.5), (0.9, 0.2))
    b1: tuple = (0.1, -0.2)
    W2: tuple = ((-0.4, 0.7), (0.6, -0.3))
    b2: tuple = (0.05, 0.15)
    target: tuple = (0.2, 0.9)
    hidden: object = "sigmoid"
    output: object = "sigmoid"
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    # ------------------------------------------------------------------ parameters
    def params(self) -> dict:
        """All twelve parameters by name: ``w1 .. w8`` and ``b1 .. b4``."""
        out = {}
        for name, (_, _, m, r, c) in WEIGHT_EDGES.items():
            out[name] = float((self.W1 if m == 1 else self.W2)[r][c])
        for name, (_, layer, i) in BIAS_UNITS.items():
            out[name] = float((self.b1 if layer == 1 else self.b2)[i])
        return out

    def with_params(self, **values) -> "SmallNetwork":
        """A copy with some parameters changed, e.g. ``net.with_params(w1=0.31)``."""
        W1 = [list(r) for r in self.W1]
        W2 = [list(r) for r in self.W2]
        b1, b2 = list(self.b1), list(self.b2)
        for name, v in values.items():
            if name in WEIGHT_EDGES:
                _, _, m, r, c = WEIGHT_EDGES[name]
                (W1 if m == 1 else W2)[r][c] = float(v)
            elif name in BIAS_UNITS:
                _, layer, i = BIAS_UNITS[name]
                (b1 if layer == 1 else b2)[i] = float(v)
            else:
                raise KeyError(f"unknown parameter {name!r}; expected one of {PARAM_NAMES}")
        return replace(self, W1=tuple(map(tuple, W1)), W2=tuple(map(tuple, W2)),
                       b1=tuple(b1), b2=tuple(b2), _cache={})

    def with_activation(self, hidden=None, output=None) -> "SmallNetwork":
        """A copy with other activations."""
        return replace(self, hidden=self.hidden if hidden is None else hidden,
                       output=self.output if output is None else output, _cache={})

    def param_vector(self) -> np.ndarray:
        """The parameters as one float64 vector, in the order of ``PARAM_NAMES``."""
        p = self.params()
        return np.array([p[n] for n in PARAM_NAMES], dtype=np.float64)

    def error_at(self, theta) -> float:
        """The error ``E`` with the parameters set to the vector ``theta`` (for gradient checks)."""
        theta = np.asarray(theta, dtype=np.float64)
        return self.with_params(**dict(zip(PARAM_NAMES, theta))).forward()["E"]

    def matrices(self) -> dict:
        """``W1, b1, W2, b2, x, t`` as float64 arrays, in the shapes the engine uses."""
        f = lambda v: np.array(v, dtype=np.float64)  # noqa: E731
        return {"W1": f(self.W1), "b1": f(self.b1), "W2": f(self.W2), "b2": f(self.b2),
                "x": f(self.x), "t": f(self.target)}

    # ------------------------------------------------------------------ passes
    def forward(self) -> dict:
        """The forward pass: every pre-activation ``z_*``, activation ``a_*`` and the error."""
        if "forward" in self._cache:
            return dict(self._cache["forward"])
        hid, out = _activation(self.hidden), _activation(self.output)
        p = self.params()
        I1, I2 = map(float, self.x)
        t1, t2 = map(float, self.target)
        v = {"I1": I1, "I2": I2, "t1": t1, "t2": t2}
        v["z_H1"] = p["w1"] * I1 + p["w2"] * I2 + p["b1"]
        v["z_H2"] = p["w3"] * I1 + p["w4"] * I2 + p["b2"]
        v["a_H1"] = float(hid.forward(np.float64(v["z_H1"])))
        v["a_H2"] = float(hid.forward(np.float64(v["z_H2"])))
        v["z_O1"] = p["w5"] * v["a_H1"] + p["w6"] * v["a_H2"] + p["b3"]
        v["z_O2"] = p["w7"] * v["a_H1"] + p["w8"] * v["a_H2"] + p["b4"]
        v["a_O1"] = float(out.forward(np.float64(v["z_O1"])))
        v["a_O2"] = float(out.forward(np.float64(v["z_O2"])))
        v["E_O1"] = 0.5 * (t1 - v["a_O1"]) ** 2
        v["E_O2"] = 0.5 * (t2 - v["a_O2"]) ** 2
        v["E"] = v["E_O1"] + v["E_O2"]
        self._cache["forward"] = dict(v)
        return v

    def backward(self) -> dict:
        """Every partial derivative of the backward pass, by the chain rule, one unit at a time.

        Keys: ``dE_da_O1`` (the cost's derivative at the output), ``dphi_O1`` (the activation's
        derivative at ``z_O1``), ``delta_O1 = dE/dz_O1``, ``dE_dw5`` ..., ``dE_da_H1`` (the sum
        over the two edges leaving H1), ``dphi_H1``, ``delta_H1``, ``dE_dw1`` ..., ``dE_db1`` ...
        """
        if "backward" in self._cache:
            return dict(self._cache["backward"])
        hid, out = _activation(self.hidden), _activation(self.output)
        f = self.forward()
        p = self.params()
        g = {}
        for k in ("O1", "O2"):
            t = f["t1"] if k == "O1" else f["t2"]
            g[f"dE_da_{k}"] = f[f"a_{k}"] - t
            g[f"dphi_{k}"] = float(out.derivative(np.float64(f[f"z_{k}"])))
            g[f"delta_{k}"] = g[f"dE_da_{k}"] * g[f"dphi_{k}"]
        # rule 4: stop at an edge -> multiply by the activation that feeds it
        g["dE_dw5"] = g["delta_O1"] * f["a_H1"]
        g["dE_dw6"] = g["delta_O1"] * f["a_H2"]
        g["dE_dw7"] = g["delta_O2"] * f["a_H1"]
        g["dE_dw8"] = g["delta_O2"] * f["a_H2"]
        g["dE_db3"] = g["delta_O1"]
        g["dE_db4"] = g["delta_O2"]
        # rule 3: through an edge -> multiply by its weight; sum over the edges leaving a unit
        g["dE_da_H1"] = p["w5"] * g["delta_O1"] + p["w7"] * g["delta_O2"]
        g["dE_da_H2"] = p["w6"] * g["delta_O1"] + p["w8"] * g["delta_O2"]
        for h in ("H1", "H2"):
            g[f"dphi_{h}"] = float(hid.derivative(np.float64(f[f"z_{h}"])))
            g[f"delta_{h}"] = g[f"dE_da_{h}"] * g[f"dphi_{h}"]
        g["dE_dw1"] = g["delta_H1"] * f["I1"]
        g["dE_dw2"] = g["delta_H1"] * f["I2"]
        g["dE_dw3"] = g["delta_H2"] * f["I1"]
        g["dE_dw4"] = g["delta_H2"] * f["I2"]
        g["dE_db1"] = g["delta_H1"]
        g["dE_db2"] = g["delta_H2"]
        self._cache["backward"] = dict(g)
        return g

    def gradient(self) -> dict:
        """``{parameter name: dE/dparameter}`` for all twelve parameters."""
        g = self.backward()
        return {n: g[f"dE_d{n}"] for n in PARAM_NAMES}

    def gradient_vector(self) -> np.ndarray:
        """:meth:`gradient` as a vector in the order of ``PARAM_NAMES``."""
        g = self.gradient()
        return np.array([g[n] for n in PARAM_NAMES], dtype=np.float64)

    # ------------------------------------------------------------------ step-through
    def steps(self) -> list:
        """The forward and backward pass as a list of :class:`Step` s, for the widget."""
        f, g, p = self.forward(), self.backward(), self.params()
        n = lambda v: f"{v:.4g}" if v >= 0 else f"({v:.4g})"  # noqa: E731  operand
        r = lambda v: f"{v:.4g}"  # noqa: E731  result
        hid = _activation(self.hidden)
        out = _activation(self.output)
        hs, os_ = _short(hid), _short(out)
        S = []
        S.append(Step("Start: inputs, weights, biases and targets", "forward", (), (),
                      r"inputs $I_1=%s,\ I_2=%s$;  targets $t_1=%s,\ t_2=%s$"
                      % (r(f["I1"]), r(f["I2"]), r(f["t1"]), r(f["t2"]))))
        for h, (wa, wb, b) in {"H1": ("w1", "w2", "b1"), "H2": ("w3", "w4", "b2")}.items():
            i = h[1]
            S.append(Step(f"Forward: hidden unit {h}", "forward", (h,), (wa, wb),
                          r"$z_{H%s} = %s \cdot %s + %s \cdot %s + %s = %s$,   $a_{H%s} = %s(z_{H%s}) = %s$"
                          % (i, n(p[wa]), n(f["I1"]), n(p[wb]), n(f["I2"]), n(p[b]), r(f[f"z_{h}"]),
                             i, hs, i, r(f[f"a_{h}"]))))
        for o, (wa, wb, b) in {"O1": ("w5", "w6", "b3"), "O2": ("w7", "w8", "b4")}.items():
            i = o[1]
            S.append(Step(f"Forward: output unit {o}", "forward", (o,), (wa, wb),
                          r"$z_{O%s} = %s \cdot %s + %s \cdot %s + %s = %s$,   $a_{O%s} = %s(z_{O%s}) = %s$"
                          % (i, n(p[wa]), n(f["a_H1"]), n(p[wb]), n(f["a_H2"]), n(p[b]),
                             r(f[f"z_{o}"]), i, os_, i, r(f[f"a_{o}"]))))
        S.append(Step("Error", "forward", ("E",), (),
                      r"$E = \frac{1}{2}(%s - %s)^2 + \frac{1}{2}(%s - %s)^2 = %s$"
                      % (n(f["t1"]), n(f["a_O1"]), n(f["t2"]), n(f["a_O2"]), r(f["E"]))))
        for o in ("O1", "O2"):
            i = o[1]
            S.append(Step(f"Backward: delta of {o} (rules 1 and 2)", "backward", (o,), (),
                          r"$\delta_{O%s} = (a_{O%s} - t_%s)\,\phi'(z_{O%s}) = %s \cdot %s = %s$"
                          % (i, i, i, i, n(g[f"dE_da_{o}"]), n(g[f"dphi_{o}"]), r(g[f"delta_{o}"])),
                          computes="delta"))
        for o, (wa, wb, b) in {"O1": ("w5", "w6", "b3"), "O2": ("w7", "w8", "b4")}.items():
            i = o[1]
            S.append(Step(f"Backward: gradients of the weights into {o} (rule 4)", "backward",
                          (o,), (wa, wb),
                          r"$\partial E/\partial %s = \delta_{O%s} a_{H1} = %s$,   "
                          r"$\partial E/\partial %s = \delta_{O%s} a_{H2} = %s$,   "
                          r"$\partial E/\partial %s = %s$"
                          % (_tex(wa), i, r(g[f"dE_d{wa}"]), _tex(wb), i, r(g[f"dE_d{wb}"]),
                             _tex(b), r(g[f"dE_d{b}"])),
                          computes="gradients"))
        for h, (wa, wb) in {"H1": ("w5", "w7"), "H2": ("w6", "w8")}.items():
            i = h[1]
            S.append(Step(f"Backward: delta of {h}, summed over both outgoing edges (rule 3)",
                          "backward", (h,), (wa, wb),
                          r"$\delta_{H%s} = (%s \cdot %s + %s \cdot %s)\,\phi'(z_{H%s}) = %s \cdot %s = %s$"
                          % (i, n(p[wa]), n(g["delta_O1"]), n(p[wb]), n(g["delta_O2"]), i,
                             n(g[f"dE_da_{h}"]), n(g[f"dphi_{h}"]), r(g[f"delta_{h}"])),
                          computes="delta"))
        for h, (wa, wb, b) in {"H1": ("w1", "w2", "b1"), "H2": ("w3", "w4", "b2")}.items():
            i = h[1]
            S.append(Step(f"Backward: gradients of the weights into {h} (rule 4)", "backward",
                          (h,), (wa, wb),
                          r"$\partial E/\partial %s = \delta_{H%s} I_1 = %s$,   "
                          r"$\partial E/\partial %s = \delta_{H%s} I_2 = %s$,   "
                          r"$\partial E/\partial %s = %s$"
                          % (_tex(wa), i, r(g[f"dE_d{wa}"]), _tex(wb), i, r(g[f"dE_d{wb}"]),
                             _tex(b), r(g[f"dE_d{b}"])),
                          computes="gradients"))
        for k, s in enumerate(S):
            S[k] = replace(s, index=k)
        return S


@dataclass(frozen=True)
class Step:
    """One step of the step-through: a title, which pass, what to highlight and the formula.

    Chapter 2.
    """

    title: str
    phase: str          # "forward" or "backward"
    units: tuple        # units to highlight, e.g. ("H1",) or ("E",)
    weights: tuple      # weights to highlight, e.g. ("w5", "w6")
    formula: str        # matplotlib mathtext with the numbers filled in
    index: int = 0
    computes: str = ""  # a backward step computes a "delta" or the "gradients" of weights


def _tex(name: str) -> str:
    return f"{name[0]}_{name[1:]}"


def _short(act) -> str:
    return getattr(act, "symbol", r"\phi")


# ---------------------------------------------------------------------- drawing
_POS = {"I1": (0.0, 1.6), "I2": (0.0, 0.0), "H1": (2.2, 1.6), "H2": (2.2, 0.0),
        "O1": (4.4, 1.6), "O2": (4.4, 0.0), "E": (5.7, 0.8)}
# Okabe and Ito's blue (forward) and vermillion (backward); a backward highlight is also
# dashed, so the two passes differ in more than colour. Idle edges: light grey.
_FWD, _BWD, _IDLE = "#0072B2", "#D55E00", "#b8b8b8"
_FONT = 10.5  # the book's smallest figure text (actbook.plotting.MIN_TEXT_PX at 1 pt = 1 px)
_R = 0.24  # unit radius


def _known(steps, last):
    """What has been computed after step ``last``: activations, deltas, gradients."""
    known_a, known_delta, known_grad = {"I1", "I2"}, set(), set()
    for s in steps[: last + 1]:
        if s.phase == "forward":
            known_a.update(s.units)
        elif s.computes == "delta":
            known_delta.update(s.units)
        else:
            known_grad.update(s.weights)
            known_grad.update(b for b, (u, _, _) in BIAS_UNITS.items() if u in s.units)
    return known_a, known_delta, known_grad


def draw_network(net: SmallNetwork, step: int | None = None, ax=None, ledger_ax=None,
                 compact: bool = False):
    """Draw the 2-2-2 network with everything known after ``step`` written on it.

    ``step=None`` draws the finished forward and backward pass. Units show their bias, ``z``,
    ``a`` and (once computed) ``delta``; edges show their weights; the current step is
    highlighted (blue forward, vermillion and dashed backward). If ``ledger_ax`` is given, the twelve gradients
    known so far are listed there. ``compact`` fits the vertical limits to what is written
    (the widget keeps them fixed so that frames do not jump). Introduced in chapter 2.
    Returns the axes.
    """
    import matplotlib.pyplot as plt

    steps = net.steps()
    last = len(steps) - 1 if step is None else int(step)
    if not 0 <= last < len(steps):
        raise ValueError(f"step must be between 0 and {len(steps) - 1}; got {step}")
    cur = steps[last] if step is not None else Step("", "none", (), (), "")
    f, g, p = net.forward(), net.backward(), net.params()
    if ax is None:
        from .plotting import figure_size

        _, ax = plt.subplots(figsize=figure_size(0.9, height=3.9))
    known_a, known_delta, known_grad = _known(steps, last)
    colour = _BWD if cur.phase == "backward" else _FWD
    hot_ls = "--" if cur.phase == "backward" else "-"
    for w, (src, dst, *_rest) in WEIGHT_EDGES.items():
        (x0, y0), (x1, y1) = _POS[src], _POS[dst]
        d = np.hypot(x1 - x0, y1 - y0)
        ux, uy = (x1 - x0) / d, (y1 - y0) / d
        hot = w in cur.weights
        ax.annotate("", xy=(x1 - _R * ux, y1 - _R * uy), xytext=(x0 + _R * ux, y0 + _R * uy),
                    arrowprops=dict(arrowstyle="-|>", lw=3.0 if hot else 1.1,
                                    ls=hot_ls if hot else "-",
                                    color=colour if hot else _IDLE, shrinkA=0, shrinkB=0))
        fr = 0.5 if y0 == y1 else 0.24
        ax.text(x0 + fr * (x1 - x0), y0 + fr * (y1 - y0), f"{w} = {p[w]:.3g}", ha="center",
                va="center", fontsize=_FONT, color=colour if hot else "#333333",
                weight="bold" if hot else "normal",
                bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.9))
    for o in ("O1", "O2"):
        (x0, y0), (x1, y1) = _POS[o], _POS["E"]
        hot = cur.units == ("E",)
        d = np.hypot(x1 - x0, y1 - y0)
        ax.plot([x0 + _R * (x1 - x0) / d, x1 - _R * (x1 - x0) / d],
                [y0 + _R * (y1 - y0) / d, y1 - _R * (y1 - y0) / d],
                color=colour if hot else _IDLE, lw=3.0 if hot else 1.1,
                ls=hot_ls if hot else "-")
    n_lines = {}
    for u, (x, y) in _POS.items():
        hot = u in cur.units
        ax.add_patch(plt.Circle((x, y), _R, fc="#fff3c4" if hot else "white",
                                ec=colour if hot else "#555555", lw=3.0 if hot else 1.2,
                                ls=hot_ls if hot else "-", zorder=3))
        ax.text(x, y, u, ha="center", va="center", fontsize=11, weight="bold", zorder=4)
        lines = []
        n_lines.setdefault(u, 0)
        if u in ("I1", "I2"):
            lines.append(f"a = {f[u]:.3g}")
        elif u == "E":
            if "E" in known_a:
                lines += [f"E = {f['E']:.4g}", f"t1 = {f['t1']:.3g}", f"t2 = {f['t2']:.3g}"]
        else:
            bias = [b for b, (uu, _, _) in BIAS_UNITS.items() if uu == u][0]
            lines.append(f"{bias} = {p[bias]:.3g}")
            if u in known_a:
                lines += [f"z = {f['z_' + u]:.4g}", f"a = {f['a_' + u]:.4g}"]
            if u in known_delta:
                lines.append(f"\u03b4 = {g['delta_' + u]:.4g}")
        n_lines[u] = len(lines)
        if lines:
            top = y > 0.8 or u == "E"
            ax.text(x, y + (_R + 0.08) * (1 if top else -1), "\n".join(lines), ha="center",
                    va="bottom" if top else "top", fontsize=_FONT, linespacing=1.25,
                    color=_BWD if u in known_delta else "#222222")
    ax.set_xlim(-0.55, 6.25)
    if compact:
        top = max(n_lines[u] for u in ("I1", "H1", "O1"))
        bottom = max(n_lines[u] for u in ("I2", "H2", "O2"))
        ax.set_ylim(-(_R + 0.2 + 0.3 * bottom), 1.6 + _R + 0.2 + 0.3 * top)
    else:
        ax.set_ylim(-1.35, 2.95)
    ax.set_aspect("equal")
    ax.axis("off")
    if ledger_ax is not None:
        # three multi-line texts (known, unknown, current) instead of twelve: much cheaper to draw
        ledger_ax.axis("off")
        ledger_ax.text(0.0, 1.0, "gradients so far", fontsize=11, weight="bold", va="top")
        groups = {"known": [], "unknown": [], "hot": []}
        for name in PARAM_NAMES:
            hot = cur.computes == "gradients" and (
                name in cur.weights or (name in BIAS_UNITS and BIAS_UNITS[name][0] in cur.units))
            known = name in known_grad
            line = (f"\u2202E/\u2202{name} = {g['dE_d' + name]: .4f}" if known
                    else f"\u2202E/\u2202{name} = ?")
            kind = "hot" if hot else ("known" if known else "unknown")
            for k, lines in groups.items():
                lines.append(line if k == kind else " ")
        style = {"known": ("#222222", "normal"), "unknown": ("#767676", "normal"),
                 "hot": (_BWD, "bold")}
        for k, lines in groups.items():
            if any(l.strip() for l in lines):
                ledger_ax.text(0.0, 0.9, "\n".join(lines), fontsize=_FONT, va="top", family="monospace",
                               linespacing=1.55, color=style[k][0], weight=style[k][1])
    return ax


def render_step(step: int = 0, activation: str = "sigmoid", net: SmallNetwork | None = None):
    """One frame of the chapter-2 step-through widget: diagram, gradient ledger and formula.
    (Chapter 2.)

    ``activation`` is the hidden units' activation; the outputs keep ``net.output``.
    Returns a matplotlib Figure (the width of the book's text column), with alt text
    that describes the frame.
    """
    import matplotlib.pyplot as plt

    from .plotting import COLUMN_INCHES, set_alt_text

    net = (net or SmallNetwork()).with_activation(hidden=activation)
    steps = net.steps()
    if not 0 <= int(step) < len(steps):
        raise ValueError(f"step must be between 0 and {len(steps) - 1}; got {step}")
    s = steps[int(step)]
    fig = plt.figure(figsize=(COLUMN_INCHES, 4.5), facecolor="white")
    ax = fig.add_axes([0.0, 0.12, 0.72, 0.78])
    lax = fig.add_axes([0.725, 0.12, 0.27, 0.76])
    draw_network(net, step, ax=ax, ledger_ax=lax)
    colour = _FWD if s.phase == "forward" else _BWD
    fig.text(0.015, 0.95, f"Step {s.index} of {len(steps) - 1}: {s.title}", fontsize=12,
             weight="bold", color=colour, va="center")
    fig.text(0.5, 0.055, s.formula, ha="center", va="center", fontsize=11.5)
    set_alt_text(fig, step_alt_text(net, int(step)))
    return fig


def _speakable(formula: str) -> str:
    """A matplotlib mathtext formula as plain words and numbers, for alt text."""
    import re

    text = formula.replace("$", "")
    for tex, words in ((r"\frac{1}{2}", "1/2 "), (r"\partial ", "d"), (r"\partial", "d"),
                       (r"\cdot", "times"), (r"\,", " "), (r"\ ", " "), (r"\delta", "delta "),
                       (r"\sigma", "sigma"), (r"\tanh", "tanh"), (r"\phi'", "phi prime"),
                       (r"\phi", "phi"), (r"\mathrm", "")):
        text = text.replace(tex, words)
    text = re.sub(r"_\{?(\w+)\}?", r" \1", text)
    text = re.sub(r"\^2", " squared", text)
    text = text.replace("{", "").replace("}", "").replace("\\", "")
    return " ".join(text.split())


def step_alt_text(net: "SmallNetwork", step: int) -> str:
    """What frame ``step`` of the step-through shows, in words (its alt text; chapter 2)."""
    steps = net.steps()
    s = steps[step]
    known_a, known_delta, known_grad = _known(steps, step)
    g = net.backward()
    hidden = getattr(_activation(net.hidden), "label", str(net.hidden))
    shown = [f"activations of {', '.join(sorted(known_a))}"]
    if known_delta:
        shown.append(f"deltas of {', '.join(sorted(known_delta))}")
    grads = [f"{n} {g['dE_d' + n]:.4f}" for n in PARAM_NAMES if n in known_grad]
    ledger = (f"The ledger on the right lists {len(grads)} of the 12 gradients: "
              + "; ".join(grads) + "." if grads else
              "The ledger on the right lists no gradient yet.")
    hot = [f"unit {u}" for u in s.units] + [f"weight {w}" for w in s.weights]
    return (f"Step {s.index} of {len(steps) - 1} through the 2-2-2 network with {hidden} "
            f"hidden units, {s.phase} pass: {s.title}. "
            + (f"Highlighted: {', '.join(hot)}. " if hot else "")
            + f"Written on the diagram: {'; '.join(shown)}. {ledger} "
            f"Formula below: {_speakable(s.formula)}.")
