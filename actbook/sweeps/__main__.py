"""Run every sweep of :data:`actbook.sweeps.ALL` (or some) into one folder.

    python -m actbook.sweeps --out data                    # all of them, into data/
    python -m actbook.sweeps --out /tmp/x --only depth     # one of them
    python -m actbook.sweeps --out /tmp/x --seed-offset 100

Prints each sweep's wall-clock and CPU time, and their totals.
"""
from __future__ import annotations

import sys

from . import ALL, module
from .common import Timer, out_folder, parser


def main(argv=None) -> int:
    p = parser("python -m actbook.sweeps", __doc__.strip().splitlines()[0])
    p.add_argument("--only", nargs="+", choices=ALL, metavar="NAME",
                   help=f"run only these sweeps (from {', '.join(ALL)})")
    args = p.parse_args(argv)
    out = out_folder(p, args)
    total = Timer()
    for name in args.only or ALL:
        t = Timer()
        module(name).run(out, progress=not args.quiet, seed_offset=args.seed_offset)
        print(f"{name}: {t.wall:.1f} s wall, {t.cpu:.1f} s CPU", flush=True)
    print(f"all: {total.wall:.1f} s wall, {total.cpu:.1f} s CPU", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
