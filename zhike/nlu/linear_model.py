"""A small linear intent model: TF-IDF over words and character n-grams, logistic regression.

It learns from the same examples as DIET, but differently: a bag of words and of the
characters inside them (1–3 grams, so typos and homophones still share most features)
weighted by TF-IDF, and one multinomial logistic regression on top. It has no notion of
word order and no embeddings; what it does have is a view of the data independent of
DIET's training run. :mod:`zhike.nlu.second_opinion` uses it to catch DIET being sure
of an intent that the words of the message do not support.

The model is stored as plain arrays (``.npy``) and a JSON vocabulary, never pickled.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

VOCABULARY_FILE = "linear_vocabulary.json"
WEIGHTS_FILE = "linear_weights.npy"
BIAS_FILE = "linear_bias.npy"
IDF_FILE = "linear_idf.npy"
MAX_CHAR_GRAM = 3


def char_grams(words: Sequence[str], longest: int = MAX_CHAR_GRAM) -> list[str]:
    """The 1..``longest`` character n-grams inside each word, padded with a space each side.

    The same n-grams as scikit-learn's ``char_wb`` analyzer: ``订单`` gives `` 订``, ``订单``,
    ``单 `` … and a word shorter than ``n`` once as a whole.
    """
    grams: list[str] = []
    for word in words:
        padded = f" {word} "
        for size in range(1, longest + 1):
            offset = 0
            grams.append(padded[offset : offset + size])
            while offset + size < len(padded):
                offset += 1
                grams.append(padded[offset : offset + size])
            if offset == 0:
                break
    return grams


def features(words: Sequence[str]) -> list[str]:
    """Feature names of a message: its words (``w:``) and their character n-grams (``c:``)."""
    lowered = [word.lower() for word in words if word.strip()]
    return [f"w:{word}" for word in lowered] + [f"c:{gram}" for gram in char_grams(lowered)]


@dataclass
class LinearIntentModel:
    """Labels (``faq/return_policy`` or ``query_order``), vocabulary, IDF and weights."""

    labels: list[str]
    vocabulary: dict[str, int]
    idf: np.ndarray  # (features,)
    weights: np.ndarray  # (labels, features)
    bias: np.ndarray  # (labels,)
    # for each feature index, whether it is a word (True) or a character n-gram
    is_word: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.is_word = np.zeros(len(self.vocabulary), dtype=bool)
        for name, index in self.vocabulary.items():
            self.is_word[index] = name.startswith("w:")

    def vector(self, names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Indices and TF-IDF values of known feature names (each kind L2-normed)."""
        counts = Counter(self.vocabulary[name] for name in names if name in self.vocabulary)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        indices = np.fromiter(counts, dtype=np.int64)
        values = np.array([(1.0 + math.log(counts[i])) for i in indices]) * self.idf[indices]
        return indices, _normalised_by_kind(indices, values, self.is_word)

    def probabilities(self, words: Sequence[str]) -> dict[str, float]:
        """The probability of each label for a message of these words."""
        indices, values = self.vector(features(words))
        scores = self.bias + self.weights[:, indices] @ values
        scores = np.exp(scores - scores.max())
        scores /= scores.sum()
        return {label: float(p) for label, p in zip(self.labels, scores, strict=True)}

    def intent_probabilities(self, words: Sequence[str]) -> dict[str, float]:
        """:meth:`probabilities` summed per intent (``faq/x`` and ``faq/y`` count as ``faq``)."""
        summed: dict[str, float] = {}
        for label, probability in self.probabilities(words).items():
            intent = label.split("/", 1)[0]
            summed[intent] = summed.get(intent, 0.0) + probability
        return summed

    def save(self, directory: Path) -> None:
        """Writes the model into ``directory`` (JSON and ``.npy`` files)."""
        (directory / VOCABULARY_FILE).write_text(
            json.dumps({"labels": self.labels, "vocabulary": self.vocabulary}, ensure_ascii=False),
            encoding="utf-8",
        )
        np.save(directory / IDF_FILE, self.idf, allow_pickle=False)
        np.save(directory / WEIGHTS_FILE, self.weights.astype(np.float32), allow_pickle=False)
        np.save(directory / BIAS_FILE, self.bias, allow_pickle=False)

    @classmethod
    def load(cls, directory: Path) -> LinearIntentModel:
        """Reads a model :meth:`save` wrote (``OSError``/``ValueError`` when it is not there)."""
        stored = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        return cls(
            labels=[str(label) for label in stored["labels"]],
            vocabulary={str(k): int(v) for k, v in stored["vocabulary"].items()},
            idf=np.load(directory / IDF_FILE, allow_pickle=False),
            weights=np.load(directory / WEIGHTS_FILE, allow_pickle=False),
            bias=np.load(directory / BIAS_FILE, allow_pickle=False),
        )


def _normalised_by_kind(indices: np.ndarray, values: np.ndarray, kinds: np.ndarray) -> np.ndarray:
    """``values`` with the word part and the character part each scaled to unit length."""
    normalised = values.copy()
    for mask in (kinds[indices], ~kinds[indices]):
        norm = float(np.linalg.norm(values[mask]))
        if norm > 0:
            normalised[mask] = values[mask] / norm
    return normalised


def train(
    examples: Iterable[tuple[Sequence[str], str]], strength: float = 10.0
) -> LinearIntentModel:
    """Fits the model on ``(words, label)`` pairs.

    Args:
        examples: each training example's words and label.
        strength: inverse regularisation (scikit-learn's ``C``); larger fits the
            examples more closely.

    Raises:
        ValueError: fewer than two labels to tell apart.
    """
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    pairs = [(features(words), label) for words, label in examples]
    labels = sorted({label for _, label in pairs})
    if len(labels) < 2:
        raise ValueError("the linear intent model needs examples of at least two intents")
    vocabulary: dict[str, int] = {}
    for names, _ in pairs:
        for name in names:
            vocabulary.setdefault(name, len(vocabulary))
    document_frequency = np.zeros(len(vocabulary))
    for names, _ in pairs:
        document_frequency[[vocabulary[name] for name in set(names)]] += 1
    # scikit-learn's smooth IDF
    idf = np.log((1.0 + len(pairs)) / (1.0 + document_frequency)) + 1.0
    model = LinearIntentModel(labels, vocabulary, idf, np.zeros(0), np.zeros(0))
    rows, columns, data = [], [], []
    for row, (names, _) in enumerate(pairs):
        indices, values = model.vector(names)
        rows += [row] * len(indices)
        columns += indices.tolist()
        data += values.tolist()
    matrix = csr_matrix((data, (rows, columns)), shape=(len(pairs), len(vocabulary)))
    regression = LogisticRegression(C=strength, max_iter=3000)
    regression.fit(matrix, [label for _, label in pairs])
    weights, bias = np.asarray(regression.coef_), np.asarray(regression.intercept_)
    if len(labels) == 2:  # one row for two classes: softmax over (0, score) is the sigmoid
        weights = np.vstack([np.zeros_like(weights), weights])
        bias = np.concatenate([[0.0], bias])
    order = [list(regression.classes_).index(label) for label in labels]
    model.weights, model.bias = weights[order], bias[order]
    return model
