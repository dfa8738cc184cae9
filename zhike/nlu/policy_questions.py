"""Whether a request to act is really a question about the rules: :file:`policy_questions.yml`.

DIET learns what a refund or a price-protection request sounds like, and is just as sure
of "退款一般多久到账" or "如果降价了能保价吗": they say the same words. A good agent answers
those with the policy and does not start the request. :class:`PolicyQuestions` spots them
(a phrase of asking to know, none of asking to act) so that
:class:`zhike.nlu.knowledge_gate.KnowledgeGate` may answer them from the knowledge base --
only when an entry answers the message, and never when it names the customer's order.
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
    """The request intents looked at and the phrases of asking to know and to act."""

    intents: frozenset[str]
    know: re.Pattern[str] | None
    act: re.Pattern[str] | None

    @classmethod
    def load(cls, path: Path = CUES_FILE) -> PolicyQuestions:
        """Reads ``intents``, ``know`` and ``act`` from a YAML file.

        Raises:
            ValueError: a phrase is no valid regular expression.
        """
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        try:
            return cls(
                frozenset(str(i) for i in data.get("intents") or []),
                phrase_pattern(data.get("know") or []),
                phrase_pattern(data.get("act") or []),
            )
        except re.error as error:
            raise ValueError(f"{path}: a phrase is no regular expression ({error})") from error

    def asks_to_know(self, intent: str | None, text: str) -> bool:
        """Whether ``text``, taken as ``intent``, asks about the rules rather than to act."""
        if intent not in self.intents or self.know is None or not self.know.search(text):
            return False
        return self.act is None or not self.act.search(text)
