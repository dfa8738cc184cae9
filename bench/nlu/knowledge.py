"""The knowledge base in the NLU benchmark: what the robot answers a question with.

A parse alone no longer says which answer a question gets: the knowledge base does, at
run time. :func:`with_knowledge` wraps a model's parse function so that each result says
what the running robot does with the message, as ``zhike.nlu.knowledge_gate`` and
``action_answer_knowledge`` decide it:

* a question, an unsure message or an out-of-scope one that an entry answers (score at
  the answer threshold) is answered with that entry: ``faq`` with the response key
  ``faq/<topic>`` of :mod:`bench.kb.topics`;
* a question no entry answers gets "您是想问：" or an honest no-answer: ``nlu_fallback``.

The knowledge base is a fresh SQLite file seeded with data/kb/faq.yml, as ``make run``
starts with.
"""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from actions.knowledge import sure_question
from bench.kb.topics import KEYS_BY_QUESTION, SEED_FILE
from bench.nlu.model import FALLBACK, Parse
from zhike.common.lead_ins import new_matter
from zhike.lib.kb.live import LiveKnowledge
from zhike.nlu.knowledge_gate import (
    DEFAULT_QUESTIONS_FROM,
    DEFAULT_SMALL_TALK_FROM,
    QUESTION_INTENT,
    asked_about_the_rules,
    gated,
    may_be_question,
    named_entry,
)
from zhike.nlu.policy_questions import PolicyQuestions

QUESTIONS_FROM = frozenset(DEFAULT_QUESTIONS_FROM)
SMALL_TALK_FROM = frozenset(DEFAULT_SMALL_TALK_FROM)


@cache
def _policy() -> PolicyQuestions:
    return PolicyQuestions.load()


def seeded_knowledge(folder: Path | None = None) -> LiveKnowledge:
    """A knowledge base in a temporary SQLite file, seeded with the FAQ on first use."""
    where = folder or Path(tempfile.mkdtemp(prefix="bench-kb-"))
    url = f"sqlite+aiosqlite:///{where / 'kb.db'}"
    return LiveKnowledge(url, refresh_seconds=float("inf"), seed=SEED_FILE)


async def decided(result: dict[str, Any], knowledge: LiveKnowledge) -> dict[str, Any]:
    """``result`` as the robot acts on it once the knowledge base had its say."""
    intent = str((result.get("intent") or {}).get("name") or FALLBACK)
    text = new_matter(str(result.get("text") or ""))  # as the gate and the action ask
    if not may_be_question(result, QUESTIONS_FROM, _policy(), SMALL_TALK_FROM):
        return result
    # action_answer_knowledge answers a question the NLU is sure of from a lower score, and
    # so a request asked about the rules (the gate marks it)
    rules = asked_about_the_rules(result, _policy())
    named = named_entry(result, _policy())
    question = sure_question(result)
    lookup = await knowledge.lookup(text, k=1, question=question, rules=rules, named=named)
    change = gated(result, lookup, QUESTIONS_FROM, SMALL_TALK_FROM, _policy())
    if change is not None and lookup.decision == "answer":
        hit = lookup.hits[0]
        key = KEYS_BY_QUESTION.get(hit.entry.question, f"entry{hit.entry.id}")
        picked = {"intent_response_key": f"faq/{key}", "confidence": hit.score}
        selector = {"default": {"response": picked, "ranking": [picked]}}
        return {**result, **change, "response_selector": selector}
    if change is not None:
        return {**result, **change}
    if intent == QUESTION_INTENT:
        confidence = (result.get("intent") or {}).get("confidence")
        return {**result, "intent": {"name": FALLBACK, "confidence": confidence}}
    return result


def with_knowledge(parse: Parse, knowledge: LiveKnowledge) -> Parse:
    """``parse`` followed by the knowledge base's decision (:func:`decided`)."""

    async def parse_and_decide(text: str) -> dict[str, Any]:
        return await decided(await parse(text), knowledge)

    return parse_and_decide
