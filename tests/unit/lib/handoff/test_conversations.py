from __future__ import annotations

from datetime import timedelta

import pytest

from zhike.lib.handoff import (
    AgentAtCapacity,
    AlreadyAccepted,
    AlreadyRated,
    HandoffService,
    InvalidInput,
    InvalidState,
    NotAllowed,
    NotFound,
    skill_group_for,
)

from .conftest import SHANGHAI, T0, at

SUMMARY = {"intent": "query_order", "slots": {"order_id": "HP20240001"}, "failed": "phone"}


async def queue_one(service: HandoffService, sender: str = "u1", group: str = "orders") -> int:
    outcome = await service.request_handoff(sender, "rest", "C001", group, SUMMARY, now=T0)
    assert outcome.status == "queued"
    return outcome.conversation_id


async def test_request_queues_with_position_and_default_wait(service: HandoffService) -> None:
    first = await service.request_handoff("u1", "rest", "C001", "orders", SUMMARY)
    second = await service.request_handoff("u2", "web", None, "orders", None, now=at(1))
    other = await service.request_handoff("u3", "rest", None, "courses", None, now=at(2))
    assert (first.status, first.position, second.position, other.position) == (
        "queued",
        1,
        2,
        1,
    )
    # No MTTA yet: 3 minutes per round; two online order agents take one each per round.
    assert first.expected_wait == second.expected_wait == timedelta(minutes=3)
    info = await service.conversation(first.conversation_id)
    assert (info.state, info.skill_group, info.customer_id) == ("queued", "orders", "C001")
    assert info.summary == SUMMARY and info.handoff_requested_at == T0 == info.queued_at
    assert info.queued_at is not None and info.queued_at.utcoffset() == timedelta(0)


async def test_repeated_request_keeps_the_episode(service: HandoffService) -> None:
    first = await service.request_handoff("u1", "rest", None, "orders", None)
    again = await service.request_handoff("u1", "rest", None, "orders", None, now=at(5))
    assert again.conversation_id == first.conversation_id and again.position == 1
    same_sender_other_channel = await service.request_handoff("u1", "wecom", None, "orders")
    assert same_sender_other_channel.conversation_id != first.conversation_id
    await service.accept("a1", first.conversation_id)
    with_agent = await service.request_handoff("u1", "rest", None, "orders", None)
    assert (with_agent.status, with_agent.conversation_id) == ("with_agent", first.conversation_id)


async def test_expected_wait_from_recent_mtta(service: HandoffService) -> None:
    done = await queue_one(service, "old")
    await service.accept("a1", done, now=at(8))  # MTTA 8 minutes
    await service.set_online("a2", False)
    for n in range(2):
        await service.request_handoff(f"w{n}", "rest", None, "orders", None, now=at(10))
    third = await service.request_handoff("w2", "rest", None, "orders", None, now=at(11))
    assert third.position == 3 and third.expected_wait == timedelta(minutes=24)


async def test_after_hours_opens_a_ticket_case(service: HandoffService) -> None:
    late = T0.replace(hour=22)
    outcome = await service.request_handoff("u1", "rest", None, "orders", SUMMARY, now=late)
    assert outcome.status == "after_hours"
    assert outcome.reply_by == T0.replace(day=5, hour=9) and outcome.position is None
    info = await service.conversation(outcome.conversation_id)
    assert (info.state, info.disposition, info.closed_at) == ("closed", "after_hours", late)
    # The user may ask again the next morning: a new episode.
    morning = await service.request_handoff("u1", "rest", None, "orders", None, now=at(24 * 60))
    assert morning.status == "queued" and morning.conversation_id != outcome.conversation_id


async def test_no_agent_online(service: HandoffService) -> None:
    outcome = await service.request_handoff("u1", "rest", None, "general", None)
    assert outcome.status == "no_agent" and outcome.reply_by == at(120)
    evening = T0.replace(hour=20)
    late = await service.request_handoff("u2", "rest", None, "general", None, now=evening)
    assert late.reply_by == T0.replace(day=5, hour=9)
    await service.set_online("s1", True)  # a supervisor takes every group
    assert (await service.request_handoff("u3", "rest", None, "general")).status == "queued"


async def test_accept_records_mtta_and_checks_rules(service: HandoffService) -> None:
    orders = await queue_one(service, "u1")
    courses = await queue_one(service, "u2", "courses")
    with pytest.raises(NotAllowed) as wrong:
        await service.accept("a1", courses)
    assert wrong.value.code == "wrong_skill_group"
    with pytest.raises(NotFound) as missing:
        await service.accept("nobody", orders)
    assert missing.value.code == "agent_not_found"
    with pytest.raises(NotFound):
        await service.accept("a1", 999)
    with pytest.raises(NotAllowed) as offline:
        await service.accept("s1", orders)
    assert offline.value.code == "agent_offline"
    info = await service.accept("a1", orders, now=at(4))
    assert (info.state, info.agent_id, info.mtta) == ("agent", "a1", timedelta(minutes=4))
    assert (await service.accept("a1", orders)).agent_id == "a1"  # a retry is harmless
    with pytest.raises(AlreadyAccepted) as taken:
        await service.accept("a2", orders)
    assert taken.value.code == "already_accepted"
    await service.set_online("s1", True)
    assert (await service.accept("s1", courses)).agent_id == "s1"


async def test_max_concurrent_chats(service: HandoffService) -> None:
    ids = [await queue_one(service, f"u{n}") for n in range(3)]
    await service.accept("a1", ids[0])
    await service.accept("a1", ids[1])
    with pytest.raises(AgentAtCapacity) as full:
        await service.accept("a1", ids[2])
    assert full.value.code == "agent_at_capacity"
    await service.close(ids[0], "a1", "resolved")
    assert (await service.accept("a1", ids[2])).agent_id == "a1"


async def test_full_episode_timestamps_and_back_to_bot(service: HandoffService) -> None:
    cid = await queue_one(service)
    await service.accept("a2", cid, now=at(2))
    await service.append_message(cid, "agent", "您好，我是客服刘洋", "k-a1", now=at(3))
    info = await service.close(cid, "a2", "resolved", now=at(30))
    assert (info.state, info.disposition) == ("closed", "resolved")
    assert (info.mtta, info.first_reply, info.mttr) == (
        timedelta(minutes=2),
        timedelta(minutes=3),
        timedelta(minutes=30),
    )
    with pytest.raises(InvalidState) as closed:
        await service.close(cid, "a2", "resolved")
    assert closed.value.code == "already_closed"
    with pytest.raises(InvalidState):
        await service.accept("a2", cid)
    rated = await service.rate(cid, 5, "  很满意 ", now=at(31))
    assert (rated.rating, rated.comment, rated.rated_at) == (5, "很满意", at(31))
    with pytest.raises(AlreadyRated) as twice:
        await service.rate(cid, 1)
    assert twice.value.code == "already_rated"
    decision = await service.route_user_message("u1", "rest", "还有个问题", "k-u9")
    assert decision.handler == "bot" and decision.message is None


async def test_close_permissions(service: HandoffService) -> None:
    cid = await queue_one(service)
    await service.accept("a1", cid)
    with pytest.raises(NotAllowed) as anonymous:
        await service.close(cid, None, "resolved")
    assert anonymous.value.code == "agent_required"
    with pytest.raises(NotAllowed) as other:
        await service.close(cid, "a2", "resolved")
    assert other.value.code == "not_owner"
    assert (await service.close(cid, "s1", "supervisor_closed")).state == "closed"
    waiting = await queue_one(service, "u2")
    left = await service.close(waiting, None, "user_left")
    assert left.disposition == "user_left" and left.agent_assigned_at is None
    with pytest.raises(InvalidInput):
        await service.close(waiting, None, " ")


async def test_rating_validation(service: HandoffService) -> None:
    cid = await queue_one(service)
    with pytest.raises(InvalidState) as open_:
        await service.rate(cid, 4)
    assert open_.value.code == "not_rateable"
    await service.close(cid, None, "user_left")
    with pytest.raises(InvalidState):
        await service.rate(cid, 4)  # never reached an agent
    served = await queue_one(service, "u2")
    await service.accept("a1", served)
    await service.close(served, "a1", "resolved")
    for bad in (0, 6, 3.5, True, "5"):
        with pytest.raises(InvalidInput) as error:
            await service.rate(served, bad)  # type: ignore[arg-type]
        assert error.value.code == "invalid_rating"
    with pytest.raises(InvalidInput) as long:
        await service.rate(served, 3, "长" * 501)
    assert long.value.code == "comment_too_long"
    assert (await service.rate(served, 1, "")).comment is None


async def test_transfer(service: HandoffService) -> None:
    cid = await queue_one(service)
    moved = await service.transfer(cid, "courses")
    assert (moved.state, moved.skill_group, moved.queued_at) == ("queued", "courses", T0)
    await service.accept("a2", cid, now=at(5))
    with pytest.raises(NotAllowed):
        await service.transfer(cid, "orders", "a1")
    back = await service.transfer(cid, "orders", "a2", now=at(10))
    assert (back.state, back.agent_id, back.queued_at) == ("queued", None, at(10))
    assert back.agent_assigned_at == at(5)  # the first assignment stays for MTTA
    with pytest.raises(InvalidInput) as unknown:
        await service.transfer(cid, "vip")
    assert unknown.value.code == "invalid_skill_group"
    await service.close(cid, None, "user_left")
    with pytest.raises(InvalidState):
        await service.transfer(cid, "general")


async def test_queue_and_agent_load(service: HandoffService) -> None:
    first = await queue_one(service, "u1")
    await service.request_handoff("u2", "rest", None, "courses", None, now=at(1))
    third = await service.request_handoff("u3", "rest", None, "orders", None, now=at(2))
    entries = await service.queue(now=at(10))
    assert [(e.sender_id, e.skill_group, e.position) for e in entries] == [
        ("u1", "orders", 1),
        ("u2", "courses", 1),
        ("u3", "orders", 2),
    ]
    assert [e.waiting for e in entries] == [timedelta(minutes=m) for m in (10, 9, 8)]
    await service.accept("a1", first)
    orders = await service.queue("orders", now=at(10))
    assert [(e.conversation_id, e.position) for e in orders] == [(third.conversation_id, 1)]
    loads = {load.agent_id: load for load in await service.agent_load()}
    assert (loads["a1"].active, loads["a1"].free, loads["a1"].conversation_ids) == (1, 1, (first,))
    assert (loads["a2"].active, loads["s1"].free, loads["s1"].supervisor) == (0, 0, True)
    with pytest.raises(InvalidInput):
        await service.queue("vip")


async def test_input_validation(service: HandoffService) -> None:
    with pytest.raises(InvalidInput) as group:
        await service.request_handoff("u1", "rest", None, "vip", None)
    assert group.value.code == "invalid_skill_group"
    with pytest.raises(InvalidInput) as sender:
        await service.request_handoff("", "rest", None, "orders", None)
    assert sender.value.code == "invalid_sender_id"
    with pytest.raises(InvalidInput) as naive:
        await service.request_handoff("u1", "rest", now=T0.replace(tzinfo=None))
    assert naive.value.code == "naive_datetime"
    with pytest.raises(InvalidInput):
        await service.save_agent("a9", "x", ["vip"])
    assert str(group.value).startswith("invalid_skill_group: ")
    assert T0.tzinfo is SHANGHAI


def test_skill_group_for_topics() -> None:
    assert skill_group_for("query_order") == "orders"
    assert skill_group_for("request_refund") == "orders"
    assert skill_group_for("request_invoice") == "orders"
    assert skill_group_for("reschedule_course") == "courses"
    assert skill_group_for("Query_Course") == "courses"
    assert skill_group_for("complain") == "general"
    assert skill_group_for(None) == "general"


async def test_a_rating_right_after_an_agent_closed_rates_that_conversation(
    service: HandoffService,
) -> None:
    served = await queue_one(service, "u-csat")
    await service.accept("a1", served, now=at(1))
    await service.close(served, "a1", "resolved", now=at(5))

    rated = await service.rate_latest("u-csat", "rest", None, 4, "客服很耐心", now=at(6))
    assert (rated.id, rated.rating, rated.comment) == (served, 4, "客服很耐心")

    # A later rating (the next conversation was the bot's) gets its own bot-only episode.
    bot = await service.rate_latest("u-csat", "rest", "C001", 5, None, now=at(7))
    assert bot.id != served and bot.rating == 5
    assert (bot.state, bot.agent_id, bot.disposition) == ("closed", None, "bot")
    assert bot.customer_id == "C001"


async def test_a_rating_long_after_the_agent_rates_the_bot(service: HandoffService) -> None:
    served = await queue_one(service, "u-late")
    await service.accept("a1", served, now=at(1))
    await service.close(served, "a1", "resolved", now=at(2))
    late = await service.rate_latest("u-late", "rest", None, 2, None, now=at(2 + 25 * 60))
    assert late.id != served and late.disposition == "bot"
    assert (await service.conversation(served)).rating is None
    with pytest.raises(InvalidInput):
        await service.rate_latest("u-late", "rest", None, 9, None, now=at(2 + 26 * 60))
