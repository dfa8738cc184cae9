"""What the benchmark sends: held-out NLU texts, the REST conversation mix, OOS utterances."""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import yaml

from zhike.tools.stack import PROJECT_ROOT

NLU_TEST_DIR = PROJECT_ROOT / "tests" / "nlu"
DEFAULT_EVAL_DIR = PROJECT_ROOT.parent / "shared" / "eval"
CAIS_TEST = Path("oos") / "cais" / "ch.test"

# [顺丰](courier) and [京东物流]{"entity": "courier", "value": "京东"} -> the plain text
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")

# One conversation = a list of steps; each step is a tuple of interchangeable messages.
# The mix covers what zhike serves: greetings, FAQ (ResponseSelector), order and logistics
# lookups (form -> action server -> backend), chitchat. Seeded orders: HP20240001-5.
Step = tuple[str, ...]
CONVERSATIONS: dict[str, tuple[int, list[Step]]] = {
    # name: (weight, steps)
    "order_lookup": (
        30,
        [
            ("你好", "您好", "在吗"),
            (
                "查一下订单HP20240001",
                "帮我查下订单HP20240002的状态",
                "订单HP20240003现在怎么样了",
                "我的订单HP20240004处理到哪一步了",
                "看看订单HP20240005",
            ),
            ("谢谢", "好的谢谢", "明白了，谢谢你"),
        ],
    ),
    "logistics_form": (
        20,
        [
            ("我的快递到哪了", "帮我查一下物流", "包裹怎么还没到"),
            ("HP20240001", "订单号是HP20240005", "hp20240001"),
            ("好的", "谢谢", "再见"),
        ],
    ),
    "faq": (
        30,
        [
            ("你好", "您好"),
            ("下单后多久发货", "一般几天能发货呀", "你们用什么快递发货"),
            ("支持哪些付款方式", "可以开发票吗", "退货政策是什么样的", "退款多久能到账"),
            ("再见", "谢谢", "好的"),
        ],
    ),
    "chitchat": (
        20,
        [
            ("你是机器人吗", "你叫什么名字", "你多大了"),
            ("讲个笑话吧", "今天天气怎么样", "你都能做些什么"),
            ("你真棒", "拜拜", "好的"),
        ],
    ),
}

# The first message of each conversation checked for a sensible reply after warm-up.
ORDER_PROBE = "查一下订单HP20240001"

# The load test (bench.loadtest): five-message conversations that exercise the actions
# (order status and logistics with the anonymous phone-digit check, refund status), FAQ
# and small talk. {order}/{last4}: a seeded order and its customer's phone digits.
LOADTEST_ORDERS = (("HP20240001", "8001"), ("HP20240002", "8001"), ("HP20240005", "9002"))
LOADTEST_SCRIPTS: dict[str, list[Step]] = {
    "order_status": [
        ("你好", "您好", "在吗"),
        ("查一下订单{order}", "帮我查下订单{order}的状态", "订单{order}现在怎么样了"),
        ("{last4}", "尾号{last4}", "手机后四位是{last4}"),
        ("{order}的快递到哪了", "{order}物流到哪一步了"),
        ("谢谢", "好的谢谢", "明白了，谢谢你"),
    ],
    "refund_status": [
        ("你好", "在吗"),
        ("HP20240004的退款到哪一步了", "帮我查一下订单HP20240004的退款进度"),
        ("8001", "尾号8001"),
        ("退款多久能到账", "退货政策是什么样的"),
        ("谢谢", "再见"),
    ],
    "faq": [
        ("你好", "您好"),
        ("下单后多久发货", "一般几天能发货呀", "你们用什么快递发货"),
        ("支持哪些付款方式", "可以开发票吗", "优惠券怎么用"),
        ("退货政策是什么样的", "退款多久能到账"),
        ("再见", "谢谢", "好的"),
    ],
    "chitchat_then_order": [
        ("你是机器人吗", "你叫什么名字"),
        ("讲个笑话吧", "你都能做些什么"),
        ("帮我查一下订单{order}", "查下订单{order}"),
        ("{last4}", "尾号{last4}"),
        ("拜拜", "好的"),
    ],
    "logistics_form": [
        ("我的快递到哪了", "帮我查一下物流", "包裹怎么还没到"),
        ("{order}", "订单号是{order}"),
        ("{last4}", "尾号{last4}"),
        ("你们用什么快递发货", "可以开发票吗"),
        ("谢谢", "好的"),
    ],
}


def strip_annotations(example: str) -> str:
    """The plain text of a Rasa training example with entity annotations."""
    return _ANNOTATION.sub(r"\1", example).strip()


def held_out_texts(directory: Path = NLU_TEST_DIR) -> list[str]:
    """Every example text of the held-out NLU test set, in file order."""
    texts: list[str] = []
    for path in sorted(directory.glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in document.get("nlu") or []:
            examples = block.get("examples") if isinstance(block, dict) else None
            if not isinstance(examples, str):
                continue
            for line in examples.splitlines():
                line = line.strip()
                if line.startswith("- "):
                    text = strip_annotations(line[2:])
                    if text:
                        texts.append(text)
    return texts


def pick_conversation(rng: random.Random) -> list[str]:
    """A random conversation from the weighted mix, one message per step."""
    names = list(CONVERSATIONS)
    weights = [CONVERSATIONS[name][0] for name in names]
    name = rng.choices(names, weights=weights, k=1)[0]
    return [rng.choice(step) for step in CONVERSATIONS[name][1]]


def loadtest_conversation(index: int, rng: random.Random) -> list[str]:
    """Conversation ``index`` of the load test: the scripts in turn, seeded variants."""
    steps = list(LOADTEST_SCRIPTS.values())[index % len(LOADTEST_SCRIPTS)]
    order, last4 = rng.choice(LOADTEST_ORDERS)
    return [rng.choice(step).format(order=order, last4=last4) for step in steps]


def all_conversations() -> list[list[str]]:
    """Each conversation of the mix once with its first variants (for warm-up)."""
    return [[step[0] for step in steps] for _, steps in CONVERSATIONS.values()]


def read_bio_sentences(path: Path) -> list[str]:
    """Sentences of a char-per-line BIO file (``字 TAG``; blank line between sentences).

    The character may itself be a space (``"  O"``): the tag is split off at the last space.
    """
    sentences: list[str] = []
    chars: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if chars:
                sentences.append("".join(chars))
                chars = []
            continue
        char = line.rsplit(" ", 1)[0] if " " in line else line
        chars.append(char or " ")
    if chars:
        sentences.append("".join(chars))
    return sentences


def oos_utterances(eval_dir: Path, count: int, seed: int = 0) -> list[tuple[str, str]] | None:
    """``count`` distinct CAIS test utterances with their labels, or ``None`` if absent.

    Round-robin over the CAIS intents (in a seeded random order inside each), so that the
    rarer out-of-scope kinds (weather, reminders, news, chat) are not drowned by PlayMusic.
    """
    path = eval_dir / CAIS_TEST
    if not path.exists():
        return None
    sentences = read_bio_sentences(path)
    label_path = path.with_name(path.name + ".intent")
    labels: Sequence[str] = (
        label_path.read_text(encoding="utf-8").split() if label_path.exists() else []
    )
    by_label: dict[str, list[str]] = defaultdict(list)
    seen: set[str] = set()
    for index, sentence in enumerate(sentences):
        if sentence in seen:
            continue
        seen.add(sentence)
        by_label[labels[index] if index < len(labels) else "?"].append(sentence)
    rng = random.Random(seed)
    for bucket in by_label.values():
        rng.shuffle(bucket)
    picked: list[tuple[str, str]] = []
    while len(picked) < count and any(by_label.values()):
        for label in sorted(by_label):
            if by_label[label] and len(picked) < count:
                picked.append((by_label[label].pop(), label))
    return picked
