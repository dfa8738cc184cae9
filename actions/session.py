"""The start of a conversation session: who the customer is, for the dialogue policy.

Rasa runs ``action_session_start`` when a conversation begins or resumes after
``session_expiration_time``. Besides Rasa's default work (``session_started``, carrying
over the slots, listening) this one records ``customer_vip``: the dialogue policy hands
a VIP customer asking about money to a human (:mod:`zhike.dialogue.escalation`), and a
policy cannot ask the backend itself. Binding an account mid-session sets it too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identity import identify, identity_secret
from actions.services import backend
from zhike.common.topic_names import FOCUS_ORDER_SLOT, SWITCH_OFFER_SLOT, SWITCH_STATE_SLOT
from zhike.lib.backend_client import BackendError
from zhike.lib.identity.resolver import resolve_identity

logger = logging.getLogger(__name__)

VIP_SLOT = "customer_vip"
METADATA_SLOT = "session_started_metadata"
# What a new session starts without: this conversation's context (the order in focus, a
# pending switch question) and what is looked up afresh.
NOT_CARRIED = frozenset(
    {
        METADATA_SLOT,
        VIP_SLOT,
        FOCUS_ORDER_SLOT,
        SWITCH_STATE_SLOT,
        SWITCH_OFFER_SLOT,
        "requested_slot",
    }
)
# The session start waits this long for the backend at most: a slow backend must not
# delay the customer's first answer (the actions apologise for it themselves).
LOOKUP_SECONDS = 0.8


async def vip_of(customer_id: str | None) -> bool | None:
    """Whether the customer is a VIP; ``None`` when anonymous or the backend is unsure."""
    if customer_id is None:
        return None
    try:
        customer = await asyncio.wait_for(backend().get_customer(customer_id), LOOKUP_SECONDS)
    except (BackendError, asyncio.TimeoutError) as error:
        logger.info("VIP status unknown, the backend failed: %s", type(error).__name__)
        return None
    return None if customer is None else bool(customer.vip)


async def vip_slot(tracker: Tracker) -> list[dict[str, Any]]:
    """``customer_vip`` for the sender of the latest message (after a binding)."""
    try:
        customer_id = (await asyncio.wait_for(identify(tracker), LOOKUP_SECONDS)).customer_id
    except (BackendError, asyncio.TimeoutError):
        return []
    return [SlotSet(VIP_SLOT, await vip_of(customer_id))]


def _session_channel(tracker: Tracker, metadata: Mapping[str, Any]) -> str | None:
    """The channel of the session's first message.

    Rasa records it with the user message, which comes after the session start; a
    returning sender has it from earlier messages, and a zhike channel names itself in
    its signed identity assertion (which the resolver then verifies for that channel).
    """
    channel = tracker.get_latest_input_channel()
    if channel:
        return str(channel)
    asserted = metadata.get("zhike_identity")
    if isinstance(asserted, Mapping) and isinstance(asserted.get("channel"), str):
        return str(asserted["channel"])
    return None


class ActionSessionStart(Action):
    """Starts a session like Rasa's default and records whether the customer is a VIP."""

    def name(self) -> str:
        """See the base class."""
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """``session_started``, the carried-over slots, ``customer_vip``, then listen."""
        metadata = tracker.get_slot(METADATA_SLOT) or {}
        if not isinstance(metadata, Mapping):
            metadata = {}
        events: list[dict[str, Any]] = [SessionStarted()]
        carry_over = (domain.get("session_config") or {}).get(
            "carry_over_slots_to_new_session", True
        )
        if carry_over:
            events += [
                SlotSet(name, value)
                for name, value in tracker.current_slot_values().items()
                if value is not None and name not in NOT_CARRIED
            ]
        vip: bool | None = None
        try:
            identity = await asyncio.wait_for(
                resolve_identity(
                    sender_id=tracker.sender_id,
                    input_channel=_session_channel(tracker, metadata),
                    metadata=metadata,
                    client=backend(),
                    secret=identity_secret(),
                ),
                LOOKUP_SECONDS,
            )
            vip = await vip_of(identity.customer_id)
        except (BackendError, asyncio.TimeoutError) as error:
            logger.info("Customer unknown at session start: %s", type(error).__name__)
        events += [SlotSet(VIP_SLOT, vip), ActionExecuted("action_listen")]
        return events
