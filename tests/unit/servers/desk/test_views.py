"""The page's views: labels, the inbox (names, channels, previews, waits) and the timeline."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timezone
from typing import Any

import pytest

from tests.unit.servers.desk.conftest import T0, Desk
from tests.unit.servers.desk.test_assist import FakeRasa, assist_desk
from zhike.servers.desk import DeskSettings
from zhike.servers.desk.labels import load_intent_titles, visitor_label

SENDER = "web-0123456789abcdef3f2a"
RELAYED = "快递三天没动了"
START = T0.astimezone(timezone.utc).timestamp()
BUTTONS = [
    {"title": "HP20240001 手机壳（已发货）", "payload": '/query_order{"order_id": "HP20240001"}'},
    {"title": "HP20240002 耳机（已付款）", "payload": '/query_order{"order_id": "HP20240002"}'},
]


def tracker(sender: str = SENDER) -> dict[str, Any]:
    """A web customer's tracker: an older session, then orders, a click, 转人工, a relay."""
    return {
        "sender_id": sender,
        "events": [
            {"event": "session_started", "timestamp": START - 7200},
            {"event": "user", "text": "上个月的旧问题", "timestamp": START - 7000},
            {"event": "session_started", "timestamp": START - 120},
            {"event": "user", "text": "我的订单列表", "timestamp": START - 100, "message_id": "m1"},
            {
                "event": "bot",
                "text": "您最近的订单如下，点选可查看详情：",
                "data": {"buttons": BUTTONS},
                "timestamp": START - 99,
            },
            {"event": "user", "text": BUTTONS[0]["payload"], "timestamp": START - 80},
            {"event": "bot", "text": "订单已发货，运单号 SF1234567890", "timestamp": START - 79},
            {"event": "user", "text": "转人工", "timestamp": START - 1, "message_id": "m3"},
            {"event": "bot", "text": "已为您转接人工客服", "timestamp": START + 1},
            {"event": "user", "text": RELAYED, "timestamp": START + 30, "message_id": "m4"},
            {"event": "bot", "text": "坐席", "metadata": {"agent_id": "a1"}, "timestamp": 1e10},
        ],
    }


@pytest.fixture
async def rasa() -> AsyncIterator[FakeRasa]:
    server = FakeRasa()
    server.trackers[SENDER] = tracker()
    await server.start()
    yield server
    await server.stop()


async def handed_over(
    desk: Desk,
    sender: str = SENDER,
    customer: str | None = "C001",
    channel: str = "socketio",
    message_id: str = "m4",
) -> int:
    summary = {"reason": "客户要求转人工", "intent": "query_order", "slots": {}}
    outcome = await desk.handoff.request_handoff(sender, channel, customer, "orders", summary)
    desk.clock.advance(seconds=30)
    await desk.handoff.route_user_message(sender, channel, RELAYED, f"{sender}:{message_id}")
    return int(outcome.conversation_id)


def test_intent_titles_come_from_the_actions_file_and_visitors_get_a_short_label() -> None:
    titles = load_intent_titles()
    assert titles["query_order"] == "查询订单状态"
    assert titles["chitchat/ask_name"] == "你叫什么名字"
    assert visitor_label("0f1e2d3c4b5a69788796a5b4c3d23f2a") == "访客 3F2A"
    assert visitor_label("") == "访客"


async def test_labels_are_served_with_the_sla(rasa: FakeRasa) -> None:
    desk = await assist_desk(rasa.url, sla_seconds=90)
    assert (await desk.call("GET", "/labels")).status == 401
    user = await desk.login("wangfang")

    body = (await desk.call("GET", "/labels", user)).json

    assert body["intents"]["query_order"] == "查询订单状态"
    assert body["slots"]["order_id"] == "订单号"
    assert body["channels"] == {
        "socketio": "网页",
        "wechat": "公众号",
        "wecom": "企业微信",
        "app": "App",
        "rest": "接口",
    }
    assert body["dispositions"]["resolved"] == "已解决"
    assert body["dispositions"]["after_hours"] == "非工作时间，已转工单"
    assert body["close_reasons"] == ["resolved", "unresolved", "user_left", "duplicate", "spam"]
    assert body["sla_seconds"] == 90
    await desk.context.close()


async def test_the_inbox_names_customers_and_sorts_by_waiting_time(rasa: FakeRasa) -> None:
    desk = await assist_desk(rasa.url)
    known = await handed_over(desk, "app:C001", "C001", "app")
    desk.clock.advance(seconds=40)
    anonymous = await handed_over(desk, SENDER, None, "socketio")
    user = await desk.login("wangfang")
    assert (await desk.call("GET", "/inbox")).status == 401

    body = (await desk.call("GET", "/inbox", user)).json

    assert [row["conversation_id"] for row in body["queue"]] == [known, anonymous]
    first, second = body["queue"]
    assert (first["name"], first["channel_label"], first["anonymous"]) == ("张*", "App", False)
    assert (second["name"], second["channel_label"]) == ("访客 3F2A", "网页")
    assert first["preview"]["text"] == "快递三天没动了"
    assert (first["waiting"], first["waiting_seconds"]) == ("queue", 100)
    assert second["waiting_seconds"] == 30
    assert body["queue_lengths"] == {"orders": 2, "courses": 0, "general": 0, "presales": 0}
    assert body["mine"] == [] and body["sla_seconds"] == 60
    other = await desk.login("liuyang")  # courses: sees no orders row, but the lengths
    other_body = (await desk.call("GET", "/inbox", other)).json
    assert other_body["queue"] == [] and other_body["queue_lengths"]["orders"] == 2

    assert (await desk.call("POST", f"/conversations/{known}/accept", user)).status == 200
    desk.clock.advance(seconds=5)
    mine = (await desk.call("GET", "/inbox", user)).json["mine"]
    assert [(r["conversation_id"], r["waiting"], r["user_messages"]) for r in mine] == [
        (known, "reply", 1)
    ]
    reply = {"text": "您好，我来帮您查一下。"}
    await desk.call("POST", f"/conversations/{known}/messages", user, body=reply)
    [row] = (await desk.call("GET", "/inbox", user)).json["mine"]
    assert (row["waiting"], row["waiting_seconds"]) == (None, None)
    assert row["preview"] == {
        "who": "agent",
        "text": "您好，我来帮您查一下。",
        "at": row["preview"]["at"],
    }
    await desk.context.close()


async def test_the_timeline_has_the_bot_part_the_desk_and_the_events(rasa: FakeRasa) -> None:
    desk = await assist_desk(rasa.url)
    conversation = await handed_over(desk)
    user = await desk.login("wangfang")
    for step in (
        ("accept", None),
        ("messages", {"text": "在的"}),
        ("close", {"disposition": "resolved"}),
    ):
        desk.clock.advance(seconds=10)
        await desk.call("POST", f"/conversations/{conversation}/{step[0]}", user, step[1])
    desk.clock.advance(seconds=10)
    await desk.handoff.rate(conversation, 4)

    response = await desk.call("GET", f"/conversations/{conversation}/timeline", user)

    assert response.status == 200, response.text
    items = response.json["items"]
    shown = [(i["kind"], i["source"], i["text"]) for i in items]
    assert shown == [
        ("user", "bot", "我的订单列表"),
        ("bot", "bot", "您最近的订单如下，点选可查看详情："),
        ("user", "bot", "HP20240001 手机壳（已发货）"),
        ("bot", "bot", "订单已发货，运单号 SF1234567890"),
        ("user", "bot", "转人工"),
        ("system", "event", "机器人转人工（客户要求转人工），进入排队"),
        ("bot", "bot", "已为您转接人工客服"),
        ("user", "desk", "快递三天没动了"),
        ("system", "event", "王芳 接入了会话"),
        ("agent", "desk", "在的"),
        ("system", "event", "会话已结束（已解决）"),
        ("system", "event", "客户评价 ★★★★☆ 4 分"),
    ]
    assert items[1]["buttons"] == [b["title"] for b in BUTTONS]
    assert items[2]["clicked"] is True and items[0]["clicked"] is False
    assert items[9]["agent_name"] == "王芳" and items[9]["seq"] == 2
    assert response.json["errors"] == []

    other = await desk.login("liuyang")
    denied = await desk.call("GET", f"/conversations/{conversation}/timeline", other)
    assert (denied.status, denied.json["error"]) == (403, "forbidden_group")
    await desk.context.close()


async def test_without_rasa_the_timeline_has_the_desk_part_and_says_why() -> None:
    desk = await assist_desk(None)
    conversation = await handed_over(desk)
    user = await desk.login("wangfang")

    body = (await desk.call("GET", f"/conversations/{conversation}/timeline", user)).json

    assert [(i["kind"], i["text"]) for i in body["items"]] == [
        ("system", "机器人转人工（客户要求转人工），进入排队"),
        ("user", "快递三天没动了"),
    ]
    assert [(e["part"], e["error"]) for e in body["errors"]] == [("bot", "rasa_not_configured")]
    await desk.context.close()


async def test_the_context_lists_open_tickets_and_earlier_conversations(rasa: FakeRasa) -> None:
    desk = await assist_desk(rasa.url)
    earlier = await handed_over(desk, "app:C001", "C001", "app")
    await desk.handoff.accept("a1", earlier)
    await desk.handoff.close(earlier, "a1", "resolved")
    await desk.handoff.rate(earlier, 5)
    now = await handed_over(desk, "app:C001", "C001", "app", message_id="m9")
    user = await desk.login("wangfang")

    body = (await desk.call("GET", f"/conversations/{now}/context", user)).json

    assert [(h["conversation_id"], h["rating"], h["disposition"]) for h in body["history"]] == [
        (earlier, 5, "resolved")
    ]
    assert body["history"][0]["channel_label"] == "App"
    assert isinstance(body["tickets"], list)
    await desk.context.close()


def test_the_sla_is_read_from_the_environment() -> None:
    assert DeskSettings.from_env({}).sla_seconds == 60
    assert DeskSettings.from_env({"ZHIKE_DESK_SLA_SECONDS": "90"}).sla_seconds == 90
    for bad in ("0", "-5", "soon"):
        with pytest.raises(ValueError):
            DeskSettings.from_env({"ZHIKE_DESK_SLA_SECONDS": bad})
