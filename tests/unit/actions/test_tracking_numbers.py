"""A tracking number given for "which order?" finds the customer's own order, or is explained."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.orders import ValidateOrderIdForm
from actions.tracking_numbers import tracking_number

from .conftest import Turn

DOMAIN: dict = {"forms": {"order_id_form": {"required_slots": ["order_id"]}}}


async def _which_order(turn: Turn, text: str, dispatcher: CollectingDispatcher) -> dict:
    tracker = turn(text, "inform", requested_slot="order_id")
    return await ValidateOrderIdForm().validate_order_id(text, dispatcher, tracker, DOMAIN)


async def test_the_customers_own_parcel_number_stands_for_its_order(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    slots = await _which_order(zhang, "sf1234567890", dispatcher)  # on 张伟's HP20240001
    assert slots["order_id"] == "HP20240001"
    assert dispatcher.messages == []


async def test_another_customers_parcel_number_opens_nothing(
    li_app: Turn, dispatcher: CollectingDispatcher
) -> None:
    slots = await _which_order(li_app, "SF1234567890", dispatcher)  # 张伟's parcel
    assert slots["order_id"] is None
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_id_is_tracking"]


async def test_an_anonymous_customer_is_told_what_an_order_number_looks_like(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    slots = await _which_order(anonymous, "运单号 SF1234567890", dispatcher)
    assert slots["order_id"] is None
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_id_is_tracking"]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("SF1234567890", "SF1234567890"),
        ("中通 75312345678901", "75312345678901"),
        ("YT1234567890123", "YT1234567890123"),
        ("13800138001", None),  # a mobile number
        ("HP20240001", None),
        ("1234567", None),
    ],
)
def test_tracking_numbers(text: str, number: str | None) -> None:
    assert tracking_number(text) == number
