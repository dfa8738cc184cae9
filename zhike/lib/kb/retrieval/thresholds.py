"""Confidence decides: answer, suggest the top questions ("您是想问："), or fall back.

PLACEHOLDER: calibration numbers are filled in from ``python -m bench.kb``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from zhike.lib.kb.retrieval.searcher import Hit

Decision = Literal["answer", "suggest", "none"]


@dataclass(frozen=True)
class Thresholds:
    """Scores from which the robot answers (``answer``) or suggests (``suggest``).

    Raises:
        ValueError: a threshold is outside [0, 1], or ``suggest`` is above ``answer``.
    """

    answer: float
    suggest: float

    def __post_init__(self) -> None:
        if not (0.0 <= self.suggest <= self.answer <= 1.0):
            raise ValueError(
                f"need 0 <= suggest <= answer <= 1, got suggest={self.suggest}, "
                f"answer={self.answer}"
            )


DEFAULT_THRESHOLDS = Thresholds(answer=0.7, suggest=0.5)


def decide(hits: Sequence[Hit], thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Decision:
    """``"answer"`` with the best hit, ``"suggest"`` the top ones, or ``"none"``.

    Args:
        hits: Search hits, best first (as :meth:`Searcher.search` returns them).
        thresholds: Where answering and suggesting start.
    """
    if not hits:
        return "none"
    best = hits[0].score
    if best >= thresholds.answer:
        return "answer"
    if best >= thresholds.suggest:
        return "suggest"
    return "none"
