"""An activation answers for itself: the code outside the registry asks its capabilities
(kind, He gain, per-unit slopes, output bounds, symbol), never its name.

The scan can fail: it finds a comparison of any ``<x>.name`` with a string constant
(``act.name == "relu"``, ``act.name in ("leaky_relu", "prelu")``) in actbook/ or scripts/
outside actbook/activations/, and a test below proves it catches both forms.
"""
import ast
import math
from pathlib import Path

import numpy as np
import pytest

from actbook.activations import KINDS, Param, Properties, get, names
from actbook.init import relu_gain

ROOT = Path(__file__).resolve().parent.parent
# every module outside the registry that uses it (a module that never imports the registry
# cannot hold an activation; course/ compares file names, which are not activations)
SCANNED = [p for d in ("actbook", "scripts", "benchmarks") for p in sorted((ROOT / d).rglob("*.py"))
           if "activations" not in p.relative_to(ROOT).parts[:2]
           and "activations import" in p.read_text(encoding="utf-8")]


def _string_constants(node) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return bool(node.elts) and all(_string_constants(e) for e in node.elts)
    return False


def name_branches(source: str) -> list[int]:
    """Lines that compare an object's ``.name`` with string constants."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if (any(isinstance(s, ast.Attribute) and s.attr == "name" for s in sides)
                    and any(_string_constants(s) for s in sides)):
                lines.append(node.lineno)
    return lines


def test_the_scan_finds_name_branches():
    src = ('if act.name == "relu":\n    pass\n'
           'g = 2 if layer.act.name in ("leaky_relu", "prelu") else 1\n'
           'ok = path.name.endswith(".py")\n')
    assert name_branches(src) == [1, 3]


def test_no_code_outside_the_registry_branches_on_an_activation_name():
    found = [f"{p.relative_to(ROOT)}:{n}" for p in SCANNED
             for n in name_branches(p.read_text(encoding="utf-8"))]
    assert len(SCANNED) >= 10, [str(p) for p in SCANNED]  # the engine, diagnostics, explorer ...
    assert not found, ("code that branches on an activation's name; ask the activation "
                       f"(kind, he_gain, unit_slopes, output_bounds ...) instead: {found}")


@pytest.mark.parametrize("name", names())
def test_capabilities_are_consistent(name):
    act = get(name)
    assert act.kind in KINDS
    assert act.elementwise == (act.kind == "elementwise")
    per_unit = {"elementwise": 1, "vector": 1, "gated": 2}.get(act.kind, act.values.get("k"))
    assert act.pre_activations_per_unit() == per_unit
    low, high = act.output_bounds
    z = np.linspace(-30, 30, 6000).reshape(-1, 12)
    a, cache = act.layer_forward(z)
    assert np.all(a >= low) and np.all(a <= high), (name, a.min(), a.max())
    slopes = act.unit_slopes(cache)
    if act.kind == "vector":
        assert slopes is None
    else:
        assert slopes.shape == a.shape
    if act.kind == "elementwise":
        assert np.allclose(slopes, act.derivative(z))


def test_he_gain_follows_the_negative_slope():
    """He's gain sqrt(2 / (1 + s^2)) from each activation's own slope; written out here."""
    assert get("relu").he_gain() == pytest.approx(math.sqrt(2))
    assert get("leaky_relu", slope=0.2).he_gain() == pytest.approx(math.sqrt(2 / 1.04))
    assert get("prelu").he_gain() == pytest.approx(math.sqrt(2 / (1 + 0.25 ** 2)))
    s = 0.5 * (1 / 8 + 1 / 3)
    assert get("rrelu").he_gain() == pytest.approx(math.sqrt(2 / (1 + s * s)))
    assert get("leaky_relu", slope=0.99).he_gain() == pytest.approx(math.sqrt(2 / (1 + 0.99 ** 2)))
    for name in ("sigmoid", "tanh", "elu", "swiglu", "maxout"):
        assert get(name).he_gain() == relu_gain(0.0)


def test_unit_slopes_of_the_structured_kinds():
    z = np.array([[1.0, -2.0, 3.0, 0.5]])
    a, cache = get("maxout", k=2).layer_forward(z)
    assert np.array_equal(get("maxout", k=2).unit_slopes(cache), [[1.0, 1.0]])
    g = get("reglu")
    a, cache = g.layer_forward(np.array([[2.0, 0.0, -1.0, 3.0]]))  # u = (2, 0), v = (-1, 3)
    # |g(v)| + |u g'(v)|: unit 1: 0 + 2 * 0 = 0 (dead), unit 2: 3 + 0 * 1 = 3
    assert np.array_equal(g.unit_slopes(cache), [[0.0, 3.0]])


def test_constructors_are_keyword_only():
    with pytest.raises(TypeError):
        Param("slope", 0.01)
    with pytest.raises(TypeError):
        Properties("(-inf, inf)", True, True, True, "none", False)
    p = Param(name="slope", default=0.01, low=0.0, high=1.0)
    assert p.validate(0.5, "x") == 0.5
