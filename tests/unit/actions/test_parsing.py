import pytest

from actions.parsing import (
    normalize_text,
    parse_address,
    parse_binding_code,
    parse_invoice_title,
    parse_mobile_phone,
    parse_order_id,
    parse_phone_last4,
    parse_reason,
    parse_tax_number,
)


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13800138001", "13800138001"),
        ("我的手机号是13900139002哦", "13900139002"),
        ("+86 138-0013-8001", "13800138001"),
        ("138 0013 8001", "13800138001"),
        ("１３８００１３８００１", "13800138001"),  # full-width digits from a Chinese IME
        ("12800138001", None),  # no mobile number starts with 12
        ("1380013800", None),  # 10 digits
        ("138001380012", None),  # 12 digits
        ("", None),
        (None, None),
    ],
)
def test_parse_mobile_phone(text: object, expected: str | None) -> None:
    assert parse_mobile_phone(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8001", "8001"),
        ("尾号是0002", "0002"),
        ("后四位8001哦", "8001"),
        ("８００１", "8001"),
        ("800", None),
        ("80012", None),
        ("不记得了", None),
        ("13800138001", "8001"),  # the whole number: its last 4 digits
        ("手机号是 138-0013-8001", "8001"),
        ("2024", "2024"),
        ("不记得了", None),
    ],
)
def test_parse_phone_last4(text: str, expected: str | None) -> None:
    assert parse_phone_last4(text) == expected


def test_parse_binding_code() -> None:
    assert parse_binding_code("验证码是 654321") == "654321"
    assert parse_binding_code("654 321") is None
    assert parse_binding_code("13800138001") is None  # a phone is not a code
    assert parse_binding_code("12345") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("上海市浦东新区张江镇碧波路690弄8号1202室", "上海市浦东新区张江镇碧波路690弄8号1202室"),
        ("新地址是：杭州市西湖区文三路398号东信大厦5楼。", "杭州市西湖区文三路398号东信大厦5楼"),
        ("收货地址改为 北京市朝阳区建国路93号", "北京市朝阳区建国路93号"),
        ("好的 地址是上海市浦东新区张江路88号3栋502", "上海市浦东新区张江路88号3栋502"),
        ("嗯 改到北京市朝阳区建国路88号吧", "北京市朝阳区建国路88号"),
        ("麻烦送到杭州市西湖区文三路398号", "杭州市西湖区文三路398号"),
        ("行知路88号 上海市宝山区", "行知路88号 上海市宝山区"),  # a street, no lead-in
        ("那曲市色尼区浙江中路12号", "那曲市色尼区浙江中路12号"),
        ("北京", None),
        ("改一下地址", None),
        ("我要改地址，帮帮我吧谢谢你们了", None),  # long enough, but no place words
        ("路" * 201, None),
    ],
)
def test_parse_address(text: str, expected: str | None) -> None:
    assert parse_address(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("个人", "个人"),
        ("开个人", "个人"),
        ("抬头是杭州智客科技有限公司", "杭州智客科技有限公司"),
        ("公司是杭州智客科技有限公司", "杭州智客科技有限公司"),  # 「抬头：公司是杭州…」
        ("公司名称：杭州智客科技有限公司", "杭州智客科技有限公司"),
        ("改成杭州智客科技有限公司", "杭州智客科技有限公司"),  # a new title
        ("北京某某文化传媒有限公司。", "北京某某文化传媒有限公司"),
        ("1", None),
        ("1234567", None),
        ("公" * 101, None),
        ("发我邮箱吧", None),  # asked for the company's name: a request, not a name
        ("能开专票吗", None),
        ("杭州某某网吧", "杭州某某网吧"),
    ],
)
def test_parse_invoice_title(text: str, expected: str | None) -> None:
    assert parse_invoice_title(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("91350100M000100Y43", "91350100M000100Y43"),
        ("税号：91110000600037341l", "91110000600037341L"),  # lower case is folded
        ("９１３５０１００Ｍ０００１００Ｙ４３", "91350100M000100Y43"),
        ("91350100M000100Y44", None),  # wrong check character
        ("91350100M000100Y4", None),  # 17 characters
        ("9135010OM000100Y43", None),  # O is not in the alphabet
    ],
)
def test_parse_tax_number(text: str, expected: str | None) -> None:
    assert parse_tax_number(text) == expected


def test_parse_reason() -> None:
    assert parse_reason("  质量 \n 有问题 ") == "质量 有问题"
    # back to the form after a question answered in passing: the going-on is no reason
    assert parse_reason("哦好 继续退吧 质量不太行") == "质量不太行"
    assert parse_reason("尺码偏小 穿不了") == "尺码偏小 穿不了"
    assert parse_reason("好") is None
    assert parse_reason("太" * 201) is None
