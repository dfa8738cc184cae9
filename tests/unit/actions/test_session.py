"""The session start records whether the customer is a VIP (for the dialogue policy)."""

from __future__ import annotations

import time

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.session import ActionSessionStart
from zhike.lib.backend_client.fake import InMemoryBackendClient
from zhike.lib.identity.assertion import METADATA_KEY, sign

from .conftest import Turn, make_turn

DOMAIN = {"session_config": {"carry_over_slots_to_new_session": True}}


def _starting(turn: Turn, metadata: dict | None = None, **slots: object) -> Tracker:
    """A conversation about to start a new session with ``metadata`` (first message's)."""
    return turn("", "greet", session_started_metadata=metadata or {}, **slots)


def _vip(events: list[dict]) -> object:
    [value] = [e["value"] for e in events if e.get("name") == "customer_vip"]
    return value


async def test_a_bound_vip_customer_is_known_as_vip(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    events = await ActionSessionStart().run(dispatcher, _starting(zhang), DOMAIN)
    assert events[0]["event"] == "session_started"
    assert (events[-1]["event"], events[-1]["name"]) == ("action", "action_listen")
    assert _vip(events) is True
    assert dispatcher.messages == []


async def test_the_app_assertion_names_the_customer_on_a_first_message(
    identity_secret: str, backend: InMemoryBackendClient, dispatcher: CollectingDispatcher
) -> None:
    sender = "app:C001"
    assertion = sign("C001", "app", sender, int(time.time()), identity_secret)
    turn = make_turn(sender, "app")
    tracker = _starting(turn, {METADATA_KEY: assertion})
    tracker.events.clear()  # a brand-new conversation: no earlier message names the channel
    events = await ActionSessionStart().run(dispatcher, tracker, DOMAIN)
    assert _vip(events) is True


async def test_other_customers_and_strangers_are_not_vip(
    li_app: Turn, anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    li = li_app()
    li_events = await ActionSessionStart().run(
        dispatcher, _starting(li_app, li.latest_message["metadata"]), DOMAIN
    )
    assert _vip(li_events) is False
    assert _vip(await ActionSessionStart().run(dispatcher, _starting(anonymous), DOMAIN)) is None


async def test_slots_carry_over_and_a_down_backend_only_leaves_vip_unknown(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    backend.unavailable = True
    tracker = _starting(zhang, my_tickets=["TK20240001"], customer_vip=True)
    events = await ActionSessionStart().run(dispatcher, tracker, DOMAIN)
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["my_tickets"] == ["TK20240001"]
    assert slots["customer_vip"] is None  # not carried over: asked afresh each session
    assert "session_started_metadata" not in slots
