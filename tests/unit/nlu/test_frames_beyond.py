"""Topics the robot does not serve (frames.yml ``beyond``): recognised, and declined."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhike.nlu.frames import Frames

from .test_frames import FRAMES, _matcher, _parsed, _training_examples


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("客户说没收到货 物流却显示签收了 帮忙查下", "seller_business"),
        ("麻烦给客户退一下款", "seller_business"),
        ("我们店铺想入驻你们平台 流程是啥", "seller_business"),
        ("想寄个快递到北京 你们能上门揽收吗", "send_parcel"),
        ("怎么用京东寄快递啊", "send_parcel"),
        ("你们有没有物流服务 我想发一批货", "send_parcel"),
        ("手机买了延保 现在屏幕坏了能修吗", "service_plans"),
        ("碎屏险怎么理赔", "service_plans"),
        ("云闪付绑不上新手机了", "payment_accounts"),
        ("白条额度怎么提高", "payment_accounts"),
        ("账户里的钱能提现吗", "payment_accounts"),
        ("昨天充的话费还没到账", "top_ups"),
    ],
)
def test_a_topic_the_robot_does_not_serve_is_recognised(text: str, topic: str) -> None:
    found = FRAMES.beyond_topic(text)
    assert found is not None and found.intent == topic and found.name


@pytest.mark.parametrize(
    "text",
    [
        "退货怎么寄回去",  # the customer's return
        "你们一般发什么快递",  # the shop's courier
        "我是老客户了 帮我查下订单",
        "退款会退到信用卡吗",
        "开通plus会员要充值吗",
        "怎么还没发货",
        "发票寄给我了吗",
    ],
)
def test_the_robots_own_business_is_no_topic_beyond_it(text: str) -> None:
    assert FRAMES.beyond_topic(text) is None


def test_no_topic_beyond_the_robot_fits_an_example_it_serves() -> None:
    declined = {"", "out_of_scope", "nlu_fallback"}
    clashes = [
        (topic.intent, intent, text)
        for intent, text in _training_examples()
        if intent not in declined and (topic := FRAMES.beyond_topic(text)) is not None
    ]
    assert clashes == [], "frames.yml's beyond fits examples the robot serves (topic, intent, text)"


def test_a_message_beyond_the_robot_is_declined_however_sure_diet_is() -> None:
    parcel = _parsed(  # DIET was sure it was the parcel's tracking
        "我想问下怎么用你们京东发快递",
        "query_logistics",
        [("query_logistics", 0.98), ("complain", 0.01)],
        second="query_logistics",
    )
    unsure = _parsed("换新保坏了就能换吗", "nlu_fallback", [("nlu_fallback", 0.45), ("faq", 0.4)])
    _matcher().process([parcel, unsure])
    assert parcel.get("intent") == {"name": "nlu_fallback", "confidence": 0.98}
    assert [e["name"] for e in parcel.get("intent_ranking")] == [
        "nlu_fallback",
        "query_logistics",
        "complain",
    ]
    assert parcel.get("beyond") == {"topic": "send_parcel", "name": "寄快递（寄件）服务"}
    assert unsure.get("intent")["name"] == "nlu_fallback"
    assert unsure.get("beyond")["topic"] == "service_plans"


def test_a_request_frame_or_a_person_wins_over_a_topic_beyond_the_robot() -> None:
    urge = _parsed(  # the seller urges a parcel: the parcel's frame fits, it is looked up
        "客户的快递到哪了 帮忙催一下",
        "query_logistics",
        [("query_logistics", 0.9)],
    )
    person = _parsed("转人工 我要问话费充值", "human_handoff", [("human_handoff", 0.9)])
    _matcher().process([urge, person])
    assert urge.get("intent")["name"] == "query_logistics" and urge.get("beyond") is None
    assert person.get("intent")["name"] == "human_handoff" and person.get("beyond") is None


def test_a_topic_beyond_the_robot_needs_a_name(tmp_path: Path) -> None:
    nameless = tmp_path / "frames.yml"
    nameless.write_text("beyond:\n  top_ups:\n    says: ['话费']\n", encoding="utf-8")
    with pytest.raises(ValueError, match="top_ups.*name"):
        Frames.load(nameless)
