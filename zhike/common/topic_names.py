"""The names of the topic-switch and order-focus state shared by domain, policy and actions.

``domain/topic_switch.yml`` declares the slots and actions named here; the policy
(:mod:`zhike.dialogue.topic_switch_policy`) reads them and the actions
(``actions/topic_switch.py``, ``actions/forms.py``, ``actions/context.py``) set them. A
data test checks that the domain declares every name.
"""

from __future__ import annotations

# The requests about a child's lessons (none is about an order).
COURSE_INTENTS = frozenset(
    {
        "query_course",
        "reschedule_course",
        "cancel_course",
        "subscribe_course_notifications",
        "unsubscribe_course_notifications",
    }
)
# Requests that start a task of their own (``actions/topics.py`` says which form or
# action): a confident one in the middle of another form is a change of topic.
BUSINESS_INTENTS = COURSE_INTENTS | frozenset(
    {
        "query_order",
        "query_logistics",
        "list_orders",
        "cancel_order",
        "request_refund",
        "query_refund",
        "modify_address",
        "request_invoice",
        "change_invoice",
        "resend_invoice",
        "query_invoice",
        "query_ticket",
        "bind_account",
        "ask_product",
        "ask_shipping",
        "request_price_protection",
        "query_price_protection",
        "query_courier_contact",
        "contact_merchant",
        "book_visit",
        "change_visit",
        "cancel_visit",
        "query_visit",
        "request_exchange",
        "query_exchange",
        "dispute_return",
    }
)
BUSINESS_INTENTS |= {
    "intercept_parcel",
    "schedule_delivery",
    "change_receiver_phone",
    "reschedule_pickup",
}
# Below this intent confidence a business intent is not taken as a change of topic,
# unless the customer's words decided it (FRAME_KEY): "那它明天能到吗" in the refund form is
# the parcel's question (DIET: 0.0, the delivery slot at 0.99), not a refund reason.
SWITCH_CONFIDENCE = 0.8
# The request a message was taken for by its words (zhike/nlu/frames.py), in the parse
# result: the frame's intent, decided with a model's support.
FRAME_KEY = "frame"


def sure_of_intent(parse: dict, confidence: float = SWITCH_CONFIDENCE) -> bool:
    """Whether the parse result's intent is sure: ``confidence`` on, or its frame's words."""
    intent = parse.get("intent") or {}
    if float(intent.get("confidence") or 0.0) >= confidence:
        return True
    return bool(intent.get("name")) and parse.get(FRAME_KEY) == intent.get("name")


# Asked in the middle of a form and confident, it is declined and the form goes on.
OUT_OF_SCOPE = "out_of_scope"
# The intent of a message the NLU declined (no intent sure enough).
UNSURE = "nlu_fallback"

# The switch question: "asked" while the bot waits for its answer, and what it offers.
SWITCH_STATE_SLOT = "switch_state"
SWITCH_OFFER_SLOT = "switch_offer"
SWITCH_ASKED = "asked"
ANSWER_ACTION = "action_answer_interruption"
RESOLVE_ACTION = "action_resolve_switch"
# A follow-up on the request just made, which the NLU's second opinion doubted, is taken
# as that request again (zhike/dialogue/follow_up_policy.py, actions/follow_up.py).
KEEP_TOPIC_ACTION = "action_keep_topic"
# In the parse data of a message action_keep_topic put back: the intent the NLU gave it.
KEPT_KEY = "kept_from"
# The parse result's second opinion (zhike/nlu/second_opinion.py) and, when it overruled
# DIET, the intent DIET had given.
SECOND_OPINION_KEY = "second_opinion"
OVERRULED_KEY = "overruled"
# In the parse result of a question (faq) no knowledge-base entry answers or comes near
# (zhike/nlu/knowledge_gate.py): ``True``. The robot would say it cannot answer; a detail
# of the answer just given ("老师是谁啊") is read in context instead (zhike/common/follow_ups.py).
UNANSWERED_KEY = "unanswered"
# In the parse result of a request asked as a question about the rules ("报个英语课 学费多少",
# zhike/nlu/policy_questions.yml): ``True``. The words tell it is a question, so the
# knowledge base answers an entry clearly ahead of the others from a lower lead
# (zhike/nlu/knowledge_gate.py, ``action_answer_knowledge``).
RULES_QUESTION_KEY = "asks_the_rules"
# The parse result's question of the knowledge-base entry the message's words name
# (zhike/nlu/policy_questions.yml, ``entries``): answered from a lower score when it is the
# best hit (zhike/nlu/knowledge_gate.py, ``action_answer_knowledge``).
NAMED_ENTRY_KEY = "names_the_entry"
# The parse result's topic the robot does not serve (zhike/nlu/frames.yml, ``beyond``):
# ``{"topic": key, "name": what the customer reads}``; the message is nlu_fallback.
BEYOND_KEY = "beyond"
# A second request in the same message ("帮我查下HP20240001到哪了 另外HP20240002的发票开了
# 没"): ``{"intent": ..., "text": its clause}`` in the parse result (zhike/nlu/also_asked.py);
# once the first is answered the policy (zhike/dialogue/also_asked_policy.py) runs the
# action (actions/also_asked.py) that offers it.
ALSO_KEY = "also"
ALSO_ACTION = "action_offer_also"
# A message of several clauses the robot asked about ("您是想咨询…"), a clause in the words
# of a request ("空调啥时候到 还有能不能开个发票": the parcel): ``[{"intent": ..., "text":
# its clause}, ...]`` in the order said (zhike/nlu/also_asked.py). The customer picks one
# request; once it is done, the first other one is offered as :data:`ALSO_KEY`'s would
# be (zhike/common/several_requests.py).
CLAUSES_KEY = "clause_requests"
# A message of satisfaction read as thanks (zhike/nlu/satisfied.py): answered as praise.
SATISFIED_KEY = "satisfied"
# The parse result's record of a button picked by typing (zhike/nlu/typed_choice.py):
# {"typed": ..., "title": ..., "payload": ...}; the message is that click.
TYPED_CHOICE_KEY = "typed_choice"
# A request DIET was sure of whose words are another's (zhike/nlu/frames.py): the message
# is nlu_fallback, the customer asked between the two; ``{"intent": DIET's, "framed": the
# words'}`` in the parse result. In a form it is a request all the same, never an answer.
CONTRADICTED_KEY = "contradicted"
# A question DIET took for one to the knowledge base, in the words of a frame that may
# decide alone (zhike/nlu/frames.yml: "你好请问带电子狗吗?"): the frame's intent in the
# parse result. The knowledge gate takes the message as that request when no entry answers.
ALONE_FRAME_KEY = "alone_frame"
# The intent of a question the knowledge base answers.
QUESTION_INTENT = "faq"

# The order the conversation is about; a follow-up within FOCUS_TURNS customer messages
# without an order number means it.
FOCUS_ORDER_SLOT = "focus_order"
FOCUS_TURNS = 4
# Actions that answer a message the NLU was unsure of without understanding it (the
# two-stage fallback and its stages).
TWO_STAGE_FALLBACK = "action_two_stage_fallback"
FALLBACK_ACTIONS = frozenset(
    {
        TWO_STAGE_FALLBACK,
        "action_default_fallback",
        "action_default_ask_affirmation",
        "action_default_ask_rephrase",
    }
)
# The question the knowledge base answered last (actions/knowledge.py): set in reply to
# a message the NLU was unsure of ("质量问题呢" right after an answer), it shows the
# message was understood.
KB_ANSWERED_SLOT = "kb_answered"
# What an answer about the order in focus says (actions/order_questions.py): said to a
# message the NLU was unsure of ("这个还能退不"), it shows the message was understood.
ORDER_ANSWERS = frozenset(
    {
        "utter_order_services_offer",
        "utter_refund_possible",
        "utter_refund_possible_delivered",
        "utter_refund_window_passed",
        "utter_refund_already_open",
        "utter_refund_already_done",
        "utter_refund_order_cancelled",
        "utter_refund_order_unpaid",
        "utter_refund_not_possible",
        "utter_order_urged_shipped",
        "utter_order_urged_paid",
    }
)

# Intents never offered as a topic when the robot asks "您是想咨询…" (actions/fallback.py).
NOT_SUGGESTED = frozenset(
    {"nlu_fallback", "out_of_scope", "inform", "affirm", "deny", "greet", "thank"}
)

# Intents that say nothing about what a conversation is about (its topic, and the skill
# group a handoff goes to, come from the other intents).
NOT_A_TOPIC = frozenset(
    {
        "human_handoff",
        "complain",
        "affirm",
        "deny",
        "greet",
        "goodbye",
        "thank",
        "inform",
        "nlu_fallback",
        OUT_OF_SCOPE,
        "bot_challenge",
    }
)
