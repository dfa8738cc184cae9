"""Dates and times as customers read them: China time, "11月26日", "11月24日 18:05"."""

from __future__ import annotations

from datetime import datetime, timezone

from zhike.common.times import CHINA_TZ


def _local(moment: datetime) -> datetime:
    """``moment`` in China time; a naive one is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(CHINA_TZ)


def format_time(moment: datetime | None) -> str:
    """``"11月24日 18:05"`` in China time; naive datetimes are taken as UTC."""
    if moment is None:
        return ""
    local = _local(moment)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def format_date(moment: datetime | None) -> str:
    """``"11月26日"`` in China time, or ``"暂未确定"``."""
    if moment is None:
        return "暂未确定"
    local = _local(moment)
    return f"{local.month}月{local.day}日"
