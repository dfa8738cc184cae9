from __future__ import annotations

from datetime import datetime, timezone

from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.account import ActionStopForm, ValidateAccountBindingForm
from actions.tickets import ActionTicketStatus, contact_promise
from zhike.lib.backend_client import Ticket
from zhike.lib.backend_client.fake import InMemoryBackendClient
from zhike.lib.handoff.runtime import settings_from_env

from .conftest import Turn
from .proofs import ticket_proofs

DOMAIN: dict = {}
SENDER = "web-session-anon"  # the anonymous fixture's sender


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [message["response"] for message in dispatcher.messages]


async def test_ticket_status_only_for_the_owner_or_this_chat(
    zhang: Turn, li_app: Turn, anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    await ActionTicketStatus().run(dispatcher, zhang(ticket_id="TK20240001"), DOMAIN)
    assert dispatcher.messages[-1]["response"] == "utter_ticket_status"
    await ActionTicketStatus().run(dispatcher, li_app(ticket_id="TK20240001"), DOMAIN)
    assert dispatcher.messages[-1]["response"] == "utter_ticket_not_found"
    await ActionTicketStatus().run(dispatcher, anonymous(ticket_id="TK20240001"), DOMAIN)
    assert dispatcher.messages[-1]["response"] == "utter_ticket_not_found"
    mine = anonymous(ticket_id="TK20240001", my_tickets=ticket_proofs(SENDER, "TK20240001"))
    await ActionTicketStatus().run(dispatcher, mine, DOMAIN)
    assert dispatcher.messages[-1]["response"] == "utter_ticket_status"


async def test_without_a_number_known_customers_see_their_tickets(
    li_app: Turn, anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    await ActionTicketStatus().run(dispatcher, li_app("工单进度", "query_ticket"), DOMAIN)
    assert [m["ticket_id"] for m in dispatcher.messages] == ["TK20240002"]
    dispatcher.messages.clear()
    await ActionTicketStatus().run(dispatcher, anonymous("工单进度", "query_ticket"), DOMAIN)
    assert responses(dispatcher) == ["utter_ask_ticket_id"]


async def test_the_ticket_opened_in_this_chat_comes_first_with_when_a_call_is_due(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    for n in range(3):  # older tickets of the customer
        await backend.create_ticket("order", f"旧问题{n}", customer_id="C001")
    complaint = await backend.create_ticket("complaint", "快递员态度差", customer_id="C001")
    older = await backend.create_ticket("order", "另一件事", customer_id="C001")
    mine = ticket_proofs("web-session-zhang", complaint.ticket_id)
    asked = zhang("投诉处理要多久啊", "query_ticket", my_tickets=mine)
    await ActionTicketStatus().run(dispatcher, asked, DOMAIN)
    first = dispatcher.messages[0]
    assert first["ticket_id"] == complaint.ticket_id  # not the newest of all: this chat's
    assert first["promise"].startswith("专员会在") and "前联系您" in first["promise"]
    assert older.ticket_id in [m["ticket_id"] for m in dispatcher.messages]


def test_a_call_is_promised_as_the_handoff_promised_it_within_business_hours() -> None:
    settings = settings_from_env({"ZHIKE_HANDOFF_HOURS": "09:00-21:00"})
    morning = datetime(2026, 12, 4, 2, 0, tzinfo=timezone.utc)  # 10:00 China time
    ticket = Ticket("TK20269999", "complaint", "慢", "open", created_at=morning)
    assert (
        contact_promise(ticket, settings, now=morning)
        == "专员会在 12月4日 12:00 前联系您，请保持电话畅通。"
    )
    night = datetime(2026, 12, 4, 14, 0, tzinfo=timezone.utc)  # 22:00: the desk is closed
    late = Ticket("TK20269999", "complaint", "慢", "open", created_at=night)
    assert "12月5日 09:00" in contact_promise(late, settings, now=night)
    handled = Ticket("TK20269999", "complaint", "慢", "in_progress", created_at=morning)
    assert contact_promise(handled, settings, now=morning) == ""
    refund = Ticket("TK20269999", "refund", "超期退款", "open", created_at=morning)
    assert contact_promise(refund, settings, now=morning) == ""  # told "1 个工作日内" then
    # the time has passed and nobody called: owned up to, with a way to chase it
    overdue = contact_promise(ticket, settings, now=night)
    assert overdue.startswith("原定 12月4日 12:00 前联系您，已经晚了") and "转人工" in overdue


async def test_binding_by_phone_and_one_time_code(
    anonymous: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    form = ValidateAccountBindingForm()
    tracker = anonymous("13800138001", requested_slot="bind_phone")
    result = await form.validate_bind_phone("13800138001", dispatcher, tracker, DOMAIN)
    assert result == {"bind_phone": "138****8001"}  # the backend keeps the full number
    assert dispatcher.messages[-1]["masked_phone"] == "138****8001"

    wrong = anonymous("000000", requested_slot="bind_code", bind_phone="138****8001")
    result = await form.validate_bind_code("000000", dispatcher, wrong, DOMAIN)
    assert result["bind_code"] is None and responses(dispatcher)[-1] == "utter_invalid_bind_code"

    code = backend.last_code("13800138001")
    assert code is not None
    right = anonymous(code, requested_slot="bind_code", bind_phone="138****8001")
    result = await form.validate_bind_code(code, dispatcher, right, DOMAIN)
    assert result["bind_code"] == "verified" and code not in str(result)
    assert await backend.get_binding("socketio", "web-session-anon") == "C001"


async def test_a_phone_of_nobody_gets_the_same_answer_and_no_code(
    anonymous: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    tracker = anonymous("13700000000", requested_slot="bind_phone")
    result = await ValidateAccountBindingForm().validate_bind_phone(
        "13700000000", dispatcher, tracker, DOMAIN
    )
    assert result == {"bind_phone": "137****0000"}
    assert responses(dispatcher) == ["utter_binding_code_sent"]
    assert backend.last_code("13700000000") is None


async def test_a_known_customer_is_not_asked_to_bind(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    slots = ["bind_phone", "bind_code"]
    assert (
        await ValidateAccountBindingForm().required_slots(slots, dispatcher, zhang(), DOMAIN) == []
    )


async def test_leaving_a_form_clears_it(anonymous: Turn, dispatcher: CollectingDispatcher) -> None:
    tracker = anonymous("不用了", "deny", order_id="HP20240001", requested_slot="phone_last4")
    events = await ActionStopForm().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher) == ["utter_form_stopped"]
    assert events[0] == ActiveLoop(None)
    assert SlotSet("order_id", None) in events and SlotSet("requested_slot", None) in events


async def test_not_remembering_the_phone_is_offered_a_person_not_just_cancelled(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = anonymous("不记得了", "deny", order_id="HP20240001", requested_slot="phone_last4")
    events = await ActionStopForm().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher) == ["utter_bind_phone_unknown"]
    assert events[0] == ActiveLoop(None)


async def test_asking_for_a_person_leaves_a_form_without_a_cancel_line(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = anonymous("转人工", "human_handoff", order_id="HP20240001", requested_slot="x")
    events = await ActionStopForm().run(dispatcher, tracker, DOMAIN)
    assert dispatcher.messages == []  # the handoff message follows; nothing before it
    assert events[0] == ActiveLoop(None) and SlotSet("order_id", None) in events


async def test_a_confident_other_request_switches_topic_but_free_text_is_an_answer(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    from actions.order_changes import ValidateAddressForm

    form = ValidateAddressForm()
    course = zhang("孩子下节课是什么时候", "query_course", requested_slot="order_id")
    assert await form.extract_order_id(dispatcher, course, DOMAIN) == {}
    typo = zhang("HP2024", "query_order", requested_slot="order_id")
    typo.latest_message["intent"]["confidence"] = 0.5  # unsure: taken as a (wrong) answer
    assert await form.extract_order_id(dispatcher, typo, DOMAIN) == {"order_id": "HP2024"}
    address = zhang("上海市浦东新区碧波路690弄", "query_logistics", requested_slot="new_address")
    assert await form.extract_new_address(dispatcher, address, DOMAIN) == {
        "new_address": "上海市浦东新区碧波路690弄"
    }
    # a question the NLU was unsure of is no incomplete address: given up, to be answered
    asked = zhang("顺便问下发票怎么开", "nlu_fallback", requested_slot="new_address")
    assert await form.extract_new_address(dispatcher, asked, DOMAIN) == {}
    where = zhang(
        "搬到北京市朝阳区建国路88号了 能改吗", "nlu_fallback", requested_slot="new_address"
    )
    assert await form.extract_new_address(dispatcher, where, DOMAIN) != {}


async def test_answering_something_else_mid_form_says_the_form_goes_on(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    from actions.courses import ActionCourseSchedule

    tracker = zhang("孩子下节课是什么时候", "query_course")
    tracker.active_loop = {"name": "cancel_order_form"}
    await ActionCourseSchedule().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher)[-1] == "utter_form_resume"
