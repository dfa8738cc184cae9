"""Every form can be finished, left ("不用了"), interrupted by a question and by 转人工."""

from __future__ import annotations

import yaml
from rasa.shared.core.domain import Domain

from .conftest import ROOT


def _rules() -> list[dict]:
    rules: list[dict] = []
    for path in sorted((ROOT / "data" / "rules").glob("*.yml")):
        rules += (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules") or []
    return rules


def _steps(rule: dict) -> list[str]:
    return [
        f"intent:{step['intent']}" if "intent" in step else f"action:{step.get('action')}"
        for step in rule.get("steps") or []
        if "intent" in step or "action" in step
    ]


def _conditioned_on(form: str) -> list[list[str]]:
    return [
        _steps(rule) for rule in _rules() if {"active_loop": form} in (rule.get("condition") or [])
    ]


def test_every_form_is_started_completed_left_and_interruptible(domain: Domain) -> None:
    missing = {}
    for form in domain.form_names:
        started = any(_steps(rule)[1:2] == [f"action:{form}"] for rule in _rules())
        inside = _conditioned_on(form)
        needs = {
            "started by an intent": started,
            "completed by a submit action": any(s[:1] == [f"action:{form}"] for s in inside),
            "left with deny": ["intent:deny", "action:action_stop_form"] in inside,
            "faq answered, then back": [
                "intent:faq",
                "action:action_answer_knowledge",
                f"action:{form}",
            ]
            in inside,
            "chitchat answered, then back": [
                "intent:chitchat",
                "action:utter_chitchat",
                f"action:{form}",
            ]
            in inside,
            "human asked for": [
                "intent:human_handoff",
                "action:action_stop_form",
                "action:action_request_handoff",
            ]
            in inside,
        }
        absent = [need for need, ok in needs.items() if not ok]
        if absent:
            missing[form] = absent
    assert not missing, f"forms without these rules: {missing}"
