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

import yaml

from .notebooks import REPO, STEM, chapter_info

KIND_ORDER = ("derivation", "implementation", "exploration", "prediction", "debugging", "experiment")


def chapter_stems(repo: Path = REPO) -> list[str]:
    """Chapter stems in table-of-contents order (falling back on the chapters/ folder)."""
    repo = Path(repo)
    stems = []
    toc_path = repo / "_toc.yml"
    if toc_path.exists():
        def walk(node):
            if isinstance(node, dict):
                f = str(node.get("file", ""))
                if f.startswith("chapters/") and STEM.match(Path(f).stem):
                    stems.append(Path(f).stem)
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)
        walk(yaml.safe_load(toc_path.read_text()))
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


def plot_dependencies(chapters: list[dict], ax=None):
    """Draw the chapter dependency graph (transitively reduced) with matplotlib."""
    import matplotlib.pyplot as plt

    depth = levels(chapters)
    columns: dict[int, list[dict]] = {}
    for c in chapters:
        columns.setdefault(depth.get(c["stem"], 0), []).append(c)
    width = max((len(v) for v in columns.values()), default=1)
    rows = max(columns, default=0) + 1
    if ax is None:  # levels run from top to bottom, so the figure fits the page width
        fig, ax = plt.subplots(figsize=(2.3 * width + 0.4, 0.95 * rows + 0.3), dpi=100)
    else:
        fig = ax.figure
    pos = {}
    for level, members in columns.items():
        for i, c in enumerate(sorted(members, key=lambda c: c["number"])):
            pos[c["stem"]] = (i - (len(members) - 1) / 2, -level)
    boxes = {}
    for c in chapters:
        x, y = pos[c["stem"]]
        label = f"{c['number']}. " + "\n".join(textwrap.wrap(c["title"], 17))
        boxes[c["stem"]] = ax.text(
            x, y, label, ha="center", va="center", fontsize=9, zorder=3,
            bbox=dict(boxstyle="round,pad=0.4", fc="#eef3fb" if not c["placeholder"] else "#f3f3f3",
                      ec="#3a6ea5" if not c["placeholder"] else "0.6", lw=1.2))
    ax.set_xlim(-width / 2 - 0.05, width / 2 + 0.05)
    ax.set_ylim(-rows + 0.55, 0.45)
    fig.canvas.draw()  # the boxes' sizes are known only once drawn
    inverse = ax.transData.inverted()
    extents = {}
    for stem, text in boxes.items():
        (x0, y0), (x1, y1) = inverse.transform(text.get_bbox_patch().get_window_extent())
        extents[stem] = ((x1 - x0) / 2 + 0.02, (y1 - y0) / 2 + 0.02)

    def boundary(stem, towards):
        (x, y), (hx, hy) = pos[stem], extents[stem]
        dx, dy = towards[0] - x, towards[1] - y
        t = min(hx / abs(dx) if dx else float("inf"), hy / abs(dy) if dy else float("inf"))
        return x + t * dx, y + t * dy

    for a, b in reduced_edges(chapters):
        start, end = boundary(a, pos[b]), boundary(b, pos[a])
        ax.annotate("", xy=end, xytext=start, zorder=2,
                    arrowprops=dict(arrowstyle="-|>", color="0.4", lw=1.1, mutation_scale=12,
                                    shrinkA=0, shrinkB=0))
    ax.set_xlim(-width / 2 - 0.05, width / 2 + 0.05)
    ax.set_ylim(-rows + 0.55, 0.45)
    ax.axis("off")
    return fig
