"""`python -m bench.conversations`: plays the blind multi-turn set on a fresh stack.

``tests/conversations_blind/convs*.yml`` hold conversations of the demo customer 张伟
(C001), each turn with what a good human agent would do next (``expect``): two sets, each
written by someone who never saw the project. This starts the real stack (backend, action server,
Rasa server: ``models/zhike.tar.gz``) with the end-to-end tests' secrets, resets the demo
data before each conversation, plays every turn through the app channel and writes the
transcript -- the customer's words, the expectation, the bot's replies and buttons -- to
``--out`` for a person to read. It is a review aid, not a test: nothing passes or fails.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.e2e.conftest import MODEL, RASA_TOKEN, STACK_ENV, AppConversation
from zhike.tools.stack import PROJECT_ROOT, Stack, StackConfig

CONVERSATIONS = PROJECT_ROOT / "tests" / "conversations_blind"


def conversation_files(folder: Path = CONVERSATIONS) -> list[Path]:
    """The blind sets, in their order (``convs.yml``, then ``convs2.yml`` …)."""
    return sorted(folder.glob("convs*.yml"))


def _transcript_of(replies: list[dict[str, Any]]) -> list[str]:
    lines = []
    for reply in replies:
        text = str(reply.get("text") or "").replace("\n", " / ")
        buttons = " ".join(f"[{b['title']}|{b['payload']}]" for b in reply.get("buttons", []))
        lines.append(f"   bot: {text} {buttons}".rstrip())
    return lines


def _play(stack: Stack, conversation: dict[str, Any]) -> list[str]:
    base = stack.config.backend_url
    httpx.delete(f"{base}/__faults/", timeout=10).raise_for_status()
    httpx.post(f"{base}/__reset/", json={}, timeout=30).raise_for_status()
    time.sleep(0.5)
    customer = AppConversation(stack.config.rasa_url, "C001")
    lines = [f"=== {conversation['id']}: {conversation.get('situation', '')}"]
    for turn in conversation["turns"]:
        lines += [f"customer: {turn['user']}", f"   expect: {turn.get('expect', '')}"]
        lines += _transcript_of(customer.send(str(turn["user"])))
    return [*lines, ""]


def main(argv: list[str] | None = None) -> int:
    """Plays the conversations named (all by default) and writes the transcripts."""
    parser = argparse.ArgumentParser(prog="python -m bench.conversations", description=__doc__)
    parser.add_argument("ids", nargs="*", help="conversation ids (c01, d07 …); all by default")
    parser.add_argument("--file", type=Path, action="append", help="a set (default: all)")
    parser.add_argument("--out", type=Path, default=Path("results/conversations_blind.txt"))
    args = parser.parse_args(argv)
    if not MODEL.exists():
        print(f"no trained model at {MODEL}: run `make train` first", file=sys.stderr)
        return 1
    conversations = [
        conversation
        for path in args.file or conversation_files()
        for conversation in yaml.safe_load(path.read_text(encoding="utf-8"))
    ]
    if args.ids:
        conversations = [c for c in conversations if c["id"] in args.ids]
    state = Path(tempfile.mkdtemp(prefix="zhike-convs-"))
    env = {
        **STACK_ENV,
        "ZHIKE_HANDOFF_DB_URL": f"sqlite+aiosqlite:///{state / 'handoff.db'}",
        "ZHIKE_HANDOFF_HOURS": "00:00-23:59",
        "ZHIKE_KB_DB_URL": f"sqlite+aiosqlite:///{state / 'kb.db'}",
    }
    stack = Stack(StackConfig.on_free_ports(MODEL, state, extra_env=env, rasa_token=RASA_TOKEN))
    stack.start(timeout=300)
    try:
        lines = [line for c in conversations for line in _play(stack, c)]
    finally:
        stack.stop()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    turns = sum(len(c["turns"]) for c in conversations)
    print(f"{len(conversations)} conversations, {turns} turns: transcripts in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
