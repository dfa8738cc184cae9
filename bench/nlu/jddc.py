"""Real customers: labelled JD.com customer turns (JDDC) with their masks filled in.

chat_dev.tsv (../shared/eval/jddc) has one message per line: ``session, user, sender
(0 customer, 1 agent), ..., text``, with personal data masked as ``[订单x]``, ``[数字x]``,
``[地址x]`` .... The labels (bench/nlu/jddc_labels.tsv, TSV with the header
``session turn label target note``) pick customer turns by session id and 0-based index
among that session's customer lines, and say what a good agent would do:

- ``handled``: the product covers it; the bot should act on ``target`` (an intent such as
  ``query_logistics`` or a retrieval intent such as ``faq/return_policy``);
- ``clarify``: customer service, but not covered or too vague: an honest clarification
  or handoff is right;
- ``oos``: not a customer-service request at all.

The text is read from the corpus at run time; the masks become plausible values in our
formats (order numbers like HP20240003), the same on every run.
"""

from __future__ import annotations

import csv
import random
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

JDDC_CHAT = Path("jddc") / "chat_dev.tsv"
LABELS_FILE = Path(__file__).with_name("jddc_labels.tsv")
LABEL_COLUMNS = ["session", "turn", "label", "target", "note"]
LABELS = ("handled", "clarify", "oos")
CUSTOMER = "0"

# [订单x], [数字x], [组织机构x] ...: a kind name and the letter x in brackets.
PLACEHOLDER = re.compile(r"\[([^\[\]\sx]{1,8})x\]")


def _digits(rng: random.Random, count: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(count))


def _pick(*values: str) -> Callable[[random.Random], str]:
    return lambda rng: rng.choice(values)


# One value maker per mask kind found in chat_dev.tsv.
FILLERS: dict[str, Callable[[random.Random], str]] = {
    "订单": lambda rng: f"HP2024{rng.randint(1, 9999):04d}",
    "数字": _pick("1", "2", "3", "5", "7", "10", "12", "15", "20", "30", "100"),
    "金额": _pick("39.9", "89", "128.00", "199", "256.5", "1299"),
    "地址": _pick("建国路93号", "文三路398号", "体育西路103号", "民族大道88号", "长江路12号"),
    "姓名": _pick("张伟", "李娜", "王芳", "刘洋", "陈静"),
    "电话": lambda rng: "1" + rng.choice("3589") + _digits(rng, 9),
    "日期": lambda rng: f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    "时间": lambda rng: f"{rng.randint(8, 22):02d}:{rng.randint(0, 59):02d}:{_digits(rng, 2)}",
    "站点": _pick("北京朝阳配送站", "上海张江营业部", "杭州西湖站", "广州天河配送站"),
    "链接": lambda rng: f"https://shop.example.com/item/{_digits(rng, 6)}.html",
    "组织机构": _pick("杭州智客科技有限公司", "上海明远贸易有限公司", "北京星河文化传媒有限公司"),
    "身份证号": lambda rng: "110101199" + _digits(rng, 8) + rng.choice("0123456789X"),
    "邮箱": lambda rng: (
        f"{rng.choice(['zhangwei', 'lina', 'wangfang'])}{rng.randint(1, 99)}@example.com"
    ),
}


def fill_placeholders(text: str, seed: str) -> str:
    """``text`` with every ``[kindx]`` mask replaced by a plausible value.

    Args:
        text: a message of the corpus.
        seed: makes the values the same on every run (e.g. ``session:turn``).

    Returns:
        The text a customer could have typed; an unknown kind becomes its name.
    """
    rng = random.Random(seed)

    def value(match: re.Match[str]) -> str:
        kind = match.group(1)
        filler = FILLERS.get(kind)
        return filler(rng) if filler else kind

    return PLACEHOLDER.sub(value, text)


def read_customer_turns(path: Path) -> dict[str, list[str]]:
    """Per session id, its customers' messages (sender 0) in file order."""
    turns: dict[str, list[str]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as lines:
        for line in lines:
            fields = line.rstrip("\r\n").split("\t", 6)
            if len(fields) == 7 and fields[2] == CUSTOMER:
                turns[fields[0]].append(fields[6].strip())
    return dict(turns)


@dataclass(frozen=True)
class Label:
    """One line of the label file."""

    session: str
    turn: int
    label: str  # handled, clarify or oos
    target: str | None  # intent or retrieval intent a good agent acts on
    note: str = ""


def read_labels(path: Path) -> list[Label]:
    """The label file's rows.

    Raises:
        ValueError: a wrong header, label, turn or a handled row without a target.
    """
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or [c.strip() for c in rows[0][: len(LABEL_COLUMNS)]] != LABEL_COLUMNS:
        raise ValueError(f"{path}: the header must be {' '.join(LABEL_COLUMNS)} (tab-separated)")
    labels: list[Label] = []
    for number, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        cells = [cell.strip() for cell in row] + [""] * (len(LABEL_COLUMNS) - len(row))
        session, turn, label, target, note = cells[: len(LABEL_COLUMNS)]
        where = f"{path}:{number}"
        if not turn.isdigit():
            raise ValueError(f"{where}: turn {turn!r} is not a 0-based number")
        if label not in LABELS:
            raise ValueError(f"{where}: label {label!r} is none of {', '.join(LABELS)}")
        goal = None if target in ("", "-") else target
        if label == "handled" and goal is None:
            raise ValueError(f"{where}: a handled row needs a target intent")
        labels.append(Label(session, int(turn), label, goal, note))
    return labels


@dataclass(frozen=True)
class LabelledTurn:
    """A labelled customer message, masks filled in."""

    label: Label
    text: str


def labelled_turns(chat: Path, labels: list[Label]) -> list[LabelledTurn]:
    """Joins the labels with the corpus's customer messages.

    Raises:
        ValueError: a label names a session or turn the corpus does not have.
    """
    turns = read_customer_turns(chat)
    joined: list[LabelledTurn] = []
    for label in labels:
        messages = turns.get(label.session)
        if messages is None:
            raise ValueError(f"labelled session {label.session} is not in {chat}")
        if label.turn >= len(messages):
            raise ValueError(
                f"session {label.session} has {len(messages)} customer turns, "
                f"label names turn {label.turn}"
            )
        text = fill_placeholders(messages[label.turn], f"{label.session}:{label.turn}")
        joined.append(LabelledTurn(label, text))
    return joined
