"""Web chat sessions are the server's: no posting into another conversation, no hijacking.

An attacker runs a python-socketio client against a real server on 127.0.0.1 (the same
protocol the widget speaks) and tries to write into or read another conversation.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import jwt
import pytest

from zhike.channels import admission
from zhike.channels.limits import MAX_USER_TEXT, TRUNCATED_NOTICE
from zhike.channels.web.channel import WebChatInput
from zhike.channels.web.session import (
    SessionSigner,
    is_web_session_id,
    new_session_id,
    session_key,
)
from zhike.lib.identity.assertion import verify

from .web_helpers import Client, StoreAgent, serve

LOGIN_SECRET = "web-login-secret-" + "w" * 32
IDENTITY_SECRET = "identity-secret-" + "i" * 32
NOW = 1_718_000_000


def _channel(**kwargs: Any) -> WebChatInput:
    args: dict[str, Any] = {
        "login_secret": LOGIN_SECRET,
        "identity_secret": IDENTITY_SECRET,
        "clock": lambda: NOW,
        "gate": admission.Gate(),
    }
    args.update(kwargs)
    return WebChatInput(**args)


def _token(sub: str, exp: int = NOW + 3600) -> str:
    return jwt.encode({"sub": sub, "exp": exp}, LOGIN_SECRET, "HS256")


def _customer(message: Any) -> str | None:
    return verify(
        message.metadata, IDENTITY_SECRET, message.sender_id, NOW, channel="socketio"
    ).customer_id


# --- the sender is the socket's session, never the message's ---------------------------


@pytest.mark.parametrize(
    "target", ["app:C001", "wechat:oABCDEFG123", "wecom:zhangsan", "other-web-1"]
)
async def test_a_message_cannot_name_another_conversation(target: str) -> None:
    channel = _channel()
    async with serve(channel) as (url, agent):
        async with Client(url, channel) as attacker:
            mine = await attacker.session()
            await attacker.say("/restart", session_id=target)
            await attacker.say("转人工", session_id=target)
    assert [m.sender_id for m in agent.messages] == [mine, mine]
    assert await agent.tracker_store.retrieve(target) is None


async def test_a_message_before_session_request_is_ignored() -> None:
    channel = _channel()
    async with serve(channel) as (url, agent):
        async with Client(url, channel) as attacker:
            await attacker.say("你好", session_id="app:C001")
    assert agent.messages == []


async def test_a_session_request_cannot_take_over_another_web_session() -> None:
    channel = _channel()
    async with serve(channel) as (url, agent):
        async with Client(url, channel) as victim:
            victims = await victim.session()
            await victim.say("查一下订单HP20240001")
            async with Client(url, channel) as attacker:
                for session_id in (victims, "app:C001", "wechat:oABCDEFG123"):
                    taken = await attacker.session(session_id)
                    assert taken != session_id and is_web_session_id(taken)
                    assert await attacker.sync({"after": None}) == []
                await victim.say("我的手机号是13800138001")
            assert len(victim.replies) == 2
    assert attacker.replies == []  # never in the victim's room
    assert [m.sender_id for m in agent.messages] == [victims, victims]


async def test_a_widget_continues_its_own_session_with_the_token_it_was_given() -> None:
    channel = _channel()
    async with serve(channel) as (url, agent):
        async with Client(url, channel) as first:
            session_id = await first.session()
            assert first.proofs == [{"session_id": session_id, "session_token": first.token}]
            await first.say("你好")
        async with Client(url, channel) as reloaded:
            assert await reloaded.session(session_id, first.token) == session_id
            assert [m["text"] for m in await reloaded.sync({"after": None})] == ["收到：你好"]
            await reloaded.say("在吗")
    assert [m.sender_id for m in agent.messages] == [session_id, session_id]


async def test_a_token_proves_one_session_for_one_owner_only() -> None:
    channel = _channel()
    async with serve(channel) as (url, _):
        async with Client(url, channel) as client:
            anonymous = await client.session()
            anonymous_proof = client.token
            logged_in = await client.session(login_token=_token("C001"))
            logged_in_proof = client.token
            assert await client.session(anonymous, logged_in_proof) != anonymous
            assert await client.session(logged_in, anonymous_proof) != logged_in
            # the anonymous session's proof with a login token: another owner
            assert await client.session(anonymous, anonymous_proof, _token("C001")) != anonymous
            assert await client.session(logged_in, logged_in_proof, _token("C002")) != logged_in
            assert await client.session(logged_in, logged_in_proof) != logged_in  # logged out
            assert await client.session(logged_in, logged_in_proof, _token("C001")) == logged_in


# --- the site's login changes: a new session ------------------------------------------


async def test_another_customer_or_a_logout_moves_the_socket_to_a_new_session() -> None:
    channel = _channel()
    async with serve(channel) as (url, agent):
        async with Client(url, channel) as client:
            first = await client.session(login_token=_token("C001"))
            await client.say("我的订单列表", login_token=_token("C001"))
            await client.say("我的订单列表", login_token=_token("C002"))
            second = client.confirms[-1]
            await client.say("我的订单列表")  # logged out
            third = client.confirms[-1]
    assert len({first, second, third}) == 3
    assert [m.sender_id for m in agent.messages] == [first, second, third]
    one, two, three = agent.messages
    assert (_customer(one), _customer(two)) == ("C001", "C002")
    assert "zhike_identity" not in three.metadata
    assert [p["session_id"] for p in client.proofs] == [first, second, third]


async def test_an_expired_token_of_the_same_customer_keeps_the_session_anonymously() -> None:
    channel = _channel()
    async with serve(channel) as (url, agent):
        async with Client(url, channel) as client:
            session_id = await client.session(login_token=_token("C001"))
            await client.say("你好", login_token=_token("C001", exp=NOW - 3600))
    assert client.confirms == [session_id]
    [message] = agent.messages
    assert message.sender_id == session_id and "zhike_identity" not in message.metadata


# --- long texts and a saturated server -------------------------------------------------


async def test_a_long_text_is_cut_and_the_customer_told_before_the_answer() -> None:
    channel = _channel()
    text = "请问" + "很长的问题" * 1000
    async with serve(channel) as (url, agent):
        async with Client(url, channel) as client:
            await client.session()
            await client.say(text)
    assert agent.messages[0].text == text[:MAX_USER_TEXT]
    assert [r["text"] for r in client.replies] == [
        TRUNCATED_NOTICE,
        "收到：" + text[:MAX_USER_TEXT],
    ]


@pytest.mark.parametrize(("text", "handled"), [("你\x00好", "你好"), ("表情\ud83d", "表情?")])
async def test_characters_that_cannot_be_stored_are_dropped_not_the_message(
    text: str, handled: str
) -> None:
    channel = _channel()
    async with serve(channel) as (url, agent):
        async with Client(url, channel) as client:
            await client.session()
            await client.say(text)
    assert agent.messages[0].text == handled


async def test_a_saturated_server_tells_the_customer_to_retry(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gate = admission.Gate(admission.Limits(max_inflight=1, max_queued=0))
    hold = asyncio.Event()
    channel = _channel(gate=gate)
    async with serve(channel, StoreAgent(hold=hold)) as (url, agent):
        async with Client(url, channel) as busy, Client(url, channel) as client:
            await busy.session()
            held = asyncio.create_task(busy.say("第一条"))
            for _ in range(500):
                if gate.inflight:
                    break
                await asyncio.sleep(0.01)
            await client.session()
            with caplog.at_level(logging.WARNING):
                await client.say("第二条")
            hold.set()
            await held
    assert client.replies == [{"text": admission.BUSY_NOTICE}]
    assert [m.text for m in agent.messages] == ["第一条"]
    assert "overloaded" in caplog.text


# --- the signing key -------------------------------------------------------------------


def test_tokens_depend_on_the_id_the_owner_and_the_key() -> None:
    signer = SessionSigner(b"k" * 32)
    session_id = new_session_id()
    token = signer.token(session_id, "")
    assert signer.verify(session_id, token, "")
    assert not signer.verify(session_id, token, "C001")
    assert not signer.verify(new_session_id(), token, "")
    assert not SessionSigner(b"j" * 32).verify(session_id, token, "")
    assert not signer.verify("app:C001", signer.token("app:C001", ""), "")  # never resumed
    assert not signer.verify(session_id, None, "")


def test_the_key_comes_from_the_session_secret_else_the_identity_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    production: dict[str, str] = {}
    development = {"ZHIKE_ENV": "development"}
    assert session_key("s" * 32, "i" * 32, production) == b"s" * 32
    derived = session_key(None, "i" * 32, production)
    assert derived == session_key("short", "i" * 32, production) != b"i" * 32
    with caplog.at_level(logging.WARNING):
        dev = session_key(None, None, development)
        assert dev == session_key(None, "short", development)
        assert session_key(None, None, production) != session_key(None, None, production)
    assert "development key" in caplog.text and "random key" in caplog.text


def test_the_web_session_ids_exclude_other_channels() -> None:
    assert is_web_session_id(new_session_id())
    for other in ("app:C001", "wechat:oABC1234", "wecom:zhangsan", "short", "a" * 129, 42, None):
        assert not is_web_session_id(other)


def test_credentials_name_the_session_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_SESSION_SECRET", "s" * 32)
    channel = WebChatInput.from_credentials({"session_secret_env": "MY_SESSION_SECRET"})
    session_id = new_session_id()
    proof = SessionSigner(b"s" * 32).token(session_id, "")
    assert channel._signer.verify(session_id, proof, "")  # type: ignore[attr-defined]


def test_a_token_expires_after_30_days_and_each_proof_renews_it() -> None:
    now = [float(NOW)]
    signer = SessionSigner(b"k" * 32, clock=lambda: now[0])
    session_id = new_session_id()
    token = signer.token(session_id, "C001")
    now[0] += 29 * 86400
    assert signer.verify(session_id, token, "C001")
    renewed = signer.token(session_id, "C001")
    now[0] += 2 * 86400
    assert not signer.verify(session_id, token, "C001")
    assert signer.verify(session_id, renewed, "C001")
    stamp, _, mac = renewed.partition(".")
    for forged in (f"{int(stamp, 36) + 1:x}.{mac}", f"-{stamp}.{mac}", f" {stamp}.{mac}", mac):
        assert not signer.verify(session_id, forged, "C001")
