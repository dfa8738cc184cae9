"""The invoice-change methods of both adapters: the in-process one and HTTP (stubbed)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from zhike.lib.backend_client import BackendError
from zhike.lib.backend_client.fake import InMemoryBackendClient
from zhike.lib.backend_client.http import HttpBackendClient
from zhike.lib.backend_client.invoices.domain import (
    invoice_change_from_json,
    order_invoices_from_json,
)

COMPANY = {"title": "杭州智客科技有限公司", "tax_number": "91350100M000100Y43"}


async def test_in_process_status_change_and_resend() -> None:
    client = InMemoryBackendClient()
    invoices = await client.get_order_invoices("HP20241101", "C001")
    assert invoices is not None and invoices.current is not None
    assert invoices.current.status == "issued" and invoices.refusal("title") is None
    assert "个人" in (invoices.refusal("vat_special") or "")
    assert await client.get_order_invoices("HP20241101", "C002") is None
    change = await client.change_invoice("HP20241101", "C001", "title", COMPANY)
    assert change.change_id.startswith("IC") and change.after["title"] == COMPANY["title"]
    with pytest.raises(BackendError) as caught:
        await client.change_invoice("HP20241101", "C002", "title", COMPANY)
    assert caught.value.code == "not_found"
    sent = await client.resend_invoice("HP20241103", "C001", "caiwu@zhike.com")
    assert sent.current is not None and sent.current.email == "caiwu@zhike.com"
    with pytest.raises(BackendError) as early:
        await client.resend_invoice("HP20241104", "C001", "caiwu@zhike.com")
    assert early.value.code == "invoice_not_issued"


async def test_in_process_down_is_unavailable() -> None:
    client = InMemoryBackendClient()
    client.unavailable = True
    with pytest.raises(BackendError) as caught:
        await client.get_order_invoices("HP20241101", "C001")
    assert type(caught.value).__name__ == "BackendUnavailable"


def _document() -> dict[str, Any]:
    return {
        "order_id": "HP20241101",
        "order_status": "delivered",
        "invoices": [
            {
                "invoice_id": "IV20231101",
                "order_id": "HP20241101",
                "title": "个人",
                "type": "electronic_normal",
                "status": "issued",
                "medium": "electronic",
                "changes": [],
                "refusals": {"title": None},
            }
        ],
        "refusals": {"title": None, "resend": None},
    }


async def test_http_calls_the_documented_routes() -> None:
    seen: list[tuple[str, str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        seen.append((request.method, str(request.url), body))
        if request.url.path.endswith("/changes"):
            return httpx.Response(
                201,
                json={
                    "change_id": "IC20241102",
                    "invoice_id": "IV20231101",
                    "order_id": "HP20241101",
                    "kind": "paper",
                    "status": "processing",
                    "before": {},
                    "after": {"medium": "paper"},
                },
            )
        if request.url.params.get("customer_id") == "C002":
            return httpx.Response(404, json={"error": {"code": "not_found", "message": "x"}})
        return httpx.Response(200, json=_document())

    client = HttpBackendClient("http://backend.test", transport=httpx.MockTransport(handler))
    try:
        invoices = await client.get_order_invoices("HP20241101", "C001")
        assert invoices is not None and invoices.current is not None
        assert await client.get_order_invoices("HP20241101", "C002") is None
        change = await client.change_invoice("HP20241101", "C001", "paper", {"mail_phone": "1"})
        assert change.after == {"medium": "paper"}
        await client.resend_invoice("HP20241101", "C001", "a@qq.com")
    finally:
        await client.aclose()
    assert seen[0][1].endswith("/api/v1/orders/HP20241101/invoice?customer_id=C001")
    assert seen[2][2] == {"mail_phone": "1", "customer_id": "C001", "kind": "paper"}
    assert seen[3][0] == "POST" and seen[3][1].endswith("/invoice/resend")
    assert seen[3][2] == {"customer_id": "C001", "email": "a@qq.com"}


def test_parsers_refuse_a_foreign_document() -> None:
    with pytest.raises(BackendError) as caught:
        order_invoices_from_json({"order_id": "HP20241101"})
    assert caught.value.code == "invalid_response"
    with pytest.raises(BackendError):
        invoice_change_from_json([])
    assert order_invoices_from_json(_document()).refusal("resend") is None
