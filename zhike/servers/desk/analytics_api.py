"""The analytics API of the desk (supervisors only): KPIs, trend, breakdowns, top lists, CSV.

Routes under ``/api/desk/v1/analytics`` (docs/analytics.md): ``summary``, ``trend``,
``breakdown``, ``top`` and ``export/<conversations|summary|trend|breakdown>.csv``, and
``export/transcripts.csv`` (every message of the period's conversations, masked,
streamed in chunks so a long period never sits in memory).
401 without a session, 403 for agents, 400 for a malformed period, bucket, dimension or
limit, 503 when the analytics database cannot be read. The numbers come from the
analytics tables the consumer fills (:mod:`zhike.analytics`); this module adds the
Chinese labels (channels, intents, skill groups, agents) and the HTTP shapes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from sanic import Blueprint, Sanic
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from zhike.analytics import export, metrics
from zhike.analytics.db import AnalyticsDatabase
from zhike.analytics.report import BadPeriod, Reports, period
from zhike.analytics.settings import settings_from_env
from zhike.analytics.transcripts import transcript_csv
from zhike.servers.desk.api_views import intent_titles
from zhike.servers.desk.errors import DeskError, json_response
from zhike.servers.desk.http import int_query, require_supervisor
from zhike.servers.desk.labels import CHANNEL_LABELS, SKILL_GROUP_LABELS

logger = logging.getLogger(__name__)
EXPORTS = ("conversations", "summary", "trend", "breakdown", "transcripts")
OTHER_LABELS = {
    "channel": {metrics.UNKNOWN: "未知渠道"},
    "intent": {metrics.UNKNOWN: "未识别"},
    "skill_group": {metrics.BOT_GROUP: "机器人"},
}
_LOCK_KEY = "analytics_lock"


async def reports(app: Sanic) -> Reports:
    """The app's :class:`Reports` (opened on first use; tests may set ``app.ctx.analytics``)."""
    found: Reports | None = getattr(app.ctx, "analytics", None)
    if found is not None:
        return found
    lock: asyncio.Lock = getattr(app.ctx, _LOCK_KEY, None) or asyncio.Lock()
    setattr(app.ctx, _LOCK_KEY, lock)
    async with lock:
        found = getattr(app.ctx, "analytics", None)
        if found is None:
            try:
                settings = settings_from_env()
            except ValueError as error:
                raise DeskError(503, "analytics_unconfigured", str(error)) from error
            db = AnalyticsDatabase(settings.db_url)
            await db.create_tables()
            found = Reports(db, settings)
            app.ctx.analytics = found
            app.ctx.analytics_owned = db
    return found


class Labeller:
    """Chinese display names of breakdown keys."""

    def __init__(self, intents: dict[str, str], agents: dict[str, str]) -> None:
        self.names = {
            "channel": {**CHANNEL_LABELS, **OTHER_LABELS["channel"]},
            "intent": {**intents, **OTHER_LABELS["intent"]},
            "skill_group": {**SKILL_GROUP_LABELS, **OTHER_LABELS["skill_group"]},
            "agent": agents,
        }

    def __call__(self, by: str, key: str) -> str:
        """The label of ``key`` in the breakdown ``by`` (the key itself if unnamed)."""
        if by == "hour" and key.isdigit():
            return f"{int(key):02d}:00–{(int(key) + 1) % 24:02d}:00"
        return self.names.get(by, {}).get(key, key)


async def labeller(request: Request, found: Reports) -> Labeller:
    """The labels: intent titles (actions/intent_titles.yml) and agents' names."""
    return Labeller(await intent_titles(request.app), await found.agent_names())


def _period(request: Request, found: Reports) -> tuple[Any, Any]:
    try:
        return period(request.args.get("since"), request.args.get("until"), found.settings.zone)
    except BadPeriod as error:
        raise DeskError(400, "invalid_period", str(error)) from error


async def _guarded(work: Callable[[], Awaitable[Any]]) -> Any:
    try:
        return await work()
    except BadPeriod as error:
        raise DeskError(400, "invalid_parameter", str(error)) from error
    except (SQLAlchemyError, OSError) as error:
        raise DeskError(503, "analytics_unavailable", type(error).__name__) from error


async def _document(request: Request, kind: str) -> tuple[dict[str, Any], Reports]:
    """The JSON document of ``kind`` for the request's parameters, labelled."""
    require_supervisor(request)
    found = await reports(request.app)
    since, until = _period(request, found)
    if kind == "summary":
        document = await _guarded(lambda: found.summary(since, until))
    elif kind == "trend":
        bucket = request.args.get("bucket", "day")
        document = await _guarded(lambda: found.trend(since, until, bucket))
    elif kind == "breakdown":
        by = request.args.get("by", "channel")
        document = await _guarded(lambda: found.breakdown(since, until, by))
        names = await _guarded(lambda: labeller(request, found))
        for row in document["rows"]:
            row["label"] = names(by, row["key"])
    else:
        wanted = request.args.get("kind", "intents")
        limit = int_query(request, "limit", 10)
        document = await _guarded(lambda: found.top(since, until, wanted, limit))
        if wanted == "intents":
            names = await _guarded(lambda: labeller(request, found))
            for row in document["rows"]:
                row["label"] = names("intent", row["key"])
    return document, found


CSV_TYPE = "text/csv; charset=utf-8"


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="zhike-{name}.csv"'}


def csv_response(body: str, name: str) -> HTTPResponse:
    """A CSV download."""
    return HTTPResponse(body=body.encode("utf-8"), content_type=CSV_TYPE, headers=_attachment(name))


async def _next(chunks: AsyncIterator[str]) -> str:
    try:
        return await chunks.__anext__()
    except StopAsyncIteration:
        return ""


async def stream_transcripts(request: Request) -> None:
    """Streams ``transcripts.csv`` chunk by chunk.

    The header and the first chunk are read before the answer starts, so a database
    failure is still a 503; a failure later ends the file short.
    """
    require_supervisor(request)
    found = await reports(request.app)
    since, until = _period(request, found)
    names = await _guarded(lambda: labeller(request, found))
    chunks = transcript_csv(found.db, since, until, found.settings.zone, names)
    first = [await _guarded(lambda: _next(chunks)), await _guarded(lambda: _next(chunks))]
    response = await request.respond(content_type=CSV_TYPE, headers=_attachment("transcripts"))
    for chunk in first:
        await response.send(chunk.encode("utf-8"))
    try:
        async for chunk in chunks:
            await response.send(chunk.encode("utf-8"))
    except (SQLAlchemyError, OSError) as error:  # too late for a status: the file ends short
        logger.warning("transcripts export stopped: %s", type(error).__name__)
    await response.eof()


def analytics_blueprint() -> Blueprint:
    """The ``/analytics`` routes (mounted under ``/api/desk/v1``)."""
    bp = Blueprint("desk_analytics")

    @bp.get("/analytics/summary")
    async def summary(request: Request) -> HTTPResponse:
        return json_response((await _document(request, "summary"))[0])

    @bp.get("/analytics/trend")
    async def trend(request: Request) -> HTTPResponse:
        return json_response((await _document(request, "trend"))[0])

    @bp.get("/analytics/breakdown")
    async def breakdown(request: Request) -> HTTPResponse:
        return json_response((await _document(request, "breakdown"))[0])

    @bp.get("/analytics/top")
    async def top(request: Request) -> HTTPResponse:
        return json_response((await _document(request, "top"))[0])

    @bp.get("/analytics/export/<name:str>")
    async def download(request: Request, name: str) -> HTTPResponse | None:
        kind = name[:-4] if name.endswith(".csv") else ""
        if kind not in EXPORTS:
            raise DeskError(404, "not_found", f"exports: {', '.join(e + '.csv' for e in EXPORTS)}")
        if kind == "transcripts":
            await stream_transcripts(request)
            return None
        if kind != "conversations":
            document, _ = await _document(request, kind)
            writer = {
                "summary": export.summary_csv,
                "trend": export.trend_csv,
                "breakdown": export.breakdown_csv,
            }[kind]
            return csv_response(writer(document), kind)
        require_supervisor(request)
        found = await reports(request.app)
        since, until = _period(request, found)
        sessions = await _guarded(lambda: found.conversations(since, until))
        names = await _guarded(lambda: labeller(request, found))
        body = export.conversations_csv(sessions, found.judging(), names)
        return csv_response(body, kind)

    @bp.listener("before_server_stop")
    async def close(app: Sanic, _loop: Any) -> None:
        db: AnalyticsDatabase | None = getattr(app.ctx, "analytics_owned", None)
        if db is not None:
            await db.dispose()
            app.ctx.analytics_owned = None
            app.ctx.analytics = None

    return bp
