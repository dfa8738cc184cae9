"""The index of published entries and the search over it: one best hit per entry.

:meth:`Searcher.build` turns every text of every entry (its standard question and its
similar questions) into a row of one sparse matrix (:mod:`~zhike.lib.kb.retrieval.lexical`
vectors) and, with an :class:`~zhike.lib.kb.retrieval.semantic.Encoder`, of one dense
matrix. :meth:`Searcher.search` multiplies only the matrix columns of the question's
features (an inverted index: texts sharing nothing with the question cost nothing), takes
each entry's best text and returns the ``k`` best entries. 20,000 entries: a search takes
about a millisecond; the index builds in seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from zhike.lib.kb.retrieval.analyzer import Analyzer, Features, default_analyzer
from zhike.lib.kb.retrieval.lexical import dot, prefixed, rarity_in, unit_vector
from zhike.lib.kb.retrieval.semantic import (
    SEMANTIC_SHARE,
    SHIPPED,
    Encoder,
    EncoderChoice,
    fuse,
    resolve,
)

RERANK = 1000  # lexical candidates the semantic stage scores per search


@dataclass(frozen=True)
class IndexedEntry:
    """What the index knows of an entry: its id and texts (standard question first)."""

    id: int
    texts: tuple[str, ...]


@dataclass(frozen=True)
class Hit:
    """An entry that matches a question: its id, its score in [0, 1], its best text."""

    entry_id: int
    score: float
    matched: str


class Searcher:
    """An immutable index of entries; build it with :meth:`build`, share it across threads."""

    def __init__(
        self,
        *,
        analyzer: Analyzer,
        encoder: Encoder | None,
        semantic_share: float,
        entry_ids: np.ndarray,
        starts: np.ndarray,
        texts: list[str],
        columns: dict[str, int],
        rarity: dict[str, float],
        matrix: sparse.csc_matrix,
        embeddings: np.ndarray | None,
    ) -> None:
        self._analyzer = analyzer
        self._encoder = encoder
        self._semantic_share = semantic_share
        self._entry_ids = entry_ids
        self._starts = starts
        self._texts = texts
        self._columns = columns
        self._rarity = rarity
        self._matrix = matrix
        self._embeddings = embeddings

    @classmethod
    def build(
        cls,
        entries: Sequence[IndexedEntry],
        *,
        analyzer: Analyzer | None = None,
        encoder: EncoderChoice = SHIPPED,
        semantic_share: float = SEMANTIC_SHARE,
    ) -> Searcher:
        """The index of ``entries``.

        Args:
            entries: The entries; texts that are empty once normalised are left out, and
                so is an entry left without text. A text repeated in an entry counts once.
            analyzer: Words, bigrams and their weights (default: the project's).
            encoder: The semantic stage: the project's LSA encoder (``data/kb/lsa.npz``;
                lexical only when the file is missing), another one, or ``None``.
            semantic_share: The semantic score's share of the fused score.
        """
        analyzer = analyzer or default_analyzer()
        encoder = resolve(encoder)
        entry_ids: list[int] = []
        starts: list[int] = []
        texts: list[str] = []
        analyzed: list[Features] = []
        frequency: dict[str, int] = {}
        for entry in entries:
            seen: set[str] = set()
            first = len(texts)
            for text in entry.texts:
                features = analyzer.analyze(text)
                key = " ".join(sorted(features.bigrams or features.words))
                if not (features.words or features.bigrams) or key in seen:
                    continue
                seen.add(key)
                texts.append(text)
                analyzed.append(features)
            if len(texts) > first:
                entry_ids.append(entry.id)
                starts.append(first)
                for feature in set().union(*map(prefixed, analyzed[first:])):
                    frequency[feature] = frequency.get(feature, 0) + 1
        rarity = rarity_in(frequency, len(entry_ids))
        columns: dict[str, int] = {}
        indptr, indices, data = [0], [], []
        for features in analyzed:
            for feature, weight in unit_vector(features, rarity=rarity).items():
                indices.append(columns.setdefault(feature, len(columns)))
                data.append(weight)
            indptr.append(len(indices))
        matrix = sparse.csr_matrix(
            (np.asarray(data, np.float32), np.asarray(indices, np.int32), np.asarray(indptr)),
            shape=(len(texts), max(len(columns), 1)),
        ).tocsc()
        embeddings = encoder.encode(texts) if encoder is not None and texts else None
        return cls(
            analyzer=analyzer,
            encoder=encoder,
            semantic_share=semantic_share,
            entry_ids=np.asarray(entry_ids, np.int64),
            starts=np.asarray(starts, np.int64),
            texts=texts,
            columns=columns,
            rarity=rarity,
            matrix=matrix,
            embeddings=embeddings,
        )

    def __len__(self) -> int:
        """The number of entries in the index."""
        return len(self._entry_ids)

    def search(self, text: str, k: int = 5) -> list[Hit]:
        """The ``k`` entries that best match ``text``, best first, one hit per entry.

        Entries scoring 0 (nothing in common) are left out; an empty question or an
        empty index gives no hit. Ties are broken by the order of the entries.
        """
        if k <= 0 or not self._texts:
            return []
        scores = self._text_scores(text)
        if scores is None:
            return []
        best = np.maximum.reduceat(scores, self._starts)
        count = min(k, len(best))
        top = np.argpartition(-best, count - 1)[:count]
        top = top[np.lexsort((top, -best[top]))]
        hits: list[Hit] = []
        for index in top:
            score = float(best[index])
            if score <= 0.0:
                break
            start = int(self._starts[index])
            end = int(self._starts[index + 1]) if index + 1 < len(self._starts) else len(scores)
            matched = self._texts[start + int(np.argmax(scores[start:end]))]
            hits.append(Hit(int(self._entry_ids[index]), round(min(score, 1.0), 4), matched))
        return hits

    def _text_scores(self, text: str) -> np.ndarray | None:
        """The score of every indexed text against ``text`` (``None``: nothing to match)."""
        vector = unit_vector(self._analyzer.analyze(text), rarity=self._rarity)
        if not vector:
            return None
        known = [(self._columns[f], w) for f, w in vector.items() if f in self._columns]
        if known:
            cols, weights = zip(*known, strict=True)
            part = self._matrix[:, list(cols)]
            lexical = np.asarray(part @ np.asarray(weights, np.float32)).ravel()
        else:
            lexical = np.zeros(len(self._texts), np.float32)
        if self._encoder is None or self._embeddings is None:
            return lexical
        # The semantic stage re-ranks the lexical candidates: a text outside them scores
        # at most ``share`` above its lexical score, below any threshold worth using.
        candidates = np.flatnonzero(lexical)
        if len(candidates) > RERANK:
            candidates = candidates[np.argpartition(-lexical[candidates], RERANK - 1)[:RERANK]]
        query = self._encoder.encode([text])[0]
        fused = (1.0 - self._semantic_share) * lexical
        fused[candidates] = fuse(
            lexical[candidates], self._embeddings[candidates] @ query, self._semantic_share
        )
        return fused


def similarity(
    a: str,
    b: str,
    *,
    analyzer: Analyzer | None = None,
    encoder: EncoderChoice = SHIPPED,
    semantic_share: float = SEMANTIC_SHARE,
) -> float:
    """The score of two questions in [0, 1], as :meth:`Searcher.search` would give it.

    For grouping near-duplicate questions and for scoring labelled pairs.
    """
    analyzer = analyzer or default_analyzer()
    encoder = resolve(encoder)
    lexical = min(1.0, dot(unit_vector(analyzer.analyze(a)), unit_vector(analyzer.analyze(b))))
    if encoder is None:
        return round(max(0.0, lexical), 4)
    left, right = encoder.encode([a, b])
    fused = fuse(np.array([lexical]), np.array([float(left @ right)]), semantic_share)
    return round(float(fused[0]), 4)
