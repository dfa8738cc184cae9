"""The delivery-change rules of the backend (services/delivery.py) on the demo data.

Per courier and parcel state: interception (in transit, out for delivery, delivered, not
shipped), delivery windows (7 days, slots, large items or appointment couriers), the
receiver phone and return pickups; another customer's order is not found.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any, TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend import queries
from zhike.servers.backend.db import Database
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.seed import seed_if_empty
from zhike.servers.backend.services import delivery, pickups

NOW = datetime(2024, 12, 3, 4, 0, tzinfo=timezone.utc)  # 12:00 in Shanghai, a Tuesday
TODAY = date(2024, 12, 3)
T = TypeVar("T")


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    database = Database("sqlite+aiosqlite://")
    await database.create_tables()
    await seed_if_empty(database, now=NOW)
    yield database
    await database.dispose()


def run(db: Database, work: Callable[[AsyncSession], Awaitable[T]]) -> Awaitable[T]:
    return db.run(work)


async def refusal(db: Database, work: Callable[[AsyncSession], Awaitable[Any]]) -> ApiError:
    with pytest.raises(ApiError) as caught:
        await db.run(work)
    return caught.value


def day(ahead: int) -> str:
    return (TODAY + timedelta(days=ahead)).isoformat()


# --- interception -------------------------------------------------------------------------


async def test_a_parcel_in_transit_is_intercepted_with_the_couriers_fee(db: Database) -> None:
    async def work(session: AsyncSession) -> Any:
        return await delivery.request_interception(session, "HP20241201", "C001", now=NOW)

    change = await run(db, work)
    assert change.id.startswith("DC") and change.status == "requested"
    assert change.kind == "intercept" and change.fee_fen == 1000
    assert "10.00 元" in change.note

    async def free(session: AsyncSession) -> Any:
        return await delivery.request_interception(session, "HP20241207", "C001", "return", now=NOW)

    returned = await run(db, free)
    assert returned.kind == "return" and returned.fee_fen == 0
    assert int(returned.id[2:]) == int(change.id[2:]) + 1


@pytest.mark.parametrize(
    ("order_id", "customer_id", "status", "code", "words"),
    [
        ("HP20241202", "C001", 409, "courier_cannot_intercept", "中通不支持派送途中拦截"),
        ("HP20241203", "C001", 409, "already_delivered", "退货退款"),
        ("HP20241204", "C001", 409, "not_shipped", "直接取消订单"),
        ("HP20241205", "C001", 409, "already_delivered", "签收"),
        ("HP20241208", "C001", 409, "interception_exists", "处理中"),
        ("HP20241209", "C001", 409, "interception_exists", "已拦截成功"),
        ("HP20240005", "C001", 404, "not_found", "HP20240005"),
        ("HP20249999", "C001", 404, "not_found", "HP20249999"),
    ],
)
async def test_interception_refusals(
    db: Database, order_id: str, customer_id: str, status: int, code: str, words: str
) -> None:
    async def work(session: AsyncSession) -> Any:
        return await delivery.request_interception(session, order_id, customer_id, now=NOW)

    error = await refusal(db, work)
    assert (error.status_code, error.code) == (status, code)
    assert words in error.message


async def test_an_unknown_kind_is_refused(db: Database) -> None:
    async def work(session: AsyncSession) -> Any:
        return await delivery.request_interception(session, "HP20241201", "C001", "burn")

    assert (await refusal(db, work)).code == "invalid_kind"


async def test_the_couriers_answer_settles_a_requested_interception(db: Database) -> None:
    async def settle(session: AsyncSession) -> Any:
        return await delivery.settle_interception(session, "DC20241201", True, now=NOW)

    settled = await run(db, settle)
    assert settled.status == "intercepted"

    async def listed(session: AsyncSession) -> Any:
        logistics = await queries.get_logistics(session, "HP20241208")
        changes = await delivery.list_changes(session, "HP20241208", "C001")
        return logistics.status if logistics else None, [c.status for c in changes]

    assert await run(db, listed) == ("returning", ["intercepted"])
    assert (await refusal(db, settle)).code == "interception_not_pending"

    async def fail(session: AsyncSession) -> Any:
        await delivery.request_interception(session, "HP20241201", "C001", now=NOW)
        changes = await delivery.list_changes(session, "HP20241201", "C001")
        return await delivery.settle_interception(session, changes[-1].id, False, now=NOW)

    assert (await run(db, fail)).status == "failed"


async def test_changes_of_another_customers_order_are_not_listed(db: Database) -> None:
    async def work(session: AsyncSession) -> Any:
        return await delivery.list_changes(session, "HP20241208", "C002")

    assert (await refusal(db, work)).code == "not_found"


# --- delivery windows ---------------------------------------------------------------------


@pytest.mark.parametrize("order_id", ["HP20241201", "HP20241204"])
async def test_a_window_within_7_days_is_booked(db: Database, order_id: str) -> None:
    async def work(session: AsyncSession) -> Any:
        return await delivery.schedule_delivery(
            session, order_id, "C001", day(7), "evening", now=NOW
        )

    change = await run(db, work)
    assert (change.kind, change.status) == ("delivery_window", "done")
    assert (change.window_date, change.window_slot) == (day(7), "evening")


@pytest.mark.parametrize(
    ("order_id", "when", "slot", "code", "words"),
    [
        ("HP20241201", 8, "am", "date_out_of_window", "距今 8 天"),
        ("HP20241201", 0, "am", "date_out_of_window", "就是今天"),
        ("HP20241201", -2, "am", "date_out_of_window", "已经过去了"),
        ("HP20241201", 2, "night", "invalid_slot", "上午、下午、晚上"),
        ("HP20241202", 2, "am", "out_for_delivery", "派送中"),
        ("HP20241203", 2, "am", "already_delivered", "签收"),
        ("HP20241207", 2, "pm", "appointment_not_supported", "韵达配送的小件包裹"),
        ("HP20241208", 2, "pm", "delivery_window_not_allowed", "拦截"),
        ("HP20240005", 2, "pm", "not_found", "HP20240005"),
    ],
)
async def test_window_refusals(
    db: Database, order_id: str, when: int, slot: str, code: str, words: str
) -> None:
    async def work(session: AsyncSession) -> Any:
        return await delivery.schedule_delivery(session, order_id, "C001", day(when), slot, now=NOW)

    error = await refusal(db, work)
    assert error.code == code and words in error.message


async def test_a_malformed_day_is_refused(db: Database) -> None:
    async def work(session: AsyncSession) -> Any:
        return await delivery.schedule_delivery(
            session, "HP20241201", "C001", "周六", "am", now=NOW
        )

    assert (await refusal(db, work)).code == "invalid_date"


# --- receiver phone -----------------------------------------------------------------------


async def test_the_receiver_phone_changes_until_delivery(db: Database) -> None:
    async def work(session: AsyncSession) -> Any:
        change = await delivery.change_receiver_phone(
            session, "HP20241202", "C001", "+86 139-1234-5678", now=NOW
        )
        order = await queries.get_order(session, "HP20241202")
        return change, order.phone if order else None

    change, phone = await run(db, work)
    assert change.phone == phone == "13912345678"
    assert "派送途中" in (change.note or "")


@pytest.mark.parametrize(
    ("order_id", "phone", "code"),
    [
        ("HP20241201", "1391234567", "invalid_phone"),
        ("HP20241201", "12345678901", "invalid_phone"),
        ("HP20241201", "13800138001", "same_phone"),
        ("HP20241203", "13912345678", "already_delivered"),
        ("HP20241209", "13912345678", "phone_not_changeable"),
        ("HP20240005", "13912345678", "not_found"),
    ],
)
async def test_phone_refusals(db: Database, order_id: str, phone: str, code: str) -> None:
    async def work(session: AsyncSession) -> Any:
        return await delivery.change_receiver_phone(session, order_id, "C001", phone, now=NOW)

    assert (await refusal(db, work)).code == code


# --- return pickups -----------------------------------------------------------------------


async def test_a_return_pickup_is_moved(db: Database) -> None:
    async def current(session: AsyncSession) -> Any:
        return await pickups.get_return_pickup(session, "HP20241205", "C001")

    pickup = await run(db, current)
    assert pickup is not None and (pickup.pickup_date, pickup.pickup_slot) == (day(1), "am")

    async def move(session: AsyncSession) -> Any:
        return await pickups.reschedule_pickup(session, "HP20241205", "C001", day(2), "pm", now=NOW)

    moved = await run(db, move)
    assert (moved.pickup_date, moved.pickup_slot) == (day(2), "pm")
    assert (await refusal(db, move)).code == "same_window"

    async def none(session: AsyncSession) -> Any:
        return await pickups.get_return_pickup(session, "HP20241203", "C001")

    assert await run(db, none) is None


@pytest.mark.parametrize(
    ("order_id", "customer_id", "when", "slot", "code"),
    [
        ("HP20241203", "C001", 2, "am", "no_pickup"),
        ("HP20241205", "C001", 2, "evening", "invalid_slot"),
        ("HP20241205", "C001", 9, "am", "date_out_of_window"),
        ("HP20241205", "C002", 2, "am", "not_found"),
    ],
)
async def test_pickup_refusals(
    db: Database, order_id: str, customer_id: str, when: int, slot: str, code: str
) -> None:
    async def work(session: AsyncSession) -> Any:
        return await pickups.reschedule_pickup(
            session, order_id, customer_id, day(when), slot, now=NOW
        )

    assert (await refusal(db, work)).code == code
