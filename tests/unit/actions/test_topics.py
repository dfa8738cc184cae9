"""The topic map of actions/topics.py starts what the rules start for the same request."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from actions.topics import ENTRIES, form_intents
from zhike.common.topic_names import BUSINESS_INTENTS

ROOT = Path(__file__).resolve().parents[3]


def _rule_starts() -> dict[str, set[str]]:
    """Intent -> the actions a rule runs right after it, over every rule file."""
    starts: dict[str, set[str]] = {}
    for path in (ROOT / "data" / "rules").glob("*.yml"):
        for rule in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules") or []:
            if rule.get("condition"):
                continue
            steps = rule.get("steps") or []
            for step, after in zip(steps, steps[1:], strict=False):
                if "intent" in step and "action" in after:
                    starts.setdefault(step["intent"], set()).add(after["action"])
    return starts


@pytest.mark.parametrize("intent", sorted(ENTRIES))
def test_every_request_starts_what_its_rule_starts(intent: str) -> None:
    assert ENTRIES[intent] in _rule_starts().get(intent, set())


def test_a_form_knows_its_own_requests() -> None:
    assert form_intents("order_id_form") == {"query_order", "query_logistics"}
    assert form_intents("refund_form") == {"request_refund"}
    assert form_intents(None) == frozenset()


def test_the_business_intents_the_policy_watches_are_the_requests_with_an_entry() -> None:
    assert set(ENTRIES) == BUSINESS_INTENTS
