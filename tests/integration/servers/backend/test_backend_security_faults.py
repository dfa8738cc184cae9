"""API key enforcement, dev mode, the error contract and fault injection on the real process."""

from __future__ import annotations

import time

import httpx
import pytest

from zhike.lib.backend_client import BackendError, BackendUnavailable
from zhike.lib.backend_client.http import HttpBackendClient

from .backend_process import BackendProcess

pytestmark = pytest.mark.integration


def test_health_needs_no_key(backend: BackendProcess) -> None:
    response = httpx.get(f"{backend.base_url}/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.parametrize("key", [None, "wrong-key", ""])
async def test_api_key_is_enforced(backend: BackendProcess, key: str | None) -> None:
    async with HttpBackendClient(backend.base_url, api_key=key) as client:
        with pytest.raises(BackendError) as caught:
            await client.get_order("HP20240001")
    assert not isinstance(caught.value, BackendUnavailable)
    assert caught.value.status == 401 and caught.value.code == "unauthorized"


def test_unauthorised_raw_answer(backend: BackendProcess) -> None:
    response = httpx.get(f"{backend.base_url}/api/v1/customers/C001", headers={"X-Api-Key": "nope"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert "13800138001" not in response.text


async def test_dev_mode_accepts_any_request(dev_backend: BackendProcess) -> None:
    for key in (None, "anything"):
        async with HttpBackendClient(dev_backend.base_url, api_key=key) as client:
            order = await client.get_order("HP20240005")
        assert order is not None and order.customer_id == "C002"
    assert dev_backend.log().count("ZHIKE_BACKEND_API_KEY is not set") == 1


def test_error_contract_is_utf8_json(backend: BackendProcess) -> None:
    headers = {"X-Api-Key": backend.api_key or ""}
    for path, status, code in [
        ("/api/v1/orders/HP1", 400, "invalid_order_id"),
        ("/api/v1/orders/HP20249999", 404, "order_not_found"),
        ("/api/v1/orders/HP20240003/logistics", 404, "logistics_not_found"),
        ("/api/v1/customers/C999", 404, "customer_not_found"),
        ("/api/v1/nothing-here", 404, "route_not_found"),
    ]:
        response = httpx.get(backend.base_url + path, headers=headers)
        assert response.status_code == status, path
        assert response.headers["content-type"] == "application/json; charset=utf-8"
        error = response.json()["error"]
        assert error["code"] == code and error["message"]
    # Chinese text travels as UTF-8, not as \\u escapes
    response = httpx.get(f"{backend.base_url}/api/v1/customers/C001", headers=headers)
    assert "张伟" in response.content.decode("utf-8")
    response = httpx.post(f"{backend.base_url}/api/v1/orders/HP20240001", headers=headers)
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


async def test_delay_fault_makes_client_unavailable_within_timeout(
    backend: BackendProcess, faults: httpx.Client
) -> None:
    assert faults.post("/__faults", json={"delay_ms": 2500}).status_code == 200
    async with HttpBackendClient(backend.base_url, api_key=backend.api_key, timeout=0.5) as slow:
        started = time.monotonic()
        with pytest.raises(BackendUnavailable) as caught:
            await slow.get_order("HP20240001")
        elapsed = time.monotonic() - started
    assert elapsed < 1.2, elapsed
    assert caught.value.code == "timeout"
    # health is never slowed down
    assert httpx.get(f"{backend.base_url}/health", timeout=1.0).status_code == 200


async def test_status_fault_makes_client_unavailable(
    client: HttpBackendClient, faults: httpx.Client
) -> None:
    assert faults.post("/__faults", json={"status": 503}).json()["active"] is True
    with pytest.raises(BackendUnavailable) as caught:
        await client.get_order("HP20240001")
    assert caught.value.status == 503
    faults.delete("/__faults")
    assert await client.get_order("HP20240001") is not None


async def test_counted_fault_clears_itself(client: HttpBackendClient, faults: httpx.Client) -> None:
    faults.post("/__faults", json={"status": 500, "count": 1})
    with pytest.raises(BackendUnavailable):
        await client.get_customer("C001")
    assert await client.get_customer("C001") is not None
    assert faults.get("/__faults").json()["active"] is False


def test_unexpected_exception_is_a_generic_500(
    backend: BackendProcess, faults: httpx.Client
) -> None:
    faults.post("/__faults", json={"error": True})
    response = httpx.get(
        f"{backend.base_url}/api/v1/orders/HP20240001", headers={"X-Api-Key": backend.api_key or ""}
    )
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "internal_error", "message": "服务器内部错误，请稍后再试"}
    }
    assert "Traceback" not in response.text and "secret" not in response.text
    assert "InjectedFault" in backend.log()  # logged server-side instead


@pytest.mark.parametrize(
    "body", [{"delay_ms": -1}, {"status": 200}, {"delay_ms": "slow"}, {"boom": 1}, [1]]
)
def test_bad_fault_requests_are_400(faults: httpx.Client, body: object) -> None:
    response = faults.post("/__faults", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_fault"


def test_faults_need_the_key(backend: BackendProcess) -> None:
    assert httpx.post(f"{backend.base_url}/__faults", json={"status": 503}).status_code == 401


def test_faults_are_off_by_default(dev_backend: BackendProcess) -> None:
    response = httpx.post(f"{dev_backend.base_url}/__faults", json={"status": 503})
    assert response.status_code == 404
    assert httpx.get(f"{dev_backend.base_url}/api/v1/orders/HP20240001").status_code == 200
