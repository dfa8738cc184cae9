"""What the desk stores of a customer: masked, clean, bounded; a long message never blocks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionRelayToAgent
from zhike.lib.handoff import HandoffService, InvalidInput
from zhike.lib.handoff.runtime import set_handoff_service
from zhike.lib.handoff.text import TRUNCATION_MARK, clean_text, stored_data, stored_text

SENDER = "web-long"


@pytest.fixture
async def relaying(service: HandoffService) -> AsyncIterator[HandoffService]:
    set_handoff_service(service)
    yield service
    set_handoff_service(None)


def _tracker(texts: list[str], relayed: str | None) -> Tracker:
    """The conversation after the handoff: the customer wrote ``texts``, in order."""
    events: list[dict[str, Any]] = [{"event": "action", "name": "action_request_handoff"}]
    for n, text in enumerate(texts, start=1):
        events += [
            {"event": "user", "text": text, "message_id": f"m{n}", "input_channel": "rest"},
            {"event": "action", "name": "action_relay_to_agent"},
            {"event": "action", "name": "action_listen"},
        ]
    latest = {"text": texts[-1], "message_id": f"m{len(texts)}"}
    return Tracker(
        SENDER,
        {"handoff_state": "agent", "handoff_relayed": relayed},
        latest,
        events[:-2],
        False,
        None,
        {},
        "action_listen",
    )


async def test_a_long_message_and_the_next_one_both_reach_the_desk_in_order(
    relaying: HandoffService,
) -> None:
    cid = (await relaying.request_handoff(SENDER, "rest", None, "orders")).conversation_id
    await relaying.accept("a1", cid)
    long_text = "我想说明一下情况，" + "很" * 4990 + "着急"
    assert len(long_text) >= 5000

    relayed = None
    for texts in ([long_text], [long_text, "还在吗？"]):
        dispatcher = CollectingDispatcher()
        events = await ActionRelayToAgent().run(dispatcher, _tracker(texts, relayed), {})
        assert dispatcher.messages == []  # no "relay delayed" apology
        relayed = next(e["value"] for e in events if e["name"] == "handoff_relayed")

    stored = [m for m in await relaying.messages(cid) if m.direction == "user"]
    assert [m.seq for m in stored] == [1, 2]
    assert len(stored[0].text) == 2000
    assert stored[0].text.startswith("我想说明一下情况，很很")
    assert stored[0].text.endswith(TRUNCATION_MARK)
    assert stored[1].text == "还在吗？"


async def test_relayed_messages_are_stored_masked_and_retries_still_match(
    service: HandoffService,
) -> None:
    cid = (await service.request_handoff("u1", "rest", None, "orders")).conversation_id
    text = "手机13800138000，身份证110101199003071234"
    first = await service.route_user_message("u1", "rest", text, "k1")
    again = await service.route_user_message("u1", "rest", text, "k1")
    assert first.message is not None and again.message is not None
    assert first.message.text == "手机138****8000，身份证110101********1234"
    assert (again.message.created, again.message.seq) == (False, first.message.seq)
    [stored] = await service.messages(cid)
    assert "13800138000" not in stored.text


async def test_the_summary_and_the_rating_comment_are_stored_masked(
    service: HandoffService,
) -> None:
    summary = {
        "reason": "客户要求转人工",
        "slots": {"phone": "13800138000", "note": "身份证110101199003071234"},
        "recent_messages": ["我的手机是 138 0013 8000", "bad\x00nul", "lone \ud800 half"],
        "score": float("nan"),
    }
    cid = (await service.request_handoff("u1", "rest", None, "orders", summary)).conversation_id
    info = await service.conversation(cid)
    dumped = repr(info.summary)
    assert "13800138000" not in dumped and "138 0013 8000" not in dumped
    assert info.summary["slots"]["phone"] == "138****8000"
    assert info.summary["recent_messages"][1:] == ["badnul", "lone \ufffd half"]
    assert info.summary["score"] is None
    await service.accept("a1", cid)
    await service.close(cid, "a1", "resolved")
    rated = await service.rate(cid, 2, "打我电话13800138000")
    assert rated.comment == "打我电话138****8000"


@pytest.mark.parametrize("text", ["bad\x00byte", "lone \udc00 surrogate"])
async def test_text_no_database_can_store_is_cleaned_not_refused(
    service: HandoffService, text: str
) -> None:
    cid = (await service.request_handoff("u1", "rest", None, "orders")).conversation_id
    decision = await service.route_user_message("u1", "rest", text, "k1")
    assert decision.message is not None
    assert "\x00" not in decision.message.text
    decision.message.text.encode("utf-8")  # storable and showable
    assert len(await service.messages(cid)) == 1


async def test_sender_ids_no_database_can_store_are_refused(service: HandoffService) -> None:
    with pytest.raises(InvalidInput):
        await service.request_handoff("u\x001", "rest", None, "orders")


def test_the_helpers() -> None:
    assert clean_text("a\x00b\ud83d\ude00c\ud800") == "ab😀c\ufffd"
    assert stored_text("x" * 10, 10) == "x" * 10
    cut = stored_text("x" * 11, 10)
    assert len(cut) == 10 and cut.endswith(TRUNCATION_MARK)
    assert stored_text("x" * 11, 3) == TRUNCATION_MARK[:3]
    assert stored_data({"13800138000": ["13800138000"], "n": 1}, 100) == {
        "138****8000": ["138****8000"],
        "n": 1,
    }
