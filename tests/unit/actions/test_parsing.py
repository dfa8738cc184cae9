import pytest

from actions.parsing import normalize_text, parse_order_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("HP20240001", "HP20240001"),
        ("hp20240003", "HP20240003"),
        ("订单号是Hp20240002哦", "HP20240002"),
        ("ＨＰ２０２４０００５", "HP20240005"),  # full-width input from a Chinese IME
        ("HP 20240001", "HP20240001"),
        (["HP20240004"], "HP20240004"),
        ("HP2024000", None),  # 7 digits
        ("HP202400011", None),  # 9 digits
        ("XHP20240001", None),
        ("20240001", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_order_id(value: object, expected: str | None) -> None:
    assert parse_order_id(value) == expected


def test_normalize_text_folds_full_width_characters() -> None:
    assert normalize_text("  ＡＢＣ１２３ ") == "ABC123"
