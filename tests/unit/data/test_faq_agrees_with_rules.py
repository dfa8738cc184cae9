"""Knowledge-base answers state the rules the system enforces, not other ones.

A customer told "24 hours" by the FAQ and refused at 3 hours by the lesson service (or
the other way round) is confidently misled.
"""

from __future__ import annotations

import re

from zhike.lib.kb.io import parse_file
from zhike.servers.backend.services import school

from .conftest import ROOT

LEAVE_RULE = "请假或调课有什么规定？"


def _answer(question: str) -> str:
    """The seed knowledge base's answer to a standard question (data/kb/faq.yml)."""
    for item in parse_file(ROOT / "data" / "kb" / "faq.yml"):
        if item.draft.question == question:
            return item.draft.answer
    raise AssertionError(f"no entry {question}")


def test_the_leave_rule_states_the_lesson_services_cut_off() -> None:
    hours = int(school.CUTOFF.total_seconds() // 3600)
    stated = {int(n) for n in re.findall(r"(\d+)\s*小时", _answer(LEAVE_RULE))}
    assert stated == {hours}


def test_the_leave_rule_promises_no_limit_the_system_does_not_keep() -> None:
    assert "最多" not in _answer(LEAVE_RULE)
