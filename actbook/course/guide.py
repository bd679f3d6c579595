"""The instructor's guide, computed from the notebooks (``instructors/guide.ipynb``).

For every chapter listed in ``_toc.yml``: its learning objectives (the ``## You will
learn`` list), its prerequisites (the chapter links in its ``## Prerequisites`` cell),
its estimated study time (``metadata.actbook.minutes``) and its exercises with kind and
difficulty (the ``## Exercise N.k: title (kind, ★★)`` headings of its solutions), plus
the chapter dependency graph.  Placeholder chapters are shown as "being written".
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from . import toc
from .notebooks import REPO, STEM, chapter_info

KIND_ORDER = ("derivation", "implementation", "exploration", "prediction", "debugging", "experiment")


def chapter_stems(repo: Path = REPO) -> list[str]:
    """Chapter stems in table-of-contents order (falling back on the chapters/ folder)."""
    repo = Path(repo)
    stems = []
    for f in toc.toc_files(repo):
        if f.startswith("chapters/") and STEM.match(Path(f).stem):
            stems.append(Path(f).stem)
    if not stems:
        stems = sorted(p.stem for p in (repo / "chapters").glob("*.ipynb") if STEM.match(p.stem))
    return stems


def outline(repo: Path = REPO) -> list[dict]:
    chapters = [chapter_info(stem, repo) for stem in chapter_stems(repo)]
    known = {c["stem"] for c in chapters}
    for c in chapters:
        c["unknown_prerequisites"] = [p for p in c["prerequisites"] if p not in known]
        c["prerequisites"] = [p for p in c["prerequisites"] if p in known]
    return chapters


def levels(chapters: list[dict]) -> dict:
    """Longest-path depth of each chapter in the prerequisite graph (cycles are broken)."""
    prereq = {c["stem"]: c["prerequisites"] for c in chapters}
    depth: dict[str, int] = {}

    def visit(stem, trail):
        if stem in depth:
            return depth[stem]
        if stem in trail:  # a cycle: ignore the back edge
            return -1
        d = 1 + max([visit(p, trail | {stem}) for p in prereq.get(stem, [])] + [-1])
        depth[stem] = d
        return d

    for stem in prereq:
        visit(stem, frozenset())
    return depth


def reduced_edges(chapters: list[dict]) -> list[tuple[str, str]]:
    """Prerequisite edges (from, to) minus those implied by a longer path (transitive reduction)."""
    prereq = {c["stem"]: set(c["prerequisites"]) for c in chapters}

    def ancestors(stem, seen=None):
        seen = set() if seen is None else seen
        for p in prereq.get(stem, ()):
            if p not in seen:
                seen.add(p)
                ancestors(p, seen)
        return seen

    edges = []
    for stem, direct in prereq.items():
        for p in sorted(direct):
            implied = any(p in ancestors(q) for q in direct if q != p)
            if not implied:
                edges.append((p, stem))
    return edges


def _number(chapters, stem):
    return next((c["number"] for c in chapters if c["stem"] == stem), int(stem[:2]))


def chapter_markdown(c: dict, chapters: list[dict]) -> str:
    lines = [f"### {c['number']}. {c['title']}", ""]
    if c["placeholder"]:
        lines += ["*This chapter is being written; its objectives will appear here.*", ""]
    time = f"{c['minutes']} minutes" if c["minutes"] else "not given yet"
    pre = ", ".join(f"{_number(chapters, p)}. {next(x['title'] for x in chapters if x['stem'] == p)}"
                    for p in c["prerequisites"]) or "none"
    lines += [f"**Estimated study time:** {time}. **Prerequisites:** {pre}.", ""]
    if c["objectives"]:
        lines += ["Students will learn:", ""] + [f"- {o}" for o in c["objectives"]] + [""]
    if c["exercises"]:
        lines += ["| exercise | title | kind | difficulty |", "| --- | --- | --- | --- |"]
        lines += [f"| {e.label} | {e.title} | {e.kind} | {e.difficulty} |" for e in c["exercises"]]
        lines.append("")
    else:
        lines += ["*No exercises yet.*", ""]
    return "\n".join(lines)


def summary_markdown(chapters: list[dict]) -> str:
    lines = ["| chapter | study time (min) | prerequisites | exercises | ★ / ★★ / ★★★ |",
             "| --- | --- | --- | --- | --- |"]
    for c in chapters:
        stars = [sum(e.stars == k for e in c["exercises"]) for k in (1, 2, 3)]
        pre = ", ".join(str(_number(chapters, p)) for p in c["prerequisites"]) or "none"
        lines.append(f"| {c['number']}. {c['title']} | {c['minutes'] or 'n/a'} | {pre} | "
                     f"{len(c['exercises'])} | {stars[0]} / {stars[1]} / {stars[2]} |")
    return "\n".join(lines)


def totals(chapters: list[dict]) -> dict:
    exercises = [e for c in chapters for e in c["exercises"]]
    return {
        "chapters": len(chapters),
        "minutes": sum(c["minutes"] or 0 for c in chapters),
        "hours": sum(c["minutes"] or 0 for c in chapters) / 60,
        "exercises": len(exercises),
        "by_kind": {k: sum(e.kind == k for e in exercises) for k in KIND_ORDER},
        "placeholders": sum(c["placeholder"] for c in chapters),
    }


def _box_label(c: dict) -> str:
    return "\n".join(textwrap.wrap(f"{c['number']}. {c['title']}", 15))


def dependency_layout(chapters: list[dict], sizes: dict, gap_x: float = 0.22,
                      gap_y: float = 0.45, stub: float = 0.08) -> dict:
    """Where the dependency figure puts its boxes and how its arrows run (in inches).

    ``sizes[stem] = (width, height)`` of each chapter's box. Chapters sit in rows by
    :func:`levels` (row 0 at the top). An arrow that skips rows passes through a free slot
    of its own in every row it crosses, and every arrow leaves its box straight down to the
    bottom of its row's band, crosses the empty gap between two rows, and enters its target
    straight down from the top of the target row's band. Slots are wider than the widest
    box, so no arrow can pass behind a box. Returns ``{"boxes": {stem: (x, y, w, h)}`` (the
    centre and size), ``"edges": [(from, to, [(x, y), ...])]``, ``"width"``, ``"height"}``.
    """
    depth = levels(chapters)
    stems = [c["stem"] for c in chapters]
    number = {c["stem"]: c["number"] for c in chapters}
    edges = reduced_edges(chapters)
    # every edge as a chain of slots, one per row from its upper to its lower end
    rows: dict[int, list] = {}
    for stem in sorted(stems, key=lambda s: number[s]):
        rows.setdefault(depth.get(stem, 0), []).append(stem)
    chains = []
    for a, b in edges:
        top, bottom = sorted((depth[a], depth[b]))
        dummies = [("via", a, b, r) for r in range(top + 1, bottom)]
        for d in dummies:
            rows.setdefault(d[3], []).append(d)
        chains.append((a, b, dummies))
    n_rows = max(rows) + 1 if rows else 1
    for r in range(n_rows):
        rows.setdefault(r, [])

    # order each row by the mean position of its neighbours (barycentre sweeps)
    neighbours: dict = {}

    def link(u, v):
        neighbours.setdefault(u, set()).add(v)
        neighbours.setdefault(v, set()).add(u)

    for a, b, dummies in chains:
        ends = [a, b] if depth[a] <= depth[b] else [b, a]
        path = [ends[0]] + dummies + [ends[1]]
        for u, v in zip(path, path[1:]):
            link(u, v)

    def row_of(node):
        return node[3] if isinstance(node, tuple) else depth.get(node, 0)

    for sweep in range(8):
        order = range(1, n_rows) if sweep % 2 == 0 else range(n_rows - 2, -1, -1)
        for r in order:
            ref = r - 1 if sweep % 2 == 0 else r + 1
            pos = {n: i for i, n in enumerate(rows[ref])}

            def key(item):
                i, node = item
                near = [pos[m] for m in neighbours.get(node, ()) if m in pos]
                return (sum(near) / len(near) if near else i, i)

            rows[r] = [n for _, n in sorted(enumerate(rows[r]), key=key)]

    slot = max((w for w, _ in sizes.values()), default=1.0) + gap_x
    n_slots = max(len(v) for v in rows.values())
    # a row's band is its tallest box plus a margin, so every arrow ends in a vertical stub
    band = {r: max([sizes[n][1] for n in rows[r] if not isinstance(n, tuple)] or [0.3])
            + 2 * stub for r in range(n_rows)}
    centre_y, y = {}, 0.0
    for r in range(n_rows):
        centre_y[r] = y - band[r] / 2
        y -= band[r] + gap_y
    x_of = {}
    for r, members in rows.items():
        for i, node in enumerate(members):
            x_of[node] = (i - (len(members) - 1) / 2) * slot
    boxes = {s: (x_of[s], centre_y[depth.get(s, 0)], *sizes[s]) for s in stems}

    # ports: the arrows leaving a box are spread along its bottom, those entering along its top
    out_ports: dict = {}
    in_ports: dict = {}
    for a, b, dummies in chains:
        first = dummies[0] if dummies and depth[a] < depth[b] else (
            dummies[-1] if dummies else b)
        last = dummies[-1] if dummies and depth[a] < depth[b] else (
            dummies[0] if dummies else a)
        out_ports.setdefault(a, []).append((x_of[first], (a, b)))
        in_ports.setdefault(b, []).append((x_of[last], (a, b)))

    def spread(ports, stem):
        x, _, w, _ = boxes[stem]
        ports = sorted(ports)
        k = len(ports)
        return {e: x + (j + 1) / (k + 1) * w * 0.8 - 0.4 * w for j, (_, e) in enumerate(ports)}

    out_x = {s: spread(p, s) for s, p in out_ports.items()}
    in_x = {s: spread(p, s) for s, p in in_ports.items()}

    def top(r):
        return centre_y[r] + band[r] / 2

    def bottom(r):
        return centre_y[r] - band[r] / 2

    routed = []
    for a, b, dummies in chains:
        ax_, ay, _, ah = boxes[a]
        bx, by, _, bh = boxes[b]
        sx, tx = out_x[a][(a, b)], in_x[b][(a, b)]
        ra, rb = depth[a], depth[b]
        if ra < rb:  # downwards, the usual case
            pts = [(sx, ay - ah / 2), (sx, bottom(ra))]
            for d in dummies:
                pts += [(x_of[d], top(d[3])), (x_of[d], bottom(d[3]))]
            pts += [(tx, top(rb)), (tx, by + bh / 2)]
        elif ra > rb:  # an edge against the levels (only in a cycle): upwards
            pts = [(sx, ay + ah / 2), (sx, top(ra))]
            for d in reversed(dummies):
                pts += [(x_of[d], bottom(d[3])), (x_of[d], top(d[3]))]
            pts += [(tx, bottom(rb)), (tx, by - bh / 2)]
        else:  # same row (only in a cycle): under both boxes, through the gap below
            below = bottom(ra) - gap_y / 2
            pts = [(sx, ay - ah / 2), (sx, below), (tx, below), (tx, by - bh / 2)]
        clean = [pts[0]]
        for p in pts[1:]:
            if abs(p[0] - clean[-1][0]) > 1e-12 or abs(p[1] - clean[-1][1]) > 1e-12:
                clean.append(p)
        routed.append((a, b, clean))
    return {"boxes": boxes, "edges": routed, "width": n_slots * slot,
            "height": -y - gap_y, "top": 0.0}


def plot_dependencies(chapters: list[dict], ax=None, fontsize: float = 11):
    """Draw the chapter dependency graph (transitively reduced) with matplotlib.

    The layout is :func:`dependency_layout`: rows from top to bottom, arrows that never pass
    behind a box. The boxes are patches with ``gid`` ``"box:<stem>"`` and the arrows with
    ``"edge:<from>-><to>"``; one data unit is one inch.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
    from matplotlib.path import Path as MplPath

    pad = 0.09  # inches between a box's text and its border
    # measure every label once, to size its box
    probe = plt.figure(figsize=(4, 4), dpi=100)
    renderer = probe.canvas.get_renderer()
    sizes = {}
    for c in chapters:
        t = probe.text(0, 0, _box_label(c), fontsize=fontsize, ha="center", va="center",
                       multialignment="center")
        ext = t.get_window_extent(renderer)
        sizes[c["stem"]] = (ext.width / probe.dpi + 2 * pad, ext.height / probe.dpi + 2 * pad)
    plt.close(probe)
    lay = dependency_layout(chapters, sizes)
    margin = 0.1
    width, height = lay["width"] + 2 * margin, lay["height"] + 2 * margin
    if ax is None:
        fig = plt.figure(figsize=(width, height), dpi=100)
        ax = fig.add_axes([0, 0, 1, 1])
    else:
        fig = ax.figure
    ax.set_xlim(-width / 2, width / 2)
    ax.set_ylim(-lay["height"] - margin, margin)
    ax.set_aspect("equal")
    ax.axis("off")
    for c in chapters:
        x, y, w, h = lay["boxes"][c["stem"]]
        ax.add_patch(FancyBboxPatch(
            (x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0,rounding_size=0.08",
            fc="#eef3fb" if not c["placeholder"] else "#f3f3f3",
            ec="#3a6ea5" if not c["placeholder"] else "0.45", lw=1.2, zorder=3,
            gid=f"box:{c['stem']}"))
        ax.text(x, y, _box_label(c), ha="center", va="center", multialignment="center",
                fontsize=fontsize, zorder=4)
    for a, b, pts in lay["edges"]:
        codes = [MplPath.MOVETO] + [MplPath.LINETO] * (len(pts) - 1)
        ax.add_patch(FancyArrowPatch(
            path=MplPath(pts, codes), arrowstyle="-|>", color="0.3", lw=1.2,
            mutation_scale=14, shrinkA=0, shrinkB=0, zorder=2, gid=f"edge:{a}->{b}"))
    return fig
