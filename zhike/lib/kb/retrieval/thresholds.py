"""Confidence decides: answer, suggest the top questions ("您是想问："), or fall back.

:data:`DEFAULT_THRESHOLDS` are calibrated (``python -m bench.kb``) on the label-0
(different-meaning) question pairs of AFQMC train and BQ dev, scored with the default
fused scorer: ``answer = 0.72`` lets 10% of those pairs through, ``suggest = 0.52``
50%. These pairs are hard negatives (花呗怎么还款 / 借呗怎么还款: same domain, most
words shared), so the rates are far above what a real knowledge base sees. Measured on
the held-out splits, the false-answer rate (label-0 pairs at or above ``answer``) is
11.5% on AFQMC dev and 1.0% on BQ test; with zhike's 16 FAQ topics among 20,000 finance
questions, 0.1% of 1,512 out-of-scope questions (CAIS smart-speaker requests, finance
questions) are answered, 33.2% of 208 customer paraphrases are answered with the right
entry and 74.0% answered or suggested in the top 3. The lexical-only scorer's own
calibration gives 0.73 / 0.51, so the same values serve when the encoder file is missing.

A clear best entry is answered below ``answer`` too: from ``clear`` (0.6) when it beats
the second-best entry by ``margin`` (0.3). A small knowledge base has few entries near
any question, and a customer's long, colloquial question ("你好，请问保修期是多长时间")
scores 0.6-0.7 against the one entry it is about and 0.2-0.3 against the rest; the
absolute threshold alone sent it to "您是想问" with the right question first. Measured
on the 18 seed entries (``bench/kb/queries.yml``, written without looking at them): 77 of
208 paraphrases answered right without the rule, 109 with it, none answered wrong either
way; none of CAIS's 1,012 smart-speaker requests is answered. In a large knowledge base
several entries come close to most questions and the margin rarely holds, so the rule
fades out by itself (``python -m bench.kb``: among 20,000 other entries, 35% of the
paraphrases answered right before, 43% after, out-of-scope answers 0.1% both).

A question the NLU is sure of (intent ``faq`` at :data:`SURE_QUESTION`) is answered with
a clear best entry from lower still: ``question_clear`` (0.4), ``question_margin`` (0.2)
ahead of the next. DIET tells that the message asks about the rules; the knowledge base
only has to tell which rule. Real customers' questions are long and colloquial
("能开专用发票吗" scores 0.52 against 怎么开发票？, 0.17 against the next), so
the absolute and the clear rule sent them to "您是想问". Measured on the JD.com customer
turns (``make bench-nlu``): 4 more questions answered right and none wrong; without the
NLU's word (any message the knowledge base is asked about) the same scores answered 10
right and 14 wrong.

A request asked as a question about the rules ("报个英语课 学费多少", the phrases of
zhike/nlu/policy_questions.yml) is answered with a clear best entry from ``clear`` when it
beats the next by ``question_margin``. The words say it is a question, but they are weaker
evidence than DIET's sure ``faq``: from ``question_clear`` the return policy (0.47 against
0.24) answered "上门取件的标准写着不需要寄回是什么意思". Measured on the JD.com customer
turns: none answered wrong, none more answered right (the one such turn scores 0.45);
the enrolment answer to "有没有适合初二的数学班 学费多少" (0.67 against 0.42) is the
reason.

A question in words that name one entry (the ``entries`` of
zhike/nlu/policy_questions.yml: "可以退吗" the return policy) is answered with that entry
from ``named`` (0.35) when it is the best hit: the words tell which rule, the score only
has to agree. "刚买的热水器可以退吗" scores 0.44 against the return policy, which the
other rules answer only from 0.6.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from zhike.lib.kb.retrieval.searcher import Hit

Decision = Literal["answer", "suggest", "none"]


class Scored(Protocol):
    """A search hit or a knowledge-base hit: anything with a score from 0 to 1."""

    @property
    def score(self) -> float:
        """How well it matches."""
        ...


# DIET's confidence from which a message is surely a question (intent ``faq``).
SURE_QUESTION = 0.9


@dataclass(frozen=True)
class Thresholds:
    """Scores from which the robot answers (``answer``) or suggests (``suggest``).

    Raises:
        ValueError: a threshold is outside [0, 1], or ``suggest`` is above ``answer``.
    """

    answer: float
    suggest: float
    clear: float | None = None  # answer a clear best entry from here (None: never)
    margin: float = 0.3  # ... when it beats the second-best entry by this much
    question_clear: float | None = None  # ... and from here for a sure question (None: never)
    question_margin: float = 0.2  # ... when it beats the second-best entry by this much
    named: float | None = None  # answer the best entry the words name from here (None: never)

    def __post_init__(self) -> None:
        if not (0.0 <= self.suggest <= self.answer <= 1.0):
            raise ValueError(
                f"need 0 <= suggest <= answer <= 1, got suggest={self.suggest}, "
                f"answer={self.answer}"
            )
        for name in ("clear", "question_clear", "named"):
            value = getattr(self, name)
            if value is not None and not (0.0 <= value <= self.answer):
                raise ValueError(f"need 0 <= {name} <= answer, got {name}={value}")
        for name in ("margin", "question_margin"):
            if not 0.0 < getattr(self, name) <= 1.0:
                raise ValueError(f"need 0 < {name} <= 1, got {name}={getattr(self, name)}")

    def clearly_best(
        self, hits: Sequence[Scored], question: bool = False, rules: bool = False
    ) -> bool:
        """Whether the best hit is at ``clear`` or above and ``margin`` above the next one.

        For a sure ``question``, ``question_clear`` and ``question_margin`` count too; for
        a request asked about the ``rules``, ``clear`` with ``question_margin``.
        """
        if not hits:
            return False
        best = hits[0].score
        lead = best - (hits[1].score if len(hits) > 1 else 0.0)
        if self.clear is not None and best >= self.clear and lead >= self.margin:
            return True
        floor = self.question_clear if question else self.clear if rules else None
        return floor is not None and best >= floor and lead >= self.question_margin


DEFAULT_THRESHOLDS = Thresholds(
    answer=0.72,
    suggest=0.52,
    clear=0.6,
    margin=0.3,
    question_clear=0.4,
    question_margin=0.2,
    named=0.35,
)


def decide(
    hits: Sequence[Hit],
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    question: bool = False,
    rules: bool = False,
    named_best: bool = False,
) -> Decision:
    """``"answer"`` with the best hit, ``"suggest"`` the top ones, or ``"none"``.

    Args:
        hits: Search hits, best first (as :meth:`Searcher.search` returns them); the
            second one, when there is one, decides whether the best is clear.
        thresholds: Where answering and suggesting start.
        question: The NLU is sure the message is a question (:data:`SURE_QUESTION`).
        rules: The message is a request asked about the rules (its words say so).
        named_best: The best hit is the entry the message's words name.
    """
    if not hits:
        return "none"
    best = hits[0].score
    if best >= thresholds.answer or thresholds.clearly_best(hits, question, rules):
        return "answer"
    if named_best and thresholds.named is not None and best >= thresholds.named:
        return "answer"
    if best >= thresholds.suggest:
        return "suggest"
    return "none"
