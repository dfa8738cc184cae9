import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from zhike.common.privacy import (
    MaskingFilter,
    install_log_masking,
    mask_address,
    mask_addresses,
    mask_data,
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


def test_installed_masking_covers_handlers_created_later(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(logging, "_logRecordFactory", logging.getLogRecordFactory())
    install_log_masking()
    install_log_masking()  # idempotent
    logger = logging.getLogger("zhike.test.later")
    with caplog.at_level(logging.INFO, logger="zhike.test.later"):  # a handler added after
        logger.info("绑定手机 %s，身份证 %s", "13900139002", "110101199003071234")
    assert "13900139002" not in caplog.text and "139****9002" in caplog.text
    assert "110101199003071234" not in caplog.text


def test_a_launched_server_module_logs_masked(tmp_path: Path) -> None:
    script = tmp_path / "noisy_server.py"
    script.write_text(
        "import logging, sys\n"
        "logging.basicConfig(stream=sys.stdout, level=logging.INFO)\n"
        "logging.getLogger('noisy').info('customer phone 13800138001, args %s', sys.argv[1:])\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "zhike.tools.launch", "noisy_server", "--port", "1"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "138****8001" in result.stdout and "13800138001" not in result.stdout
    assert "['--port', '1']" in result.stdout  # the module got its own arguments


def test_mask_data_masks_every_string_of_a_json_value() -> None:
    value = {"slots": {"phone": "13800138001"}, "13900139002": [1, "身份证110101199003071234"]}
    assert mask_data(value) == {
        "slots": {"phone": "138****8001"},
        "139****9002": [1, "身份证110101********1234"],
    }
    assert mask_data(None) is None and mask_data(3) == 3
    deep: list = []
    for _ in range(100):
        deep = [deep]
    mask_data(deep)  # no RecursionError


def test_logged_tracebacks_are_masked_too(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("zhike.test.traceback")
    caplog.handler.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO, logger="zhike.test.traceback"):
        try:
            raise ValueError("cannot store 13800138001")
        except ValueError:
            logger.exception("storing failed")
    assert "ValueError" in caplog.text and "138****8001" in caplog.text
    assert "13800138001" not in caplog.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("改一下收货地址到上海市浦东新区张江路88号3栋502室，谢谢", "上海市浦东新区****，谢谢"),
        ("寄到北京市海淀区中关村大街1号", "寄到北京市海淀区****"),
        ("广东省深圳市南山区科技园科发路8号", "广东省深圳市南山区****"),
        ("帮我送到成都市天府三街69号", "帮我送到成都市****"),
        ("我在超市买的东西", "我在超市买的东西"),  # no address
        ("杭州市西湖区", "杭州市西湖区"),  # a district alone is no address
        ("", ""),
    ],
)
def test_addresses_in_free_text_keep_only_city_and_district(text: str, expected: str) -> None:
    assert mask_addresses(text).endswith(expected)
    assert "88号" not in mask_addresses(text) and "69号" not in mask_addresses(text)
