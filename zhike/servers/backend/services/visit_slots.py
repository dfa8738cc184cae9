"""Time slots of installation and repair visits: the window, the periods, the capacity.

A slot is a China-time day from tomorrow to :data:`BOOKING_DAYS` ahead and a period,
``am`` (9:00-12:00) or ``pm`` (13:00-18:00); each takes :data:`SLOT_CAPACITY` open visits.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.models import Order, Visit

CHINA_TZ = timezone(timedelta(hours=8), "CST")
SLOT_CAPACITY = 2
BOOKING_DAYS = 14
PERIODS = {"am": ("上午", 9, 12), "pm": ("下午", 13, 18)}
OPEN_STATUSES = ("booked", "assigned")
WEEKDAYS = "一二三四五六日"


def slot_label(day: date, period: str) -> str:
    """``"12月5日（周六）上午 9:00–12:00"``."""
    name, start, end = PERIODS[period]
    return f"{day.month}月{day.day}日（周{WEEKDAYS[day.weekday()]}）{name} {start}:00–{end}:00"


def slot_start(day: date, period: str) -> datetime:
    """When a slot starts, aware UTC."""
    local = datetime(day.year, day.month, day.day, PERIODS[period][1], tzinfo=CHINA_TZ)
    return local.astimezone(timezone.utc)


def today(now: datetime) -> date:
    """The China-time day of ``now``."""
    return now.astimezone(CHINA_TZ).date()


async def taken_slots(session: AsyncSession, first: date, last: date) -> dict[tuple[str, str], int]:
    """Open visits per ``(date, period)`` between two days."""
    rows = await session.execute(
        select(Visit.visit_date, Visit.period, func.count())
        .where(Visit.status.in_(OPEN_STATUSES))
        .where(Visit.visit_date >= first.isoformat(), Visit.visit_date <= last.isoformat())
        .group_by(Visit.visit_date, Visit.period)
    )
    return {(day, period): int(count) for day, period, count in rows}


def earliest_day(order: Order, now: datetime) -> date:
    """Tomorrow; for a parcel on its way, the day after its expected delivery."""
    earliest = today(now) + timedelta(days=1)
    if order.status == "shipped":
        eta = order.logistics.eta if order.logistics is not None else None
        arrival = today(eta) if eta is not None else today(now) + timedelta(days=2)
        earliest = max(earliest, arrival + timedelta(days=1))
    return earliest


async def free_slots(
    session: AsyncSession, first: date, now: datetime, limit: int | None = None
) -> list[tuple[date, str]]:
    """The slots with room left from ``first`` to the end of the booking window."""
    last = today(now) + timedelta(days=BOOKING_DAYS)
    taken = await taken_slots(session, first, last)
    found: list[tuple[date, str]] = []
    day = first
    while day <= last and (limit is None or len(found) < limit):
        for period in PERIODS:
            if taken.get((day.isoformat(), period), 0) < SLOT_CAPACITY:
                found.append((day, period))
        day += timedelta(days=1)
    return found[:limit] if limit is not None else found


def check_slot(day: date, period: str, earliest: date, now: datetime) -> None:
    """Refuses (422 ``invalid_date``) a day outside ``earliest`` .. 14 days ahead."""
    last = today(now) + timedelta(days=BOOKING_DAYS)
    if day < earliest or day > last:
        first = f"{earliest.month}月{earliest.day}日"
        raise ApiError(
            422,
            "invalid_date",
            f"上门日期可选 {first} 到 {last.month}月{last.day}日 之间"
            f"（最多预约 {BOOKING_DAYS} 天内）",
        )


async def check_capacity(
    session: AsyncSession, day: date, period: str, earliest: date, now: datetime
) -> None:
    """Refuses (409 ``slot_full``) a full slot, naming the nearest free ones."""
    taken = await taken_slots(session, day, day)
    if taken.get((day.isoformat(), period), 0) < SLOT_CAPACITY:
        return
    nearest = await free_slots(session, earliest, now, limit=40)
    nearest.sort(key=lambda slot: (abs((slot[0] - day).days), slot[0], slot[1]))
    offer = "、".join(slot_label(*slot) for slot in sorted(nearest[:3]))
    tail = f"最近可约：{offer}" if offer else "近 14 天都已约满，请稍后再试"
    raise ApiError(409, "slot_full", f"{slot_label(day, period)} 已约满，{tail}")
