"""Whole transcripts as CSV: every customer, bot and agent message of a period's conversations.

One line per message of the conversations that started in ``[since, until)`` (a session
with at least one customer message, as everywhere in the analytics), conversation after
conversation in the order they started, each conversation's messages in time order:
``conversation, channel, customer, time, sender, text``. The text comes from
``analytics_messages`` (masked when it was stored) and is masked again on the way out:
phone and ID-card numbers (:func:`zhike.common.privacy.mask_text`) and the street part of
addresses (:func:`zhike.common.privacy.mask_addresses`); conversation keys and customer
ids are masked like the conversations export's.

:func:`transcript_csv` yields the CSV in chunks of :data:`CHUNK` conversations, each
read in a short transaction of its own, so a year of traffic streams through in bounded
memory (the desk's download route and ``python -m zhike.analytics export-transcripts``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from zhike.analytics.db import AnalyticsDatabase
from zhike.analytics.export import BOM, formula_safe
from zhike.analytics.linking import messages_by_session
from zhike.analytics.models import AGENT, BOT, USER, MessageRow, SessionRow
from zhike.analytics.report import iso
from zhike.common.database import keyset_after
from zhike.common.privacy import mask_addresses, mask_text

CHUNK = 200  # conversations per read
HEADER = ("conversation", "channel", "customer", "time", "sender", "text")
SENDERS = {USER: "客户", BOT: "机器人", AGENT: "坐席"}

Label = Callable[[str, str], str]


def masked(text: str | None) -> str:
    """A message text as exported: numbers and the street part of addresses masked."""
    return mask_addresses(mask_text(text or ""))


def csv_lines(rows: Iterable[Sequence[Any]]) -> str:
    """CSV lines of ``rows`` (formulas defused), without a header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([formula_safe(value) for value in row])
    return buffer.getvalue()


async def _sessions_after(
    db: AnalyticsDatabase, since: datetime, until: datetime, after: tuple[datetime, int] | None
) -> list[SessionRow]:
    """The next :data:`CHUNK` conversations of the period (keyset after ``after``)."""
    query = select(SessionRow).where(
        SessionRow.started_at >= since,
        SessionRow.started_at < until,
        SessionRow.user_messages > 0,
    )
    query = query.where(*keyset_after(SessionRow.started_at, SessionRow.id, after))
    async with db.session() as session:
        found = await session.execute(
            query.order_by(SessionRow.started_at, SessionRow.id).limit(CHUNK)
        )
        return list(found.scalars())


async def _messages_of(db: AnalyticsDatabase, keys: list[str]) -> dict[str, list[MessageRow]]:
    async with db.session() as session:
        return await messages_by_session(session, keys)


async def transcript_rows(
    db: AnalyticsDatabase,
    since: datetime,
    until: datetime,
    zone: ZoneInfo,
    label: Label | None = None,
) -> AsyncIterator[list[tuple[Any, ...]]]:
    """The lines of :data:`HEADER` for ``[since, until)``, :data:`CHUNK` conversations at a time.

    Args:
        db: The analytics database.
        since: Start of the period (conversations that started in it).
        until: End of the period (exclusive).
        zone: The time zone of the ``time`` column.
        label: ``label("channel", key)`` names a channel (default: the key).
    """
    name = label or (lambda _dimension, key: key)
    after: tuple[datetime, int] | None = None
    while True:
        sessions = await _sessions_after(db, since, until, after)
        if not sessions:
            return
        messages = await _messages_of(db, [s.session_key for s in sessions])
        rows = [
            (
                mask_text(s.session_key),
                name("channel", s.channel or ""),
                mask_text(s.customer_id or s.sender_id),
                iso(m.at, zone),
                SENDERS.get(m.role, m.role),
                masked(m.text),
            )
            for s in sessions
            for m in messages.get(s.session_key, [])
        ]
        if rows:
            yield rows
        after = (sessions[-1].started_at, sessions[-1].id)


async def transcript_csv(
    db: AnalyticsDatabase,
    since: datetime,
    until: datetime,
    zone: ZoneInfo,
    label: Label | None = None,
) -> AsyncIterator[str]:
    """:func:`transcript_rows` as CSV text chunks; the first is the BOM and the header."""
    yield BOM + csv_lines([HEADER])
    async for rows in transcript_rows(db, since, until, zone, label):
        yield csv_lines(rows)
