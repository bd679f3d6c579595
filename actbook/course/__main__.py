"""Command line: ``python -m actbook.course <command> ...`` (``./run`` delegates here)."""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m actbook.course",
        description="Course tools for the book: exercises, checks, bundles, grading, editions.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("exercises", help="generate exercises/ from solutions/")
    p.add_argument("stems", nargs="*", help="chapters, e.g. 01 or 03_sigmoid_tanh (default: all)")
    p.add_argument("--force", action="store_true", help="overwrite exercise notebooks that were edited")
    p.add_argument("--check", action="store_true", help="only report; exit 1 if any file is out of sync")

    p = sub.add_parser(
        "check", help="execute a student's exercise notebook and report each exercise",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="exit codes:\n"
               "  0  every exercise passed\n"
               "  1  the notebook ran, but some exercise failed or was not attempted\n"
               "  2  the notebook could not be checked (missing, does not parse, not an exercise\n"
               "     notebook of this book, or belongs to another chapter than --chapter)\n"
               "  3  execution timed out\n"
               "  4  a cell outside the exercises raised an error (results may be incomplete)")
    p.add_argument("notebook")
    p.add_argument("--timeout", type=float, default=300,
                   help="time limit in seconds for the whole run (default: 300)")
    p.add_argument("--cell-timeout", type=float, default=60,
                   help="time limit in seconds for one cell, which stops an endless loop (default: 60; "
                        "0: none)")
    p.add_argument("--quiet", action="store_true", help="no progress lines on standard error")
    p.add_argument("--chapter", help="the chapter the notebook must belong to (e.g. 03); default: "
                                     "from the file name when it starts with NN_")
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    p = sub.add_parser("bundle", help="bundle chosen chapters' exercise notebooks for students")
    p.add_argument("--chapters", nargs="+", required=True, help="e.g. 01 03")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--out", help="folder to write (default: student_bundle)")
    where.add_argument("--zip", help="zip file to write")
    p.add_argument("--force", action="store_true", help="overwrite existing files")

    p = sub.add_parser("nbgrader-source", help="put chapters' solutions, with nbgrader metadata, into an "
                                               "nbgrader course folder")
    p.add_argument("chapters", nargs="+", help="e.g. 01 03")
    p.add_argument("--assignment", required=True, help="the nbgrader assignment name, e.g. week3")
    p.add_argument("--course", help="the nbgrader course folder (default: the current folder)")
    p.add_argument("--points", type=int, default=1, help="points per check cell (default 1)")
    p.add_argument("--written-points", type=int, default=0,
                   help="points per written answer, graded by hand (default 0)")
    p.add_argument("--force", action="store_true", help="overwrite notebooks already in source/")

    p = sub.add_parser("wrong-answers", help="try every exercise's check on its stored right and wrong answers")
    p.add_argument("chapters", nargs="*", help="chapters, e.g. 03 (default: all)")
    p.add_argument("-v", "--verbose", action="store_true", help="list every trial with its message")

    p = sub.add_parser("launch-cells", help="write the setup cell (fetches the book on Colab) into the notebooks")
    p.add_argument("notebooks", nargs="*", help="notebooks to update (default: chapters/, solutions/, "
                                                "instructors/)")
    p.add_argument("--check", action="store_true", help="only report; exit 1 if a notebook needs updating")

    p = sub.add_parser("student-edition", help="build the book without its Solutions part")
    p.add_argument("--out", default=None, help="output folder (HTML goes to OUT/html; default: the "
                                               "repository's _build/student)")
    p.add_argument("--toc", help="write the generated toc here and stop (no build)")
    p.add_argument("--cache", help="execution cache folder (default: the main build's _build/.jupyter_cache)")

    p = sub.add_parser("print", help="build a single-page HTML of the book and print it to PDF")
    p.add_argument("--out", default=None, help="output folder (default: the repository's _build/print)")
    p.add_argument("--pdf", default=None, help="PDF path (default: OUT/book.pdf)")
    p.add_argument("--no-build", action="store_true", help="reuse an existing single-page build")
    p.add_argument("--student", action="store_true", help="leave the Solutions part out")
    p.add_argument("--paper", choices=["a4", "letter"], default="a4", help="paper size (default: a4)")
    p.add_argument("--cache", help="execution cache folder (default: the main build's _build/.jupyter_cache)")
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "exercises":
        from .generate import main as run
    elif args.command == "check":
        from .grade import main as run
    elif args.command == "bundle":
        from .bundle import main as run
    elif args.command == "nbgrader-source":
        from .nbgrader_source import main as run
    elif args.command == "launch-cells":
        from .launch import main as run
    elif args.command == "wrong-answers":
        from .trials import main as run
    elif args.command == "student-edition":
        from .editions import student_main as run
    else:
        from .editions import print_main as run
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
