"""The web widget's catch-up: keyed bot messages and ``zhike_sync`` for the socket's session.

The socket.io part runs a python-socketio client against a real Sanic server on
127.0.0.1, with Rasa's in-memory tracker store behind a stand-in agent.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import BotUttered, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from zhike.channels.web.channel import WebChatInput
from zhike.channels.web.session import SessionSigner, session_key
from zhike.channels.web.sync import (
    bot_events_after,
    missed_messages,
    parse_after,
    render_parts,
)

from .web_helpers import BUTTONS, Client, StoreAgent, serve

T0 = 1_718_000_000.25
SECRET = "identity-secret-" + "i" * 32


def _bot(text: str, timestamp: float, **data: Any) -> BotUttered:
    return BotUttered(text, data=data, timestamp=timestamp)


def _tracker(sender_id: str, events: list[Event], channel: str = "socketio") -> Any:
    opening = UserUttered("你好", input_channel=channel, timestamp=T0 - 10)
    return DialogueStateTracker.from_events(sender_id, [opening, *events])


# --- keys and rendering ---------------------------------------------------------------


async def test_parts_are_rasas_socket_io_messages_with_a_stable_key() -> None:
    parts = await render_parts("s", _bot("第一段\n\n第二段", T0, buttons=BUTTONS).message())
    assert parts == [
        {"text": "第一段", "quick_replies": [], "zhike_key": f"{T0!r}#0", "zhike_ts": T0},
        {
            "text": "第二段",
            "quick_replies": [{"content_type": "text", "title": "好的", "payload": "/affirm"}],
            "zhike_key": f"{T0!r}#1",
            "zhike_ts": T0,
        },
    ]
    image = await render_parts("s", _bot("", T0, image="https://img.example/a.png").message())
    assert image[0]["attachment"] == {
        "type": "image",
        "payload": {"src": "https://img.example/a.png"},
    }
    assert await render_parts("s", {"text": "无时间"}) == [{"text": "无时间"}]  # no key


async def test_an_agents_reply_and_a_notice_carry_their_labels_live_and_caught_up() -> None:
    metadata = {"agent_id": "a1", "zhike_sender": "王芳", "zhike_outbox_key": "zo-1"}
    reply = BotUttered("您好，我来帮您查询", metadata=metadata, timestamp=T0)
    notice = BotUttered("本次人工服务已结束", metadata={"zhike_notice": "ended"}, timestamp=T0 + 1)
    [part] = await render_parts("s", reply.message())
    assert (part["zhike_sender"], part["text"]) == ("王芳", "您好，我来帮您查询")
    assert "agent_id" not in part and "zhike_outbox_key" not in part  # nothing else leaks
    caught_up = await missed_messages(_tracker("s", [reply, notice]), None)
    assert [(p.get("zhike_sender"), p.get("zhike_notice")) for p in caught_up] == [
        ("王芳", None),
        (None, "ended"),
    ]
    [bot] = await render_parts("s", _bot("机器人的回答", T0).message())
    assert "zhike_sender" not in bot and "zhike_notice" not in bot


async def test_catch_up_gives_the_bot_messages_since_the_cursor_bounded() -> None:
    events: list[Event] = [_bot(f"消息{i}", T0 + i) for i in range(60)]
    tracker = _tracker("s", events)
    assert [e.text for e in bot_events_after(tracker, T0 + 57)] == ["消息57", "消息58", "消息59"]
    newest = bot_events_after(tracker, None)
    assert len(newest) == 50 and newest[0].text == "消息10"
    messages = await missed_messages(tracker, T0 + 59)
    assert [m["text"] for m in messages] == ["消息59"]  # "at" the cursor: dropped by key
    assert await missed_messages(None, None) == []


@pytest.mark.parametrize(
    ("data", "after"),
    [
        ({"after": T0}, T0),
        ({"after": 5}, 5.0),
        ({"after": None}, None),
        ({"after": "1"}, None),
        ({"after": True}, None),
        ({"after": float("nan")}, None),
        ({"after": float("inf")}, None),
        (["after"], None),
        (None, None),
    ],
)
def test_a_junk_cursor_means_from_the_start(data: Any, after: float | None) -> None:
    assert parse_after(data) == after


# --- through socket.io, against a real server ----------------------------------------


@pytest.fixture
async def served() -> AsyncIterator[tuple[str, WebChatInput, StoreAgent]]:
    channel = WebChatInput(identity_secret=SECRET)
    async with serve(channel, FixedAgent()) as (url, agent):
        yield url, channel, agent


class FixedAgent(StoreAgent):
    """Answers every message with one bot message of a known timestamp."""

    async def handle_message(self, message: UserMessage) -> None:
        self.messages.append(message)
        reply = _bot(f"收到：{message.text}", T0 + 100, buttons=BUTTONS)
        assert message.output_channel is not None
        await message.output_channel.send_response(message.sender_id, reply.message())


def _proof(session_id: str) -> str:
    """The session token the server would have given a client of ``session_id``."""
    return SessionSigner(session_key(None, SECRET)).token(session_id, "")


async def test_live_replies_carry_the_key_a_catch_up_gives_again(
    served: tuple[str, WebChatInput, StoreAgent],
) -> None:
    url, channel, _ = served
    async with Client(url, channel) as client:
        session_id = await client.session(None)
        await client.say("你好", session_id)
    assert client.replies == [
        {
            "text": "收到：你好",
            "quick_replies": [{"content_type": "text", "title": "好的", "payload": "/affirm"}],
            "zhike_key": f"{T0 + 100!r}#0",
            "zhike_ts": T0 + 100,
        }
    ]


async def test_a_sync_answers_the_missed_messages_of_the_sockets_own_session(
    served: tuple[str, WebChatInput, StoreAgent],
) -> None:
    url, channel, agent = served
    mine = _tracker("session-mine-1", [_bot("早", T0), _bot("坐席回复", T0 + 5)])
    theirs = _tracker("session-theirs-1", [_bot("别人的消息", T0)])
    await agent.tracker_store.save(mine)
    await agent.tracker_store.save(theirs)
    async with Client(url, channel) as client:
        assert await client.sync({"after": None}) == []  # no session yet: nothing
        await client.session("session-mine-1", _proof("session-mine-1"))
        missed = await client.sync({"after": T0 + 1})
        assert [m["text"] for m in missed] == ["坐席回复"]
        assert missed[0]["zhike_key"] == f"{T0 + 5!r}#0"
        everything = await client.sync({"after": None, "session_id": "session-theirs-1"})
        assert [m["text"] for m in everything] == ["早", "坐席回复"]  # a sender id is ignored


async def test_a_session_the_socket_did_not_prove_is_never_caught_up(
    served: tuple[str, WebChatInput, StoreAgent],
) -> None:
    url, channel, agent = served
    await agent.tracker_store.save(_tracker("session-victim-1", [_bot("您的订单已发货", T0)]))
    async with Client(url, channel) as client:
        for token in (None, "", "x" * 43, _proof("session-other-1"), 42):
            granted = await client.session("session-victim-1", token)  # type: ignore[arg-type]
            assert granted != "session-victim-1"
            assert await client.sync({"after": None}) == []
            assert await client.sync({"after": None, "session_id": "session-victim-1"}) == []


async def test_a_conversation_of_another_channel_is_not_shown(
    served: tuple[str, WebChatInput, StoreAgent],
) -> None:
    url, channel, agent = served
    await agent.tracker_store.save(_tracker("wechat-openid-12345", [_bot("微信", T0)], "wechat"))
    async with Client(url, channel) as client:
        await client.session("wechat-openid-12345", _proof("wechat-openid-12345"))
        assert await client.sync({"after": None}) == []


@pytest.mark.parametrize(
    "metadata",
    [
        "{not json",
        "[1, 2]",
        42,
        {"page": "a\x00b"},
        {"page": "\udc80"},
        {"deep": json.loads("[" * 40 + "]" * 40)},
        "[" * 5000 + "]" * 5000,
    ],
)
async def test_metadata_that_is_not_a_storable_json_object_is_dropped_not_the_message(
    served: tuple[str, WebChatInput, StoreAgent], metadata: Any
) -> None:
    _, channel, _ = served
    data = {"message": "你好", "session_id": "session-0001", channel.metadata_key: metadata}
    message = channel._user_message("sid-1", data)
    assert message is not None and message.text == "你好" and message.metadata == {}
