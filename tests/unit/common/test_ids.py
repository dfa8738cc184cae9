"""The id formats shared by the backend, its clients and the channels."""

from __future__ import annotations

import pytest

from zhike.common.ids import (
    format_id,
    id_number,
    normalize_course_id,
    normalize_customer_id,
    normalize_lesson_id,
    normalize_order_id,
    normalize_student_id,
    normalize_ticket_id,
)


def test_format_and_parse() -> None:
    assert format_id("TK", 20240001) == "TK20240001"
    assert format_id("RF", 7) == "RF00000007"
    assert id_number("TK", "TK20240001") == 20240001
    assert id_number("TK", "RF20240001") is None
    assert id_number("IV", "INV20240001") is None
    assert id_number("TK", "TK2024000") is None
    for bad in (-1, 10**8):
        with pytest.raises(ValueError):
            format_id("TK", bad)


def test_normalizers() -> None:
    assert normalize_order_id(" hp20240001 ") == "HP20240001"
    assert normalize_customer_id("c001") == "C001"
    assert normalize_ticket_id("tk20240002") == "TK20240002"
    assert normalize_student_id("s002") == "S002"
    assert normalize_course_id("cs001") == "CS001"
    assert normalize_lesson_id("cs001-20241127") == "CS001-20241127"
    assert normalize_lesson_id("课次") is None
    assert normalize_lesson_id("-CS001") is None
    assert normalize_order_id(None) is None  # type: ignore[arg-type]
    assert normalize_ticket_id("TK2024") is None
