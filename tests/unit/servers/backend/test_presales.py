"""Pre-sales rules of the reference backend: search, fit, delivery days and fees."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone

import pytest

from zhike.servers.backend.db import Database
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.seed import seed_if_empty
from zhike.servers.backend.services import presales

NOW = datetime(2024, 11, 25, 6, 0, tzinfo=timezone.utc)


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    database = Database("sqlite+aiosqlite:///:memory:")
    await database.create_tables()
    await seed_if_empty(database, NOW)
    yield database
    await database.dispose()


async def _search(db: Database, query: str) -> list[str]:
    async with db.session() as session:
        return [m.product.sku for m in (await presales.search_products(session, query)).matches]


@pytest.mark.parametrize(
    ("query", "sku"),
    [
        ("格力那个1.5匹空调还有货吗", "GREE-KFR35-YT"),
        ("Note 13 Pro 有货吗", "RM-N13P-8256-BK"),
        # the brand as a Latin word weighed less for its own phone: the screen protector won
        ("Redmi Note 13 Pro 有几种颜色", "RM-N13P-8256-BK"),
        ("ｎｏｔｅ１３ｐｒｏ手机", "RM-N13P-8256-BK"),
        ("65寸电视有吗", "HISENSE-65E3K"),
        ("钢化膜适合note13pro吗", "GLASS-N13P-2"),
        ("这个手机内存多大", "RM-N13P-8256-BK"),
        ("买两包纸包邮吗", "VINDA-3L-100-6"),
        ("gree-kfr35-yt", "GREE-KFR35-YT"),
        ("三只松鼠坚果", "SZS-NUT-1500"),
    ],
)
async def test_search_finds_the_product_customers_name(db: Database, query: str, sku: str) -> None:
    assert (await _search(db, query))[0] == sku


@pytest.mark.parametrize("query", ["华为手机有货吗", "戴森吹风机多少钱", "运费怎么算", "你好"])
async def test_search_finds_nothing_for_other_products(db: Database, query: str) -> None:
    assert await _search(db, query) == []


async def test_same_score_products_both_come_back(db: Database) -> None:
    found = await _search(db, "安踏跑步鞋有货吗")
    assert set(found[:2]) == {"ANTA-RUN-BK-42", "ANTA-RUN-BK-43"}
    assert (await _search(db, "安踏跑步鞋42码"))[0] == "ANTA-RUN-BK-42"


async def test_search_refuses_an_empty_or_long_query(db: Database) -> None:
    async with db.session() as session:
        for query in ("", "  ", "空" * 201):
            with pytest.raises(ApiError) as error:
                await presales.search_products(session, query)
            assert error.value.code == "invalid_query"


@pytest.mark.parametrize(
    ("device", "answer"),
    [
        ("这个钢化膜能用在 Note 13 Pro 上吗", "yes"),
        ("红米note13pro能贴吗", "yes"),
        ("iPhone 15 能用吗", "no"),
        ("note12可以吗", "no"),
        ("适合我的手机吗", "unknown"),
    ],
)
async def test_compatibility_is_answered_honestly(db: Database, device: str, answer: str) -> None:
    async with db.session() as session:
        result = await presales.compatibility(session, "glass-n13p-2", device)
    assert result.answer == answer
    assert result.fits == ("Redmi Note 13 Pro",)


async def test_compatibility_of_a_product_without_fit_list_is_unknown(db: Database) -> None:
    async with db.session() as session:
        result = await presales.compatibility(session, "GREE-KFR35-YT", "note 13 pro")
        assert result.answer == "unknown" and result.fits == ()
        with pytest.raises(ApiError) as error:
            await presales.compatibility(session, "NOPE-1", "note 13 pro")
    assert error.value.code == "product_not_found"


async def test_delivery_days_by_region(db: Database) -> None:
    async with db.session() as session:
        near = await presales.shipping_quote(session, "GREE-KFR35-YT", "发到苏州要几天")
        far = await presales.shipping_quote(session, "GREE-KFR35-YT", "新疆乌鲁木齐")
        shop = await presales.shipping_quote(session, "GLASS-N13P-2", "那发到成都要几天")
    assert near.region is not None and near.region.name == "江苏"
    assert (near.days_min, near.days_max) == (1, 1)
    assert far.region is not None and far.region.remote
    assert (far.days_min, far.days_max) == (5, 8)
    assert shop.region is not None and shop.region.name == "四川"
    assert (shop.days_min, shop.days_max) == (4, 5)  # a third-party shop: one day more


async def test_unknown_and_unserved_regions_are_refused(db: Database) -> None:
    async with db.session() as session:
        for place, code in (("火星", "unknown_region"), ("寄到香港", "region_not_served")):
            with pytest.raises(ApiError) as error:
                await presales.shipping_quote(session, "GREE-KFR35-YT", place)
            assert error.value.code == code


async def test_out_of_stock_says_when_it_comes_back(db: Database) -> None:
    async with db.session() as session:
        quote = await presales.shipping_quote(session, "SZS-NUT-1500", "上海")
    assert not quote.in_stock and quote.days_min is None
    assert quote.restock_at == NOW + timedelta(days=5)


async def test_self_operated_fee_free_from_99_yuan(db: Database) -> None:
    async with db.session() as session:
        two = await presales.shipping_quote(session, "VINDA-3L-100-6", None, 2)
        five = await presales.shipping_quote(session, "VINDA-3L-100-6", None, 5)
        remote = await presales.shipping_quote(session, "GREE-KFR35-YT", "西藏拉萨")
    assert (two.goods_fen, two.fee_fen, two.free_shipping) == (3980, 600, False)
    assert two.missing_for_free_fen == 9900 - 3980
    assert (five.fee_fen, five.free_shipping) == (0, True)
    assert (remote.free_shipping, remote.fee_fen, remote.remote_extra_fen) == (True, 1000, 1000)
    assert "满 99 元免运费" in two.rule and "新疆" in two.rule


async def test_third_party_shops_have_their_own_rule(db: Database) -> None:
    async with db.session() as session:
        mango = await presales.shipping_quote(session, "SZS-MANGO-100", "北京", 2)
        glass = await presales.shipping_quote(session, "GLASS-N13P-2")
        rules = await presales.shipping_rules(session)
        with pytest.raises(ApiError) as error:
            await presales.shipping_quote(session, "GLASS-N13P-2", None, 0)
    assert (mango.fee_fen, mango.missing_for_free_fen) == (800, 4900 - 1980)
    assert glass.free_shipping and glass.fee_fen == 0 and "全场包邮" in glass.rule
    assert rules[0][0].seller == "京选自营"
    assert error.value.code == "invalid_quantity"
