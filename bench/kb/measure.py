"""The benchmark's arithmetic: ROC-AUC, accuracy, calibrated thresholds, recall, latency."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.stats import rankdata

from bench.kb.corpora import Pair
from zhike.lib.kb.retrieval import DEFAULT_THRESHOLDS, Encoder, Searcher, Thresholds, decide
from zhike.lib.kb.retrieval.analyzer import Analyzer
from zhike.lib.kb.retrieval.lexical import dot, unit_vector
from zhike.lib.kb.retrieval.semantic import fuse

# Shares of the calibration label-0 (different-meaning) pairs allowed at or above each threshold.
ANSWER_RATE = 0.10
SUGGEST_RATE = 0.50


@dataclass(frozen=True)
class Scorer:
    """One column of the table: lexical (no encoder), semantic (share 1) or fused.

    ``analyzer``: the lexical stage's analyzer when not the project's (a candidate's).
    """

    name: str
    encoder: Encoder | None
    share: float
    analyzer: Analyzer | None = None


def auc(scores: npt.ArrayLike, labels: Sequence[int]) -> float | None:
    """ROC-AUC (ties count half); ``None`` unless both labels occur."""
    y = np.asarray(labels)
    positives, negatives = int((y == 1).sum()), int((y == 0).sum())
    if not positives or not negatives:
        return None
    ranks = rankdata(np.asarray(scores, float))
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def accuracy(scores: npt.ArrayLike, labels: Sequence[int], threshold: float) -> float | None:
    """Share of pairs where ``score >= threshold`` agrees with the label."""
    values = np.asarray(scores, float)
    if not len(values):
        return None
    return float(((values >= threshold) == (np.asarray(labels) == 1)).mean())


def best_threshold(scores: npt.ArrayLike, labels: Sequence[int]) -> float:
    """The threshold (0.01 steps) with the highest accuracy on these pairs."""
    grid = np.round(np.arange(0.0, 1.001, 0.01), 2)
    return float(max(grid, key=lambda t: (accuracy(scores, labels, t) or 0.0, -t)))


def threshold_for_rate(negatives: npt.ArrayLike, rate: float) -> float:
    """The smallest threshold (0.01 steps) with at most ``rate`` of ``negatives`` at or above."""
    values = np.sort(np.asarray(negatives, float))
    if not len(values):
        return 1.0
    index = min(len(values) - 1, max(0, math.ceil(len(values) * (1 - rate)) - 1))
    return min(1.0, math.floor(values[index] * 100 + 1) / 100)


def calibrate(negatives: npt.ArrayLike) -> Thresholds:
    """Thresholds letting ANSWER_RATE / SUGGEST_RATE of different-meaning pairs through.

    A clearly best entry is answered from as far below ``answer`` as the default
    thresholds' ``clear`` is, with their margin.
    """
    answer = threshold_for_rate(negatives, ANSWER_RATE)
    suggest = min(answer, threshold_for_rate(negatives, SUGGEST_RATE))
    below = DEFAULT_THRESHOLDS.answer - (DEFAULT_THRESHOLDS.clear or DEFAULT_THRESHOLDS.answer)
    return Thresholds(
        answer=answer,
        suggest=suggest,
        clear=max(0.0, answer - below),
        margin=DEFAULT_THRESHOLDS.margin,
    )


def rate_at(negatives: npt.ArrayLike, threshold: float) -> float | None:
    """Share of ``negatives`` scoring at or above ``threshold``."""
    values = np.asarray(negatives, float)
    return float((values >= threshold).mean()) if len(values) else None


def pair_scores(pairs: Sequence[Pair], scorer: Scorer, analyzer: Analyzer) -> np.ndarray:
    """The score of every pair, as :func:`~zhike.lib.kb.retrieval.similarity` gives it."""
    analyzer = scorer.analyzer or analyzer
    texts = list(dict.fromkeys(s for p in pairs for s in (p.a, p.b)))
    vectors = {t: unit_vector(analyzer.analyze(t)) for t in texts}
    lexical = np.clip([dot(vectors[p.a], vectors[p.b]) for p in pairs], 0.0, 1.0)
    if scorer.encoder is None:
        return lexical
    embedded = scorer.encoder.encode(texts)
    row = {t: i for i, t in enumerate(texts)}
    left = embedded[[row[p.a] for p in pairs]]
    right = embedded[[row[p.b] for p in pairs]]
    return fuse(lexical, (left * right).sum(axis=1), scorer.share)


@dataclass
class RetrievalScore:
    """Recall of zhike's topics, out-of-scope answers and latency for one scorer."""

    recall_at_1: float = 0.0
    recall_at_5: float = 0.0
    answered_right: float = 0.0
    answered_or_suggested: float = 0.0
    cais_answered: float = 0.0
    finance_answered: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)


def score_retrieval(
    searcher: Searcher,
    queries: Sequence[tuple[str, int]],
    cais: Sequence[str],
    finance: Sequence[str],
    zhike_ids: set[int],
    thresholds: Thresholds,
) -> RetrievalScore:
    """Searches every query and out-of-scope question once (timed) and scores the hits.

    A CAIS utterance counts as answered whatever entry answers it (nothing in the index
    is about music or weather); a finance question counts when a zhike entry answers it
    (the distractors are finance entries of a larger base, which may answer it rightly).
    """
    score = RetrievalScore()
    for text, wanted in queries:
        started = time.perf_counter()
        hits = searcher.search(text, 5)
        score.latencies_ms.append((time.perf_counter() - started) * 1000)
        ids = [hit.entry_id for hit in hits]
        score.recall_at_1 += ids[:1] == [wanted]
        score.recall_at_5 += wanted in ids
        decision = decide(hits, thresholds)
        score.answered_right += decision == "answer" and ids[0] == wanted
        score.answered_or_suggested += decision != "none" and wanted in ids[:3]
    for total in ("recall_at_1", "recall_at_5", "answered_right", "answered_or_suggested"):
        setattr(score, total, getattr(score, total) / max(1, len(queries)))
    for text in cais:
        started = time.perf_counter()
        hits = searcher.search(text, 5)
        score.latencies_ms.append((time.perf_counter() - started) * 1000)
        score.cais_answered += decide(hits, thresholds) == "answer"
    for text in finance:
        hits = searcher.search(text, 5)
        score.finance_answered += (
            decide(hits, thresholds) == "answer" and hits[0].entry_id in zhike_ids
        )
    score.cais_answered /= max(1, len(cais))
    score.finance_answered /= max(1, len(finance))
    return score


def rss_mb() -> float:
    """This process's resident memory in MB (0 where /proc is missing)."""
    status = Path("/proc/self/status")
    if not status.exists():
        return 0.0
    for line in status.read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
