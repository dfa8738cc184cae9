"""The exchange client methods against both adapters (HTTP to the real backend process, and
the in-process client): same calls, same answers, same refusal codes. Also the routes'
refusals over plain REST.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from zhike.lib.backend_client import BackendClient, BackendError
from zhike.lib.backend_client.fake import InMemoryBackendClient
from zhike.lib.backend_client.http import HttpBackendClient

from .backend_process import BackendProcess
from .rest import Api, error_of

pytestmark = pytest.mark.integration


@pytest.fixture(params=["http", "in-process"])
async def client(
    request: pytest.FixtureRequest, backend: BackendProcess, api: Api
) -> AsyncIterator[BackendClient]:
    """A client on fresh demo data."""
    if request.param == "http":
        http = HttpBackendClient(backend.base_url, api_key=backend.api_key, timeout=5.0)
        yield http
        await http.aclose()
    else:
        fake = InMemoryBackendClient()
        yield fake
        await fake.aclose()


async def _code(call: object) -> str | None:
    try:
        await call  # type: ignore[misc]
    except BackendError as error:
        return error.code
    return None


async def test_checks_say_why_and_list_the_variants(client: BackendClient) -> None:
    shoe = await client.check_exchange("HP20241301", "C001")
    assert shoe is not None and shoe.eligible and shoe.delivered_days == 5
    assert (shoe.colour, shoe.size) == ("黑色", "42")
    assert {(v.sku, v.in_stock) for v in shoe.variants} == {
        ("ANTA-RUN-BK-43", True),
        ("ANTA-RUN-BK-44", False),
        ("ANTA-RUN-WH-42", True),
    }
    late = await client.check_exchange("HP20241302", "C001")
    assert late is not None and late.code == "exchange_window_passed"
    assert "已签收 20 天，超过 15 天换货期" in late.message
    food = await client.check_exchange("HP20241303", "C001")
    assert food is not None and not food.eligible and food.code == "not_exchangeable"
    assert await client.check_exchange("HP20241301", "C002") is None  # another customer's
    assert await client.check_exchange("HP20249999", "C001") is None


async def test_exchanges_are_opened_listed_and_refused(client: BackendClient) -> None:
    created = await client.request_exchange(
        "HP20241301", "C001", "size", "ANTA-RUN-BK-43", "大一码"
    )
    assert created.exchange_id.startswith("EX") and created.status == "requested"
    assert created.new_sku == "ANTA-RUN-BK-43" and created.note == "大一码"
    listed = await client.list_exchanges("HP20241301")
    assert listed is not None and [e.exchange_id for e in listed] == [created.exchange_id]
    shipped = await client.list_exchanges("HP20241305")
    assert shipped is not None and shipped[-1].courier == "顺丰"
    assert shipped[-1].tracking_number == "SF7700112233"
    assert await client.list_exchanges("HP20249999") is None
    refusals = [
        client.request_exchange("HP20241301", "C001", "size", "ANTA-RUN-WH-42"),
        client.request_exchange("HP20241302", "C001", "size", "ANTA-RUN-BK-42"),
        client.request_exchange("HP20241303", "C001", "defect"),
        client.request_exchange("HP20241304", "C002", "defect"),
        client.request_exchange("HP20241304", "C001", "swap"),
    ]
    assert [await _code(call) for call in refusals] == [
        "exchange_exists",
        "exchange_window_passed",
        "not_exchangeable",
        "not_found",
        "invalid_reason",
    ]


async def test_a_dispute_opens_a_ticket_with_the_evidence(client: BackendClient) -> None:
    dispute = await client.open_return_dispute(
        "HP20241306",
        "C001",
        "质检说有划痕，签收时就有",
        ["https://img.example.com/1.jpg"],
        channel="app",
        idempotency_key="dispute-test-1",
    )
    assert dispute.ticket.category == "return_dispute" and dispute.reply_within_hours == 24
    assert dispute.evidence == (
        ("text", "质检说有划痕，签收时就有"),
        ("image", "https://img.example.com/1.jpg"),
    )
    ticket = await client.get_ticket(dispute.ticket.ticket_id)
    assert ticket is not None and "HP20241306" in ticket.summary
    assert await _code(client.open_return_dispute("HP20241301", "C001", "不认可")) == "no_return"
    assert await _code(client.open_return_dispute("HP20241306", "C002", "不认可")) == "not_found"


def test_the_routes_refuse_like_the_services(api: Api) -> None:
    body = {"customer_id": "C001", "reason": "size", "new_sku": "ANTA-RUN-BK-44"}
    assert error_of(api.post("/orders/HP20241301/exchanges", body)) == (409, "out_of_stock")
    body = {"customer_id": "C001", "description": "不认可", "images": "x"}
    assert error_of(api.post("/orders/HP20241306/disputes", body)) == (422, "invalid_images")
    moved = api.ok("POST", "/exchanges/EX20241301/advance", {})
    assert moved["status"] == "completed"
    assert error_of(api.post("/exchanges/EX20241301/advance", {})) == (409, "exchange_closed")
