"""Which order: a yes to the only one offered, or the goods named, pick it in any form."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.order_changes import ValidateCancelOrderForm
from actions.refunds import ValidateRefundForm

from .conftest import Turn
from .test_typed_answers import asked, slot_events


async def test_a_yes_picks_the_only_order_offered(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    only = {"title": "HP20240003 智能音箱（待发货）", "payload": "HP20240003"}
    listed = [{"text": "请问是哪一笔订单呢？", "buttons": [only], "response": "utter_ask_order_id"}]
    yes = "嗯 确定取消吧"
    tracker = asked(zhang, "cancel_order_form", listed, yes, requested_slot="order_id")
    events = await ValidateCancelOrderForm().run(dispatcher, tracker, real_domain)
    assert slot_events(events)["order_id"] == "HP20240003"
    # with two orders offered a yes says not which
    two = [{**listed[0], "buttons": [only, {"title": "HP20240001 手机", "payload": "HP20240001"}]}]
    tracker = asked(zhang, "cancel_order_form", two, yes, requested_slot="order_id")
    events = await ValidateCancelOrderForm().run(CollectingDispatcher(), tracker, real_domain)
    assert slot_events(events).get("order_id") is None


async def test_the_goods_named_pick_the_order(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    listed = [{"text": "请问是哪一笔订单呢？", "buttons": [], "response": "utter_choose_order"}]
    tracker = asked(
        zhang, "refund_form", listed, "就那个水壶", "nlu_fallback", requested_slot="order_id"
    )
    tracker.active_loop = {"name": "refund_form"}
    events = await ValidateRefundForm().run(dispatcher, tracker, real_domain)
    assert slot_events(events)["order_id"] == "HP20241304"  # 美的 电热水壶, not "点选"
