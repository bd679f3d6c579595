"""Time every notebook of the book, and optionally a clean build.

    ./run timing                      # chapters/, exercises/, solutions/, one after another
    ./run timing chapters/03*.ipynb   # only these notebooks
    ./run timing --build              # also a clean strict build into a temporary folder
    ./run timing --json times.json    # also write the figures as JSON

Each notebook runs in a fresh kernel from its own folder, as the book build and nbval run
it; cells tagged ``raises-exception`` may raise (the unanswered stubs of exercises/).
Notebooks over the budget (60 s by default) are flagged, and the exit code is 1 if any
notebook is over budget or fails.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("chapters", "exercises", "solutions")


def time_notebook(path: Path, cell_timeout: int) -> tuple[float, str | None]:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=cell_timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    try:
        client.execute()
        error = None
    except Exception as exc:  # report and go on with the next notebook
        error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}"
    return time.perf_counter() - start, error


def time_build() -> tuple[float, int]:
    """A clean strict build (fresh output folder and execution cache)."""
    out = Path(tempfile.mkdtemp(prefix="actbook-timing-build-"))
    cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "-W", "-n",
           "--keep-going", "--path-output", str(out)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    shutil.rmtree(out, ignore_errors=True)
    return seconds, proc.returncode


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to time (default: every notebook in chapters/, exercises/, solutions/)")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds a notebook may take (default 60)")
    parser.add_argument("--cell-timeout", type=int, default=120, help="seconds a cell may take (default 120)")
    parser.add_argument("--build", action="store_true", help="also time a clean strict build of the book")
    parser.add_argument("--no-notebooks", action="store_true", help="only time the build")
    parser.add_argument("--json", type=Path, help="write the figures to this JSON file")
    args = parser.parse_args(argv)

    notebooks = [p.resolve() for p in args.notebooks] or [
        p for folder in FOLDERS for p in sorted((ROOT / folder).glob("*.ipynb"))]
    results, bad = [], 0
    if not args.no_notebooks:
        print(f"{'seconds':>8}  notebook")
        for path in notebooks:
            seconds, error = time_notebook(path, args.cell_timeout)
            flag = ""
            if error:
                flag, bad = f"  FAILED ({error})", bad + 1
            elif seconds > args.budget:
                flag, bad = f"  OVER {args.budget:.0f} s", bad + 1
            name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            print(f"{seconds:8.1f}  {name}{flag}", flush=True)
            results.append({"notebook": str(name), "seconds": round(seconds, 2), "error": error})
        if results:
            total = sum(r["seconds"] for r in results)
            slowest = max(results, key=lambda r: r["seconds"])
            print(f"{total:8.1f}  total for {len(results)} notebooks; slowest {slowest['notebook']} "
                  f"({slowest['seconds']:.1f} s); {bad} over budget or failed")
    build = None
    if args.build:
        seconds, rc = time_build()
        build = {"seconds": round(seconds, 1), "returncode": rc}
        print(f"{seconds:8.1f}  clean strict build ({'succeeded' if rc == 0 else f'FAILED, exit code {rc}'})")
        bad += rc != 0
    if args.json:
        args.json.write_text(json.dumps({"notebooks": results, "build": build, "budget": args.budget}, indent=1))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
