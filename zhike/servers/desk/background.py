"""The desk's background work: quality inspection and customer tags, out of the request path.

Every desk replica runs :func:`run` from its start to its stop. Each round (every
:data:`~zhike.lib.qa.jobs.INTERVAL` seconds) the replica holding the lease
(:class:`~zhike.lib.qa.jobs.InspectionJob`, a row of ``qa_state``) inspects the
conversations that finished since the stored marks — the whole transcripts from the
analytics tables, bot-only conversations too — then, under the same lease, recomputes
the automatic tags of the customers involved and of the customers now waiting for or
talking to an agent whose tags are missing or older than
:data:`~zhike.servers.desk.tags_service.STALE_AFTER`. The other replicas find the lease
held and do nothing; one takes over within
:data:`~zhike.lib.qa.jobs.LEASE_SECONDS` when the holder stops.

The 质检 queue and the customer panel only read what this stored: a conversation closed
by an agent is in the queue within one round and the consumer's handoff sync (about 6 s;
60 s at most when the analytics consumer is down), a bot-only one within a round after
it ended.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from datetime import timedelta

from sanic import Sanic
from sqlalchemy import select

from zhike.lib.handoff.models import AGENT, QUEUED, Conversation
from zhike.lib.qa.jobs import INTERVAL, InspectionJob, RoundResult
from zhike.lib.qa.service import QaService
from zhike.lib.qa.store import QaDatabase
from zhike.servers.desk.analytics_api import reports
from zhike.servers.desk.context import DeskContext
from zhike.servers.desk.tags_db import computed_times
from zhike.servers.desk.tags_service import STALE_AFTER, tag_service

logger = logging.getLogger(__name__)
STALE_BATCH = 50  # customers whose stale tags are refreshed per round


async def inspection_job(app: Sanic) -> InspectionJob:
    """This app's job (built on first use, with the analytics tables the desk reads)."""
    desk: DeskContext = app.ctx.desk
    found: tuple[DeskContext, InspectionJob] | None = getattr(app.ctx, "desk_jobs", None)
    if found is None or found[0] is not desk:
        analytics = await reports(app)
        qa = QaService(
            QaDatabase.sharing(desk.auth.db), desk.handoff, desk.handoff.clock, analytics.db
        )
        holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        idle = timedelta(minutes=analytics.settings.idle_minutes)
        found = (desk, InspectionJob(qa, holder, idle))
        app.ctx.desk_jobs = found
    return found[1]


async def stale_customers(app: Sanic, limit: int = STALE_BATCH) -> list[str]:
    """Customers waiting for or talking to an agent whose tags are missing or stale."""
    desk: DeskContext = app.ctx.desk
    query = (
        select(Conversation.customer_id)
        .where(Conversation.state.in_((QUEUED, AGENT)), Conversation.customer_id.is_not(None))
        .distinct()
    )
    async with desk.handoff.db.session() as session:
        active = sorted(str(c) for c in (await session.execute(query)).scalars())
    now, times = desk.handoff.clock(), await computed_times(desk.auth.db, active)
    stale = [c for c in active if c not in times or now - times[c] > STALE_AFTER]
    return stale[:limit]


async def one_round(app: Sanic) -> RoundResult:
    """Inspects what finished, then recomputes the tags due (if this replica holds the lease)."""
    job = await inspection_job(app)
    result = await job.round()
    if not result.held:
        return result
    customers = sorted(result.customers | set(await stale_customers(app)))
    tags = tag_service(app)
    for customer_id in customers:
        if not await job.keep():
            break
        try:
            await tags.recompute(customer_id)
        except Exception:  # one customer's failure (rules, backend) does not stop the rest
            logger.exception("tags: recomputing a customer's tags failed")
    return result


async def run(app: Sanic, interval: float = INTERVAL) -> None:
    """Rounds until cancelled; a failing round is logged and the next one tries again."""
    try:
        while True:
            try:
                await one_round(app)
            except Exception as error:  # noqa: BLE001 - a database outage: retry next round
                logger.warning("background round failed (%s); retrying", type(error).__name__)
            await asyncio.sleep(interval)
    finally:
        found = getattr(app.ctx, "desk_jobs", None)
        if found is not None:
            try:
                await asyncio.shield(found[1].release())
            except Exception:  # noqa: BLE001 - the lease expires by itself
                logger.info("could not release the background lease; it expires by itself")


def start(app: Sanic) -> None:
    """Starts the background rounds (the task is kept on ``app.ctx.desk_background``)."""
    app.ctx.desk_background = asyncio.get_running_loop().create_task(run(app))


async def stop(app: Sanic) -> None:
    """Stops the background rounds and gives the lease back."""
    task: asyncio.Task[None] | None = getattr(app.ctx, "desk_background", None)
    if task is not None:
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        app.ctx.desk_background = None
