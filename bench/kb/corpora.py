"""What the knowledge-base benchmark reads: labelled pairs, distractors, queries, OOS.

Everything from ../shared/eval is read at run time and never copied into the project.
The index of the retrieval test is zhike's own knowledge-base entries (data/kb/faq.yml,
keyed by :mod:`bench.kb.topics`) plus distractor questions
from AFQMC train and BQ dev; the out-of-scope finance questions come from AFQMC dev and
BQ test, minus any sentence that is also a distractor.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.nlu.oos import load_cais

PROJECT_ROOT = Path(__file__).resolve().parents[2]
QUERIES_FILE = Path(__file__).with_name("queries.yml")
FAQ_MATCH = Path("faq-match")
# Test sets of the table, and the splits the thresholds are calibrated on.
TEST_SETS = {"AFQMC dev": "afqmc_dev.csv", "BQ test": "bq_test.csv"}
CALIBRATION_SETS = {"AFQMC dev": "afqmc_train.csv", "BQ test": "bq_dev.csv"}
DISTRACTOR_FILES = ("afqmc_train.csv", "bq_dev.csv")
DISTRACTORS = 20_000
FINANCE_OOS = 500


@dataclass(frozen=True)
class Pair:
    """Two questions and whether they mean the same (label 1)."""

    a: str
    b: str
    label: int


def read_pairs(path: Path) -> list[Pair]:
    """The ``sentence1,sentence2,label`` rows of a CSV file (a BOM is tolerated)."""
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    try:
        return [Pair(r["sentence1"], r["sentence2"], int(r["label"])) for r in rows]
    except (KeyError, ValueError) as error:
        raise ValueError(f"{path}: not a sentence1,sentence2,label file ({error})") from error


def sentences(pairs: list[Pair]) -> list[str]:
    """The distinct sentences of ``pairs``, in order."""
    return list(dict.fromkeys(s for pair in pairs for s in (pair.a, pair.b)))


def read_queries(path: Path = QUERIES_FILE) -> list[tuple[str, str]]:
    """The benchmark's paraphrases as ``(text, topic key)``."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    queries = document.get("queries")
    if not isinstance(queries, dict):
        raise ValueError(f"{path}: expected a 'queries:' mapping of topic -> texts")
    return [(str(text), str(key)) for key, texts in queries.items() for text in texts or ()]


@dataclass(frozen=True)
class Retrieval:
    """The retrieval test: distractors for the index, out-of-scope questions."""

    distractors: list[str]
    finance: list[str]
    cais: list[str]


def retrieval_corpora(eval_dir: Path, seed: int = 0) -> Retrieval:
    """Distractors and out-of-scope questions from ``eval_dir`` (seeded samples)."""
    folder = eval_dir / FAQ_MATCH
    pool = sentences([p for name in DISTRACTOR_FILES for p in read_pairs(folder / name)])
    random.Random(seed).shuffle(pool)
    distractors = pool[:DISTRACTORS]
    taken = set(distractors)
    held_out = [p for name in TEST_SETS.values() for p in read_pairs(folder / name)]
    finance = [s for s in sentences(held_out) if s not in taken]
    random.Random(seed + 1).shuffle(finance)
    cais = [u.text for u in load_cais(eval_dir) or []]
    return Retrieval(distractors, finance[:FINANCE_OOS], cais)
