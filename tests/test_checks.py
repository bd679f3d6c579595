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
