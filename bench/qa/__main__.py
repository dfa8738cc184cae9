"""`python -m bench.qa`: the sensitive-word matcher and the sentiment lexicon on real text.

Reads ../shared/eval at run time (never copied into the project); without it prints why
and exits 0.

1. Matcher. The 64,419-word list of ``sensitive-words`` (houbb/sensitive-word) and zhike's
   own starter list (``zhike/lib/qa/words.yml``) are each loaded as the word list:
   build time, speed in characters per second over real customer-service turns (JDDC),
   recall of words planted at random places in real customer turns (and the precision of
   the hits in those texts: the planted word's own hits over all hits), and how many real
   customer and agent turns each list flags — every one of those an agent's reply refused
   or a customer's message masked, almost all of them false alarms.
2. Sentiment. The lexicon (``zhike/lib/qa/sentiment.yml``) on the labelled reviews of
   ``sentiment`` (waimai_10k, online_shopping_10_cats; balanced samples): accuracy with
   score < 0 as negative, how many reviews it has any term for, precision and recall of
   the "negative message" verdict the streak rule uses, speed; and how many real JDDC
   customer turns it calls negative.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from zhike.lib.qa.matcher import Matcher
from zhike.lib.qa.sentiment import NEGATIVE_AT, score
from zhike.lib.qa.words import starter

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_EVAL_DIR = PROJECT_ROOT.parent / "shared" / "eval"
TAGS = {"0": "政治", "1": "毒品", "2": "色情辱骂", "3": "赌博", "4": "违法"}


def read_turns(eval_dir: Path) -> tuple[list[str], list[str]]:
    """Real JDDC turns: (customers', agents'), masked entities as they are."""
    customers: list[str] = []
    agents: list[str] = []
    with (eval_dir / "jddc" / "chat_dev.tsv").open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 7 and parts[6].strip():
                (agents if parts[2] == "1" else customers).append(parts[6].strip())
    return customers, agents


def read_list(eval_dir: Path) -> list[tuple[str, str]]:
    """The sensitive-word list with its first tag as the category."""
    folder = eval_dir / "sensitive-words"
    tags: dict[str, str] = {}
    for line in (folder / "sensitive_word_tags.txt").read_text("utf-8").splitlines():
        word, _, tag = line.rpartition(" ")
        if word:
            tags[word] = TAGS.get(tag.split(",")[0], "其他")
    words = (folder / "sensitive_word_dict.txt").read_text("utf-8").splitlines()
    return [(w.strip(), tags.get(w.strip(), "其他")) for w in words if w.strip()]


def read_reviews(path: Path, limit: int, rng: random.Random) -> list[tuple[str, bool]]:
    """A balanced sample of ``(review, negative)`` from a ``label,review`` CSV."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    both = [
        [r["review"] for r in rows if r.get("label") == label and r.get("review")]
        for label in ("0", "1")
    ]
    half = min(limit // 2, *(len(side) for side in both))
    sample = [(text, True) for text in rng.sample(both[0], half)]
    sample += [(text, False) for text in rng.sample(both[1], half)]
    rng.shuffle(sample)
    return sample


def pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def matcher_rows(
    name: str,
    words: list[tuple[str, str]],
    customers: list[str],
    agents: list[str],
    rng: random.Random,
    plants: int,
) -> list[str]:
    """The table rows of one word list."""
    started = time.perf_counter()
    matcher = Matcher(words)
    built = time.perf_counter() - started
    text = "\n".join(customers + agents)
    started = time.perf_counter()
    matcher.find_all(text)
    speed = len(text) / max(time.perf_counter() - started, 1e-9)
    found = planted_hits = all_hits = 0
    for _ in range(plants):
        word = rng.choice(words)[0]
        turn = rng.choice(customers)
        at = rng.randint(0, len(turn))
        sample = f"{turn[:at]} {word} {turn[at:]}"  # spaces: a planted ASCII word stays whole
        hits = matcher.find_all(sample)
        start = at + 1
        own = [h for h in hits if start <= h.start and h.end <= start + len(word)]
        found += any(h.start == start and h.end == start + len(word) for h in hits)
        planted_hits += len(own)
        all_hits += len(hits)
    flagged = Counter[str]()
    rates = []
    for turns in (customers, agents):
        hit_turns = 0
        for turn in turns:
            hits = matcher.find(turn)
            hit_turns += bool(hits)
            flagged.update(h.word for h in hits)
        rates.append(hit_turns / max(len(turns), 1))
    top = "、".join(f"{w}×{n}" for w, n in flagged.most_common(6)) or "—"
    return [
        f"| {name} | {len(matcher):,} | {built:.2f} s | {speed / 1e6:.2f} M | "
        f"{pct(found / plants)} | {pct(planted_hits / max(all_hits, 1))} | "
        f"{pct(rates[0])} | {pct(rates[1])} | {top} |"
    ]


def sentiment_row(
    name: str, sample: Sequence[tuple[str, bool]], scorer: Callable[[str], float]
) -> str:
    """One corpus's row: accuracy, coverage, negative precision and recall, speed."""
    started = time.perf_counter()
    scores = [scorer(text) for text, _ in sample]
    took = time.perf_counter() - started
    chars = sum(len(text) for text, _ in sample)
    right = sum(
        (value < 0) == negative for value, (_, negative) in zip(scores, sample, strict=True)
    )
    covered = sum(value != 0 for value in scores)
    said = [
        (value <= NEGATIVE_AT, negative)
        for value, (_, negative) in zip(scores, sample, strict=True)
    ]
    true_pos = sum(1 for verdict, negative in said if verdict and negative)
    precision = true_pos / max(sum(1 for verdict, _ in said if verdict), 1)
    recall = true_pos / max(sum(1 for _, negative in said if negative), 1)
    return (
        f"| {name} | {len(sample):,} | {pct(right / len(sample))} | {pct(covered / len(sample))} | "
        f"{pct(precision)} | {pct(recall)} | {chars / max(took, 1e-9) / 1e3:.0f} k |"
    )


def run(eval_dir: Path, plants: int, reviews: int, seed: int) -> str:
    """The whole report as Markdown."""
    rng = random.Random(seed)
    customers, agents = read_turns(eval_dir)
    out = [
        "# zhike quality inspection (python -m bench.qa)",
        "",
        f"Real turns: {len(customers):,} customer and {len(agents):,} agent turns of JDDC; "
        f"{plants:,} words planted in customer turns per list.",
        "",
        "## Sensitive-word matcher",
        "",
        "| word list | words | build | chars/s | recall (planted) | precision (planted texts) "
        "| customer turns flagged | agent turns flagged | most frequent hits |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    out += matcher_rows(
        "sensitive-words (64k)", read_list(eval_dir), customers, agents, rng, plants
    )
    out += matcher_rows("zhike starter list", list(starter().words), customers, agents, rng, plants)
    out += [
        "",
        "## Sentiment lexicon (negative = score ≤ "
        f"{NEGATIVE_AT}; accuracy counts score < 0 as negative)",
        "",
        "| corpus | texts | accuracy | has a term | negative precision | negative recall "
        "| chars/s |",
        "|---|---|---|---|---|---|---|",
    ]
    folder = eval_dir / "sentiment"
    for file in ("waimai_10k.csv", "online_shopping_10_cats.csv"):
        out.append(sentiment_row(file, read_reviews(folder / file, reviews, rng), score))
    negative = sum(score(turn) <= NEGATIVE_AT for turn in customers)
    out += ["", f"JDDC customer turns called negative: {pct(negative / max(len(customers), 1))}"]
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    """Prints the report (and writes it to ``--out``); 0 also when the corpora are absent."""
    args = argparse.ArgumentParser(prog="python -m bench.qa", description=__doc__.split("\n")[0])
    args.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR)
    args.add_argument("--plants", type=int, default=2000)
    args.add_argument("--reviews", type=int, default=4000, help="balanced sample per corpus")
    args.add_argument("--seed", type=int, default=7)
    args.add_argument("--out", type=Path)
    opts = args.parse_args(argv)
    needed = ("jddc/chat_dev.tsv", "sensitive-words/sensitive_word_dict.txt", "sentiment")
    missing = [name for name in needed if not (opts.eval_dir / name).exists()]
    if missing:
        print(f"bench.qa skipped: {opts.eval_dir} lacks {', '.join(missing)}", file=sys.stderr)
        return 0
    report = run(opts.eval_dir, opts.plants, opts.reviews, opts.seed)
    print(report)
    if opts.out:
        opts.out.parent.mkdir(parents=True, exist_ok=True)
        opts.out.write_text(report + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
