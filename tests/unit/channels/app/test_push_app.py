"""The app channel's durable push: journaled where ZHIKE_APP_PUSH_DB_URL says, resumed at start."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from zhike.channels.app.channel import AppInput, AppPushOutputChannel
from zhike.channels.app.push_store import DELIVERED

from .push_helpers import SECRET, Receiver, Stuck, answer, delivery, pusher, serve_receiver, states


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with serve_receiver() as state:
        yield state


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'app_push.db'}"


async def test_the_app_channel_resumes_pushes_at_server_start_and_journals_new_ones(
    receiver: Receiver, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver.rule = lambda payload: answer(503 if len(receiver.requests) == 0 else 200)
    stuck = Stuck()
    old = pusher(receiver.url, db_url, sleep=stuck, base_delay=0.1)  # the retry is due soon
    left = await old.submit(delivery("停机前的消息"))
    await asyncio.wait_for(stuck.waiting.wait(), 5)
    await old.aclose()

    monkeypatch.setenv("ZHIKE_APP_PUSH_URL", receiver.url)
    monkeypatch.setenv("ZHIKE_APP_PUSH_SECRET", SECRET)
    monkeypatch.setenv("ZHIKE_APP_PUSH_DB_URL", db_url)
    channel = AppInput.from_credentials({})
    blueprint = channel.blueprint(_no_messages)
    listeners = {future.event: future.listener for future in blueprint._future_listeners}
    await listeners["after_server_start"](None, None)
    output = channel.get_output_channel()
    assert isinstance(output, AppPushOutputChannel)
    await output.send_text_message("app:C001", "重启后的消息")
    await output.delivery.drain(timeout=5)
    await listeners["after_server_stop"](None, None)

    assert receiver.texts("C001") == ["停机前的消息", "重启后的消息"]
    assert receiver.accepted[0]["delivery_id"] == left
    assert set((await states(db_url)).values()) == {DELIVERED}


async def test_memory_turns_the_journal_off(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ZHIKE_APP_PUSH_URL", receiver.url)
    monkeypatch.setenv("ZHIKE_APP_PUSH_SECRET", SECRET)
    monkeypatch.setenv("ZHIKE_APP_PUSH_DB_URL", "memory")
    with caplog.at_level(logging.WARNING):
        output = AppInput.from_credentials({}).get_output_channel()
    assert isinstance(output, AppPushOutputChannel)
    assert "memory only" in caplog.text
    await output.send_text_message("app:C001", "不落盘")
    await output.delivery.drain(timeout=5)
    await output.delivery.aclose()
    assert receiver.texts("C001") == ["不落盘"]


async def _no_messages(message: Any) -> None:
    raise AssertionError("no message expected")
