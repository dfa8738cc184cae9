"""Yes or no typed in words: "确定", "好的", "嗯嗯", "不用了", "算了", "我再想想".

Shared by the actions (typed confirmations inside forms, :mod:`actions.typed_parsing`) and
the NLU floor (:mod:`zhike.nlu.intent_floor`: a message DIET took for yes or no that is
made of other words is not a yes or no). Pure functions, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any


def normalize_text(value: Any) -> str:
    """``value`` as text with full-width letters and digits folded (ＯＫ -> OK), stripped."""
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


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
        "考虑考虑 再看看 再说 否 no nope 放弃 取消 撤销 别了 没有 错了 用不着 免了 ❌ 🙅".split(),
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
# "好不好", "行不行": a question; "不行不行", "不是不是" repeat a no.
_A_NOT_A = re.compile(r"(?<!不)([^不了]{1,2})不\1")


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


_OPENING_WORDS = sorted(
    (word for word, kind in _CONFIRM_VOCABULARY.items() if kind in (_YES, _NO, _NEGATION)),
    key=len,
    reverse=True,
)
SHORT_REPLY = 12


def sounds_like_yes_or_no(value: Any) -> bool:
    """Whether a message is a yes or a no, plainly or in a short reply that opens with one.

    ``True`` for what :func:`parse_confirmation` reads, and for a short reply (at most
    :data:`SHORT_REPLY` characters) that starts with a word of yes or no ("嗯，就是这样",
    "不不，你搞错了") and asks nothing; ``False`` for the rest ("催眠曲", "一无所有", "是正品不?").
    """
    if parse_confirmation(value) is not None:
        return True
    normalized = normalize_text(value).lower()
    if _QUESTION.search(normalized):
        return False  # "是正品不?", "是不是没货了": a question, not an answer
    text = symbols_removed(normalized)
    return len(text) <= SHORT_REPLY and text.startswith(tuple(_OPENING_WORDS))


# A question of its own: a question mark, a closing question particle, or "A不A" / "有没有".
_QUESTION = re.compile(r"[?？]|[吗么嘛呢][\s。.!！~～]*$|([^不没])[不没]\1|有没有")


# "明白了", "好的知道了", "嗯嗯了解": the customer took in what was said. No yes to a
# question (a form's confirmation reads words of yes only), but no request either. One
# flat alternation per side (no nested repetition) on a short message only.
_ACKNOWLEDGEMENT = re.compile(
    r"(?:好|的|嗯|恩|哦|噢|ok|okay|行|我|[,，。.!！~～\s])*"
    r"(?:明白|知道|了解|懂|清楚|收到)"
    r"(?:了|啦|啊|哈|谢谢|多谢|感谢|你|您|[,，。.!！~～\s])*",
    re.I,
)
ACKNOWLEDGEMENT_LENGTH = 20


def is_acknowledgement(value: Any) -> bool:
    """Whether a message only says the customer understood ("好的明白了", "知道了")."""
    text = normalize_text(value).lower()
    return len(text) <= ACKNOWLEDGEMENT_LENGTH and bool(_ACKNOWLEDGEMENT.fullmatch(text))


# "算了 先不退了 我再想想", "那还是不退了吧", "没事了", "到了再说吧 谢谢", "那行吧 我再等等",
# "行吧 那不用人工了", "没了" (to "还有其他可以帮您的吗"): the customer drops the matter. A
# no to what is under way (a form stops, outside one the robot closes politely), never a
# request: it used to be a fallback, and two in a row a handoff. Only a short message made
# of these pieces, with one of the words that drop a matter.
_NEVER_MIND_PIECES = re.compile(
    r"不(?:用|要|需要|找)转?人工了?|"
    r"那?就?算[了啦]|先?不(?:用|退|换|改|取消|买|要|办|弄|开|修|装|约|请假|调)?了|用不着了?|还是|"
    r"不(?:需要|用|必)了?|"
    r"没(?:有)?(?:了|别的了?|其他的?了?|啥了|什么了|问题了)|就这些|"
    r"我?(?:再|先)?(?:等等|等一等|等一下|稍等)看?|"
    r"(?:这个|这|那个)?(?:那|也)?就?免了|"
    r"我?(?:再|先)?(?:想想|想一想|考虑考虑|考虑一下|看看)|没事了?|先这样|就这样|"
    r"(?:等)?(?:到了|到时候?|以后|回头|过两天|改天)?再说|谢谢|多谢|"
    r"[吧啊哈呢嗯哦好的那我行就了,，。.!！~～\s]"
)
_DROPS_IT = re.compile(
    r"算[了啦]|想想|想一想|考虑|先不|还是不|不用了|用不着|免了|没事了|再说"
    r"|不(?:用|要|需要|找)转?人工|^没(?:有)?(?:了|别的|其他|啥了|什么了|问题了)|就这些"
    r"|再等等|等等看|等一等|再等一下"
)
NEVER_MIND_LENGTH = 20


def is_never_mind(value: Any) -> bool:
    """Whether a message only drops the matter ("算了 先不退了 我再想想", "没事了")."""
    text = normalize_text(value).lower()
    if len(text) > NEVER_MIND_LENGTH or not _DROPS_IT.search(text):
        return False
    return not _NEVER_MIND_PIECES.sub("", text)


# Words of thanks (read case-insensitively).
THANKS_WORDS = r"谢谢|多谢|感谢|谢啦|谢了|3q|thx|thanks?"
# Whom thanks may be addressed to ("谢谢客服小姐姐"): no wish for a person.
_ADDRESSED = r"客服|小姐姐|小哥哥|小哥|美女|帅哥|亲爱的|亲|小智|机器人"
# "谢谢啦", "好的 谢谢", "谢谢客服小姐姐": thanks and nothing else.
_THANKS_ONLY = re.compile(
    rf"(?:好的?|嗯+|恩+|哦+|{THANKS_WORDS}|你|您|啦|啊|哈|呀|了|[,，。.!！~～\s])*"
    rf"(?:{THANKS_WORDS})(?:你|您|{_ADDRESSED}|啦|啊|哈|呀|了|[,，。.!！~～\s])*",
    re.I,
)


def is_thanks(value: Any) -> bool:
    """Whether a message only thanks ("谢谢啦", "好的 谢谢"): no answer to a question."""
    return bool(_THANKS_ONLY.fullmatch(normalize_text(value).lower()))


# "在线吗客服", "亲 在不在", "您好 有人吗": the customer says hello and asks nothing yet
_GREETING_WORDS = (
    r"你好|您好|妳好|在吗|在么|在嘛|在不在|在不|在线吗|在线么|在線嗎|有人吗|有人在吗|有没有人|"
    r"hi|hello|hey|嗨|哈喽|哈啰|喂|早上好|上午好|中午好|下午好|晚上好|早安|早|打扰一?下"
)
_GREETING_ONLY = re.compile(
    rf"(?:请问|{_ADDRESSED}|小智|亲亲?|呀|啊|哈|呢|[,，。.!！~～?？\s])*(?:{_GREETING_WORDS})"
    rf"(?:{_GREETING_WORDS}|请问|{_ADDRESSED}|小智|亲亲?|呀|啊|哈|呢|[,，。.!！~～?？\s])*",
    re.I,
)


def is_greeting(value: Any) -> bool:
    """Whether a message only greets ("在线吗客服", "亲 在不在"): nothing asked yet."""
    return bool(_GREETING_ONLY.fullmatch(normalize_text(value).lower()))


def is_yes_or_thanks(value: Any) -> bool:
    """A plain yes or thanks ("好的", "确定", "谢谢啦"): no pick among several options."""
    return parse_confirmation(value) is True or is_thanks(value)


# "哦好的 那继续吧", "嗯嗯", "好的": the customer lets the robot go on (after an answer given in
# passing), and says nothing more. No answer to a question that takes any words (a reason).
_GO_ON = re.compile(
    r"(?:好|的|嗯|恩|哦|噢|喔|ok|okay|行|可以|那|就|我们|咱们|[,，。.!！~～\s])*"
    r"(?:(?:继续|接着|往下|下一步)?(?:办|说|来|问)?"
    # "继续改地址", "接着办退款吧": going on with the form's own matter, named
    r"|(?:继续|接着)(?:办理?|弄|改|修改|退|换|申请|开|请|调)?"
    r"(?:地址|退款|退货|换货|发票|票|课|假|手续|这个|刚才的|刚才那个)?)"
    r"(?:吧|呀|啊|哈|呗|了|[,，。.!！~～\s])*",
    re.I,
)


def says_only_go_on(value: Any) -> bool:
    """Whether a short message only lets the robot go on ("哦好的 那继续吧", "嗯嗯", "好的")."""
    text = normalize_text(value).lower()
    return 0 < len(text) <= ACKNOWLEDGEMENT_LENGTH and bool(_GO_ON.fullmatch(text))
