"""The launch buttons can work: Binder's configuration installs and imports in a fresh venv,
and a Colab-style fresh Python gets the book's package from a notebook's first cell.

The cheap tests check that every launched notebook carries the setup cell for the repository
address of _config.yml, and that binder/requirements.txt covers what the notebooks import with
ranges the book's own environment satisfies. The slow one builds a fresh venv from PyPI (about
two minutes): first with only what Colab has (numpy, matplotlib ...), where a notebook's setup
cell must clone the repository, install the missing myst-nb and make `import actbook` work;
then with binder/requirements.txt and binder/postBuild, as repo2docker runs them.
"""

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement

from actbook.course import launch
from actbook.course.notebooks import REPO, exercise_notebooks, read

BINDER = REPO / "binder"
STDLIB = set(sys.stdlib_module_names)
# modules a Jupyter kernel brings with it (repo2docker's image and Colab have them)
KERNEL = {"IPython", "ipykernel"}
MODULE_OF = {"scikit-learn": "sklearn", "pyyaml": "yaml", "myst-nb": "myst_nb"}


def _key(path):
    return f"{path.parent.name}/{path.stem}"


def launched():
    return launch.launched_notebooks() + exercise_notebooks()


@pytest.mark.parametrize("path", launched(), ids=_key)
def test_notebook_has_the_setup_cell_for_the_configured_repository(path):
    nb = read(path)
    url = launch.repository_url()
    assert launch.in_sync(nb, url), (
        f"{_key(path)}: its first code cell should be the setup cell for {url} (tagged "
        f"{launch.TAG!r}); run `./run course launch-cells` and `./run exercises`")


def test_a_changed_repository_address_puts_the_cells_out_of_sync():
    nb = read(REPO / "solutions" / "01_neuron_models.ipynb")
    assert launch.in_sync(nb, launch.repository_url())
    assert not launch.in_sync(nb, "https://example.org/someone/else")
    fixed = launch.with_setup_cell(nb, "https://example.org/someone/else")
    assert launch.in_sync(fixed, "https://example.org/someone/else")
    assert sum(c.source.startswith(launch.FIRST_LINE) for c in fixed.cells) == 1


def test_setup_cell_is_inserted_before_the_first_code_cell():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# T"),
                                         nbformat.v4.new_code_cell("import numpy")])
    nb = launch.with_setup_cell(nb, "https://example.org/a/b")
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "code"]
    assert nb.cells[1].source.startswith(launch.FIRST_LINE) and 'FOLDER = "b"' in nb.cells[1].source
    assert nb.cells[1].metadata["tags"] == [launch.TAG]


def _binder_requirements():
    lines = [line.split("#")[0].strip() for line in (BINDER / "requirements.txt").read_text().splitlines()]
    return [Requirement(line) for line in lines if line]


def test_binder_ranges_are_ones_the_books_environment_installs():
    main = {Requirement(line.split("#")[0]).name.lower(): Requirement(line.split("#")[0])
            for line in (REPO / "requirements.txt").read_text().splitlines() if line.split("#")[0].strip()}
    problems = []
    for req in _binder_requirements():
        installed = importlib.metadata.version(req.name)
        if installed not in req.specifier:
            problems.append(f"{req}: the book's environment has {req.name} {installed}")
        if req.name.lower() in main and str(main[req.name.lower()].specifier) != str(req.specifier):
            problems.append(f"{req}: requirements.txt says {main[req.name.lower()]}")
    assert not problems, "\n".join(problems)
    assert not {r.name.lower() for r in _binder_requirements()} & {"nbgrader", "jupyter-book", "playwright"}, \
        "Binder must not install the instructor's or the build's tools"


def _notebook_imports():
    found = set()
    for folder in ("chapters", "exercises", "solutions"):
        for path in (REPO / folder).glob("*.ipynb"):
            for cell in read(path).cells:
                if cell.cell_type == "code":
                    found |= set(re.findall(r"^\s*(?:from|import)\s+([A-Za-z_]\w*)", cell.source, re.M))
    return found


def test_binder_covers_what_the_notebooks_import():
    provided = {MODULE_OF.get(r.name.lower(), r.name.lower().replace("-", "_")) for r in _binder_requirements()}
    third_party = _notebook_imports() - STDLIB - KERNEL - {"actbook"}
    assert third_party, "no imports found in the notebooks"
    assert not third_party - provided, f"binder/requirements.txt lacks {sorted(third_party - provided)}"


def _run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, **kw)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def _fresh_python():
    for name in ("python3.11", "python3"):
        exe = shutil.which(name)
        if exe:
            return exe
    pytest.skip("no python3 to make a fresh venv with")


@pytest.mark.skipif(not (REPO / ".git").exists(), reason="the Colab test clones the repository with git")
def test_fresh_environments_colab_then_binder(tmp_path):
    venv = tmp_path / "venv"
    _run([_fresh_python(), "-m", "venv", str(venv)])
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", "")])
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    # what Colab has: the scientific stack, without the book's package and without myst-nb
    colab_has = [str(r) for r in _binder_requirements() if r.name.lower() != "myst-nb"]
    _run([str(python), "-m", "pip", "install", "-q", *colab_has], env=env)
    probe = "import importlib.util as u; print(u.find_spec('actbook'), u.find_spec('myst_nb'))"
    assert _run([str(python), "-c", probe], env=env, cwd=tmp_path).stdout.split() == ["None", "None"]

    # Colab: the first code cell of an exercise notebook, with the repository's address
    # pointed at this checkout (git clones a local path as it would the public one)
    cell = next(c for c in read(REPO / "exercises" / "01_neuron_models.ipynb").cells if c.cell_type == "code")
    assert cell.source.startswith(launch.FIRST_LINE)
    source = cell.source.replace(launch.repository_url(), REPO.as_uri())
    assert REPO.as_uri() in source
    colab = tmp_path / "content"
    colab.mkdir()
    script = source + ("\nimport actbook, myst_nb\nfrom actbook.checks import check\n"
                       "from actbook.activations import get\n"
                       "print('imported', actbook.__file__)\n")
    out = _run([str(python), "-c", script], env=env, cwd=colab).stdout
    assert "imported" in out and str(colab) in out, out
    assert "setup: installing" in out and "myst-nb" in out, out  # the missing package was installed
    again = _run([str(python), "-c", script], env=env, cwd=colab).stdout  # a second run: clone reused
    assert "imported" in again

    # Binder: repo2docker copies the repository, installs binder/requirements.txt, runs postBuild
    copy = tmp_path / "repo"
    shutil.copytree(REPO, copy, ignore=shutil.ignore_patterns(
        ".git", ".venv", "_build*", "__pycache__", "*.egg-info", "data", "book_assets", "chapters",
        "exercises", "solutions", "tests", "scripts", "benchmarks"))
    _run([str(python), "-m", "pip", "install", "-q", "-r", "binder/requirements.txt"], env=env, cwd=copy)
    _run(["bash", "binder/postBuild"], env=env, cwd=copy)
    imports = sorted(_notebook_imports() - {"actbook"})
    check = ("import importlib\n"
             f"for m in {imports!r}:\n    importlib.import_module(m)\n"
             "import actbook, actbook.checks, actbook.exercise_checks\n"
             "actbook.exercise_checks.labels()\n"
             "print('binder ok', actbook.__file__)\n")
    out = _run([str(python), "-c", check], env=env, cwd=tmp_path).stdout
    assert "binder ok" in out and str(copy) in out, out
    nbgrader = _run([str(python), "-c", "import importlib.util as u; print(u.find_spec('nbgrader'))"],
                    env=env, cwd=tmp_path).stdout.strip()
    assert nbgrader == "None", "Binder's environment has nbgrader: students would see its menus"
