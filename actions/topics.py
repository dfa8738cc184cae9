"""What each customer request starts: the form or action behind a business intent.

Pure data, shared by the forms (is this message a new request or an answer?) and the
topic switch (:mod:`actions.topic_switch`: what to start when the customer changes
topic in the middle of a form). The rules of ``data/rules/`` start the same forms for
the same intents; ``tests/unit/actions/test_topics.py`` checks that they agree.
"""

from __future__ import annotations

# Requests that change something: in the middle of another form the customer is asked
# whether to switch (先处理X吗？).
CHANGE_ENTRIES: dict[str, str] = {
    "cancel_order": "cancel_order_form",
    "request_refund": "refund_form",
    "modify_address": "address_form",
    "request_invoice": "invoice_form",
    "change_invoice": "invoice_change_form",
    "resend_invoice": "invoice_resend_form",
    "reschedule_course": "lesson_change_form",
    "cancel_course": "course_cancel_form",
    "bind_account": "account_binding_form",
    "subscribe_course_notifications": "action_course_notifications",
    "unsubscribe_course_notifications": "action_course_notifications",
    "request_price_protection": "price_protection_form",
    "book_visit": "visit_form",
    "change_visit": "visit_change_form",
    "cancel_visit": "visit_cancel_form",
    "request_exchange": "exchange_form",
    "dispute_return": "return_dispute_form",
}
CHANGE_ENTRIES.update(
    {
        "intercept_parcel": "intercept_form",
        "schedule_delivery": "delivery_time_form",
        "change_receiver_phone": "receiver_phone_form",
        "reschedule_pickup": "pickup_form",
    }
)
# Questions: in the middle of a form they are answered when that needs no question back
# (the order is known and visible, the customer is known), then the form goes on.
QUESTION_ENTRIES: dict[str, str] = {
    "query_order": "order_id_form",
    "query_logistics": "order_id_form",
    "query_refund": "refund_status_form",
    "list_orders": "action_list_orders",
    "query_course": "action_course_schedule",
    "query_ticket": "action_ticket_status",
    "ask_product": "action_presales_answer",
    "ask_shipping": "action_presales_answer",
    "query_price_protection": "action_price_protection_status",
    "query_courier_contact": "courier_contact_form",
    "contact_merchant": "merchant_contact_form",
    "query_visit": "action_visit_status",
    "query_exchange": "exchange_status_form",
    "query_invoice": "invoice_status_form",
}
ENTRIES: dict[str, str] = {**CHANGE_ENTRIES, **QUESTION_ENTRIES}
# "…怎么样了" in the middle of a form asks how far an earlier request of the same kind is:
# the question to answer (or offer) instead of the form's own request.
PROGRESS_QUESTIONS: dict[str, str] = {
    "refund_form": "query_refund",
    "cancel_order_form": "query_order",
    "address_form": "query_order",
    "invoice_form": "query_ticket",
    "invoice_change_form": "query_invoice",
    "invoice_resend_form": "query_invoice",
    "lesson_change_form": "query_course",
    "course_cancel_form": "query_course",
    "price_protection_form": "query_price_protection",
    "visit_form": "query_visit",
    "visit_change_form": "query_visit",
    "visit_cancel_form": "query_visit",
    "exchange_form": "query_exchange",
    "return_dispute_form": "query_ticket",
}


def form_intents(form: str | None) -> frozenset[str]:
    """The intents that start ``form`` (its own requests, not a change of topic)."""
    return frozenset(intent for intent, entry in ENTRIES.items() if entry == form)


def is_form(entry: str) -> bool:
    """Whether an entry of :data:`ENTRIES` is a form (else an action)."""
    return entry.endswith("_form")
