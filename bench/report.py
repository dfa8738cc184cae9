"""The result table: one row per metric, zhike vs. baseline, ratio and target."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tabulate import tabulate

from bench.load import OosResult, Samples
from bench.loadtest import LoadTestResult
from bench.metrics import median
from bench.train import NluScores

COLALIGN = ("left", "right", "right", "right", "left", "left")
HEADERS = ["metric", "zhike", "baseline", "zhike/baseline", "target", "met"]
Check = Callable[[float | None, float | None], bool | None]


@dataclass
class ModelResult:
    """Everything measured for one model."""

    name: str
    train_seconds: float | None = None
    nlu: NluScores | None = None
    parse: Samples | None = None
    oos: OosResult | None = None
    rest: dict[int, list[Samples]] = field(default_factory=dict)
    peak_rss_mb: float | None = None
    probe_reply: str = ""
    load_during: list[float] = field(default_factory=list)
    loadtest: LoadTestResult | None = None


@dataclass
class Row:
    metric: str
    zhike: float | None
    baseline: float | None
    fmt: str = "{:.1f}"
    target: str = ""
    check: Check | None = None


def _fmt(value: float | None, fmt: str) -> str:
    return "-" if value is None else fmt.format(value)


def _ratio(zhike: float | None, baseline: float | None) -> float | None:
    if zhike is None or baseline is None or baseline == 0:
        return None
    return zhike / baseline


def _at_most(limit: float) -> Check:
    return lambda z, _r: None if z is None else z <= limit


def _ratio_at_least(limit: float) -> Check:
    return lambda _z, r: None if r is None else r >= limit


def _rest_metric(result: ModelResult, level: int, metric: str) -> float | None:
    runs = result.rest.get(level) or []
    values: list[float | None] = []
    for run in runs:
        values.append(float(run.errors) if metric == "errors" else getattr(run, metric))
    return median(values)


def _nlu(result: ModelResult, attr: str) -> float | None:
    return None if result.nlu is None else getattr(result.nlu, attr)


def build_rows(zhike: ModelResult, baseline: ModelResult, levels: list[int]) -> list[Row]:
    """The rows of the table, with the targets of the brief."""
    rows = [
        Row(
            "training time (s)",
            zhike.train_seconds,
            baseline.train_seconds,
            target="zhike <= 300 s",
            check=_at_most(300),
        ),
        Row(
            "NLU held-out intent accuracy",
            _nlu(zhike, "intent_accuracy"),
            _nlu(baseline, "intent_accuracy"),
            "{:.3f}",
        ),
        Row(
            "NLU held-out intent macro-F1",
            _nlu(zhike, "intent_macro_f1"),
            _nlu(baseline, "intent_macro_f1"),
            "{:.3f}",
        ),
        Row(
            "NLU held-out response selection acc. (faq/chitchat)",
            _nlu(zhike, "response_accuracy"),
            _nlu(baseline, "response_accuracy"),
            "{:.3f}",
        ),
    ]
    zp, bp = zhike.parse, baseline.parse
    rows += [
        Row(
            "/model/parse p50 (ms), 1 client",
            zp.p50 if zp else None,
            bp.p50 if bp else None,
            target="zhike <= 30 ms",
            check=_at_most(30),
        ),
        Row(
            "/model/parse p99 (ms), 1 client",
            zp.p99 if zp else None,
            bp.p99 if bp else None,
        ),
    ]
    if zhike.oos is not None or baseline.oos is not None:
        rows.append(
            Row(
                "OOS false-accept rate (CAIS, lower is better)",
                zhike.oos.rate if zhike.oos else None,
                baseline.oos.rate if baseline.oos else None,
                "{:.3f}",
            )
        )
    for level in levels:
        throughput_target = ("ratio >= 3", _ratio_at_least(3)) if level == 10 else ("", None)
        p99_target = ("zhike <= 250 ms", _at_most(250)) if level == 10 else ("", None)
        rows += [
            Row(
                f"REST {level} conc.: throughput (msg/s)",
                _rest_metric(zhike, level, "throughput"),
                _rest_metric(baseline, level, "throughput"),
                "{:.1f}",
                *throughput_target,
            ),
            Row(
                f"REST {level} conc.: p50 (ms)",
                _rest_metric(zhike, level, "p50"),
                _rest_metric(baseline, level, "p50"),
            ),
            Row(
                f"REST {level} conc.: p99 (ms)",
                _rest_metric(zhike, level, "p99"),
                _rest_metric(baseline, level, "p99"),
                "{:.1f}",
                *p99_target,
            ),
            Row(
                f"REST {level} conc.: errors",
                _rest_metric(zhike, level, "errors"),
                _rest_metric(baseline, level, "errors"),
                "{:.0f}",
            ),
        ]
    rows.append(
        Row(
            "peak RSS of Rasa server incl. children (MB)",
            zhike.peak_rss_mb,
            baseline.peak_rss_mb,
            "{:.0f}",
            "zhike <= 1000 MB",
            _at_most(1000),
        )
    )
    return rows


def table_cells(rows: list[Row]) -> list[list[str]]:
    cells = []
    for row in rows:
        ratio = _ratio(row.zhike, row.baseline)
        met = row.check(row.zhike, ratio) if row.check else None
        cells.append(
            [
                row.metric,
                _fmt(row.zhike, row.fmt),
                _fmt(row.baseline, row.fmt),
                _fmt(ratio, "{:.2f}x"),
                row.target,
                ""
                if met is None and not row.target
                else ("-" if met is None else ("yes" if met else "NO")),
            ]
        )
    return cells


def notes(zhike: ModelResult, baseline: ModelResult) -> list[str]:
    """Lines under the table: sanity replies, OOS breakdown, machine load."""
    lines = []
    for result in (zhike, baseline):
        lines.append(f"{result.name}: order probe reply: {result.probe_reply[:160]}")
    for result in (zhike, baseline):
        if result.oos is not None:
            top = ", ".join(f"{name} {n}" for name, n in result.oos.intents.most_common(5))
            lines.append(
                f"{result.name}: OOS {result.oos.false_accepts}/{result.oos.sent} "
                f"accepted ({result.oos.errors} errors); top intents: {top or '-'}"
            )
    for result in (zhike, baseline):
        if result.load_during:
            loads = ", ".join(f"{v:.2f}" for v in result.load_during)
            lines.append(f"{result.name}: 1-min load average around the load phases: {loads}")
    return lines


def render(
    header: list[str], rows: list[Row], note_lines: list[str], markdown: bool = False
) -> str:
    """The whole report as plain text (or GitHub Markdown)."""
    cells = table_cells(rows)
    if markdown:
        table = tabulate(
            cells, HEADERS, tablefmt="github", disable_numparse=True, colalign=COLALIGN
        )
        top = "\n".join(f"- {line}" for line in header[1:])
        bottom = "\n".join(f"- {line}" for line in note_lines)
        return f"# {header[0]}\n\n{top}\n\n{table}\n\nNotes:\n\n{bottom}\n"
    table = tabulate(
        cells,
        HEADERS,
        tablefmt="simple",
        disable_numparse=True,
        colalign=COLALIGN,
    )
    return "\n".join([*header, "", table, "", *note_lines]) + "\n"


def write_markdown(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
