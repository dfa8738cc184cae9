"""Whether a request to act is really a question about the rules: :file:`policy_questions.yml`.

DIET learns what a refund or a price-protection request sounds like, and is just as sure
of "退款一般多久到账" or "如果降价了能保价吗": they say the same words. A good agent answers
those with the policy and does not start the request. :class:`PolicyQuestions` spots them
(a phrase of asking to know, none of asking to act) so that
:class:`zhike.nlu.knowledge_gate.KnowledgeGate` may answer them from the knowledge base --
only when an entry answers the message, and never when it names the customer's order.
Some phrases name the one entry that answers them (``entries``: "可以退吗" the return
policy), which is then answered from a lower score (:meth:`PolicyQuestions.named_entry`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from zhike.nlu.phrases import phrase_pattern

CUES_FILE = Path(__file__).resolve().parent / "policy_questions.yml"


@dataclass(frozen=True)
class PolicyQuestions:
    """The intents looked at, the phrases of asking to know and to act, and of entries.

    ``entries``: per entry's question, the phrases that name that entry.
    """

    intents: frozenset[str]
    know: re.Pattern[str] | None
    act: re.Pattern[str] | None
    entries: tuple[tuple[str, re.Pattern[str]], ...] = ()

    @classmethod
    def load(cls, path: Path = CUES_FILE) -> PolicyQuestions:
        """Reads ``intents``, ``know``, ``act`` and ``entries`` from a YAML file.

        Raises:
            ValueError: a phrase is no valid regular expression.
        """
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        try:
            named = (
                (str(q), phrase_pattern(p or [])) for q, p in (data.get("entries") or {}).items()
            )
            return cls(
                frozenset(str(i) for i in data.get("intents") or []),
                phrase_pattern(data.get("know") or []),
                phrase_pattern(data.get("act") or []),
                tuple((question, pattern) for question, pattern in named if pattern is not None),
            )
        except re.error as error:
            raise ValueError(f"{path}: a phrase is no regular expression ({error})") from error

    def asks_to_know(self, intent: str | None, text: str) -> bool:
        """Whether ``text``, taken as ``intent``, asks about the rules rather than to act."""
        if intent not in self.intents or self.know is None or not self.know.search(text):
            return False
        return self.act is None or not self.act.search(text)

    def named_entry(self, text: str) -> str | None:
        """The question of the entry whose phrases ``text`` says, unless it asks to act."""
        if self.act is not None and self.act.search(text):
            return None
        return next((question for question, says in self.entries if says.search(text)), None)
