"""Tests of actbook.comparison: the chapter 7 table generated from the registry."""
import math
import time

import numpy as np
import pytest

from actbook import comparison
from actbook.comparison import (ComparisonTable, PROPERTY_COLUMNS, comparison_rows,
                                comparison_table, format_value, measure_cost, property_value)


class _FakeClock:
    """A clock that only moves when the stand-in activation says so: timing without noise."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class _SlowIdentity:
    """A stand-in activation whose forward and backward take a known time on a fake clock."""

    name = "slow"
    label = "slow"
    properties = {"output_range": (-math.inf, math.inf), "zero_centred": True,
                  "monotone": True, "smooth": True, "saturates": False, "can_die": False}

    def __init__(self, forward_s, backward_s, clock=None):
        self.forward_s, self.backward_s, self.clock = forward_s, backward_s, clock
        self.calls = 0

    def _spend(self, seconds):
        self.calls += 1
        if self.clock is None:
            time.sleep(seconds)
        else:
            # calls come in forward/backward pairs: the warm-up pair and every other pair
            # after it are three times slower, so only the minimum over repeats is the cost
            self.clock.now += seconds * (3.0 if self.calls % 4 in (3, 0) else 1.0)

    def layer_forward(self, z, training=False, rng=None, **params):
        self._spend(self.forward_s)
        return z, z

    def layer_backward(self, cache, grad_a):
        self._spend(self.backward_s)
        return grad_a


def test_format_value():
    assert format_value(True) == "yes"
    assert format_value(np.bool_(False)) == "no"
    assert format_value((0, math.inf)) == "[0, ∞)"
    assert format_value((-1.0, 1.0)) == "[-1, 1]"
    assert format_value((-math.inf, math.inf)) == "(−∞, ∞)"
    assert format_value("negative side") == "negative side"
    assert format_value(None) == "–"


def test_property_value_reads_mappings_and_attributes():
    class P:
        smooth = True
    class A:
        properties = P()
    assert property_value(A(), "smooth") is True
    assert property_value(A(), "monotone") is None
    assert property_value(_SlowIdentity(0, 0), "can_die") is False


def test_measure_cost_is_per_element_in_ns_and_keeps_the_fastest_run(monkeypatch):
    clock = _FakeClock()
    monkeypatch.setattr(comparison, "_clock", clock)
    act = _SlowIdentity(0.004, 0.002, clock)
    # 4 ms forward, 2 ms backward on 1000 elements: 4000 and 2000 ns per element
    cost = measure_cost(act, shape=(10, 100), repeats=4)
    assert cost["forward_ns"] == pytest.approx(4000)
    assert cost["backward_ns"] == pytest.approx(2000)
    # with a single repeat only a slow run is seen
    act2 = _SlowIdentity(0.004, 0.002, clock)
    one = measure_cost(act2, shape=(10, 100), repeats=1)
    assert one["forward_ns"] == pytest.approx(12000)


def test_measure_cost_uses_cpu_time_of_the_thread():
    assert comparison._clock is time.thread_time
    real = measure_cost(_SlowIdentity(0.01, 0.01), shape=(10, 100), repeats=2)
    # sleeping costs no CPU time: a sleepy activation measures as (almost) free
    assert real["forward_ns"] < 2000, real


def test_measure_cost_rejects_zero_repeats():
    with pytest.raises(ValueError, match="repeats"):
        measure_cost(_SlowIdentity(0, 0), repeats=0)


def test_table_renders_every_row_and_column():
    rows = [dict(name="slow", label="slow", **_SlowIdentity.properties,
                 forward_ns=1.25, backward_ns=2.5, relative_cost=1.0),
            dict(name="other", label="other", **{**_SlowIdentity.properties, "smooth": False},
                 forward_ns=3.0, backward_ns=4.0, relative_cost=7 / 3.75)]
    t = ComparisonTable(rows)
    md = t.to_markdown().splitlines()
    assert len(md) == 2 + len(rows)
    assert "fwd ns" in md[0] and "can die" in md[0]
    assert "| other |" in md[3] and "1.9×" in md[3]
    html = t.to_html()
    assert html.count("<tr>") == 1 + len(rows)
    assert html.count("<td") == len(rows) * len(t.columns())
    assert t.select(smooth=True) == ["slow"]
    with pytest.raises(KeyError, match="unknown property"):
        t.select(colour="red")
    with pytest.raises(KeyError, match="no row"):
        t.row("nothing")


# --- against the real registry -------------------------------------------------------

def test_one_row_per_registered_activation_with_registry_properties():
    from actbook.activations import get, names
    table = comparison_table(measure=False)
    assert [r["name"] for r in table.rows] == list(names())
    for r in table.rows:
        props = get(r["name"]).properties
        for key, _ in PROPERTY_COLUMNS:
            assert r[key] == getattr(props, key), (r["name"], key)
    # spot checks against what the chapters establish
    relu, tanh, swish = table.row("relu"), table.row("tanh"), table.row("swish")
    assert relu["can_die"] is True and relu["smooth"] is False
    assert tanh["zero_centred"] is True and tanh["saturates"] == "both"
    assert swish["monotone"] is False and swish["smooth"] is True
    assert "forward_ns" not in table.rows[0]


def test_measured_costs_are_positive_and_relative_to_relu():
    rows = comparison_rows(names=["relu", "sigmoid", "softmax", "maxout", "rrelu"],
                           shape=(200, 60), repeats=2)
    for r in rows:
        assert r["forward_ns"] > 0 and math.isfinite(r["forward_ns"]), r
        assert r["backward_ns"] > 0 and math.isfinite(r["backward_ns"]), r
    relu = next(r for r in rows if r["name"] == "relu")
    assert relu["relative_cost"] == pytest.approx(1.0)
    for r in rows:
        expected = (r["forward_ns"] + r["backward_ns"]) / (relu["forward_ns"] + relu["backward_ns"])
        assert r["relative_cost"] == pytest.approx(expected)


def test_no_baseline_gives_no_relative_cost():
    rows = comparison_rows(names=["tanh"], shape=(20, 60), repeats=1)
    assert rows[0]["relative_cost"] is None
    assert "–" in ComparisonTable(rows).to_markdown()
