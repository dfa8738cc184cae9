"""Order writes on the real backend: cancel, refund, address, invoice (rules and refusals)."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from .backend_process import BackendProcess
from .rest import Api, error_of

pytestmark = pytest.mark.integration

VALID_CODE = "91350100M000100Y43"  # a commonly cited valid unified social credit code
SHANGHAI = "上海市徐汇区漕溪北路 88 号 2 楼"


def test_cancel_paid_order_refunds_in_full(api: Api) -> None:
    before = api.ok("GET", "/orders/HP20240003")
    order = api.ok("POST", "/orders/HP20240003/cancel", {"customer_id": "C001"})
    assert order["status"] == "cancelled"
    assert order["updated_at"] > before["updated_at"]
    [refund] = order["refunds"]
    assert re.fullmatch(r"RF\d{8}", refund["refund_id"]) and refund["refund_id"] != "RF20240001"
    assert refund["status"] == "completed" and refund["amount_fen"] == order["amount_fen"]
    assert api.ok("GET", "/orders/HP20240003") == order
    # a cancelled order cannot be cancelled again
    assert error_of(api.post("/orders/HP20240003/cancel", {"customer_id": "C001"})) == (
        409,
        "order_not_cancellable",
    )


@pytest.mark.parametrize("order_id", ["HP20240001", "HP20240002", "HP20240004"])
def test_cancel_refused_once_shipped_or_refunding(api: Api, order_id: str) -> None:
    before = api.ok("GET", f"/orders/{order_id}")
    response = api.post(f"/orders/{order_id}/cancel", {"customer_id": "C001"})
    assert error_of(response) == (409, "order_not_cancellable")
    assert api.ok("GET", f"/orders/{order_id}") == before


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        ("/orders/HP20240005/cancel", {"customer_id": "C001"}, (404, "not_found")),
        ("/orders/HP20240003/cancel", {"customer_id": "C002"}, (404, "not_found")),
        ("/orders/HP20249999/cancel", {"customer_id": "C001"}, (404, "not_found")),
        ("/orders/HP2024/cancel", {"customer_id": "C001"}, (400, "invalid_order_id")),
        ("/orders/HP20240003/cancel", {}, (400, "invalid_customer_id")),
        ("/orders/HP20240003/cancel", {"customer_id": "nobody"}, (400, "invalid_customer_id")),
        ("/orders/HP20240003/cancel", [1, 2], (400, "invalid_json")),
        ("/orders/HP20240005/refunds", {"customer_id": "C001", "reason": "x"}, (404, "not_found")),
        (
            "/orders/HP20240005/invoices",
            {"customer_id": "C001", "title": "张伟", "type": "electronic_normal"},
            (404, "not_found"),
        ),
    ],
)
def test_write_refusals(api: Api, path: str, body: object, expected: tuple[int, str]) -> None:
    assert error_of(api.post(path, body)) == expected


def test_other_customers_order_is_not_revealed(api: Api) -> None:
    foreign = api.put("/orders/HP20240005/address", {"customer_id": "C001", "address": SHANGHAI})
    unknown = api.put("/orders/HP20249999/address", {"customer_id": "C001", "address": SHANGHAI})
    assert error_of(foreign) == error_of(unknown) == (404, "not_found")
    assert foreign.json()["error"]["message"] == unknown.json()["error"]["message"].replace(
        "HP20249999", "HP20240005"
    )
    assert "HP20240005" not in unknown.text and "李娜" not in foreign.text


def test_malformed_json_body(api: Api) -> None:
    response = api.http.post(
        "/api/v1/orders/HP20240003/cancel",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert error_of(response) == (400, "invalid_json")


def test_refund_of_recently_delivered_order(api: Api) -> None:
    refund = api.ok(
        "POST",
        "/orders/HP20240002/refunds",
        {"customer_id": "C001", "reason": "  尺寸不合适 "},
        201,
    )
    assert re.fullmatch(r"RF\d{8}", refund["refund_id"])
    assert (refund["status"], refund["reason"], refund["order_id"]) == (
        "requested",
        "尺寸不合适",
        "HP20240002",
    )
    order = api.ok("GET", "/orders/HP20240002")
    assert order["status"] == "refunding" and order["refunds"][-1] == refund
    again = api.post("/orders/HP20240002/refunds", {"customer_id": "C001", "reason": "再退一次"})
    assert error_of(again) == (409, "refund_exists")


def test_refund_of_paid_and_shipped_orders(api: Api) -> None:
    first = api.ok(
        "POST", "/orders/HP20240003/refunds", {"customer_id": "C001", "reason": "a"}, 201
    )
    second = api.ok(
        "POST", "/orders/HP20240005/refunds", {"customer_id": "C002", "reason": "b"}, 201
    )
    numbers = [int(refund["refund_id"][2:]) for refund in (first, second)]
    assert numbers[1] == numbers[0] + 1 and numbers[0] > 20240001  # after the seeded RF20240001


def test_refund_refusals(api: Api) -> None:
    open_refund = api.post("/orders/HP20240004/refunds", {"customer_id": "C001", "reason": "x"})
    assert error_of(open_refund) == (409, "refund_exists")
    api.ok("POST", "/orders/HP20240003/cancel", {"customer_id": "C001"})
    cancelled = api.post("/orders/HP20240003/refunds", {"customer_id": "C001", "reason": "x"})
    assert error_of(cancelled) == (409, "refund_not_allowed")
    for reason in ["", "   ", "长" * 501, 42, None]:
        response = api.post("/orders/HP20240001/refunds", {"customer_id": "C001", "reason": reason})
        assert error_of(response) == (422, "invalid_reason"), reason
    assert api.ok("GET", "/orders/HP20240001")["status"] == "shipped"


def test_refund_window_closes_seven_days_after_delivery(api: Api) -> None:
    # data seeded 6 days ago: HP20240002 was delivered about 8 days ago
    api.reset(now=datetime.now(timezone.utc) - timedelta(days=6))
    response = api.post("/orders/HP20240002/refunds", {"customer_id": "C001", "reason": "迟到"})
    assert error_of(response) == (409, "refund_not_allowed")
    assert api.ok("GET", "/orders/HP20240002")["status"] == "delivered"


def test_change_address_before_shipment(api: Api) -> None:
    order = api.ok(
        "PUT",
        "/orders/HP20240003/address",
        {"customer_id": "C001", "address": f"  {SHANGHAI} ", "recipient": "张伟的妻子"},
    )
    assert order["shipping_address"] == SHANGHAI and order["recipient"] == "张伟的妻子"
    eight = "北京市东城区一号"
    assert len(eight) == 8
    order = api.ok("PUT", "/orders/HP20240003/address", {"customer_id": "C001", "address": eight})
    assert order["shipping_address"] == eight and order["recipient"] == "张伟的妻子"


@pytest.mark.parametrize(
    ("order_id", "body", "expected"),
    [
        ("HP20240001", {"address": SHANGHAI}, (409, "address_not_changeable")),
        ("HP20240002", {"address": SHANGHAI}, (409, "address_not_changeable")),
        ("HP20240003", {"address": "北京市东城区一"}, (422, "invalid_address")),
        ("HP20240003", {"address": "北" * 201}, (422, "invalid_address")),
        ("HP20240003", {"address": None}, (422, "invalid_address")),
        ("HP20240003", {"address": SHANGHAI, "recipient": "名" * 65}, (422, "invalid_recipient")),
    ],
)
def test_change_address_refusals(
    api: Api, order_id: str, body: dict[str, object], expected: tuple[int, str]
) -> None:
    before = api.ok("GET", f"/orders/{order_id}")
    response = api.put(f"/orders/{order_id}/address", {"customer_id": "C001", **body})
    assert error_of(response) == expected
    assert api.ok("GET", f"/orders/{order_id}") == before


def test_invoice_requests(api: Api) -> None:
    invoice = api.ok(
        "POST",
        "/orders/HP20240003/invoices",
        {"customer_id": "C001", "title": "张伟", "type": "electronic_normal"},
        201,
    )
    assert re.fullmatch(r"IV\d{8}", invoice["invoice_id"]) and invoice["tax_number"] is None
    assert invoice["status"] == "requested"
    assert api.ok("GET", "/orders/HP20240003")["invoices"] == [invoice]
    vat = api.ok(
        "POST",
        "/orders/HP20240005/invoices",
        {
            "customer_id": "C002",
            "title": "福州某某科技有限公司",
            "type": "vat_special",
            "tax_number": f" {VALID_CODE.lower()} ",
        },
        201,
    )
    assert vat["tax_number"] == VALID_CODE and vat["type"] == "vat_special"
    assert int(vat["invoice_id"][2:]) == int(invoice["invoice_id"][2:]) + 1


@pytest.mark.parametrize(
    ("order_id", "body", "expected"),
    [
        ("HP20240002", {"type": "electronic_normal"}, (409, "invoice_exists")),  # seeded
        ("HP20240003", {"type": "paper"}, (422, "invalid_invoice_type")),
        ("HP20240003", {"type": "vat_special"}, (422, "invalid_tax_number")),
        (
            "HP20240003",
            {"type": "vat_special", "tax_number": VALID_CODE[:-1] + "4"},
            (422, "invalid_tax_number"),
        ),
        (
            "HP20240003",
            {"type": "electronic_normal", "tax_number": "123"},
            (422, "invalid_tax_number"),
        ),
        ("HP20240003", {"type": "electronic_normal", "title": ""}, (422, "invalid_title")),
        ("HP20240003", {"type": "electronic_normal", "title": "抬" * 129}, (422, "invalid_title")),
    ],
)
def test_invoice_refusals(
    api: Api, order_id: str, body: dict[str, object], expected: tuple[int, str]
) -> None:
    before = api.ok("GET", f"/orders/{order_id}")
    response = api.post(
        f"/orders/{order_id}/invoices", {"customer_id": "C001", "title": "张伟", **body}
    )
    assert error_of(response) == expected
    assert api.ok("GET", f"/orders/{order_id}") == before


def test_no_invoice_for_a_cancelled_order(api: Api) -> None:
    api.ok("POST", "/orders/HP20240003/cancel", {"customer_id": "C001"})
    response = api.post(
        "/orders/HP20240003/invoices",
        {"customer_id": "C001", "title": "张伟", "type": "electronic_normal"},
    )
    assert error_of(response) == (409, "invoice_not_allowed")


async def test_concurrent_refunds_open_exactly_one(api: Api, backend: BackendProcess) -> None:
    headers = {"X-Api-Key": backend.api_key or ""}
    async with httpx.AsyncClient(base_url=backend.base_url, headers=headers, timeout=20) as http:
        responses = await asyncio.gather(
            *(
                http.post(
                    "/api/v1/orders/HP20240003/refunds",
                    json={"customer_id": "C001", "reason": f"并发 {n}"},
                )
                for n in range(8)
            )
        )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * 7, [r.text for r in responses]
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {
        "refund_exists"
    }
    assert len(api.ok("GET", "/orders/HP20240003")["refunds"]) == 1
