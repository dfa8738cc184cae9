"""JSON documents -> domain dataclasses."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import FrozenInstanceError
from datetime import datetime, timezone
from typing import Any

import pytest

from zhike.lib.backend_client import BackendError, Order
from zhike.lib.backend_client.parsing import (
    customer_from_json,
    order_from_json,
    orders_from_json,
    parse_time,
)

from .backend_stub_server import SAMPLE_CUSTOMER, SAMPLE_ORDER


def test_order_round_trip_fields() -> None:
    order = order_from_json(SAMPLE_ORDER)
    assert isinstance(order, Order)
    assert order.amount_fen == 143880 and order.recipient == "张伟"
    assert order.items[0].name == "Redmi Note 13 Pro 手机"
    assert order.created_at == datetime(2024, 11, 20, 2, 0, tzinfo=timezone.utc)
    assert order.refunds == ()
    with pytest.raises(FrozenInstanceError):
        order.status = "paid"  # type: ignore[misc]


def test_minimal_order_and_null_logistics() -> None:
    order = order_from_json(
        {"order_id": "hp20240003", "customer_id": "c001", "status": "paid", "amount_fen": 100}
    )
    assert order.order_id == "HP20240003" and order.customer_id == "C001"
    assert order.items == () and order.logistics is None and order.created_at is None


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.pop("order_id"),
        lambda d: d.update(amount_fen="12.5"),
        lambda d: d.update(amount_fen=True),
        lambda d: d["items"][0].pop("quantity"),
        lambda d: d.update(created_at="yesterday"),
        lambda d: d["logistics"]["events"][0].update(time=None),
        lambda d: d.update(items=[1, 2]),
    ],
)
def test_malformed_documents_raise_backend_error(mutate: Callable[[Any], object]) -> None:
    data = copy.deepcopy(SAMPLE_ORDER)
    mutate(data)
    with pytest.raises(BackendError) as caught:
        order_from_json(data)
    assert caught.value.code == "invalid_response"


def test_non_object_raises_backend_error() -> None:
    with pytest.raises(BackendError):
        order_from_json(["HP20240001"])
    with pytest.raises(BackendError):
        orders_from_json({"orders": "none"})


def test_customer() -> None:
    customer = customer_from_json(SAMPLE_CUSTOMER)
    assert (customer.customer_id, customer.vip) == ("C001", True)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-11-20T10:00:00+08:00", datetime(2024, 11, 20, 2, tzinfo=timezone.utc)),
        ("2024-11-20T02:00:00Z", datetime(2024, 11, 20, 2, tzinfo=timezone.utc)),
        ("2024-11-20T02:00:00", datetime(2024, 11, 20, 2, tzinfo=timezone.utc)),
        (None, None),
        ("", None),
    ],
)
def test_parse_time(text: str | None, expected: datetime | None) -> None:
    assert parse_time(text) == expected
