"""A plain "no" outside any task (actions/plain_no.py): "我不要了" about the order in focus."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.plain_no import ActionPlainNo

from .conftest import Turn


def shown(tracker: Tracker, order_id: str) -> Tracker:
    """The tracker with ``order_id`` put in focus just before the latest message."""
    tracker.events.insert(-1, {"event": "slot", "name": "focus_order", "value": order_id})
    return tracker


@pytest.mark.parametrize(
    ("order_id", "words", "offered"),
    [
        ("HP20240001", "已经发货了", ["/intercept_parcel", "/request_refund"]),  # shipped
        ("HP20240003", "还没发货", ["/cancel_order"]),  # paid
        ("HP20240002", "已经签收了", ["/request_refund"]),  # delivered
    ],
)
async def test_not_wanting_the_order_in_focus_offers_its_ways_out(
    zhang: Turn, dispatcher: CollectingDispatcher, order_id: str, words: str, offered: list[str]
) -> None:
    tracker = shown(zhang("那算了 我不要了", "deny"), order_id)
    await ActionPlainNo().run(dispatcher, tracker, {})
    said, offer = dispatcher.messages
    assert said["response"] == "utter_order_not_wanted" and said["order_id"] == order_id
    assert words in said["how"]
    assert offer["response"] == "utter_order_services_offer"
    payloads = [button["payload"].split("{")[0] for button in offer["buttons"]]
    assert payloads == offered
    assert all(order_id in button["payload"] for button in offer["buttons"])


@pytest.mark.parametrize(
    ("text", "focus"),
    [
        ("不用了", "HP20240001"),  # no order given up: never mind
        ("我不要了", None),  # no order in focus
        ("我不要了", "HP20240005"),  # another customer's order
        ("我不要了", "HP20240004"),  # refunding: nothing left to give up
    ],
)
async def test_anything_else_closes_the_topic_politely(
    zhang: Turn, dispatcher: CollectingDispatcher, text: str, focus: str | None
) -> None:
    tracker = zhang(text, "deny")
    if focus:
        shown(tracker, focus)
    await ActionPlainNo().run(dispatcher, tracker, {})
    assert [message["response"] for message in dispatcher.messages] == ["utter_ok"]
