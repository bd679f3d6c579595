"""Each public function and class of the package names, in its docstring, a chapter that
uses it ("chapter 4", "chapters 3 and 5", "chapters 7 to 9"), and that chapter does use it.

"Uses" means: the code cells of the chapter's notebooks (chapters/, solutions/, exercises/ of
that number) name it (as a name or an attribute, found with the AST, so prose and comments do
not count), or name a package function whose code names it (followed through up to five
calls: a kernel is used where the activation that calls it is, and an activation where its
registry name is passed as a string). Exceptions are
exempt (each names the function that raises it); so are the course tooling, the exercise
checks and the sweeps' command lines, which no chapter calls.

The tests below the scan show that it fails on a wrong chapter and on a missing one.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import json
import pkgutil
import re
import textwrap
from functools import lru_cache
from pathlib import Path

import pytest

import actbook

ROOT = Path(__file__).resolve().parent.parent
SKIP = (".course", ".exercise_checks", ".sphinx_a11y", ".sweeps.__main__")
#: public objects no chapter calls, each with the reason it is public
EXEMPT = {
    "actbook.activations.catalogue.register": "the registry's own API: the catalogue registers with it",
    "actbook.activations.catalogue.aliases": "the registry's own API (the alternative names get() takes)",
    "actbook.checks.strict_checks": "grading: nbgrader's autograder switches it on",
    "actbook.checks.grading_token": "grading: ./run check hands it to the reference checks",
    "actbook.checks.fmt_pair": "the exercise checks' message formatting",
    "actbook.sweeps.module": "the sweeps' command line and the robustness script",
    "actbook.sweeps.all_facts": "the sweeps' tests and the robustness script",
    "actbook.sweeps.common.parser": "the sweeps' command line",
    "actbook.sweeps.common.out_folder": "the sweeps' command line",
    "actbook.sweeps.common.main": "the sweeps' command line",
    "actbook.sweeps.mnist.main": "the MNIST sweep's command line",
}
CHAPTER = re.compile(r"\b[Cc]hapters? (\d+(?:(?:,? and |, | to |-|\u2013)\d+)*)")


def chapters_named(doc: str) -> set[int]:
    nums = set()
    for group in CHAPTER.findall(doc or ""):
        for run in re.split(r",? and |, ", group):
            ends = [int(x) for x in re.split(r" to |-|\u2013", run)]
            nums |= set(range(min(ends), max(ends) + 1))
    return nums


def identifiers(source: str) -> set[str]:
    """Every name and attribute in Python ``source`` (IPython magics dropped; a cell that
    does not parse gives nothing), and every string constant (registry names)."""
    lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return set()
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.alias):
            found.add(node.name.rsplit(".", 1)[-1])
            found.add("import:" + node.name.rsplit(".", 1)[-1])
            found.add(node.asname or "")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(f'"{node.value}"')
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.update(node.module.split("."))
    return found


@lru_cache(maxsize=1)
def chapter_names() -> dict[int, set[str]]:
    """For each chapter number, the identifiers of its notebooks' code cells."""
    names: dict[int, set[str]] = {}
    for folder in ("chapters", "solutions", "exercises"):
        for path in sorted((ROOT / folder).glob("[0-9][0-9]_*.ipynb")):
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            for c in cells:
                if c["cell_type"] == "code":
                    names.setdefault(int(path.name[:2]), set()).update(
                        identifiers("".join(c["source"])))
    return names


def _code_only(source: str) -> str:
    """``source`` without its docstrings and comments (what the code itself names)."""
    tree = ast.parse(textwrap.dedent(source))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
            body[0] = ast.Pass()
    return ast.unparse(tree)


@lru_cache(maxsize=1)
def all_objects() -> dict[str, object]:
    """Every function and class defined at the top of a package module, private ones
    included (they carry calls from public code to public code)."""
    found = {}
    for info in pkgutil.walk_packages(actbook.__path__, "actbook."):
        if any(s in info.name for s in SKIP):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if ((inspect.isfunction(obj) or inspect.isclass(obj))
                    and getattr(obj, "__module__", None) == info.name):
                found[f"{info.name}.{name}"] = obj
    return found


@lru_cache(maxsize=1)
def public_objects() -> dict[str, object]:
    """The public functions and classes (exceptions aside), whose docstrings are checked."""
    return {q: o for q, o in all_objects().items()
            if not q.rsplit(".", 1)[1].startswith("_") and q not in EXEMPT
            and not (inspect.isclass(o) and issubclass(o, BaseException))}


def _names(qualname: str, found: set[str]) -> bool:
    """Whether code whose identifiers are ``found`` names the object ``qualname``: imports it
    by name, or names it as an attribute or name next to its module's name (``clipping.run``
    counts for ``actbook.sweeps.clipping.run``, a bare ``run`` does not)."""
    module, name = qualname.rsplit(".", 1)
    if f"import:{name}" in found:
        return True
    return name in found and module.rsplit(".", 1)[1] in found


def _module_level(module_name: str) -> set[str]:
    """The names a module's top-level code uses outside its functions and classes (tables
    of functions, registrations)."""
    tree = ast.parse(inspect.getsource(importlib.import_module(module_name)))
    tree.body = [n for n in tree.body
                 if not isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))]
    return identifiers(ast.unparse(tree))


def _registry_sources() -> dict[str, str]:
    """``"registry:<name>"`` -> the source of the functions registered for that activation
    (its kernels or the lambdas that call them)."""
    from actbook.activations import get, names

    out = {}
    for name in names():
        act = get(name)
        fns = [act._f, act._df, act._df_from_a, *act._dparams.values()]
        text = [type(act).__name__]
        for fn in fns:
            if fn is None:
                continue
            try:
                text.append(inspect.getsource(fn))
            except (OSError, TypeError):
                pass
            text.append(getattr(fn, "__name__", ""))
        out[f"registry:{name}"] = "\n".join(text)
    return out


@lru_cache(maxsize=1)
def callers() -> dict[str, set[str]]:
    """For each package object, the qualified names of the objects whose code names it;
    ``registry:<name>`` for the activations whose functions call it (or whose class it is),
    and ``module:<name>`` for a module whose top-level code names it."""
    objs = all_objects()
    names = {q: identifiers(_code_only(inspect.getsource(o))) for q, o in objs.items()}
    names.update({q: set(re.findall(r"\w+", src)) for q, src in _registry_sources().items()})
    names.update({f"module:{m}": _module_level(m) for m in {q.rsplit(".", 1)[0] for q in objs}})
    imports = {m: {x for x in _module_level(m) if x.startswith("import:")}
               for m in {q.rsplit(".", 1)[0] for q in objs}}

    def calls(c, q):
        qmod, name = q.rsplit(".", 1)
        found = names[c]
        if c.startswith("registry:"):
            return name in found
        if c.startswith("module:"):
            return c[len("module:"):] == qmod and name in found
        cmod = c.rsplit(".", 1)[0]
        return name in found and (cmod == qmod or f"import:{name}" in imports.get(cmod, ())
                                  or _names(q, found))

    return {q: {c for c in names if c != q and calls(c, q)} for q in objs}


@lru_cache(maxsize=None)
def users(qualname: str, depth: int = 5) -> frozenset[int]:
    """Chapters that use the object, directly or through up to ``depth`` calls."""
    if qualname.startswith("module:"):  # a module's own tables: used where the module is
        prefix = qualname[len("module:"):] + "."
        if not depth:
            return frozenset()
        return frozenset().union(*[users(q, depth - 1) for q in public_objects()
                                   if q.startswith(prefix) and q.count(".") == prefix.count(".")])
    if qualname.startswith("registry:"):  # an activation is used where it is named
        quoted = f'"{qualname.split(":", 1)[1]}"'
        return frozenset(n for n, found in chapter_names().items() if quoted in found)
    used = {n for n, found in chapter_names().items() if _names(qualname, found)}
    if depth:
        for caller in callers().get(qualname, ()):
            used |= users(caller, depth - 1)
    return frozenset(used)


def problems() -> list[str]:
    out = []
    for qualname, obj in public_objects().items():
        named = chapters_named(inspect.getdoc(obj) or "")
        using = users(qualname)
        if not named:
            out.append(f"{qualname}: its docstring names no chapter"
                       + (f" (used in chapter(s) {sorted(using)})" if using else
                          " (no chapter uses it: make it private, or say who uses it)"))
        elif not named & using:
            out.append(f"{qualname}: its docstring names chapter(s) {sorted(named)}, which do "
                       f"not use it" + (f"; chapter(s) {sorted(using)} do" if using else ""))
    return out


def test_every_public_object_names_a_chapter_that_uses_it():
    assert len(public_objects()) > 100
    found = problems()
    assert not found, "\n".join(found)


def test_the_chapter_pattern_reads_lists_and_ranges():
    assert chapters_named("Introduced in chapter 1; the rest in chapters 3 to 6.") == {1, 3, 4, 5, 6}
    assert chapters_named("(chapters 7 and 8)") == {7, 8}
    assert chapters_named("chapters 2, 4 and 9") == {2, 4, 9}
    assert chapters_named("the engine") == set()


def test_the_scan_catches_a_wrong_and_a_missing_back_link(monkeypatch):
    def sample():
        """Draws a thing (chapter 99)."""

    def undocumented():
        """Draws another thing."""

    sample.__module__ = undocumented.__module__ = "actbook.fake"
    monkeypatch.setattr(__import__(__name__), "public_objects",
                        lambda: {"actbook.fake.sample": sample,
                                 "actbook.fake.undocumented": undocumented})
    callers.cache_clear()
    users.cache_clear()
    try:
        found = problems()
    finally:
        callers.cache_clear()
        users.cache_clear()
    assert len(found) == 2 and "names chapter(s) [99]" in found[0] and "names no chapter" in found[1]
