"""`python -m bench.kb` (`make bench-kb`): knowledge-base retrieval, one table.

Scores the labelled question pairs of ../shared/eval/faq-match (AFQMC dev, BQ test) and
retrieval of zhike's 16 FAQ topics among 20,000 distractor questions, with the lexical
scorer, the semantic one (the shipped LSA encoder alone) and the two fused, side by side.
Thresholds are calibrated for each scorer on the label-0 pairs of the other splits
(AFQMC train, BQ dev). Needs no trained Rasa model; takes about a minute. Without
../shared/eval it prints why and exits 0.

A second table compares the semantic-stage candidates of :mod:`bench.kb.candidates`
(packages that ship their data in the wheel, not dependencies of zhike) with lexical and
the shipped LSA encoder, for the candidates installed (``--no-candidates``: skip it).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.kb.candidates import load_candidates
from bench.kb.corpora import (
    CALIBRATION_SETS,
    FAQ_MATCH,
    TEST_SETS,
    read_pairs,
    read_queries,
    retrieval_corpora,
)
from bench.kb.encoder import training_texts
from bench.kb.measure import (
    ANSWER_RATE,
    SUGGEST_RATE,
    RetrievalScore,
    Scorer,
    accuracy,
    auc,
    best_threshold,
    calibrate,
    pair_scores,
    rate_at,
    rss_mb,
    score_retrieval,
)
from bench.kb.table import SCORERS, Row, fmt, pct, render, skipped
from bench.kb.topics import faq_topics
from zhike.lib.kb.retrieval import IndexedEntry, Searcher, Thresholds, default_analyzer
from zhike.lib.kb.retrieval.semantic import SEMANTIC_SHARE, load_default_encoder

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_EVAL_DIR = PROJECT_ROOT.parent / "shared" / "eval"
DEFAULT_OUT = PROJECT_ROOT / "results" / "bench-kb.md"
TITLE = "zhike knowledge-base retrieval"
CANDIDATES_TITLE = "Semantic-stage candidates (not dependencies of zhike)"
PAIRS, RETRIEVAL = "pairs", "retrieval (16 topics + 20,000 distractors)"
DISTRACTOR_ID = 1_000_000


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def scorers() -> list[Scorer | None]:
    """Lexical, semantic, fused (``None`` where the encoder file is missing)."""
    encoder = load_default_encoder()
    return [
        Scorer("lexical", None, 0.0),
        Scorer("semantic", encoder, 1.0) if encoder else None,
        Scorer("fused", encoder, SEMANTIC_SHARE) if encoder else None,
    ]


def row(
    section: str,
    metric: str,
    values: list[float | None],
    show: Callable[[float | None], str] = fmt,
    target: str = "",
    good: Callable[[float], bool] | None = None,
) -> Row:
    fused = values[-1]
    met = None if good is None or fused is None else good(fused)
    return Row(section, metric, [show(v) for v in values], target, met)


def pair_rows(eval_dir: Path, columns: list[Scorer | None]) -> tuple[list[Row], list[Thresholds]]:
    """Pair metrics per test set and the thresholds calibrated for each scorer."""
    analyzer = default_analyzer()
    folder = eval_dir / FAQ_MATCH
    rows: list[Row] = []
    thresholds: list[Thresholds] = []
    calibration = {n: read_pairs(folder / f) for n, f in CALIBRATION_SETS.items()}
    tests = {n: read_pairs(folder / f) for n, f in TEST_SETS.items()}
    per_scorer: list[dict[str, tuple[np.ndarray, np.ndarray]] | None] = []
    for scorer in columns:
        if scorer is None:
            per_scorer.append(None)
            thresholds.append(Thresholds(1.0, 1.0))
            continue
        log(f"scoring pairs with {scorer.name}")
        scores = {n: pair_scores(p, scorer, analyzer) for n, p in calibration.items()}
        negatives = np.concatenate(
            [s[np.array([p.label for p in calibration[n]]) == 0] for n, s in scores.items()]
        )
        thresholds.append(calibrate(negatives))
        per_scorer.append({n: (scores[n], pair_scores(tests[n], scorer, analyzer)) for n in tests})
    rows.append(
        Row(
            PAIRS,
            "threshold answer / suggest",
            [
                "-" if s is None else f"{t.answer:.2f} / {t.suggest:.2f}"
                for s, t in zip(columns, thresholds, strict=True)
            ],
            f"label-0 pairs of AFQMC train + BQ dev: {pct(ANSWER_RATE)} / {pct(SUGGEST_RATE)}",
        )
    )
    for name, pairs in tests.items():
        labels = [p.label for p in pairs]
        cal_labels = [p.label for p in calibration[name]]
        aucs: list[float | None] = []
        accs: list[float | None] = []
        false_answers: list[float | None] = []
        for data, limits in zip(per_scorer, thresholds, strict=True):
            if data is None:
                for column in (aucs, accs, false_answers):
                    column.append(None)
                continue
            cal_scores, test_scores = data[name]
            aucs.append(auc(test_scores, labels))
            accs.append(accuracy(test_scores, labels, best_threshold(cal_scores, cal_labels)))
            negatives = test_scores[np.array(labels) == 0]
            false_answers.append(rate_at(negatives, limits.answer))
        auc_target = (">= 0.75", lambda v: v >= 0.75) if name.startswith("AFQMC") else ("", None)
        acc_target = (">= 0.80", lambda v: v >= 0.80) if name.startswith("BQ") else ("", None)
        rows.append(row(PAIRS, f"{name}: ROC-AUC", aucs, fmt, *auc_target))
        rows.append(
            row(
                PAIRS,
                f"{name}: accuracy (threshold from {CALIBRATION_SETS[name]})",
                accs,
                fmt,
                *acc_target,
            )
        )
        rows.append(row(PAIRS, f"{name}: label-0 pairs at or above answer", false_answers, pct))
    return rows, thresholds


def retrieval_rows(
    eval_dir: Path, columns: list[Scorer | None], thresholds: list[Thresholds]
) -> list[Row]:
    """Recall, out-of-scope answers, latency, build time and memory for each scorer."""
    corpora = retrieval_corpora(eval_dir)
    topics = faq_topics()
    keys = sorted(topics)
    entries = [IndexedEntry(i, tuple(topics[k])) for i, k in enumerate(keys)]
    entries += [IndexedEntry(DISTRACTOR_ID + i, (t,)) for i, t in enumerate(corpora.distractors)]
    queries = [(text, keys.index(key)) for text, key in read_queries()]
    results, builds, memory = [], [], []
    order = sorted(range(len(columns)), key=lambda i: getattr(columns[i], "name", "") != "fused")
    by_index: dict[int, tuple[RetrievalScore | None, float | None, float | None]] = {}
    for index in order:
        scorer = columns[index]
        if scorer is None:
            by_index[index] = (None, None, None)
            continue
        log(f"building the index with {scorer.name}")
        before = rss_mb()
        started = time.perf_counter()
        searcher = Searcher.build(
            entries, analyzer=scorer.analyzer, encoder=scorer.encoder, semantic_share=scorer.share
        )
        built = time.perf_counter() - started
        added = rss_mb() - before if index == order[0] else None
        searcher.search("预热", 5)
        gc.collect()  # the build's garbage, not the searches, should pay for collection
        result = score_retrieval(
            searcher,
            queries,
            corpora.cais,
            corpora.finance,
            set(range(len(keys))),
            thresholds[index],
        )
        by_index[index] = (result, built, added)
        del searcher
    results = [by_index[i][0] for i in range(len(columns))]
    builds = [by_index[i][1] for i in range(len(columns))]
    memory = [by_index[i][2] for i in range(len(columns))]

    def of(get: Callable) -> list[float | None]:
        return [None if r is None else get(r) for r in results]

    oos = len(corpora.cais) + len(corpora.finance)
    rows = [
        row(
            RETRIEVAL,
            f"recall@1 ({len(queries)} paraphrases)",
            of(lambda r: r.recall_at_1),
            fmt,
            ">= 0.95",
            lambda v: v >= 0.95,
        ),
        row(
            RETRIEVAL, "recall@5", of(lambda r: r.recall_at_5), fmt, ">= 0.99", lambda v: v >= 0.99
        ),
        row(
            RETRIEVAL,
            "paraphrases answered with the right entry",
            of(lambda r: r.answered_right),
            pct,
        ),
        row(
            RETRIEVAL,
            "paraphrases answered or suggested (top 3)",
            of(lambda r: r.answered_or_suggested),
            pct,
        ),
        row(RETRIEVAL, f"CAIS answered ({len(corpora.cais)})", of(lambda r: r.cais_answered), pct),
        row(
            RETRIEVAL,
            f"finance answered by a zhike entry ({len(corpora.finance)})",
            of(lambda r: r.finance_answered),
            pct,
        ),
        row(
            RETRIEVAL,
            f"out of scope answered ({oos})",
            of(
                lambda r: (
                    (
                        r.cais_answered * len(corpora.cais)
                        + r.finance_answered * len(corpora.finance)
                    )
                    / max(1, oos)
                )
            ),
            pct,
            "<= 3%",
            lambda v: v <= 0.03,
        ),
        row(
            RETRIEVAL,
            "search p50 (ms)",
            of(lambda r: float(np.percentile(r.latencies_ms, 50))),
            lambda v: fmt(v, 2),
        ),
        row(
            RETRIEVAL,
            "search p99 (ms)",
            of(lambda r: float(np.percentile(r.latencies_ms, 99))),
            lambda v: fmt(v, 2),
            "<= 20 ms",
            lambda v: v <= 20,
        ),
        row(RETRIEVAL, f"index build (s, {len(entries)} entries)", builds, lambda v: fmt(v, 1)),
        row(
            RETRIEVAL,
            "added RSS of the index (MB)",
            memory,
            lambda v: fmt(v, 0),
            "<= 300 MB",
            lambda v: v <= 300,
        ),
    ]
    return rows


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.kb",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR, help="shared corpora")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="Markdown report")
    parser.add_argument(
        "--no-candidates", action="store_true", help="skip the table of installed candidates"
    )
    return parser.parse_args(argv)


def measure(eval_dir: Path) -> list[Row]:
    """Every row of the table (the skip rows when the corpora are absent)."""
    if not (eval_dir / FAQ_MATCH).is_dir():
        reason = f"no evaluation corpora at {eval_dir / FAQ_MATCH}"
        log(f"skipping: {reason}")
        return [skipped(PAIRS, reason), skipped(RETRIEVAL, reason)]
    before = rss_mb()
    default_analyzer().words("加载")
    jieba = rss_mb() - before
    columns = scorers()
    rows, thresholds = pair_rows(eval_dir, columns)
    rows += retrieval_rows(eval_dir, columns, thresholds)
    loaded = "jieba, project dictionary and IDF table loaded once (MB)"
    return [*rows, Row(RETRIEVAL, loaded, [fmt(jieba, 0)] * len(SCORERS))]


def candidate_table(eval_dir: Path) -> tuple[list[Row], list[str], list[str]]:
    """The candidates' rows, their column names and the candidates not installed."""
    lsa = load_default_encoder()
    loaded = load_candidates(training_texts(), lsa, SEMANTIC_SHARE, rss_mb)
    if not loaded.columns:
        return [], [], loaded.missing
    columns: list[Scorer | None] = [Scorer("lexical", None, 0.0)]
    if lsa is not None:
        columns.append(Scorer("fused LSA", lsa, SEMANTIC_SHARE))
    columns += [Scorer(*column) for column in loaded.columns]
    rows, thresholds = pair_rows(eval_dir, columns)
    rows += retrieval_rows(eval_dir, columns, thresholds)
    names = [scorer.name for scorer in columns if scorer is not None]
    owner = {n: next((c for c in loaded.load_mb if n.endswith(c)), None) for n in names}
    for metric, table in (("data loaded (MB)", loaded.load_mb), ("data load (s)", loaded.load_s)):
        values = [fmt(table.get(owner[n] or ""), 1) if owner[n] else "-" for n in names]
        rows.append(Row(RETRIEVAL, metric, values))
    return rows, names, loaded.missing


def main(argv: list[str] | None = None) -> int:
    """Measures, prints and writes the report."""
    args = parse_args(argv)
    eval_dir = args.eval_dir.resolve()
    rows = measure(eval_dir)
    candidates: list[Row] = []
    names: list[str] = []
    missing: list[str] = []
    if not args.no_candidates and (eval_dir / FAQ_MATCH).is_dir():
        candidates, names, missing = candidate_table(eval_dir)
    facts = [
        f"date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}",
        f"corpora: {eval_dir}",
        f"columns: {', '.join(SCORERS)} (fused = {1 - SEMANTIC_SHARE:.1f} lexical + "
        f"{SEMANTIC_SHARE:.1f} semantic)",
    ]
    text = render(TITLE, facts, rows, [])
    if candidates:
        notes = [f"not installed: {', '.join(missing)}"] if missing else []
        text += "\n" + render(CANDIDATES_TITLE, [], candidates, notes, names)
    elif missing:
        text += f"\nSemantic-stage candidates: none installed ({', '.join(missing)}).\n"
    print(text, flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    log(f"report written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
