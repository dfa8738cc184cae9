"""Urging a refund right after its progress was shown: the refund, not the parcel."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.orders import ActionOrderStatus

from .conftest import Turn
from .test_typed_answers import asked

DOMAIN: dict = {"forms": {"order_id_form": {"required_slots": ["order_id"]}}}
SHOWN = [
    {
        "text": "订单 HP20240004 的退款（单号 RF20240001，¥599.00）：审核通过，退款处理中。",
        "response": "utter_refund_status",
    }
]


async def lookup(zhang: Turn, said: str, before: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the order lookup says to ``said`` (read as a parcel query) after ``before``."""
    tracker = asked(
        zhang, "refund_status_form", before, said, "query_logistics", order_id="HP20240004"
    )
    dispatcher = CollectingDispatcher()
    await ActionOrderStatus().run(dispatcher, tracker, DOMAIN)
    return dispatcher.messages


async def test_an_urge_right_after_the_refund_chases_the_refund(zhang: Turn) -> None:
    for said in ("能不能快点 我急用", "怎么这么慢啊 都一个礼拜了"):
        [message] = await lookup(zhang, said, SHOWN)
        assert message["response"] == "utter_refund_urged"
        assert message["refund_id"] == "RF20240001"
        assert message["status_label"] == "审核通过，退款处理中"
        assert message["buttons"][0]["payload"].startswith("/human_handoff")


async def test_the_parcel_named_or_asked_later_is_the_parcel(zhang: Turn) -> None:
    told = await lookup(zhang, "快点 我的快递到哪了", SHOWN)
    assert told[0]["response"] == "utter_order_status"
    shown_order = [{"text": "您的订单 HP20240004 …", "response": "utter_order_status"}]
    told = await lookup(zhang, "能不能快点 我急用", shown_order)
    assert "utter_refund_urged" not in [m["response"] for m in told]


async def test_when_it_comes_right_after_the_refund_is_the_money(zhang: Turn) -> None:
    """ "好的 那什么时候能到" showed the parcel, delivered long ago."""
    for said in ("好的 那什么时候能到", "多久能到啊"):
        [message] = await lookup(zhang, said, SHOWN)
        assert message["response"] == "utter_refund_urged"
        assert "1–3 个工作日到账" in message["note"]
    shown_order = [{"text": "您的订单 HP20240004 …", "response": "utter_order_status"}]
    told = await lookup(zhang, "那什么时候能到", shown_order)  # after the order: the order
    assert "utter_refund_urged" not in [m["response"] for m in told]
