"""The report: one Markdown table (section, metric, value, target, met) and details."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tabulate import tabulate

HEADERS = ["section", "metric", "value", "target", "met"]
COLALIGN = ("left", "left", "right", "left", "left")


@dataclass(frozen=True)
class Row:
    """One line of the table; ``met`` is ``None`` when the metric has no target."""

    section: str
    metric: str
    value: str
    target: str = ""
    met: bool | None = None


def percent(value: float | None, digits: int = 1) -> str:
    """``0.0312`` -> ``3.1%`` (``-`` when there is nothing to divide)."""
    return "-" if value is None else f"{value * 100:.{digits}f}%"


def number(value: float | None, digits: int = 3) -> str:
    """``0.90596`` -> ``0.906`` (``-`` when unknown)."""
    return "-" if value is None else f"{value:.{digits}f}"


def _met(met: bool | None) -> str:
    return "" if met is None else ("yes" if met else "NO")


def render(title: str, header: list[str], rows: list[Row], details: list[str]) -> str:
    """The whole report as GitHub Markdown: title, run facts, the table, the details."""
    cells = [[r.section, r.metric, r.value, r.target, _met(r.met)] for r in rows]
    table = tabulate(cells, HEADERS, tablefmt="github", disable_numparse=True, colalign=COLALIGN)
    facts = "\n".join(f"- {line}" for line in header)
    parts = [f"# {title}", facts, table]
    if details:
        parts.append("\n".join(details))
    return "\n\n".join(parts) + "\n"


def write(path: Path, text: str) -> None:
    """Writes the report, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
