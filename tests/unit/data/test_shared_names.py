"""The handoff names shared by policy, actions and desk are the domain's names."""

from __future__ import annotations

from rasa.shared.core.domain import Domain

from zhike.common import handoff_names as names
from zhike.common import topic_names


def test_the_domain_declares_every_shared_slot_and_action(domain: Domain) -> None:
    slots = {slot.name for slot in domain.slots}
    for slot in (
        names.HANDOFF_STATE_SLOT,
        names.HANDOFF_REASON_SLOT,
        names.HANDOFF_DECLINED_SLOT,
        names.HANDOFF_TICKET_SLOT,
    ):
        assert slot in slots, slot
    for action in (names.HANDOFF_ACTION, names.RELAY_ACTION, names.RATING_ACTION):
        assert action in domain.user_actions, action


def test_every_reason_the_bot_explains_has_its_lead(domain: Domain) -> None:
    explained = (
        names.REASON_ANGRY,
        names.REASON_FALLBACKS,
        names.REASON_VIP_MONEY,
        names.REASON_COMPLAINT,
    )
    for reason in explained:
        assert f"utter_handoff_lead_{reason}" in domain.responses, reason


def test_the_domain_declares_the_topic_switch_slots_and_actions(domain: Domain) -> None:
    slots = {slot.name for slot in domain.slots}
    for slot in (
        topic_names.SWITCH_STATE_SLOT,
        topic_names.SWITCH_OFFER_SLOT,
        topic_names.FOCUS_ORDER_SLOT,
    ):
        assert slot in slots, slot
    for action in (
        topic_names.ANSWER_ACTION,
        topic_names.RESOLVE_ACTION,
        topic_names.KEEP_TOPIC_ACTION,
    ):
        assert action in domain.user_actions, action
    assert topic_names.BUSINESS_INTENTS <= set(domain.intents)
