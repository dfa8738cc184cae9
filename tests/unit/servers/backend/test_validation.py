"""Pure validation: GB 32100-2015 credit codes, mobile numbers, free text."""

from __future__ import annotations

import pytest

from zhike.common.formats import (
    CREDIT_CODE_CHARSET,
    credit_code_check_char,
    normalize_credit_code,
    normalize_mobile,
    valid_credit_code,
)
from zhike.servers.backend.validation import clean_text

# Real-format codes whose check characters were computed with GB 32100-2015 (weights
# 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28, modulo 31); the first is the example
# commonly cited in documentation.
VALID = [
    "91350100M000100Y43",
    "9144030071526726XG",
    "91330100716105852F",
    "91110108551385082Q",
    "911100007109288314",
    "12100000400000000W",
    "91310115MA1K3YJ0A8",
    "91440300MA5EXAMPLA",
]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes(code: str) -> None:
    assert valid_credit_code(code)
    assert credit_code_check_char(code[:17]) == code[17]


@pytest.mark.parametrize("code", VALID)
def test_every_other_check_character_is_refused(code: str) -> None:
    wrong = [char for char in CREDIT_CODE_CHARSET if char != code[17]]
    assert len(wrong) == 30
    assert not any(valid_credit_code(code[:17] + char) for char in wrong)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "91350100M000100Y4",  # 17 characters
        "91350100M000100Y433",  # 19 characters
        "91350100m000100y43",  # lower case: callers normalise first
        "91350100M000100I43",  # I is not in the character set
        "91350100M00O100Y43",  # neither is O
        "913501A0M000100Y43",  # the division code (positions 3-8) is 6 digits
        "91350100M000100Y4 ",
        "９1350100M000100Y43",  # full-width digit
    ],
)
def test_malformed_codes(code: str) -> None:
    assert not valid_credit_code(code)


def test_check_character_of_malformed_prefix() -> None:
    assert credit_code_check_char("91350100M000100Y") is None
    assert credit_code_check_char("91350100M000100YZ") is None  # Z is not allowed
    assert credit_code_check_char("00000000000000000") == "0"  # sum 0 -> 31 -> 0


def test_non_strings_are_not_codes() -> None:
    assert not valid_credit_code(None)  # type: ignore[arg-type]
    assert not valid_credit_code(913501000000100043)  # type: ignore[arg-type]


def test_normalize_credit_code() -> None:
    assert normalize_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert normalize_credit_code("  ") is None
    assert normalize_credit_code(None) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138001", "13800138001"),
        (" 138 0013 8001 ", "13800138001"),
        ("138-0013-8001", "13800138001"),
        ("+86 138 0013 8001", "13800138001"),
        ("8613800138001", "13800138001"),
        ("(139)00139002", "13900139002"),
        ("12800138001", None),
        ("1380013800", None),
        ("138001380011", None),
        ("1380013800a", None),
        ("", None),
        (None, None),
        (13800138001, None),
    ],
)
def test_normalize_mobile(raw: object, expected: str | None) -> None:
    assert normalize_mobile(raw) == expected  # type: ignore[arg-type]


def test_clean_text() -> None:
    assert clean_text("  地址  ", 1, 2) == "地址"
    assert clean_text("   ", 1, 10) is None
    assert clean_text("", 0, 10) == ""
    assert clean_text("长" * 11, 1, 10) is None
    assert clean_text(5, 0, 10) is None  # type: ignore[arg-type]
