"""Try every exercise's check on stored answers: ``python -m actbook.course wrong-answers``.

For each exercise the store ``solutions/wrong_answers/<slug>.yml`` keeps, keyed by the
exercise's check label:

* ``float32``: a right answer computed in float32, which the check must accept, and
* ``wrong``: at least three plausible wrong answers (:data:`MIN_WRONG`), each with a
  ``slip`` (what the mistake is), an ``answer`` and optionally ``expect``, text the failure
  message must contain (for a slip the check is meant to recognise and name).

An answer (``answer:``) is the code that replaces the first ``### BEGIN SOLUTION`` ...
``### END SOLUTION`` region of the exercise's code cells; ``answers:``, a list, replaces the
regions one by one, in the order they appear in the exercise's code cells (``null`` keeps
the worked answer of that region).  The
file name does not matter (entries are found by label), so renumbering a chapter means
renaming the labels, and a new chapter needs only a new file.

The answers run in this process, not in a kernel: the solution notebook's cells are
executed once, in order, in one namespace (cells that start a live widget are skipped);
each trial starts from a copy of that namespace as it was before the exercise's first cell
and runs the exercise's cells with the answer in place.  A trial that raises in an answer
cell counts as rejected, as ``./run check`` reports it.  Notebooks run from their own folder
with matplotlib's non-interactive backend.
"""

from __future__ import annotations

import contextlib
import io
import json
import linecache
import os
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .execute import count_regions, substitute_regions
from .notebooks import BEGIN, REPO, parse_exercises, read, solution_notebooks

MIN_WRONG = 3
STORE_DIR = "solutions/wrong_answers"
SKIP_MARKERS = ("live_explorer(",)  # cells that need a kernel to draw a live widget


class StoreError(ValueError):
    """The wrong-answer store is malformed."""


@dataclass
class Trial:
    label: str
    kind: str  # "solution", "float32", "wrong"
    name: str  # the slip, for wrong answers
    status: str = ""  # passed, failed, not attempted, not run, error
    message: str = ""
    expect: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        if self.kind in ("solution", "float32"):
            return self.status == "passed"
        if self.status != "failed":
            return False
        return not self.expect or self.expect.lower() in self.message.lower()

    def describe(self) -> str:
        what = {"solution": "the worked answer", "float32": "the float32 answer"}.get(
            self.kind, f"wrong answer '{self.name}'")
        want = "pass" if self.kind != "wrong" else "fail" + (
            f" naming '{self.expect}'" if self.expect else "")
        return f"{self.label}: {what} should {want}; got {self.status}: {self.message}"


@dataclass
class NotebookTrials:
    path: Path
    trials: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # store or notebook problems
    seconds: float = 0.0


# ------------------------------------------------------------------------------------------
# the store
# ------------------------------------------------------------------------------------------
def store_files(repo: Path = REPO) -> list[Path]:
    return sorted((Path(repo) / STORE_DIR).glob("*.yml"))


def load_store(repo: Path = REPO) -> dict:
    """{label: entry} from every store file; a label in two files is an error."""
    entries, origin = {}, {}
    for path in store_files(repo):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise StoreError(f"{path}: expected a mapping from check labels to entries")
        for label, entry in data.items():
            label = str(label)
            if label in entries:
                raise StoreError(f"exercise {label} has entries in both {origin[label].name} and {path.name}")
            entries[label], origin[label] = entry, path
    return entries


def validate_entry(label: str, entry) -> list[str]:
    """What is wrong with one store entry (empty when it is well formed)."""
    problems = []
    if not isinstance(entry, dict):
        return [f"{label}: the entry should be a mapping with 'float32' and 'wrong'"]
    unknown = set(entry) - {"float32", "wrong", "note"}
    if unknown:
        problems.append(f"{label}: unknown keys {sorted(unknown)}")
    if not isinstance(entry.get("float32"), (str, list)):
        problems.append(f"{label}: no 'float32' answer (a right answer computed in float32)")
    wrong = entry.get("wrong")
    if not isinstance(wrong, list) or len(wrong) < MIN_WRONG:
        problems.append(f"{label}: {len(wrong) if isinstance(wrong, list) else 0} wrong answers stored; "
                        f"at least {MIN_WRONG} are needed")
        wrong = wrong if isinstance(wrong, list) else []
    for i, w in enumerate(wrong):
        if not isinstance(w, dict) or not w.get("slip") or not isinstance(w.get("answer", w.get("answers")), (str, list)):
            problems.append(f"{label}: wrong answer {i + 1} needs 'slip' and 'answer' (or 'answers')")
        elif set(w) - {"slip", "answer", "answers", "expect"}:
            problems.append(f"{label}: wrong answer {i + 1} has unknown keys {sorted(set(w) - {'slip', 'answer', 'answers', 'expect'})}")
    return problems


def _replacements(spec, n_regions: int) -> list:
    if isinstance(spec, str):
        return [spec] + [None] * (n_regions - 1)
    spec = list(spec)
    if len(spec) > n_regions:
        raise StoreError(f"{len(spec)} answers given for {n_regions} answer region(s) in code cells")
    return spec + [None] * (n_regions - len(spec))


# ------------------------------------------------------------------------------------------
# running cells in this process
# ------------------------------------------------------------------------------------------
class _CellError(Exception):
    def __init__(self, index, exc):
        super().__init__(f"cell {index + 1} raised {type(exc).__name__}: {exc}")
        self.index, self.exc = index, exc


def _run_cell(source: str, ns: dict, index: int, tag: str) -> None:
    filename = f"<trial {tag} cell {index + 1}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    code = compile(source, filename, "exec")
    exec(code, ns)  # noqa: S102 - the book's own notebooks and stored answers


@contextlib.contextmanager
def _quiet_environment(folder: Path, log_path: Path):
    import matplotlib

    matplotlib.use("Agg")
    old_cwd, old_log = os.getcwd(), os.environ.get("ACTBOOK_CHECK_LOG")
    os.chdir(folder)
    os.environ["ACTBOOK_CHECK_LOG"] = str(log_path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                yield
    finally:
        os.chdir(old_cwd)
        if old_log is None:
            os.environ.pop("ACTBOOK_CHECK_LOG", None)
        else:
            os.environ["ACTBOOK_CHECK_LOG"] = old_log
        import matplotlib.pyplot as plt

        plt.close("all")


def _records(log_path: Path) -> list[dict]:
    if not log_path.exists():
        return []
    out = []
    for line in log_path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            pass
    return out


def _skip(cell) -> bool:
    return cell.cell_type != "code" or any(m in cell.source for m in SKIP_MARKERS)


def run_trials(path: Path, store: dict | None = None, labels=None) -> NotebookTrials:
    """Run the worked answers, the float32 answers and the wrong answers of one notebook."""
    from ..checks import CheckFailed

    path = Path(path)
    store = load_store() if store is None else store
    nb = read(path)
    exercises = parse_exercises(nb, strict=False)
    result = NotebookTrials(path)
    start_of = {ex.heading_index: ex for ex in exercises}
    snapshots = {}
    ns: dict = {"__name__": "__main__"}
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="actbook-trials-") as tmp:
        log_path = Path(tmp) / "checks.jsonl"

        def run_exercise(ex, base, replacements, tag):
            """Run ``ex``'s cells on a copy of ``base``; (status, message)."""
            log_path.unlink(missing_ok=True)
            trial_ns = dict(base)
            code_answers = [i for i in ex.answer_indices if nb.cells[i].cell_type == "code"]
            sub, k = {}, 0
            for i in code_answers:
                n = count_regions(nb.cells[i].source)
                sub[i] = replacements[k:k + n]
                k += n
            last = max(ex.check_indices) if ex.check_indices else max(ex.cell_indices)
            with _quiet_environment(path.parent, log_path):
                for i in ex.cell_indices:
                    if i > last:
                        break
                    cell = nb.cells[i]
                    if _skip(cell):
                        continue
                    source = cell.source
                    if any(r is not None for r in sub.get(i, ())):
                        source = substitute_regions(source, sub[i])
                    try:
                        _run_cell(source, trial_ns, i, tag)
                    except CheckFailed:
                        pass  # logged by the check
                    except Exception as exc:  # an answer cell that raises: rejected, as ./run check says
                        if i in ex.check_indices:
                            return "error", f"the check cell raised {type(exc).__name__}: {exc}"
                        return "failed", f"your answer cell raised {type(exc).__name__}: {exc}"
            recs = [r for r in _records(log_path) if r["label"] == ex.label]
            if not recs:
                return "not run", "the check never reported"
            return recs[-1]["status"], recs[-1]["message"]

        for i, cell in enumerate(nb.cells):
            if i in start_of:
                snapshots[start_of[i].label] = dict(ns)
            if _skip(cell):
                continue
            try:
                with _quiet_environment(path.parent, log_path):
                    _run_cell(cell.source, ns, i, "solution")
            except CheckFailed:
                pass
            except Exception as exc:
                result.problems.append(f"{path.name}: cell {i + 1} raised {type(exc).__name__}: {exc}\n"
                                       + "".join(traceback.format_exception(exc)[-3:]))
                break

        for ex in exercises:
            if labels is not None and ex.label not in labels:
                continue
            base = snapshots.get(ex.label)
            if base is None:
                continue
            n_code = sum(count_regions(nb.cells[i].source) for i in ex.answer_indices
                         if nb.cells[i].cell_type == "code")
            trials = [("solution", "", [None] * n_code, "")]
            entry = store.get(ex.label)
            if entry is None:
                legacy = []
                for i in ex.answer_indices:
                    if nb.cells[i].cell_type == "code":
                        n = count_regions(nb.cells[i].source)
                        legacy += [nb.cells[i].metadata.get("wrong_answer")] + [None] * (n - 1)
                if any(legacy):
                    trials.append(("wrong", "metadata wrong_answer", legacy, ""))
            else:
                problems = validate_entry(ex.label, entry)
                if problems:
                    result.problems.extend(problems)
                    continue
                try:
                    trials.append(("float32", "float32", _replacements(entry["float32"], n_code), ""))
                    for w in entry["wrong"]:
                        trials.append(("wrong", w["slip"], _replacements(w.get("answers", w.get("answer")), n_code),
                                       w.get("expect", "")))
                except StoreError as err:
                    result.problems.append(f"{ex.label}: {err}")
                    continue
            for kind, name, replacements, expect in trials:
                t = time.perf_counter()
                try:
                    status, message = run_exercise(ex, base, replacements, f"{ex.label} {kind}")
                except ValueError as err:  # no solution region to replace
                    status, message = "error", str(err)
                result.trials.append(Trial(ex.label, kind, name, status, message, expect,
                                           time.perf_counter() - t))
    result.seconds = time.perf_counter() - t0
    return result


def summary(results: list[NotebookTrials]) -> list[dict]:
    rows = []
    for r in results:
        wrong = [t for t in r.trials if t.kind == "wrong"]
        rows.append({
            "notebook": r.path.stem,
            "exercises": len({t.label for t in r.trials}),
            "wrong stored": len(wrong),
            "wrong caught": sum(t.ok for t in wrong),
            "float32 accepted": sum(t.ok for t in r.trials if t.kind == "float32"),
            "solutions accepted": sum(t.ok for t in r.trials if t.kind == "solution"),
            "seconds": round(r.seconds, 1),
        })
    return rows


def main(args) -> int:
    store = load_store()
    chosen = solution_notebooks()
    if args.chapters:
        chosen = [p for p in chosen if any(p.stem == c or p.stem.startswith(f"{c}_") for c in args.chapters)]
    results, bad = [], []
    for path in chosen:
        if not parse_exercises(read(path), strict=False):
            continue
        print(f"trying the stored answers of {path.name} ...", file=sys.stderr, flush=True)
        r = run_trials(path, store)
        results.append(r)
        bad.extend(r.problems)
        bad.extend(t.describe() for t in r.trials if not t.ok)
        if args.verbose:
            for t in r.trials:
                mark = "ok " if t.ok else "BAD"
                print(f"  {mark} {t.label:<5} {t.kind:<8} {t.name[:40]:<40} {t.status}: {t.message[:150]}")
    header = ["notebook", "exercises", "wrong stored", "wrong caught", "float32 accepted",
              "solutions accepted", "seconds"]
    print(" | ".join(header))
    for row in summary(results):
        print(" | ".join(str(row[h]) for h in header))
    for line in bad:
        print("problem:", line)
    return 1 if bad else 0
