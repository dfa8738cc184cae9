"""Identifier formats shared by the backend service and its clients (pure, no I/O)."""

from __future__ import annotations

import re

ORDER_ID_RE = re.compile(r"^HP\d{8}$")
CUSTOMER_ID_RE = re.compile(r"^C\d{3,10}$")
TICKET_ID_RE = re.compile(r"^TK\d{8}$")

INVALID_ORDER_ID_MESSAGE = "订单号格式不正确：应为 HP 加 8 位数字，如 HP20240001"
INVALID_CUSTOMER_ID_MESSAGE = "客户编号格式不正确：应为 C 加数字，如 C001"


def normalize_order_id(value: str) -> str | None:
    """Returns ``value`` as a canonical order id (``hp20240001`` -> ``HP20240001``).

    Returns ``None`` when the value is not ``HP`` followed by exactly 8 digits.
    """
    candidate = (value or "").strip().upper()
    return candidate if ORDER_ID_RE.match(candidate) else None


def normalize_customer_id(value: str) -> str | None:
    """Returns ``value`` as a canonical customer id (``c001`` -> ``C001``), else ``None``."""
    candidate = (value or "").strip().upper()
    return candidate if CUSTOMER_ID_RE.match(candidate) else None
