"""Pure parsing of invoice-change answers: what to change, e-mail, bank and mailing details.

No I/O. Each parser returns ``None`` when the text does not hold a usable answer; the
backend checks the same values again (it owns the rules).
"""

from __future__ import annotations

import re
from typing import Any

from actions.parsing import normalize_text, parse_address
from zhike.common.formats import normalize_mobile

TITLE = "title"
VAT_SPECIAL = "vat_special"
ELECTRONIC_NORMAL = "electronic_normal"
PAPER = "paper"
ELECTRONIC = "electronic"
CHANGE_KINDS = (TITLE, VAT_SPECIAL, ELECTRONIC_NORMAL, PAPER, ELECTRONIC)

_VAT_RE = re.compile(r"专票|专用发票|增值税专用|增票|专用票")
_NORMAL_RE = re.compile(r"普票|普通发票|普通票|增值税普通|电子普通")
_PAPER_RE = re.compile(r"纸质|纸票|纸版|纸的|邮寄|寄到|寄给|寄过来|快递给")
_ELECTRONIC_RE = re.compile(r"电子版|电子发票|电子的|电子票")
_TITLE_RE = re.compile(r"抬头|公司|个人|税号|单位名")
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_LANDLINE_RE = re.compile(r"(?<!\d)(0\d{2,3}-?\d{7,8}|1[3-9]\d{9}|400-?\d{3}-?\d{4})(?!\d)")
_MOBILE_RE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
_ACCOUNT_RE = re.compile(r"(?<!\d)\d(?:[\d\s-]{6,40})\d(?!\d)")
_LABELS_RE = re.compile(
    r"(?:公司)?(?:注册)?(?:地址|电话|手机号?|联系电话|开户(?:银)?行|银行账号|账号|收件人|"
    r"邮寄|寄到|名称|是|为)[:：]?"
)


def _last(text: str, patterns: dict[str, re.Pattern[str]]) -> str | None:
    """The key whose pattern matches last in ``text`` ("普票换成专票" -> 专票)."""
    best, where = None, -1
    for key, pattern in patterns.items():
        for match in pattern.finditer(text):
            if match.start() > where:
                best, where = key, match.start()
    return best


def parse_change_kind(value: Any) -> str | None:
    """What the customer wants changed: title, vat_special, electronic_normal, paper, electronic.

    The type (专票/普票) is read first, then the title, then the medium; of two types or
    media the one named last is the target ("把普票换成专票" -> ``vat_special``).
    """
    text = normalize_text(value)
    if text in CHANGE_KINDS:
        return text
    kind = _last(text, {VAT_SPECIAL: _VAT_RE, ELECTRONIC_NORMAL: _NORMAL_RE})
    if kind is not None:
        return kind
    if _TITLE_RE.search(text):
        return TITLE
    return _last(text, {PAPER: _PAPER_RE, ELECTRONIC: _ELECTRONIC_RE})


def parse_email(value: Any) -> str | None:
    """The first well-formed e-mail address in the text, else ``None``."""
    match = _EMAIL_RE.search(normalize_text(value))
    return match.group(0) if match else None


def _rest(text: str, taken: str) -> str:
    rest = _LABELS_RE.sub(" ", text.replace(taken, " ") if taken else text)
    return re.sub(r"\s+", " ", rest).strip(" ,，。;；、")


def parse_company_address(value: Any) -> tuple[str, str] | None:
    """``(registered address, phone)`` of a company, from one message, else ``None``."""
    text = normalize_text(value)
    match = _LANDLINE_RE.search(text.replace(" ", ""))
    if match is None:
        return None
    phone = match.group(1)
    address = _rest(text.replace(" ", ""), phone)
    return (address, phone) if len(address) >= 6 else None


def parse_bank(value: Any) -> tuple[str, str] | None:
    """``(bank name, account digits)`` from one message ("招商银行上海分行 6214 8888 ..")."""
    text = normalize_text(value)
    match = _ACCOUNT_RE.search(text)
    if match is None:
        return None
    account = re.sub(r"\D", "", match.group(0))
    if not 8 <= len(account) <= 30:
        return None
    bank = _rest(text, match.group(0))
    if len(bank) < 4 or not re.search(r"银行|信用社|农商|支行|分行", bank):
        return None
    return bank, account


def parse_mail_address(value: Any) -> str | None:
    """A full mailing address ("寄到上海市…" keeps the address only), else ``None``."""
    text = normalize_text(value)
    found = re.search(r"(?:寄到|邮寄到|寄给我?|地址[是为:：]?)(.+)$", text)
    candidate = found.group(1) if found else text
    candidate = _MOBILE_RE.sub(" ", candidate)
    return parse_address(candidate.strip(" ，,。"))


def parse_mail_contact(value: Any) -> tuple[str, str] | None:
    """``(recipient, mobile)`` from "张伟 13800138001", else ``None``."""
    text = normalize_text(value)
    match = _MOBILE_RE.search(text)
    if match is None:
        return None
    phone = normalize_mobile(match.group(0).replace(" ", ""))
    name = _rest(text, match.group(0))
    if phone is None or not 1 <= len(name) <= 20 or re.search(r"\d", name):
        return None
    return name, phone
