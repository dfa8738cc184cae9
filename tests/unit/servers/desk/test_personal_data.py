"""Phone and ID-card numbers in the desk: stored masked, shown masked, never in errors."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from zhike.lib.handoff import IdempotencyConflict

from .conftest import Desk, build_desk, desk_settings
from .served import served

PHONE, MASKED_PHONE = "13800138000", "138****8000"
ID_CARD, MASKED_ID = "110101199003071234", "110101********1234"
RAW = (PHONE, "138 0013 8000", "138-0013-8000", ID_CARD)


def assert_masked(shown: str) -> None:
    for raw in RAW:
        assert raw not in shown, shown


async def _handed_over(desk: Desk, sender: str = PHONE) -> int:
    """A REST customer whose sender id is their phone number, with personal data everywhere."""
    summary = {
        "reason": "客户要求转人工",
        "intent": "query_order",
        "slots": {"order_id": "HP20240001", "refund_reason": f"联系电话 {PHONE}"},
        "recent_messages": [f"我的身份证是{ID_CARD}", "手机 138 0013 8000"],
    }
    outcome = await desk.handoff.request_handoff(sender, "rest", PHONE, "orders", summary)
    await desk.handoff.route_user_message(sender, "rest", f"打我电话{PHONE}", f"{sender}-m1")
    return outcome.conversation_id


async def test_relayed_text_and_summary_are_stored_masked(desk: Desk) -> None:
    cid = await _handed_over(desk)
    async with desk.handoff.db.session() as session:
        stored = (await session.execute(text("SELECT text FROM handoff_messages"))).all()
        summaries = (await session.execute(text("SELECT summary FROM handoff_conversations"))).all()
    assert_masked(repr(stored) + repr(summaries))
    assert MASKED_PHONE in repr(stored)
    info = await desk.handoff.conversation(cid)
    assert info.summary["recent_messages"] == [f"我的身份证是{MASKED_ID}", "手机 138****8000"]


async def test_every_desk_document_is_masked(desk: Desk) -> None:
    cid = await _handed_over(desk)
    # a row stored before the handoff library masked anything
    async with desk.handoff.db.transaction() as session:
        await session.execute(
            text(
                "INSERT INTO handoff_messages (conversation_id, seq, direction, text, payload,"
                " idempotency_key, created_at) VALUES (:cid, 2, 'user', :text, NULL, 'old',"
                " '2024-06-04 02:00:00.000000')"
            ),
            {"cid": cid, "text": f"旧消息 {PHONE}"},
        )
        await session.execute(
            text("UPDATE handoff_conversations SET last_seq = 2, summary = :s WHERE id = :cid"),
            {"cid": cid, "s": f'{{"reason": "电话{PHONE}"}}'},
        )
    agent, boss = await desk.login("wangfang"), await desk.login("boss")
    shown = [
        await desk.call("GET", "/queue", agent),
        await desk.call("GET", "/supervisor/queues", boss),
        await desk.call("GET", "/supervisor/conversations", boss),
        await desk.call("POST", f"/conversations/{cid}/accept", agent),
        await desk.call("GET", f"/conversations/{cid}", agent),
    ]
    reply = await desk.call(
        "POST", f"/conversations/{cid}/messages", agent, body={"text": f"已记下您的电话{PHONE}"}
    )
    shown += [reply, await desk.call("GET", f"/conversations/{cid}", agent)]
    shown.append(await desk.call("GET", "/supervisor/deliveries?state=delivered", boss))
    for response in shown:
        assert response.status in (200, 201), response.text
        assert_masked(response.text)
    detail = shown[-2].json
    assert detail["conversation"]["sender_id"] == MASKED_PHONE
    assert detail["conversation"]["summary"] == {"reason": f"电话{MASKED_PHONE}"}
    assert [m["text"] for m in detail["messages"]] == [
        f"打我电话{MASKED_PHONE}",
        f"旧消息 {MASKED_PHONE}",
        f"已记下您的电话{MASKED_PHONE}",
    ]
    # the customer gets the agent's words as written
    [(_, delivered)] = desk.sink.delivered
    assert delivered.text == f"已记下您的电话{PHONE}"


async def test_errors_do_not_echo_personal_data(desk: Desk) -> None:
    agent = await desk.login("wangfang")
    for path in (f"/no-such-route/{PHONE}", f"/conversations/{PHONE}"):
        response = await desk.call("GET", path, agent)
        assert response.status == 404
        assert_masked(response.text)
    await _handed_over(desk, "web-1")
    with pytest.raises(IdempotencyConflict) as reused:  # a key used for another message
        await desk.handoff.route_user_message("web-1", "rest", f"改口{PHONE}", "web-1-m1")
    assert_masked(str(reused.value))


async def test_the_served_desk_logs_no_personal_data(caplog: pytest.LogCaptureFixture) -> None:
    desk = await build_desk(desk_settings())
    caplog.set_level(logging.DEBUG)
    try:
        cid = await _handed_over(desk)
        async with served(desk) as server:
            await server.login("wangfang")
            await server.request("POST", f"/conversations/{cid}/accept", "wangfang")
            await server.request(
                "POST", f"/conversations/{cid}/messages", "wangfang", body={"text": PHONE}
            )
            await server.request("GET", f"/conversations/{cid}", "wangfang")
            await server.request("GET", f"/nothing/{PHONE}", "wangfang")
    finally:
        await desk.context.close()
    # the desk's lines and its libraries' (not this test's own HTTP client's)
    lines = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert any(r.name.startswith("zhike.servers.desk") for r in lines)
    assert_masked("\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in lines))
