"""The live stream ``GET /events``: who gets which event, heartbeats, and several replicas."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx

from zhike.servers.desk import create_app
from zhike.servers.desk.api_session import SESSION_COOKIE
from zhike.servers.desk.events import _next
from zhike.servers.desk.events_hub import QUEUE_LIMIT, Event, EventHub, Open, Viewer, changes

from .conftest import API, Desk, queued
from .served import Served, served


class Stream:
    """The events a client read from one open ``/events`` stream."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self.comments: list[str] = []
        self.headers: dict[str, str] = {}
        self.status = 0

    def kinds(self, kind: str) -> list[Any]:
        return [data for name, data in self.events if name == kind]

    async def wait_for(self, check: Any, seconds: float = 5) -> None:
        for _ in range(int(seconds * 20)):
            if check():
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"not seen in {seconds}s: {self.events} {self.comments}")


async def _read(client: httpx.AsyncClient, url: str, cookie: str, stream: Stream) -> None:
    headers = {"cookie": f"{SESSION_COOKIE}={cookie}", "accept": "text/event-stream"}
    async with client.stream("GET", url + API + "/events", headers=headers) as response:
        stream.status, stream.headers = response.status_code, dict(response.headers)
        kind = None
        async for raw in response.aiter_lines():
            line = raw.rstrip("\r\n")
            if line.startswith(":"):
                stream.comments.append(line)
            elif line.startswith("event: "):
                kind = line[len("event: ") :]
            elif line.startswith("data: "):
                stream.events.append((kind or "message", json.loads(line[len("data: ") :])))


@asynccontextmanager
async def listening(site: Served, user: str) -> AsyncIterator[Stream]:
    """An open stream of ``user`` (logged in on ``site``) until the block ends."""
    stream = Stream()
    async with httpx.AsyncClient(timeout=30) as client:
        task = asyncio.create_task(_read(client, site.url, site.cookies[user][0], stream))
        try:
            await stream.wait_for(lambda: stream.kinds("ready"))
            yield stream
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


def fast(desk: Desk, heartbeat: float = 15.0) -> None:
    desk.app.ctx.desk_events_interval = 0.1
    desk.app.ctx.desk_events_heartbeat = heartbeat


async def test_agents_get_their_groups_events_and_supervisors_all(desk: Desk) -> None:
    fast(desk)
    async with served(desk) as site:
        for user in ("wangfang", "liuyang", "boss"):
            assert (await site.login(user)).status == 200
        async with (
            listening(site, "wangfang") as orders,
            listening(site, "liuyang") as courses,
            listening(site, "boss") as boss,
        ):
            assert orders.status == 200
            assert orders.headers["content-type"].startswith("text/event-stream")
            assert orders.headers["cache-control"] == "no-store"
            cid = await queued(desk, "s-orders", "orders")
            await orders.wait_for(lambda: orders.kinds("inbox"))
            assert orders.kinds("inbox")[0] == {
                "conversation_id": cid,
                "change": "queued",
                "state": "queued",
                "skill_group": "orders",
            }
            await boss.wait_for(lambda: boss.kinds("inbox"))
            await desk.handoff.route_user_message("s-orders", "rest", "还在吗 13812345678", "k2")
            await orders.wait_for(lambda: orders.kinds("message"))
            message = orders.kinds("message")[-1]
            assert message == {"conversation_id": cid, "seq": message["seq"], "direction": "user"}
            assert "138" not in json.dumps(orders.events)  # no text, no personal data
            await desk.handoff.accept("a1", cid)
            await orders.wait_for(lambda: len(orders.kinds("inbox")) == 2)
            assert orders.kinds("inbox")[1]["change"] == "accepted"
            await desk.handoff.transfer(cid, "courses", "a1")
            await courses.wait_for(lambda: courses.kinds("inbox"))
            assert courses.kinds("inbox")[0]["change"] == "transferred"
            await orders.wait_for(lambda: len(orders.kinds("inbox")) == 3)  # it was theirs
            await desk.handoff.close(cid, None, "user_left")
            await courses.wait_for(lambda: len(courses.kinds("inbox")) == 2)
            assert courses.kinds("inbox")[1]["change"] == "closed"
            await boss.wait_for(lambda: len(boss.kinds("inbox")) == 4)
            assert not courses.kinds("message")  # the message came before it was theirs
            await desk.handoff.set_online("a2", False)
            await boss.wait_for(lambda: boss.kinds("agent"))
            assert boss.kinds("agent") == [{"agent_id": "a2", "online": False}]
            await courses.wait_for(lambda: courses.kinds("agent"))  # their own status
            assert not orders.kinds("agent")


async def test_the_stream_needs_a_session_and_beats_every_few_seconds(desk: Desk) -> None:
    fast(desk, heartbeat=0.3)
    async with served(desk) as site:
        answer = await site.request("GET", "/events")
        assert answer.status == 401
        await site.login("wangfang")
        async with listening(site, "wangfang") as stream:
            await stream.wait_for(lambda: len(stream.comments) >= 2, seconds=3)
            assert stream.comments[0] == ": heartbeat"
            await site.request("POST", "/logout", user="wangfang")
            await stream.wait_for(lambda: stream.kinds("logout"), seconds=3)


async def test_a_change_made_anywhere_reaches_every_replica(desk: Desk) -> None:
    """Two desk apps on one database: each streams what happened through the other."""
    fast(desk)
    settings = replace(desk.context.settings, app_name=f"{desk.app.name}_replica")
    other = create_app(settings, context=desk.context)
    other.ctx.desk_events_interval = 0.1
    replica = Desk(other, desk.context, desk.clock, desk.sink)
    async with served(desk) as first, served(replica) as second:
        await first.login("wangfang")
        await second.login("chenjing")
        async with listening(first, "wangfang") as one, listening(second, "chenjing") as two:
            cid = await queued(desk, "s-replica", "orders")
            await one.wait_for(lambda: one.kinds("inbox"))
            await two.wait_for(lambda: two.kinds("inbox"))
            answer = await second.request("POST", f"/conversations/{cid}/accept", user="chenjing")
            assert answer.status == 200
            await one.wait_for(lambda: len(one.kinds("inbox")) == 2)
            assert one.kinds("inbox")[1]["change"] == "accepted"


async def test_a_page_that_falls_behind_is_told_to_read_everything_again() -> None:
    viewer = Viewer("a1", False, frozenset({"orders"}))
    mine = Event("inbox", {"conversation_id": 1}, frozenset({"orders"}), frozenset())
    theirs = Event("inbox", {"conversation_id": 2}, frozenset({"courses"}), frozenset())
    viewer.offer(theirs)
    assert viewer.queue.empty()  # another group's
    for _ in range(QUEUE_LIMIT + 1):
        viewer.offer(mine)
    assert await _next(viewer, 0.1) == "resync"
    assert viewer.queue.empty() and not viewer.overflowed
    assert await _next(viewer, 0.05) == "heartbeat"


async def test_an_episode_queued_and_left_between_two_polls_still_closes_on_the_page(
    desk: Desk,
) -> None:
    """取消排队 right after 转人工: no poll saw it open, yet a page may have listed it."""
    hub = EventHub(desk.handoff)
    orders, courses = (
        Viewer("a1", False, frozenset({"orders"})),
        Viewer("a2", False, frozenset({"courses"})),
    )
    hub.viewers.update({orders, courses})
    assert await hub.poll_once() == []  # the baseline
    brief = await queued(desk, "s-brief", "orders")
    await desk.handoff.route_user_message(
        "s-brief", "rest", "算了不等了", "s-brief-2", leave_queue=True
    )
    closed = {"change": "closed", "state": "closed", "skill_group": "orders"}
    events = await hub.poll_once()
    assert [(e.kind, e.data) for e in events] == [("inbox", {"conversation_id": brief, **closed})]
    assert orders.queue.qsize() == 1 and courses.queue.empty()
    assert await hub.poll_once() == []  # said once

    seen = await queued(desk, "s-seen", "orders")
    assert [e.data["change"] for e in await hub.poll_once()] == ["queued"]
    await desk.handoff.close(seen, None, "user_left")
    events = await hub.poll_once()
    assert [(e.kind, e.data) for e in events] == [("inbox", {"conversation_id": seen, **closed})]


def test_a_live_conversation_given_to_another_agent_reaches_both_agents() -> None:
    """转派 within a group: the new agent's page lists it, the old one's drops it."""
    before = {7: Open("agent", "orders", "a1", 3)}
    after = {7: Open("agent", "orders", "a2", 3)}
    events, grown = changes(before, after)
    [event] = events
    assert event.data["change"] == "reassigned" and event.agents == frozenset({"a1", "a2"})
    assert grown == {} and changes(after, after) == ([], {})
