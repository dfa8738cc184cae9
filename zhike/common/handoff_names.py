"""The names of the handoff conversation state shared by domain, policy, actions and desk.

``domain/handoff.yml`` declares the slots and actions named here; the dialogue policy
(:mod:`zhike.dialogue.handoff_policy`, :mod:`zhike.dialogue.escalation`) reads and sets
them, the actions (``actions/handoff.py``, ``actions/satisfaction.py``) run them and the
desk sets :data:`HANDOFF_STATE_SLOT` and runs :data:`RATING_ACTION` through Rasa's HTTP API.
A data test checks that the domain declares every name.
"""

from __future__ import annotations

# Slots.
HANDOFF_STATE_SLOT = "handoff_state"  # None (the bot serves), QUEUED or WITH_AGENT
HANDOFF_REASON_SLOT = "handoff_reason"  # why the customer is handed over (a reason below)
HANDOFF_DECLINED_SLOT = "handoff_declined"
HANDOFF_TICKET_SLOT = "handoff_ticket"

# Values of HANDOFF_STATE_SLOT while the bot stays silent.
QUEUED = "queued"
WITH_AGENT = "agent"
HANDED_OVER = frozenset({QUEUED, WITH_AGENT})

# Actions.
HANDOFF_ACTION = "action_request_handoff"
RELAY_ACTION = "action_relay_to_agent"
RATING_ACTION = "action_ask_rating"

# Values of HANDOFF_REASON_SLOT (the bot's lead is ``utter_handoff_lead_<reason>``).
REASON_ASKED = "asked"
REASON_COMPLAINT = "complaint"
REASON_ANGRY = "angry"
REASON_FALLBACKS = "fallbacks"
REASON_VIP_MONEY = "vip_money"
REASON_ACTION_FAILED = "action_failed"
