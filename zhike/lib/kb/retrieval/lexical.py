"""The lexical score: cosine of BM25-weighted words fused with cosine of bigrams, in [0, 1].

A question's words and bigrams (:mod:`~zhike.lib.kb.retrieval.analyzer`) become one
sparse vector: the word part and the bigram part are each scaled to unit length, then
by ``sqrt(WORD_SHARE)`` and ``sqrt(1 - WORD_SHARE)``. The dot product of two such
vectors is ``WORD_SHARE * cos(words) + (1 - WORD_SHARE) * cos(bigrams)``: 1 for the same
question, 0 for questions sharing nothing, and the same number whatever else the
knowledge base holds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from zhike.lib.kb.retrieval.analyzer import Analyzer, Features, default_analyzer

WORD_SHARE = 0.5
# Scaling weights by rarity in the knowledge base itself was measured (python -m bench.kb,
# 20,000 finance questions as other entries): exponent 1 lost 6 points of recall@1 and
# 0.3 one point, so it is off. The mechanism stays for bases where it may pay.
LOCAL_IDF_POWER = 0.0
WORD_PREFIX, BIGRAM_PREFIX = "w:", "b:"


def unit_vector(
    features: Features,
    word_share: float = WORD_SHARE,
    rarity: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """The question's sparse vector: ``{"w:退款": 0.41, "b:退款": 0.38, ...}``, unit length.

    A part that is empty (no bigram in a one-character question) leaves the other part
    its own share only, so a one-character question never scores 1 against a longer one.
    ``rarity`` (:func:`rarity_in`) scales each feature by how rare it is in a knowledge
    base (a feature it does not list keeps its weight).
    """
    rarity = rarity or {}
    vector: dict[str, float] = {}
    for prefix, part, share in (
        (WORD_PREFIX, features.words, word_share),
        (BIGRAM_PREFIX, features.bigrams, 1.0 - word_share),
    ):
        weights = {prefix + f: w * rarity.get(prefix + f, 1.0) for f, w in part.items()}
        norm = math.sqrt(sum(weight * weight for weight in weights.values()))
        if norm == 0.0 or share <= 0.0:
            continue
        scale = math.sqrt(share) / norm
        for feature, weight in weights.items():
            vector[feature] = weight * scale
    return vector


def prefixed(features: Features) -> set[str]:
    """The names of the features as :func:`unit_vector` keys them (``w:退款``, ``b:退款``)."""
    return {WORD_PREFIX + f for f in features.words} | {BIGRAM_PREFIX + f for f in features.bigrams}


def rarity_in(document_frequency: Mapping[str, int], count: int) -> dict[str, float]:
    """How rare each feature is among ``count`` entries, in (0, 1].

    ``(log(1 + count / df) / log(1 + count)) ** LOCAL_IDF_POWER``: 1 for a feature of one
    entry only, smaller the more entries share it (in a base of finance questions 花呗
    says little). Empty for fewer than two entries or when the power is 0.
    """
    if count < 2 or LOCAL_IDF_POWER == 0.0:
        return {}
    top = math.log(1 + count)
    return {
        feature: (math.log(1 + count / df) / top) ** LOCAL_IDF_POWER
        for feature, df in document_frequency.items()
    }


def dot(left: Mapping[str, float], right: Mapping[str, float]) -> float:
    """The dot product of two sparse vectors."""
    if len(left) > len(right):
        left, right = right, left
    return sum(weight * right.get(feature, 0.0) for feature, weight in left.items())


def lexical_similarity(a: str, b: str, analyzer: Analyzer | None = None) -> float:
    """The lexical score of two questions in [0, 1] (1: same words after normalising)."""
    analyzer = analyzer or default_analyzer()
    score = dot(unit_vector(analyzer.analyze(a)), unit_vector(analyzer.analyze(b)))
    return min(1.0, max(0.0, score))
