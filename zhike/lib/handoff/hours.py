"""Business hours of the human desk: a pure value object, no clock of its own."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ALL_WEEKDAYS = frozenset(range(7))  # Monday = 0 ... Sunday = 6, as datetime.weekday()
_SEARCH_DAYS = 400


def _parse_time(text: str) -> time:
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError as error:
        raise ValueError(f"not a time of day HH:MM: {text!r}") from error


@dataclass(frozen=True)
class BusinessHours:
    """Daily opening hours in one time zone, on some weekdays, except holidays.

    Opening is inclusive, closing exclusive; ``close`` must be after ``open`` on the same
    day (no overnight shifts). All methods take aware datetimes and never read a clock.

    Attributes:
        open: Local opening time, e.g. 09:00.
        close: Local closing time, e.g. 21:00.
        tz: The zone the times are in, e.g. ``ZoneInfo("Asia/Shanghai")``.
        weekdays: Open weekdays, Monday = 0 ... Sunday = 6 (default: every day).
        holidays: Local dates on which the desk is closed all day.
    """

    open: time
    close: time
    tz: ZoneInfo
    weekdays: frozenset[int] = ALL_WEEKDAYS
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.open < self.close:
            raise ValueError(f"closing time {self.close} must be after opening {self.open}")
        if not self.weekdays <= ALL_WEEKDAYS:
            raise ValueError(f"weekdays must be 0 (Monday) to 6 (Sunday): {self.weekdays}")

    @classmethod
    def parse(
        cls,
        span: str,
        tz: str = "Asia/Shanghai",
        weekdays: Iterable[int] = ALL_WEEKDAYS,
        holidays: Iterable[date] = (),
    ) -> BusinessHours:
        """Builds hours from a span like ``"09:00-21:00"``.

        Args:
            span: ``HH:MM-HH:MM`` opening and closing time.
            tz: An IANA zone name.
            weekdays: Open weekdays (Monday = 0).
            holidays: Closed dates.

        Raises:
            ValueError: The span, zone or weekdays are invalid.
        """
        start, sep, end = span.partition("-")
        if not sep:
            raise ValueError(f"business hours must look like 09:00-21:00: {span!r}")
        return cls(
            _parse_time(start),
            _parse_time(end),
            ZoneInfo(tz),
            frozenset(weekdays),
            frozenset(holidays),
        )

    def _open_on(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays

    def _span(self, day: date) -> tuple[datetime, datetime]:
        return (
            datetime.combine(day, self.open, tzinfo=self.tz),
            datetime.combine(day, self.close, tzinfo=self.tz),
        )

    def is_open(self, at: datetime) -> bool:
        """Whether the desk is open at ``at`` (an aware datetime)."""
        local = _aware(at).astimezone(self.tz)
        if not self._open_on(local.date()):
            return False
        start, end = self._span(local.date())
        return start <= local < end

    def next_opening(self, at: datetime) -> datetime:
        """The first moment at or after ``at`` when the desk is open, in the desk's zone.

        Returns ``at`` itself (converted to the zone) while open.

        Raises:
            ValueError: No open day within the next 400 days (e.g. no weekdays at all).
        """
        local = _aware(at).astimezone(self.tz)
        for offset in range(_SEARCH_DAYS):
            day = local.date() + timedelta(days=offset)
            if not self._open_on(day):
                continue
            start, end = self._span(day)
            if local < start:
                return start
            if local < end:
                return local
        raise ValueError("the desk never opens within the next 400 days")


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"an aware datetime is required, got {at!r}")
    return at
