import logging

import pytest

from zhike.privacy import (
    MaskingFilter,
    mask_address,
    mask_id_card,
    mask_name,
    mask_phone,
    mask_text,
)


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13800138001", "138****8001"),
        ("138-0013-8001", "138****8001"),
        ("+86 13900139002", "139****9002"),
        ("12345", "*****"),
        ("", ""),
    ],
)
def test_mask_phone(raw: str, masked: str) -> None:
    assert mask_phone(raw) == masked


def test_mask_name_keeps_only_the_family_name() -> None:
    assert mask_name("张伟") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("李") == "李"


def test_mask_address_keeps_the_district_and_hides_the_street() -> None:
    masked = mask_address("上海市浦东新区张江路88号3栋1201室")
    assert masked == "上海市浦东新区****"
    assert "张江路" not in mask_address("广东省深圳市南山区科技园张江路1号")


def test_mask_id_card() -> None:
    assert mask_id_card("11010119900307123X") == "110101********123X"


def test_mask_text_masks_every_phone_and_id_but_not_order_numbers() -> None:
    text = "订单HP20240001，手机13800138001，另一个139 0013 9002，身份证110101199003071234"
    masked = mask_text(text)
    assert "HP20240001" in masked
    assert "13800138001" not in masked and "138****8001" in masked
    assert "139****9002" in masked
    assert "110101********1234" in masked


def test_masking_filter_masks_log_records(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("zhike.test.privacy")
    caplog.handler.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO, logger="zhike.test.privacy"):
        logger.info("user %s said %s", "u1", "我的手机号是13800138001")
    assert "13800138001" not in caplog.text
    assert "138****8001" in caplog.text
