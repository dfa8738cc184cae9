"""Chinese business identifier formats, shared by actions and the reference backend.

Pure functions, no I/O.
"""

from __future__ import annotations

import re

# GB 32100-2015: the 31 characters a unified social credit code may use (no I O S V Z).
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_VALUES = {char: value for value, char in enumerate(CREDIT_CODE_CHARSET)}

_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_PHONE_SEPARATORS_RE = re.compile(r"[\s\-()（）]")


def credit_code_check_char(first17: str) -> str | None:
    """The GB 32100-2015 check character of the first 17 characters of a credit code.

    Returns ``None`` when ``first17`` is not 17 characters of the code's character set.
    """
    if len(first17) != 17 or any(char not in _CREDIT_VALUES for char in first17):
        return None
    total = sum(
        _CREDIT_VALUES[char] * CREDIT_CODE_WEIGHTS[index] for index, char in enumerate(first17)
    )
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def valid_credit_code(code: str) -> bool:
    """True for an 18-character unified social credit code (统一社会信用代码) that is well formed.

    Checks GB 32100-2015: upper-case characters of :data:`CREDIT_CODE_CHARSET`, a 6-digit
    administrative division code in positions 3-8, and the check character (position 18)
    computed from the first 17 with :data:`CREDIT_CODE_WEIGHTS` modulo 31. Callers
    normalise case and whitespace first.
    """
    if not isinstance(code, str) or len(code) != 18 or not code[2:8].isdigit():
        return False
    return credit_code_check_char(code[:17]) == code[17]


def normalize_credit_code(value: str | None) -> str | None:
    """``value`` stripped and upper-cased, or ``None`` when empty (no validation)."""
    text = (value or "").strip().upper()
    return text or None


def normalize_mobile(value: str | None) -> str | None:
    """A mainland mobile number as 11 digits (``+86 138-0013-8001`` -> ``13800138001``).

    Returns ``None`` when the value is not a mainland mobile number.
    """
    if not isinstance(value, str):
        return None
    digits = _PHONE_SEPARATORS_RE.sub("", value.strip())
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if _MOBILE_RE.match(digits) else None


def yuan(fen: int) -> str:
    """An amount in fen as yuan with two decimals: ``12990`` -> ``"129.90"``."""
    return f"{fen // 100}.{fen % 100:02d}"
