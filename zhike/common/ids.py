"""Identifier formats shared by the backend service, its clients, the NLU and the actions.

Pure, no I/O. The order number (``HP`` + 8 digits) is defined here once:
:data:`ORDER_ID_PATTERN` is what the tokenizer, the actions' parser and the backend use,
and a data test checks the ``order_id`` regex of ``data/nlu/orders.yml`` against it.

Every id is upper case; the ``normalize_*`` functions strip and upper-case a raw value
and return ``None`` when it does not have the expected shape.
"""

from __future__ import annotations

import re

ORDER_ID_PREFIX = "HP"
ORDER_ID_DIGITS = 8
ORDER_ID_PATTERN = rf"{ORDER_ID_PREFIX}\d{{{ORDER_ID_DIGITS}}}"  # HP\d{8}
ORDER_ID_RE = re.compile(rf"^{ORDER_ID_PATTERN}$")
CUSTOMER_ID_RE = re.compile(r"^C\d{3,10}$")
TICKET_ID_RE = re.compile(r"^TK\d{8}$")
STUDENT_ID_RE = re.compile(r"^S\d{3,10}$")
COURSE_ID_RE = re.compile(r"^CS\d{3,10}$")
LESSON_ID_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,31}$")

# Prefixes of the ids the service allocates (prefix + 8 digits), see
# zhike.servers.backend.sequences.
REFUND_PREFIX = "RF"
INVOICE_PREFIX = "IV"
LESSON_REQUEST_PREFIX = "LR"
TICKET_PREFIX = "TK"
INVOICE_CHANGE_PREFIX = "IC"
ALLOCATED_PREFIXES: tuple[str, ...] = (
    REFUND_PREFIX,
    INVOICE_PREFIX,
    LESSON_REQUEST_PREFIX,
    TICKET_PREFIX,
)
PRICE_PROTECTION_PREFIX = "PP"  # 价保 applications
ALLOCATED_PREFIXES += (PRICE_PROTECTION_PREFIX,)
VISIT_PREFIX = "SV"  # installation and repair visits (sequences.py allocates it too)
ALLOCATED_PREFIXES += (VISIT_PREFIX,)
EXCHANGE_PREFIX = "EX"  # exchanges (换货), zhike.servers.backend.services.exchanges
ALLOCATED_PREFIXES += (EXCHANGE_PREFIX,)
ALLOCATED_PREFIXES += (INVOICE_CHANGE_PREFIX,)
DELIVERY_CHANGE_PREFIX = "DC"  # delivery changes (interceptions, windows, phones)
ALLOCATED_PREFIXES += (DELIVERY_CHANGE_PREFIX,)
ID_DIGITS = 8

INVALID_ORDER_ID_MESSAGE = "订单号格式不正确：应为 HP 加 8 位数字，如 HP20240001"
INVALID_CUSTOMER_ID_MESSAGE = "客户编号格式不正确：应为 C 加数字，如 C001"
INVALID_TICKET_ID_MESSAGE = "工单号格式不正确：应为 TK 加 8 位数字，如 TK20240001"


def _normalize(value: str | None, pattern: re.Pattern[str]) -> str | None:
    candidate = (value or "").strip().upper() if isinstance(value, str) else ""
    return candidate if pattern.match(candidate) else None


def normalize_order_id(value: str) -> str | None:
    """Returns ``value`` as a canonical order id (``hp20240001`` -> ``HP20240001``).

    Returns ``None`` when the value is not ``HP`` followed by exactly 8 digits.
    """
    return _normalize(value, ORDER_ID_RE)


def normalize_customer_id(value: str) -> str | None:
    """Returns ``value`` as a canonical customer id (``c001`` -> ``C001``), else ``None``."""
    return _normalize(value, CUSTOMER_ID_RE)


def normalize_ticket_id(value: str) -> str | None:
    """Returns ``value`` as a canonical ticket id (``tk20240001`` -> ``TK20240001``)."""
    return _normalize(value, TICKET_ID_RE)


def normalize_student_id(value: str) -> str | None:
    """Returns ``value`` as a canonical student id (``s001`` -> ``S001``), else ``None``."""
    return _normalize(value, STUDENT_ID_RE)


def normalize_course_id(value: str) -> str | None:
    """Returns ``value`` as a canonical course id (``cs001`` -> ``CS001``), else ``None``."""
    return _normalize(value, COURSE_ID_RE)


def normalize_lesson_id(value: str) -> str | None:
    """Returns ``value`` as a canonical lesson id (``cs001-20241127``), else ``None``."""
    return _normalize(value, LESSON_ID_RE)


def format_id(prefix: str, number: int) -> str:
    """``prefix`` plus ``number`` as 8 digits: ``format_id("TK", 20240001)`` is ``TK20240001``.

    Raises:
        ValueError: for a number that does not fit in 8 digits, or a negative one.
    """
    if not 0 <= number < 10**ID_DIGITS:
        raise ValueError(f"{prefix} id number out of range: {number}")
    return f"{prefix}{number:0{ID_DIGITS}d}"


def id_number(prefix: str, value: str) -> int | None:
    """The number of an allocated id (``id_number("TK", "TK20240001")`` is 20240001).

    Returns ``None`` when ``value`` is not ``prefix`` followed by exactly 8 digits.
    """
    digits = value[len(prefix) :] if value.startswith(prefix) else ""
    if len(digits) != ID_DIGITS or not digits.isdigit():
        return None
    return int(digits)
