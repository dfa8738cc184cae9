"""The exchange and disputed-return rules of the backend, in-process with a fixed clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import TypeVar

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend.db import Database
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.models import DisputeEvidence, Product, Ticket
from zhike.servers.backend.seed import seed_if_empty
from zhike.servers.backend.services import exchanges, return_disputes

NOW = datetime(2024, 11, 25, 6, 0, tzinfo=timezone.utc)
T = TypeVar("T")


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    database = Database("sqlite+aiosqlite:///:memory:")
    await database.create_tables()
    await seed_if_empty(database, now=NOW)
    yield database
    await database.dispose()


async def run(db: Database, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    return await db.run(work)


async def refusal(db: Database, work: Callable[[AsyncSession], Awaitable[object]]) -> ApiError:
    with pytest.raises(ApiError) as caught:
        await db.run(work)
    return caught.value


def exchange(order_id: str, reason: str, new_sku: str | None = None, customer: str = "C001"):
    async def work(session: AsyncSession) -> object:
        return await exchanges.request_exchange(
            session, order_id, customer, reason, new_sku, now=NOW
        )

    return work


async def check(db: Database, order_id: str, customer: str = "C001") -> exchanges.ExchangeCheck:
    async with db.session() as session:
        return await exchanges.check_exchange(session, order_id, customer, now=NOW)


async def test_a_delivered_shoe_is_eligible_with_its_sizes_and_colours(db: Database) -> None:
    found = await check(db, "HP20241301")
    assert found.code is None and found.delivered_days == 5 and found.exchange_days == 15
    assert (found.colour, found.size) == ("黑色", "42")
    stock = {variant.sku: variant.stock for variant in found.variants}
    assert stock == {"ANTA-RUN-BK-43": 35, "ANTA-RUN-BK-44": 0, "ANTA-RUN-WH-42": 18}


async def test_a_size_exchange_reserves_the_new_size_and_schedules_a_pickup(db: Database) -> None:
    created = await run(db, exchange("HP20241301", "size", "anta-run-bk-43"))
    assert created.id == "EX20241302"  # after the seeded EX20241301
    assert (created.sku, created.new_sku, created.status) == (
        "ANTA-RUN-BK-42",
        "ANTA-RUN-BK-43",
        "requested",
    )
    assert created.pickup_date == "2024-11-26" and created.pickup_slot == "09:00-12:00"
    async with db.session() as session:
        product = await session.get(Product, "ANTA-RUN-BK-43")
        assert product is not None and product.stock == 34
    second = await refusal(db, exchange("HP20241301", "size", "ANTA-RUN-WH-42"))
    assert (second.status_code, second.code) == (409, "exchange_exists")


@pytest.mark.parametrize(
    ("order_id", "reason", "new_sku", "code", "words"),
    [
        ("HP20241302", "size", "ANTA-RUN-BK-42", "exchange_window_passed", "超过 15 天换货期"),
        ("HP20241303", "defect", None, "not_exchangeable", "属于食品"),
        ("HP20241301", "size", "ANTA-RUN-BK-44", "out_of_stock", "黑色 44 码」暂时缺货"),
        ("HP20241301", "size", "GREE-KFR35-YT", "not_same_family", "同款"),
        ("HP20240001", "defect", None, "exchange_not_allowed", "还没有签收"),
        ("HP20240004", "defect", None, "order_closed", "正在退款中"),
    ],
)  # fmt: skip
async def test_refusals_say_why_in_chinese(
    db: Database, order_id: str, reason: str, new_sku: str | None, code: str, words: str
) -> None:
    error = await refusal(db, exchange(order_id, reason, new_sku))
    assert (error.status_code, error.code) == (409, code)
    assert words in error.message


async def test_another_customers_order_is_not_found(db: Database) -> None:
    error = await refusal(db, exchange("HP20241301", "size", "ANTA-RUN-BK-43", customer="C002"))
    assert (error.status_code, error.code) == (404, "not_found")


@pytest.mark.parametrize(
    ("reason", "new_sku", "code"),
    [("refund", None, "invalid_reason"), ("size", None, "invalid_new_sku")],
)
async def test_malformed_requests(
    db: Database, reason: str, new_sku: str | None, code: str
) -> None:
    error = await refusal(db, exchange("HP20241301", reason, new_sku))
    assert (error.status_code, error.code) == (422, code)


async def test_a_defect_sends_the_same_sku(db: Database) -> None:
    created = await run(db, exchange("HP20241304", "defect"))
    assert created.new_sku == created.sku == "MIDEA-KETTLE-15"


async def test_the_window_counts_from_the_delivery(db: Database) -> None:
    async def late(session: AsyncSession) -> object:
        later = NOW + timedelta(days=11)  # delivered 16 days before
        return await exchanges.request_exchange(
            session, "HP20241301", "C001", "size", "ANTA-RUN-BK-43", now=later
        )

    error = await refusal(db, late)
    assert error.code == "exchange_window_passed" and "已签收 16 天" in error.message


async def test_an_exchange_moves_on_to_the_new_items_shipment(db: Database) -> None:
    created = await run(db, exchange("HP20241304", "defect"))

    def advance(courier: str | None = None, number: str | None = None):
        async def work(session: AsyncSession) -> object:
            return await exchanges.advance_exchange(session, created.id, courier, number, now=NOW)

        return work

    assert (await run(db, advance())).status == "picked_up"
    missing = await refusal(db, advance())
    assert missing.code == "invalid_shipment"
    shipped = await run(db, advance("顺丰", "SF1111222233"))
    assert (shipped.status, shipped.courier, shipped.tracking_number) == (
        "reshipped",
        "顺丰",
        "SF1111222233",
    )
    assert (await run(db, advance())).status == "completed"
    assert (await refusal(db, advance())).code == "exchange_closed"
    async with db.session() as session:
        listed = await exchanges.list_exchanges(session, "HP20241304")
    assert [item.status for item in listed] == ["completed"]


async def test_a_dispute_is_a_ticket_with_the_evidence(db: Database) -> None:
    async def work(session: AsyncSession) -> return_disputes.Dispute:
        return await return_disputes.open_dispute(
            session,
            "HP20241306",
            "C001",
            "质检说有使用痕迹，我根本没用过",
            ["https://img.example.com/box.jpg", "media_id:abc12345"],
            "wechat",
            "key-1",
            now=NOW,
        )

    dispute = await run(db, work)
    assert dispute.ticket.category == "return_dispute" and dispute.ticket.customer_id == "C001"
    assert (
        "HP20241306" in dispute.ticket.summary and "RF20231301（已驳回）" in dispute.ticket.summary
    )
    assert [item.kind for item in dispute.evidence] == ["text", "image", "image"]
    again = await run(db, work)  # an idempotent repeat: the same ticket, no second copy
    assert again.ticket.id == dispute.ticket.id and len(again.evidence) == 3
    async with db.session() as session:
        stored = (await session.execute(select(DisputeEvidence))).scalars().all()
        assert len(stored) == 3
        assert await session.get(Ticket, dispute.ticket.id) is not None


@pytest.mark.parametrize(
    ("order_id", "customer", "description", "images", "code"),
    [
        ("HP20241301", "C001", "不认可", None, "no_return"),
        ("HP20241306", "C002", "不认可", None, "not_found"),
        ("HP20241306", "C001", "x", None, "invalid_description"),
        ("HP20241306", "C001", "不认可", "https://a/b.jpg", "invalid_images"),
        ("HP20241306", "C001", "不认可", ["u"] * 10, "invalid_images"),
    ],
)
async def test_dispute_refusals(
    db: Database, order_id: str, customer: str, description: str, images: object, code: str
) -> None:
    async def work(session: AsyncSession) -> object:
        return await return_disputes.open_dispute(
            session, order_id, customer, description, images, now=NOW
        )

    assert (await refusal(db, work)).code == code
