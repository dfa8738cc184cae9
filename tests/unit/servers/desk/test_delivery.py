"""Durable delivery to Rasa: the desk's outbox against a real, flaky HTTP server on 127.0.0.1.

The desk app runs with the real :class:`RasaSink`; the server fails requests (503 before
or after doing the work, a refused connection) and the customer must still see every
reply exactly once and in order, the take-over and hand-back must arrive, and the rating
question must be asked once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.unit.servers.desk.conftest import Desk, RunningClock, build_desk, desk_settings, queued
from tests.unit.servers.desk.flaky_rasa import RATING_QUESTION, FlakyRasa
from zhike.lib.handoff import RetryPolicy
from zhike.servers.desk.config import DeliverySettings, DeskSettings
from zhike.servers.desk.delivery.rasa_api import RasaConversations
from zhike.servers.desk.delivery.sink import RasaSink

SENDER = "demo"


def fast_delivery(**overrides: Any) -> DeliverySettings:
    """Retries after 20-40 ms, doubling up to 200 ms; a short wait for the first attempt."""
    retry = overrides.pop(
        "retry",
        RetryPolicy(
            first_delay=timedelta(milliseconds=40),
            max_delay=timedelta(milliseconds=200),
            max_attempts=50,
            max_age=timedelta(minutes=5),
        ),
    )
    values: dict[str, Any] = {
        "retry": retry,
        "first_attempt_wait": 1.0,
        "lease": timedelta(seconds=3),
        "poll_interval": 0.2,
        "stop_grace": 0.5,
    }
    values.update(overrides)
    return DeliverySettings(**values)


@pytest.fixture
async def rasa() -> AsyncIterator[FlakyRasa]:
    server = FlakyRasa(hang_seconds=1.0)
    await server.start()
    yield server
    await server.stop()


async def rasa_desk(tmp_path: Path, rasa: FlakyRasa, **delivery: Any) -> Desk:
    sink = RasaSink(RasaConversations(rasa.url, timeout=0.4))
    settings = desk_settings(tmp_path, delivery=fast_delivery(**delivery))
    return await build_desk(settings, sink=sink, clock=RunningClock())


@pytest.fixture
async def desk(tmp_path: Path, rasa: FlakyRasa) -> AsyncIterator[Desk]:
    built = await rasa_desk(tmp_path, rasa)
    yield built
    await built.context.close()


async def accepted(desk: Desk) -> tuple[int, Any]:
    cid = await queued(desk)
    agent = await desk.login("wangfang")
    response = await desk.call("POST", f"/conversations/{cid}/accept", agent)
    assert response.status == 200
    return cid, agent


async def reply(desk: Desk, cid: int, agent: Any, text: str) -> Any:
    response = await desk.call("POST", f"/conversations/{cid}/messages", agent, body={"text": text})
    assert response.status == 201, response.text
    return response.json["delivered"]


async def settled(desk: Desk) -> None:
    """Waits until nothing is pending in the outbox."""
    outbox = desk.context.outbox
    for _ in range(250):
        if (await outbox.counts())["pending"] == 0:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the outbox still has pending rows")


async def test_replies_arrive_once_and_in_order_through_failures(
    desk: Desk, rasa: FlakyRasa
) -> None:
    cid, agent = await accepted(desk)
    assert await reply(desk, cid, agent, "第一句") is True  # the normal path: at once

    rasa.fail(3)  # 503s without doing anything
    outcomes = [await reply(desk, cid, agent, text) for text in ("第二句", "第三句", "第四句")]
    assert outcomes == [False, False, False]  # stored; the later two wait for the first
    await settled(desk)
    assert rasa.texts(SENDER) == ["第一句", "第二句", "第三句", "第四句"]

    rasa.fail(2, "apply")  # Rasa sends it, then the answer is lost; the retry's read fails
    assert await reply(desk, cid, agent, "第五句") is False
    await settled(desk)
    assert rasa.texts(SENDER)[4:] == ["第五句"]  # the retry found it in the tracker

    rasa.fail(1, "hang")  # sent, but no answer before the client's timeout
    assert await reply(desk, cid, agent, "第六句") is False
    await settled(desk)

    await rasa.down()  # connection refused
    assert await reply(desk, cid, agent, "第七句") is False
    assert await reply(desk, cid, agent, "第八句") is False
    await rasa.up()
    await settled(desk)

    expected = ["第一句", "第二句", "第三句", "第四句", "第五句", "第六句", "第七句", "第八句"]
    assert rasa.texts(SENDER) == expected
    bots = [e for e in rasa.events[SENDER] if e["event"] == "bot"]
    assert all(e["metadata"]["agent_id"] == "a1" for e in bots)
    assert len({e["metadata"]["zhike_outbox_key"] for e in bots}) == len(expected)
    delivered = await desk.context.outbox.entries(("delivered",))
    assert sorted(e.message_seq or 0 for e in delivered if e.kind == "deliver") == list(
        range(2, 10)
    )


async def test_take_over_and_hand_back_arrive_once(desk: Desk, rasa: FlakyRasa) -> None:
    cid = await queued(desk)
    agent = await desk.login("wangfang")
    rasa.fail(1, "apply")
    accepted = await desk.call("POST", f"/conversations/{cid}/accept", agent)
    assert (accepted.status, accepted.json["bot_notified"]) == (200, False)
    await settled(desk)
    slots = [e for e in rasa.events[SENDER] if e["event"] == "slot"]
    assert {e["value"] for e in slots} == {"agent"}  # set twice: harmless

    await reply(desk, cid, agent, "问题已处理")
    rasa.fail(1, "apply", path="/execute")  # the rating question goes out, its answer is lost
    closed = await desk.call(
        "POST", f"/conversations/{cid}/close", agent, body={"disposition": "resolved"}
    )
    assert (closed.status, closed.json["bot_notified"]) == (200, False)
    await settled(desk)
    assert rasa.texts(SENDER) == ["问题已处理", RATING_QUESTION]  # asked once
    events = rasa.events[SENDER]
    cleared = [e for e in events if e["event"] == "slot" and e["value"] is None]
    listens = [e for e in events if e.get("name") == "action_listen"]
    assert len(cleared) == 1 and len(listens) == 1
    assert events.index(cleared[0]) < events.index(listens[0])

    # a hand-back whose slot event arrived but whose rating request was refused
    cid2 = await queued(desk, sender="second")
    await desk.call("POST", f"/conversations/{cid2}/accept", agent)
    rasa.fail(1, "reject", path="/execute")
    closed = await desk.call(
        "POST", f"/conversations/{cid2}/close", agent, body={"disposition": "resolved"}
    )
    assert closed.json["bot_notified"] is False
    await settled(desk)
    assert rasa.texts("second") == [RATING_QUESTION]
    assert [e["value"] for e in rasa.events["second"] if e["event"] == "slot"] == ["agent", None]


async def test_a_notification_that_never_arrives_ends_dead_for_a_supervisor_to_see(
    tmp_path: Path, rasa: FlakyRasa, caplog: pytest.LogCaptureFixture
) -> None:
    desk = await rasa_desk(
        tmp_path,
        rasa,
        retry=RetryPolicy(
            first_delay=timedelta(milliseconds=20),
            max_delay=timedelta(milliseconds=40),
            max_attempts=3,
            max_age=timedelta(minutes=5),
        ),
    )
    try:
        cid, agent = await accepted(desk)
        rasa.fail(100, path=f"/conversations/{SENDER}/")
        with caplog.at_level(logging.ERROR, logger="zhike.servers.desk.delivery.dispatcher"):
            assert await reply(desk, cid, agent, "机密：订单退款") is False
            await settled(desk)
        assert (
            "Gave up outbox row" in caplog.text
            and "(deliver" in caplog.text
            and "机密" not in caplog.text
        )

        boss = await desk.login("boss")
        dead = await desk.call("GET", "/supervisor/deliveries?state=dead", boss)
        assert dead.status == 200
        [entry] = dead.json["deliveries"]
        assert (entry["conversation_id"], entry["kind"], entry["message_seq"]) == (
            cid,
            "deliver",
            2,
        )
        assert (entry["state"], entry["attempts"]) == ("dead", 3)
        assert entry["last_error"] == "Rasa server answered HTTP 503"
        assert entry["dead_at"] is not None and "机密" not in dead.text
        assert dead.json["counts"] == {"pending": 0, "dead": 1}
        assert (await desk.call("GET", "/supervisor/deliveries", boss)).json["deliveries"] == [
            entry
        ]
        everything = await desk.call("GET", "/supervisor/deliveries?state=delivered", boss)
        assert [e["kind"] for e in everything.json["deliveries"]] == ["taken_over"]

        # the dead row no longer holds back the conversation's later notifications
        rasa.failures.clear()
        assert await reply(desk, cid, agent, "抱歉久等") is True
        assert rasa.texts(SENDER) == ["抱歉久等"]

        refused = await desk.call("GET", "/supervisor/deliveries", agent)
        assert (refused.status, refused.json["error"]) == (403, "supervisor_only")
        bad = await desk.call("GET", "/supervisor/deliveries?state=lost", boss)
        assert (bad.status, bad.json["error"]) == (400, "invalid_state")
    finally:
        await desk.context.close()


async def test_a_reply_stored_while_the_desk_was_stopped_goes_out_when_it_starts(
    tmp_path: Path, rasa: FlakyRasa
) -> None:
    desk = await rasa_desk(tmp_path, rasa)
    try:
        cid, agent = await accepted(desk)
        await desk.context.dispatcher.stop()  # e.g. the process died right after the commit
        assert await reply(desk, cid, agent, "重启前写的") is False
        assert rasa.texts(SENDER) == []
        desk.context.start()
        await settled(desk)
        assert rasa.texts(SENDER) == ["重启前写的"]
    finally:
        await desk.context.close()


def test_delivery_settings_come_from_the_environment() -> None:
    settings = DeskSettings.from_env(
        {
            "ZHIKE_DESK_DELIVERY_MAX_ATTEMPTS": "5",
            "ZHIKE_DESK_DELIVERY_MAX_AGE_MINUTES": "10",
            "ZHIKE_DESK_DELIVERY_RETRY_SECONDS": "0.5",
            "ZHIKE_DESK_DELIVERY_MAX_RETRY_SECONDS": "30",
        }
    )
    assert settings.delivery.retry == RetryPolicy(
        first_delay=timedelta(seconds=0.5),
        max_delay=timedelta(seconds=30),
        max_attempts=5,
        max_age=timedelta(minutes=10),
    )
    assert DeskSettings.from_env({}).delivery == DeliverySettings()
    for name, value in (
        ("ZHIKE_DESK_DELIVERY_MAX_ATTEMPTS", "0"),
        ("ZHIKE_DESK_DELIVERY_RETRY_SECONDS", "soon"),
        ("ZHIKE_DESK_DELIVERY_MAX_RETRY_SECONDS", "0.1"),  # shorter than the first retry
    ):
        with pytest.raises(ValueError):
            DeskSettings.from_env({name: value})
