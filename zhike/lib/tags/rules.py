"""The tag rule format (``rules.yml``): parsing and validation with clear errors.

A rules file is YAML: ``version: 1`` and a list of ``rules``. Each rule names a ``tag`` (its
id: lower-case letters, digits and ``_``), a Chinese ``label``, a ``colour``, the ``source``
of the records it counts and a ``condition``::

    - tag: refund_frequent
      label: 高频退款
      colour: red
      source: refunds
      condition: {within_days: 90, at_least: 2}
      reason: 近{days}天退款{count}次

A condition counts the source's records that pass ``where`` (field equality, one of a list,
or a ``{at_least: n}`` / ``{at_most: n}`` threshold on a number), optionally only those of
the last ``within_days`` days, and holds when the count is between ``at_least`` (default 1)
and ``at_most``. With ``by: FIELD`` and ``top: N`` the tag is given once per value of that
field, for its ``N`` most frequent values (each counted on its own). ``any_of`` lists
alternatives, each with its own ``source``. Nothing in the file is executed: there is no
expression language, only these keys. See ``docs/tags.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_RULES_PATH = Path(__file__).with_name("rules.yml")

TEXT, NUMBER, BOOL = "text", "number", "bool"
# The records each source offers, and their fields' types.
SOURCES: dict[str, dict[str, str]] = {
    "refunds": {"status": TEXT, "amount_fen": NUMBER, "order_id": TEXT},
    "tickets": {"category": TEXT, "status": TEXT},
    "conversations": {
        "channel": TEXT,
        "intent": TEXT,
        "rating": NUMBER,
        "state": TEXT,
        "skill_group": TEXT,
    },
    "enrolments": {"status": TEXT, "course_name": TEXT},
    "profile": {"vip": BOOL},
}
UNDATED = frozenset({"profile", "enrolments"})  # no ``within_days`` on these
COLOURS = ("red", "orange", "yellow", "green", "blue", "purple", "grey")
PLACEHOLDERS = frozenset({"count", "days", "value"})
TAG_ID = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
MAX_LABEL = 16
MAX_REASON = 60
MAX_DAYS = 3650
MAX_TOP = 5
MAX_RULES = 100
RULE_KEYS = frozenset({"tag", "label", "colour", "source", "condition", "reason", "values"})
CHECK_KEYS = frozenset({"source", "where", "within_days", "at_least", "at_most", "by", "top"})
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class RuleError:
    """One problem of a rules file: where (file, rule, field) and what."""

    file: str
    rule: str
    field: str
    message: str

    def __str__(self) -> str:
        where = " ".join(part for part in (self.rule, self.field) if part)
        return f"{self.file}: {where}: {self.message}" if where else f"{self.file}: {self.message}"


class RulesInvalid(ValueError):
    """A rules file with problems; ``errors`` lists every one found."""

    def __init__(self, errors: list[RuleError]) -> None:
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


@dataclass(frozen=True)
class Filter:
    """``field`` equals one of ``values``, or (``op`` ``at_least``/``at_most``) a threshold."""

    field: str
    op: str  # "in", "at_least" or "at_most"
    values: tuple[Any, ...]

    def passes(self, record: dict[str, Any]) -> bool:
        """Whether ``record`` passes (a missing field never does)."""
        value = record.get(self.field)
        if value is None:
            return False
        if self.op == "in":
            return value in self.values
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        limit = self.values[0]
        return bool(value >= limit if self.op == "at_least" else value <= limit)


@dataclass(frozen=True)
class Check:
    """One counted condition over the records of ``source``."""

    source: str
    where: tuple[Filter, ...] = ()
    within_days: int | None = None
    at_least: int = 1
    at_most: int | None = None
    by: str | None = None
    top: int = 1
    reason: str | None = None


@dataclass(frozen=True)
class Rule:
    """A tag rule: the tag holds when any of its checks holds."""

    tag: str
    label: str
    colour: str
    checks: tuple[Check, ...]
    reason: str = ""
    values: dict[str, str] = field(default_factory=dict)

    @property
    def sources(self) -> frozenset[str]:
        """Every source the rule reads."""
        return frozenset(check.source for check in self.checks)


class _Problems:
    """Collects the errors of one file."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[RuleError] = []

    def add(self, rule: str, where: str, message: str) -> None:
        self.errors.append(RuleError(self.file, rule, where, message))


def _whole(value: Any, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


def _text(value: Any, limit: int) -> str | None:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > limit:
        return None
    return value.strip()


def _reason(raw: Any, rule: str, where: str, problems: _Problems) -> str | None:
    if raw is None:
        return None
    text = _text(raw, MAX_REASON)
    if text is None:
        problems.add(rule, where, f"must be a text of 1 to {MAX_REASON} characters")
        return None
    for name in _PLACEHOLDER.findall(text):
        if name not in PLACEHOLDERS:
            known = ", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS))
            problems.add(rule, where, f"unknown placeholder {{{name}}}; use {known}")
    return text


def _filter(source: str, name: Any, raw: Any, rule: str, where: str, problems: _Problems) -> Any:
    fields = SOURCES[source]
    if name not in fields:
        problems.add(rule, where, f"{source} has no field {name!r}; fields: {', '.join(fields)}")
        return None
    kind = fields[name]
    if isinstance(raw, dict):
        if kind != NUMBER or len(raw) != 1 or next(iter(raw)) not in ("at_least", "at_most"):
            problems.add(rule, where, "a threshold is {at_least: N} or {at_most: N} on a number")
            return None
        op, limit = next(iter(raw.items()))
        if isinstance(limit, bool) or not isinstance(limit, (int, float)):
            problems.add(rule, where, f"{op} must be a number")
            return None
        return Filter(name, op, (limit,))
    values = tuple(raw) if isinstance(raw, list) else (raw,)
    expected: dict[str, Any] = {TEXT: str, NUMBER: (int, float), BOOL: bool}
    expected_type = expected[kind]
    bad = [v for v in values if not isinstance(v, expected_type)]
    if not values or bad or (kind == NUMBER and any(isinstance(v, bool) for v in values)):
        problems.add(rule, where, f"must be a {kind} value or a list of them")
        return None
    return Filter(name, "in", values)


def _check(raw: Any, rule: str, where: str, problems: _Problems, source: Any) -> Check | None:
    if not isinstance(raw, dict):
        problems.add(rule, where, "must be a mapping")
        return None
    for key in sorted(set(raw) - CHECK_KEYS - {"reason"}):
        problems.add(rule, f"{where}.{key}", f"unknown key; keys: {', '.join(sorted(CHECK_KEYS))}")
    source = raw.get("source", source)
    if source not in SOURCES:
        at = f"{where}.source" if "source" in raw else "source"
        problems.add(rule, at, f"must be one of {', '.join(SOURCES)}")
        return None
    count = len(problems.errors)
    where_raw = raw.get("where") or {}
    filters = []
    if not isinstance(where_raw, dict):
        problems.add(rule, f"{where}.where", "must be a mapping of field: value")
    else:
        for name, value in where_raw.items():
            found = _filter(source, name, value, rule, f"{where}.where.{name}", problems)
            if found is not None:
                filters.append(found)
    days = raw.get("within_days")
    if days is not None and (source in UNDATED or _whole(days, 1, MAX_DAYS) is None):
        message = (
            f"{source} records have no date"
            if source in UNDATED
            else f"must be a whole number of days from 1 to {MAX_DAYS}"
        )
        problems.add(rule, f"{where}.within_days", message)
    at_least = raw.get("at_least", 1)
    if _whole(at_least, 0, 100_000) is None:
        problems.add(rule, f"{where}.at_least", "must be a whole number from 0")
    at_most = raw.get("at_most")
    if at_most is not None and _whole(at_most, 0, 100_000) is None:
        problems.add(rule, f"{where}.at_most", "must be a whole number from 0")
    elif at_most is not None and isinstance(at_least, int) and at_most < at_least:
        problems.add(rule, f"{where}.at_most", "must not be smaller than at_least")
    by, top = raw.get("by"), raw.get("top", 1)
    if by is not None and (by not in SOURCES[source] or SOURCES[source][by] != TEXT):
        texts = [n for n, kind in SOURCES[source].items() if kind == TEXT]
        problems.add(rule, f"{where}.by", f"must be a text field of {source}: {', '.join(texts)}")
    if "top" in raw and (by is None or _whole(top, 1, MAX_TOP) is None):
        problems.add(rule, f"{where}.top", f"needs by, and is a whole number from 1 to {MAX_TOP}")
    if by is not None and at_least == 0:
        problems.add(rule, f"{where}.at_least", "must be at least 1 with by")
    reason = _reason(raw.get("reason"), rule, f"{where}.reason", problems)
    if len(problems.errors) > count:
        return None
    return Check(source, tuple(filters), days, at_least, at_most, by, top, reason)


def _rule(raw: Any, index: int, seen: set[str], problems: _Problems) -> Rule | None:
    name = f"rule {index}"
    if not isinstance(raw, dict):
        problems.add(name, "", "must be a mapping with tag, label, colour, source, condition")
        return None
    tag = raw.get("tag")
    if isinstance(tag, str) and TAG_ID.match(tag):
        name = f"rule {index} ({tag})"
        if tag in seen:
            problems.add(name, "tag", "is used by an earlier rule; each tag has one rule")
        seen.add(tag)
    else:
        problems.add(name, "tag", "must be 1-32 of a-z 0-9 _ starting with a letter")
    count = len(problems.errors)
    for key in sorted(set(raw) - RULE_KEYS):
        problems.add(name, key, f"unknown key; keys: {', '.join(sorted(RULE_KEYS))}")
    label = _text(raw.get("label"), MAX_LABEL)
    if label is None:
        problems.add(name, "label", f"must be a text of 1 to {MAX_LABEL} characters")
    colour = raw.get("colour")
    if colour not in COLOURS:
        problems.add(name, "colour", f"must be one of {', '.join(COLOURS)}")
    values = raw.get("values") or {}
    if not isinstance(values, dict) or not all(
        isinstance(k, str) and _text(v, MAX_LABEL) for k, v in values.items()
    ):
        problems.add(name, "values", "must map field values to labels (texts)")
    reason = _reason(raw.get("reason"), name, "reason", problems)
    condition = raw.get("condition")
    checks: list[Check | None] = []
    if not isinstance(condition, dict):
        problems.add(name, "condition", "must be a mapping (see docs/tags.md)")
    elif "any_of" in condition:
        alternatives = condition["any_of"]
        if set(condition) != {"any_of"} or not isinstance(alternatives, list) or not alternatives:
            problems.add(name, "condition.any_of", "must be the only key, a non-empty list")
        else:
            for n, alternative in enumerate(alternatives):
                at = f"condition.any_of[{n}]"
                checks.append(_check(alternative, name, at, problems, raw.get("source")))
    else:
        checks.append(_check(condition, name, "condition", problems, raw.get("source")))
    if len(problems.errors) > count or any(check is None for check in checks):
        return None
    values = {str(k): str(v).strip() for k, v in values.items()}
    found = tuple(check for check in checks if check is not None)
    return Rule(str(tag), str(label), str(colour), found, reason or "", values)


def parse_rules(document: Any, file: str = "rules.yml") -> tuple[Rule, ...]:
    """The rules of a parsed YAML document.

    Raises:
        RulesInvalid: With every problem found, each naming the file, rule and field.
    """
    problems = _Problems(file)
    if not isinstance(document, dict) or document.get("version") != 1:
        problems.add("", "version", "the file must be a mapping with version: 1 and rules")
        raise RulesInvalid(problems.errors)
    for key in sorted(set(document) - {"version", "rules"}):
        problems.add("", key, "unknown top-level key; keys: version, rules")
    raw_rules = document.get("rules")
    if not isinstance(raw_rules, list) or not 1 <= len(raw_rules) <= MAX_RULES:
        problems.add("", "rules", f"must be a list of 1 to {MAX_RULES} rules")
        raise RulesInvalid(problems.errors)
    seen: set[str] = set()
    rules = [_rule(raw, index, seen, problems) for index, raw in enumerate(raw_rules, start=1)]
    if problems.errors:
        raise RulesInvalid(problems.errors)
    return tuple(rule for rule in rules if rule is not None)


def load_rules(path: Path = DEFAULT_RULES_PATH) -> tuple[Rule, ...]:
    """The rules of a YAML file (blocking: call it in a worker thread from async code).

    Raises:
        RulesInvalid: The file cannot be read, is no YAML, or has invalid rules.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RulesInvalid([RuleError(str(path), "", "", f"cannot be read: {error}")]) from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        raise RulesInvalid([RuleError(str(path), where, "", "is not valid YAML")]) from None
    return parse_rules(document, str(path))
