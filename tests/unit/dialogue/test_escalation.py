"""The bot hands a customer to a human without being asked, and only when it should."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from zhike.dialogue.escalation import EscalationRules
from zhike.dialogue.handoff_policy import HandoffPolicy

ROOT = Path(__file__).resolve().parents[3]
HANDOFF = "action_request_handoff"
TWO_STAGE = "action_two_stage_fallback"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


def _policy(tmp_path: Path, escalation: dict | None = None) -> HandoffPolicy:
    config = {**HandoffPolicy.get_default_config(), "escalation": escalation or {}}
    return HandoffPolicy.create(
        config,
        LocalModelStorage(tmp_path),
        Resource("handoff_policy"),
        ExecutionContext(GraphSchema({}), "test"),
    )


@pytest.fixture
def policy(tmp_path: Path) -> HandoffPolicy:
    return _policy(tmp_path)


def user(text: str, intent: str, message_id: str | None = None) -> list[Event]:
    return [
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered(text, {"name": intent, "confidence": 0.9}, message_id=message_id),
    ]


def bot(*actions: str) -> list[Event]:
    return [ActionExecuted(action) for action in actions]


def _decide(
    policy: HandoffPolicy, domain: Domain, events: list[Event]
) -> tuple[str | None, str | None]:
    """The predicted action (``None``: the policy abstains) and the reason it sets."""
    tracker = DialogueStateTracker.from_events("s1", events, domain.slots)
    prediction = policy.predict_action_probabilities(tracker, domain)
    if max(prediction.probabilities) == 0:
        return None, None
    action = domain.action_names_or_texts[prediction.max_confidence_index]
    reasons = [e.value for e in prediction.optional_events if isinstance(e, SlotSet)]
    return action, reasons[0] if reasons else None


def test_an_angry_message_goes_to_a_human(policy: HandoffPolicy, domain: Domain) -> None:
    events = user("你们到底怎么回事！！！垃圾，我的订单呢", "query_order")
    assert _decide(policy, domain, events) == (HANDOFF, "angry")


def test_a_calm_or_merely_unhappy_message_stays_with_the_bot(
    policy: HandoffPolicy, domain: Domain
) -> None:
    assert _decide(policy, domain, user("快递有点慢，订单HP20240001到哪了", "query_logistics")) == (
        None,
        None,
    )


@pytest.mark.parametrize("intent", ["complain", "human_handoff"])
def test_the_rules_handle_complaints_and_requests_however_angry(
    policy: HandoffPolicy, domain: Domain, intent: str
) -> None:
    assert _decide(policy, domain, user("垃圾客服！！！给我转人工", intent)) == (None, None)


def test_not_understood_twice_in_a_row_goes_to_a_human(
    policy: HandoffPolicy, domain: Domain
) -> None:
    first = [*user("咕噜咕噜", "nlu_fallback"), *bot(TWO_STAGE), ActiveLoop(TWO_STAGE)]
    assert _decide(policy, domain, user("咕噜咕噜", "nlu_fallback")) == (None, None)
    assert _decide(policy, domain, [*first, *user("啦啦啦", "nlu_fallback")]) == (
        HANDOFF,
        "fallbacks",
    )
    # "都不是" in between neither counts nor resets
    rejected = [*first, *user("/out_of_scope", "out_of_scope"), *bot(TWO_STAGE)]
    assert _decide(policy, domain, [*rejected, *user("啦啦啦", "nlu_fallback")]) == (
        HANDOFF,
        "fallbacks",
    )


def test_an_understood_message_in_between_resets_the_count(
    policy: HandoffPolicy, domain: Domain
) -> None:
    events = [
        *user("咕噜咕噜", "nlu_fallback"),
        *bot(TWO_STAGE),
        ActiveLoop(TWO_STAGE),
        *bot(TWO_STAGE),
        ActiveLoop(None),
        *user("查订单", "query_order"),
        *bot("order_id_form"),
        ActiveLoop(None),
        *user("啦啦啦", "nlu_fallback"),
    ]
    assert _decide(policy, domain, events) == (None, None)


def test_an_unclear_message_answered_about_the_order_in_focus_was_understood(
    policy: HandoffPolicy, domain: Domain
) -> None:
    # "这个还能退不" right after an order was shown: the fallback answered it for the order
    answered = BotUttered(
        "订单 HP20240002 签收还不到 7 天……",
        metadata={"utter_action": "utter_refund_possible_delivered"},
    )
    events = [
        *user("这个还能退不", "nlu_fallback"),
        *bot(TWO_STAGE),
        ActiveLoop(TWO_STAGE),
        answered,
        *user("那能换吗", "nlu_fallback"),
    ]
    assert _decide(policy, domain, events) == (None, None)


def test_an_unclear_follow_up_answered_from_the_knowledge_base_was_understood(
    policy: HandoffPolicy, domain: Domain
) -> None:
    # "质量问题呢" right after an answer: the fallback answered it from the knowledge base
    events = [
        *user("质量问题呢", "nlu_fallback"),
        *bot(TWO_STAGE),
        ActiveLoop(TWO_STAGE),
        SlotSet("kb_answered", "退货运费谁出啊"),
        *user("那七天以后呢", "nlu_fallback"),
    ]
    assert _decide(policy, domain, events) == (None, None)


def test_a_free_text_answer_in_a_form_is_not_a_failure(
    policy: HandoffPolicy, domain: Domain
) -> None:
    events = [
        *user("开发票", "request_invoice"),
        *bot("invoice_form"),
        ActiveLoop("invoice_form"),
        *user("北京某某科技有限公司", "nlu_fallback"),
        *bot("invoice_form"),
        *user("91110108MA01ABCD2X", "nlu_fallback"),
    ]
    assert _decide(policy, domain, events) == (None, None)


def test_after_a_handoff_the_count_starts_again(policy: HandoffPolicy, domain: Domain) -> None:
    events = [
        *user("咕噜咕噜", "nlu_fallback"),
        *bot(TWO_STAGE),
        *user("转人工", "human_handoff"),
        *bot(HANDOFF),
        *user("啦啦啦", "nlu_fallback"),
    ]
    assert _decide(policy, domain, events) == (None, None)


@pytest.mark.parametrize(
    ("vip", "intent", "expected"),
    [
        (True, "request_refund", (HANDOFF, "vip_money")),
        (True, "query_refund", (HANDOFF, "vip_money")),
        (True, "query_order", (None, None)),
        (False, "request_refund", (None, None)),
        (None, "request_refund", (None, None)),
    ],
)
def test_a_vip_asking_about_money_goes_to_a_human(
    policy: HandoffPolicy,
    domain: Domain,
    vip: bool | None,
    intent: str,
    expected: tuple[str | None, str | None],
) -> None:
    events = [SlotSet("customer_vip", vip), *user("我要退款", intent)]
    assert _decide(policy, domain, events) == expected


def test_a_declined_handoff_is_not_predicted_again_for_the_same_message(
    policy: HandoffPolicy, domain: Domain
) -> None:
    events = [SlotSet("customer_vip", True), *user("我要退款", "request_refund", "m-7")]
    assert _decide(policy, domain, events)[0] == HANDOFF
    declined = [*events, SlotSet("handoff_declined", "m-7")]
    assert _decide(policy, domain, declined) == (None, None)
    later = [*declined, *bot("refund_form"), *user("算了我要退另一单", "request_refund", "m-9")]
    assert _decide(policy, domain, later)[0] == HANDOFF


def test_after_the_handoff_action_the_bot_listens(policy: HandoffPolicy, domain: Domain) -> None:
    events = [*user("垃圾！！！", "inform"), *bot(HANDOFF)]
    assert _decide(policy, domain, events) == (ACTION_LISTEN_NAME, None)


def test_while_handed_over_no_trigger_fires(policy: HandoffPolicy, domain: Domain) -> None:
    events = [SlotSet("handoff_state", "agent"), *user("垃圾！！！", "inform")]
    assert _decide(policy, domain, events)[0] == "action_relay_to_agent"


def test_triggers_can_be_switched_off(tmp_path: Path, domain: Domain) -> None:
    off = _policy(tmp_path, {"fallbacks_in_a_row": 0, "anger_threshold": None})
    assert _decide(off, domain, user("垃圾！！！骗子", "inform")) == (None, None)


@pytest.mark.parametrize(
    "config",
    [
        {"fallbacks_in_a_row": -1},
        {"fallbacks_in_a_row": True},
        {"anger_threshold": "high"},
        {"money_intents": "request_refund"},
        {"fallback_in_a_row": 2},  # a typo
    ],
)
def test_a_wrong_setting_fails_loudly(config: dict) -> None:
    with pytest.raises(ValueError, match="escalation"):
        EscalationRules.from_config(config)


def test_the_prediction_overrules_an_active_loop(policy: HandoffPolicy, domain: Domain) -> None:
    """The RulePolicy predicts an active loop as a "no user" prediction, which beats any
    ordinary one whatever its priority: the handoff must be one too."""
    first = [*user("咕噜咕噜", "nlu_fallback"), *bot(TWO_STAGE), ActiveLoop(TWO_STAGE)]
    tracker = DialogueStateTracker.from_events(
        "s1", [*first, *user("啦啦啦", "nlu_fallback")], domain.slots
    )
    assert policy.predict_action_probabilities(tracker, domain).is_no_user_prediction
