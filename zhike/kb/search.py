"""``python -m zhike.kb search``: the published entries that best match the customer's words.

The same retrieval and thresholds the robot answers with (:mod:`zhike.lib.kb.live`): the
index is built once from the published entries valid today, then every query of the
command (TEXT, or each line of ``--file``) is looked up in it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable

from zhike.lib.kb.live import KnowledgeHit, LiveKnowledge
from zhike.lib.kb.service import KnowledgeBase


def _queries(args: argparse.Namespace) -> Iterable[str]:
    if args.file is None:
        yield str(args.text)
        return
    with open(args.file, encoding="utf-8-sig") as lines:
        for line in lines:
            yield line.rstrip("\r\n")


def _row(hit: KnowledgeHit) -> dict[str, object]:
    entry = hit.entry
    return {
        "id": entry.id,
        "question": entry.question,
        "answer": entry.answer,
        "score": round(hit.score, 4),
    }


async def search(kb: KnowledgeBase, args: argparse.Namespace) -> None:
    """Prints the ``args.k`` best entries of each query (one JSON list a line with --json)."""
    live = LiveKnowledge(kb=kb, refresh_seconds=float("inf"))
    await live.refresh(force=True)
    for query in _queries(args):
        found = live.lookup_now(query, k=args.k)
        hits = list(found.hits) if found is not None else []
        if args.json:
            print(json.dumps([_row(hit) for hit in hits], ensure_ascii=False))
            continue
        decision = found.decision if found is not None else "none"
        print(f"{query}  [{decision}]")
        for rank, hit in enumerate(hits, 1):
            print(f"  {rank}. {hit.score:.3f}  #{hit.entry.id} {hit.entry.question}")
    sys.stdout.flush()
