"""The delivery-change client on both adapters (HTTP to the real backend, in-process):
same calls, same answers, same refusal codes; plus the routes' request checks.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from zhike.lib.backend_client import BackendClient, BackendError
from zhike.lib.backend_client.fake import InMemoryBackendClient
from zhike.lib.backend_client.http import HttpBackendClient

from .backend_process import BackendProcess
from .rest import Api

pytestmark = pytest.mark.integration


@pytest.fixture(params=["http", "in-process"])
async def client(
    request: pytest.FixtureRequest, backend: BackendProcess, api: Api
) -> AsyncIterator[BackendClient]:
    """A client on fresh demo data."""
    adapter: BackendClient
    if request.param == "http":
        adapter = HttpBackendClient(backend.base_url, api_key=backend.api_key, timeout=5.0)
    else:
        adapter = InMemoryBackendClient()
    yield adapter
    await adapter.aclose()


def ahead(days: int) -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=days)


async def _refusal(call: object) -> str | None:
    try:
        await call  # type: ignore[misc]
    except BackendError as error:
        return error.code
    return None


async def test_interceptions(client: BackendClient) -> None:
    change = await client.request_interception("HP20241201", "C001")
    assert change.change_id.startswith("DC") and change.status == "requested"
    assert change.fee_fen == 1000 and change.order_id == "HP20241201"
    assert await _refusal(client.request_interception("HP20241201", "C001")) == (
        "interception_exists"
    )
    assert await _refusal(client.request_interception("HP20241202", "C001")) == (
        "courier_cannot_intercept"
    )
    assert await _refusal(client.request_interception("HP20241203", "C001", "return")) == (
        "already_delivered"
    )
    assert await _refusal(client.request_interception("HP20241204", "C001")) == "not_shipped"
    assert await _refusal(client.request_interception("HP20240005", "C001")) == "not_found"
    changes = await client.list_delivery_changes("HP20241209", "C001")
    assert [(c.change_id, c.status) for c in changes] == [("DC20241202", "intercepted")]
    assert await _refusal(client.list_delivery_changes("HP20241209", "C002")) == "not_found"


async def test_delivery_windows_and_phones(client: BackendClient) -> None:
    change = await client.schedule_delivery("HP20241204", "C001", ahead(3), "pm")
    assert (change.window_date, change.window_slot) == (ahead(3), "pm")
    assert await _refusal(client.schedule_delivery("HP20241201", "C001", ahead(9), "am")) == (
        "date_out_of_window"
    )
    assert await _refusal(client.schedule_delivery("HP20241207", "C001", ahead(2), "am")) == (
        "appointment_not_supported"
    )
    assert await _refusal(client.schedule_delivery("HP20240005", "C001", ahead(2), "am")) == (
        "not_found"
    )
    phone = await client.change_receiver_phone("HP20241201", "C001", "13912345678")
    assert phone.phone == "13912345678" and phone.kind == "receiver_phone"
    order = await client.get_order("HP20241201")
    assert order is not None and order.phone == "13912345678"
    assert await _refusal(client.change_receiver_phone("HP20241201", "C001", "1391234")) == (
        "invalid_phone"
    )
    assert await _refusal(client.change_receiver_phone("HP20241203", "C001", "13912345678")) == (
        "already_delivered"
    )


async def test_return_pickups(client: BackendClient) -> None:
    pickup = await client.get_return_pickup("HP20241205", "C001")
    assert pickup is not None and pickup.refund_id == "RF20231201"
    assert (pickup.pickup_date, pickup.pickup_slot) == (ahead(1), "am")
    assert await client.get_return_pickup("HP20241203", "C001") is None
    assert await _refusal(client.get_return_pickup("HP20241205", "C002")) == "not_found"
    moved = await client.reschedule_pickup("HP20241205", "C001", ahead(2), "pm")
    assert (moved.pickup_date, moved.pickup_slot, moved.status) == (ahead(2), "pm", "scheduled")
    assert await _refusal(client.reschedule_pickup("HP20241203", "C001", ahead(2), "pm")) == (
        "no_pickup"
    )
    assert await _refusal(client.reschedule_pickup("HP20241205", "C001", ahead(2), "evening")) == (
        "invalid_slot"
    )


def test_routes_check_their_bodies(api: Api) -> None:
    bad = api.put("/orders/HP20241201/delivery-window", {"customer_id": "C001"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_date"
    anonymous = api.get("/orders/HP20241201/delivery-changes")
    assert anonymous.status_code == 400
    created = api.post("/orders/HP20241207/interceptions", {"customer_id": "C001"})
    assert created.status_code == 201 and created.json()["kind"] == "intercept"
