"""The package source the chapters print with ``inspect.getsource`` fits.

A printed line longer than 79 characters makes the output scroll sideways in
the HTML book, so every line of every object a chapter prints must be at most
79 characters long.
"""
import ast
import importlib
import inspect
import re
import sys
from pathlib import Path

import nbformat
import pytest

import actbook.activations
from actbook import gradient_flow as gf
from actbook.activations import get
from actbook.gradcheck import numerical_gradient
from actbook.init import init_std
from actbook.layers import BatchNorm, Dense
from actbook.losses import log_softmax
from actbook.network import Network, clip_by_value
from actbook.plotting import neuron_plane

MAX_WIDTH = 79
CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"

# the argument of each getsource(...) call in the chapters, as written there,
# and the object it names (the chapters bind ``activations`` and
# ``activations_module`` to actbook.activations, and ``gf`` to
# actbook.gradient_flow). Every name is public: no chapter prints a private one.
SHOWN = {
    "BatchNorm": BatchNorm,
    "Dense.backward": Dense.backward,
    "Dense.backward_delta": Dense.backward_delta,
    "Dense.forward": Dense.forward,
    "activations_module.Gated.layer_backward":
        actbook.activations.Gated.layer_backward,
    "activations_module.Gated.layer_forward":
        actbook.activations.Gated.layer_forward,
    "Network.backward": Network.backward,
    "Network.step": Network.step,
    "clip_by_value": clip_by_value,
    "actbook.activations.sigmoid": actbook.activations.sigmoid,
    "activations.sigmoid": actbook.activations.sigmoid,
    "activations_module.mish_derivative": actbook.activations.mish_derivative,
    "activations_module.softmax": actbook.activations.softmax,
    "activations_module.softplus_unit": actbook.activations.softplus_unit,
    "activations_module.leaky_relu": actbook.activations.leaky_relu,
    "activations_module.leaky_relu_factor": actbook.activations.leaky_relu_factor,
    "activations_module.leaky_relu_derivative":
        actbook.activations.leaky_relu_derivative,
    "gf.jacobian_factors": gf.jacobian_factors,
    "gf.layer_rows": gf.layer_rows,
    "init_std": init_std,
    "log_softmax": log_softmax,
    "neuron_plane": neuron_plane,
    "numerical_gradient": numerical_gradient,
}

# names the chapters must bind as SHOWN assumes: name -> a pattern of the
# import or assignment that binds it in every chapter that prints ``name.…``
BINDINGS = {
    "activations": r"^from actbook import activations$",
    "gf": r"^from actbook import gradient_flow as gf$",
    "activations_module":
        r"^import actbook\.activations as activations_module$",
}


def _code_cells():
    for path in sorted(CHAPTERS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                yield path.name, cell.source


def getsource_args(source, where="code"):
    """The argument of every ``getsource(...)`` call in ``source`` (Python
    code; lines starting with an IPython ``%`` or ``!`` are skipped), as
    source text, found with the AST."""
    lines = [ln for ln in source.splitlines()
             if not ln.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError as exc:
        raise AssertionError(f"{where}: code cell does not parse: {exc}")
    args = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        fname = (func.attr if isinstance(func, ast.Attribute)
                 else getattr(func, "id", None))
        if fname == "getsource":
            assert len(node.args) == 1, (
                f"{where}: getsource with {len(node.args)} arguments")
            args.append(ast.unparse(node.args[0]))
    return args


def chapter_getsource_calls():
    """``{argument text: [chapter, ...]}`` for every ``getsource(...)``
    call in the chapters' code cells."""
    calls = {}
    for name, source in _code_cells():
        for arg in getsource_args(source, name):
            calls.setdefault(arg, []).append(name)
    return calls


def long_lines(obj, width=MAX_WIDTH):
    """``[(file line number, length, text), ...]`` of the lines of
    ``inspect.getsource(obj)`` longer than ``width`` characters."""
    lines, start = inspect.getsourcelines(obj)
    return [(start + i, len(ln.rstrip("\n")), ln.rstrip("\n"))
            for i, ln in enumerate(lines) if len(ln.rstrip("\n")) > width]


def test_list_matches_the_chapters():
    calls = chapter_getsource_calls()
    assert calls, "no getsource(...) call found in the chapters"
    missing = sorted(set(calls) - set(SHOWN))
    stale = sorted(set(SHOWN) - set(calls))
    assert not missing, (
        "chapters print objects this test does not check: "
        + ", ".join(f"{m} ({', '.join(calls[m])})" for m in missing))
    assert not stale, f"listed but no chapter prints them: {stale}"


def test_no_chapter_prints_a_private_name():
    private = {arg: chs for arg, chs in chapter_getsource_calls().items()
               if any(part.startswith("_") for part in arg.split("."))}
    assert not private, f"chapters print private names (make them public): {private}"


@pytest.mark.parametrize("name", sorted(BINDINGS))
def test_chapters_bind_the_names_as_assumed(name):
    calls = chapter_getsource_calls()
    users = {ch for arg, chs in calls.items()
             if arg.split(".")[0] == name for ch in chs}
    sources = {}
    for ch, source in _code_cells():
        sources[ch] = sources.get(ch, "") + "\n" + source
    for ch in sorted(users):
        assert re.search(BINDINGS[name], sources[ch], re.MULTILINE), (
            f"{ch} prints {name}.… but no line matches {BINDINGS[name]}")


@pytest.mark.parametrize("name", sorted(SHOWN))
def test_shown_source_fits(name):
    too_long = long_lines(SHOWN[name])
    path = inspect.getsourcefile(SHOWN[name])
    assert not too_long, (
        f"{name} ({Path(path).name}) has lines over {MAX_WIDTH} characters:\n"
        + "\n".join(f"  line {n} ({k} chars): {t}" for n, k, t in too_long))


def test_long_lines_finds_a_long_line(tmp_path, monkeypatch):
    # the checker itself: a function with one 80-character line is caught,
    # with its file line number; one of exactly 79 characters passes
    body_79 = "    return " + "1" * (MAX_WIDTH - len("    return "))
    body_80 = "    return " + "2" * (MAX_WIDTH + 1 - len("    return "))
    (tmp_path / "shown_probe.py").write_text(
        f"def ok():\n{body_79}\n\n\ndef bad():\n    x = 1\n{body_80}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("shown_probe", None)
    probe = importlib.import_module("shown_probe")
    assert long_lines(probe.ok) == []
    assert long_lines(probe.bad) == [(7, MAX_WIDTH + 1, body_80)]


def test_getsource_args_finds_every_form():
    # the chapter scan sees getsource calls in the forms a chapter may use,
    # also inside other calls and after an IPython magic
    source = ("%matplotlib inline\nimport inspect\n"
              "print(inspect.getsource(a.b))\n"
              "from inspect import getsource\nx = len(getsource(c))\n"
              "getsourcelines(d)\n")
    assert sorted(getsource_args(source)) == ["a.b", "c"]
    with pytest.raises(AssertionError, match="does not parse"):
        getsource_args("print(", "chapter X")
