"""HttpBackendClient against a real local HTTP server: parsing and error mapping."""

from __future__ import annotations

import asyncio
import time
from datetime import timezone

import pytest

from zhike.lib.backend_client import BackendError, BackendUnavailable
from zhike.lib.backend_client.http import HttpBackendClient

from .backend_stub_server import StubServer, free_port


async def test_order_is_parsed_into_dataclasses(stub_server: StubServer) -> None:
    async with HttpBackendClient(stub_server.base_url) as client:
        order = await client.get_order("HP20240001")
    assert order is not None
    assert order.order_id == "HP20240001"
    assert order.status == "shipped"
    assert [item.quantity for item in order.items] == [1, 2]
    assert order.items[1].subtotal_fen == 3980
    assert order.logistics is not None
    assert order.logistics.courier == "顺丰"
    # events come back in chronological order whatever order the server used
    assert [e.description for e in order.logistics.events] == ["已揽收", "已到达"]
    assert order.logistics.latest_event is not None
    assert order.logistics.latest_event.description == "已到达"
    assert order.logistics.eta is not None and order.logistics.eta.tzinfo == timezone.utc
    assert order.logistics.eta.hour == 2  # 10:00 +08:00 is 02:00 UTC
    assert order.updated_at is not None and order.updated_at.tzinfo == timezone.utc


async def test_logistics_customer_and_order_list(stub_server: StubServer) -> None:
    client = HttpBackendClient(stub_server.base_url + "/")
    try:
        logistics = await client.get_logistics("HP20240001")
        assert logistics is not None and logistics.tracking_number == "SF1234567890"
        assert await client.get_logistics("HP20240003") is None
        customer = await client.get_customer("C001")
        assert customer is not None and customer.name == "张伟" and customer.vip
        assert await client.get_customer("C404") is None
        orders = await client.list_orders("C001")
        assert orders is not None and [o.order_id for o in orders] == ["HP20240001"]
        assert await client.list_orders("C404") is None
    finally:
        await client.aclose()


async def test_404_is_none(stub_server: StubServer) -> None:
    async with HttpBackendClient(stub_server.base_url) as client:
        assert await client.get_order("HP20249999") is None


async def test_missing_route_is_an_error_not_none(stub_server: StubServer) -> None:
    async with HttpBackendClient(stub_server.base_url) as client:
        with pytest.raises(BackendError) as caught:
            await client.get_order("HP20240404")
    assert not isinstance(caught.value, BackendUnavailable)
    assert caught.value.code == "route_not_found"
    assert "ZHIKE_BACKEND_URL" in str(caught.value)


async def test_4xx_is_backend_error_with_server_message(stub_server: StubServer) -> None:
    async with HttpBackendClient(stub_server.base_url) as client:
        with pytest.raises(BackendError) as caught:
            await client.get_order("HP20240400")
        assert not isinstance(caught.value, BackendUnavailable)
        assert caught.value.status == 400
        assert caught.value.code == "invalid_order_id"
        assert str(caught.value) == "订单号格式不正确"

        with pytest.raises(BackendError) as caught:
            await client.get_order("HP20240401")
        assert caught.value.status == 401 and not isinstance(caught.value, BackendUnavailable)


@pytest.mark.parametrize("order_id, status", [("HP20240500", 500), ("HP20240503", 503)])
async def test_5xx_is_unavailable(stub_server: StubServer, order_id: str, status: int) -> None:
    async with HttpBackendClient(stub_server.base_url) as client:
        with pytest.raises(BackendUnavailable) as caught:
            await client.get_order(order_id)
    assert caught.value.status == status
    assert str(status) in str(caught.value)


async def test_slow_server_times_out_within_timeout(stub_server: StubServer) -> None:
    async with HttpBackendClient(stub_server.base_url, timeout=0.3) as client:
        started = time.monotonic()
        with pytest.raises(BackendUnavailable) as caught:
            await client.get_order("HP20240777")
        elapsed = time.monotonic() - started
        assert elapsed < 1.0
        assert caught.value.code == "timeout"
        assert "0.3s" in str(caught.value)


async def test_after_a_timeout_calls_fail_fast_until_the_cooldown_ends(
    stub_server: StubServer,
) -> None:
    async with HttpBackendClient(stub_server.base_url, timeout=0.3, cooldown=0.5) as client:
        with pytest.raises(BackendUnavailable):
            await client.get_order("HP20240777")  # slow: times out, opens the circuit
        started = time.monotonic()
        with pytest.raises(BackendUnavailable) as caught:
            await client.get_order("HP20240001")
        assert caught.value.code == "circuit_open"
        assert time.monotonic() - started < 0.1  # no second wait for a timeout
        await asyncio.sleep(0.6)
        # after the cool-down the client is usable again
        assert await client.get_order("HP20240001") is not None


async def test_a_5xx_answer_does_not_open_the_circuit(stub_server: StubServer) -> None:
    async with HttpBackendClient(stub_server.base_url, timeout=1.0) as client:
        with pytest.raises(BackendUnavailable) as caught:
            await client.get_order("HP20240500")
        assert caught.value.status == 500
        assert await client.get_order("HP20240001") is not None


async def test_connection_refused_is_unavailable() -> None:
    port = free_port()  # nothing listens there any more
    async with HttpBackendClient(f"http://127.0.0.1:{port}", timeout=1.0) as client:
        started = time.monotonic()
        with pytest.raises(BackendUnavailable) as caught:
            await client.get_order("HP20240001")
    assert time.monotonic() - started < 1.5
    assert caught.value.code == "connection_error"
    assert f"127.0.0.1:{port}" in str(caught.value)


@pytest.mark.parametrize("order_id", ["HP20240888", "HP20240999"])
async def test_malformed_body_is_backend_error(stub_server: StubServer, order_id: str) -> None:
    async with HttpBackendClient(stub_server.base_url) as client:
        with pytest.raises(BackendError) as caught:
            await client.get_order(order_id)
    assert caught.value.code == "invalid_response"
    assert not isinstance(caught.value, BackendUnavailable)


async def test_api_key_header_is_sent_and_connection_reused(stub_server: StubServer) -> None:
    async with HttpBackendClient(stub_server.base_url, api_key="s3cret") as client:
        await client.get_order("HP20240001")
        await client.get_order("HP20249999")
    assert [h.get("X-Api-Key") for h in stub_server.headers_seen] == ["s3cret", "s3cret"]
    assert all(h.get("Accept") == "application/json" for h in stub_server.headers_seen)


async def test_no_key_header_without_key(stub_server: StubServer) -> None:
    async with HttpBackendClient(stub_server.base_url) as client:
        await client.get_order("HP20240001")
    assert "X-Api-Key" not in stub_server.headers_seen[0]


async def test_ids_are_url_encoded_and_empty_rejected(stub_server: StubServer) -> None:
    async with HttpBackendClient(stub_server.base_url) as client:
        assert await client.get_order("HP2024/../0001") is None
        with pytest.raises(BackendError) as caught:
            await client.get_order("  ")
    assert caught.value.code == "invalid_order_id"


async def test_client_reopens_after_aclose(stub_server: StubServer) -> None:
    client = HttpBackendClient(stub_server.base_url)
    assert await client.get_order("HP20240001") is not None
    await client.aclose()
    assert await client.get_order("HP20240001") is not None
    await client.aclose()


def test_timeout_must_be_positive() -> None:
    with pytest.raises(ValueError):
        HttpBackendClient("http://127.0.0.1:1", timeout=0)
