"""What the desk app works with: settings, accounts, handoff, the knowledge base and a sink."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from zhike.common.database import AsyncDatabase
from zhike.common.times import utcnow
from zhike.lib.handoff import (
    DELIVERED,
    PENDING,
    SKILL_GROUPS,
    AgentLoad,
    HandoffDatabase,
    HandoffOutbox,
    HandoffService,
)
from zhike.lib.handoff.config import HandoffSettings
from zhike.lib.kb.db import KbDatabase
from zhike.lib.kb.live import KnowledgeUnavailable, LiveKnowledge
from zhike.lib.kb.seed import ensure_seeded
from zhike.lib.kb.service import KnowledgeBase
from zhike.servers.desk.auth import AccountInfo, DeskAuth
from zhike.servers.desk.config import DeskSettings
from zhike.servers.desk.db import DeskDatabase
from zhike.servers.desk.delivery.dispatcher import OutboxDispatcher
from zhike.servers.desk.delivery.rasa_api import RasaConversations
from zhike.servers.desk.delivery.sink import LoggingReplySink, RasaSink, ReplySink
from zhike.servers.desk.errors import DeskError

logger = logging.getLogger(__name__)

FIRST_ATTEMPT_POLL = 0.05  # seconds between looks at a row that waits behind another


@dataclass
class DeskContext:
    """The desk's collaborators, shared by every request of one app.

    Attributes:
        settings: The desk settings.
        auth: Accounts and sessions.
        handoff: The handoff service (conversations, queues, agents).
        sink: Where stored agent replies and take-over / hand-back notifications go.
        kb: The knowledge base staff edit under ``/api/kb/v1`` (``None``: those routes
            answer 503).
        live: The published entries of ``kb`` as the robot finds them (``试一试``
            search and agent assist); its index is rebuilt only when the knowledge
            base's revision changed, which is checked (one indexed read) before every
            search, so staff see a publish at once.
        databases: Databases this context opened and closes in :meth:`close`.
        outbox: The handoff outbox (on the handoff service's database and clock).
        dispatcher: Delivers the outbox to ``sink``; :meth:`start` starts it.
    """

    settings: DeskSettings
    auth: DeskAuth
    handoff: HandoffService
    sink: ReplySink = field(default_factory=LoggingReplySink)
    kb: KnowledgeBase | None = None
    databases: list[AsyncDatabase] = field(default_factory=list)
    live: LiveKnowledge | None = field(init=False)
    outbox: HandoffOutbox = field(init=False)
    dispatcher: OutboxDispatcher = field(init=False)

    def __post_init__(self) -> None:
        self.live = LiveKnowledge(kb=self.kb, refresh_seconds=0.0) if self.kb else None
        self.outbox = HandoffOutbox(self.handoff.db, clock=self.handoff.clock)
        self.dispatcher = OutboxDispatcher(self.outbox, self.sink, self.settings.delivery)

    def start(self) -> None:
        """Starts delivering the outbox (inside the serving event loop)."""
        self.dispatcher.start()

    async def warm_up(self) -> None:
        """Builds the search index of the published entries ahead of the first search."""
        if self.live is None:
            return
        try:
            await self.live.refresh(force=True)
        except KnowledgeUnavailable as error:
            logger.warning("knowledge base not readable yet, searched on first use: %s", error)

    async def first_attempt(self, outbox_id: int | None, follow: bool = False) -> bool | None:
        """Whether the bot's side got a just-written outbox row at the first attempt.

        Waits at most ``settings.delivery.first_attempt_wait`` seconds for this process's
        dispatcher (with ``follow`` also while the row waits behind an earlier one of its
        conversation, e.g. the closing notice before the hand-back), then asks the
        database. True: delivered; False: stored and retried later; None: nothing was
        queued (``outbox_id`` None).
        """
        if outbox_id is None:
            return None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.delivery.first_attempt_wait
        while True:
            outcome = await self.dispatcher.first_attempt(outbox_id, deadline - loop.time())
            if outcome is not None:
                return outcome
            entry = await self.outbox.entry(outbox_id)
            if not follow or entry is None or entry.state != PENDING or loop.time() >= deadline:
                return entry is not None and entry.state == DELIVERED
            await asyncio.sleep(min(FIRST_ATTEMPT_POLL, max(deadline - loop.time(), 0.0)))

    async def agent(self, account: AccountInfo) -> AgentLoad:
        """The handoff agent of an account; 403 ``agent_not_found`` when it has none."""
        load = await self.handoff.agent(account.agent_id)
        if load is not None:
            return load
        raise DeskError(403, "agent_not_found", "this account has no handoff agent")

    async def groups(self, account: AccountInfo) -> tuple[str, ...]:
        """The skill groups an account may see: all for a supervisor, else the agent's."""
        if account.supervisor:
            return SKILL_GROUPS
        return (await self.agent(account)).skill_groups

    async def close(self) -> None:
        """Stops the dispatcher and disposes the databases this context opened."""
        await self.dispatcher.stop()
        self.auth.close()
        for db in self.databases:
            await db.dispose()


async def open_context(
    settings: DeskSettings,
    sink: ReplySink | None = None,
    clock: Callable[[], datetime] = utcnow,
    handoff_settings: HandoffSettings | None = None,
    with_kb: bool = True,
) -> DeskContext:
    """Opens the databases, creates missing tables, builds the context.

    The handoff and desk tables are at ``settings.db_url``, the knowledge base at
    ``settings.kb_db_url`` (the same database when that is ``None``); ``with_kb=False``
    (account administration) leaves the knowledge base closed (``kb`` is ``None``). An
    empty knowledge base is seeded from ``settings.kb_seed`` when it names a file.

    Call it inside the event loop that will use it, :meth:`DeskContext.start` the
    delivery when serving, and :meth:`DeskContext.close` it.
    """
    handoff_db = HandoffDatabase(settings.db_url)
    desk_db = DeskDatabase(settings.db_url)
    kb_db = KbDatabase(settings.kb_db_url or settings.db_url) if with_kb else None
    databases: list[AsyncDatabase] = [handoff_db, desk_db, *([kb_db] if kb_db else [])]
    kb = KnowledgeBase(kb_db, clock=clock) if kb_db else None
    try:
        for db in databases:
            await db.create_tables()
        if kb is not None and settings.kb_seed is not None:
            await ensure_seeded(kb, settings.kb_seed)  # only into an empty knowledge base
    except BaseException:
        for db in databases:
            await db.dispose()
        raise
    return DeskContext(
        settings=settings,
        auth=DeskAuth(desk_db, settings, clock=clock),
        handoff=HandoffService(handoff_db, handoff_settings, clock=clock),
        sink=sink or _default_sink(settings),
        kb=kb,
        databases=databases,
    )


def _default_sink(settings: DeskSettings) -> ReplySink:
    """Rasa's HTTP API when ``rasa_url`` is set, else a sink that only logs."""
    if settings.rasa_url:
        return RasaSink(RasaConversations(settings.rasa_url, settings.rasa_token))
    return LoggingReplySink()
