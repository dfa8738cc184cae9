"""Timestamps: the clocks and the SQL column type every zhike table stores time in.

UTC for what is stored; China time for the days customers mean ("明天").
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.types import DateTime, TypeDecorator


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and always returned timezone-aware (UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Converts aware values to naive UTC; naive values are taken as UTC already."""
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Marks the stored naive UTC value as UTC."""
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


CHINA_TZ = ZoneInfo("Asia/Shanghai")


def china_now() -> datetime:
    """The current time in China (the days customers mean)."""
    return datetime.now(CHINA_TZ)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)
