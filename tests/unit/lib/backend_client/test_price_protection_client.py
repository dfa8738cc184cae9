"""The 价保 and contact methods of both adapters: HTTP (mock transport) and in-process."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from zhike.lib.backend_client import BackendError, BackendUnavailable
from zhike.lib.backend_client.fake import InMemoryBackendClient
from zhike.lib.backend_client.http import HttpBackendClient

CHECK = {
    "order_id": "hp20241001",
    "amount_fen": 30000,
    "items": [
        {"position": 1, "sku": "VIVO", "name": "vivo X100", "seller": "京选自营", "qty": 1,
         "paid_price_fen": 429900, "current_price_fen": 399900, "eligible": True,
         "code": "eligible", "message": "可退差价 ¥300.00", "amount_fen": 30000,
         "window_days": 7, "days_since_order": 6},
        {"position": 2, "sku": "CASE", "name": "手机壳", "seller": "闪魔", "qty": 1,
         "paid_price_fen": 3900, "current_price_fen": None, "eligible": False,
         "code": "product_unavailable", "message": "该商品已下架", "amount_fen": 0},
    ],
}  # fmt: skip
PROTECTION = {
    "protection_id": "PP20240001", "order_id": "HP20241001", "position": 1, "name": "vivo X100",
    "qty": 1, "paid_price_fen": 429900, "current_price_fen": 399900, "amount_fen": 30000,
    "refund_id": "RF20240002", "refund_status": "processing",
    "created_at": "2024-11-25T06:00:00Z",
}  # fmt: skip
REFUND = {
    "refund_id": "RF20240002", "order_id": "HP20241001", "amount_fen": 30000,
    "reason": "价格保护退差价", "status": "processing", "created_at": "2024-11-25T06:00:00Z",
    "updated_at": "2024-11-25T06:00:00Z",
}  # fmt: skip
COURIER = {
    "order_id": "HP20240001", "available": True, "code": "available", "message": "",
    "company": "顺丰", "tracking_number": "SF1", "name": "王师傅",
    "phone_masked": "138****5678", "virtual_number": "17012345678", "extension": "4321",
    "station": "",
}  # fmt: skip
MERCHANT = {
    "seller": "闪魔数码专营店", "self_operated": False, "channel": "店铺客服",
    "hours": "每天 9:00–22:00", "phone": "400-820-1234", "items": ["手机壳"],
}  # fmt: skip


def mock_client(answers: dict[tuple[str, str], tuple[int, Any]]) -> tuple[HttpBackendClient, list]:
    seen: list[tuple[str, str, Any]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        seen.append((request.method, str(request.url.raw_path, "ascii"), body))
        status, answer = answers.get(
            (request.method, request.url.path),
            (404, {"error": {"code": "not_found", "message": "未找到您名下的订单"}}),
        )
        return httpx.Response(status, json=answer)

    client = HttpBackendClient("http://backend.test", transport=httpx.MockTransport(handle))
    return client, seen


async def test_http_check_apply_and_list() -> None:
    client, seen = mock_client(
        {
            ("POST", "/api/v1/orders/HP20241001/price-protection/checks"): (200, CHECK),
            ("POST", "/api/v1/orders/HP20241001/price-protections"): (
                201, {"order_id": "HP20241001", "refund": REFUND, "protections": [PROTECTION]},
            ),
            ("GET", "/api/v1/customers/C001/price-protections"): (
                200, {"protections": [PROTECTION]},
            ),
        }
    )  # fmt: skip
    check = await client.check_price_protection("HP20241001", "C001")
    assert check.order_id == "HP20241001" and check.amount_fen == 30000
    assert [item.position for item in check.eligible_items] == [1]
    assert check.items[1].current_price_fen is None and check.items[1].window_days == 0
    granted = await client.apply_price_protection("HP20241001", "C001", [1])
    assert granted.refund.reason == "价格保护退差价" and granted.protections[0].amount_fen == 30000
    listed = await client.list_price_protections("C001", "HP20241001")
    assert listed[0].created_at is not None and listed[0].created_at.tzinfo is not None
    assert seen[0][2] == {"customer_id": "C001"}
    assert seen[1][2] == {"customer_id": "C001", "positions": [1]}
    assert seen[2][1] == "/api/v1/customers/C001/price-protections?order_id=HP20241001"
    assert await client.list_price_protections("C404") == []
    await client.aclose()


async def test_http_contacts_and_errors() -> None:
    client, seen = mock_client(
        {
            ("GET", "/api/v1/orders/HP20240001/courier"): (200, COURIER),
            ("GET", "/api/v1/orders/HP20240001/merchants"): (200, {"merchants": [MERCHANT]}),
            ("GET", "/api/v1/products/SKU-1/merchant"): (200, MERCHANT),
            ("POST", "/api/v1/orders/HP20241002/price-protections"): (
                409, {"error": {"code": "price_protection_not_eligible", "message": "超过 7 天"}},
            ),
            ("POST", "/api/v1/orders/HP20241003/price-protection/checks"): (200, {"items": 1}),
        }
    )  # fmt: skip
    courier = await client.get_courier_contact("HP20240001", "C001")
    assert courier.available and courier.phone_masked == "138****5678"
    assert seen[0][1] == "/api/v1/orders/HP20240001/courier?customer_id=C001"
    [merchant] = await client.order_merchants("HP20240001", "C001")
    assert merchant.phone == "400-820-1234" and merchant.items == ("手机壳",)
    assert (await client.product_merchant("SKU-1")) == merchant
    assert await client.product_merchant("NONE") is None
    with pytest.raises(BackendError) as caught:
        await client.get_courier_contact("HP20240005", "C001")
    assert caught.value.code == "not_found"
    with pytest.raises(BackendError) as caught:
        await client.apply_price_protection("HP20241002", "C001")
    assert caught.value.code == "price_protection_not_eligible" and "7 天" in caught.value.message
    with pytest.raises(BackendError) as caught:
        await client.check_price_protection("HP20241003", "C001")
    assert caught.value.code == "invalid_response"
    await client.aclose()


async def test_in_process_adapter_runs_the_backend_rules() -> None:
    client = InMemoryBackendClient()
    check = await client.check_price_protection("HP20241001", "C001")
    assert [item.code for item in check.items] == ["eligible", "other_seller_cheaper"]
    granted = await client.apply_price_protection("HP20241001", "C001")
    assert granted.refund.amount_fen == 30000 and granted.protections[0].protection_id[:2] == "PP"
    order = await client.get_order("HP20241001")
    assert order is not None and order.refunds[-1].reason == "价格保护退差价"
    assert [p.order_id for p in await client.list_price_protections("C001")] == ["HP20241001"]
    assert await client.list_price_protections("C999") == []
    with pytest.raises(BackendError) as caught:
        await client.apply_price_protection("HP20241001", "C001")
    assert caught.value.code == "price_protection_exists"
    with pytest.raises(BackendError) as caught:
        await client.check_price_protection("HP20240005", "C001")
    assert (caught.value.code, caught.value.status) == ("not_found", 404)
    courier = await client.get_courier_contact("HP20240001", "C001")
    assert courier.name == "王师傅" and courier.virtual_number == "17012345678"
    assert (await client.get_courier_contact("HP20240003", "C001")).code == "not_shipped"
    shops = await client.order_merchants("HP20241005", "C001")
    assert [shop.seller for shop in shops] == ["闪魔数码专营店"]
    merchant = await client.product_merchant("SONY-WH1000XM5")
    assert merchant is not None and merchant.seller == "索尼官方旗舰店"
    assert await client.product_merchant("NOPE") is None
    client.unavailable = True
    with pytest.raises(BackendUnavailable):
        await client.check_price_protection("HP20241001", "C001")
    await client.aclose()
