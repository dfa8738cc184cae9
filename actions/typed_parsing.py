"""What customers type in reply instead of clicking: yes or no, ratings, pasted order cards.

Pure functions like :mod:`actions.parsing` (no I/O, no Rasa objects).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from actions.parsing import ORDER_ID_RE, normalize_text
from zhike.common.choices import first_clause
from zhike.common.confirmations import parse_confirmation, symbols_removed
from zhike.common.questions import QUESTION

_CARD_ORDER_LABEL = re.compile(r"订单(?:编号|号码|号)\s*:")
_CARD_FIELDS: tuple[re.Pattern[str], ...] = (
    re.compile(
        r"(?:订单金额|实付款|实付金额|实付|应付|合计|总价|金额|下单时间|付款时间|支付时间|创建时间"
        r"|成交时间|商品名称|商品|数量|收货人|收货地址|配送方式|运单号|快递单号|物流公司"
        r"|订单状态|支付方式)\s*:"
    ),
    re.compile(r"¥\s*\d|\d+\.\d{2}\s*元"),  # an amount
    re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}"),  # a date
    re.compile(r"(?<!\d)\d{1,2}:\d{2}(?::\d{2})?(?!\d)"),  # a time
    re.compile(r"[x×*]\s*\d+(?!\d)", re.IGNORECASE),  # a quantity
)


def looks_like_order_card(value: Any) -> bool:
    """Whether ``value`` is an order card pasted from the shop app (or a piece of one).

    A card names the order (an order number or an "订单编号/订单号/订单号码:" label) and
    has at least one other field: an amount, a date or time, a quantity, another labelled
    field ("下单时间:", "商品:"), or a second line. Its digits are not an answer to
    anything but "which order?".
    """
    text = normalize_text(value)
    if ORDER_ID_RE.search(text) is None and _CARD_ORDER_LABEL.search(text) is None:
        return False
    without_order = ORDER_ID_RE.sub(" ", text)
    fields = sum(pattern.search(without_order) is not None for pattern in _CARD_FIELDS)
    return fields + ("\n" in text) >= 1


_RATING_NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
# "5分", "五星", "4颗星", "3个星"; not "15分", "5分钟" or "一分钱".
_RATING_NUMBER = re.compile(
    r"(?<![0-9十百])([1-5一二两三四五])\s*(?:颗|顆|个)?\s*(?:分|星)(?![钟鐘钱])"
)
# A lone digit 1-5; not part of a number, an amount, a time or a count of days.
_RATING_BARE = re.compile(
    r"(?<![0-9A-Za-z.:/×*])([1-5])"
    r"(?![0-9A-Za-z.:/]|\s*(?:天|号|日|月|年|点|个|件|次|小时|分钟|元|块|楼|岁|%))"
)
_RATING_TOP = re.compile(r"满分|一百分|(?<![0-9])10{1,2}\s*分(?!钟)")
_RATING_STARS = re.compile(r"^[⭐🌟★]{1,5}$")
# Checked in order: the negative phrases contain the positive ones.
_RATING_WORDS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("非常不满意", "很不满意", "特别不满意", "太差", "很差", "非常差", "差评"), 1),
    (("不满意", "不太满意", "不怎么样"), 2),
    (("非常满意", "很满意", "特别满意", "超满意", "十分满意", "非常好", "太棒", "很棒", "好评"), 5),
    (("一般般", "一般", "还行", "凑合", "还可以"), 3),
    (("满意", "挺好", "不错"), 4),
)
# What may surround the score in a reply that is only a rating ("给5星吧", "五星好评").
_RATING_FILLERS = sorted(
    "给 打 就 吧 啦 了 哈 呀 啊 嗯 哦 噢 喔 呢 的 我 你们 你 您 评 评分 打分 分数 谢谢 谢啦 "
    "感谢 服务 本次 这次 必须 当然 还是 个 亲 嘛 呗 咯 可以 星级 是 吧吧".split(),
    key=len,
    reverse=True,
)


def parse_rating(value: Any) -> int | None:
    """A 1-5 satisfaction score from a button value or what the customer typed.

    ``"5"``, ``"打4分"``, ``"三颗星"``, ``"满分"``, ``"非常满意"`` (5), ``"一般"`` (3),
    ``"很差"`` (1); ``None`` when no score can be read, and for a pasted order card (its
    amounts and times are not a score). Lenient: for a message already known to be a
    rating; :func:`parse_rating_reply` decides whether any message is one.
    """
    text = normalize_text(value)
    if not text or looks_like_order_card(text):
        return None
    text = ORDER_ID_RE.sub(" ", text)
    if (match := _RATING_NUMBER.search(text)) is not None:
        digit = match.group(1)
        return int(digit) if digit.isdigit() else _RATING_NUMERALS[digit]
    if _RATING_TOP.search(text) is not None:
        return 5
    if (match := _RATING_BARE.search(text)) is not None:
        return int(match.group(1))
    if _RATING_STARS.match(symbols_removed(text, keep="⭐🌟★")):
        return len(symbols_removed(text, keep="⭐🌟★"))
    for words, score in _RATING_WORDS:
        if any(word in text for word in words):
            return score
    return None


def parse_rating_reply(value: Any) -> int | None:
    """The score when the whole message is a rating, whatever else it could be.

    ``"5"``, ``"５"``, ``"5分"``, ``"五星"``, ``"满分"``, ``"给5星吧"``, ``"非常满意"``,
    ``"⭐⭐⭐⭐⭐"``: the score. A question, a sentence with other content ("等了3天了",
    "今天天气不错吗"), two scores or an order card: ``None``.
    """
    text = normalize_text(value).lower()
    score = parse_rating(text)
    if score is None or "?" in text:
        return None
    rest = text
    numbers = [match.group(1) for match in _RATING_NUMBER.finditer(rest)]
    rest = _RATING_TOP.sub("", _RATING_NUMBER.sub("", rest))
    numbers += [match.group(1) for match in _RATING_BARE.finditer(rest)]
    if len({_RATING_NUMERALS.get(number) or int(number) for number in numbers}) > 1:
        return None  # "4或5分"
    rest = _RATING_BARE.sub("", rest)
    for word in sorted((w for words, _ in _RATING_WORDS for w in words), key=len, reverse=True):
        rest = rest.replace(word, "")
    for word in _RATING_FILLERS:
        rest = rest.replace(word, "")
    return score if not symbols_removed(rest) else None


_REQUEST = re.compile(
    r"^(?:等下|等一下|等等|稍等|先|那|对了|另外|还有|顺便)?[，,\s]*(?:帮我|给我|麻烦|请|我要|我想|我需要|查)"
)


def looks_like_request(value: Any) -> bool:
    """Whether a reply reads as a question or a new request rather than a free-text answer.

    "我之前那个退款处理得怎么样了" and "先帮我查下HP20240003" do; "收到的东西坏了" and
    "搬家了，换个地址" do not. A form asking for a reason or an address takes any text, so
    only a message that also reads like this is a change of topic (with a confident intent).
    """
    text = normalize_text(value)
    return bool(QUESTION.search(text) or _REQUEST.search(text) or ORDER_ID_RE.search(text))


# Words of a reply about which order it is ("订单号找不到", "不知道是哪一个"): no other question.
_ABOUT_WHICH = re.compile(r"订单|单号|哪个|哪一|不知道|找不到|忘了")


def asks_instead_of_order(value: Any) -> bool:
    """Whether a reply to "哪一笔订单" asks something else ("能开发票吗", "为啥不能取消").

    A question without a digit and without a word about which order it is: an unsure one
    is no order the customer tried to name, and "不用输入订单号" would not answer it.
    """
    text = normalize_text(value)
    return (
        bool(QUESTION.search(text))
        and not _ABOUT_WHICH.search(text)
        and not any(char.isdigit() for char in text)
    )


_STOP = re.compile(r"(?:不|别|不要|不用|不想|先不)(?:再|用|要|去)?")


def says_stop(value: Any, action_words: Iterable[str]) -> bool:
    """Whether the customer calls the change off while a form asks something else.

    "那还是不退了吧" in the refund form, "算了不取消了", "不办了": a "no" (see
    :func:`parse_confirmation`) whose negation names the change itself. "不想要了" (a
    refund reason) does not name it, so it stays an answer.
    """
    text = normalize_text(value)
    if parse_confirmation(text, action_words) is not False:
        return False
    words = sorted({*action_words, "办", "办理", "弄"}, key=len, reverse=True)
    named = "|".join(re.escape(word) for word in words if word)
    return re.search(rf"{_STOP.pattern}(?:{named})", text) is not None


# Dropping it, not holding it: "算了", "不退了", "还是不" ("先别取消 帮我看看…" only waits).
_DROPS = re.compile(r"算了|(?:不|别)\S{0,4}了|还是不|不用了")


def stop_then(value: Any, action_words: Iterable[str]) -> str | None:
    """What follows a call-off said first: "那算了先不退了 我想问下保价" → "我想问下保价".

    ``None`` unless the message's first clause drops the change (:func:`says_stop`, in
    words of dropping it: "先别取消 帮我看看…" asks something first and keeps the change)
    and something follows it.
    """
    first, rest = first_clause(normalize_text(value))
    return rest if rest and says_stop(first, action_words) and _DROPS.search(first) else None


# After a call-off, words that only say it again: "还是原来的吧", "不用了 谢谢", "没事了".
_MORE_OF_THE_SAME = re.compile(
    r"原来|原先|原样|之前的|不变|就这样|不用|不要了|没事|谢谢|算了|先这样|不[^\s]{0,4}了"
)
_SHORT_REST = 8


def says_more(rest: str) -> bool:
    """Whether the words after a call-off (:func:`stop_then`) say something new.

    "算了不改了 还是原来的吧" ended the form offering unrelated requests: "还是原来的吧"
    only calls the change off again.
    """
    return not (_MORE_OF_THE_SAME.search(rest) and len(rest) <= _SHORT_REST)


def holds_then(value: Any, action_words: Iterable[str]) -> str | None:
    """What is asked after holding the change: "先别取消 帮我看看HP20240003什么时候发货".

    The first clause says not to go on yet (:func:`says_stop`, not in words of dropping
    it), and something follows: asked first, the change kept for after.
    """
    first, rest = first_clause(normalize_text(value))
    return rest if rest and says_stop(first, action_words) and not _DROPS.search(first) else None


_PROGRESS = re.compile(
    r"进度|进展|怎么样了|到哪(?:一步|了)|处理(?:得|的)?(?:怎么样|如何)|好了没|有结果|"
    r"什么时候(?:能)?(?:到账|处理好|退回|办好)"
)


def asks_progress(value: Any) -> bool:
    """Whether the text asks how far something already under way is ("退款处理得怎么样了").

    Never an answer to a form's question (a reason, an address), whatever its intent.
    """
    return _PROGRESS.search(normalize_text(value)) is not None
