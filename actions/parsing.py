"""Pure parsing of what users type: no I/O, no Rasa objects, easy to test."""

from __future__ import annotations

import re
from typing import Any

from zhike.common.confirmations import normalize_text as folded_text
from zhike.common.confirmations import says_only_go_on
from zhike.common.formats import valid_credit_code
from zhike.common.ids import ORDER_ID_DIGITS, ORDER_ID_PREFIX

# "HP 2024 0001" is fine too: spaces between the prefix and the digits are dropped.
ORDER_ID_RE = re.compile(
    rf"(?<![A-Za-z0-9]){ORDER_ID_PREFIX}\s*(\d{{{ORDER_ID_DIGITS}}})(?!\d)", re.IGNORECASE
)


def normalize_text(value: Any) -> str:
    """Returns ``value`` as text with full-width letters/digits folded (ＨＰ２０２４ -> HP2024).

    A list (a slot Rasa filled from several entities) is read as its first value.
    """
    if isinstance(value, list):
        value = value[0] if value else ""
    return folded_text(value)


def typed_text(value: Any) -> str:
    """What the customer typed: normalized text, empty for a button's payload.

    A payload (``/affirm``, ``/inform{...}``) is a choice, never an answer in words, so it
    cannot become a reason, an address or a rating.
    """
    text = normalize_text(value)
    return "" if text.startswith("/") else text


def parse_order_id(value: Any) -> str | None:
    """Finds an order number (HP + 8 digits) in ``value`` and returns it upper-cased.

    Args:
        value: a slot value or a whole message, e.g. ``"订单号是hp20240001哦"``.

    Returns:
        ``"HP20240001"``, or ``None`` when ``value`` holds no well-formed order number.
    """
    match = ORDER_ID_RE.search(normalize_text(value))
    return f"{ORDER_ID_PREFIX}{match.group(1)}" if match else None


_MOBILE_IN_TEXT_RE = re.compile(
    r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)"
)
_FOUR_DIGITS_RE = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_SIX_DIGITS_RE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
_CREDIT_IN_TEXT_RE = re.compile(r"(?<![0-9A-Z])([0-9A-Z]{18})(?![0-9A-Z])")
_PERSONAL_TITLES = {"个人", "本人", "个人抬头", "个人发票", "开个人", "个人的", "私人"}
# A request or a question, not a name: "发我邮箱吧" (asked for the company's name) was
# taken for the title. A name ending in 吧 (某某网吧) is still a name.
_NOT_A_TITLE = re.compile(
    r"发我|发到|发给|寄到|寄给|给我|帮我|邮箱|邮件|怎么|为什么|能不能|可不可以|可以吗|行吗|好吗|"
    r"多久|什么时候|[吗呢嘛][?？!！。~～]*$"
)
_ADDRESS_HINTS = (
    "省",
    "市",
    "区",
    "县",
    "镇",
    "乡",
    "路",
    "街",
    "道",
    "号",
    "村",
    "巷",
    "弄",
    "室",
)


def parse_mobile_phone(value: Any) -> str | None:
    """A mainland mobile number in ``value`` (``+86 138-0013-8001`` -> ``13800138001``)."""
    match = _MOBILE_IN_TEXT_RE.search(normalize_text(value))
    return "".join(match.groups()) if match else None


def is_only_mobile_phone(value: Any) -> bool:
    """Whether ``value`` is a mainland mobile number and nothing else ("138 0013 8001")."""
    return _MOBILE_IN_TEXT_RE.fullmatch(normalize_text(value).strip()) is not None


def parse_phone_last4(value: Any) -> str | None:
    """The last 4 digits of the phone: four digits standing alone, or a whole mobile number.

    ``"尾号8001"`` and ``"13800138001"`` (customers often type the full number) both give
    ``"8001"``; only those digits are checked, the rest is not kept.
    """
    text = normalize_text(value)
    mobile = parse_mobile_phone(text)
    if mobile is not None:
        return mobile[-4:]
    matches = _FOUR_DIGITS_RE.findall(text)
    return matches[0] if len(matches) == 1 else None


def parse_binding_code(value: Any) -> str | None:
    """A 6-digit one-time code in ``value``."""
    matches = _SIX_DIGITS_RE.findall(normalize_text(value))
    return matches[0] if len(matches) == 1 else None


# "好的 地址是…", "嗯 改到…", "麻烦送到…": what stands before the address (or its label).
# A word of it counts only before a pause or the label: 行知路, 那曲市 are places.
_ADDRESS_LEAD_IN = re.compile(
    r"^(?:(?:好的?|嗯+|哦+|行|可以|那就?|麻烦(?:你|您)?|请)"
    r"(?:[，,。.!！~～\s]+|(?=改(?:成|为|到)|(?:送|寄|发)到|(?:新的?)?(?:收货)?地址)))*"
    r"(?:改(?:成|为|到)|(?:送|寄|发)到)?\s*"
)


def parse_address(value: Any) -> str | None:
    """A plausible Chinese delivery address (8-200 characters with place words), cleaned.

    Returns ``None`` for text that cannot be a full address ("改一下地址", "北京").
    """
    text = _ADDRESS_LEAD_IN.sub("", normalize_text(value).strip())
    text = re.sub(r"^(?:新的?)?(?:收货)?地址(?:是|为|改成|改为)?[:：\s]*", "", text)
    text = re.sub(r"\s+", " ", text).strip(" 。.,，")
    text = re.sub(r"(?<=[号室栋楼元层户])[吧呀哈啊]+[。.!！~～]*$", "", text)  # "…88号吧"
    if not 8 <= len(text) <= 200:
        return None
    if sum(hint in text for hint in _ADDRESS_HINTS) < 2:
        return None
    return text


# The words that label a title, before the name: "抬头是", "公司是", "公司名称：".
TITLE_LABEL = (
    r"(?:抬头(?:是|为|开|写成?|用)?|(?:公司|单位)(?:名称|名字|全称|名)?(?:是|为|叫|[:：])"
    r"|(?:公司|单位)(?:名称|名字|全称|名))"
)
_LABELLED = re.compile(rf"^(?:改成|改为|换成|写成)?(?:发票)?{TITLE_LABEL}?[:：\s]*")


def parse_invoice_title(value: Any) -> str | None:
    """``"个人"`` for a personal invoice, else a company name of 2-100 characters."""
    text = _LABELLED.sub("", normalize_text(value).strip(" 。.,，"), count=1)
    if text in _PERSONAL_TITLES:
        return "个人"
    if not 2 <= len(text) <= 100 or re.fullmatch(r"[\d\W_]+", text) or _NOT_A_TITLE.search(text):
        return None
    return text


def parse_tax_number(value: Any) -> str | None:
    """A valid unified social credit code in ``value`` (upper-cased), else ``None``."""
    text = normalize_text(value).upper()
    for candidate in _CREDIT_IN_TEXT_RE.findall(text):
        if valid_credit_code(candidate):
            return str(candidate)
    return None


def parse_reason(value: Any, limit: int = 200) -> str | None:
    """A free-text reason of 2-``limit`` characters, whitespace collapsed.

    Words of going on before it are no part of it: "哦好 继续退吧 质量不太行" (after a
    question answered in passing) gives "质量不太行".
    """
    text = re.sub(r"\s+", " ", normalize_text(value)).strip()
    clauses = [c for c in _CLAUSES.split(text) if c]
    while len(clauses) > 1 and says_only_go_on(clauses[0]):
        clauses.pop(0)
        text = text[text.index(clauses[0]) :]
    return text if 2 <= len(text) <= limit else None


# Words that give a reason to return an order ("买错了", "质量太差", "尺码偏小").
_REASON_WORDS = re.compile(
    r"买错|拍错|下错|多买|多拍|买多|买重|不想要|不要了|不喜欢|不合适|不需要|用不上|"
    r"质量|瑕疵|坏了|坏的|破了|破损|碎了|裂了|有问题|故障|不能用|用不了|没法用|"
    r"发错|错发|少件|漏发|少发|缺件|尺码|太大|太小|偏大|偏小|色差|假货|描述不符|过敏|"
    r"划痕|划伤|刮花|掉漆|异响|漏水|漏电|不加热|没反应|不亮|开胶|变形|发霉|过期"
)
# A clause that asks ("质量问题退货运费谁出") gives no reason.
_ASKS = re.compile(r"[吗么呢嘛?？]|怎么|为什么|为啥|谁|多少|几[天个号]|什么|如何|能不能|可不可以")
_CLAUSES = re.compile(r"[，,。.!！;；\s]+")
REASON_CLAUSE_MAX = 30
# "改成" / "其实是" before a reason that replaces another one.
_CHANGED_TO = re.compile(r"^(?:原因|其实|应该|而|还)*(?:改成|改为|换成|写成|是)+")


def reason_in(value: Any, last: bool = False) -> str | None:
    """The clauses of a message that say why an order goes back ("买错了"), if any.

    The first such clause, with those right after it that say more ("质量问题 屏幕有划痕"
    gives "质量问题，屏幕有划痕"), at most :data:`REASON_CLAUSE_MAX` characters together.

    Only a clause with a word of :data:`_REASON_WORDS` that asks nothing, at most
    :data:`REASON_CLAUSE_MAX` characters: "质量太差了我要退款" gives the whole clause,
    "等下 先问问退款会退到哪里" nothing. With ``last``, the last such clause, without
    the words that change it: "不是买错 改成质量问题" gives "质量问题".
    """
    clauses = _CLAUSES.split(normalize_text(value))
    if not last:
        # "质量问题 屏幕有划痕": the reason and the clauses right after it that say more
        found = [index for index, clause in enumerate(clauses) if _says_why(clause)]
        if not found:
            return None
        end = found[0] + 1
        while end in found and len("，".join(clauses[found[0] : end + 1])) <= REASON_CLAUSE_MAX:
            end += 1
        return "，".join(clauses[found[0] : end])
    for clause in reversed(clauses):
        if clause.startswith("不是"):
            continue  # "质量问题 不是买错": the reason it is not
        clause = _CHANGED_TO.sub("", clause)
        if _says_why(clause):
            return clause
    return None


def _says_why(clause: str) -> bool:
    """Whether a clause gives a reason and asks nothing (at most REASON_CLAUSE_MAX long)."""
    return (
        2 <= len(clause) <= REASON_CLAUSE_MAX
        and bool(_REASON_WORDS.search(clause))
        and not _ASKS.search(clause)
    )
