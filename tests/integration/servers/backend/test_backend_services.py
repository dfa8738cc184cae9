"""The service layer in-process (no HTTP) with an injected clock: time windows, locks,
code expiry and transaction boundaries.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend.db import Database
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.models import (
    BindingCode,
    IdSequence,
    Lesson,
    Order,
    Refund,
    TrackingEvent,
)
from zhike.servers.backend.seed import seed_if_empty
from zhike.servers.backend.services import identity, orders, school

pytestmark = pytest.mark.integration

NOW = datetime(2024, 11, 25, 6, 0, tzinfo=timezone.utc)
T = TypeVar("T")


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/services.db")
    await database.create_tables()
    await seed_if_empty(database, now=NOW)
    yield database
    await database.dispose()


def run(db: Database, work: Callable[[AsyncSession], Awaitable[T]]) -> Awaitable[T]:
    return db.run(work)


async def refusal(awaitable: Awaitable[object]) -> tuple[int, str]:
    with pytest.raises(ApiError) as caught:
        await awaitable
    return caught.value.status_code, caught.value.code


async def _delivered_at(db: Database) -> datetime:
    async with db.session() as session:
        order = await orders.get_order(session, "HP20240002")
        assert order is not None
        return orders.delivered_at(order)


async def test_refund_window_is_seven_days_from_the_last_scan(db: Database) -> None:
    delivered = await _delivered_at(db)
    assert timedelta(days=1) < NOW - delivered < timedelta(days=3)  # the demo data's promise

    def refund(at: datetime) -> Awaitable[Refund]:
        return run(db, lambda s: orders.request_refund(s, "HP20240002", "C001", "不合适", now=at))

    late = delivered + timedelta(days=7, seconds=1)
    assert await refusal(refund(late)) == (409, "refund_not_allowed")
    created = await refund(delivered + timedelta(days=7))
    assert created.status == "requested" and created.created_at == delivered + timedelta(days=7)


async def test_without_tracking_events_the_order_update_time_counts(db: Database) -> None:
    async with db.transaction() as session:
        await session.execute(delete(TrackingEvent).where(TrackingEvent.order_id == "HP20240002"))
    async with db.session() as session:
        order = await orders.get_order(session, "HP20240002")
        assert order is not None and orders.delivered_at(order) == order.updated_at
        updated = order.updated_at
    too_late = updated + timedelta(days=8)
    result = run(db, lambda s: orders.request_refund(s, "HP20240002", "C001", "x", now=too_late))
    assert await refusal(result) == (409, "refund_not_allowed")


async def test_phone_lock_lasts_fifteen_minutes(db: Database) -> None:
    def attempt(last4: str, at: datetime) -> Awaitable[identity.PhoneCheckResult]:
        return run(
            db, lambda s: identity.check_order_phone(s, "HP20240001", last4, "web:x", now=at)
        )

    for minute in range(5):
        result = await attempt("0000", NOW + timedelta(minutes=minute))
    locked_at = NOW + timedelta(minutes=4)
    assert result == identity.PhoneCheckResult(False, 0, locked_at + timedelta(minutes=15))
    still = await attempt("8001", locked_at + timedelta(minutes=14, seconds=59))
    assert still.verified is False and still.attempts_left == 0
    free = await attempt("8001", locked_at + timedelta(minutes=15))
    assert free == identity.PhoneCheckResult(True, 5, None)
    again = await attempt("0000", locked_at + timedelta(minutes=16))
    assert (again.attempts_left, again.locked_until) == (4, None)  # a fresh count


async def test_one_time_code_expires_after_ten_minutes(db: Database) -> None:
    issued = await run(
        db, lambda s: identity.request_binding_code(s, "13800138001", "web", "u1", now=NOW)
    )
    assert issued.customer_id == "C001" and issued.expires_at == NOW + timedelta(minutes=10)
    expired = run(
        db,
        lambda s: identity.confirm_binding(
            s, "13800138001", issued.code, "web", "u1", now=NOW + timedelta(minutes=10)
        ),
    )
    assert await refusal(expired) == (422, "invalid_code")
    binding = await run(
        db,
        lambda s: identity.confirm_binding(
            s, "13800138001", issued.code, "web", "u1", now=NOW + timedelta(minutes=9)
        ),
    )
    assert binding.customer_id == "C001"


async def test_code_rate_limit_window_slides(db: Database) -> None:
    def request(at: datetime) -> Awaitable[identity.IssuedCode]:
        return run(
            db, lambda s: identity.request_binding_code(s, "13800138001", "web", "u", now=at)
        )

    for minute in (0, 1, 2):
        await request(NOW + timedelta(minutes=minute))
    assert await refusal(request(NOW + timedelta(minutes=9))) == (429, "too_many_codes")
    await request(NOW + timedelta(minutes=10, seconds=1))  # the first one left the window


async def test_only_a_hash_of_the_code_is_stored(db: Database) -> None:
    issued = await run(
        db, lambda s: identity.request_binding_code(s, "13800138001", "web", "u", now=NOW)
    )
    async with db.session() as session:
        row = await session.scalar(select(BindingCode))
    assert row is not None and issued.code not in (row.code_hash, row.salt)
    assert len(row.salt) == 32 and row.code_hash == identity.hash_code(row.salt, issued.code)
    again = await run(
        db, lambda s: identity.request_binding_code(s, "13900139002", "web", "v", now=NOW)
    )
    async with db.session() as session:
        salts = set(await session.scalars(select(BindingCode.salt)))
    assert len(salts) == 2 and again.code.isdigit() and len(again.code) == 6


async def test_wrong_code_count_survives_the_refusal(db: Database) -> None:
    issued = await run(
        db, lambda s: identity.request_binding_code(s, "13800138001", "web", "u", now=NOW)
    )
    wrong = "000000" if issued.code != "000000" else "111111"
    confirm = run(
        db, lambda s: identity.confirm_binding(s, "13800138001", wrong, "web", "u", now=NOW)
    )
    with pytest.raises(ApiError) as caught:
        await confirm
    assert caught.value.keep_changes and caught.value.code == "invalid_code"
    async with db.session() as session:
        assert await session.scalar(select(BindingCode.attempts)) == 1  # committed


async def test_lesson_request_cutoff_is_two_hours(db: Database) -> None:
    async with db.session() as session:
        lesson = await session.scalar(
            select(Lesson)
            .where(Lesson.course_id == "CS001", Lesson.start_at > NOW)
            .order_by(Lesson.start_at)
        )
    assert lesson is not None
    cutoff = lesson.start_at - timedelta(hours=2)

    def leave(at: datetime) -> Awaitable[object]:
        return run(
            db,
            lambda s: school.request_lesson_change(s, lesson.id, "S001", "C001", "leave", now=at),
        )

    assert await refusal(leave(cutoff)) == (409, "past_cutoff")
    request = await leave(cutoff - timedelta(seconds=1))
    assert request.status == "pending"  # type: ignore[attr-defined]


async def test_reschedule_horizon_is_thirty_days(db: Database) -> None:
    async with db.session() as session:
        lesson_id = await session.scalar(
            select(Lesson.id)
            .where(Lesson.course_id == "CS002", Lesson.start_at > NOW)
            .order_by(Lesson.start_at)
        )
    assert lesson_id is not None

    def reschedule(wanted: datetime | None) -> Awaitable[object]:
        return run(
            db,
            lambda s: school.request_lesson_change(
                s, lesson_id, "S001", "C001", "reschedule", wanted, now=NOW
            ),
        )

    for wanted in (NOW, NOW + timedelta(days=30, seconds=1), NOW.replace(tzinfo=None), None):
        assert await refusal(reschedule(wanted)) == (422, "invalid_time"), wanted
    assert await reschedule(NOW + timedelta(days=30))


async def test_a_write_failing_midway_leaves_nothing_behind(db: Database) -> None:
    async def cancel_then_fail(session: AsyncSession) -> None:
        order = await orders.cancel_order(session, "HP20240003", "C001", now=NOW)
        assert order.status == "cancelled" and len(order.refunds) == 1  # written and flushed
        raise RuntimeError("the payment system went away")

    with pytest.raises(RuntimeError):
        await db.run(cancel_then_fail)
    async with db.session() as session:
        order = await session.get(Order, "HP20240003")
        assert order is not None and order.status == "paid"
        refunds = await session.scalar(
            select(func.count()).select_from(Refund).where(Refund.order_id == "HP20240003")
        )
        assert refunds == 0
        assert await session.scalar(select(func.count()).select_from(IdSequence)) == 0
    cancelled = await db.run(lambda s: orders.cancel_order(s, "HP20240003", "C001", now=NOW))
    assert cancelled.refunds[0].id == "RF20240002"  # the failed attempt consumed no id
