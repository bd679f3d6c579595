"""The chapters and solutions use the symbols that notation.md fixes.

notation.md reserves $D$ for the depth (the number of layers of weights, so the output layer
is layer $D$) and $L$ for the loss; the negative slope of the leaky ReLU, PReLU and RReLU is
$\\alpha$ (never $a$, which is the activation); the momentum coefficient is $\\rho$ and $\\mu$ is a
mean (the batch mean of batch normalisation, the mean of $\\mathcal N(\\mu, s^2)$). Each test
below scans one notebook of chapters/ or solutions/ (markdown cells, and the strings of code
cells, where figure labels and captions live) for the drifts that have crept in before, and
fails naming the file, the cell and the text. exercises/ is generated from solutions/ and is
not scanned separately.

The patterns are deliberately narrow: each matches a way of writing that is wrong under the
notation page, not a symbol that may be right elsewhere ($\\partial L / \\partial a$ is the
gradient with respect to an activation and is fine; "slope $a$" is not).
"""
from __future__ import annotations

import json
import re
import tokenize
from io import StringIO
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted([*ROOT.glob("chapters/*.ipynb"), *ROOT.glob("solutions/*.ipynb")])

# (what is wrong, pattern). Applied to markdown cells and to string literals in code cells.
DRIFTS = [
    # L used as the depth or as the index of the output layer (notation.md: D)
    ("L used as a depth (notation.md: D is the depth, L the loss)",
     re.compile(r"\$L\$[ -](?:[\w-]+ ){0,2}layers?\b|\bdepth \$L\$|\$L\$\s+times\b|\bL-layer\b"
                r"|\bwith \$L\$ hidden\b|layers \$l = 1, \\dots, L|output layer \$L\$")),
    ("L used as the index of the output layer (notation.md: layer D is the output layer)",
     re.compile(r"\^\{\(L\)\}|\^\(L\)|\^\{\(L\s*-\s*1\)\}|\\dots,\s*L\s*-\s*1\b|\^\{L\s*-\s*1\}"
                r"|\\prod_\{[^}]*\}\^\{?L\b")),
    ("L used as a depth in an exponent (notation.md: D)",
     re.compile(r"\b2\^\{?L\b")),
    ("D used for something other than the depth (an output dimension)",
     re.compile(r"\\mathbb\{R\}\^\{?D\b")),
    # the negative slope of the leaky ReLU / PReLU / RReLU (notation.md: alpha)
    ("the PReLU/RReLU slope written a (notation.md: alpha; a is the activation)",
     re.compile(r"\bslope \$a\$|\bslope `a`|\$a\s*=\s*0?\.25\$"
                r"|\\partial\s*\\phi(?:\(z\))?\}?\s*(?:/|\}\{)\s*\\partial a\b"
                r"|\\Delta a\b|\ba \\leftarrow a\b|\$a\s*z\$ otherwise|\$z/a\$|\$a z\$ convention"
                r"|\\partial L\s*/\s*\\partial a\$?\s+for (?:one|a|the|each) (?:PReLU|RReLU|slope)"
                r"|\bmean of \$a\$")),
    # momentum (notation.md: rho) against a mean (mu)
    ("mu used as the momentum coefficient (notation.md: rho; mu is a mean)",
     re.compile(r"\\mu\s*v\b|\\mu\s*\\Delta|momentum (?:coefficient )?\$\\mu\$"
                r"|\$\\mu\$ (?:is )?the momentum")),
]

# Code that names the depth L (notation.md: code uses the same names as the mathematics).
CODE_DRIFTS = [
    ("a depth named L in code (notation.md: D or depth; L is the loss)",
     # a loop over a list of depths, or a comparison with one; L as a loss curve is fine
     re.compile(r"\bfor\s+(?:\w+\s*,\s*)?L\s+in\s+(?:enumerate\()?(?:\[\s*\d|range\()"
                r"|\bL\s*==\s*depth\b|\b(?:depth|n_layers)\s*=\s*L\b")),
]


def _strings(source: str) -> list[str]:
    """The string literals of a code cell (figure labels, titles, captions)."""
    found = []
    try:
        for tok in tokenize.generate_tokens(StringIO(source).readline):
            if tok.type == tokenize.STRING:
                found.append(tok.string)
            elif getattr(tokenize, "FSTRING_MIDDLE", None) == tok.type:
                found.append(tok.string)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        found.append(source)          # not plain Python (magics): scan it all
    return found


def _excerpt(text: str, start: int, end: int) -> str:
    lo, hi = max(0, start - 50), min(len(text), end + 50)
    return " ".join(text[lo:hi].split())


def drifts_in(nb_path: Path) -> list[str]:
    """Every known drift in one notebook, as 'file, cell n (id): what: ...text...'."""
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    rel = nb_path.relative_to(ROOT)
    problems = []
    for n, cell in enumerate(nb["cells"]):
        source = "".join(cell.get("source", ""))
        where = f"{rel}, cell {n} (id {cell.get('id', '?')})"
        if cell["cell_type"] == "markdown":
            texts, rules = [source], DRIFTS
        elif cell["cell_type"] == "code":
            texts, rules = _strings(source), DRIFTS
            for what, pattern in CODE_DRIFTS:
                for m in pattern.finditer(source):
                    problems.append(f"{where}: {what}: ...{_excerpt(source, m.start(), m.end())}...")
        else:
            continue
        for text in texts:
            # in a Python string a backslash is written twice; compare the text as it renders
            text = text.replace("\\\\", "\\")
            for what, pattern in rules:
                for m in pattern.finditer(text):
                    problems.append(f"{where}: {what}: ...{_excerpt(text, m.start(), m.end())}...")
    return problems


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_notebook_follows_the_notation_page(nb_path):
    problems = drifts_in(nb_path)
    assert not problems, ("symbols that drift from notation.md:\n  " + "\n  ".join(problems))


@pytest.mark.parametrize("text, drift", [
    ("a gradient travelling back through $L$ sigmoid layers", True),
    ("Composing it with itself $L$\ntimes", True),
    ("the output layer, $\\delta^{(L)} = p - y$", True),
    ("hidden layers $l = 1, \\dots, L-1$", True),
    ("$2^L$ linear pieces", True),
    ("For $f:K\\to\\mathbb{R}^D$ approximate", True),
    ("makes the negative slope $a$ a parameter", True),
    ("He et al. start every slope at $a = 0.25$", True),
    ("$$\\frac{\\partial \\phi(z)}{\\partial a} = z$$", True),
    ("$v \\leftarrow \\mu v - \\varepsilon g$", True),
    ("label='mean slope $a$'", True),
    ("a gradient travelling back through $D$ sigmoid layers", False),
    ("the loss $L$ of a batch, $\\partial L / \\partial a$ at each unit", False),
    ("the negative slope $\\alpha$, started at $\\alpha = 0.25$", False),
    ("$v \\leftarrow \\rho v - \\eta g$ and the batch mean $\\mu$", False),
    ("$\\delta^{(D)} = p - y$ and $2^D$ pieces", False),
])
def test_the_patterns_catch_the_drifts_and_only_them(text, drift):
    found = [what for what, pattern in DRIFTS if pattern.search(text)]
    assert bool(found) == drift, (text, found)


def test_code_drift_pattern():
    assert CODE_DRIFTS[0][1].search("for k, L in enumerate([1, 2, depth]):")
    assert CODE_DRIFTS[0][1].search("for L in range(1, 8):")
    assert not CODE_DRIFTS[0][1].search("for k, d in enumerate([1, 2, depth]):")
    assert not CODE_DRIFTS[0][1].search("for k, L in curves.items():")   # L a loss curve
