"""The customer's own orders offered to pick from: the list, and "which order?" per request."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.named_orders import goods_words, order_named, said_for_the_form
from actions.order_list import ActionListOrders
from actions.orders import ActionAskOrderId

from .conftest import Turn

DOMAIN: dict = {"forms": {"order_id_form": {"required_slots": ["order_id"]}}}


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [message["response"] for message in dispatcher.messages]


async def test_recent_orders_are_offered_as_buttons(
    zhang: Turn, anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    await ActionListOrders().run(dispatcher, zhang("我的订单", "list_orders"), DOMAIN)
    [message] = dispatcher.messages
    assert message["response"] == "utter_recent_orders"
    payloads = [button["payload"] for button in message["buttons"]]
    # the newest five: the four base orders, then the after-sales demo orders (older)
    assert sorted(payloads)[:4] == ["HP20240001", "HP20240002", "HP20240003", "HP20240004"]

    dispatcher.messages.clear()
    await ActionListOrders().run(dispatcher, zhang("哪些还没收到", "list_orders"), DOMAIN)
    [picked] = dispatcher.messages
    assert (picked["response"], picked["which"]) == ("utter_orders_which", "还没收到")
    on_the_way = {button["payload"] for button in picked["buttons"]}
    assert {"HP20240001", "HP20240003", "HP20241201"} <= on_the_way  # shipped, paid
    assert not on_the_way & {"HP20240002", "HP20240004"}  # delivered, being refunded
    assert len(on_the_way) > 5  # all of them, not the newest five

    dispatcher.messages.clear()
    await ActionListOrders().run(dispatcher, zhang("我有几个单子在路上", "list_orders"), DOMAIN)
    [shipped] = dispatcher.messages
    assert shipped["which"] == "正在路上"
    assert {"HP20240001", "HP20241201"} <= {b["payload"] for b in shipped["buttons"]}
    assert "HP20240003" not in {b["payload"] for b in shipped["buttons"]}  # paid, not sent

    dispatcher.messages.clear()
    await ActionListOrders().run(dispatcher, zhang("签收了的有哪些", "list_orders"), DOMAIN)
    [delivered] = dispatcher.messages
    assert "HP20240002" in {button["payload"] for button in delivered["buttons"]}
    assert "HP20240001" not in {button["payload"] for button in delivered["buttons"]}

    dispatcher.messages.clear()
    asked = await ActionListOrders().run(dispatcher, anonymous("我的订单", "list_orders"), DOMAIN)
    assert [(e["event"], e.get("name")) for e in asked] == [("followup", "account_binding_form")]
    assert responses(dispatcher) == []  # the identity check asks the phone
    # in the middle of another form the check does not push it aside
    during = anonymous("我的订单", "list_orders")
    during.active_loop = {"name": "refund_form"}
    assert await ActionListOrders().run(dispatcher, during, DOMAIN) == []
    assert responses(dispatcher)[0] == "utter_need_customer"


async def test_the_order_question_shows_a_known_customers_orders(
    li_app: Turn, anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    await ActionAskOrderId().run(dispatcher, li_app(), DOMAIN)
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["HP20240005"]
    dispatcher.messages.clear()
    await ActionAskOrderId().run(dispatcher, anonymous(), DOMAIN)
    assert responses(dispatcher) == ["utter_ask_order_id"]


async def _listed(
    dispatcher: CollectingDispatcher, turn: Turn, text: str, intent: str, form: str
) -> list[dict[str, str]]:
    """The orders "请问是哪一笔订单呢？" offers in ``form``, opened by ``text``."""
    tracker = turn(text, intent)
    tracker.active_loop = {"name": form}
    await ActionAskOrderId().run(dispatcher, tracker, DOMAIN)
    return dispatcher.messages[-1]["buttons"]


async def test_which_order_lists_the_orders_the_request_can_be_about(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    def payloads(buttons: list[dict[str, str]]) -> list[str]:
        return [b["payload"] for b in buttons]

    listed = payloads(
        await _listed(dispatcher, zhang, "我的退款到哪一步了", "query_refund", "refund_status_form")
    )
    assert "HP20240004" in listed and "HP20240001" not in listed  # refunding; on its way
    listed = payloads(
        await _listed(dispatcher, zhang, "我要取消订单", "cancel_order", "cancel_order_form")
    )
    assert "HP20240003" in listed and "HP20240001" not in listed  # paid; shipped
    # an exchange: the delivered orders, not the ones cancelled or being refunded
    listed = payloads(
        await _listed(dispatcher, zhang, "我想换货 尺码买小了", "request_exchange", "exchange_form")
    )
    assert "HP20240002" in listed and "HP20240004" not in listed  # delivered; refunding
    assert "HP20240003" not in listed  # not shipped yet
    # a question about any order lists them all
    assert len(await _listed(dispatcher, zhang, "查订单", "query_order", "order_id_form")) > 2


async def test_the_order_whose_goods_the_customer_named_comes_first(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    shoes = await _listed(
        dispatcher, zhang, "那个鞋子磨脚 我需要退货", "request_refund", "refund_form"
    )
    first = shoes[0]
    assert "鞋" in first["title"]
    # nothing named: the newest orders, as before
    plain = await _listed(dispatcher, zhang, "我要退货", "request_refund", "refund_form")
    assert "鞋" not in plain[0]["title"]


def test_goods_words_leave_the_requests_own_words_out() -> None:
    assert goods_words("我的快递怎么还没到") == set()
    assert "空调" in goods_words("我买的空调什么时候来装")
    assert "鞋" in goods_words("鞋子磨脚")
    assert goods_words("订单上的手机号写错了") == set()


def test_the_goods_are_read_from_what_was_said_since_the_form_started() -> None:
    tracker = Tracker(
        "c1",
        {},
        {"text": "HP20241301"},
        [
            {"event": "user", "text": "鞋子磨脚 我要退货"},
            {"event": "active_loop", "name": "refund_form"},
            {"event": "user", "text": "HP20241301"},
        ],
        False,
        None,
        {"name": "refund_form"},
        "action_listen",
    )
    assert said_for_the_form(tracker) == "鞋子磨脚 我要退货 HP20241301"


async def test_a_reply_naming_the_goods_of_one_order_is_that_order(zhang: Turn) -> None:
    tracker = zhang("就那个水壶", "nlu_fallback", requested_slot="order_id")
    tracker.active_loop = {"name": "refund_form"}
    assert await order_named(tracker, "就那个水壶") == "HP20241304"  # 美的 电热水壶
    # the goods of two orders (two pairs of running shoes), or none named: the buttons decide
    assert await order_named(tracker, "就那个跑鞋") is None
    assert await order_named(tracker, "就那个") is None


async def test_an_installation_lists_the_goods_the_shop_installs(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    def titles(buttons: list[dict[str, str]]) -> list[str]:
        return [b["title"] for b in buttons]

    install = titles(
        await _listed(dispatcher, zhang, "约个师傅上门安装", "book_visit", "visit_form")
    )
    assert install and all("空调" in title or "电视" in title for title in install), install
    # a repair once it is known to be one: any delivered goods (the warranty is checked)
    tracker = zhang("手机坏了要上门修", "book_visit")
    tracker.active_loop = {"name": "visit_form"}
    tracker.slots["visit_kind"] = "repair"
    await ActionAskOrderId().run(dispatcher, tracker, DOMAIN)
    repair = [b["payload"] for b in dispatcher.messages[-1]["buttons"]]
    assert "HP20240002" in repair and "HP20240003" not in repair  # delivered; not shipped


async def test_an_installation_lists_only_the_goods_not_installed_or_booked_yet(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    """ "空调到货了 什么时候能来装啊": HP20241405 is installed, HP20241406 and the TV have
    visits booked; HP20241401 is the one to book."""
    tracker = zhang("空调到货了 什么时候能来装啊", "book_visit")
    tracker.active_loop = {"name": "visit_form"}
    tracker.slots["visit_kind"] = "install"
    await ActionAskOrderId().run(dispatcher, tracker, DOMAIN)
    listed = [b["payload"] for b in dispatcher.messages[-1]["buttons"]]
    assert listed == ["HP20241401"]  # the one air conditioner left: a yes takes it


async def test_the_courier_named_picks_its_orders(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    """ "我顺丰那个件到哪了": both 顺丰 parcels first; "韵达那单" to intercept: HP20241207."""
    listed = await _listed(dispatcher, zhang, "你好 我顺丰那个件到哪了", "query_logistics",
                           "order_id_form")  # fmt: skip
    assert {b["payload"] for b in listed[:2]} == {"HP20240001", "HP20241201"}
    tracker = zhang("韵达那单呢", "inform", requested_slot="order_id")
    tracker.active_loop = {"name": "intercept_form"}
    assert await order_named(tracker, "韵达那单呢") == "HP20241207"  # the one on its way
