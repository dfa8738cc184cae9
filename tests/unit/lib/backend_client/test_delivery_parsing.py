"""The delivery-change documents parse into frozen objects; foreign shapes are refused."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from zhike.lib.backend_client import BackendError
from zhike.lib.backend_client.delivery.domain import (
    delivery_change_from_json,
    delivery_changes_from_json,
    pickup_answer_from_json,
)

CHANGE = {
    "change_id": "dc20241203",
    "order_id": "hp20241201",
    "kind": "delivery_window",
    "status": "done",
    "fee_fen": 0,
    "window_date": "2024-12-07",
    "window_slot": "pm",
    "phone": None,
    "note": None,
    "created_at": "2024-12-03T12:00:00+08:00",
}


def test_a_change_is_parsed() -> None:
    change = delivery_change_from_json(CHANGE)
    assert (change.change_id, change.order_id) == ("DC20241203", "HP20241201")
    assert change.window_date == date(2024, 12, 7) and change.window_slot == "pm"
    assert change.created_at == datetime(2024, 12, 3, 4, tzinfo=timezone.utc)
    assert change.note == "" and change.phone is None
    assert delivery_changes_from_json({"changes": [CHANGE]}) == [change]


def test_a_pickup_answer_may_be_empty() -> None:
    assert pickup_answer_from_json({"pickup": None}) is None
    pickup = pickup_answer_from_json(
        {
            "pickup": {
                "order_id": "HP20241205",
                "refund_id": "RF20241201",
                "courier": "京东物流",
                "pickup_date": "2024-12-04",
                "pickup_slot": "am",
                "status": "scheduled",
            }
        }
    )
    assert pickup is not None and pickup.pickup_date == date(2024, 12, 4)


@pytest.mark.parametrize(
    "document",
    [[], {"change_id": "DC1"}, {**CHANGE, "fee_fen": "10"}, {**CHANGE, "window_date": "周六"}],
)
def test_foreign_shapes_are_invalid_responses(document: object) -> None:
    with pytest.raises(BackendError) as caught:
        delivery_change_from_json(document)
    assert caught.value.code == "invalid_response"
