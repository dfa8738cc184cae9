"""Masking of personal data (phones, ID-card numbers, names, addresses).

One place decides how personal data looks outside the systems of record: bot replies,
logs, exports and transcripts all call these functions. Functions are pure and never
raise on odd input; they return the input unchanged when there is nothing to mask.
"""

from __future__ import annotations

import logging
import re
from typing import Any

# Mainland mobile numbers, optionally with +86/86 and separators (138-0013-8001).
_PHONE_RE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
# 18-digit resident ID numbers (last character may be X).
_ID_CARD_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
# An address keeps its province/city/district; the street part is hidden.
_ADDRESS_HEAD_RE = re.compile(r"^(.*?(?:省|自治区|市).*?(?:市|区|县|旗|州))")
# An address inside free text: a city (and district), then a street, number or building.
_HAN = "\u4e00-\u9fa5"
_ADDRESS_IN_TEXT_RE = re.compile(
    rf"((?:[{_HAN}]{{2,7}}(?:省|自治区))?[{_HAN}]{{2,7}}市(?:[{_HAN}]{{1,7}}?(?:区|县|旗))?)"
    rf"([{_HAN}A-Za-z0-9#＃\-－]{{0,30}}?"
    rf"(?:路|街|道|巷|弄|胡同|号|栋|幢|单元|室|村|小区|大厦|公寓|花园)"
    rf"[{_HAN}A-Za-z0-9#＃\-－]*)"
)


def mask_phone(phone: str) -> str:
    """Masks a mobile number as 138****8001 (keeps the first 3 and last 4 digits)."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_name(name: str) -> str:
    """Masks a Chinese personal name as 张* / 欧阳** (keeps the first character)."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)


def mask_address(address: str) -> str:
    """Keeps province/city/district of an address and hides the rest (上海市浦东新区****)."""
    address = (address or "").strip()
    if not address:
        return address
    match = _ADDRESS_HEAD_RE.match(address)
    head = match.group(1) if match else address[:3]
    return head + "****"


def mask_id_card(number: str) -> str:
    """Masks an ID-card number as 110101********1234."""
    number = (number or "").strip()
    if len(number) < 8:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_text(text: str) -> str:
    """Masks every phone and ID-card number inside free text (messages, log lines)."""
    if not text:
        return text
    text = _ID_CARD_RE.sub(lambda m: m.group(1) + "********" + m.group(3), text)
    return _PHONE_RE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


def mask_addresses(text: str) -> str:
    """Hides the street part of every address inside free text (上海市浦东新区****).

    An address is a city (optionally with its province and district) followed by a
    street, number or building; only the city and district stay. Meant for exports of
    whole transcripts, where customers type their addresses.
    """
    if not text:
        return text
    return _ADDRESS_IN_TEXT_RE.sub(lambda m: m.group(1) + "****", text)


def mask_data(value: Any, depth: int = 32) -> Any:
    """A copy of a JSON-like value with :func:`mask_text` applied to every string in it.

    Dict keys are masked too; numbers, booleans and ``None`` are kept. Nesting deeper
    than ``depth`` is replaced by ``None`` (the value came from outside and is shown, not
    processed).
    """
    if isinstance(value, str):
        return mask_text(value)
    if depth <= 0:
        return None
    if isinstance(value, dict):
        return {mask_data(key, depth): mask_data(item, depth - 1) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_data(item, depth - 1) for item in value]
    return value


class MaskingFilter(logging.Filter):
    """A logging filter that masks personal data in every record it sees.

    Attach it to the handlers of a process (see :func:`install_log_masking`) so that a
    phone number in a user's message never reaches a log file in clear text.
    """

    def filter(self, record: logging.LogRecord) -> bool:  # noqa: D102
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not break logging
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg = masked
            record.args = None
        _mask_exception(record)
        return True


def _mask_exception(record: logging.LogRecord) -> None:
    """Masks the record's traceback text (formatted now if no handler did it yet)."""
    text = record.exc_text
    if not text and record.exc_info:
        try:
            text = _TRACEBACK_FORMATTER.formatException(record.exc_info)
        except Exception:  # an exception whose str() fails must not break logging
            return
    if text:
        masked = mask_text(text)
        if masked != text:
            record.exc_text = masked  # handlers print the cached text as is


_TRACEBACK_FORMATTER = logging.Formatter()


def install_log_masking() -> None:
    """Masks personal data in every log record this process creates from now on.

    Works through the log record factory, so it covers records handled by any handler,
    including handlers that libraries (Rasa, sanic) configure later. Idempotent.
    """
    previous = logging.getLogRecordFactory()
    if getattr(previous, "zhike_masking", False):
        return

    def masking_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _FILTER.filter(record)
        return record

    masking_factory.zhike_masking = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(masking_factory)


_FILTER = MaskingFilter()
