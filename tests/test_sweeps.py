"""The sweep protocol (actbook.sweeps): every module of ALL has FILES, run and facts with
sections underneath, a command line that refuses bad arguments, and the robustness script
evaluates facts on the folder it is given, never on the stored files."""
from __future__ import annotations

import inspect
import subprocess
import sys

import pytest
from _scripts import load_script
from _sweeps import copy_stored, plant

from actbook import sweeps
from actbook.facts import Fact
from actbook.results import RESULTS_DIR

robust = load_script("scripts/check_robustness.py")


@pytest.mark.parametrize("name", sweeps.ALL)
def test_each_sweep_follows_the_protocol(name):
    mod = sweeps.module(name)
    assert mod.FILES and all((RESULTS_DIR / f).is_file() for f in mod.FILES), name
    params = inspect.signature(mod.run).parameters
    assert list(params)[0] == "out_dir" and {"progress", "seed_offset"} <= set(params)
    assert params["progress"].kind is inspect.Parameter.KEYWORD_ONLY
    sections = [f for f in dir(mod) if f.startswith("section_")]
    assert sections, f"{name}: no section functions under facts()"
    facts = mod.facts()
    assert all(isinstance(f, Fact) and f.key.startswith(f"{name}.") for f in facts)
    # facts() is the union of the sections
    from_sections = {f.key for s in sections for f in getattr(mod, s)()}
    assert {f.key for f in facts} == from_sections, name


def test_fact_keys_are_unique_and_all_hold():
    facts = sweeps.all_facts()
    keys = [f.key for f in facts]
    assert len(keys) == len(set(keys))
    assert all(f.holds for f in facts), [f.key for f in facts if not f.holds]


def test_unknown_sweep_is_named():
    with pytest.raises(ValueError, match="unknown sweep 'depths'"):
        sweeps.module("depths")


@pytest.mark.parametrize("args, message", [
    (["--out", "x", "--seed-offset", "-1"], "--seed-offset must be >= 0"),
    (["--out", "x", "--only", "deep"], "invalid choice: 'deep'"),
    ([], "--out"),
])
def test_command_line_refuses_bad_arguments(tmp_path, args, message):
    done = subprocess.run([sys.executable, "-m", "actbook.sweeps", *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and message in done.stderr
    assert not (tmp_path / "x").exists()


def test_one_sweep_command_line_writes_its_files_and_checks_facts(tmp_path, monkeypatch):
    """The per-sweep command line, on the cheapest sweep (float64, no training), with --facts."""
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "actbook.sweeps.gradients", "--out", str(out),
                           "--quiet", "--facts"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(sweeps.module("gradients").FILES)
    assert "gradients.residual_relu_grows" in done.stdout and "FAILS" not in done.stdout


def test_robustness_evaluates_the_folder_it_is_given(tmp_path):
    """A planted fault in a re-run folder shows as FAILS, the stored files are not read."""
    from actbook.sweeps import clipping

    good = copy_stored(clipping, tmp_path / "Haswell")
    bad = copy_stored(clipping, tmp_path / "Zen")
    plant(bad, clipping.FILES[0], lambda r: r.update(diverged=1, val_accuracy=float("nan")),
          lr=0.02, clip_norm=1)
    results = {"Haswell": robust.evaluate(good, ["clipping"]),
               "Zen": robust.evaluate(bad, ["clipping"])}
    assert all(f.holds for f in results["Haswell"].values())
    assert not results["Zen"]["clipping.never_diverges"].holds
    text = robust.format_table(results, ["Haswell", "Zen"])
    line = next(l for l in text.splitlines() if l.startswith("clipping.never_diverges"))
    assert line.split()[1:] == ["holds", "FAILS"]
    # a folder without the re-run fails every fact of the sweep, with the reason
    missing = robust.evaluate(tmp_path / "nowhere", ["clipping"])
    (only,) = missing.values()
    assert not only.holds and "MissingDataError" in only.evidence


def test_robustness_environment_sets_the_kernel_and_one_thread():
    env = robust.kernel_env("Haswell")
    assert env["OPENBLAS_CORETYPE"] == "Haswell" and env["OPENBLAS_NUM_THREADS"] == "1"
