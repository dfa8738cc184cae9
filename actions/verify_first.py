"""A question about the customer's own records from an unknown sender: verify, then answer.

"价保的结果出来了没", "这周有哪些课" or "师傅什么时候上门" need to know who is asking.
An anonymous sender used to be told to type 「绑定账户」 and ask again. Now the identity
check starts at once (``account_binding_form``: the phone, then the one-time code, as
every request that changes something asks), and when it succeeds
:class:`actions.account.ActionBindingDone` runs the action again (:func:`after_binding`),
which answers the question asked before the check (:func:`request_message`).

Nothing is stored for this: the tracker's events show which action started the check
(its ``followup`` event) and which message it was answering.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.identity import identify

BINDING_FORM = "account_binding_form"
BINDING_DONE = "action_binding_done"


def _resumed(events: list[dict[str, Any]]) -> bool:
    """Whether the latest action in ``events`` is the end of an identity check."""
    ran = next((e for e in reversed(events) if e.get("event") == "action"), None)
    return ran is not None and ran.get("name") == BINDING_DONE


def resumed(tracker: Tracker) -> bool:
    """Whether the action runs again right after the identity check it asked for."""
    return _resumed(tracker.applied_events())


async def customer_asking(tracker: Tracker) -> str | None:
    """The sender's customer id, looked up afresh right after an identity check.

    Raises:
        BackendUnavailable: the binding could not be looked up (the caller apologises).
    """
    return (await identify(tracker, fresh=resumed(tracker))).customer_id


def verify_first(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """Events that start the identity check; the action runs again once it succeeds.

    Right after a check (which should have made the sender known), or while another form
    runs (its own questions come first), the customer is told how to verify instead:
    never a second check in a row, never a form pushed aside.
    """
    if resumed(tracker) or (tracker.active_loop or {}).get("name"):
        dispatcher.utter_message(response="utter_need_customer")
        return []
    return [FollowupAction(BINDING_FORM)]


def _binding_start(events: list[dict[str, Any]]) -> int | None:
    """Index of the latest identity check's first ``active_loop`` event, or None."""
    start = None
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if event.get("event") != "active_loop":
            continue
        if event.get("name") == BINDING_FORM:
            start = index
        elif start is not None:
            break  # the loop before the identity check
    return start


def _asking_action(events: list[dict[str, Any]], start: int) -> str | None:
    """The action that started the check at ``start`` with :func:`verify_first`, if one did."""
    for index in range(start - 1, -1, -1):
        event = events[index]
        if event.get("event") == "user":
            return None
        if event.get("event") == "followup" and event.get("name") == BINDING_FORM:
            asking = next((e for e in reversed(events[:index]) if e.get("event") == "action"), None)
            return str(asking.get("name")) if asking else None
    return None


def after_binding(tracker: Tracker) -> list[dict[str, Any]]:
    """Events for :class:`actions.account.ActionBindingDone`: the action that asked, again."""
    events = tracker.applied_events()
    start = _binding_start(events)
    action = _asking_action(events, start) if start is not None else None
    return [FollowupAction(action)] if action else []


def request_message(tracker: Tracker) -> dict[str, Any]:
    """The customer's message an action answers: ``text``, ``intent`` and ``entities``.

    The latest message, except right after an identity check the action asked for: then
    the message before the check started (the latest one is the one-time code).
    """
    events = tracker.applied_events()
    start = _binding_start(events) if _resumed(events) else None
    while start is not None and start > 0 and events[start].get("event") != "user":
        start -= 1
    if start is None or events[start].get("event") != "user":
        return dict(tracker.latest_message or {})
    asked = events[start]
    return {"text": asked.get("text"), **(asked.get("parse_data") or {})}
