"""The background inspection job on SQLite, with real analytics rows.

The analytics rows are made as in production: Rasa-shaped events through
:func:`zhike.analytics.ingest.apply_events`, and the desk's handoff episodes through the
consumer's handoff sync (:mod:`zhike.analytics.handoffs`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.unit.analytics.conftest import T0, Script, settings
from zhike.analytics import handoffs
from zhike.analytics.db import AnalyticsDatabase
from zhike.analytics.ingest import apply_events
from zhike.lib.handoff import HandoffDatabase, HandoffService
from zhike.lib.handoff.models import Conversation
from zhike.lib.qa.jobs import LEASE_SECONDS, LINK_GRACE, InspectionJob
from zhike.lib.qa.service import QaService
from zhike.lib.qa.store import QaDatabase


class Clock:
    def __init__(self) -> None:
        self.now = T0 + timedelta(minutes=2)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    url: str
    clock: Clock
    handoff_db: HandoffDatabase
    handoff: HandoffService
    analytics: AnalyticsDatabase
    opened: list[Any]

    def replica(self, name: str, wall: Any = None) -> InspectionJob:
        """Another desk replica: its own engines on the same databases."""
        db = HandoffDatabase(self.url)
        self.opened.append(db)
        qa = QaService(QaDatabase.sharing(db), HandoffService(db, clock=self.clock),
                       self.clock, self.analytics)  # fmt: skip
        return InspectionJob(qa, name, **({"wall": wall} if wall else {}))

    async def events(self, *scripts: Script) -> None:
        found = [event for script in scripts for event in script.events]
        await self.analytics.run(lambda session: apply_events(session, found))

    async def sync(self) -> None:
        """The consumer's handoff sync: episodes, agent replies and ratings."""
        async with self.handoff_db.session() as source:
            episodes, messages, names = await handoffs.read_changes(source, None, [])
        options = settings(self.analytics.url)
        await self.analytics.run(
            lambda db: handoffs.apply_changes(db, episodes, messages, names, options)
        )


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'desk.db'}"
    clock = Clock()
    handoff_db = HandoffDatabase(url)
    await handoff_db.create_tables()
    handoff = HandoffService(handoff_db, clock=clock)
    await handoff.save_agent("a1", "王芳", ["orders"], online=True)
    analytics = AnalyticsDatabase(f"sqlite+aiosqlite:///{tmp_path / 'analytics.db'}")
    await analytics.create_tables()
    found = World(url, clock, handoff_db, handoff, analytics, [])
    yield found
    for db in found.opened:
        await db.dispose()
    await analytics.dispose()
    await handoff_db.dispose()


async def served(world: World, sender: str, start: datetime, rude_bot: bool = False) -> int:
    """The bot's part (events), then an agent's part (desk), closed 40 s after the handoff."""
    bot = Script(sender, start=start).session().user("我的快递怎么还没到", "query_order")
    bot.bot("有问题可以加我微信" if rude_bot else "请提供订单号", "utter_ask_order")
    bot.user("等了一个星期了，太慢了，非常失望", "complain").bot(
        "正在为您转接人工", "utter_handoff"
    )
    await world.events(bot)
    at = bot.now + timedelta(seconds=1)
    h = world.handoff
    cid = (await h.request_handoff(sender, "rest", "C9", "orders", {}, now=at)).conversation_id
    await h.accept("a1", cid, now=at + timedelta(seconds=5))
    user = Script(sender, start=at + timedelta(seconds=8)).user("人呢", "chitchat")
    await world.events(user)
    await h.append_message(
        cid, "agent", "您好，很高兴为您服务，已催促快递，感谢您的耐心", f"{sender}-a",
        {"agent_id": "a1"}, now=at + timedelta(seconds=20), agent_id="a1",
    )  # fmt: skip
    await h.close(cid, "a1", "resolved", now=at + timedelta(seconds=40))
    return int(cid)


def bot_only(sender: str, start: datetime) -> Script:
    """A customer the bot did not understand three times, who then swears."""
    script = Script(sender, start=start).session().user("你好", "greet").bot("您好", "utter_greet")
    script.fallback("啊啊啊").fallback("听不懂吗").fallback("垃圾机器人")
    return script.user("傻逼，手机13912345678", "chitchat").bot("请文明用语", "utter_x")


async def test_a_handed_off_conversation_is_inspected_whole_once_linked(world: World) -> None:
    job = world.replica("r1")
    cid = await served(world, "s1", T0, rude_bot=True)
    world.clock.now = T0 + timedelta(minutes=1)
    assert (await job.round()).inspected == 0  # the consumer has not tied it to a session yet
    await world.sync()
    result = await job.round()
    assert result.inspected == 1 and result.customers == {"C9"}
    record = (await job.qa.records(None, None, None))[0]
    assert record["conversation_id"] == cid and record["with_agent"] is True
    assert record["channel"] == "rest" and record["session_key"]
    whos = [line["who"] for line in record["excerpt"]]
    assert whos == ["user", "bot", "user", "bot", "user", "agent"]  # bot turns included
    assert record["rules"] == ["bot_sensitive_word"]  # the agent greeted and thanked
    bot_line = record["excerpt"][1]
    assert (
        bot_line["rules"] == ["bot_sensitive_word"] and bot_line["marks"][0]["category"] == "引流"
    )
    assert (await job.round()).inspected == 0  # once


async def test_without_the_consumer_the_desk_part_is_inspected_after_the_grace(
    world: World,
) -> None:
    job = world.replica("r1")
    cid = await served(world, "s1", T0)
    world.clock.now = T0 + timedelta(minutes=1)
    await world.handoff.rate(cid, 1, now=world.clock.now)
    assert (await job.round()).inspected == 0
    world.clock.now += LINK_GRACE
    assert (await job.round()).inspected == 1
    [record] = await job.qa.records(None, None, None)
    assert record["rules"] == ["low_rating"] and record["session_key"] is None
    assert [line["who"] for line in record["excerpt"]] == ["agent"]  # only the desk's part


async def test_a_bot_only_conversation_is_inspected_when_it_ended(world: World) -> None:
    job = world.replica("r1")
    await world.events(bot_only("b1", T0))
    world.clock.now = T0 + timedelta(minutes=5)
    assert (await job.round()).inspected == 0  # still going: not idle, not superseded
    world.clock.now = T0 + timedelta(minutes=31)
    result = await job.round()
    assert result.inspected == 1 and result.flagged == 1
    [record] = await job.qa.records(None, None, None)
    assert record["conversation_id"] < 0 and record["with_agent"] is False
    assert record["agent_id"] is None and record["channel"] == "rest"
    assert record["rules"] == ["customer_abuse", "repeated_fallback"]
    swore = next(line for line in record["excerpt"] if "customer_abuse" in line["rules"])
    assert swore["text"] == "**，手机139****5678"  # masked: the word and the phone number
    assert (await job.round()).inspected == 0

    await world.handoff.rate_latest("b1", "rest", None, 1, now=world.clock.now)
    await world.sync()  # the bot-only rating reaches the session
    assert (await job.round()).inspected == 1
    again = await job.qa.record(record["id"])
    assert "low_rating" in again["rules"] and again["id"] == record["id"]


async def test_two_replicas_at_once_inspect_each_conversation_exactly_once(
    world: World,
) -> None:
    seen: list[int] = []
    jobs = [world.replica("r1"), world.replica("r2")]
    for job in jobs:
        inspect, inspect_session = job.qa.inspect, job.qa.inspect_session

        async def counted(cid: int, inspect: Any = inspect) -> Any:
            seen.append(cid)
            await asyncio.sleep(0.01)  # a slow inspection: the other replica comes by
            return await inspect(cid)

        async def counted_session(found: Any, inspect_session: Any = inspect_session) -> Any:
            seen.append(-found.id)
            return await inspect_session(found)

        job.qa.inspect, job.qa.inspect_session = counted, counted_session  # type: ignore[method-assign,assignment]
    expected: set[int] = set()
    for n in range(4):
        expected.add(await served(world, f"s{n}", T0 + timedelta(minutes=n)))
        await world.events(bot_only(f"b{n}", T0 + timedelta(minutes=n)))
    await world.sync()
    world.clock.now = T0 + timedelta(hours=1)
    for _ in range(3):
        results = await asyncio.gather(*(job.round() for job in jobs))
        assert sum(result.held for result in results) == 1  # the other one stands by
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 8
    assert expected <= set(seen)
    for job in jobs:
        await job.release()  # a rolling restart: either may take over
    more = await served(world, "late", T0 + timedelta(minutes=50))
    await world.sync()
    for _ in range(3):
        results = await asyncio.gather(*(job.round() for job in jobs))
        assert sum(result.held for result in results) == 1
    assert seen.count(more) == 1 and len(seen) == 9


async def test_the_lease_stands_by_and_expires(world: World) -> None:
    wall = [1000.0]
    first, second = (world.replica(name, wall=lambda: wall[0]) for name in ("r1", "r2"))
    assert (await first.round()).held
    assert not (await second.round()).held  # the first one holds it
    wall[0] += LEASE_SECONDS + 1  # the first replica stopped without giving it back
    assert (await second.round()).held
    assert not await first.renew()
    await second.release()
    assert (await first.round()).held


async def test_a_session_still_going_is_not_skipped_after_the_job_was_down(world: World) -> None:
    job = world.replica("r1")
    going = bot_only("b1", T0)  # ends at about T0 + 20 s, by silence only
    first = Script("b2", start=T0 + timedelta(minutes=5)).session().user("在吗", "greet")
    second = Script("b2", start=T0 + timedelta(minutes=10)).session().user("你好", "greet")
    await world.events(going, first, second)  # b2's first session ended: a newer one began
    world.clock.now = T0 + timedelta(minutes=11)
    assert (await job.round()).inspected == 1  # b2's first session; b1 may still write
    world.clock.now = T0 + timedelta(hours=3)  # every replica was down meanwhile
    result = await job.round()
    assert result.inspected == 2  # b1, and b2's second session, both silent long enough


async def test_a_second_handoff_in_one_session_reads_from_the_first_ones_close(
    world: World,
) -> None:
    h, sender = world.handoff, "twice"
    chat = Script(sender, start=T0).session().user("第一个问题", "query_order")
    await world.events(chat)
    at = chat.now + timedelta(seconds=1)
    first = (await h.request_handoff(sender, "rest", None, "orders", {}, now=at)).conversation_id
    await h.accept("a1", first, now=at + timedelta(seconds=1))
    await h.append_message(first, "agent", "您好，第一次，感谢", "t-1", {"agent_id": "a1"},
                           now=at + timedelta(seconds=2), agent_id="a1")  # fmt: skip
    await h.close(first, "a1", "resolved", now=at + timedelta(seconds=3))
    later = Script(sender, start=at + timedelta(minutes=2)).user("第二个问题", "query_order")
    later.bot("正在为您转接人工", "utter_handoff")
    await world.events(later)
    at2 = later.now + timedelta(seconds=1)
    second = (await h.request_handoff(sender, "rest", None, "orders", {}, now=at2)).conversation_id
    await h.accept("a1", second, now=at2 + timedelta(seconds=1))
    await h.append_message(second, "agent", "您好，第二次，感谢", "t-2", {"agent_id": "a1"},
                           now=at2 + timedelta(seconds=2), agent_id="a1")  # fmt: skip
    await h.close(second, "a1", "resolved", now=at2 + timedelta(seconds=3))
    await h.rate(second, 1, now=at2 + timedelta(seconds=9))  # flagged: in the queue
    await h.rate(first, 1, now=at2 + timedelta(seconds=9))
    await world.sync()
    world.clock.now = at2 + timedelta(minutes=1)
    assert (await world.replica("r1").round()).inspected == 2
    qa = world.replica("reader").qa
    texts = {r["conversation_id"]: [line["text"] for line in r["excerpt"]]
             for r in await qa.records(None, None, None)}  # fmt: skip
    assert texts[first] == ["第一个问题", "您好，第一次，感谢"]
    assert texts[second] == ["第二个问题", "正在为您转接人工", "您好，第二次，感谢"]


async def test_a_close_committed_after_a_later_round_is_still_inspected(world: World) -> None:
    job = world.replica("r1")
    first = await served(world, "s1", T0)
    async with world.handoff_db.session() as session:
        closed = (await session.get(Conversation, first)).closed_at
    world.clock.now = closed + timedelta(seconds=5)
    await world.sync()
    assert (await job.round()).inspected == 1
    # stamped 20 s before the first close, committed only after that round
    await served(world, "s2", T0 - timedelta(seconds=20))
    await world.sync()
    world.clock.now = closed + timedelta(seconds=10)
    assert (await job.round()).inspected == 1
