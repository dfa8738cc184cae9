"""FAQ answers state the rules the system enforces, not other ones.

A customer told "24 hours" by the FAQ and refused at 3 hours by the lesson service (or
the other way round) is confidently misled.
"""

from __future__ import annotations

import re

import yaml

from zhike.servers.backend.services import school

from .conftest import ROOT


def _answer(name: str) -> str:
    domain = yaml.safe_load((ROOT / "data" / "nlu" / "faq.yml").read_text(encoding="utf-8"))
    return " ".join(variant["text"] for variant in domain["responses"][f"utter_faq/{name}"])


def test_the_leave_rule_states_the_lesson_services_cut_off() -> None:
    hours = int(school.CUTOFF.total_seconds() // 3600)
    stated = {int(n) for n in re.findall(r"(\d+)\s*小时", _answer("leave_policy"))}
    assert stated == {hours}


def test_the_leave_rule_promises_no_limit_the_system_does_not_keep() -> None:
    assert "最多" not in _answer("leave_policy")
