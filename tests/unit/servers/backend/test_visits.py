"""The visit rules of the reference backend: eligibility, warranty, slots, capacity, changes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any, TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend.db import Database
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.seed import seed_if_empty
from zhike.servers.backend.services import visit_changes, visits
from zhike.servers.backend.services.visit_slots import CHINA_TZ, SLOT_CAPACITY, slot_label

T = TypeVar("T")
# 10:00 in China on a Wednesday
NOW = datetime(2024, 12, 4, 2, 0, tzinfo=timezone.utc)
TODAY = NOW.astimezone(CHINA_TZ).date()


@pytest.fixture
async def run() -> AsyncIterator[Callable[[Callable[[AsyncSession], Awaitable[T]]], Any]]:
    db = Database("sqlite+aiosqlite://")
    await db.create_tables()
    await seed_if_empty(db, NOW)

    async def in_transaction(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        return await db.run(work)

    yield in_transaction
    await db.dispose()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


async def refused(run: Any, work: Callable[[AsyncSession], Awaitable[Any]]) -> ApiError:
    with pytest.raises(ApiError) as caught:
        await run(work)
    return caught.value


async def test_options_say_what_each_order_allows(run: Any) -> None:
    async def options(order_id: str) -> visits.VisitOptions:
        return await run(lambda s: visits.visit_options(s, order_id, "C001", now=NOW))

    ac = await options("HP20241401")
    [item] = ac.items
    assert item.installable and item.install_visit_id is None and item.in_warranty
    assert ac.earliest == TODAY + timedelta(days=1)
    tv = await options("HP20241402")
    assert tv.items[0].install_visit_id == "SV20240001"
    assert not (await options("HP20241403")).items[0].installable
    old = (await options("HP20241404")).items[0]
    assert not old.in_warranty and old.delivered_days and old.delivered_days > old.warranty_days
    shipped = await options("HP20241406")
    assert shipped.earliest == TODAY + timedelta(days=2)  # the day after tomorrow's delivery
    assert all(slot_day >= shipped.earliest for slot_day, _ in shipped.free_slots)
    assert (TODAY + timedelta(days=3), "am") not in shipped.free_slots  # full in the demo


async def test_an_installation_is_booked_once_per_item(run: Any) -> None:
    visit = await run(
        lambda s: visits.book_visit(s, "HP20241401", "C001", "install", day(1), "pm", now=NOW)
    )
    assert visit.id.startswith("SV") and visit.status == "booked"
    assert visit.address.startswith("上海市") and visit.phone == "13800138001"
    again = await refused(
        run, lambda s: visits.book_visit(s, "HP20241401", "C001", "install", day(2), "am", now=NOW)
    )
    assert again.code == "visit_exists" and visit.id in again.message


@pytest.mark.parametrize(
    ("order_id", "kind", "code", "words"),
    [
        ("HP20241403", "install", "not_installable", "不需要上门安装"),
        ("HP20240003", "install", "not_installable", "不需要上门安装"),
        ("HP20241404", "repair", "out_of_warranty", "超过了 365 天的保修期"),
        ("HP20241406", "repair", "repair_not_allowed", "还没有签收"),
    ],
)
async def test_ineligible_visits_are_refused_with_the_reason(
    run: Any, order_id: str, kind: str, code: str, words: str
) -> None:
    error = await refused(
        run,
        lambda s: visits.book_visit(
            s, order_id, "C001", kind, day(4), "am", problem="没画面", now=NOW
        ),
    )
    assert (error.status_code, error.code) == (409, code) and words in error.message


async def test_another_customers_order_is_not_found(run: Any) -> None:
    error = await refused(
        run, lambda s: visits.book_visit(s, "HP20241401", "C002", "install", day(1), "am", now=NOW)
    )
    assert (error.status_code, error.code) == (404, "not_found")
    error = await refused(run, lambda s: visits.visit_options(s, "HP20241401", "C002", now=NOW))
    assert error.code == "not_found"
    error = await refused(run, lambda s: visit_changes.cancel_visit(s, "SV20240001", "C002"))
    assert error.code == "not_found"


async def test_repairs_in_warranty_and_paid_out_of_warranty(run: Any) -> None:
    repair = await run(
        lambda s: visits.book_visit(
            s, "HP20241405", "C001", "repair", day(2), "pm", problem="不制冷", now=NOW
        )
    )
    assert repair.kind == "repair" and not repair.paid and repair.problem == "不制冷"
    paid = await run(
        lambda s: visits.book_visit(
            s, "HP20241404", "C001", "repair", day(2), "pm", problem="没画面", paid=True, now=NOW
        )
    )
    assert paid.paid
    error = await refused(
        run, lambda s: visits.book_visit(s, "HP20241401", "C001", "repair", day(2), "am", now=NOW)
    )
    assert error.code == "invalid_problem"


@pytest.mark.parametrize(
    ("when", "period", "code"),
    [
        (day(0), "am", "invalid_date"),  # today
        (day(15), "am", "invalid_date"),  # beyond 14 days
        (day(1), "evening", "invalid_period"),
        ("12月5日", "am", "invalid_date"),
    ],
)
async def test_slots_from_tomorrow_to_14_days_morning_or_afternoon(
    run: Any, when: str, period: str, code: str
) -> None:
    error = await refused(
        run, lambda s: visits.book_visit(s, "HP20241401", "C001", "install", when, period, now=NOW)
    )
    assert (error.status_code, error.code) == (422, code)
    ok = await run(
        lambda s: visits.book_visit(s, "HP20241401", "C001", "install", day(14), "am", now=NOW)
    )
    assert ok.visit_date == day(14)


async def test_a_shipped_order_is_installed_after_its_delivery(run: Any) -> None:
    # HP20241406 arrives tomorrow; its own installation is booked: cancel it, book again
    await run(lambda s: visit_changes.cancel_visit(s, "SV20240003", "C001", now=NOW))
    error = await refused(
        run, lambda s: visits.book_visit(s, "HP20241406", "C001", "install", day(1), "pm", now=NOW)
    )
    assert error.code == "invalid_date"
    visit = await run(
        lambda s: visits.book_visit(s, "HP20241406", "C001", "install", day(2), "pm", now=NOW)
    )
    assert visit.status == "booked"


async def test_a_full_slot_is_refused_with_the_nearest_free_ones(run: Any) -> None:
    assert SLOT_CAPACITY == 2  # the demo fills day 3 morning with SV20240001 and SV20240003
    error = await refused(
        run, lambda s: visits.book_visit(s, "HP20241401", "C001", "install", day(3), "am", now=NOW)
    )
    assert error.code == "slot_full"
    full = slot_label(date.fromisoformat(day(3)), "am")
    assert error.message.startswith(f"{full} 已约满")
    assert slot_label(date.fromisoformat(day(3)), "pm") in error.message  # the nearest


async def test_a_visit_moves_to_a_free_slot_and_releases_its_engineer(run: Any) -> None:
    moved = await run(
        lambda s: visit_changes.reschedule_visit(s, "SV20240001", "C001", day(5), "pm", now=NOW)
    )
    assert (moved.visit_date, moved.period, moved.status, moved.engineer) == (
        day(5),
        "pm",
        "booked",
        None,
    )
    same = await refused(
        run,
        lambda s: visit_changes.reschedule_visit(s, "SV20240001", "C001", day(5), "pm", now=NOW),
    )
    assert same.code == "same_slot"
    back = await run(  # its own place was freed: day 3 morning has room again
        lambda s: visit_changes.reschedule_visit(s, "SV20240001", "C001", day(3), "am", now=NOW)
    )
    assert back.visit_date == day(3)
    full = await refused(
        run,
        lambda s: visits.book_visit(s, "HP20241401", "C001", "install", day(3), "am", now=NOW),
    )
    assert full.code == "slot_full"


async def test_no_change_within_two_hours_nor_after_the_visit(run: Any) -> None:
    start = datetime.fromisoformat(f"{day(3)}T09:00:00+08:00")
    late = start - timedelta(hours=1)
    error = await refused(
        run, lambda s: visit_changes.cancel_visit(s, "SV20240001", "C001", now=late)
    )
    assert error.code == "too_late" and "2 小时" in error.message
    error = await refused(
        run, lambda s: visit_changes.cancel_visit(s, "SV20240001", "C001", now=start)
    )
    assert error.code == "visit_started"
    error = await refused(run, lambda s: visit_changes.cancel_visit(s, "SV20240002", "C001"))
    assert error.code == "visit_closed" and "已完成" in error.message
    cancelled = await run(lambda s: visit_changes.cancel_visit(s, "SV20240001", "C001", now=NOW))
    assert cancelled.status == "cancelled"
    error = await refused(
        run, lambda s: visit_changes.cancel_visit(s, "SV20240001", "C001", now=NOW)
    )
    assert error.code == "visit_closed"


async def test_a_new_address_and_phone_are_checked(run: Any) -> None:
    error = await refused(
        run,
        lambda s: visits.book_visit(
            s, "HP20241401", "C001", "install", day(1), "am", address="北京", now=NOW
        ),
    )
    assert error.code == "invalid_address"
    error = await refused(
        run,
        lambda s: visits.book_visit(
            s, "HP20241401", "C001", "install", day(1), "am", phone="12345", now=NOW
        ),
    )
    assert error.code == "invalid_phone"
    visit = await run(
        lambda s: visits.book_visit(
            s,
            "HP20241401",
            "C001",
            "install",
            day(1),
            "am",
            address="杭州市西湖区文三路398号东信大厦5楼",
            phone="139-1234-5678",
            now=NOW,
        )
    )
    assert visit.address.startswith("杭州市") and visit.phone == "13912345678"


async def test_listing_is_the_customers_own(run: Any) -> None:
    mine = await run(lambda s: visits.list_visits(s, "C001"))
    assert {v.id for v in mine} == {"SV20240001", "SV20240002", "SV20240003"}
    assert await run(lambda s: visits.list_visits(s, "C002")) == []
    only = await run(lambda s: visits.list_visits(s, "C001", "HP20241402"))
    assert [v.id for v in only] == ["SV20240001"]
