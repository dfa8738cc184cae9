"""From a question to weighted lexical features: jieba words and character bigrams.

A question is normalised (:func:`~zhike.lib.kb.retrieval.normalize.normalize`),
identifiers (order numbers, phone numbers, other digit runs) are dropped, and it is cut
into words by a jieba tokenizer of its own that knows the project dictionary
(``data/dictionary/*.txt``) and the synonyms (``data/kb/synonyms.yml``). Each word is
replaced by the first word of its synonym group, so 退钱 and 退款 match; greetings and
announcements of a question (你好, 请问, 我想问下: :data:`COURTESY`) are dropped. The
features:

* words, weighted by jieba's general-Chinese IDF (怎么 4.4, 退款 10.1, 的 0.9); a word
  jieba's table lacks weighs the table's median;
* character bigrams of the words joined again, weighted by the IDF of the word they lie in
  (a bigram across two words weighs the lighter of the two), so 我的 weighs little and
  退款 a lot, without a bigram table of its own.

Weights are fixed, not learned from the knowledge base: a question scores the same
against an entry whether the base has 20 entries or 20,000, which keeps thresholds
meaningful across sizes. jieba and the tables load once, lazily, behind a lock; the
global jieba tokenizer (Rasa's) is not touched.
"""

from __future__ import annotations

import re
import statistics
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from zhike.lib.kb.retrieval.normalize import normalize

PROJECT_ROOT = Path(__file__).resolve().parents[4]
DICTIONARY_DIR = PROJECT_ROOT / "data" / "dictionary"
SYNONYMS_FILE = PROJECT_ROOT / "data" / "kb" / "synonyms.yml"

# Greetings and the ways of announcing a question say nothing about what is asked, yet
# jieba's IDF weighs them like content words (我想 12.0, 问下 12.3, against 保修 10.8):
# "我想问下保修多久" scored 0.42 against "保修期多久，过保了怎么修？". They are dropped.
COURTESY = frozenset(
    {
        "你好", "您好", "请问", "问下", "问一下", "想问", "想问下", "想问一下", "我想",
        "麻烦", "打扰", "打扰一下", "一下", "在吗", "在不在", "亲", "亲亲", "咨询", "谢谢",
        "哈", "呀", "啊", "哦", "嗯",
        # words that join a question to what was said before ("顺便问下发票怎么开", asked
        # while an address was wanted, scored 0.54 against 「怎么开发票？」, under the answer
        # threshold); 还有 and 先 stay: "还有货吗", "先发货吗" ask with them
        "顺便", "对了", "另外", "等下", "等一下", "稍等", "额", "呃", "告诉我",
    }
)  # fmt: skip
# Order, tracking, phone and ticket numbers, codes: runs with four digits or more.
_IDENTIFIER = re.compile(r"[a-z]*\d{4,}[a-z0-9]*")
_SATURATION = 1.2  # BM25's k1: a word said twice weighs 1.38 times, not twice


@dataclass(frozen=True)
class Features:
    """The weighted features of one question (before any vector normalisation)."""

    words: Mapping[str, float]
    bigrams: Mapping[str, float]


def read_synonyms(path: Path) -> dict[str, str]:
    """Every word of ``path``'s synonym groups mapped to its group's first word.

    Raises:
        ValueError: the file is not a ``synonyms:`` list of word lists.
    """
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    groups = document.get("synonyms") if isinstance(document, dict) else None
    if not isinstance(groups, list):
        raise ValueError(f"{path}: expected a 'synonyms:' list of word lists")
    mapping: dict[str, str] = {}
    for group in groups:
        if not isinstance(group, list) or not group:
            raise ValueError(f"{path}: not a list of words: {group!r}")
        words = [normalize(str(word)) for word in group]
        for word in words:
            if word and word != words[0]:
                mapping[word] = words[0]
    return mapping


def _saturated(count: int) -> float:
    return count * (_SATURATION + 1) / (count + _SATURATION)


class Analyzer:
    """Turns questions into :class:`Features`; loads jieba and its tables on first use.

    Args:
        dictionary_dir: Folder of jieba user dictionaries (every ``*.txt``), or ``None``.
        synonyms: Synonym file (see :func:`read_synonyms`), or ``None`` for none.
    """

    def __init__(
        self, dictionary_dir: Path | None = DICTIONARY_DIR, synonyms: Path | None = SYNONYMS_FILE
    ) -> None:
        self.dictionary_dir = dictionary_dir
        self.synonyms_path = synonyms
        self._lock = threading.Lock()
        self._tokenizer: Any = None
        self._synonyms: dict[str, str] = {}
        self._idf: dict[str, float] = {}
        self._default_idf = 12.0

    def _load(self) -> Any:
        """The jieba tokenizer, loading it with the tables on the first call."""
        if self._tokenizer is not None:
            return self._tokenizer
        with self._lock:
            if self._tokenizer is None:
                import jieba
                import jieba.analyse

                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                if self.dictionary_dir is not None and self.dictionary_dir.is_dir():
                    for path in sorted(self.dictionary_dir.glob("*.txt")):
                        tokenizer.load_userdict(str(path))
                if self.synonyms_path is not None and self.synonyms_path.is_file():
                    self._synonyms = read_synonyms(self.synonyms_path)
                    for word in {*self._synonyms, *self._synonyms.values()}:
                        if len(word) > 1:
                            tokenizer.add_word(word)
                idf_file = Path(jieba.analyse.__file__).with_name("idf.txt")
                self._idf = _read_idf(idf_file.read_text(encoding="utf-8").splitlines())
                self._default_idf = statistics.median(self._idf.values()) if self._idf else 12.0
                self._tokenizer = tokenizer
        return self._tokenizer

    def words(self, text: str) -> list[str]:
        """The words of ``text``: normalised, no identifiers or courtesies, synonyms mapped."""
        tokenizer = self._load()
        plain = _IDENTIFIER.sub("", normalize(text))
        if not plain:
            return []
        return [
            self._synonyms.get(word, word)
            for word in tokenizer.lcut(plain, HMM=True)
            if word not in COURTESY
        ]

    def idf(self, word: str) -> float:
        """The IDF of ``word`` in general Chinese (the median for an unknown word)."""
        self._load()
        return self._idf.get(word, self._default_idf)

    def analyze(self, text: str) -> Features:
        """The weighted word and bigram features of ``text``."""
        words = self.words(text)
        word_counts: dict[str, int] = {}
        for word in words:
            word_counts[word] = word_counts.get(word, 0) + 1
        weights = {word: self.idf(word) for word in word_counts}
        word_features = {word: weights[word] * _saturated(n) for word, n in word_counts.items()}
        return Features(word_features, _bigrams(words, weights))


def _bigrams(words: list[str], weights: Mapping[str, float]) -> dict[str, float]:
    """Character bigrams of the joined words, each weighing its word's IDF."""
    chars: list[str] = []
    char_weights: list[float] = []
    word_index: list[int] = []
    for index, word in enumerate(words):
        chars.extend(word)
        char_weights.extend([weights[word]] * len(word))
        word_index.extend([index] * len(word))
    if len(chars) == 1:
        return {chars[0]: char_weights[0]}
    best: dict[str, float] = {}
    counts: dict[str, int] = {}
    for i in range(len(chars) - 1):
        gram = chars[i] + chars[i + 1]
        weight = (
            char_weights[i]
            if word_index[i] == word_index[i + 1]
            else min(char_weights[i], char_weights[i + 1])
        )
        best[gram] = max(best.get(gram, 0.0), weight)
        counts[gram] = counts.get(gram, 0) + 1
    return {gram: weight * _saturated(counts[gram]) for gram, weight in best.items()}


def _read_idf(lines: Iterable[str]) -> dict[str, float]:
    table: dict[str, float] = {}
    for line in lines:
        word, _, value = line.strip().rpartition(" ")
        if word:
            table[word] = float(value)
    return table


_DEFAULT: Analyzer | None = None
_DEFAULT_LOCK = threading.Lock()


def default_analyzer() -> Analyzer:
    """The shared analyzer with the project dictionary and synonyms (created on first use)."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = Analyzer()
        return _DEFAULT
