from __future__ import annotations

import pytest

from zhike.lib.handoff import (
    HandoffService,
    IdempotencyConflict,
    InvalidInput,
    InvalidState,
    NotAllowed,
    NotFound,
)

from .conftest import at


async def with_agent(service: HandoffService, sender: str = "u1") -> int:
    outcome = await service.request_handoff(sender, "rest", None, "orders", {"intent": "x"})
    await service.accept("a1", outcome.conversation_id)
    return outcome.conversation_id


async def test_append_numbers_messages_in_order(service: HandoffService) -> None:
    cid = await with_agent(service)
    texts = [("user", "在吗"), ("agent", "您好"), ("system", "客服已接入"), ("user", "订单")]
    stored = [
        await service.append_message(cid, d, t, f"k{n}", now=at(n))
        for n, (d, t) in enumerate(texts)
    ]
    assert [m.seq for m in stored] == [1, 2, 3, 4] and all(m.created for m in stored)
    listed = await service.messages(cid)
    assert [(m.seq, m.direction, m.text) for m in listed] == [
        (n + 1, d, t) for n, (d, t) in enumerate(texts)
    ]
    assert [m.seq for m in await service.messages(cid, after_seq=2)] == [3, 4]
    assert listed[1].created_at == at(1)


async def test_retry_with_same_key_stores_nothing_twice(service: HandoffService) -> None:
    cid = await with_agent(service)
    first = await service.append_message(cid, "agent", "请稍等", "desk-1", payload={"a": 1})
    again = await service.append_message(cid, "agent", "请稍等", "desk-1", payload={"a": 1})
    assert (again.id, again.seq, again.created, first.created) == (first.id, 1, False, True)
    assert len(await service.messages(cid)) == 1
    with pytest.raises(IdempotencyConflict) as reused:
        await service.append_message(cid, "agent", "别的内容", "desk-1")
    assert reused.value.code == "idempotency_conflict"
    await service.close(cid, "a1", "resolved")
    late_retry = await service.append_message(cid, "agent", "请稍等", "desk-1")
    assert late_retry.id == first.id and not late_retry.created


async def test_first_agent_reply_is_recorded_once(service: HandoffService) -> None:
    cid = await with_agent(service)
    await service.append_message(cid, "user", "你好", "u-1", now=at(1))
    info = await service.conversation(cid)
    assert info.first_agent_reply_at is None
    await service.append_message(cid, "agent", "您好", "a-1", now=at(2))
    await service.append_message(cid, "agent", "还在吗", "a-2", now=at(3))
    assert (await service.conversation(cid)).first_agent_reply_at == at(2)


async def test_message_validation(service: HandoffService) -> None:
    cid = await with_agent(service)
    cases = [
        ("agent", "x" * 2001, "k", "text_too_long"),  # an agent's reply is never cut
        ("user", "   ", "k", "empty_message"),
        ("robot", "hi", "k", "invalid_direction"),
        ("user", "hi", "", "invalid_idempotency_key"),
        ("user", "hi", "k" * 129, "invalid_idempotency_key"),
    ]
    for direction, text, key, code in cases:
        with pytest.raises(InvalidInput) as error:
            await service.append_message(cid, direction, text, key)
        assert error.value.code == code
    assert (await service.append_message(cid, "user", "x" * 2000, "max")).seq == 1
    assert (await service.append_message(cid, "user", "", "card", payload={"image": "u"})).seq == 2
    cut = await service.append_message(cid, "user", "x" * 2001, "long")  # kept, cut
    assert (cut.seq, len(cut.text)) == (3, 2000)
    assert cut.text.endswith("…（已截断）")
    with pytest.raises(NotFound):
        await service.append_message(999, "user", "hi", "k")


async def test_directions_follow_the_state(service: HandoffService) -> None:
    queued = (await service.request_handoff("u1", "rest", None, "orders")).conversation_id
    await service.append_message(queued, "bot", "正在为您转接，前面还有 0 位", "b-1")
    with pytest.raises(InvalidState) as early:
        await service.append_message(queued, "agent", "您好", "a-1")
    assert early.value.code == "message_not_allowed"
    await service.accept("a1", queued)
    with pytest.raises(InvalidState):
        await service.append_message(queued, "bot", "机器人不该说话", "b-2")
    await service.close(queued, "a1", "resolved")
    with pytest.raises(InvalidState):
        await service.append_message(queued, "user", "谢谢", "u-1")
    note = await service.append_message(queued, "system", "会话已结束", "s-1")
    assert note.seq == 2


async def test_route_user_message(service: HandoffService) -> None:
    nobody = await service.route_user_message("u1", "rest", "查订单", "m-1")
    assert (nobody.handler, nobody.conversation_id, nobody.message) == ("bot", None, None)
    cid = (await service.request_handoff("u1", "rest", None, "orders")).conversation_id
    waiting = await service.route_user_message("u1", "rest", "还要等多久", "m-2")
    assert (waiting.handler, waiting.conversation_id) == ("queue", cid)
    assert waiting.message is not None and waiting.message.direction == "user"
    other_channel = await service.route_user_message("u1", "wecom", "你好", "m-3")
    assert other_channel.handler == "bot"
    await service.accept("a1", cid)
    to_agent = await service.route_user_message("u1", "rest", "订单号HP20240001", "m-4")
    assert to_agent.handler == "agent" and to_agent.message is not None
    assert to_agent.message.seq == 2
    retry = await service.route_user_message("u1", "rest", "订单号HP20240001", "m-4")
    assert retry.handler == "agent" and retry.message is not None and not retry.message.created
    await service.close(cid, "a1", "resolved")
    # A retry delivered after the close still never reaches the bot.
    late = await service.route_user_message("u1", "rest", "订单号HP20240001", "m-4")
    assert late.handler == "agent" and late.conversation_id == cid
    fresh = await service.route_user_message("u1", "rest", "新问题", "m-5")
    assert fresh.handler == "bot" and fresh.message is None
    assert [m.text for m in await service.messages(cid)] == ["还要等多久", "订单号HP20240001"]
    with pytest.raises(IdempotencyConflict):
        await service.route_user_message("u1", "rest", "别的", "m-4")


async def test_a_customer_who_stops_waiting_leaves_the_queue(service: HandoffService) -> None:
    cid = (await service.request_handoff("u1", "rest", None, "orders")).conversation_id
    left = await service.route_user_message("u1", "rest", "算了不等了", "m-1", leave_queue=True)
    assert (left.handler, left.conversation_id) == ("left", cid)
    info = await service.conversation(cid)
    assert (info.state, info.disposition, info.agent_id) == ("closed", "user_left", None)
    assert [m.text for m in await service.messages(cid)] == ["算了不等了"]
    assert await service.queue() == []
    retry = await service.route_user_message("u1", "rest", "算了不等了", "m-1", leave_queue=True)
    assert retry.handler == "left" and retry.message is not None and not retry.message.created
    assert (await service.route_user_message("u1", "rest", "查订单", "m-2")).handler == "bot"


async def test_with_an_agent_a_wish_to_stop_goes_to_the_agent(service: HandoffService) -> None:
    cid = (await service.request_handoff("u1", "rest", None, "orders")).conversation_id
    await service.accept("a1", cid)
    said = await service.route_user_message("u1", "rest", "不用人工了", "m-1", leave_queue=True)
    assert said.handler == "agent"
    assert (await service.conversation(cid)).state == "agent"


async def test_the_reply_owner_is_checked_under_the_row_lock(service: HandoffService) -> None:
    cid = await with_agent(service)  # a1 has it
    await service.transfer(cid, "orders", "a1")  # back to the queue
    with pytest.raises(InvalidState) as queued:
        await service.append_message(cid, "agent", "还在吗", "k1", agent_id="a1")
    assert queued.value.code == "not_with_agent"
    await service.accept("a2", cid)  # a colleague has it now: a1's stale page must not write
    with pytest.raises(NotAllowed) as taken:
        await service.append_message(cid, "agent", "还在吗", "k2", agent_id="a1")
    assert taken.value.code == "not_owner"
    with pytest.raises(NotAllowed):  # a supervisor does not reply for the owner either
        await service.append_message(cid, "agent", "主管插话", "k3", agent_id="s1")
    stored = await service.append_message(cid, "agent", "我来处理", "k4", agent_id="a2")
    assert stored.seq == 1
    await service.close(cid, "a2", "resolved")
    again = await service.append_message(cid, "agent", "我来处理", "k4", agent_id="a2")
    assert (again.created, again.seq) == (False, 1)  # a retry after the close is answered
