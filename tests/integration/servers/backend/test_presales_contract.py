"""The pre-sales client methods against both adapters: HTTP to the real backend process
(with its API key) and the in-process client give the same answers and refusals.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from zhike.lib.backend_client import BackendClient, BackendError
from zhike.lib.backend_client.fake import InMemoryBackendClient
from zhike.lib.backend_client.http import HttpBackendClient

from .backend_process import BackendProcess
from .rest import Api

pytestmark = pytest.mark.integration


@pytest.fixture(params=["http", "in-process"])
async def adapter(
    request: pytest.FixtureRequest, backend: BackendProcess, api: Api
) -> AsyncIterator[BackendClient]:
    if request.param == "http":
        http = HttpBackendClient(backend.base_url, api_key=backend.api_key, timeout=5.0)
        yield http
        await http.aclose()
    else:
        fake = InMemoryBackendClient()
        yield fake
        await fake.aclose()


async def test_search_details_fit_quote_and_rules(adapter: BackendClient) -> None:
    found = await adapter.search_products("格力那个1.5匹空调还有货吗")
    assert found.matches[0].product.sku == "GREE-KFR35-YT" and "空调" in found.named
    assert (await adapter.search_products("戴森吹风机")).matches == ()
    phone = await adapter.get_product("rm-n13p-8256-bk")
    assert phone is not None and phone.spec_value("内存") == "8GB+256GB"
    assert await adapter.get_product("NOPE-404") is None
    fit = await adapter.check_compatibility("GLASS-N13P-2", "能贴 iPhone 15 吗")
    assert fit is not None and (fit.answer, fit.device) == ("no", "iphone15")
    quote = await adapter.shipping_quote("GREE-KFR35-YT", "发到拉萨要几天")
    assert quote is not None and (quote.region, quote.days_min, quote.days_max) == ("西藏", 5, 8)
    assert quote.fee_fen == 1000 and quote.free_shipping
    assert await adapter.shipping_quote("NOPE-404", "上海") is None
    for place, code in (("火星", "unknown_region"), ("台北", "region_not_served")):
        with pytest.raises(BackendError) as refused:
            await adapter.shipping_quote("GREE-KFR35-YT", place)
        assert refused.value.code == code
    rules = await adapter.shipping_rules()
    assert [rule.seller for rule in rules][0] == "京选自营" and len(rules) == 4


def test_the_routes_need_the_api_key(backend: BackendProcess) -> None:
    response = httpx.get(f"{backend.base_url}/api/v1/products", params={"q": "空调"})
    assert response.status_code == 401
