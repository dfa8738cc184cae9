"""The tag rule format: the default file is valid, bad rules say file, rule and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from zhike.lib.tags import DEFAULT_RULES_PATH, RulesInvalid, load_rules, parse_rules
from zhike.tags.cli import main


def rule(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "tag": "refund_frequent",
        "label": "高频退款",
        "colour": "red",
        "source": "refunds",
        "condition": {"within_days": 90, "at_least": 2},
    }
    base.update(fields)
    return {key: value for key, value in base.items() if value is not None}


def problems(*rules: dict[str, Any]) -> list[str]:
    with pytest.raises(RulesInvalid) as raised:
        parse_rules({"version": 1, "rules": list(rules)}, "my.yml")
    return [str(error) for error in raised.value.errors]


def test_the_default_rules_hold_every_documented_tag() -> None:
    rules = load_rules(DEFAULT_RULES_PATH)
    labels = {rule.tag: rule.label for rule in rules}
    assert labels == {
        "refund_frequent": "高频退款",
        "complained": "有过投诉",
        "vip": "VIP",
        "course_parent": "课程家长",
        "preferred_channel": "偏好渠道",
        "recent_intent": "近期意图",
        "bad_rating": "差评记录",
        "new_customer": "新客户",
    }
    complained = next(rule for rule in rules if rule.tag == "complained")
    assert complained.sources == {"tickets", "conversations"}


def test_a_valid_rule_is_parsed() -> None:
    (parsed,) = parse_rules({"version": 1, "rules": [rule(reason="近{days}天退款{count}次")]})
    (check,) = parsed.checks
    assert (check.source, check.within_days, check.at_least, check.at_most) == (
        "refunds",
        90,
        2,
        None,
    )
    assert parsed.reason == "近{days}天退款{count}次"


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (rule(tag="Refund!"), "my.yml: rule 1 tag: must be 1-32 of a-z 0-9 _"),
        (rule(label=""), "my.yml: rule 1 (refund_frequent) label: must be a text of 1 to 16"),
        (rule(colour="pink"), "rule 1 (refund_frequent) colour: must be one of red, orange"),
        (rule(source="refundz"), "rule 1 (refund_frequent) source: must be one of refunds,"),
        (
            rule(condition={"within_days": 0}),
            "rule 1 (refund_frequent) condition.within_days: must be a whole number of days",
        ),
        (
            rule(condition={"where": {"colour": "red"}}),
            "condition.where.colour: refunds has no field 'colour'; fields: status,",
        ),
        (
            rule(condition={"where": {"amount_fen": "lots"}}),
            "condition.where.amount_fen: must be a number value or a list of them",
        ),
        (
            rule(condition={"where": {"status": {"at_least": 2}}}),
            "condition.where.status: a threshold is {at_least: N} or {at_most: N} on a number",
        ),
        (
            rule(condition={"at_least": 3, "at_most": 1}),
            "condition.at_most: must not be smaller than at_least",
        ),
        (rule(condition={"top": 2}), "condition.top: needs by"),
        (rule(condition={"eval": "__import__('os')"}), "condition.eval: unknown key"),
        (rule(reason="{customer.name}"), "reason: unknown placeholder {customer.name}"),
        (rule(condition="count > 2"), "condition: must be a mapping"),
        (
            rule(source="profile", condition={"within_days": 3}),
            "condition.within_days: profile records have no date",
        ),
        (
            rule(source=None, condition={"any_of": [{"source": "tickets", "by": "rating"}]}),
            "condition.any_of[0].by: must be a text field of tickets",
        ),
    ],
)
def test_a_bad_rule_names_the_file_the_rule_and_the_field(
    bad: dict[str, Any], expected: str
) -> None:
    found = problems(bad)
    assert any(expected in problem for problem in found), found


def test_every_problem_is_reported_and_duplicate_tags_too() -> None:
    found = problems(rule(), rule(colour="pink", label=""), rule(tag="other", source="x"))
    assert "my.yml: rule 2 (refund_frequent) tag: is used by an earlier rule" in found[0]
    assert len(found) == 4, found


def test_the_file_needs_version_1_and_rules() -> None:
    with pytest.raises(RulesInvalid, match="version: 1"):
        parse_rules({"rules": [rule()]}, "my.yml")
    with pytest.raises(RulesInvalid, match="rules: must be a list of 1 to 100 rules"):
        parse_rules({"version": 1, "rules": []}, "my.yml")


def test_the_cli_checks_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.yml"
    good.write_text(yaml.safe_dump({"version": 1, "rules": [rule()]}), encoding="utf-8")
    assert main(["check", str(good)]) == 0
    assert "OK: 1 rules" in capsys.readouterr().out

    bad = tmp_path / "bad.yml"
    bad.write_text(yaml.safe_dump({"version": 1, "rules": [rule(colour="pink")]}), "utf-8")
    assert main(["check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}: rule 1 (refund_frequent) colour: must be one of" in err
    assert "1 problem(s)" in err

    broken = tmp_path / "broken.yml"
    broken.write_text("version: 1\nrules: [\n", encoding="utf-8")
    assert main(["check", str(broken)]) == 1
    assert "is not valid YAML" in capsys.readouterr().err
