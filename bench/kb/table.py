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


def render(
    title: str,
    facts: Sequence[str],
    rows: Sequence[Row],
    notes: Sequence[str],
    columns: Sequence[str] = SCORERS,
) -> str:
    """Title, run facts, the table (one value column per name of ``columns``) and notes.

    The last column is the one judged against the target (``fused met``).
    """
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
    headers = HEADERS if tuple(columns) == SCORERS else ["section", "metric", *columns, "target"]
    if headers is not HEADERS:
        cells = [cell[:-1] for cell in cells]
    table = tabulate(cells, headers, tablefmt="github", disable_numparse=True)
    parts = [f"# {title}", *(["\n".join(f"- {fact}" for fact in facts)] if facts else []), table]
    if notes:
        parts.append("\n".join(notes))
    return "\n\n".join(parts) + "\n"
