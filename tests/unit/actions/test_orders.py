from __future__ import annotations

from collections.abc import Callable

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.orders import ActionOrderStatus, ValidateOrderIdForm
from zhike.backend_client.fake import InMemoryBackendClient

DOMAIN: dict = {}


async def test_shipped_order_reports_status_and_logistics(
    load_tracker: Callable[..., Tracker],
    dispatcher: CollectingDispatcher,
    backend: InMemoryBackendClient,
) -> None:
    events = await ActionOrderStatus().run(dispatcher, load_tracker("order_lookup"), DOMAIN)

    status, logistics = dispatcher.messages
    assert status["response"] == "utter_order_status"
    assert status["order_id"] == "HP20240001"
    assert status["status_label"] == "已发货，正在运输中"
    assert logistics["response"] == "utter_order_logistics"
    assert logistics["courier"] == "顺丰"
    assert logistics["tracking_number"] == "SF1234567890"
    assert "月" in logistics["latest_event"]
    assert events == [SlotSet("order_id", None)]


async def test_unshipped_order_reports_status_only(
    load_tracker: Callable[..., Tracker],
    dispatcher: CollectingDispatcher,
    backend: InMemoryBackendClient,
) -> None:
    tracker = load_tracker("order_lookup", order_id="hp20240003")
    await ActionOrderStatus().run(dispatcher, tracker, DOMAIN)

    [status] = dispatcher.messages
    assert status["status_label"] == "已付款，等待发货"


async def test_status_message_carries_no_personal_data(
    load_tracker: Callable[..., Tracker],
    dispatcher: CollectingDispatcher,
    backend: InMemoryBackendClient,
) -> None:
    await ActionOrderStatus().run(dispatcher, load_tracker("order_lookup"), DOMAIN)
    order = await backend.get_order("HP20240001")
    assert order is not None
    rendered = str(dispatcher.messages)
    for personal in (order.phone, order.recipient, order.shipping_address, order.phone[-4:]):
        assert personal and personal not in rendered


async def test_unknown_order_is_not_found(
    load_tracker: Callable[..., Tracker],
    dispatcher: CollectingDispatcher,
    backend: InMemoryBackendClient,
) -> None:
    tracker = load_tracker("order_lookup", order_id="HP29999999")
    await ActionOrderStatus().run(dispatcher, tracker, DOMAIN)

    [message] = dispatcher.messages
    assert message["response"] == "utter_order_not_found"
    assert message["order_id"] == "HP29999999"


async def test_backend_down_gets_an_apology(
    load_tracker: Callable[..., Tracker],
    dispatcher: CollectingDispatcher,
    backend: InMemoryBackendClient,
) -> None:
    backend.unavailable = True
    events = await ActionOrderStatus().run(dispatcher, load_tracker("order_lookup"), DOMAIN)

    [message] = dispatcher.messages
    assert message["response"] == "utter_backend_unavailable"
    assert events == [SlotSet("order_id", None)]


async def test_missing_order_number_is_asked_for(
    load_tracker: Callable[..., Tracker],
    dispatcher: CollectingDispatcher,
    backend: InMemoryBackendClient,
) -> None:
    tracker = load_tracker("order_lookup", order_id=None)
    await ActionOrderStatus().run(dispatcher, tracker, DOMAIN)

    assert dispatcher.messages[0]["response"] == "utter_ask_order_id"
    assert backend.calls == []


async def test_validation_normalises_a_valid_order_number(
    load_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher
) -> None:
    result = await ValidateOrderIdForm().validate_order_id(
        "ｈｐ20240002", dispatcher, load_tracker("order_lookup"), DOMAIN
    )
    assert result == {"order_id": "HP20240002"}
    assert dispatcher.messages == []


async def test_validation_rejects_a_malformed_order_number(
    load_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher
) -> None:
    tracker = load_tracker("order_lookup")
    tracker.latest_message["text"] = "HP123"
    result = await ValidateOrderIdForm().validate_order_id("HP123", dispatcher, tracker, DOMAIN)

    assert result == {"order_id": None}
    assert dispatcher.messages[0]["response"] == "utter_invalid_order_id"
