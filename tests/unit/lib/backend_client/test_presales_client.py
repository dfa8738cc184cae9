"""The pre-sales client methods: the in-process adapter on the demo data, and the HTTP
adapter's paths, query strings, parsing and error mapping (httpx mock transport).
"""

from __future__ import annotations

import json
from datetime import timezone
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from zhike.lib.backend_client import BackendError, BackendUnavailable
from zhike.lib.backend_client.fake import InMemoryBackendClient
from zhike.lib.backend_client.http import HttpBackendClient
from zhike.lib.backend_client.presales.domain import quote_from_json

PRODUCT = {
    "sku": "GREE-KFR35-YT",
    "name": "格力 云佳 1.5 匹 空调",
    "category": "appliance",
    "brand": "格力",
    "seller": "京选自营",
    "price_fen": 269900,
    "stock": 46,
    "in_stock": True,
    "restock_at": None,
    "return_days": 7,
    "exchange_days": 15,
    "warranty_days": 1095,
    "installable": True,
    "spec": {"匹数": "1.5 匹"},
}
QUOTE = {
    "sku": "GREE-KFR35-YT",
    "seller": "京选自营",
    "quantity": 2,
    "region": "新疆",
    "remote": True,
    "in_stock": True,
    "restock_at": None,
    "days_min": 5,
    "days_max": 8,
    "goods_fen": 539800,
    "fee_fen": 1000,
    "free_shipping": True,
    "missing_for_free_fen": None,
    "remote_extra_fen": 1000,
    "rule": "京选自营：订单满 99 元免运费",
}


def _handler(request: httpx.Request) -> httpx.Response:
    url = urlsplit(str(request.url))
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    path = url.path
    if path == "/api/v1/products":
        assert query == {"q": "格力空调 有货吗", "limit": "3"}
        body = {"products": [{**PRODUCT, "score": 8}], "named": ["格力", "空调"]}
        return httpx.Response(200, json=body)
    if path == "/api/v1/products/GREE-KFR35-YT":
        return httpx.Response(200, json=PRODUCT)
    if path == "/api/v1/products/GREE-KFR35-YT/compatibility":
        assert query == {"device": "note 13 pro"}
        body = {"sku": "GREE-KFR35-YT", "answer": "unknown", "fits": [], "device": None}
        return httpx.Response(200, json=body)
    if path == "/api/v1/products/GREE-KFR35-YT/shipping":
        if query.get("place") == "火星":
            error = {"code": "unknown_region", "message": "没有识别出收货地区"}
            return httpx.Response(422, json={"error": error})
        assert query == {"place": "发到新疆", "quantity": "2"}
        return httpx.Response(200, json=QUOTE)
    if path == "/api/v1/shipping/rules":
        rule = {"seller": "京选自营", "text": "满 99 包邮", "base_fee_fen": 600}
        return httpx.Response(200, json={"rules": [{**rule, "free_over_fen": 9900}]})
    if path.startswith("/api/v1/products/NOPE"):
        error = {"code": "product_not_found", "message": "商品不存在"}
        return httpx.Response(404, json={"error": error})
    if path == "/api/v1/products/BROKEN":
        return httpx.Response(200, json={"sku": "BROKEN"})
    return httpx.Response(503, json={"error": {"code": "down", "message": "down"}})


@pytest.fixture
async def http_client() -> HttpBackendClient:
    return HttpBackendClient("http://backend.test", transport=httpx.MockTransport(_handler))


async def test_http_adapter_parses_every_document(http_client: HttpBackendClient) -> None:
    found = await http_client.search_products("格力空调 有货吗", limit=3)
    assert [m.product.sku for m in found.matches] == ["GREE-KFR35-YT"]
    assert found.named == ("格力", "空调") and found.matches[0].score == 8
    product = await http_client.get_product("GREE-KFR35-YT")
    assert product is not None and product.spec_value("匹数") == "1.5 匹" and product.in_stock
    fit = await http_client.check_compatibility("GREE-KFR35-YT", "note 13 pro")
    assert fit is not None and fit.answer == "unknown" and fit.fits == ()
    quote = await http_client.shipping_quote("GREE-KFR35-YT", "发到新疆", 2)
    assert quote is not None and (quote.days_min, quote.days_max, quote.remote) == (5, 8, True)
    [rule] = await http_client.shipping_rules()
    assert rule.free_over_fen == 9900 and rule.remote_extra_fen == 0


async def test_http_adapter_maps_refusals(http_client: HttpBackendClient) -> None:
    assert await http_client.get_product("NOPE-1") is None
    assert await http_client.check_compatibility("NOPE-1", "x") is None
    assert await http_client.shipping_quote("NOPE-1", "上海") is None
    with pytest.raises(BackendError) as refused:
        await http_client.shipping_quote("GREE-KFR35-YT", "火星")
    assert refused.value.code == "unknown_region" and refused.value.status == 422
    with pytest.raises(BackendError) as broken:
        await http_client.get_product("BROKEN")
    assert broken.value.code == "invalid_response"
    with pytest.raises(BackendUnavailable):
        await http_client.get_product("DOWN")


def test_quote_times_are_aware_utc() -> None:
    quote = quote_from_json({**QUOTE, "restock_at": "2024-11-30T10:00:00+08:00"})
    assert quote.restock_at is not None and quote.restock_at.tzinfo == timezone.utc
    assert quote.restock_at.hour == 2
    assert json.dumps(QUOTE, ensure_ascii=False)  # the fixture is plain JSON


async def test_in_process_adapter_runs_the_backend_rules() -> None:
    client = InMemoryBackendClient()
    try:
        found = await client.search_products("格力那个1.5匹空调还有货吗")
        assert found.matches[0].product.sku == "GREE-KFR35-YT" and "格力" in found.named
        assert (await client.search_products("华为手机")).matches == ()
        nuts = await client.get_product("szs-nut-1500")
        assert nuts is not None and not nuts.in_stock and nuts.restock_at is not None
        assert await client.get_product("NOPE-1") is None
        fit = await client.check_compatibility("GLASS-N13P-2", "note13pro能用吗")
        assert fit is not None and fit.answer == "yes"
        assert await client.check_compatibility("NOPE-1", "note13pro") is None
        quote = await client.shipping_quote("VINDA-3L-100-6", "寄到成都", 2)
        assert quote is not None and quote.region == "四川" and quote.fee_fen == 600
        assert await client.shipping_quote("NOPE-1") is None
        with pytest.raises(BackendError) as refused:
            await client.shipping_quote("VINDA-3L-100-6", "香港")
        assert refused.value.code == "region_not_served"
        assert (await client.shipping_rules())[0].seller == "京选自营"
        client.unavailable = True
        with pytest.raises(BackendUnavailable):
            await client.search_products("格力空调")
    finally:
        await client.aclose()
