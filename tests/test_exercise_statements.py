"""Exercise statements in solutions/ say what their checks test (chapters 1, 2 and 10).

The chapters take these numbers from the checks by glue; the solution notebooks state them in
prose, so a change of a check's constants must show up here.
"""
import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _statement(stem: str, heading: str) -> str:
    nb = json.loads((ROOT / "solutions" / f"{stem}.ipynb").read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and text.startswith(f"## Exercise {heading}"):
            return " ".join(text.split())
    raise AssertionError(f"no statement of exercise {heading} in solutions/{stem}.ipynb")


def test_exercise_1_3_states_the_checks_thresholds():
    from actbook.exercise_checks.neuron_models import AND_HIGH, AND_LOW

    text = _statement("01_neuron_models", "1.3")
    assert f"more than {AND_HIGH} at $(1, 1)$" in text, text
    assert f"less than {AND_LOW} at" in text, text


def test_exercise_2_5_states_the_checks_point_and_step():
    from actbook.exercise_checks.backpropagation import H, Z0

    text = _statement("02_backpropagation", "2.5")
    for name, value in (("z_0", Z0), ("h", H)):
        k = round(value / 1e-7)
        assert abs(value - k * 1e-7) < 1e-15
        assert f"${name} = {k} \\times 10^{{-7}}$" in text, (name, value, text)


def test_exercise_10_3_states_the_explorers_setting():
    from actbook.exercise_checks import universal_approximation as ua

    text = _statement("10_universal_approximation", "10.3")
    assert "np.linspace(-2, 2, n + 2)[1:-1]" in text and "801 evenly spaced points" in text
    assert "c_0 + c_1 x + \\sum_i c_i \\max(0, x - t_i)" in text
    # the statement's setting is the check's: 11 units with the linear term, 38 without
    n = next(k for k in range(1, 100) if ua._breakpoint_error(k) < 0.1)
    flat = next(k for k in range(1, 100) if ua._breakpoint_error(k, linear=False) < 0.1)
    assert n < flat and np.isfinite(ua._breakpoint_error(n))
