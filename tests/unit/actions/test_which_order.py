"""Which order: a yes to the only one offered, or the goods named, pick it in any form."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.named_orders import goods_words
from actions.order_changes import ValidateCancelOrderForm
from actions.orders import ValidateOrderIdForm
from actions.refunds import ValidateRefundForm, ValidateRefundStatusForm

from .conftest import Turn
from .test_typed_answers import asked, question, slot_events


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


async def test_goods_named_short_and_sure_of_another_intent_still_answer_which_order(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    listed = [{"text": "请问是哪一笔订单呢？", "buttons": [], "response": "utter_choose_order"}]
    # DIET sure it is a product question: the words still name the blender's order
    tracker = asked(
        zhang,
        "refund_status_form",
        listed,
        "是那个破壁机的",
        "ask_product",
        requested_slot="order_id",
    )
    tracker.active_loop = {"name": "refund_status_form"}
    events = await ValidateRefundStatusForm().run(dispatcher, tracker, real_domain)
    assert slot_events(events)["order_id"] == "HP20240004"  # 九阳 破壁料理机, refunding
    # the razor is one order among all of them (the status lookup may be about any)
    tracker = asked(
        zhang, "order_id_form", listed, "飞利浦那个", "nlu_fallback", requested_slot="order_id"
    )
    tracker.active_loop = {"name": "order_id_form"}
    events = await ValidateOrderIdForm().run(CollectingDispatcher(), tracker, real_domain)
    assert slot_events(events)["order_id"] == "HP20241306"
    # a brand written in Chinese names goods the business system lists in Latin letters
    assert "redmi" in goods_words("就那个红米的")
    # a request for a person is no goods: the form gives the message up
    tracker = asked(
        zhang, "order_id_form", listed, "转人工", "human_handoff", requested_slot="order_id"
    )
    tracker.active_loop = {"name": "order_id_form"}
    events = await ValidateOrderIdForm().run(CollectingDispatcher(), tracker, real_domain)
    assert "order_id" not in slot_events(events)


async def test_goods_of_several_orders_are_asked_which_without_a_failure(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    listed = [{"text": "请问是哪一笔订单呢？", "buttons": [], "response": "utter_choose_order"}]
    tracker = asked(zhang, "refund_form", listed, "鞋子", "nlu_fallback", requested_slot="order_id")
    tracker.active_loop = {"name": "refund_form"}
    events = await ValidateRefundForm().run(dispatcher, tracker, real_domain)
    slots = slot_events(events)
    assert slots.get("order_id") is None and "form_failures" not in slots  # no failed try
    said = [(m.get("response"), m.get("named")) for m in dispatcher.messages]
    assert ("utter_several_named", "鞋子") in said  # two pairs of running shoes: which one
    assert all(m.get("response") != "utter_order_id_help_known" for m in dispatcher.messages)


async def test_an_unsure_question_asked_instead_of_the_order_is_no_answer(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    listed = [{"text": "请问是哪一笔订单呢？", "buttons": [], "response": "utter_choose_order"}]
    asked_instead = "好的谢谢 对了 能开发票吗"
    tracker = asked(
        zhang, "refund_form", listed, asked_instead, "nlu_fallback", requested_slot="order_id"
    )
    tracker.active_loop = {"name": "refund_form"}
    events = await ValidateRefundForm().run(dispatcher, tracker, real_domain)
    assert "order_id" not in slot_events(events)  # the fallback asks what is meant
    assert not dispatcher.messages  # no "不用输入订单号哦"
    # a question naming the goods of one order is that order, asked about
    tracker = asked(
        zhang, "refund_form", listed, "是那个水壶吗", "nlu_fallback", requested_slot="order_id"
    )
    tracker.active_loop = {"name": "refund_form"}
    events = await ValidateRefundForm().run(CollectingDispatcher(), tracker, real_domain)
    assert slot_events(events)["order_id"] == "HP20241304"  # 美的 电热水壶
    # "我不知道订单号" is about the order: the buttons will do
    tracker = asked(
        zhang, "refund_form", listed, "我不知道订单号", "nlu_fallback", requested_slot="order_id"
    )
    tracker.active_loop = {"name": "refund_form"}
    told = CollectingDispatcher()
    await ValidateRefundForm().run(told, tracker, real_domain)
    assert [m.get("response") for m in told.messages] == ["utter_order_id_help_known"]


async def test_a_yes_or_thanks_to_several_orders_is_asked_to_pick_without_a_failure(
    zhang: Turn, real_domain: dict[str, Any]
) -> None:
    two = [
        {"title": "HP20241301 安踏 男子跑步鞋 黑色 42 码（已签收）", "payload": "HP20241301"},
        {"title": "HP20241302 安踏 男子跑步鞋 黑色 43 码（已签收）", "payload": "HP20241302"},
    ]
    listed = [{"text": "请问是哪一笔订单呢？", "buttons": two, "response": "utter_ask_order_id"}]
    for said in ("确定", "谢谢啦"):
        tracker = asked(zhang, "refund_form", listed, said, "affirm", requested_slot="order_id")
        tracker.active_loop = {"name": "refund_form"}
        told = CollectingDispatcher()
        events = await ValidateRefundForm().run(told, tracker, real_domain)
        assert "form_failures" not in slot_events(events)
        assert [m.get("response") for m in told.messages] == ["utter_pick_one"]


async def test_an_urge_asked_which_order_is_asked_to_pick_kindly_without_a_failure(
    zhang: Turn, real_domain: dict[str, Any]
) -> None:
    """ "能不能快点 我急用", sure it is a parcel query, is impatience, not another request."""
    two = [
        {"title": "HP20240004 九阳 破壁料理机 L18-P396（退款处理中）", "payload": "HP20240004"},
        {
            "title": "HP20241205 得力 A4 复印纸 70g 500 张/包等2件商品（退款处理中）",
            "payload": "HP20241205",
        },
    ]
    listed = [{"text": "请问是哪一笔订单呢？", "buttons": two, "response": "utter_ask_order_id"}]

    async def reply(said: str, intent: str) -> tuple[list[dict[str, Any]], list[str]]:
        tracker = asked(
            zhang, "refund_status_form", listed, said, intent, requested_slot="order_id"
        )
        tracker.active_loop = {"name": "refund_status_form"}
        told = CollectingDispatcher()
        events = await ValidateRefundStatusForm().run(told, tracker, real_domain)
        return events, [m.get("response") for m in told.messages]

    for said in ("能不能快点 我急用", "怎么这么慢啊 都一个礼拜了"):
        events, said_back = await reply(said, "query_logistics")
        assert slot_events(events) == {"order_id": None}  # asked again, no failure
        assert said_back == ["utter_urged_pick_one"]
    # unsure what it asks, it is still no question asked instead of naming the order
    assert (await reply("能不能快点啊", "nlu_fallback"))[1] == ["utter_urged_pick_one"]
    # naming the parcel it is a question of its own (the topic switch answers it)
    assert await reply("快点 我的快递到哪了", "query_logistics") == ([], [])


async def test_an_urge_asked_the_reason_is_asked_to_pick_but_a_reason_with_urging_is_taken(
    zhang: Turn, real_domain: dict[str, Any]
) -> None:
    reasons = question(real_domain, "utter_ask_refund_reason")  # four reasons to click
    form = ValidateRefundForm()
    for said, intent in (("能不能快点 我急用", "query_logistics"), ("太慢了吧", "complain")):
        tracker = asked(zhang, "refund_form", reasons, said, intent, requested_slot="refund_reason")
        tracker.active_loop = {"name": "refund_form"}
        told = CollectingDispatcher()
        events = await form.run(told, tracker, real_domain)
        assert slot_events(events) == {"refund_reason": None}  # asked again, no failure
        assert [m.get("response") for m in told.messages] == ["utter_urged_pick_one"]
    said = "买来急用的 结果坏了"
    tracker = asked(zhang, "refund_form", reasons, said, "complain", requested_slot="refund_reason")
    tracker.active_loop = {"name": "refund_form"}
    events = await form.run(CollectingDispatcher(), tracker, real_domain)
    assert slot_events(events)["refund_reason"] == said


async def test_going_ahead_asked_which_order_is_asked_to_pick_without_a_failure(
    zhang: Turn, real_domain: dict[str, Any]
) -> None:
    """ "好的 那就退吧" with two pairs of shoes offered: 「不用输入订单号」 before."""
    shoes = [
        {"title": "HP20241301 安踏 男子跑步鞋 黑色 42 码（已签收）", "payload": "HP20241301"},
        {"title": "HP20241302 安踏 男子跑步鞋 黑色 43 码（已签收）", "payload": "HP20241302"},
    ]
    listed = [{"text": "请问是哪一笔订单呢？", "buttons": shoes, "response": "utter_ask_order_id"}]
    for said in ("好的 那就退吧", "那帮我办一下"):
        tracker = asked(
            zhang, "refund_form", listed, said, "nlu_fallback", requested_slot="order_id"
        )
        tracker.active_loop = {"name": "refund_form"}
        told = CollectingDispatcher()
        events = await ValidateRefundForm().run(told, tracker, real_domain)
        assert slot_events(events) == {"order_id": None}  # no failure counted
        assert [m.get("response") for m in told.messages] == ["utter_pick_one"]


async def test_the_goods_of_one_order_named_in_the_request_are_that_order(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    """「我上周买的那个破壁机 退款退到哪了」 was asked which order, the blender's first."""
    tracker = zhang("你好 我想问下 我上周买的那个破壁机 退款退到哪了", "query_refund")
    tracker.active_loop = {"name": "refund_status_form"}
    events = await ValidateRefundStatusForm().run(dispatcher, tracker, real_domain)
    assert slot_events(events)["order_id"] == "HP20240004"
    # the goods of two orders, or none, or a change: asked which, as before
    for text, form, validate in (
        ("鞋子到哪了", "order_id_form", ValidateOrderIdForm()),
        ("我要退款", "refund_status_form", ValidateRefundStatusForm()),
        ("那个破壁机我要退款", "refund_form", ValidateRefundForm()),
    ):
        tracker = zhang(text, "query_order")
        tracker.active_loop = {"name": form}
        events = await validate.run(CollectingDispatcher(), tracker, real_domain)
        assert slot_events(events).get("order_id") is None
