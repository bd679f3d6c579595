"""Facts: the statements a chapter makes about stored results, as code (chapters 7-9).

A chapter that states a training outcome ("batch norm + residual trained in 10 of 10 seeds")
does not check it with an ``assert`` of its own. A function in the package computes a
:class:`Fact` from the stored rows: the claim in words, whether it holds, and the numbers
behind the verdict. The same function serves three readers:

* the chapter, which calls :func:`require` on it, so the build fails when text and data part;
* the tests, which evaluate it on the stored data;
* ``scripts/check_robustness.py``, which re-runs every sweep under other BLAS kernels into a
  temporary folder and evaluates the same facts there.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Fact", "FactFailed", "fact", "require", "table"]


@dataclass(frozen=True)
class Fact:
    """One statement about stored results (chapter 4).

    ``key`` is a stable identifier, ``"<sweep>.<short-name>"``; ``claim`` is the statement as
    the chapter makes it; ``holds`` the verdict; ``evidence`` the numbers behind it (for
    example ``"diverged in 7 of 10 seeds"``).
    """

    key: str
    claim: str
    holds: bool
    evidence: str = ""

    def __post_init__(self):
        if not isinstance(self.holds, bool):
            # numpy booleans and truthy numbers hide mistakes such as `holds=count`
            raise TypeError(f"Fact {self.key!r}: holds must be a bool, got {type(self.holds).__name__}")
        if "." not in self.key:
            raise ValueError(f"Fact key {self.key!r} should read '<sweep>.<name>'")


def fact(key: str, claim: str, holds, evidence: str = "") -> Fact:
    """A :class:`Fact`, with ``holds`` converted from a numpy boolean (chapter 4)."""
    return Fact(key, claim, bool(holds), evidence)


class FactFailed(AssertionError):
    """Raised by :func:`require` when a chapter's statement no longer matches its data."""


def require(facts) -> list[Fact]:
    """Raise :class:`FactFailed` naming every fact that does not hold; return the facts.
    (Chapter 4.)

    A chapter calls ``require(section_facts(...))`` in a hidden cell: if a re-run sweep no
    longer supports a sentence, the build stops and says which sentence and why.
    """
    facts = list(facts)
    if not facts:
        raise FactFailed("no facts were given: a guard that checks nothing cannot fail")
    failed = [f for f in facts if not f.holds]
    if failed:
        lines = "\n".join(f"- {f.key}: {f.claim} -- does not hold ({f.evidence})" for f in failed)
        raise FactFailed(f"{len(failed)} of {len(facts)} statements no longer match the data:\n{lines}")
    return facts


def table(facts) -> str:
    """The facts as a plain-text table (key, verdict, evidence), for scripts and logs.

    Chapter 9.
    """
    facts = list(facts)
    width = max((len(f.key) for f in facts), default=3)
    lines = [f"{'fact':{width}}  verdict  evidence"]
    for f in facts:
        lines.append(f"{f.key:{width}}  {'holds' if f.holds else 'FAILS':7}  {f.evidence}")
    return "\n".join(lines)
