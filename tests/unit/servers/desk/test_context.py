"""The customer context of a conversation, and tickets opened from the desk."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.unit.servers.desk.test_assist import FakeRasa, assist_desk, closed_port_url
from zhike.lib.backend_client.fake import InMemoryBackendClient

SENDER = "app:C001"
TRACKER = {
    "sender_id": SENDER,
    "events": [
        {"event": "action", "name": "action_listen", "timestamp": 1717466400.0},
        {"event": "user", "text": "我的手机号是13800138001，订单到哪了", "timestamp": 1717466400.5},
        {"event": "bot", "text": "亲，您的订单 HP20240001 正在派送中～", "timestamp": 1717466401},
        {"event": "bot", "text": "", "timestamp": 1717466402},
        {"event": "user", "text": "转人工", "timestamp": 1717466460},
        {"event": "bot", "text": "坐席的回复", "metadata": {"agent_id": "a1"}, "timestamp": 1e9},
    ],
}


@pytest.fixture
async def rasa() -> AsyncIterator[FakeRasa]:
    server = FakeRasa()
    server.trackers[SENDER] = TRACKER
    await server.start()
    yield server
    await server.stop()


async def handed_over(desk: object, customer_id: str | None = "C001", sender: str = SENDER) -> int:
    outcome = await desk.handoff.request_handoff(  # type: ignore[attr-defined]
        sender, "app", customer_id, "orders", {"intent": "query_order"}
    )
    return int(outcome.conversation_id)


async def test_context_has_the_masked_profile_orders_lessons_and_bot_transcript(
    rasa: FakeRasa,
) -> None:
    desk = await assist_desk(rasa.url)
    conversation = await handed_over(desk)
    user = await desk.login("wangfang")

    response = await desk.call("GET", f"/conversations/{conversation}/context", user)

    assert response.status == 200, response.text
    body = response.json
    assert body["errors"] == []
    assert body["customer"] == {
        "customer_id": "C001",
        "name": "张*",
        "phone": "138****8001",
        "vip": True,
    }
    assert "13800138001" not in response.text and "张伟" not in response.text
    orders = body["orders"]
    assert orders and set(orders[0]) >= {"order_id", "status", "amount_fen", "amount"}
    assert {o["order_id"] for o in orders} >= {"HP20240001"}
    assert all(o["amount"] == f"{o['amount_fen'] / 100:.2f}" for o in orders)
    assert body["lessons"] and body["lessons"][0]["student_name"] == "张**"
    assert body["transcript"] == [
        {
            "who": "user",
            "text": "我的手机号是138****8001，订单到哪了",
            "time": "2024-06-04T02:00:00.500000Z",
        },
        {
            "who": "bot",
            "text": "亲，您的订单 HP20240001 正在派送中～",
            "time": "2024-06-04T02:00:01Z",
        },
        {"who": "user", "text": "转人工", "time": "2024-06-04T02:01:00Z"},
    ]
    assert rasa.raw_paths == [f"/conversations/{SENDER}/tracker?include_events=ALL"]
    await desk.context.close()


async def test_an_anonymous_customer_has_no_profile(rasa: FakeRasa) -> None:
    backend = InMemoryBackendClient()
    desk = await assist_desk(rasa.url, backend)
    conversation = await handed_over(desk, customer_id=None, sender="web-visitor")
    user = await desk.login("wangfang")

    body = (await desk.call("GET", f"/conversations/{conversation}/context", user)).json

    assert body["customer"] is None and body["orders"] == [] and body["lessons"] == []
    assert backend.calls == []
    assert body["transcript"] is None  # Rasa does not know this sender (404)
    assert [e["part"] for e in body["errors"]] == ["transcript"]
    await desk.context.close()


async def test_backend_down_gives_a_partial_answer(rasa: FakeRasa) -> None:
    backend = InMemoryBackendClient()
    backend.unavailable = True
    desk = await assist_desk(rasa.url, backend)
    conversation = await handed_over(desk)
    user = await desk.login("wangfang")

    response = await desk.call("GET", f"/conversations/{conversation}/context", user)

    assert response.status == 200, response.text
    body = response.json
    assert body["customer"] is None and body["orders"] is None and body["lessons"] is None
    assert body["tickets"] is None and body["history"] == []
    parts = sorted(e["part"] for e in body["errors"])
    assert parts == ["customer", "lessons", "orders", "tickets"]
    assert {e["error"] for e in body["errors"]} == {"backend_unavailable"}
    assert len(body["transcript"]) == 3
    await desk.context.close()


async def test_rasa_down_leaves_only_the_transcript_out() -> None:
    desk = await assist_desk(closed_port_url())
    conversation = await handed_over(desk)
    user = await desk.login("wangfang")

    body = (await desk.call("GET", f"/conversations/{conversation}/context", user)).json

    assert body["customer"]["phone"] == "138****8001"
    assert body["transcript"] is None
    assert [(e["part"], e["error"]) for e in body["errors"]] == [("transcript", "rasa_unavailable")]
    await desk.context.close()


async def test_context_follows_the_transcript_visibility(rasa: FakeRasa) -> None:
    desk = await assist_desk(rasa.url)
    conversation = await handed_over(desk)
    other_group = await desk.login("liuyang")

    denied = await desk.call("GET", f"/conversations/{conversation}/context", other_group)
    anonymous = await desk.call("GET", f"/conversations/{conversation}/context")

    assert (denied.status, denied.json["error"]) == (403, "forbidden_group")
    assert (anonymous.status, anonymous.json["error"]) == (401, "unauthenticated")
    assert rasa.raw_paths == []
    await desk.context.close()


async def test_a_ticket_is_opened_once_per_conversation_and_client_key() -> None:
    backend = InMemoryBackendClient()
    desk = await assist_desk(None, backend)
    conversation = await handed_over(desk)
    owner = await desk.login("wangfang")
    accepted = await desk.call("POST", f"/conversations/{conversation}/accept", owner)
    assert accepted.status == 200, accepted.text
    path = f"/conversations/{conversation}/ticket"
    body = {"category": "logistics", "summary": "客户13800138001催件", "client_key": "k1"}

    first = await desk.call("POST", path, owner, body=body)
    again = await desk.call("POST", path, owner, body=body)
    other = await desk.call("POST", path, owner, body={**body, "client_key": "k2"})

    assert first.status == 201, first.text
    ticket_id = first.json["ticket"]["ticket_id"]
    assert ticket_id.startswith("TK")
    assert again.json["ticket"]["ticket_id"] == ticket_id
    assert other.json["ticket"]["ticket_id"] != ticket_id
    stored = await backend.get_ticket(ticket_id)
    assert stored is not None
    assert stored.summary == "客户138****8001催件"
    assert (stored.customer_id, stored.category, stored.channel) == ("C001", "logistics", "app")
    await desk.context.close()


async def test_ticket_rules() -> None:
    backend = InMemoryBackendClient()
    desk = await assist_desk(None, backend)
    conversation = await handed_over(desk)
    owner, colleague = await desk.login("wangfang"), await desk.login("chenjing")
    boss = await desk.login("boss")
    await desk.call("POST", f"/conversations/{conversation}/accept", owner)
    path = f"/conversations/{conversation}/ticket"
    good = {"category": "order", "summary": "需要人工跟进"}

    not_owner = await desk.call("POST", path, colleague, body=good)
    no_csrf = await desk.call("POST", path, owner, body=good, csrf=False)
    bad_category = await desk.call("POST", path, owner, body={**good, "category": "x"})
    empty = await desk.call("POST", path, owner, body={**good, "summary": " "})
    bad_key = await desk.call("POST", path, owner, body={**good, "client_key": "有空格 "})
    by_boss = await desk.call("POST", path, boss, body=good)
    backend.unavailable = True
    down = await desk.call("POST", path, owner, body=good)

    assert (not_owner.status, not_owner.json["error"]) == (403, "not_owner")
    assert (no_csrf.status, no_csrf.json["error"]) == (403, "csrf_failed")
    assert (bad_category.status, bad_category.json["error"]) == (400, "invalid_category")
    assert (empty.status, empty.json["error"]) == (400, "invalid_summary")
    assert (bad_key.status, bad_key.json["error"]) == (400, "invalid_client_key")
    assert by_boss.status == 201
    assert (down.status, down.json["error"]) == (503, "backend_unavailable")
    await desk.context.close()
