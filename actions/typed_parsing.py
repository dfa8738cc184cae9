"""What customers type in reply instead of clicking: yes or no, ratings, pasted order cards.

Pure functions like :mod:`actions.parsing` (no I/O, no Rasa objects).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from actions.parsing import ORDER_ID_RE, normalize_text

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


def symbols_removed(text: str, keep: str = "") -> str:
    """``text`` without spaces, punctuation, symbols and emoji (except those in ``keep``)."""
    return "".join(
        char for char in text if char in keep or unicodedata.category(char)[0] not in "PSZCM"
    )


_YES, _NO, _NEGATION, _ACTION, _FILLER, _PARTICLE = "yes", "no", "not", "do", "filler", "end"
_NEGATED_ACTION, _DOUBLE_NEGATION = "do not", "not no"
_CONFIRM_VOCABULARY: dict[str, str] = {
    **dict.fromkeys(
        "确定 确认 好 好的 好滴 好嘞 好哒 好啊 是 是的 是滴 嗯 恩 嗯呢 对 对的 对滴 没错 可以 "
        "行 成 妥 没问题 没有问题 提交 同意 要 要的 ok okay okk yes yep 👌 👍 ✅ 🆗 无误 "
        "就这样 那就这样 就这么办 办 办理 弄 当然 必须".split(),
        _YES,
    ),
    **dict.fromkeys(
        "不了 不必 不需要 算了 算啦 罢了 先不了 先不用 想想 再想想 再考虑 再考虑一下 考虑一下 "
        "考虑考虑 再看看 再说 否 no nope 放弃 取消 撤销 别了 没有 错了 ❌ 🙅".split(),
        _NO,
    ),
    # Negate what follows ("不确定", "别取消"); alone they say no ("不", "不要", "不用了").
    **dict.fromkeys("不 别 不要 不用 不想 先不 没".split(), _NEGATION),
    # May stand between a negation and what it negates ("不用帮我取消了").
    **dict.fromkeys(
        "我 那 那就 就 那么 还是 先 暂时 帮我 给我 帮忙 麻烦 麻烦你 麻烦您 请 谢谢 谢啦 谢了 "
        "多谢 感谢 亲 你 您 这个 掉 订单 这单 这个订单 该订单 课程 这门课 这节课 课 地址 "
        "发票 申请".split(),
        _FILLER,
    ),
    # End what a negation negates ("不要了取消吧" is two answers).
    **dict.fromkeys("了 吧 啊 呀 哈 啦 的 哦 噢 喔 呢 嘛 呗 咯 哟 嘞 额 呃 唔".split(), _PARTICLE),
}
_CONFIRM_PIECE = max(len(piece) for piece in _CONFIRM_VOCABULARY)
_A_NOT_A = re.compile(r"([^不了]{1,2})不\1")  # "好不好", "行不行": a question


def parse_confirmation(value: Any, action_words: Iterable[str] = ()) -> bool | None:
    """Whether a typed reply to "confirm?" says yes (``True``) or no (``False``).

    The whole reply must be made of known words: "确定", "好的", "嗯嗯", "ok", "没问题",
    "提交吧" say yes; "不", "不用了", "算了", "先不了", "我再想想", "不确定", "不是",
    "不行" say no. Punctuation, emoji, "谢谢", "帮我" and particles (吧, 了, 哈) are ignored.
    A question ("确定吗?", "行不行"), anything else ("取消后多久退款") or a contradiction
    ("算了，取消吧" when cancelling) is ``None``: not a confirmation.

    Args:
        value: what the customer typed.
        action_words: words naming the change being confirmed, which confirm it: with
            ``("取消",)`` (cancelling an order) "确定取消" and "取消吧" say yes and "不取消了"
            says no; without, "取消" says no (cancel this request).

    Returns:
        ``True``, ``False`` or ``None``.
    """
    text = normalize_text(value).lower()
    if not text or "?" in text or len(text) > 30 or _A_NOT_A.search(text):
        return None
    vocabulary = {**_CONFIRM_VOCABULARY, **dict.fromkeys(action_words, _ACTION)}
    kinds: set[str] = set()
    for chunk in re.split(r"[^\w👌👍✅🆗❌🙅]+", text):
        tokens = _confirmation_tokens(chunk, vocabulary)
        if tokens is None:
            return None
        kinds |= _resolve_negations(tokens)
    if _DOUBLE_NEGATION in kinds:
        return None  # "不取消" when "取消" means "no"
    if _NEGATED_ACTION in kinds:
        return False  # "好的，不取消了"
    if _NO in kinds:
        return None if _ACTION in kinds else False
    return True if kinds & {_YES, _ACTION} else None


def _confirmation_tokens(chunk: str, vocabulary: dict[str, str]) -> list[str] | None:
    """The kinds of the words of ``chunk`` (longest match first); ``None`` at an unknown one."""
    kinds: list[str] = []
    start = 0
    while start < len(chunk):
        for end in range(min(len(chunk), start + _CONFIRM_PIECE), start, -1):
            kind = vocabulary.get(chunk[start:end])
            if kind is not None:
                kinds.append(kind)
                start = end
                break
        else:
            return None
    return kinds


def _resolve_negations(kinds: list[str]) -> set[str]:
    """The kinds of a chunk with each negation applied to the next word it can reach.

    "不" + yes is no ("不行"), "不" + the action is a negated action ("不取消"), "不" + no is
    a double negation; a negation followed by nothing it can negate is a plain no.
    """
    resolved: set[str] = set()
    negated = False
    for kind in kinds:
        if kind == _FILLER:
            continue
        if negated and kind in (_YES, _ACTION, _NO):
            resolved.add({_YES: _NO, _ACTION: _NEGATED_ACTION, _NO: _DOUBLE_NEGATION}[kind])
            negated = False
            continue
        if negated:
            resolved.add(_NO)
        negated = kind == _NEGATION
        if kind in (_YES, _NO, _ACTION):
            resolved.add(kind)
    if negated:
        resolved.add(_NO)
    return resolved


_QUESTION = re.compile(
    r"[?？]|吗|呢|多久|多少|几天|什么时候|啥时候|怎么|怎样|如何|哪|是否|有没有|能不能|可不可以"
    r"|行不行|进度|状态|到了没|发货没|了没"
)
_REQUEST = re.compile(
    r"^(?:等下|等等|稍等|先|那|对了|另外|还有|顺便)?[，,\s]*(?:帮我|给我|麻烦|请|我要|我想|我需要|查)"
)


def looks_like_request(value: Any) -> bool:
    """Whether a reply reads as a question or a new request rather than a free-text answer.

    "我之前那个退款处理得怎么样了" and "先帮我查下HP20240003" do; "收到的东西坏了" and
    "搬家了，换个地址" do not. A form asking for a reason or an address takes any text, so
    only a message that also reads like this is a change of topic (with a confident intent).
    """
    text = normalize_text(value)
    return bool(_QUESTION.search(text) or _REQUEST.search(text) or ORDER_ID_RE.search(text))


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


_PROGRESS = re.compile(
    r"进度|进展|怎么样了|到哪(?:一步|了)|处理(?:得|的)?(?:怎么样|如何)|好了没|有结果|"
    r"什么时候(?:能)?(?:到账|处理好|退回|办好)"
)


def asks_progress(value: Any) -> bool:
    """Whether the text asks how far something already under way is ("退款处理得怎么样了").

    Never an answer to a form's question (a reason, an address), whatever its intent.
    """
    return _PROGRESS.search(normalize_text(value)) is not None
