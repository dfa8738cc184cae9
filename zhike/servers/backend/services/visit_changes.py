"""Changing and cancelling an installation or repair visit.

An open visit (``booked`` or ``assigned``) can move to another free slot or be cancelled,
but not within :data:`CHANGE_CUTOFF` of its start (the engineer is on the way) nor after.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.models import Visit
from zhike.servers.backend.services.common import (
    current_time,
    customer_id_of,
    customer_order,
    not_found,
)
from zhike.servers.backend.services.visit_slots import (
    OPEN_STATUSES,
    check_capacity,
    check_slot,
    earliest_day,
    slot_label,
    slot_start,
)
from zhike.servers.backend.services.visits import parse_slot

CHANGE_CUTOFF = timedelta(hours=2)


async def _customer_visit(session: AsyncSession, visit_id: str, customer_id: str) -> Visit:
    owner = customer_id_of(customer_id)
    wanted = str(visit_id or "").strip().upper()
    visit = await session.get(Visit, wanted, with_for_update=True) if wanted else None
    if visit is None or visit.customer_id != owner:
        raise not_found(f"未找到您名下的上门预约 {wanted}")
    return visit


def _check_changeable(visit: Visit, now: datetime, what: str) -> None:
    if visit.status not in OPEN_STATUSES:
        state = "已完成" if visit.status == "done" else "已取消"
        raise ApiError(409, "visit_closed", f"预约单 {visit.id} {state}，无法{what}")
    start = slot_start(date.fromisoformat(str(visit.visit_date)), str(visit.period))
    if now >= start:
        raise ApiError(409, "visit_started", f"预约单 {visit.id} 的上门时间已到，无法{what}")
    if start - now < CHANGE_CUTOFF:
        raise ApiError(
            409,
            "too_late",
            f"距离上门时间不足 2 小时，师傅已在路上，无法在线{what}",
        )


async def reschedule_visit(
    session: AsyncSession,
    visit_id: str,
    customer_id: str,
    visit_date: object,
    period: object,
    *,
    now: datetime | None = None,
) -> Visit:
    """Moves an open visit to another slot (an assigned engineer is released).

    Raises:
        ApiError: 422 ``invalid_date`` / ``invalid_period``; 404 ``not_found``; 409
            ``visit_closed``, ``visit_started``, ``too_late`` (within 2 hours of the
            visit), ``same_slot``, ``slot_full``.
    """
    now = current_time(now)
    day, part = parse_slot(visit_date, period)
    visit = await _customer_visit(session, visit_id, customer_id)
    _check_changeable(visit, now, "改约")
    if visit.visit_date == day.isoformat() and visit.period == part:
        raise ApiError(409, "same_slot", f"预约单 {visit.id} 已经是 {slot_label(day, part)}")
    order = await customer_order(session, str(visit.order_id), customer_id)
    earliest = earliest_day(order, now)
    check_slot(day, part, earliest, now)
    await check_capacity(session, day, part, earliest, now)
    visit.visit_date = day.isoformat()
    visit.period = part
    visit.status = "booked"
    visit.engineer = None
    visit.updated_at = now
    await session.flush()
    return visit


async def cancel_visit(
    session: AsyncSession, visit_id: str, customer_id: str, *, now: datetime | None = None
) -> Visit:
    """Cancels an open visit.

    Raises:
        ApiError: 404 ``not_found``; 409 ``visit_closed``, ``visit_started``, ``too_late``.
    """
    now = current_time(now)
    visit = await _customer_visit(session, visit_id, customer_id)
    _check_changeable(visit, now, "取消")
    visit.status = "cancelled"
    visit.updated_at = now
    await session.flush()
    return visit
