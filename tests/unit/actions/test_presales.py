"""Pre-sales answers from the in-process backend: stock, spec, fit, delivery, fees, handoff."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.presales import PRODUCT_SLOT, REGION_SLOT, ActionPresalesAnswer
from actions.presales_text import aspects_of, quantity_of
from zhike.lib.backend_client.fake import InMemoryBackendClient
from zhike.lib.handoff import skill_group_for

from .conftest import Turn

DOMAIN: dict = {}


async def _ask(
    dispatcher: CollectingDispatcher,
    turn: Turn,
    text: str,
    intent: str = "ask_product",
    **slots: Any,
) -> tuple[str, list[dict[str, Any]]]:
    dispatcher.messages.clear()
    events = await ActionPresalesAnswer().run(dispatcher, turn(text, intent, **slots), DOMAIN)
    said = "\n".join(m.get("text") or m.get("response") or "" for m in dispatcher.messages)
    return said, events


async def test_stock_of_a_product_named_loosely(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    said, events = await _ask(dispatcher, anonymous, "格力那个1.5匹空调还有货吗")
    assert "格力 云佳 1.5 匹" in said and "目前有货" in said and "2699.00" in said
    assert SlotSet(PRODUCT_SLOT, "GREE-KFR35-YT") in events


async def test_a_spec_field_is_answered_from_the_catalogue(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    said, _ = await _ask(dispatcher, anonymous, "这个手机内存多大")
    assert "内存：8GB+256GB" in said


async def test_compatibility_yes_no_and_unknown(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    said, events = await _ask(dispatcher, anonymous, "钢化膜适合note13pro吗")
    assert "可以的" in said and "Redmi Note 13 Pro" in said
    assert SlotSet(PRODUCT_SLOT, "GLASS-N13P-2") in events
    said, _ = await _ask(
        dispatcher, anonymous, "那能用在iPhone15上吗", presales_product="GLASS-N13P-2"
    )
    assert "不适用于 iphone15" in said
    said, _ = await _ask(dispatcher, anonymous, "这个空调适合note13pro吗")
    assert "没有写明适用机型" in said
    assert dispatcher.messages[-1]["response"] == "utter_presales_offer_agent"
    assert dispatcher.messages[-1]["buttons"][0]["payload"] == "/human_handoff"


async def test_delivery_time_follow_up_uses_the_product_being_discussed(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    said, events = await _ask(
        dispatcher, anonymous, "那发到成都要几天", "ask_shipping", presales_product="GREE-KFR35-YT"
    )
    assert "发往四川预计 3–4 天送达" in said and "京选自营仓发货" in said
    assert SlotSet(REGION_SLOT, "四川") in events
    said, _ = await _ask(dispatcher, anonymous, "格力空调发到苏州要几天", "ask_shipping")
    assert "次日达" in said
    said, _ = await _ask(
        dispatcher, anonymous, "新疆呢几天", "ask_shipping", presales_product="GREE-KFR35-YT"
    )
    assert "5–8 天" in said and "偏远地区" in said


async def test_delivery_without_a_region_asks_for_one(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    said, _ = await _ask(dispatcher, anonymous, "这个空调几天能到", "ask_shipping")
    assert "发到哪个省市" in said
    said, _ = await _ask(dispatcher, anonymous, "格力空调寄到香港要几天", "ask_shipping")
    assert "香港暂不支持配送" in said


async def test_shipping_fee_with_the_remembered_region(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    said, _ = await _ask(
        dispatcher,
        anonymous,
        "运费多少",
        "ask_shipping",
        presales_product="GREE-KFR35-YT",
        presales_region="新疆",
    )
    assert "满足包邮条件" in said and "新疆属于偏远地区，另加 10.00 元" in said
    said, _ = await _ask(dispatcher, anonymous, "买两包纸包邮吗", "ask_shipping")
    assert "买 2 件共 ¥39.80" in said and "运费 6.00 元" in said and "再买 ¥59.20 就能包邮" in said


async def test_general_fee_question_gets_the_shops_rules(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    await _ask(dispatcher, anonymous, "运费怎么算", "ask_shipping")
    [message] = dispatcher.messages
    assert message["response"] == "utter_presales_fee_rules"
    assert "京选自营：订单满 99 元免运费，不满收 6 元" in message["rules"]


async def test_out_of_stock_says_when_it_is_back(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    said, _ = await _ask(dispatcher, anonymous, "三只松鼠坚果礼盒有货吗")
    assert "暂时缺货" in said and "预计" in said
    said, _ = await _ask(dispatcher, anonymous, "坚果发到上海几天", "ask_shipping")
    assert "暂时无法发货" in said


async def test_unknown_product_is_said_honestly_with_a_handoff_offer(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    _, events = await _ask(
        dispatcher, anonymous, "华为手机有货吗", presales_product="GREE-KFR35-YT"
    )
    assert dispatcher.messages[0]["response"] == "utter_presales_unknown"
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/human_handoff", "/deny"]
    assert SlotSet(PRODUCT_SLOT, None) in events  # neither the Redmi nor the air conditioner
    _, events = await _ask(dispatcher, anonymous, "戴森吹风机有货吗")
    assert dispatcher.messages[0]["response"] == "utter_presales_unknown"
    assert SlotSet(PRODUCT_SLOT, None) in events


async def test_a_comparison_goes_to_a_presales_agent(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    _, events = await _ask(dispatcher, anonymous, "这款和那款哪个好")
    assert dispatcher.messages[0]["response"] == "utter_presales_compare"
    assert events == [FollowupAction("action_request_handoff")]
    assert skill_group_for("ask_product") == "presales" == skill_group_for("ask_shipping")


async def test_which_to_buy_goes_to_a_presales_adviser(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    _, events = await _ask(dispatcher, anonymous, "卧室十几平 买哪款空调合适")
    assert dispatcher.messages[0]["response"] == "utter_presales_recommend"
    assert events == [FollowupAction("action_request_handoff")]
    dispatcher.messages.clear()
    await _ask(dispatcher, anonymous, "格力空调适合20平的房间吗")  # the fit of one product
    assert dispatcher.messages[0]["response"] != "utter_presales_recommend"


async def test_several_products_fit_equally(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    await _ask(dispatcher, anonymous, "安踏跑步鞋有货吗")
    [message] = dispatcher.messages
    assert message["response"] == "utter_presales_which" and "42 码" in message["choices"]


async def test_backend_down_is_an_apology(
    anonymous: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    backend.unavailable = True
    await _ask(dispatcher, anonymous, "格力空调有货吗")
    assert dispatcher.messages[0]["response"] == "utter_presales_unavailable"


def test_aspects_and_quantities_from_the_words() -> None:
    assert aspects_of("有货吗，发到新疆几天，运费多少") == ["delivery", "fee", "stock"]
    assert aspects_of("这款和那款哪个好")[0] == "compare"
    assert (quantity_of("买两包纸"), quantity_of("来3件"), quantity_of("运费多少")) == (2, 3, 1)


async def test_a_button_choice_answers_the_words_typed_before(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = anonymous("/ask_product", "ask_product")
    typed = dict(tracker.events[-1], text="格力空调有货没", message_id="m-typed")
    tracker.events.insert(len(tracker.events) - 1, typed)
    await ActionPresalesAnswer().run(dispatcher, tracker, DOMAIN)
    assert "目前有货" in dispatcher.messages[0]["text"]


async def test_a_question_naming_no_product_asks_which_one(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    _, events = await _ask(dispatcher, anonymous, "是什么颜色的?")
    assert [m["response"] for m in dispatcher.messages] == ["utter_presales_which_product"]
    assert events == []
    # the product being discussed is the one asked about
    said, _ = await _ask(dispatcher, anonymous, "是什么颜色的?", presales_product="GREE-KFR35-YT")
    assert "格力" in said


async def test_delivery_to_a_region_without_a_product_gets_the_general_answer_first(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    """ "发新疆乌鲁木齐能到吗 要几天" before any product: only 「请问您想了解哪款商品呢？」."""
    said, _ = await _ask(dispatcher, anonymous, "发新疆乌鲁木齐能到吗 要几天", "ask_shipping")
    assert len(dispatcher.messages) == 2  # the knowledge base's delivery areas, then
    assert "新疆" in said  # (the remote regions are named)
    assert dispatcher.messages[-1]["response"] == "utter_presales_ask_product"  # which one
