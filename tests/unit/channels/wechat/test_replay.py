"""Replayed callbacks: a captured signed URL cannot carry another body, on any replica.

Two "replicas" are two channel objects, each served by its own real Sanic server on
loopback, sharing one replay database (SQLite file) as two Rasa processes would share
PostgreSQL.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from rasa.core.channels.channel import InputChannel, register
from sanic import Sanic

from tests.unit.channels.wechat.conftest import FakeAgent
from tests.unit.channels.wechat.helpers import (
    AES_KEY,
    AGENTID,
    APPID,
    CORPID,
    IDENTITY_SECRET,
    NOW,
    OPENID,
    TOKEN,
    USERID,
    decrypt_reply,
    encrypted_body,
    fresh_nonce,
    message_xml,
    plain_args,
)
from zhike.channels.wechat.crypto import MessageCrypt
from zhike.channels.wechat.mp import WeChatInput
from zhike.channels.wechat.replay import (
    CONFLICT,
    FIRST,
    REPEAT,
    REPLAY_WINDOW,
    ReplayGuard,
    ReplayStore,
)
from zhike.channels.wechat.wecom import WeComInput
from zhike.tools.stack import free_port

MP_WEBHOOK = "/webhooks/wechat/webhook"
WECOM_WEBHOOK = "/webhooks/wecom/webhook"
FORGED_OPENID = "oFORGEDoFORGEDoFORGEDoFORGED"


def mp_channel(mode: str = "plaintext", **kwargs: Any) -> WeChatInput:
    args: dict[str, Any] = {
        "token": TOKEN,
        "appid": APPID,
        "encoding_aes_key": AES_KEY if mode != "plaintext" else None,
        "identity_secret": IDENTITY_SECRET,
        "mode": mode,
        "reply_budget": 2.0,
        "clock": lambda: NOW,
    }
    return WeChatInput(**{**args, **kwargs})


def wecom_channel(**kwargs: Any) -> WeComInput:
    args: dict[str, Any] = {
        "token": TOKEN,
        "encoding_aes_key": AES_KEY,
        "corpid": CORPID,
        "agentid": AGENTID,
        "identity_secret": IDENTITY_SECRET,
        "reply_budget": 2.0,
        "clock": lambda: NOW,
    }
    return WeComInput(**{**args, **kwargs})


@asynccontextmanager
async def served(channel: InputChannel, agent: FakeAgent) -> AsyncIterator[httpx.AsyncClient]:
    """The channel behind a real Sanic server on a free loopback port."""
    app = Sanic(f"zhike_replay_test_{uuid.uuid4().hex}")
    register([channel], app, route="/webhooks/")
    app.ctx.agent = agent
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    await server.start_serving()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            yield client
    finally:
        server.close()
        await server.wait_closed()


async def test_a_captured_plaintext_url_cannot_carry_a_forged_sender() -> None:
    agent = FakeAgent()
    args = plain_args(nonce=fresh_nonce())
    genuine = message_xml(Content="查一下我的订单", msg_id="101")
    forged = message_xml(Content="把我的手机号改成13900139000", user=FORGED_OPENID, msg_id="102")
    async with served(mp_channel(), agent) as client:
        first = await client.post(MP_WEBHOOK, params=args, content=genuine.encode())
        replay = await client.post(MP_WEBHOOK, params=args, content=forged.encode())
    assert first.status_code == 200
    assert replay.status_code == 403 and replay.json() == {"error": "replayed"}
    assert [m.sender_id for m in agent.messages] == [f"wechat:{OPENID}"]


async def test_the_same_signed_request_again_is_a_retry_answered_alike() -> None:
    agent = FakeAgent()
    args = plain_args(nonce=fresh_nonce())
    body = message_xml(Content="你好", msg_id="201").encode()
    async with served(mp_channel(), agent) as client:
        first = await client.post(MP_WEBHOOK, params=args, content=body)
        retry = await client.post(MP_WEBHOOK, params=args, content=body)
    assert first.status_code == retry.status_code == 200
    assert retry.text == first.text and "收到：你好" in first.text
    assert agent.texts_received == ["你好"]


async def test_replicas_share_the_replay_cache(tmp_path: Path) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'shared-replay.db'}"
    agent_a, agent_b = FakeAgent(), FakeAgent()
    args = plain_args(nonce=fresh_nonce())
    genuine = message_xml(Content="查一下物流", msg_id="301").encode()
    forged = message_xml(Content="退款到我的卡上", user=FORGED_OPENID, msg_id="302").encode()
    async with served(mp_channel(replay_db_url=db_url), agent_a) as replica_a:
        async with served(mp_channel(replay_db_url=db_url), agent_b) as replica_b:
            assert (await replica_a.post(MP_WEBHOOK, params=args, content=genuine)).is_success
            forgery = await replica_b.post(MP_WEBHOOK, params=args, content=forged)
            retry = await replica_b.post(MP_WEBHOOK, params=args, content=genuine)
            # WeChat's retry with a new nonce (same MsgId) reaching the other replica
            renewed = plain_args(nonce=fresh_nonce())
            retry_new_nonce = await replica_b.post(MP_WEBHOOK, params=renewed, content=genuine)
    assert forgery.status_code == 403
    assert retry.status_code == 200 and retry.text == "success"
    assert retry_new_nonce.status_code == 200 and retry_new_nonce.text == "success"
    assert agent_a.texts_received == ["查一下物流"]
    assert agent_b.messages == []


async def test_safe_mode_replay_to_another_replica_is_not_handled_twice(tmp_path: Path) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'shared-replay.db'}"
    crypt = MessageCrypt(TOKEN, AES_KEY, APPID)
    nonce = fresh_nonce()
    body, msg_signature = encrypted_body(
        message_xml(Content="退款多久到账", msg_id="401"), crypt, APPID, nonce=nonce
    )
    args = {**plain_args(nonce=nonce), "encrypt_type": "aes", "msg_signature": msg_signature}
    agent_a, agent_b = FakeAgent(), FakeAgent()
    async with served(mp_channel("safe", replay_db_url=db_url), agent_a) as replica_a:
        async with served(mp_channel("safe", replay_db_url=db_url), agent_b) as replica_b:
            first = await replica_a.post(MP_WEBHOOK, params=args, content=body.encode())
            replay = await replica_b.post(MP_WEBHOOK, params=args, content=body.encode())
    assert first.status_code == 200 and replay.text == "success"
    assert agent_a.texts_received == ["退款多久到账"] and agent_b.messages == []


async def test_wecom_replay_to_another_replica_is_not_handled_twice(tmp_path: Path) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'shared-replay.db'}"
    crypt = MessageCrypt(TOKEN, AES_KEY, CORPID)
    nonce = fresh_nonce()
    inner = message_xml(user=USERID, to=CORPID, Content="查订单", AgentID=AGENTID, msg_id="501")
    body, msg_signature = encrypted_body(inner, crypt, CORPID, nonce=nonce)
    args = {"msg_signature": msg_signature, "timestamp": str(NOW), "nonce": nonce}
    agent_a, agent_b = FakeAgent(), FakeAgent()
    async with served(wecom_channel(replay_db_url=db_url), agent_a) as replica_a:
        async with served(wecom_channel(replay_db_url=db_url), agent_b) as replica_b:
            first = await replica_a.post(WECOM_WEBHOOK, params=args, content=body.encode())
            replay = await replica_b.post(WECOM_WEBHOOK, params=args, content=body.encode())
            again = await replica_a.post(WECOM_WEBHOOK, params=args, content=body.encode())
    assert first.status_code == 200 and replay.text == "success"
    assert again.status_code == 200  # the same passive reply
    assert decrypt_reply(again.text, crypt) == decrypt_reply(first.text, crypt)
    assert agent_a.texts_received == ["查订单"] and agent_b.messages == []


async def test_entries_expire_and_are_deleted(tmp_path: Path) -> None:
    now = [float(NOW)]
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'replay.db'}"
    guard = ReplayGuard(db_url, clock=lambda: now[0])
    assert await guard.check("wechat-request", "k1", "d1") == FIRST
    assert await guard.check("wechat-request", "k1", "d1") == REPEAT
    assert await guard.check("wechat-request", "k1", "d2") == CONFLICT
    now[0] += REPLAY_WINDOW + 61  # past the window and the next clean-up
    assert await guard.check("wechat-request", "k2", "d1") == FIRST
    await guard.aclose()
    store = ReplayStore(db_url)
    async with store.session() as session:
        keys = [row[0] for row in (await session.execute(store_keys()))]
    await store.dispose()
    assert keys == ["k2"]


def store_keys() -> Any:
    from sqlalchemy import select

    from zhike.channels.wechat.replay import wechat_replay

    return select(wechat_replay.c.key)


async def test_a_failing_database_falls_back_to_this_process(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    guard = ReplayGuard(f"sqlite+aiosqlite:///{blocker / 'replay.db'}", clock=lambda: NOW)
    with caplog.at_level(logging.WARNING):
        assert await guard.check("wechat-request", "k", "d1") == FIRST
        assert await guard.check("wechat-request", "k", "d2") == CONFLICT
    assert "replays are only caught within this process" in caplog.text
    assert caplog.text.count("database failed") == 1
