"""HttpBackendClient's identity calls against a real local HTTP server: rate limits (429),
request ids, client addresses and unbinding.
"""

from __future__ import annotations

import pytest

from zhike.lib.backend_client import BackendError, BackendRateLimited, BackendUnavailable
from zhike.lib.backend_client.fake import InMemoryBackendClient
from zhike.lib.backend_client.http import HttpBackendClient
from zhike.lib.backend_client.transport import retry_after_seconds

from .backend_stub_server import StubServer


async def test_429_is_rate_limited_with_the_seconds_to_wait(stub_server: StubServer) -> None:
    async with HttpBackendClient(stub_server.base_url) as client:
        with pytest.raises(BackendRateLimited) as caught:
            await client.get_order("HP20240429")
        assert caught.value.retry_after == 42.0 and caught.value.status == 429
        assert caught.value.code == "too_many_requests" and caught.value.message == "请求过于频繁"
        assert not isinstance(caught.value, BackendUnavailable)
        with pytest.raises(BackendRateLimited) as without:
            await client.get_order("HP20240430")
        assert without.value.retry_after is None
        # a rate limit is no outage: the circuit stays closed
        assert await client.get_order("HP20240001") is not None


def test_retry_after_forms() -> None:
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    for value in (None, "", "soon", "nan", "inf"):
        assert retry_after_seconds(value) is None


async def test_codes_are_confirmed_by_request_id_and_the_phone_is_not_resent(
    stub_server: StubServer,
) -> None:
    async with HttpBackendClient(stub_server.base_url) as client:
        request_id = await client.request_binding_code("13800138001", "socketio", "web-1")
        assert request_id == "req-0123456789abcdef"
        assert await client.confirm_binding(
            None, "123456", "socketio", "web-1", request_id=request_id
        )
        stub_server.legacy_codes = True
        assert await client.request_binding_code("13800138001", "socketio", "web-1") is None
        await client.confirm_binding("13800138001", "123456", "socketio", "web-1")
    sent_confirm, old_confirm = stub_server.bodies_seen[1], stub_server.bodies_seen[3]
    assert sent_confirm == {
        "code": "123456",
        "channel": "socketio",
        "channel_user_id": "web-1",
        "request_id": "req-0123456789abcdef",
    }
    assert old_confirm["phone"] == "13800138001" and "request_id" not in old_confirm


async def test_client_address_is_sent_only_when_known(stub_server: StubServer) -> None:
    async with HttpBackendClient(stub_server.base_url) as client:
        await client.check_order_phone("HP20240001", "8001", "web:a")
        await client.check_order_phone("HP20240001", "8001", "web:a", client_address="203.0.113.9")
    assert stub_server.bodies_seen == [
        {"last4": "8001", "requester": "web:a"},
        {"last4": "8001", "requester": "web:a", "client_address": "203.0.113.9"},
    ]


async def test_unbind(stub_server: StubServer) -> None:
    async with HttpBackendClient(stub_server.base_url) as client:
        assert await client.unbind("socketio", "bound-user") is True
        assert await client.unbind("socketio", "someone/else") is False


async def test_the_in_process_client_reports_limits_the_same_way() -> None:
    async with InMemoryBackendClient() as client:
        await client.request_binding_code("13800138001", "socketio", "a")
        with pytest.raises(BackendRateLimited) as caught:
            await client.request_binding_code("13800138001", "socketio", "b")
        assert caught.value.code == "too_many_codes" and 0 < (caught.value.retry_after or 0) <= 60
        with pytest.raises(BackendError) as invalid:
            await client.check_order_phone("HP20240001", "8001", "web:a", "not-an-ip")
        assert invalid.value.code == "invalid_client_address"
