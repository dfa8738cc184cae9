"""The outbox dispatcher across processes on one SQLite file: restarts, crashes, two at once."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.integration.servers.backend.backend_process import free_port
from tests.unit.servers.desk.flaky_rasa import FlakyRasa, eventually
from tests.unit.servers.desk.outbox_scenarios import (
    agent_conversation,
    dispatcher,
    pending,
    two_dispatchers_never_double_send,
    until_delivered,
)
from zhike.lib.handoff import HandoffDatabase, HandoffOutbox, HandoffService
from zhike.tools.stack import PROJECT_ROOT

DOOMED = textwrap.dedent(
    """
    import asyncio, sys
    from datetime import timedelta
    from zhike.servers.desk.config import DeliverySettings
    from zhike.servers.desk.delivery.dispatcher import OutboxDispatcher
    from zhike.servers.desk.delivery.sink import RasaSink
    from zhike.lib.handoff import HandoffDatabase, HandoffOutbox
    from zhike.servers.desk.delivery.rasa_api import RasaConversations

    async def main(db_url: str, rasa_url: str) -> None:
        sink = RasaSink(RasaConversations(rasa_url, timeout=30))
        settings = DeliverySettings(lease=timedelta(seconds=2), poll_interval=0.05)
        OutboxDispatcher(HandoffOutbox(HandoffDatabase(db_url)), sink, settings).start()
        await asyncio.Event().wait()

    asyncio.run(main(sys.argv[1], sys.argv[2]))
    """
)


@pytest.fixture
async def rasa() -> AsyncIterator[FlakyRasa]:
    server = FlakyRasa(hang_seconds=3.0)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def db_url(tmp_path: Path) -> AsyncIterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'handoff.db'}"
    db = HandoffDatabase(url)
    await db.create_tables()
    await db.dispose()
    yield url


async def test_a_new_dispatcher_delivers_what_a_stopped_one_left(
    db_url: str, rasa: FlakyRasa
) -> None:
    await rasa.down()
    first_db = HandoffDatabase(db_url)
    first = dispatcher(first_db, rasa, "first")
    first.start()
    await agent_conversation(HandoffService(first_db), "u1", "a1", ["一", "二", "三"])
    first.wake()
    await eventually(lambda: first.sink.attempts >= 2)  # refused, refused ...
    await first.stop()
    await first_db.dispose()
    assert rasa.shown == []

    await rasa.up()
    second_db = HandoffDatabase(db_url)
    second = dispatcher(second_db, rasa, "second")
    second.start()
    try:
        await until_delivered(second_db)
    finally:
        await second.stop()
    entries = await HandoffOutbox(second_db).entries(("delivered",))
    await second_db.dispose()
    assert rasa.texts("u1") == ["一", "二", "三"]
    assert max(entry.attempts for entry in entries) >= 3


async def test_a_dispatcher_killed_mid_send_is_followed_without_a_duplicate(
    db_url: str, rasa: FlakyRasa
) -> None:
    db = HandoffDatabase(db_url)
    service = HandoffService(db)
    doomed = subprocess.Popen(
        [sys.executable, "-c", DOOMED, db_url, rasa.url],
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        cid = await agent_conversation(service, "u1", "a1", [])
        await eventually(lambda: len(rasa.requests) == 1, timeout=20)  # the take-over
        rasa.fail(1, "hang")  # the reply reaches the customer, Rasa's answer does not
        await service.append_message(cid, "agent", "只说一次", "m1", agent_id="a1", notify_bot=True)
        await eventually(lambda: rasa.texts("u1") == ["只说一次"], timeout=10)
        doomed.kill()  # dies holding the lease, not knowing whether the reply arrived
    finally:
        doomed.kill()
        doomed.wait(timeout=10)
    [held] = await HandoffOutbox(db).entries(("pending",))
    assert (held.kind, held.attempts) == ("deliver", 1) and held.locked_until is not None

    heir = dispatcher(db, rasa, "heir")
    heir.start()
    try:
        await until_delivered(db)  # once the dead one's lease ran out
    finally:
        await heir.stop()
    [again] = [e for e in await HandoffOutbox(db).entries(("delivered",)) if e.id == held.id]
    await db.dispose()
    assert again.attempts == 2
    assert rasa.texts("u1") == ["只说一次"]  # the heir found it in the tracker
    assert heir.sink.attempts == 1 and len(rasa.marked(held.idempotency_key)) == 1


async def test_two_dispatchers_on_one_sqlite_file_never_double_send(
    db_url: str, rasa: FlakyRasa
) -> None:
    attempts = await two_dispatchers_never_double_send(db_url, rasa)
    assert sum(attempts) >= 8 * 6


async def test_stopping_waits_for_an_attempt_in_flight_then_releases_it(
    db_url: str, rasa: FlakyRasa
) -> None:
    db = HandoffDatabase(db_url)
    await agent_conversation(HandoffService(db), "u1", "a1", [])
    rasa.fail(1, "hang")
    worker = dispatcher(db, rasa, "quitter", stop_grace=0.1)
    worker.sink.rasa.timeout = 10  # the hanging request outlives the grace period
    worker.start()
    await eventually(lambda: len(rasa.requests) == 1)
    started = asyncio.get_running_loop().time()
    await worker.stop()
    assert asyncio.get_running_loop().time() - started < 1.0
    [released] = await HandoffOutbox(db).entries(("pending",))
    assert (released.attempts, released.locked_until) == (1, None)  # due again at once
    await db.dispose()


async def test_the_desk_server_delivers_rows_an_earlier_run_left_and_stops_cleanly(
    db_url: str, rasa: FlakyRasa, tmp_path: Path
) -> None:
    db = HandoffDatabase(db_url)
    await agent_conversation(HandoffService(db), "u1", "a1", ["关机前的回复"])
    await db.dispose()
    port = free_port()
    token = secrets.token_hex(32)
    env = {
        **{k: v for k, v in os.environ.items() if k != "ZHIKE_ENV"},  # production
        "ZHIKE_DESK_RASA_URL": rasa.url,
        "ZHIKE_DESK_RASA_TOKEN": token,
        "ZHIKE_DESK_COOKIE_SECURE": "0",
        "ZHIKE_LOG_LEVEL": "DEBUG",  # httpx logs every request URL
    }
    log = tmp_path / "desk.log"  # a file: a full pipe would block the chatty server
    with log.open("w") as stderr:
        desk = subprocess.Popen(
            [sys.executable, "-m", "zhike.servers.desk", "--port", str(port), "--db-url", db_url],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            await eventually(lambda: rasa.texts("u1") == ["关机前的回复"], timeout=30)
            desk.send_signal(signal.SIGINT)
            desk.wait(timeout=20)
        finally:
            desk.kill()
    errors = log.read_text(encoding="utf-8")
    assert desk.returncode == 0, errors
    assert "Traceback" not in errors
    assert rasa.tokens and set(rasa.tokens) == {token}  # Rasa's --auth-token, on every call
    assert "HTTP Request" in errors and token not in errors  # logged URLs hide it
    db = HandoffDatabase(db_url)
    assert await pending(db) == 0
    await db.dispose()
