"""Retrieval for the knowledge base: which published entry answers a customer's question.

Pure Python and numpy, no database: the caller builds a :class:`Searcher` from the
published entries (:class:`IndexedEntry`: id, standard question, similar questions) and
asks it :meth:`Searcher.search`; :func:`decide` turns the best score into answer /
suggest / fall back with :data:`DEFAULT_THRESHOLDS`. :func:`similarity` scores two
questions the same way (grouping unanswered questions, the pair benchmark).
"""

from zhike.lib.kb.retrieval.analyzer import Analyzer, default_analyzer
from zhike.lib.kb.retrieval.normalize import normalize
from zhike.lib.kb.retrieval.searcher import Hit, IndexedEntry, Searcher, similarity
from zhike.lib.kb.retrieval.semantic import Encoder, LsaEncoder
from zhike.lib.kb.retrieval.thresholds import (
    DEFAULT_THRESHOLDS,
    SURE_QUESTION,
    Decision,
    Thresholds,
    decide,
)

__all__ = [
    "DEFAULT_THRESHOLDS",
    "Analyzer",
    "Decision",
    "Encoder",
    "Hit",
    "IndexedEntry",
    "LsaEncoder",
    "SURE_QUESTION",
    "Searcher",
    "Thresholds",
    "decide",
    "default_analyzer",
    "normalize",
    "similarity",
]
