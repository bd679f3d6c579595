"""Tests of actbook.comparison: the chapter 11 table generated from the registry."""
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


# -- chapter 11: every activation at a glance --------------------------------------------------
def test_activation_groups_draw_every_activation_once():
    from actbook.activations import names

    groups = comparison.activation_groups()
    drawn = [n for _, members in groups for n in members]
    assert sorted(drawn) == sorted(names()) and len(drawn) == len(set(drawn))
    assert all(1 <= len(members) <= 6 for _, members in groups)
    # an activation no group names is still drawn, in groups of at most six
    extra = [f"new_{i}" for i in range(8)]
    more = comparison.activation_groups(list(names()) + extra)
    assert [m for t, m in more if t == "other units"] == [extra[:6], extra[6:]]


def test_activation_panels_are_readable_at_the_text_width():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    for _, members in comparison.activation_groups():
        fig = comparison.plot_activation_panels(members)
        try:
            fig.canvas.draw()
            width_px = fig.get_size_inches()[0] * fig.dpi
            scale = min(1.0, 672 / width_px)  # a figure's width on the page at 1280 px
            texts = [t for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip()]
            smallest = min(t.get_fontsize() for t in texts) * fig.dpi / 72 * scale
            assert smallest >= 10, f"{members}: text of {smallest:.1f} px"
            panels = [ax for ax in fig.axes if ax.get_visible() and ax.lines]
            assert len(panels) == len(members)
            for ax in panels:  # the function solid, the derivative dashed
                assert [line.get_linestyle() for line in ax.lines[:2]] == ["-", "--"]
        finally:
            plt.close(fig)


def test_activation_panels_refuse_a_unit_they_cannot_draw(monkeypatch):
    from actbook import activations

    class Vector:  # neither elementwise nor one of the vector units the panels know
        elementwise = False
        kind = "other"
        values = {}

        def pre_activations_per_unit(self):
            return 1

    original = activations.get
    monkeypatch.setattr(activations, "get",
                        lambda name, **kw: Vector() if name == "odd" else original(name, **kw))
    with pytest.raises(ValueError, match="cannot draw 'odd'"):
        comparison.plot_activation_panels(["relu", "odd"])


# -- chapter 11: what chapter 9's runs say -----------------------------------------------------
def _runs(spec):
    """Rows like data/digits_comparison_runs.csv: spec[act] = [(steps or '', acc, dead), ...]."""
    return [{"activation": a, "init": "he", "seed": str(s), "iters_to_0.9": str(st),
             "final_accuracy": str(acc), "dead_units": str(dead)}
            for a, runs in spec.items() for s, (st, acc, dead) in enumerate(runs)]


SPEC = {
    "sigmoid": [(900, 0.93, 0.0), (1000, 0.92, 0.0), (1100, 0.93, 0.0)],
    "tanh": [(70, 0.96, 0.0), (80, 0.97, 0.0), (100, 0.96, 0.0)],
    "relu": [(80, 0.97, 0.05), (110, 0.96, 0.03), (150, 0.97, 0.04)],
    "leaky_relu": [(80, 0.96, 0.0), (120, 0.97, 0.0), (140, 0.96, 0.0)],
}


def test_digits_summary_and_numbers_by_hand():
    s = comparison.digits_summary(_runs(SPEC) + [dict(r, init="xavier") for r in _runs(SPEC)])
    assert s["relu"]["steps"] == [80, 110, 150] and s["relu"]["median_steps"] == 110
    assert s["tanh"]["acc_mean"] == pytest.approx((0.96 + 0.97 + 0.96) / 3)
    n = comparison.digits_numbers(s)
    assert n["digits_slowest"] == "sigmoid" and n["digits_seeds"] == 3
    assert n["digits_slow_ratio"] == pytest.approx(1000 / 110)
    assert (n["digits_others_lo"], n["digits_others_hi"]) == (80, 120)
    assert n["digits_relu_dead"] == pytest.approx(4.0)
    assert all(f.holds for f in comparison.digits_facts(n))
    with pytest.raises(LookupError, match="init='lecun'"):
        comparison.digits_summary(_runs(SPEC), init="lecun")


@pytest.mark.parametrize("change,fails", [
    ({"sigmoid": [(140, 0.93, 0.0), (1000, 0.92, 0.0), (1100, 0.93, 0.0)]},
     "digits.sigmoid-slowest-in-every-seed"),
    ({"tanh": [(20, 0.96, 0.0), (25, 0.97, 0.0), (30, 0.96, 0.0)]}, "digits.others-overlap"),
    ({"tanh": [(170, 0.96, 0.0), (180, 0.97, 0.0), (200, 0.96, 0.0)]},
     "digits.tanh-keeps-up"),
    ({"sigmoid": [(900, 0.97, 0.0), (1000, 0.92, 0.0), (1100, 0.93, 0.0)]},
     "digits.sigmoid-ends-lower"),
    ({"relu": [("", 0.97, 0.05), (110, 0.96, 0.03), (150, 0.97, 0.04)]},
     "digits.every-seed-reaches"),
    ({"leaky_relu": [(80, 0.96, 0.2), (120, 0.97, 0.0), (140, 0.96, 0.0)]},
     "digits.relu-dies-leaky-less"),
])
def test_each_digits_fact_can_fail(change, fails):
    n = comparison.digits_numbers(comparison.digits_summary(_runs({**SPEC, **change})))
    verdict = {f.key: f.holds for f in comparison.digits_facts(n)}
    assert verdict[fails] is False


def test_digits_facts_hold_on_the_stored_runs():
    from actbook.data import read_results_csv
    from actbook.facts import require

    rows = read_results_csv("digits_comparison_runs.csv")
    require(comparison.digits_facts(comparison.digits_numbers(comparison.digits_summary(rows))))


def test_cost_facts_hold_on_a_measurement_and_can_fail():
    rows = comparison_rows(names=["relu", "tanh", "gelu", "swish", "mish", "sigmoid"],
                           shape=(400, 60), repeats=3)
    assert all(f.holds for f in comparison.cost_facts(rows))
    cheap_gelu = [dict(r, forward_ns=0.01, backward_ns=0.01) if r["name"] == "gelu" else r
                  for r in rows]
    verdict = {f.key: f.holds for f in comparison.cost_facts(cheap_gelu)}
    assert verdict == {"cost.relu-among-cheapest": True, "cost.smooth-units-dearer": False}
    dear_relu = [dict(r, forward_ns=1e3) if r["name"] == "relu" else r for r in rows]
    assert not comparison.cost_facts(dear_relu)[0].holds


def test_cost_scope_measures_on_the_given_clock():
    # a stand-in clock that advances by 1 ms at every reading: every run takes 1 ms
    ticks = iter(range(10 ** 6))
    clock = lambda: next(ticks) * 1e-3
    s = comparison.cost_scope(names=("relu", "gelu"), n=4096, widths=(8,), batch=4,
                              block=1024, repeats=2, clock=clock)
    assert s["copy"] == pytest.approx(1e-3 / 4096 * 1e9)
    assert set(s["whole"]) == set(s["blocked"]) == {"relu", "gelu"}
    assert s["matmul"][8] == pytest.approx(1e-3 / 32 * 1e9)
    facts = {f.key: f.holds for f in comparison.cost_scope_facts(s)}
    # every run "costs" 1 ms on this clock: the smooth units are not dearer than ReLU, and
    # the matrix product (32 outputs) costs more per element than ReLU (4096 elements)
    assert facts == {"scope.relu-near-copy": True, "scope.blocked-smooth-dearer": False,
                     "scope.relu-below-matmul": True}


def test_cost_scope_on_the_real_clock_is_positive():
    s = comparison.cost_scope(names=("relu",), n=2 ** 14, widths=(16,), batch=8, repeats=1)
    assert s["copy"] > 0 and s["whole"]["relu"] > 0 and s["blocked"]["relu"] > 0
    assert s["matmul"][16] > 0
