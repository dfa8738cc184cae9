"""Chinese business identifier formats, shared by actions and the reference backend.

Pure functions, no I/O.
"""

from __future__ import annotations

import re

# GB 32100-2015 unified social credit code (统一社会信用代码): 18 characters from an
# alphabet without I, O, S, V and Z; the last one is a check character.
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_RE = re.compile(rf"^[{_CREDIT_ALPHABET}]{{18}}$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def valid_credit_code(code: str) -> bool:
    """Whether ``code`` is a unified social credit code with a correct check character.

    Args:
        code: upper-case, 18 characters, e.g. ``91350100M000100Y43``.
    """
    if not isinstance(code, str) or not _CREDIT_RE.match(code):
        return False
    pairs = zip(_CREDIT_WEIGHTS, code[:17], strict=True)
    total = sum(weight * _CREDIT_ALPHABET.index(char) for weight, char in pairs)
    return _CREDIT_ALPHABET[(31 - total % 31) % 31] == code[17]


def valid_mobile(phone: str) -> bool:
    """Whether ``phone`` is an 11-digit mainland China mobile number (``1[3-9]``...)."""
    return isinstance(phone, str) and bool(_MOBILE_RE.match(phone))
