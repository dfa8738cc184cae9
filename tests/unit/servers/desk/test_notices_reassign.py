"""What the customer is told around a handoff, and a supervisor's 转派 (reassign).

The desk runs with the real :class:`RasaSink` against a real HTTP server playing Rasa
(:class:`FlakyRasa`), so these are the texts a customer's channel is given, in order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.unit.servers.desk.conftest import Desk, RunningClock, build_desk, desk_settings, queued
from tests.unit.servers.desk.flaky_rasa import RATING_QUESTION, FlakyRasa, eventually
from tests.unit.servers.desk.test_delivery import fast_delivery
from zhike.lib.handoff.notices import NOTICE_TEXTS, notice_text
from zhike.servers.desk.delivery.rasa_api import RasaConversations
from zhike.servers.desk.delivery.sink import RasaSink

SENDER = "demo"
ACCEPTED_WANGFANG = "人工客服「王芳」已接入，请问有什么可以帮您？"
ENDED = NOTICE_TEXTS["ended"]


@pytest.fixture
async def rasa() -> AsyncIterator[FlakyRasa]:
    server = FlakyRasa(hang_seconds=1.0)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def desk(tmp_path: Path, rasa: FlakyRasa) -> AsyncIterator[Desk]:
    sink = RasaSink(RasaConversations(rasa.url, timeout=0.4))
    settings = desk_settings(tmp_path, delivery=fast_delivery(), customer_notices=True)
    built = await build_desk(settings, sink=sink, clock=RunningClock())
    yield built
    await built.context.close()


def _bot_metadata(rasa: FlakyRasa, text: str) -> dict[str, str]:
    [event] = [e for e in rasa.events[SENDER] if e.get("event") == "bot" and e["text"] == text]
    return dict(event["metadata"])


async def test_accept_reply_transfer_and_close_tell_the_customer(
    desk: Desk, rasa: FlakyRasa
) -> None:
    conversation = await queued(desk, sender=SENDER)
    wangfang = await desk.login("wangfang")
    accepted = await desk.call("POST", f"/conversations/{conversation}/accept", wangfang)
    assert accepted.json["bot_notified"] is True
    await desk.call("POST", f"/conversations/{conversation}/accept", wangfang)  # again: no repeat
    reply = {"text": "您好，正在为您查询。"}
    await desk.call("POST", f"/conversations/{conversation}/messages", wangfang, body=reply)
    await eventually(lambda: "您好，正在为您查询。" in rasa.texts(SENDER))
    assert rasa.texts(SENDER) == [ACCEPTED_WANGFANG, "您好，正在为您查询。"]
    # the widget labels the reply with the agent's name, the notice as a notice
    assert _bot_metadata(rasa, "您好，正在为您查询。")["zhike_sender"] == "王芳"
    assert _bot_metadata(rasa, ACCEPTED_WANGFANG)["zhike_notice"] == "accepted"

    moved = await desk.call(
        "POST", f"/conversations/{conversation}/transfer", wangfang, body={"skill_group": "general"}
    )
    assert moved.status == 200 and moved.json["bot_notified"] is True
    transferring = "正在为您转接综合服务客服，请稍候"
    assert rasa.texts(SENDER)[-1] == transferring

    boss = await desk.login("boss")
    await desk.call("POST", f"/supervisor/conversations/{conversation}/reassign", boss,
                    body={"agent_id": "a3"})  # fmt: skip
    closed = await desk.call(
        "POST", f"/conversations/{conversation}/close", boss, body={"disposition": "resolved"}
    )
    assert closed.json["bot_notified"] is True
    await eventually(lambda: RATING_QUESTION in rasa.texts(SENDER))
    # the rating question comes after the closing notice, each once
    assert rasa.texts(SENDER)[-4:] == [
        transferring,
        "人工客服「陈静」已接入，请问有什么可以帮您？",
        ENDED,
        RATING_QUESTION,
    ]

    # agents see what the customer was told, as system notes
    detail = await desk.call("GET", f"/conversations/{conversation}", boss)
    system = [m["text"] for m in detail.json["messages"] if m["direction"] == "system"]
    assert system == [
        ACCEPTED_WANGFANG,
        transferring,
        "人工客服「陈静」已接入，请问有什么可以帮您？",
        ENDED,
    ]


async def test_reassign_moves_a_live_conversation_to_an_online_agent(
    desk: Desk, rasa: FlakyRasa
) -> None:
    conversation = await queued(desk, sender=SENDER)
    wangfang, boss = await desk.login("wangfang"), await desk.login("boss")
    await desk.call("POST", f"/conversations/{conversation}/accept", wangfang)
    path = f"/supervisor/conversations/{conversation}/reassign"
    moved = await desk.call("POST", path, boss, body={"agent_id": "a3"})
    assert moved.status == 200, moved.text
    assert (moved.json["conversation"]["state"], moved.json["conversation"]["agent_id"]) == (
        "agent",
        "a3",
    )
    await eventually(lambda: "人工客服「陈静」已接入，请问有什么可以帮您？" in rasa.texts(SENDER))
    # the old agent may no longer reply; the new one may
    refused = await desk.call(
        "POST", f"/conversations/{conversation}/messages", wangfang, body={"text": "还在吗"}
    )
    assert refused.status == 403
    chenjing = await desk.login("chenjing")
    sent = await desk.call(
        "POST", f"/conversations/{conversation}/messages", chenjing, body={"text": "我来跟进"}
    )
    assert sent.status == 201
    again = await desk.call("POST", path, boss, body={"agent_id": "a3"})  # has it: no notice
    assert again.status == 200
    await eventually(lambda: "我来跟进" in rasa.texts(SENDER))
    assert rasa.texts(SENDER).count("人工客服「陈静」已接入，请问有什么可以帮您？") == 1


async def test_reassign_refuses_agents_unknown_ids_offline_and_full_targets(desk: Desk) -> None:
    conversation = await queued(desk, sender=SENDER)
    other = await queued(desk, sender="other")
    path = f"/supervisor/conversations/{conversation}/reassign"
    wangfang, boss = await desk.login("wangfang"), await desk.login("boss")

    refused = await desk.call("POST", path, wangfang, body={"agent_id": "a1"})
    assert (refused.status, refused.json["error"]) == (403, "supervisor_only")
    unknown = await desk.call(
        "POST", "/supervisor/conversations/99999/reassign", boss, body={"agent_id": "a1"}
    )
    assert (unknown.status, unknown.json["error"]) == (404, "conversation_not_found")
    nobody = await desk.call("POST", path, boss, body={"agent_id": "nobody"})
    assert (nobody.status, nobody.json["error"]) == (404, "agent_not_found")
    for bad in ({}, {"agent_id": 7}, {"agent_id": ""}, {"agent_id": "x" * 65}):
        answer = await desk.call("POST", path, boss, body=bad)
        assert (answer.status, answer.json["error"]) == (400, "invalid_agent_id")
    offline = await desk.call("POST", path, boss, body={"agent_id": "s1"})  # 主管 is offline
    assert (offline.status, offline.json["error"]) == (409, "agent_offline")

    # 王芳 takes two chats at most
    await desk.call("POST", f"/conversations/{other}/accept", wangfang)
    third = await queued(desk, sender="third")
    await desk.call("POST", f"/conversations/{third}/accept", wangfang)
    full = await desk.call("POST", path, boss, body={"agent_id": "a1"})
    assert full.status == 409
    closed = await desk.call(
        "POST", f"/conversations/{third}/close", wangfang, body={"disposition": "resolved"}
    )
    assert closed.status == 200
    gone = await desk.call(
        "POST", f"/supervisor/conversations/{third}/reassign", boss, body={"agent_id": "a3"}
    )
    assert (gone.status, gone.json["error"]) == (409, "not_reassignable")
    # nothing changed on the refused conversation
    info = await desk.handoff.conversation(conversation)
    assert (info.state, info.agent_id) == ("queued", None)


def test_notice_texts_are_filled_in() -> None:
    assert (
        notice_text("accepted", agent_name="李雷") == "人工客服「李雷」已接入，请问有什么可以帮您？"
    )
    assert notice_text("transferring", group="presales") == "正在为您转接售前咨询客服，请稍候"
    assert notice_text("ended").startswith("本次人工服务已结束，感谢您的耐心")
