"""Which tags a customer earns: the rules of :mod:`.rules` over the customer's facts (pure)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from zhike.lib.tags.rules import Check, Rule


@dataclass(frozen=True)
class Record:
    """One thing a customer did or has: its time (``None``: undated) and its fields."""

    at: datetime | None
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class CustomerFacts:
    """The records of a customer by source, and the sources that could not be read.

    A rule reading a ``missing`` source is not evaluated, so its stored tags stay as they
    were instead of being dropped because the backend was down.
    """

    customer_id: str
    records: Mapping[str, list[Record]] = field(default_factory=dict)
    missing: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TagResult:
    """A tag a customer earned.

    ``value`` is the counted field's value of a ``by`` rule (else ``""``), ``label`` what
    the page shows (with the value's name), ``reason`` why (the tooltip).
    """

    tag: str
    value: str
    label: str
    colour: str
    reason: str


def _reason(template: str, count: int, days: int | None, value: str) -> str:
    text = template.replace("{count}", str(count)).replace("{value}", value)
    return text.replace("{days}", str(days) if days is not None else "")


def _matching(check: Check, records: Iterable[Record], now: datetime) -> list[Record]:
    since = now - timedelta(days=check.within_days) if check.within_days else None
    found = []
    for record in records:
        if since is not None and (record.at is None or record.at < since):
            continue
        if all(rule_filter.passes(dict(record.fields)) for rule_filter in check.where):
            found.append(record)
    return found


def _in_range(check: Check, count: int) -> bool:
    return count >= check.at_least and (check.at_most is None or count <= check.at_most)


def _check_results(
    rule: Rule, check: Check, facts: CustomerFacts, now: datetime, labels: Mapping[str, str]
) -> list[TagResult]:
    found = _matching(check, facts.records.get(check.source, []), now)
    template = check.reason or rule.reason or rule.label
    if check.by is None:
        if not _in_range(check, len(found)):
            return []
        reason = _reason(template, len(found), check.within_days, "")
        return [TagResult(rule.tag, "", rule.label, rule.colour, reason)]
    counts = Counter(
        str(record.fields[check.by]) for record in found if record.fields.get(check.by)
    )
    # The most frequent first; a tie goes to the value seen most recently.
    latest: dict[str, datetime] = {}
    for record in found:
        key = str(record.fields.get(check.by) or "")
        if record.at is not None and (key not in latest or record.at > latest[key]):
            latest[key] = record.at
    ranked = sorted(
        counts.items(),
        key=lambda item: (-item[1], -(latest[item[0]].timestamp() if item[0] in latest else 0)),
    )
    results = []
    for value, count in ranked[: check.top]:
        if not _in_range(check, count):
            continue
        shown = rule.values.get(value) or labels.get(value) or value
        reason = _reason(template, count, check.within_days, shown)
        results.append(TagResult(rule.tag, value, f"{rule.label}：{shown}", rule.colour, reason))
    return results


def evaluate(
    rules: Iterable[Rule],
    facts: CustomerFacts,
    now: datetime,
    value_labels: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[list[TagResult], frozenset[str]]:
    """The tags ``facts`` earn under ``rules`` at ``now``.

    Args:
        rules: The rules, in file order (the order of the results).
        facts: The customer's records.
        now: The end of every ``within_days`` window.
        value_labels: Labels of field values by field name (e.g. channel names), used for
            ``by`` rules when the rule's own ``values`` do not name the value.

    Returns:
        The tags earned (one per rule, or one per value of ``by`` rules; an ``any_of``
        rule gives its first holding alternative's), and the tags whose rules were
        evaluated (those not reading a missing source).
    """
    results: list[TagResult] = []
    evaluated = set()
    for rule in rules:
        if rule.sources & facts.missing:
            continue
        evaluated.add(rule.tag)
        seen: set[str] = set()
        for check in rule.checks:
            labels = (value_labels or {}).get(check.by or "", {})
            for result in _check_results(rule, check, facts, now, labels):
                if result.value not in seen:
                    seen.add(result.value)
                    results.append(result)
            if seen and check.by is None:
                break
    return results, frozenset(evaluated)
