"""``python -m actbook.course bundle --chapters 01 03 [--out DIR | --zip FILE] [--force]``.

A bundle is what an instructor hands to students for the chosen chapters::

    README.md              how to install, open, check and hand in
    requirements.txt       what the notebooks need (a subset of the book's requirements)
    pyproject.toml         so that `pip install .` also works
    01_neuron_models.ipynb the exercise notebooks (generated from solutions/), their links to
                           the chapters pointing at the published book (book_url in _config.yml)
    actbook/               the book's package, so `import actbook` works beside the notebooks
    data/                  the stored data files the notebooks mention, if any

The notebooks sit beside ``actbook/``, so a kernel started in the bundle's folder imports
it with no installation.  Existing files are never overwritten unless ``--force``; the
command lists every file it skipped.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import nbformat

from .generate import resolve_solutions
from .launch import book_url
from .notebooks import REPO, read, title

STUDENT_PACKAGES = ("numpy", "matplotlib", "ipywidgets", "ipykernel", "scikit-learn", "scipy", "tqdm",
                    "jupyterlab")
LEFT_OUT_OF_PACKAGE = ("course",)  # instructor tooling: needs solutions/, which students do not get


def student_requirements(repo: Path = REPO) -> str:
    lines = ["# What the exercise notebooks need. Install with: python -m pip install -r requirements.txt"]
    req = Path(repo) / "requirements.txt"
    pinned = {}
    if req.exists():
        for line in req.read_text().splitlines():
            m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", line.split("#")[0])
            if m and m[1].lower() in STUDENT_PACKAGES:
                pinned[m[1].lower()] = m[1] + m[2].strip()
    lines += [pinned.get(name, name) for name in STUDENT_PACKAGES]
    return "\n".join(lines) + "\n"


def readme(chapters: list[tuple[str, str]], data_files: list[str]) -> str:
    listing = "\n".join(f"- `{stem}.ipynb`: {name}" for stem, name in chapters)
    data = ("\nThe folder `data/` holds stored results the notebooks read; leave it beside them.\n"
            if data_files else "")
    return f"""# Exercises: Activation functions in feed-forward neural networks

This folder holds the exercise notebooks of these chapters:

{listing}

and `actbook/`, the small Python package the notebooks use. Keep everything in this
folder together: the notebooks import `actbook` from beside them.
{data}
## Install (once)

You need Python 3.10 or newer.

```bash
python3 -m venv .venv
source .venv/bin/activate          # on Windows: .venv\\Scripts\\activate
python -m pip install -r requirements.txt
```

## Open the exercises

```bash
jupyter lab
```

Open a notebook, run the cells from the top (Run > Run All Cells shows you where you are).
Each exercise has cells marked `# YOUR CODE HERE` (or `YOUR ANSWER HERE` in text cells):
replace the marker and the `raise NotImplementedError()` line below it with your answer.

## Check your answers

Every exercise ends with a check cell. Run it after your answer cell. It prints

- `passed` when your answer agrees with an independent reference,
- `not attempted yet` while the answer cell still holds the marker,
- `FAILED` with a sentence saying what is wrong, otherwise.

A check cannot prove an answer right; it catches the usual mistakes. Read the message,
fix the answer, rerun both cells. Before you hand a notebook in, use Kernel > Restart
Kernel and Run All Cells, so that it runs from top to bottom on its own.

## Hand in

Hand in the `.ipynb` files themselves, keeping their names: your instructor runs them
with the book's checker, which reports each exercise as passed, failed or not attempted.
"""


def _data_files(notebooks, repo: Path) -> list[Path]:
    data_dir = Path(repo) / "data"
    if not data_dir.is_dir():
        return []
    text = "\n".join(c.source for nb in notebooks for c in nb.cells)
    found = []
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(data_dir)
        if rel.parts[0] == "mnist" or path.name.startswith("."):
            continue
        if re.search(rf"(?<![\w.]){re.escape(path.stem)}(?![\w])", text):
            found.append(path)
    return found


LINK = re.compile(r"\]\(\.\./(chapters|solutions|exercises)/(\d\d_[a-z0-9_]+)\.ipynb(#[^)\s]*)?\)")


def link_to_book(nb, base: str):
    """The notebook with its links to the repository's other notebooks (``../chapters/03_x.ipynb``)
    pointing at the published book (``<base>chapters/03_x.html``): in a bundle the chapters are
    not beside the exercises."""
    import copy

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = LINK.sub(lambda m: f"]({base}{m[1]}/{m[2]}.html{m[3] or ''})", cell.source)
    return nb


def plan(chapters, repo: Path = REPO) -> dict:
    """{relative path in the bundle: bytes} for the chosen chapters."""
    repo = Path(repo)
    files: dict[str, bytes] = {}
    names, notebooks = [], []
    try:
        base = book_url(repo)
    except (OSError, ValueError):  # no _config.yml, or no book_url in it: links stay as they are
        base = None
    for solution in resolve_solutions(chapters, repo):
        exercise = repo / "exercises" / solution.name
        if not exercise.exists():
            raise SystemExit(f"exercises/{solution.name} is missing; run `python -m actbook.course exercises`")
        nb = read(exercise)
        notebooks.append(nb)
        names.append((solution.stem, re.sub(r"^Exercises:\s*", "", title(nb)) or solution.stem))
        if base is not None and any(LINK.search(c.source) for c in nb.cells if c.cell_type == "markdown"):
            files[exercise.name] = (nbformat.writes(link_to_book(nb, base)) + "\n").encode()
        else:
            files[exercise.name] = exercise.read_bytes()
    package = repo / "actbook"
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package)
        if "__pycache__" in rel.parts or rel.parts[0] in LEFT_OUT_OF_PACKAGE:
            continue
        files[f"actbook/{rel.as_posix()}"] = path.read_bytes()
    for path in sorted(package.rglob("*")):  # package data (json, csv ...) other than code
        rel = path.relative_to(package)
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in rel.parts \
                and rel.parts[0] not in LEFT_OUT_OF_PACKAGE:
            files[f"actbook/{rel.as_posix()}"] = path.read_bytes()
    data = _data_files(notebooks, repo)
    for path in data:
        files[f"data/{path.relative_to(repo / 'data').as_posix()}"] = path.read_bytes()
    if (repo / "pyproject.toml").exists():
        files["pyproject.toml"] = (repo / "pyproject.toml").read_bytes()
    files["requirements.txt"] = student_requirements(repo).encode()
    files["README.md"] = readme(names, [p.name for p in data]).encode()
    return files


def write_folder(files: dict, out: Path, force: bool = False):
    written, skipped = [], []
    for rel, content in files.items():
        target = out / rel
        if target.exists() and not force:
            skipped.append(rel + (" (unchanged)" if target.read_bytes() == content else " (exists, differs)"))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        written.append(rel)
    return written, skipped


def write_zip(files: dict, path: Path, force: bool = False):
    if path.exists() and not force:
        return [], [f"{path} (exists)"]
    root = path.stem
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel, content in files.items():
            info = zipfile.ZipInfo(f"{root}/{rel}", date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, content)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    return [f"{root}/{rel}" for rel in files], []


def bundle(chapters, out=None, zip_path=None, force=False, repo: Path = REPO):
    files = plan(chapters, repo)
    if zip_path:
        return write_zip(files, Path(zip_path), force)
    return write_folder(files, Path(out or "student_bundle"), force)


def main(args) -> int:
    written, skipped = bundle(args.chapters, args.out, args.zip, args.force)
    where = args.zip or args.out or "student_bundle"
    print(f"{len(written)} file(s) written to {where}")
    for rel in written:
        if rel.endswith((".ipynb", ".md", ".txt")) or "/data/" in f"/{rel}":
            print(f"  {rel}")
    if skipped:
        print(f"{len(skipped)} existing file(s) skipped (use --force to overwrite):")
        for rel in skipped:
            print(f"  {rel}")
    if skipped and not written:
        return 1
    return 0
