"""The agent routes: queue, accept, transcript, reply, transfer, close and their refusals."""

from __future__ import annotations

import pytest

from .conftest import Desk, queued


async def test_full_flow_from_handoff_to_close(desk: Desk) -> None:
    cid = await queued(desk, intent="query_order", order_id="HP20240001")
    desk.clock.advance(minutes=2)
    agent = await desk.login("wangfang")

    queue = await desk.call("GET", "/queue", agent)
    assert queue.status == 200
    entries = queue.json["groups"]["orders"]
    assert list(queue.json["groups"]) == ["orders"]
    assert [(e["conversation_id"], e["position"], e["waiting_seconds"]) for e in entries] == [
        (cid, 1, 120)
    ]

    accepted = await desk.call("POST", f"/conversations/{cid}/accept", agent)
    assert accepted.status == 200
    assert accepted.json["conversation"]["state"] == "agent"
    assert accepted.json["conversation"]["agent_id"] == "a1"
    assert accepted.json["bot_notified"] is True
    assert desk.sink.taken_over_ids == [cid]  # the bot stays silent from now on
    assert (await desk.call("GET", "/queue", agent)).json["groups"]["orders"] == []

    detail = await desk.call("GET", f"/conversations/{cid}", agent)
    assert detail.status == 200
    assert detail.json["conversation"]["summary"] == {
        "intent": "query_order",
        "order_id": "HP20240001",
    }
    assert [(m["seq"], m["direction"], m["text"]) for m in detail.json["messages"]] == [
        (1, "user", "我的快递怎么还没到？")
    ]

    reply = await desk.call(
        "POST", f"/conversations/{cid}/messages", agent, body={"text": "您好，我来帮您查一下。"}
    )
    assert reply.status == 201
    assert reply.json["delivered"] is True
    assert reply.json["message"]["seq"] == 2
    assert reply.json["message"]["direction"] == "agent"
    [(conversation, message)] = desk.sink.delivered
    assert conversation.id == cid and conversation.sender_id == "demo"
    assert message.text == "您好，我来帮您查一下。"
    assert message.payload == {"agent_id": "a1"}

    await desk.handoff.route_user_message("demo", "rest", "好的谢谢", "demo-m2")
    polled = await desk.call("GET", f"/conversations/{cid}?after_seq=2", agent)
    assert [m["text"] for m in polled.json["messages"]] == ["好的谢谢"]
    transcript = await desk.call("GET", f"/conversations/{cid}", agent)
    assert [m["seq"] for m in transcript.json["messages"]] == [1, 2, 3]

    closed = await desk.call(
        "POST", f"/conversations/{cid}/close", agent, body={"disposition": "resolved"}
    )
    assert closed.status == 200
    assert closed.json["conversation"]["state"] == "closed"
    assert closed.json["conversation"]["disposition"] == "resolved"
    assert desk.sink.handed_back_ids == [cid]  # the bot answers again
    info = await desk.handoff.conversation(cid)
    assert info.closed_at is not None and info.first_agent_reply_at is not None


async def test_a_retried_reply_is_stored_and_delivered_once(desk: Desk) -> None:
    cid = await queued(desk)
    agent = await desk.login("wangfang")
    await desk.call("POST", f"/conversations/{cid}/accept", agent)
    body = {"text": "稍等", "client_message_id": "r-1"}
    first = await desk.call("POST", f"/conversations/{cid}/messages", agent, body=body)
    again = await desk.call("POST", f"/conversations/{cid}/messages", agent, body=body)
    assert (first.status, again.status) == (201, 200)
    assert again.json["message"]["seq"] == first.json["message"]["seq"]
    assert again.json["delivered"] is None
    assert len(desk.sink.delivered) == 1


async def test_a_bot_that_missed_the_take_over_or_hand_back_changes_nothing_stored(
    desk: Desk,
) -> None:
    cid = await queued(desk)
    agent = await desk.login("wangfang")
    desk.sink.fail = True
    accepted = await desk.call("POST", f"/conversations/{cid}/accept", agent)
    assert (accepted.status, accepted.json["bot_notified"]) == (200, False)
    closed = await desk.call(
        "POST", f"/conversations/{cid}/close", agent, body={"disposition": "resolved"}
    )
    assert (closed.status, closed.json["bot_notified"]) == (200, False)
    assert (await desk.handoff.conversation(cid)).state == "closed"


async def test_a_failing_sink_keeps_the_reply_and_says_so(desk: Desk) -> None:
    cid = await queued(desk)
    agent = await desk.login("wangfang")
    await desk.call("POST", f"/conversations/{cid}/accept", agent)
    desk.sink.fail = True
    reply = await desk.call("POST", f"/conversations/{cid}/messages", agent, body={"text": "在吗"})
    assert reply.status == 201
    assert reply.json["delivered"] is False
    assert [m.direction for m in await desk.handoff.messages(cid)] == ["user", "agent"]


async def test_html_in_a_reply_is_stored_and_returned_as_text(desk: Desk) -> None:
    cid = await queued(desk)
    agent = await desk.login("wangfang")
    await desk.call("POST", f"/conversations/{cid}/accept", agent)
    html = '<script>alert("x")</script><b>退款</b> &amp; <img src=x onerror=alert(1)>'
    reply = await desk.call("POST", f"/conversations/{cid}/messages", agent, body={"text": html})
    assert reply.json["message"]["text"] == html
    detail = await desk.call("GET", f"/conversations/{cid}", agent)
    assert detail.json["messages"][-1]["text"] == html
    assert detail.headers["content-type"].startswith("application/json")
    assert detail.headers["x-content-type-options"] == "nosniff"
    assert (await desk.handoff.messages(cid))[-1].text == html


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"text": ""}, "empty_message"),
        ({"text": "  \n\t"}, "empty_message"),
        ({"text": "长" * 2001}, "text_too_long"),
        ({"text": None}, "invalid_text"),
        ({"text": ["hi"]}, "invalid_text"),
        ({}, "invalid_text"),
        ({"text": "hi", "client_message_id": "no spaces allowed"}, "invalid_client_message_id"),
        (["hi"], "invalid_body"),
    ],
)
async def test_bad_replies_are_refused(desk: Desk, body: object, code: str) -> None:
    cid = await queued(desk)
    agent = await desk.login("wangfang")
    await desk.call("POST", f"/conversations/{cid}/accept", agent)
    response = await desk.call("POST", f"/conversations/{cid}/messages", agent, body=body)
    assert response.status == 400
    assert response.json["error"] == code
    assert isinstance(response.json["message"], str)
    assert [m.direction for m in await desk.handoff.messages(cid)] == ["user"]
    assert desk.sink.delivered == []


async def test_a_reply_of_exactly_2000_characters_is_fine(desk: Desk) -> None:
    cid = await queued(desk)
    agent = await desk.login("wangfang")
    await desk.call("POST", f"/conversations/{cid}/accept", agent)
    response = await desk.call(
        "POST", f"/conversations/{cid}/messages", agent, body={"text": "好" * 2000}
    )
    assert response.status == 201


async def test_malformed_json_and_huge_bodies(desk: Desk) -> None:
    cid = await queued(desk)
    agent = await desk.login("wangfang")
    await desk.call("POST", f"/conversations/{cid}/accept", agent)
    path = f"/conversations/{cid}/messages"
    broken = await desk.call("POST", path, agent, content=b'{"text": "hi"')
    assert (broken.status, broken.json["error"]) == (400, "malformed_json")
    not_utf8 = await desk.call("POST", path, agent, content=b'{"text": "\xff"}')
    assert (not_utf8.status, not_utf8.json["error"]) == (400, "malformed_json")
    huge = await desk.call("POST", path, agent, body={"text": "x" * (64 * 1024)})
    assert (huge.status, huge.json["error"]) == (413, "payload_too_large")
    assert [m.direction for m in await desk.handoff.messages(cid)] == ["user"]


async def test_only_the_owner_replies(desk: Desk) -> None:
    cid = await queued(desk)
    owner, colleague = await desk.login("wangfang"), await desk.login("chenjing")
    queued_reply = await desk.call(
        "POST", f"/conversations/{cid}/messages", owner, body={"text": "hi"}
    )
    assert (queued_reply.status, queued_reply.json["error"]) == (409, "not_with_agent")
    await desk.call("POST", f"/conversations/{cid}/accept", owner)
    response = await desk.call(
        "POST", f"/conversations/{cid}/messages", colleague, body={"text": "hi"}
    )
    assert (response.status, response.json["error"]) == (403, "not_owner")
    # the colleague of the same group may read it, but not take or close it
    assert (await desk.call("GET", f"/conversations/{cid}", colleague)).status == 200
    taken = await desk.call("POST", f"/conversations/{cid}/accept", colleague)
    assert (taken.status, taken.json["error"]) == (409, "already_accepted")
    closed = await desk.call(
        "POST", f"/conversations/{cid}/close", colleague, body={"disposition": "resolved"}
    )
    assert (closed.status, closed.json["error"]) == (403, "not_owner")


async def test_an_orders_agent_cannot_see_or_touch_a_courses_conversation(desk: Desk) -> None:
    cid = await queued(desk, sender="parent", group="courses", intent="query_course")
    orders = await desk.login("wangfang")
    queue = await desk.call("GET", "/queue", orders)
    assert list(queue.json["groups"]) == ["orders"]
    refused = [
        await desk.call("GET", "/queue?group=courses", orders),
        await desk.call("GET", f"/conversations/{cid}", orders),
        await desk.call("POST", f"/conversations/{cid}/accept", orders),
        await desk.call("POST", f"/conversations/{cid}/messages", orders, body={"text": "hi"}),
        await desk.call(
            "POST", f"/conversations/{cid}/transfer", orders, body={"skill_group": "orders"}
        ),
        await desk.call(
            "POST", f"/conversations/{cid}/close", orders, body={"disposition": "resolved"}
        ),
    ]
    assert [(r.status, r.json["error"]) for r in refused] == [(403, "forbidden_group")] * 6
    assert "我的快递" not in "".join(r.text for r in refused)
    info = await desk.handoff.conversation(cid)
    assert (info.state, info.skill_group) == ("queued", "courses")

    courses = await desk.login("liuyang")
    assert (await desk.call("POST", f"/conversations/{cid}/accept", courses)).status == 200


async def test_transfer_moves_the_conversation_out_of_the_agents_reach(desk: Desk) -> None:
    cid = await queued(desk)
    orders, courses = await desk.login("wangfang"), await desk.login("liuyang")
    await desk.call("POST", f"/conversations/{cid}/accept", orders)
    moved = await desk.call(
        "POST", f"/conversations/{cid}/transfer", orders, body={"skill_group": "courses"}
    )
    assert moved.status == 200
    assert moved.json["conversation"]["state"] == "queued"
    assert moved.json["conversation"]["skill_group"] == "courses"
    assert (await desk.call("GET", f"/conversations/{cid}", orders)).status == 403
    queue = await desk.call("GET", "/queue?group=courses", courses)
    assert [e["conversation_id"] for e in queue.json["groups"]["courses"]] == [cid]
    for body in ({"skill_group": "vip"}, {}, {"skill_group": 3}):
        bad = await desk.call("POST", f"/conversations/{cid}/transfer", courses, body=body)
        assert (bad.status, bad.json["error"]) == (400, "invalid_skill_group")


@pytest.mark.parametrize("body", [{}, {"disposition": ""}, {"disposition": "x" * 65}])
async def test_close_needs_a_disposition(desk: Desk, body: object) -> None:
    cid = await queued(desk)
    agent = await desk.login("wangfang")
    await desk.call("POST", f"/conversations/{cid}/accept", agent)
    response = await desk.call("POST", f"/conversations/{cid}/close", agent, body=body)
    assert (response.status, response.json["error"]) == (400, "invalid_disposition")
    assert (await desk.handoff.conversation(cid)).state == "agent"


async def test_closing_twice_and_unknown_conversations(desk: Desk) -> None:
    cid = await queued(desk)
    agent = await desk.login("wangfang")
    await desk.call("POST", f"/conversations/{cid}/accept", agent)
    close = {"disposition": "resolved"}
    assert (await desk.call("POST", f"/conversations/{cid}/close", agent, body=close)).status == 200
    again = await desk.call("POST", f"/conversations/{cid}/close", agent, body=close)
    assert (again.status, again.json["error"]) == (409, "already_closed")
    missing = await desk.call("GET", "/conversations/999", agent)
    assert (missing.status, missing.json["error"]) == (404, "conversation_not_found")
    bad_seq = await desk.call("GET", f"/conversations/{cid}?after_seq=-1", agent)
    assert (bad_seq.status, bad_seq.json["error"]) == (400, "invalid_after_seq")


async def test_going_offline_stops_accepting(desk: Desk) -> None:
    cid = await queued(desk)
    agent = await desk.login("wangfang")
    off = await desk.call("POST", "/me/status", agent, body={"online": False})
    assert off.status == 200
    assert off.json["agent"]["online"] is False
    refused = await desk.call("POST", f"/conversations/{cid}/accept", agent)
    assert (refused.status, refused.json["error"]) == (403, "agent_offline")
    assert (await desk.call("GET", "/me", agent)).json["agent"]["online"] is False
    on = await desk.call("POST", "/me/status", agent, body={"online": True})
    assert on.json["agent"]["online"] is True
    assert (await desk.call("POST", f"/conversations/{cid}/accept", agent)).status == 200
    bad = await desk.call("POST", "/me/status", agent, body={"online": "yes"})
    assert (bad.status, bad.json["error"]) == (400, "invalid_online")


async def test_capacity_is_enforced(desk: Desk) -> None:
    agent = await desk.login("wangfang")  # max_concurrent=2
    ids = [await queued(desk, sender=f"c{i}") for i in range(3)]
    for cid in ids[:2]:
        assert (await desk.call("POST", f"/conversations/{cid}/accept", agent)).status == 200
    full = await desk.call("POST", f"/conversations/{ids[2]}/accept", agent)
    assert (full.status, full.json["error"]) == (409, "agent_at_capacity")
