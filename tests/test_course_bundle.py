"""`python -m actbook.course bundle`: notebooks, package, data and README for students."""

import subprocess
import sys
import zipfile

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from actbook.course.bundle import bundle, plan
from actbook.course.generate import sync


def mini_repo(tmp_path):
    repo = tmp_path / "repo"
    for folder in ("solutions", "exercises", "actbook/course", "data"):
        (repo / folder).mkdir(parents=True)
    (repo / "actbook" / "__init__.py").write_text('"""tiny"""\n')
    (repo / "actbook" / "checks.py").write_text("def check(label):\n    pass\n")
    (repo / "actbook" / "course" / "__init__.py").write_text("")
    (repo / "data" / "sweep_small.csv").write_text("a,b\n1,2\n")
    (repo / "data" / "unrelated.csv").write_text("x\n")
    (repo / "requirements.txt").write_text("jupyter-book>=1,<2\nnumpy>=1.26,<3  # arrays\nnbgrader>=0.9\n")
    for stem, extra in (("01_first", 'rows = load("sweep_small")'), ("02_second", "x = 1")):
        nb = new_notebook(cells=[new_markdown_cell(f"# Solutions: Chapter {stem}"), new_code_cell(extra)])
        nbformat.write(nb, str(repo / "solutions" / f"{stem}.ipynb"))
    sync(repo=repo)
    return repo


def test_plan_contents(tmp_path):
    repo = mini_repo(tmp_path)
    files = plan(["01"], repo=repo)
    assert "01_first.ipynb" in files and "02_second.ipynb" not in files
    assert "actbook/checks.py" in files and not any(k.startswith("actbook/course") for k in files)
    assert "data/sweep_small.csv" in files and "data/unrelated.csv" not in files
    req = files["requirements.txt"].decode()
    assert "numpy>=1.26,<3" in req and "jupyter-book" not in req and "nbgrader" not in req
    text = files["README.md"].decode()
    assert "01_first.ipynb" in text and "jupyter lab" in text and "not attempted yet" in text


def test_folder_never_overwrites_without_force(tmp_path, capsys):
    repo = mini_repo(tmp_path)
    out = tmp_path / "bundle"
    written, skipped = bundle(["01", "02"], out=out, repo=repo)
    assert (out / "02_second.ipynb").exists() and not skipped
    (out / "01_first.ipynb").write_text("my work")
    written, skipped = bundle(["01", "02"], out=out, repo=repo)
    assert written == []
    assert "01_first.ipynb (exists, differs)" in skipped and "README.md (unchanged)" in skipped
    assert (out / "01_first.ipynb").read_text() == "my work"
    written, skipped = bundle(["01"], out=out, repo=repo, force=True)
    assert "01_first.ipynb" in written and (out / "01_first.ipynb").read_text() != "my work"


def test_zip_and_no_overwrite(tmp_path):
    repo = mini_repo(tmp_path)
    target = tmp_path / "week1.zip"
    written, skipped = bundle(["01"], zip_path=target, repo=repo)
    with zipfile.ZipFile(target) as zf:
        names = zf.namelist()
    assert "week1/01_first.ipynb" in names and "week1/actbook/checks.py" in names
    before = target.read_bytes()
    written, skipped = bundle(["02"], zip_path=target, repo=repo)
    assert written == [] and skipped and target.read_bytes() == before


def test_real_bundle_imports_its_own_package(tmp_path):
    out = tmp_path / "b"
    proc = subprocess.run([sys.executable, "-m", "actbook.course", "bundle", "--chapters", "01",
                           "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (out / "01_neuron_models.ipynb").exists() and (out / "README.md").exists()
    probe = subprocess.run([sys.executable, "-c", "import actbook.checks as c; print(c.__file__)"],
                           cwd=out, capture_output=True, text=True, timeout=60)
    assert probe.returncode == 0 and str(out) in probe.stdout
    again = subprocess.run([sys.executable, "-m", "actbook.course", "bundle", "--chapters", "01",
                            "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert again.returncode == 1 and "skipped" in again.stdout


def test_links_to_chapters_point_at_the_published_book(tmp_path):
    repo = mini_repo(tmp_path)
    (repo / "_config.yml").write_text("book_url: https://example.org/book\n")
    nb = nbformat.read(str(repo / "exercises" / "01_first.ipynb"), as_version=4)
    nb.cells.insert(1, new_markdown_cell("Read [the chapter](../chapters/01_first.ipynb#a-section) and "
                                         "[another](../chapters/02_second.ipynb) first."))
    nbformat.write(nb, str(repo / "exercises" / "01_first.ipynb"))
    files = plan(["01"], repo=repo)
    text = files["01_first.ipynb"].decode()
    assert "../chapters/" not in text
    assert "https://example.org/book/chapters/01_first.html#a-section" in text
    assert "https://example.org/book/chapters/02_second.html)" in text
    assert nbformat.reads(text, as_version=4).cells[1].source.startswith("Read [the chapter](https://")


def test_the_real_bundle_links_to_the_configured_book():
    from actbook.course.launch import book_url
    from actbook.course.notebooks import REPO
    files = plan(["03"], repo=REPO)
    text = files["03_sigmoid_tanh.ipynb"].decode()
    assert "../chapters/" not in text and f"{book_url()}chapters/03_sigmoid_tanh.html" in text
    assert "scipy" in files["requirements.txt"].decode()
    assert any(k.startswith("actbook/exercise_checks/") for k in files), "the reference checks must ship"


def test_run_resolves_paths_against_the_callers_folder(tmp_path):
    """`./run bundle --zip week1.zip` and `./run check` run from another folder take their paths
    from there, and write nothing into the repository."""
    from actbook.course.notebooks import REPO
    before = set(p.name for p in REPO.iterdir())
    proc = subprocess.run([str(REPO / "run"), "bundle", "--chapters", "01", "--zip", "week1.zip"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "week1.zip").is_file()
    with zipfile.ZipFile(tmp_path / "week1.zip") as zf:
        zf.extract("week1/01_neuron_models.ipynb", tmp_path)
    proc = subprocess.run([str(REPO / "run"), "check", "week1/01_neuron_models.ipynb", "--json", "--quiet"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]  # nothing answered yet
    assert '"not attempted": 5' in proc.stdout
    assert set(p.name for p in REPO.iterdir()) == before, "a command wrote into the repository"
