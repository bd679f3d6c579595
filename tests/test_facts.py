"""actbook.facts: a guard that fails names the statement, and a guard cannot be empty."""
import numpy as np
import pytest

from actbook.facts import Fact, FactFailed, fact, require, table


def test_require_names_every_failed_fact():
    facts = [fact("s.ok", "holds", True, "3 of 3"),
             fact("s.bad", "the rate is best", np.bool_(False), "0.41 < 0.47"),
             fact("s.worse", "no seed diverges", False, "diverged in 2 of 10 seeds")]
    with pytest.raises(FactFailed) as err:
        require(facts)
    text = str(err.value)
    assert "2 of 3" in text and "s.bad" in text and "s.worse" in text and "0.41 < 0.47" in text
    assert "s.ok" not in text


def test_require_returns_facts_that_hold_and_refuses_none():
    facts = [fact("s.a", "x", np.bool_(True))]
    assert require(facts) == facts
    with pytest.raises(FactFailed, match="checks nothing"):
        require([])


def test_fact_rejects_non_bool_and_bad_keys():
    with pytest.raises(TypeError, match="bool"):
        Fact("s.a", "x", 1)
    with pytest.raises(ValueError, match="<sweep>.<name>"):
        fact("nodot", "x", True)


def test_table_shows_verdicts():
    out = table([fact("s.a", "x", True, "e1"), fact("s.bb", "y", False, "e2")])
    lines = out.splitlines()
    assert len(lines) == 3 and "holds" in lines[1] and "FAILS" in lines[2] and "e2" in lines[2]
