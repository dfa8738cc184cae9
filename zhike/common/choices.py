"""Which of the offered buttons a customer means when they type instead of clicking.

"2", "第二个", "②", "选2", "最后一个" pick a button by its place; typing a button's title
picks it too. Shared by the forms (:mod:`actions.typed_answers`: a form's own options) and
the NLU (:mod:`zhike.nlu.typed_choice`: the buttons of the bot's latest turn outside forms),
which also reads a short reply in the words of one offered topic as that topic ("嗯 取消吧"
for 「取消订单」, :func:`named_button`). Pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from zhike.common.confirmations import normalize_text, symbols_removed
from zhike.common.questions import asks_question

_NUMERALS = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_DINGBATS = str.maketrans("❶❷❸❹❺❻❼❽❾➊➋➌➍➎➏➐➑➒", "123456789123456789")
_ORDINAL = re.compile(
    r"^(?:我|就|那|那就)*(?:选|要|选择|是)?(第)?(10|[1-9]|[一二三四五六七八九十])"
    r"(个|项|条|门|节|单|号|种|位|件|行)?(?:吧|啊|呀|哈|的|哦|呢|啦)*$"
)
_LAST = re.compile(
    r"^(?:我|就|那|那就)*(?:选|要|选择|是)?最后(?:一个|那个|一项|一条|这个)(?:吧|的)?$"
)


def parse_ordinal(value: Any, count: int) -> int | None:
    """The index (from 0) of the option ``value`` picks among ``count``, if it picks one.

    ``"2"``, ``"２"``, ``"②"``, ``"2️⃣"``, ``"第二个"``, ``"选2"``, ``"第2项吧"`` -> 1;
    ``"最后一个"`` -> ``count - 1``. A bare Chinese numeral ("二") is not an ordinal;
    neither is a number beyond the options.
    """
    text = symbols_removed(normalize_text(value).translate(_DINGBATS).lower())
    if count <= 0 or not text:
        return None
    if _LAST.match(text):
        return count - 1
    match = _ORDINAL.match(text)
    if match is None:
        return None
    first, numeral, measure = match.groups()
    if not numeral.isdigit() and not (first or measure):
        return None
    number = int(numeral) if numeral.isdigit() else _NUMERALS[numeral]
    return number - 1 if 1 <= number <= count else None


# "第二个到哪了", "第一单能开发票吗": an option named by its place, then what is asked of it.
_ORDINAL_THEN = re.compile(
    r"^(?:那|就|那就)?(?:看)?第(10|[1-9]|[一二三四五六七八九十])(?:个|单|笔|条|项)"
    r"(?:订单|单子)?[，,\s]*(\S.*)$"
)


def ordinal_reference(value: Any, count: int) -> tuple[int, str] | None:
    """``(index, the rest)`` when ``value`` names an option by its place and asks more.

    ``"第二个到哪了"`` -> ``(1, "到哪了")``; a bare ordinal ("第二个") is
    :func:`parse_ordinal`'s, and a place beyond the options is none.
    """
    match = _ORDINAL_THEN.match(normalize_text(value))
    if match is None or count <= 0:
        return None
    numeral, rest = match.groups()
    number = int(numeral) if numeral.isdigit() else _NUMERALS[numeral]
    if not 1 <= number <= count or not symbols_removed(rest):
        return None
    return number - 1, rest.strip()


def plain_title(value: Any) -> str:
    """``value`` without case, spaces, punctuation and emoji, to compare typed titles."""
    if not isinstance(value, str):
        return ""
    return symbols_removed(normalize_text(value).lower())


def chosen_button(text: Any, buttons: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The button ``text`` picks among ``buttons`` (by title or by place), else ``None``."""
    wanted = plain_title(text)
    if not wanted or not buttons:
        return None
    for button in buttons:
        if wanted == plain_title(button.get("title")):
            return button
    index = parse_ordinal(text, len(buttons))
    return None if index is None else buttons[index]


# A yes, a sound of assent, or a request for help, before the words of a button ("嗯 取消吧",
# "哦 那就七天无理由吧", "好吧 确定取消", "好的 帮我改地址"), and after them particles and a
# pointing word ("数学那个", "英语那门吧").
_YES_FIRST = re.compile(
    r"^(?:嗯+|恩+|哦+|噢+|喔+|额+|呃+|好吧|好的?|是的?|对的?|行|可以|ok|确定|确认|那就|那|"
    r"就是|就|选|请|麻烦|帮我)+"
)
_PARTICLES = re.compile(
    r"(?:吧|啊|呀|哈|的|哦|呢|啦|了|一下|[那这](?:一?个|门|节|笔|单|双|台|件|款|套|部))+$"
)
NAMED_LENGTH = (2, 6)


def named_button(
    text: Any, buttons: list[dict[str, Any]], shortest: int = NAMED_LENGTH[0]
) -> dict[str, Any] | None:
    """The button a short reply names by words of its title only, else ``None``.

    "嗯 取消吧" names 「取消订单」, "物流" 「查询物流进度」 and "数学那个" 「张小明 初二数学
    （秋季班）」 when no other title has those words; a yes, 帮我, particles and a pointing
    word around them do not count. A question ("可以取消吗")
    names nothing, nor do words found in two titles, or fewer than ``shortest`` (2) or
    more than 6 characters. Between two titles of different topics one character may do
    ("那改吧": 「继续修改收货地址」, not 「先咨询送达时间和运费」).
    """
    named = buttons_named(text, buttons, shortest)
    return named[0] if len(named) == 1 else None


# An order named by its state ("已经到的那个", "还没发货的"): the words its title shows.
_STATES = (
    (re.compile(r"^(?:已经|已)?(?:到了?|到货了?|收到了?|签收了?|送到了?)$"), "已签收"),
    (re.compile(r"^(?:还|尚)?(?:没|未)(?:有)?发(?:货|出)?$"), "等待发货"),
    (re.compile(r"^还?(?:在路上|在运输|运输中|(?:已经?)?发货了?|发出了?|还没到|没到)$"), "运输中"),
    (re.compile(r"^(?:在)?退款(?:中|的)?$"), "退款处理中"),
)


def buttons_named(
    text: Any, buttons: list[dict[str, Any]], shortest: int = NAMED_LENGTH[0]
) -> list[dict[str, Any]]:
    """The buttons whose titles have the words a short reply names (:func:`naming_core`).

    An order may be named by its state as its title shows it: "已经到的那个" names the
    one 「已签收」 (one of several air conditioners listed).
    """
    core = naming_core(text, shortest)
    if core is None:
        return []
    named = [button for button in buttons if core in plain_title(button.get("title"))]
    if named:
        return named
    shown = next((title for state, title in _STATES if state.match(core)), None)
    if shown is None:
        return []
    return [button for button in buttons if shown in plain_title(button.get("title"))]


def several_named(text: Any, buttons: list[dict[str, Any]]) -> str | None:
    """The words of a reply that names several buttons ("阅读那个", two reading lessons).

    Never digits: "41" (a shoe size) is in the titles of orders by their numbers.
    """
    core = naming_core(text)
    if core is None or any(char.isdigit() for char in core):
        return None
    return core if len(buttons_named(text, buttons)) > 1 else None


# "那帮我申请一下", "好的 帮我办一下吧": what is left of a reply that says to go ahead.
_GO_AHEAD = re.compile(r"(?:我要|我想|我)?(?:申请|办理|办|处理|操作|弄|提交|搞)下?")


def says_go_ahead(text: Any, words: Iterable[str] = ()) -> bool:
    """Whether a short reply only says to go ahead: "那帮我申请一下", "好的 帮我办一下吧".

    So does a form's own word for its change among ``words`` ("好的 那就退吧" with 退 in a
    refund); a question ("可以申请吗") does not.
    """
    plain = plain_title(text)
    if not plain or _ASKS.search(plain):
        return False
    bare = _PARTICLES.sub("", _YES_FIRST.sub("", plain))
    return bool(_GO_AHEAD.fullmatch(bare)) or bare in words


def go_ahead_button(text: Any, buttons: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The button a reply says to go ahead with, else ``None``.

    "那帮我申请一下" or "好的 帮我办一下吧" (:func:`says_go_ahead`) right after an answer
    offering one request (「申请退货/退款」) means that request, as do words of its title
    ("退货"); a question ("可以申请吗") does not. Among several, the first words name one
    when its details follow: "那开吧 公司是上海某某有限公司 税号…" after 「申请开发票」 and
    「修改发票」 (the form reads the details from the customer's words).
    """
    if len(buttons) == 1:  # one word of its title will do: "好的 那帮我约一下" (预约…)
        named = named_button(text, buttons) or named_button(text, buttons, shortest=1)
        return buttons[0] if says_go_ahead(text) or named else None
    first, rest = first_clause(text)
    if len(buttons) < 2 or not rest or len(first) > MAX_GO_AHEAD or asks_question(text):
        return None
    return named_button(first, buttons, shortest=1)


# "那个", "这门" before the words ("是那个破壁机的"): pointing, not naming.
_POINTING_FIRST = re.compile(r"^(?:[那这](?:一?个|门|节|笔|单|款|双|台|件)?|一?个)+")
_ASKS = re.compile(r"[?？吗么]|怎么|为什么|为啥|什么|多少|能不能|可不可以|是不是")


def naming_core(text: Any, shortest: int = NAMED_LENGTH[0]) -> str | None:
    """The words a short reply names something by, without a yes, pointing or particles.

    "就那个安踏的" -> "安踏", "嗯 数学那门吧" -> "数学"; ``None`` for a question
    ("那个能退吗") or words fewer than ``shortest`` (2) or more than 6 characters.
    """
    plain = plain_title(text)
    if _ASKS.search(plain):
        return None
    low, high = shortest, NAMED_LENGTH[1]
    pointed = _POINTING_FIRST.sub("", _YES_FIRST.sub("", _POINTING_FIRST.sub("", plain)))
    for core in (_PARTICLES.sub("", pointed), _PARTICLES.sub("", _YES_FIRST.sub("", plain))):
        if low <= len(core) <= high:
            return core  # "个人" stays a title: no word of two characters is left without 个
    return None


# How long the first words of a go-ahead with details after it may be ("那开吧").
MAX_GO_AHEAD = 6
# Where the first thing a reply says ends: a pause, the end of a sentence, a joining word.
_FIRST_CLAUSE_END = re.compile(r"[，,。.!！?？；;:：\s]+|(?=另外|还有|顺便|对了)")


def first_clause(text: Any) -> tuple[str, str]:
    """A reply's first clause and what follows it ("" when nothing does).

    "那开吧 公司是… 税号…" -> ("那开吧", "公司是… 税号…"); "那算了先不退了 我想问下保价" ->
    ("那算了先不退了", "我想问下保价").
    """
    parts = [part for part in _FIRST_CLAUSE_END.split(str(text or "").strip(), maxsplit=1) if part]
    return (parts[0], parts[1]) if len(parts) > 1 else ("".join(parts), "")
