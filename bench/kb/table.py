"""The report: one Markdown table, lexical / semantic / fused side by side."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tabulate import tabulate

SCORERS = ("lexical", "semantic", "fused")
HEADERS = ["section", "metric", *SCORERS, "target", "fused met"]


@dataclass(frozen=True)
class Row:
    """One metric for each scorer (``None``: not measured); ``met`` judges the fused one."""

    section: str
    metric: str
    values: Sequence[str]
    target: str = ""
    met: bool | None = None


def skipped(section: str, reason: str) -> Row:
    """The row of a section that did not run."""
    return Row(section, f"skipped: {reason}", ["-"] * len(SCORERS))


def fmt(value: float | None, digits: int = 3) -> str:
    """``0.90596`` -> ``0.906``; ``-`` when unknown."""
    return "-" if value is None else f"{value:.{digits}f}"


def pct(value: float | None) -> str:
    """``0.0312`` -> ``3.1%``; ``-`` when unknown."""
    return "-" if value is None else f"{value * 100:.1f}%"


def render(title: str, facts: Sequence[str], rows: Sequence[Row], notes: Sequence[str]) -> str:
    """Title, run facts, the table and notes as GitHub Markdown."""
    cells = [
        [
            r.section,
            r.metric,
            *r.values,
            r.target,
            "" if r.met is None else "yes" if r.met else "NO",
        ]
        for r in rows
    ]
    table = tabulate(cells, HEADERS, tablefmt="github", disable_numparse=True)
    parts = [f"# {title}", "\n".join(f"- {fact}" for fact in facts), table]
    if notes:
        parts.append("\n".join(notes))
    return "\n\n".join(parts) + "\n"
