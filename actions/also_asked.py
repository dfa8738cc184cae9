"""The second request of a message, offered once the first one is answered.

"帮我查下HP20240001到哪了 另外HP20240002的发票开了没": the robot answers one request (the
NLU gives a message one intent); the other, recorded by :mod:`zhike.nlu.also_asked`, is
offered as a button with its order number filled in (「查询物流进度（HP20240001）」), so
nothing the customer asked for is lost. The same for a message the robot asked about
("空调啥时候到 还有能不能开个发票", "您是想咨询…"): the request not picked comes after the
one picked. A request the reply offered already (the order's services) is not offered
twice. The policy (:mod:`zhike.dialogue.also_asked_policy`) runs this action when it is due.
"""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import intent_titles
from actions.parsing import parse_order_id
from zhike.common.several_requests import Step, owed_after_pick
from zhike.common.topic_names import ALSO_ACTION, ALSO_KEY


def also_button(intent: str, clause: str) -> dict[str, str]:
    """The button that starts ``intent`` with the order number ``clause`` names, if any."""
    title = intent_titles()["intents"].get(intent, intent)
    order_id = parse_order_id(clause)
    if order_id is None:
        return {"title": title, "payload": f"/{intent}"}
    entity = json.dumps({"order_id": order_id}, ensure_ascii=False)
    return {"title": f"{title}（{order_id}）", "payload": f"/{intent}{entity}"}


def pending_request(tracker: Tracker) -> dict[str, Any] | None:
    """The second request recorded in the customer's latest message that made one.

    The latest message, or an earlier one whose first request was a form ("我要改地址
    顺便问下啥时候能到"); or a request of a message the robot asked about that the
    customer's pick left (:func:`~zhike.common.several_requests.owed_after_pick`).
    ``None`` once it was offered.
    """
    events = list(tracker.events)
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if event.get("event") == "action" and event.get("name") == ALSO_ACTION:
            return None
        if event.get("event") == "user":
            parse = event.get("parse_data") or {}
            also = parse.get(ALSO_KEY)
            if isinstance(also, dict) and also.get("intent"):
                return also
            before = (_step(e) for e in reversed(events[:index]))
            picked = (parse.get("intent") or {}).get("name")
            left = owed_after_pick(before, str(event.get("text") or ""), picked)
            if left is not None:
                return left
        if event.get("event") in ("restart", "session_started"):
            return None
    return None


def _step(event: dict[str, Any]) -> Step:
    """A tracker event as :func:`~zhike.common.several_requests.owed_after_pick` reads it."""
    return (
        str(event.get("event") or ""),
        str(event.get("name") or ""),
        str(event.get("text") or ""),
        event.get("parse_data") or {},
    )


def _offered_this_turn(tracker: Tracker, intent: str) -> bool:
    """Whether the robot's reply to the latest message has a button for ``intent`` already.

    The order's services offered after its status ("…办理以下业务吗？" 「申请开发票」).
    """
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot":
            buttons = (event.get("data") or {}).get("buttons") or []
            payloads = (str(b.get("payload") or "") for b in buttons)
            if any(p == f"/{intent}" or p.startswith(f"/{intent}{{") for p in payloads):
                return True
    return False


class ActionOfferAlso(Action):
    """「您刚才还提到：…」 with the other request of the customer's message as a button."""

    def name(self) -> str:
        """See the base class."""
        return ALSO_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Offers the pending second request (:func:`pending_request`), if there is one."""
        also = pending_request(tracker)
        if also is None or _offered_this_turn(tracker, str(also["intent"])):
            return []
        button = also_button(str(also["intent"]), str(also.get("text") or ""))
        dispatcher.utter_message(
            response="utter_also_asked", request=button["title"], buttons=[button]
        )
        return []
