"""What changed in the handoff tables, found by reading them once a second per desk process.

A :class:`EventHub` runs in each desk process while at least one page listens. Every
:data:`POLL_SECONDS` it reads the open conversations (``queued`` or ``agent``: their state,
group, agent and ``last_seq``) and compares them with what it read the time before:

- a conversation that appears queued is ``queued``; queued → agent is ``accepted``; a new
  group or agent → queued is ``transferred``; another agent in the same group (a
  supervisor's 转派) is ``reassigned``; one that is no longer open is ``closed``;
- a conversation whose ``last_seq`` grew has new messages: one ``message`` event per new
  message (its seq and direction, never its text);
- an agent who went on- or offline is an ``agent`` event (for supervisors and that agent);
- an episode queued and closed between two polls (the customer tapped 取消排队 right away)
  was never seen open: the newest episodes are read too, and one found closed that the
  poll before did not know closed is ``closed`` (a page that read the inbox in between
  would otherwise keep showing it).

Everything comes from committed rows, so a change made through any desk replica (or by
the bot's side) reaches the pages of every replica within about a second; no process keeps
state another one needs. Events carry ids and codes only, no personal data.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_, select

from zhike.lib.handoff import AGENT, CLOSED, QUEUED, HandoffService
from zhike.lib.handoff.models import Agent, Conversation, Message

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0
QUEUE_LIMIT = 256  # events waiting for one slow page before it is told to refresh everything
# Episodes read again below the newest one seen: a transaction of another process may
# commit a lower id after a poll saw a higher one (PostgreSQL sequences).
RECENT_IDS = 64


@dataclass(frozen=True)
class Open:
    """An open conversation as one poll saw it."""

    state: str
    skill_group: str
    agent_id: str | None
    last_seq: int


@dataclass(frozen=True)
class Event:
    """One change: ``kind`` is ``inbox`` or ``message``; ``data`` goes to the page as JSON.

    ``groups`` and ``agents`` say who may see it: agents of those skill groups, those agents
    (the owner before and after) and every supervisor.
    """

    kind: str
    data: dict[str, Any]
    groups: frozenset[str]
    agents: frozenset[str]


@dataclass(eq=False)
class Viewer:
    """Who listens on one stream and what reaches them."""

    agent_id: str
    supervisor: bool
    groups: frozenset[str]
    queue: asyncio.Queue[Event | None] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    overflowed: bool = False

    def may_see(self, event: Event) -> bool:
        """Whether the event concerns this viewer's groups or their own conversations."""
        return self.supervisor or self.agent_id in event.agents or bool(self.groups & event.groups)

    def offer(self, event: Event) -> None:
        """Queues the event; a page too slow to keep up is told to refresh everything once."""
        if not self.may_see(event):
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True


def _who(*seen: Open | None) -> tuple[frozenset[str], frozenset[str]]:
    groups = frozenset(o.skill_group for o in seen if o is not None)
    agents = frozenset(o.agent_id for o in seen if o is not None and o.agent_id)
    return groups, agents


def _inbox(cid: int, change: str, state: str, *seen: Open | None) -> Event:
    """An ``inbox`` event of conversation ``cid`` for whoever saw it (before and after)."""
    group = next(o.skill_group for o in reversed(seen) if o is not None)
    data = {"conversation_id": cid, "change": change, "state": state, "skill_group": group}
    return Event("inbox", data, *_who(*seen))


def changes(before: dict[int, Open], after: dict[int, Open]) -> tuple[list[Event], dict[int, int]]:
    """The inbox events between two polls, and which conversations got new messages.

    Returns:
        The events, and ``{conversation id: last seq seen before}`` of those whose
        ``last_seq`` grew (the hub then reads their new messages).
    """
    events: list[Event] = []
    grown: dict[int, int] = {}
    for cid, now in after.items():
        old = before.get(cid)
        change = None
        if old is None:
            change = "queued" if now.state == QUEUED else "accepted"
        elif old.state == QUEUED and now.state == AGENT:
            change = "accepted"
        elif old.skill_group != now.skill_group or (old.state, now.state) == (AGENT, QUEUED):
            change = "transferred"
        elif old.agent_id != now.agent_id:  # a supervisor's 转派 from one agent to another
            change = "reassigned"
        if change is not None:
            events.append(_inbox(cid, change, now.state, old, now))
        if old is not None and now.last_seq > old.last_seq:
            grown[cid] = old.last_seq
    for cid, old in before.items():
        if cid not in after:
            events.append(_inbox(cid, "closed", CLOSED, old))
    return events, grown


def closed_unseen(
    before: dict[int, Open], known: dict[int, Open], recent: dict[int, Open]
) -> list[Event]:
    """``closed`` events for the recent episodes closed without a poll seeing them open.

    Args:
        before: the open conversations of the previous poll (their closing is
            :func:`changes`' event).
        known: the recent episodes the previous poll read.
        recent: the recent episodes read now, open or closed.
    """
    events = []
    for cid, now in recent.items():
        old = known.get(cid)
        if now.state != CLOSED or cid in before or (old is not None and old.state == CLOSED):
            continue
        events.append(_inbox(cid, "closed", CLOSED, now))
    return events


class EventHub:
    """Polls the handoff tables for one desk process and fans changes out to its streams.

    The poll runs only while a stream is open; its first read after starting is the
    baseline (each page refreshes everything when its stream opens).

    Args:
        service: The handoff service whose database is read.
        interval: Seconds between two polls.
    """

    def __init__(self, service: HandoffService, interval: float = POLL_SECONDS):
        self.service = service
        self.interval = interval
        self.viewers: set[Viewer] = set()
        self._task: asyncio.Task[None] | None = None
        self._seen: dict[int, Open] | None = None
        self._recent: dict[int, Open] = {}  # the newest episodes, closed ones too
        self._newest: int | None = None  # the highest episode id read
        self._online: dict[str, bool] = {}
        self.primed = asyncio.Event()  # the baseline is read: later changes become events
        self.polls = 0

    def subscribe(self, viewer: Viewer) -> Viewer:
        """Starts delivering events to ``viewer`` (and polling, if it is the first)."""
        self.viewers.add(viewer)
        if self._task is None or self._task.done():
            self._seen, self._recent, self._newest = None, {}, None
            self.primed.clear()
            self._task = asyncio.get_running_loop().create_task(self._run())
        return viewer

    def unsubscribe(self, viewer: Viewer) -> None:
        """Stops delivering to ``viewer``; the poll stops with the last one."""
        self.viewers.discard(viewer)
        if not self.viewers and self._task is not None:
            self._task.cancel()
            self._task = None

    def close(self) -> None:
        """Ends every stream (the server stops)."""
        for viewer in list(self.viewers):
            try:
                viewer.queue.put_nowait(None)
            except asyncio.QueueFull:
                viewer.overflowed = True
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.poll_once()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the database is away: try again next time
                logger.warning("Desk event poll failed: %s", type(error).__name__)
            await asyncio.sleep(self.interval)

    async def poll_once(self) -> list[Event]:
        """Reads the open conversations once and hands out what changed."""
        found, online, recent = await self._read(self._open)
        self.polls += 1
        known, self._recent = self._recent, recent
        self._newest = max([self._newest or 0, *recent, *found])
        if self._seen is None:
            self._seen, self._online = found, online
            self.primed.set()
            return []
        events, grown = changes(self._seen, found)
        events += closed_unseen(self._seen, known, recent)
        for agent_id, now in online.items():
            if self._online.get(agent_id, now) != now:
                data = {"agent_id": agent_id, "online": now}
                events.append(Event("agent", data, frozenset(), frozenset({agent_id})))
        self._online = online
        if grown:
            events += await self._read(lambda session: self._messages(session, grown, found))
        self._seen = found
        for event in events:
            for viewer in list(self.viewers):
                viewer.offer(event)
        return events

    async def _read(self, work: Callable[[Any], Awaitable[Any]]) -> Any:
        async with self.service.db.session() as session:
            return await work(session)

    async def _open(self, session: Any) -> tuple[dict[int, Open], dict[str, bool], dict[int, Open]]:
        """The open conversations, who is online, and the newest episodes (by primary key)."""
        agents = await session.execute(select(Agent.id, Agent.online))
        columns = (
            Conversation.id,
            Conversation.state,
            Conversation.skill_group,
            Conversation.agent_id,
            Conversation.last_seq,
        )
        rows = await session.execute(
            select(*columns).where(Conversation.state.in_((QUEUED, AGENT)))
        )
        found = {cid: Open(state, group, agent, seq or 0) for cid, state, group, agent, seq in rows}
        newest = self._newest
        if newest is None:
            newest = (await session.execute(select(func.max(Conversation.id)))).scalar() or 0
        rows = await session.execute(
            select(*columns).where(
                Conversation.id > newest - RECENT_IDS, Conversation.queued_at.is_not(None)
            )
        )
        recent = {
            cid: Open(state, group, agent, seq or 0) for cid, state, group, agent, seq in rows
        }
        return found, {agent_id: bool(online) for agent_id, online in agents}, recent

    @staticmethod
    async def _messages(session: Any, grown: dict[int, int], found: dict[int, Open]) -> list[Event]:
        wanted = or_(
            *(and_(Message.conversation_id == cid, Message.seq > seq) for cid, seq in grown.items())
        )
        rows = await session.execute(
            select(Message.conversation_id, Message.seq, Message.direction)
            .where(wanted)
            .order_by(Message.conversation_id, Message.seq)
        )
        events = []
        for cid, seq, direction in rows:
            data = {"conversation_id": cid, "seq": seq, "direction": direction}
            events.append(Event("message", data, *_who(found[cid])))
        return events
