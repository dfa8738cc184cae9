"""价保 (price protection) rules and contacts, on the demo data with a fixed clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import TypeVar

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend import queries
from zhike.servers.backend.db import Database
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.models import Order, PriceEvent, PriceProtection, Product, Refund
from zhike.servers.backend.seed import seed_if_empty
from zhike.servers.backend.services import contacts, orders
from zhike.servers.backend.services import price_protection as rules

NOW = datetime(2024, 11, 25, 6, 0, tzinfo=timezone.utc)
T = TypeVar("T")


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    database = Database("sqlite+aiosqlite:///:memory:")
    await database.create_tables()
    await seed_if_empty(database, now=NOW)
    yield database
    await database.dispose()


def run(db: Database, work: Callable[[AsyncSession], Awaitable[T]]) -> Awaitable[T]:
    return db.run(work)


async def check(db: Database, order_id: str, customer_id: str = "C001") -> rules.PriceCheck:
    return await run(db, lambda s: rules.check_price_protection(s, order_id, customer_id, now=NOW))


async def refusal(awaitable: Awaitable[object]) -> ApiError:
    with pytest.raises(ApiError) as caught:
        await awaitable
    return caught.value


async def test_a_regular_price_drop_is_eligible_item_by_item(db: Database) -> None:
    found = await check(db, "HP20241001")
    phone, case = found.items
    assert phone.eligible and phone.amount_fen == 30000 and phone.window_days == 7
    assert phone.days_since_order == 6
    assert "可退差价 ¥300.00" in phone.message
    assert case.code == "other_seller_cheaper" and "优品配件店" in case.message
    assert found.amount_fen == 30000


async def test_refusals_are_explained_in_chinese(db: Database) -> None:
    [band] = (await check(db, "HP20241002")).items
    assert band.code == "out_of_window"
    assert band.message == "该商品下单已超过 7 天价保期（下单 12 天）"
    [headphones] = (await check(db, "HP20241003")).items
    assert headphones.code == "promotion" and "秒杀" in headphones.message
    assert "不在价保范围内" in headphones.message and headphones.window_days == 15
    [mouse] = (await check(db, "HP20241004")).items
    assert mouse.code == "no_drop" and "暂不需要价保" in mouse.message  # PLUS price not current
    [case] = (await check(db, "HP20241005")).items
    assert case.code == "other_seller_cheaper"
    assert "价保只比较同一店铺同一商品的价格" in case.message


async def test_order_status_and_shop_without_protection(db: Database) -> None:
    items = (await check(db, "HP20240003")).items  # paid: diapers did not drop
    assert [item.code for item in items] == ["no_drop"]
    refunding = (await check(db, "HP20240004")).items
    assert refunding[0].code == "order_status" and "退款中" in refunding[0].message
    nuts = (await check(db, "HP20240005", "C002")).items
    assert {item.code for item in nuts} == {"no_protection"}


async def test_another_customers_order_is_not_found(db: Database) -> None:
    error = await refusal(check(db, "HP20240005", "C001"))
    assert (error.status_code, error.code) == (404, "not_found")
    error = await refusal(check(db, "HP99999999"))
    assert error.code == "not_found"
    error = await refusal(check(db, "HP123"))
    assert error.code == "invalid_order_id"


async def test_applying_refunds_the_difference_once(db: Database) -> None:
    granted = await run(
        db, lambda s: rules.apply_price_protection(s, "hp20241001", "C001", now=NOW)
    )
    assert granted.refund.amount_fen == 30000
    assert granted.refund.reason == rules.REFUND_REASON
    assert granted.refund.status == "processing"
    [protection] = granted.protections
    assert protection.id.startswith("PP") and protection.position == 1
    assert protection.refund_id == granted.refund.id

    async def order_state(session: AsyncSession) -> tuple[str, list[Refund]]:
        order = await queries.get_order(session, "HP20241001")
        assert order is not None
        return order.status, list(order.refunds)

    status, refunds = await run(db, order_state)
    assert status == "delivered" and [r.amount_fen for r in refunds] == [30000]
    again = (await check(db, "HP20241001")).items[0]
    assert again.code == "already_applied" and "已申请过价保" in again.message
    error = await refusal(
        run(db, lambda s: rules.apply_price_protection(s, "HP20241001", "C001", [1], now=NOW))
    )
    assert (error.status_code, error.code) == (409, "price_protection_exists")
    listed = await run(db, lambda s: rules.list_price_protections(s, "C001"))
    assert [(p.order_id, r.status) for p, r in listed] == [("HP20241001", "processing")]
    assert await run(db, lambda s: rules.list_price_protections(s, "C002")) == []


async def test_applying_for_an_ineligible_order_says_why(db: Database) -> None:
    error = await refusal(
        run(db, lambda s: rules.apply_price_protection(s, "HP20241002", "C001", now=NOW))
    )
    assert error.code == "price_protection_not_eligible"
    assert "超过 7 天价保期（下单 12 天）" in error.message
    error = await refusal(
        run(db, lambda s: rules.apply_price_protection(s, "HP20241001", "C001", [2], now=NOW))
    )
    assert error.code == "price_protection_not_eligible"
    error = await refusal(
        run(db, lambda s: rules.apply_price_protection(s, "HP20241001", "C001", [], now=NOW))
    )
    assert error.code == "invalid_positions"
    error = await refusal(
        run(db, lambda s: rules.apply_price_protection(s, "HP20241001", "C002", now=NOW))
    )
    assert error.code == "not_found"
    assert await run(db, lambda s: _count(s)) == 0


async def _count(session: AsyncSession) -> int:
    return len((await session.execute(select(PriceProtection))).scalars().all())


async def test_promotions_end_and_plus_prices_count_as_promotions(db: Database) -> None:
    later = NOW + timedelta(days=1)  # the flash sale is over; price still the sale's
    [headphones] = (
        await run(db, lambda s: rules.check_price_protection(s, "HP20241003", "C001", now=later))
    ).items
    assert headphones.eligible and headphones.amount_fen == 50000

    async def plus_price(session: AsyncSession) -> None:
        await session.execute(
            update(Product).where(Product.sku == "LOGI-MX3S-GR").values(price_fen=65900)
        )

    await run(db, plus_price)
    [mouse] = (await check(db, "HP20241004")).items
    assert mouse.code == "promotion" and "PLUS" in mouse.message


async def test_window_is_inclusive_of_the_last_day(db: Database) -> None:
    async def age(session: AsyncSession) -> None:
        await session.execute(
            update(Order)
            .where(Order.id == "HP20241001")
            .values(created_at=NOW - timedelta(days=7, hours=1))
        )

    await run(db, age)
    phone = (await check(db, "HP20241001")).items[0]
    assert phone.code == "out_of_window" and "（下单 7 天）" in phone.message


def test_active_promotion_needs_the_current_price_and_time() -> None:
    sale = PriceEvent(
        sku="X", kind="flash_sale", label="", price_fen=100, starts_at=NOW, ends_at=NOW
    )
    assert rules.active_promotion([sale], 100, NOW) is None  # ended
    sale.ends_at = None
    assert rules.active_promotion([sale], 100, NOW) is sale
    assert rules.active_promotion([sale], 90, NOW) is None


async def test_courier_contact_only_while_on_the_way(db: Database) -> None:
    def courier(order_id: str, customer_id: str = "C001") -> Awaitable[contacts.CourierAnswer]:
        return run(db, lambda s: contacts.courier_contact(s, order_id, customer_id))

    moving = await courier("HP20240001")
    assert moving.available and moving.name == "王师傅"
    assert moving.phone_masked == "138****5678"
    assert (moving.virtual_number, moving.extension) == ("17012345678", "4321")
    assert (await courier("HP20240002")).code == "delivered"
    assert (await courier("HP20240003")).code == "not_shipped"
    assert (await courier("HP20240004")).code == "delivered"
    error = await refusal(courier("HP20240005"))
    assert error.code == "not_found"
    other = await courier("HP20240005", "C002")
    assert other.available and other.virtual_number is None and "*" in (other.phone_masked or "")


async def test_merchant_contacts(db: Database) -> None:
    shops = await run(db, lambda s: contacts.order_merchants(s, "HP20240001", "C001"))
    assert [(m.seller, m.self_operated) for m in shops] == [
        ("京选自营", True),
        ("闪魔数码专营店", False),
    ]
    assert shops[1].phone == "400-820-1234" and "9:00" in shops[1].hours
    product = await run(db, lambda s: contacts.product_merchant(s, "SONY-WH1000XM5"))
    assert product.seller == "索尼官方旗舰店" and product.items == (
        "索尼 WH-1000XM5 无线降噪耳机 黑色",
    )
    error = await refusal(run(db, lambda s: contacts.product_merchant(s, "NOPE")))
    assert error.code == "product_not_found"
    error = await refusal(run(db, lambda s: contacts.order_merchants(s, "HP20240001", "C002")))
    assert error.code == "not_found"


async def test_a_price_difference_paid_back_leaves_the_goods_to_return(db: Database) -> None:
    """价保 then a return: not 「已有处理中的退款申请」; the return pays back the rest."""
    await run(db, lambda s: rules.apply_price_protection(s, "HP20241001", "C001", now=NOW))
    order = await run(db, lambda s: queries.get_order(s, "HP20241001"))
    assert order is not None
    returned = await run(
        db, lambda s: orders.request_refund(s, "HP20241001", "C001", "不想要了", now=NOW)
    )
    assert returned.amount_fen == order.amount_fen - 30000  # the difference is paid already
    error = await refusal(  # a second return is refused as before
        run(db, lambda s: orders.request_refund(s, "HP20241001", "C001", "不想要了", now=NOW))
    )
    assert error.code == "refund_exists"
