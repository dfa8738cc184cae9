"""Urging the matter at hand, told from a message naming a matter of its own."""

from __future__ import annotations

import pytest

from zhike.common.urges import urges, urges_only


@pytest.mark.parametrize(
    "text",
    [
        "能不能快点 我急用",
        "怎么这么慢啊 都一个礼拜了",
        "麻烦帮我催一下",
        "等了好几天了",
        "太慢了吧",
        "急着用呢",
    ],
)
def test_a_bare_urge_names_no_matter(text: str) -> None:
    assert urges_only(text)


@pytest.mark.parametrize(
    "text",
    [
        "能不能快点发货",  # the parcel
        "退款怎么这么慢",  # the refund
        "快点给我转人工",  # a person
        "HP20240001能不能快点",  # an order of its own
        "老师怎么这么慢才回",  # the lessons
        "买来急用的 结果坏了",  # a refund's reason
        "用起来太慢了",  # a refund's reason too
        "我急用，能不能帮我把订单地址改一下送到公司，公司地址是杭州市西湖区文三路",  # long
    ],
)
def test_an_urge_naming_a_matter_is_a_request_of_its_own(text: str) -> None:
    assert not urges_only(text)


def test_only_urges_and_slowness_count() -> None:
    assert urges("退款怎么这么慢") and urges("快点发货")
    assert not urges("我要退款") and not urges_only("好的谢谢")
    # at a form's question these are answers: the fault, the reason
    assert not urges("开机没动静") and not urges("物流一直没更新")
