"""The load test's rows of the bench table and its lines under the table."""

from __future__ import annotations

from collections.abc import Callable

from bench.loadtest.counts import LoadTestResult
from bench.report import Check, Row

Value = Callable[[LoadTestResult], float | None]


def _equals(expected: float | None) -> Check:
    return lambda z, _r: None if z is None or expected is None else z == expected


def _failed_actions(result: LoadTestResult) -> float | None:
    failures = result.action_failures
    return None if failures is None else float(failures.count)


def _retry_after_check(zhike: LoadTestResult | None) -> Check:
    """Met when every 429/503 of zhike's run carried Retry-After ("-" without any)."""
    if zhike is None or not zhike.overload_answers:
        return lambda _z, _r: None
    return _equals(float(zhike.overload_answers))


def loadtest_rows(zhike: LoadTestResult | None, baseline: LoadTestResult | None) -> list[Row]:
    """Rows for the load test (none when neither model ran it)."""
    ran = zhike or baseline
    if ran is None:
        return []
    label = f"load {ran.conversations} conv. x {ran.messages_per_conversation} msg"
    specs: list[tuple[str, Value, str, str, Check | None]] = [
        # (metric, value, format, target, check)
        (
            "messages sent",
            lambda r: float(r.sent),
            "{:.0f}",
            f"{ran.planned}",
            _equals(float(zhike.planned)) if zhike else None,
        ),
        ("HTTP 200", lambda r: float(r.by_category()["200"]), "{:.0f}", "", None),
        ("HTTP 429", lambda r: float(r.by_category()["429"]), "{:.0f}", "", None),
        ("HTTP 503", lambda r: float(r.by_category()["503"]), "{:.0f}", "", None),
        ("HTTP other", lambda r: float(r.by_category()["other"]), "{:.0f}", "", None),
        (
            "no response (timeout/reset)",
            lambda r: float(sum(r.no_response.values())),
            "{:.0f}",
            "",
            None,
        ),
        (
            "empty replies (200 with [])",
            lambda r: float(r.empty_replies),
            "{:.0f}",
            "0",
            _equals(0.0),
        ),
        ("failed action calls (Rasa log)", _failed_actions, "{:.0f}", "0", _equals(0.0)),
        (
            "429/503 with Retry-After",
            lambda r: float(r.with_retry_after),
            "{:.0f}",
            "every 429/503",
            _retry_after_check(zhike),
        ),
        ("messages never answered", lambda r: float(r.unanswered), "{:.0f}", "", None),
        ("reply time p50 (ms)", lambda r: r.p50, "{:.0f}", "", None),
        ("reply time p95 (ms)", lambda r: r.p95, "{:.0f}", "", None),
        ("reply time p99 (ms)", lambda r: r.p99, "{:.0f}", "", None),
        ("wall time (s)", lambda r: r.seconds, "{:.0f}", "", None),
        ("peak RSS of Rasa server (MB)", lambda r: r.peak_rss_mb, "{:.0f}", "", None),
    ]
    return [
        Row(
            f"{label}: {metric}",
            value(zhike) if zhike else None,
            value(baseline) if baseline else None,
            fmt,
            target,
            check,
        )
        for metric, value, fmt, target, check in specs
    ]


def loadtest_notes(results: dict[str, LoadTestResult | None]) -> list[str]:
    """Per model: how overload was signalled and which action calls failed, and why."""
    lines = []
    for name, result in results.items():
        if result is None:
            continue
        lines.append(f"{name}: load test overload signal: {result.overload_summary()}")
        if result.action_failures is not None:
            lines.append(f"{name}: load test action calls: {result.action_failures.summary()}")
    return lines
