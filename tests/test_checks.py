"""Unit tests of actbook.checks.check (the student-facing check cells)."""

import json

import pytest

from actbook.checks import CheckFailed, check


def read_log(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def log(tmp_path, monkeypatch):
    path = tmp_path / "checks.jsonl"
    monkeypatch.setenv("ACTBOOK_CHECK_LOG", str(path))
    return path


def test_pass_prints_and_logs(log, capsys):
    with check("1.1"):
        assert abs(0.25 - 1 / 4) < 1e-12
    assert "[1.1] passed" in capsys.readouterr().out
    assert read_log(log) == [{"label": "1.1", "status": "passed", "message": ""}]


def test_not_implemented_is_not_attempted_and_does_not_raise(log, capsys):
    def stub(z):
        raise NotImplementedError()

    with check("1.2"):
        assert stub(0.0) == 0.25
    out = capsys.readouterr().out
    assert "[1.2] not attempted yet" in out and "YOUR CODE HERE" in out
    assert read_log(log)[0]["status"] == "not attempted"


def test_name_error_is_not_attempted_and_names_the_missing_name(log, capsys):
    with check("1.3"):
        assert undefined_answer_name == 3  # noqa: F821
    out = capsys.readouterr().out
    assert "not attempted yet" in out and "undefined_answer_name" in out
    rec = read_log(log)[0]
    assert rec["status"] == "not attempted" and "undefined_answer_name" in rec["message"]


def test_custom_hint_is_shown(log, capsys):
    with check("1.4", hint="write sigma'(z) in terms of sigma(z)."):
        raise NotImplementedError
    assert "sigma'(z) in terms of sigma(z)" in capsys.readouterr().out


def test_wrong_answer_raises_assertion_subclass_with_message(log, capsys):
    with pytest.raises(AssertionError) as info:
        with check("2.1"):
            assert 0.5 == pytest.approx(0.25), "the slope at z=0 should be 1/4; got 0.5"
    assert isinstance(info.value, CheckFailed)
    assert "the slope at z=0 should be 1/4" in str(info.value)
    assert "[2.1] FAILED" in capsys.readouterr().out
    assert read_log(log)[0]["status"] == "failed"


def test_bare_assert_still_gets_a_helpful_message(log):
    with pytest.raises(CheckFailed) as info:
        with check("2.2"):
            raise AssertionError()  # what a bare `assert` raises outside pytest
    assert "assertion in the check failed" in info.value.message


def test_other_exception_from_student_code_fails_with_its_type(log):
    with pytest.raises(CheckFailed) as info:
        with check("2.3"):
            [1, 2] @ [[1]]
    assert "TypeError" in info.value.message
    assert read_log(log)[0]["message"].startswith("your code raised TypeError")


def test_short_traceback_for_ipython():
    exc = CheckFailed("3.1", "expected shape (2, 3); got (3, 2)")
    lines = exc._render_traceback_()
    assert len(lines) == 2 and "3.1" in lines[0] and "(3, 2)" in lines[1]


def test_no_log_without_env(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("ACTBOOK_CHECK_LOG", raising=False)
    monkeypatch.chdir(tmp_path)
    with check("1.1"):
        pass
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("bad", ["1", "ex-1", "1.a", ""])
def test_bad_label_is_rejected(bad):
    with pytest.raises(ValueError, match="label"):
        with check(bad):
            pass


def test_keyboard_interrupt_is_not_swallowed(log):
    with pytest.raises(KeyboardInterrupt):
        with check("1.1"):
            raise KeyboardInterrupt


def test_strict_mode_makes_not_attempted_raise(log, monkeypatch, capsys):
    monkeypatch.setenv("ACTBOOK_STRICT_CHECKS", "1")
    with pytest.raises(CheckFailed, match="not attempted"):
        with check("1.5"):
            raise NotImplementedError
    assert read_log(log)[0]["status"] == "not attempted"
    with check("1.6"):  # passing checks are unaffected
        pass


# ------------------------------------------------------------------------------------------
# a NameError: a name not written yet, or a typo inside the student's own function
# ------------------------------------------------------------------------------------------
def _student_function_with_a_typo(z):
    return sigmoidd(z)  # noqa: F821 - the typo under test


def test_name_error_inside_a_called_function_is_an_error_in_that_function(log, capsys):
    with pytest.raises(CheckFailed) as info:
        with check("1.7"):
            assert _student_function_with_a_typo(1.0) == 0.5
    message = info.value.message
    assert "NameError" in message and "sigmoidd" in message
    assert "_student_function_with_a_typo" in message
    assert "not attempted" not in capsys.readouterr().out
    assert read_log(log)[0]["status"] == "failed"


def test_name_error_in_a_comprehension_of_the_block_is_not_attempted(log):
    with check("1.8"):
        assert [undefined_in_comprehension for _ in range(2)]  # noqa: F821
    assert read_log(log)[0]["status"] == "not attempted"


# ------------------------------------------------------------------------------------------
# check(label, namespace): the reference checks of the package
# ------------------------------------------------------------------------------------------
def _tanh_derivative_from_sigmoid(z):
    import numpy as np
    s = 1 / (1 + np.exp(-2 * np.asarray(z, dtype=float)))
    return 4 * s * (1 - s)


def _tanh_derivative_with_tanh(z):
    import numpy as np
    return 1 - np.tanh(z) ** 2


def test_reference_check_passes_and_says_what_it_compared(log, capsys):
    check("1.1", {"tanh_derivative": _tanh_derivative_from_sigmoid})
    out = capsys.readouterr().out
    assert "[1.1] passed: " in out and "central differences" in out
    assert read_log(log) == [{"label": "1.1", "status": "passed", "message": ""}]


def test_reference_check_rejects_the_wrong_api_with_right_values(log):
    with pytest.raises(CheckFailed, match="from the sigmoid alone"):
        check("1.1", {"tanh_derivative": _tanh_derivative_with_tanh})


def test_reference_check_missing_name_is_not_attempted(log, capsys):
    check("3.1", {})
    out = capsys.readouterr().out
    assert "[3.1] not attempted yet" in out and "slope_at_ln3" in out
    assert read_log(log)[0]["status"] == "not attempted"


def test_reference_check_stub_is_not_attempted(log):
    def tanh_derivative(z):
        raise NotImplementedError()
    check("1.1", {"tanh_derivative": tanh_derivative})
    assert read_log(log)[0]["status"] == "not attempted"


def test_reference_check_typo_in_the_students_function_is_reported_as_such(log):
    with pytest.raises(CheckFailed) as info:
        check("1.1", {"tanh_derivative": _student_function_with_a_typo})
    assert "your code raised NameError" in info.value.message
    assert "sigmoidd" in info.value.message and "_student_function_with_a_typo" in info.value.message


def test_reference_check_wrong_value_fails_with_digits_that_differ(log):
    with pytest.raises(CheckFailed) as info:
        check("3.4", {"half_saturated_std": 6.9})
    assert "6.9" in info.value.message and "make s smaller" in info.value.message
    with pytest.raises(CheckFailed) as info:
        check("3.1", {"slope_at_ln3": "3/16"})
    assert "single number" in info.value.message


def test_unknown_label_and_bad_namespace_are_clear_errors():
    from actbook.exercise_checks import UnknownExerciseError
    with pytest.raises(UnknownExerciseError, match="no reference check for exercise 99.9"):
        check("99.9", {})
    with pytest.raises(TypeError, match="globals()"):
        check("1.1", ["not", "a", "dict"])


def test_strict_checks_override(log, monkeypatch):
    from actbook.checks import strict_checks
    monkeypatch.delenv("ACTBOOK_STRICT_CHECKS", raising=False)
    strict_checks(True)
    try:
        with pytest.raises(CheckFailed, match="not attempted"):
            check("3.1", {})
    finally:
        strict_checks(None)
    check("3.1", {})  # back to the environment's setting: prints, does not raise


@pytest.mark.parametrize("got, want, expected", [
    (-14.5, -14.46, ("-14.5", "-14.46")),
    (-14.5, 14.5, ("-14.5", "14.5")),
    (1.0000001, 1.0, ("1.0000001", "1")),
    (float("nan"), 1.0, ("nan", "1")),
])
def test_fmt_pair_always_tells_the_numbers_apart(got, want, expected):
    from actbook.checks import fmt_pair
    assert fmt_pair(got, want) == expected
