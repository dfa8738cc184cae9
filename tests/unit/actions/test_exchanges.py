"""Exchange, exchange progress and return dispute actions on the in-process backend."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.exchange_parsing import (
    description_without_refs,
    image_refs,
    names_variant,
    ordered_size_meant,
    parse_exchange_reason,
    resolve_variant,
)
from actions.exchange_status import ActionExchangeStatus
from actions.exchange_submit import ActionRequestExchange
from actions.exchanges import (
    NOT_ALLOWED,
    STILL_NOT_ALLOWED,
    ActionAskExchangeConfirmed,
    ActionAskExchangeSku,
    ValidateExchangeForm,
)
from actions.return_disputes import ActionOpenReturnDispute, ValidateReturnDisputeForm
from zhike.lib.backend_client.exchanges import ExchangeCheck, ExchangeVariant
from zhike.lib.backend_client.fake import InMemoryBackendClient

from .conftest import Turn

DOMAIN: dict = {}
SLOTS = ["order_id", "exchange_reason", "exchange_sku", "confirmed"]


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [message["response"] for message in dispatcher.messages]


SHOE = ExchangeCheck(
    "HP20241301",
    "ANTA-RUN-BK-42",
    "安踏 男子跑步鞋 黑色 42 码",
    True,
    colour="黑色",
    size="42",
    variants=(
        ExchangeVariant("ANTA-RUN-BK-43", "安踏 男子跑步鞋 黑色 43 码", "黑色", "43", True),
        ExchangeVariant("ANTA-RUN-BK-44", "安踏 男子跑步鞋 黑色 44 码", "黑色", "44", False),
        ExchangeVariant("ANTA-RUN-WH-42", "安踏 男子跑步鞋 白色 42 码", "白色", "42", True),
    ),
)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("鞋子小了想换大一码", "size"),
        ("收到的杯子是坏的能换个新的吗", "defect"),
        ("颜色不喜欢，换个白色的", "colour"),
        ("鞋子开胶了，换一双", "defect"),
        ("能换个新的吗", "defect"),  # the same goods, new: a faulty one
        ("size", "size"),
        ("我要换货", None),
    ],
)
def test_the_reason_is_read_from_the_words(text: str, reason: str | None) -> None:
    assert parse_exchange_reason(text) == reason


@pytest.mark.parametrize(
    ("text", "sku"),
    [
        ("大一码", "ANTA-RUN-BK-43"),
        ("换43码的", "ANTA-RUN-BK-43"),
        ("44", "ANTA-RUN-BK-44"),
        ("白色", "ANTA-RUN-WH-42"),
        ("换个白的", "ANTA-RUN-WH-42"),
        ("ANTA-RUN-BK-43", "ANTA-RUN-BK-43"),
        ("小一码", None),
        ("红色", None),
        ("鞋子42码小了 换43", "ANTA-RUN-BK-43"),  # the pair's own size first: 43 wanted
        ("42码的换成白色42码", "ANTA-RUN-WH-42"),
        ("42码小了", None),  # the ordered size alone: which size is asked
    ],
)
def test_a_size_or_colour_is_resolved_among_the_variants(text: str, sku: str | None) -> None:
    variant = resolve_variant(text, SHOE)
    assert (variant.sku if variant else None) == sku
    assert names_variant("鞋子小了想换大一码") and not names_variant("我要换货")


@pytest.mark.parametrize(
    ("reply", "said_before", "ordered"),
    [
        ("43码", "鞋子码数小了 想换大一码", "42"),
        ("要43的", "鞋子太小了", "42"),
        ("42码", "偏大 想换小一号", "43"),
        ("43码", "我要换货", None),  # no way said: the size names the order
        ("43码的那双", "鞋子小了", None),  # more than a size
        ("HP20241301", "鞋子小了", None),
    ],
)
def test_a_size_alone_after_one_way_is_the_size_wanted(
    reply: str, said_before: str, ordered: str | None
) -> None:
    assert ordered_size_meant(reply, said_before) == ordered


async def test_a_size_given_for_which_order_picks_the_pair_one_size_off(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    # "鞋子码数小了 想换大一码", the orders shown, "43码": the 42 pair, exchanged for 43
    tracker = zhang("43码", "nlu_fallback", requested_slot="order_id")
    tracker.active_loop = {"name": "exchange_form"}
    shoes = [
        {"title": "HP20241301 安踏 男子跑步鞋 黑色 42 码（已签收）", "payload": "HP20241301"},
        {"title": "HP20241302 安踏 男子跑步鞋 黑色 43 码（已签收）", "payload": "HP20241302"},
    ]
    tracker.events[-1:-1] = [
        {"event": "user", "text": "鞋子码数小了 想换大一码", "parse_data": {}},
        {"event": "active_loop", "name": "exchange_form"},
        {"event": "action", "name": "exchange_form"},
        {"event": "bot", "text": "请问是哪一笔订单呢？", "data": {"buttons": shoes}},
        {"event": "action", "name": "action_listen"},
    ]
    found = await ValidateExchangeForm().extract_order_id(dispatcher, tracker, DOMAIN)
    assert found == {"order_id": "HP20241301", "exchange_wish": "43码"}


def test_images_come_from_the_channel_metadata_and_links_in_the_text() -> None:
    text = "包装完好 https://img.example.com/a.jpg media_id: Abc_12345678"
    metadata = {"images": [{"url": "https://cdn.example.com/1.png"}], "MediaId": "WX-0001-abcd"}
    assert image_refs(text, metadata) == [
        "https://cdn.example.com/1.png",
        "WX-0001-abcd",
        "https://img.example.com/a.jpg",
        "media_id:Abc_12345678",
    ]
    assert description_without_refs(text) == "包装完好"


async def test_an_order_with_a_size_named_gets_that_size_at_once(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = zhang("HP20241301鞋子小了想换大一码", "request_exchange", exchange_wish="想换大一码")
    result = await ValidateExchangeForm().validate_order_id(
        "HP20241301", dispatcher, tracker, DOMAIN
    )
    assert result["order_id"] == "HP20241301"
    assert result["exchange_sku"] == "ANTA-RUN-BK-43" and result["exchange_reason"] == "size"
    assert not dispatcher.messages


async def test_a_size_given_for_the_reason_is_the_size_wanted(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    # 「请问想换货的原因是什么呢？」 answered "43" or "43码" for the pair in 42: size, to 43
    for said in ("43", "43码", "换43码的"):
        tracker = zhang(said, order_id="HP20241301", requested_slot="exchange_reason")
        result = await ValidateExchangeForm().validate_exchange_reason(
            said, dispatcher, tracker, DOMAIN
        )
        assert result == {"exchange_sku": "ANTA-RUN-BK-43", "exchange_reason": "size"}, said
    # a size the goods do not come in is no reason: asked again
    tracker = zhang("99", "nlu_fallback", order_id="HP20241301", requested_slot="exchange_reason")
    result = await ValidateExchangeForm().validate_exchange_reason(
        "99", dispatcher, tracker, DOMAIN
    )
    assert result["exchange_reason"] is None


@pytest.mark.parametrize(
    ("order_id", "words"),
    [
        ("HP20241302", "已签收 20 天，超过 15 天换货期"),
        ("HP20241303", "属于食品"),
        ("HP20240001", "还没有签收"),
        ("HP20241305", "进行中的换货"),
    ],
)
async def test_an_ineligible_order_is_explained_at_once(
    zhang: Turn, dispatcher: CollectingDispatcher, order_id: str, words: str
) -> None:
    result = await ValidateExchangeForm().validate_order_id(
        order_id, dispatcher, zhang("我要换货", "request_exchange"), DOMAIN
    )
    assert result["form_gave_up"] is True
    [message] = dispatcher.messages
    assert message["response"] == "utter_exchange_not_allowed" and words in message["reason"]


@pytest.mark.parametrize("before", [NOT_ALLOWED, STILL_NOT_ALLOWED])
async def test_the_same_refusal_is_not_said_twice_a_person_is_offered(
    zhang: Turn, dispatcher: CollectingDispatcher, before: str
) -> None:
    tracker = zhang("颜色不喜欢", "request_exchange")  # right after the refusal of HP20240004
    refused = {"event": "bot", "text": "抱歉，…", "metadata": {"utter_action": before}}
    tracker.events[-1:-1] = [refused, {"event": "action", "name": "action_listen"}]
    result = await ValidateExchangeForm().validate_order_id(
        "HP20240004", dispatcher, tracker, DOMAIN
    )
    assert result["form_gave_up"] is True
    assert [m["response"] for m in dispatcher.messages] == [STILL_NOT_ALLOWED]


async def test_another_customers_order_is_not_found(
    li_app: Turn, dispatcher: CollectingDispatcher
) -> None:
    result = await ValidateExchangeForm().validate_order_id(
        "HP20241301", dispatcher, li_app("换货", "request_exchange"), DOMAIN
    )
    assert result["order_id"] is None
    assert responses(dispatcher) == ["utter_order_not_found"]


async def test_an_out_of_stock_size_is_explained_and_asked_again(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = zhang("44码", requested_slot="exchange_sku", order_id="HP20241301")
    result = await ValidateExchangeForm().validate_exchange_sku("44码", dispatcher, tracker, DOMAIN)
    assert result == {"exchange_sku": None}  # no failed answer counted
    [out] = dispatcher.messages  # was followed by 「没有找到这个尺码或颜色哦」
    assert out["response"] == "utter_exchange_out_of_stock" and out["variant"] == "黑色 44 码"
    assert out["options"] == "黑色 43 码、白色 42 码"
    result = await ValidateExchangeForm().validate_exchange_sku("白色", dispatcher, tracker, DOMAIN)
    assert result == {"exchange_sku": "ANTA-RUN-WH-42", "exchange_reason": "colour"}


async def test_a_defect_asks_no_size(zhang: Turn, dispatcher: CollectingDispatcher) -> None:
    form = ValidateExchangeForm()
    assert await form.required_slots(
        SLOTS, dispatcher, zhang(exchange_reason="defect"), DOMAIN
    ) == [
        "order_id",
        "exchange_reason",
        "confirmed",
    ]
    assert (
        await form.required_slots(SLOTS, dispatcher, zhang(exchange_reason="size"), DOMAIN) == SLOTS
    )


async def test_the_fault_described_at_the_confirmation_asks_it_again(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    """ "不加热了" to 「…质量问题…确认申请换货吗？」 got 「您是想咨询…」, a refund first."""
    form = ValidateExchangeForm()
    slots = {"order_id": "HP20241304", "exchange_reason": "defect"}
    said = zhang("不加热了", "request_refund", requested_slot="confirmed", **slots)
    assert await form.extract_confirmed(dispatcher, said, DOMAIN) == {"confirmed": "restated"}
    assert await form.validate_confirmed("restated", dispatcher, said, DOMAIN) == {
        "confirmed": None
    }
    assert dispatcher.messages[-1]["response"] == "utter_confirm_again"
    other = zhang("不想换了", "deny", requested_slot="confirmed", **slots)
    assert await form.extract_confirmed(dispatcher, other, DOMAIN) == {"confirmed": False}


async def test_the_sizes_in_stock_are_buttons_and_the_summary_names_both(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    await ActionAskExchangeSku().run(dispatcher, zhang(order_id="HP20241301"), DOMAIN)
    [ask] = dispatcher.messages
    assert [button["title"] for button in ask["buttons"]] == ["黑色 43 码", "白色 42 码"]
    assert ask["buttons"][0]["payload"] == '/inform{"exchange_sku": "ANTA-RUN-BK-43"}'
    tracker = zhang(order_id="HP20241301", exchange_reason="size", exchange_sku="ANTA-RUN-BK-43")
    await ActionAskExchangeConfirmed().run(dispatcher, tracker, DOMAIN)
    summary = dispatcher.messages[1]
    assert summary["target"] == "黑色 42 码 换成 黑色 43 码"
    assert responses(dispatcher)[-1] == "utter_ask_exchange_form_confirmed"


async def test_a_confirmed_exchange_is_opened_and_its_progress_told(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = zhang(
        order_id="HP20241301", exchange_reason="size", exchange_sku="ANTA-RUN-BK-43", confirmed=True
    )
    events = await ActionRequestExchange().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert message["response"] == "utter_exchange_requested"
    assert message["exchange_id"].startswith("EX") and message["new_item"] == "黑色 43 码"
    assert "碧波路" not in message["masked_address"] and "*" in message["masked_address"]
    assert SlotSet("exchange_sku", None) in events
    await ActionExchangeStatus().run(dispatcher, zhang(order_id="HP20241301"), DOMAIN)
    status = dispatcher.messages[-1]
    assert status["response"] == "utter_exchange_status" and "上门取件" in status["progress"]


async def test_a_no_keeps_the_order_as_it_is(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    tracker = zhang(order_id="HP20241304", exchange_reason="defect", confirmed=False)
    await ActionRequestExchange().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher) == ["utter_exchange_not_requested"]
    assert await backend.list_exchanges("HP20241304") == []


async def test_the_reshipped_exchange_tells_the_courier(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    await ActionExchangeStatus().run(dispatcher, zhang(order_id="HP20241305"), DOMAIN)
    [message] = dispatcher.messages
    assert message["exchange_id"] == "EX20241301"
    assert "顺丰" in message["progress"] and "SF7700112233" in message["progress"]


async def test_backend_down_is_an_apology_and_a_handoff(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    tracker = zhang(order_id="HP20241304", exchange_reason="defect", confirmed=True)
    backend.unavailable = True
    events = await ActionRequestExchange().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher)[0].startswith("utter_backend_unavailable")
    assert any(event.get("name") == "action_request_handoff" for event in events)


async def test_a_dispute_keeps_the_images_and_opens_a_ticket(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    form = ValidateReturnDisputeForm()
    text = "我没用过，包装都没拆 https://img.example.com/box.jpg"
    tracker = zhang(text, requested_slot="dispute_description", order_id="HP20241306")
    result = await form.validate_dispute_description(text, dispatcher, tracker, DOMAIN)
    assert result == {
        "dispute_description": "我没用过，包装都没拆",
        "dispute_images": ["https://img.example.com/box.jpg"],
    }
    tracker = zhang("确认提交", order_id="HP20241306", confirmed=True, **result)
    events = await ActionOpenReturnDispute().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert message["response"] == "utter_dispute_opened" and message["hours"] == 24
    assert message["evidence"] == "您的说明和 1 张图片"
    ticket = await backend.get_ticket(message["ticket_id"])
    assert ticket is not None and ticket.category == "return_dispute"
    assert "我没用过" in ticket.summary
    assert any(event.get("name") == "my_tickets" for event in events)


async def test_an_order_without_a_return_has_nothing_to_dispute(
    zhang: Turn, li_app: Turn, dispatcher: CollectingDispatcher
) -> None:
    form = ValidateReturnDisputeForm()
    result = await form.validate_order_id("HP20241301", dispatcher, zhang("x"), DOMAIN)
    assert result["form_gave_up"] is True
    assert responses(dispatcher) == ["utter_no_return_to_dispute"]
    result = await form.validate_order_id("HP20241306", dispatcher, li_app("x"), DOMAIN)
    assert result["order_id"] is None and responses(dispatcher)[-1] == "utter_order_not_found"
