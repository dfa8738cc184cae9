"""The reply to "要先处理X吗？" in the middle of a form: switch, go on, or hand back."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.topic_switch import ActionResolveSwitch
from tests.unit.actions.conftest import Turn
from tests.unit.actions.switching import events_of, in_form, responses


def _asked(turn: Turn, text: str, intent: str) -> Tracker:
    offer = {"intent": "request_refund", "slots": {"order_id": "HP20240001"}}
    return in_form(
        turn(
            text,
            intent,
            requested_slot="confirmed",
            order_id="HP20240003",
            switch_state="asked",
            switch_offer=offer,
        ),
        "cancel_order_form",
    )


async def test_yes_ends_the_form_and_starts_the_offered_request_with_its_order(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    events = await ActionResolveSwitch().run(
        dispatcher, _asked(zhang, "好的呀", "affirm"), real_domain
    )
    slots = {event["name"]: event["value"] for event in events_of(events, "slot")}
    assert slots["order_id"] == "HP20240001" and slots["confirmed"] is None
    assert slots["switch_state"] is None and slots["switch_offer"] is None
    assert events_of(events, "active_loop")[0]["name"] is None
    assert events_of(events, "followup")[0]["name"] == "refund_form"


async def test_keep_going_resumes_the_form(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    events = await ActionResolveSwitch().run(
        dispatcher, _asked(zhang, "继续吧", "inform"), real_domain
    )
    assert responses(dispatcher) == ["utter_switch_kept"]
    assert not events_of(events, "followup") and not events_of(events, "active_loop")
    assert {e["name"]: e["value"] for e in events_of(events, "slot")}["switch_state"] is None


async def test_asking_for_the_offered_request_again_means_yes(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    events = await ActionResolveSwitch().run(
        dispatcher, _asked(zhang, "我要退款", "request_refund"), real_domain
    )
    assert events_of(events, "followup")[0]["name"] == "refund_form"


async def test_something_else_is_handed_back_to_the_form(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    events = await ActionResolveSwitch().run(
        dispatcher, _asked(zhang, "东西是好的就是不想要了", "inform"), real_domain
    )
    assert events_of(events, "action_execution_rejected")
    assert not dispatcher.messages
    slots = {event["name"]: event["value"] for event in events_of(events, "slot")}
    assert slots == {"switch_state": None, "switch_offer": None}


def _offered(turn: Turn, text: str) -> Tracker:
    """ "我要改地址", "不是这个 我想问问运费怎么算", the switch offered, then ``text``."""
    offer = {"intent": "ask_shipping", "slots": {}}
    tracker = in_form(
        turn(
            text,
            "nlu_fallback",
            requested_slot="order_id",
            switch_state="asked",
            switch_offer=offer,
        ),
        "address_form",
    )
    buttons = [
        {"title": "先咨询送达时间和运费", "payload": "/affirm"},
        {"title": "继续修改收货地址", "payload": "/deny"},
    ]
    tracker.events[-1:-1] = [
        {"event": "action", "name": "action_answer_interruption"},
        {"event": "bot", "text": "您正在办理「修改收货地址」…", "data": {"buttons": buttons}},
        {"event": "action", "name": "action_listen"},
    ]
    return tracker


async def test_a_reply_in_the_words_of_one_choice_takes_it(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    # "那改吧": the address change goes on (was: "您是想咨询…", and the form lost)
    events = await ActionResolveSwitch().run(dispatcher, _offered(zhang, "那改吧"), real_domain)
    assert responses(dispatcher) == ["utter_switch_kept"]
    assert not events_of(events, "action_execution_rejected") and not events_of(events, "followup")
    dispatcher.messages.clear()
    # "运费吧": the other one's words, the question first
    events = await ActionResolveSwitch().run(dispatcher, _offered(zhang, "运费吧"), real_domain)
    assert events_of(events, "followup")[0]["name"] == "action_presales_answer"
