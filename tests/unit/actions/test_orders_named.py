"""An order named in other ways than its number: its last digits, the goods of several.

"1201" to 「请问是哪一笔订单呢？」 for an order older than the five shown, "1204的空调还没发吧"
in the request, and a sentence naming goods of several orders (not quoted as their name).
"""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.orders import ValidateOrderIdForm

from .conftest import Turn
from .test_orders import DOMAIN, responses


async def test_the_last_digits_of_one_of_the_customers_orders_name_it(
    anonymous: Turn, zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    """ "1201" to 「请问是哪一笔订单呢？」 (HP20241201, older than the five shown)."""
    form = ValidateOrderIdForm()
    for said in ("1201", "尾号1201的", "1201结尾那个"):
        known = zhang(said, "inform", requested_slot="order_id")
        result = await form.validate_order_id(said, dispatcher, known, DOMAIN)
        assert result == {"order_id": "HP20241201", "focus_order": "HP20241201"}, said
    assert dispatcher.messages == []
    for said in ("9999", "0"):  # none of his orders, too short
        result = await form.validate_order_id(said, dispatcher, zhang(said), DOMAIN)
        assert result["order_id"] is None
    result = await form.validate_order_id("1201", dispatcher, anonymous("1201"), DOMAIN)
    assert result["order_id"] is None  # whose orders? not known: the format is explained


async def test_an_order_named_by_its_last_digits_in_the_request_is_taken(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    """ "1204的空调还没发吧？帮我改个地址" asked which order, HP20241204 first of the list."""
    form = ValidateOrderIdForm()
    for said, order in (("1204的空调还没发吧？帮我改个地址", "HP20241204"),
                        ("1405那台空调不制冷了 找个人来修修", "HP20241405")):  # fmt: skip
        tracker = zhang(said, "modify_address")
        assert await form.extract_order_id(dispatcher, tracker, DOMAIN) == {"order_id": order}
    for said in ("手机尾号1234的订单", "9999的那个"):  # a phone's digits; no order of his
        extracted = await form.extract_order_id(dispatcher, zhang(said, "query_order"), DOMAIN)
        assert not extracted.get("order_id"), said


async def test_a_sentence_naming_goods_of_several_orders_is_not_quoted_as_their_name(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    """「有好几个都是「装电视那个先取消吧 等新的到了再说」哦」: the sentence was the name."""
    said, form = "装电视那个先取消吧 等新的到了再说", ValidateOrderIdForm()
    tracker = zhang(said, "nlu_fallback", requested_slot="order_id")
    assert (await form.validate_order_id(said, dispatcher, tracker, DOMAIN))["order_id"] is None
    assert responses(dispatcher) == ["utter_pick_one"]
    dispatcher.messages.clear()
    tracker = zhang("电视", "nlu_fallback", requested_slot="order_id")
    await form.validate_order_id("电视", dispatcher, tracker, DOMAIN)
    assert responses(dispatcher) == ["utter_several_named"]  # a name: which of them
