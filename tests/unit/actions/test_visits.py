"""The visit forms and actions over the in-process backend (张伟 C001, 李娜 C002)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.dates import CHINA_TZ
from actions.visit_changes import (
    ActionVisitStatus,
)
from actions.visit_parsing import (
    fault_description,
    parse_visit_kind,
    parse_visit_slot,
    slot_value,
    weekend_said,
)
from actions.visit_questions import ActionAskVisitContact, ActionAskVisitTime
from actions.visits import ActionBookVisit, ValidateVisitForm
from zhike.lib.backend_client.fake import InMemoryBackendClient

from .conftest import Turn

DOMAIN: dict = {}
# 10:00 in China on Wednesday 4 December 2024
NOW = datetime(2024, 12, 4, 10, 0, tzinfo=CHINA_TZ)


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [message["response"] for message in dispatcher.messages]


def china_day(offset: int) -> str:
    return (datetime.now(CHINA_TZ).date() + timedelta(days=offset)).isoformat()


@pytest.mark.parametrize(
    ("text", "day", "period"),
    [
        ("明天上午", "2024-12-05", "am"),
        ("周六下午吧", "2024-12-07", "pm"),
        ("12月10号上午", "2024-12-10", "am"),
        ("改到后天下午3点", "2024-12-06", "pm"),
        ("明天9点", "2024-12-05", "am"),
    ],
)
def test_typed_slots(text: str, day: str, period: str) -> None:
    answer = parse_visit_slot(text, NOW)
    assert answer.problem is None and answer.day is not None
    assert (answer.day.isoformat(), answer.period) == (day, period)


@pytest.mark.parametrize(
    ("text", "problem"),
    [("12月10号", "no_period"), ("明天晚上", "off_hours"), ("什么时候都行", "no_date"),
     ("上午", "no_date")],
)  # fmt: skip
def test_incomplete_slots_say_what_is_missing(text: str, problem: str) -> None:
    assert parse_visit_slot(text, NOW).problem == problem


def test_kind_and_fault_are_read_from_the_request() -> None:
    assert parse_visit_kind("电视坏了没画面要报修") == "repair"
    assert parse_visit_kind("空调到了什么时候能来装") == "install"
    assert parse_visit_kind("HP20241401预约上门") is None
    assert fault_description("电视坏了没画面要报修") == "电视坏了没画面要报修"
    assert fault_description("我要报修") is None


async def test_an_installation_is_booked_and_said_back_masked(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    form = ValidateVisitForm()
    start = zhang("空调到了什么时候能来装", "book_visit")
    assert await form.extract_visit_kind(dispatcher, start, DOMAIN) == {"visit_kind": "install"}
    ok = await form.validate_order_id("HP20241401", dispatcher, zhang(visit_kind="install"), DOMAIN)
    assert ok["order_id"] == "HP20241401" and not ok.get("form_gave_up")
    tracker = zhang(order_id="HP20241401", visit_kind="install")
    when = await form.validate_visit_time("明天上午", dispatcher, tracker, DOMAIN)
    assert when == {"visit_time": f"{china_day(1)} am"}
    kept = await form.validate_visit_contact("就用这个", dispatcher, tracker, DOMAIN)
    assert kept["visit_contact"] == "default"
    await ActionAskVisitContact().run(dispatcher, tracker, DOMAIN)
    assert "138****8001" in dispatcher.messages[-1]["contact"]
    assert "13800138001" not in dispatcher.messages[-1]["contact"]

    done = zhang(order_id="HP20241401", visit_kind="install", visit_time=when["visit_time"],
                 visit_contact="default", confirmed=True)  # fmt: skip
    await ActionBookVisit().run(dispatcher, done, DOMAIN)
    booked = dispatcher.messages[-1]
    assert booked["response"] == "utter_visit_booked" and booked["visit_id"].startswith("SV")
    assert "138****8001" in booked["contact"] and "1202" not in booked["contact"]
    [visit] = await backend.list_visits("C001", "HP20241401")
    assert visit.kind == "install" and visit.period == "am"


@pytest.mark.parametrize(
    ("order_id", "kind", "response"),
    [
        ("HP20241403", "install", "utter_visit_not_installable"),
        ("HP20241402", "install", "utter_visit_install_exists"),
        ("HP20240003", "repair", "utter_visit_repair_not_delivered"),
    ],
)
async def test_what_the_order_does_not_allow_ends_the_form_at_once(
    zhang: Turn, dispatcher: CollectingDispatcher, order_id: str, kind: str, response: str
) -> None:
    result = await ValidateVisitForm().validate_order_id(
        order_id, dispatcher, zhang(visit_kind=kind), DOMAIN
    )
    assert result["form_gave_up"] is True
    assert responses(dispatcher) == [response]


async def test_out_of_warranty_asks_for_a_paid_repair(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    form = ValidateVisitForm()
    start = zhang("电视坏了没画面要报修", "book_visit")
    extracted = await form.extract_visit_kind(dispatcher, start, DOMAIN)
    assert extracted == {"visit_kind": "repair", "visit_problem": "电视坏了没画面要报修"}
    result = await form.validate_visit_kind("repair", dispatcher, zhang(order_id="HP20241404"),
                                            DOMAIN)  # fmt: skip
    assert result == {"visit_kind": "repair", "visit_needs_payment": True}
    [message] = dispatcher.messages
    assert message["response"] == "utter_visit_out_of_warranty"
    assert "超过了 365 天的保修期" in message["warranty"]
    slots = await form.form_slots(
        ["order_id", "visit_kind", "visit_problem", "visit_paid", "visit_time", "confirmed"],
        zhang(visit_kind="repair", visit_needs_payment=True),
    )
    assert "visit_paid" in slots
    paid = zhang("预约付费维修", "book_visit", requested_slot="visit_paid")
    assert await form.extract_visit_paid(dispatcher, paid, DOMAIN) == {"visit_paid": "paid"}
    in_warranty = await form.form_slots(["visit_problem", "visit_paid"], zhang(visit_kind="repair"))
    assert in_warranty == ["visit_problem"]


async def test_full_and_out_of_window_slots_are_re_asked_with_the_reason(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    form = ValidateVisitForm()
    tracker = zhang(order_id="HP20241401", visit_kind="install")
    full = await form.validate_visit_time(
        slot_value(datetime.fromisoformat(china_day(3)).date(), "am"), dispatcher, tracker, DOMAIN
    )
    assert full["visit_time"] is None
    assert dispatcher.messages[-1]["response"] == "utter_visit_slot_full"
    assert "下午" in dispatcher.messages[-1]["nearest"]
    late = await form.validate_visit_time("明天晚上", dispatcher, tracker, DOMAIN)
    assert late["visit_time"] is None
    assert dispatcher.messages[-1]["response"] == "utter_visit_time_off_hours"
    await ActionAskVisitTime().run(dispatcher, tracker, DOMAIN)
    assert len(dispatcher.messages[-1]["buttons"]) == 4


async def test_a_new_contact_is_taken_and_nonsense_re_asked(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    form = ValidateVisitForm()
    tracker = zhang(order_id="HP20241401")
    phone = await form.validate_visit_contact("电话改成13912345678", dispatcher, tracker, DOMAIN)
    assert phone["visit_phone"] == "13912345678" and phone["visit_contact"] == "new"
    both = await form.validate_visit_contact(
        "杭州市西湖区文三路398号东信大厦5楼，13912345678", dispatcher, tracker, DOMAIN
    )
    assert both["visit_address"].startswith("杭州市西湖区") and both["visit_phone"]
    wrong = await form.validate_visit_contact("北京", dispatcher, tracker, DOMAIN)
    assert wrong["visit_contact"] is None


async def test_another_customers_order_is_not_found(
    li_app: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    result = await ValidateVisitForm().validate_order_id(
        "HP20241401", dispatcher, li_app(visit_kind="install"), DOMAIN
    )
    assert result["order_id"] is None and responses(dispatcher) == ["utter_order_not_found"]
    done = li_app(order_id="HP20241401", visit_kind="install", visit_time=f"{china_day(1)} am",
                  confirmed=True)  # fmt: skip
    await ActionBookVisit().run(dispatcher, done, DOMAIN)
    assert responses(dispatcher)[-1] == "utter_order_not_found"
    assert await backend.list_visits("C001", "HP20241401") == []


async def test_backend_down_apologises_with_a_ticket(
    zhang: Turn,
    dispatcher: CollectingDispatcher,
    backend: InMemoryBackendClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tracker = zhang(order_id="HP20241401", visit_kind="install", visit_time=f"{china_day(1)} am",
                    confirmed=True)  # fmt: skip
    from actions.identity import identify

    await identify(tracker)

    async def down(*args: object, **kwargs: object) -> object:
        from zhike.lib.backend_client import BackendUnavailable

        raise BackendUnavailable("down", code="connection_error")

    monkeypatch.setattr(backend, "book_visit", down)
    events = await ActionBookVisit().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher) == ["utter_backend_unavailable_ticket"]
    assert dispatcher.messages[0]["ticket_id"].startswith("TK")
    assert any(event.get("name") == "action_request_handoff" for event in events)


async def test_anonymous_users_are_asked_to_verify(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    asked = anonymous("师傅什么时候上门", "query_visit")
    events = await ActionVisitStatus().run(dispatcher, asked, DOMAIN)
    assert [(e["event"], e.get("name")) for e in events] == [("followup", "account_binding_form")]
    assert responses(dispatcher) == []


async def test_a_time_said_before_the_order_is_noted_then_checked_against_it(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    """ "空调到了 什么时候能来装", asked which order: "明天下午行不行" was "没能理解"."""
    form = ValidateVisitForm()
    asked = zhang("明天下午行不行", "nlu_fallback", requested_slot="order_id", visit_kind="install")
    assert await form.extract_order_id(dispatcher, asked, DOMAIN) == {}  # no order number
    assert await form.extract_visit_time(dispatcher, asked, DOMAIN) == {
        "visit_time": "明天下午行不行"
    }
    noted = await form.validate_visit_time("明天下午行不行", dispatcher, asked, DOMAIN)
    assert noted == {"visit_time": "明天下午行不行"}  # kept as said until the order is known
    assert responses(dispatcher) == ["utter_visit_time_noted"]
    assert dispatcher.messages[0]["time"].endswith("下午 13:00–18:00")
    picked = zhang(
        "HP20241401", requested_slot="order_id", visit_kind="install", visit_time="明天下午行不行"
    )
    slots = await form.validate_order_id("HP20241401", dispatcher, picked, DOMAIN)
    assert slots["order_id"] == "HP20241401"
    # checked now: a free afternoon booked as such, or asked again with the reason
    tomorrow_pm = slot_value(datetime.fromisoformat(china_day(1)).date(), "pm")
    assert slots["visit_time"] in (tomorrow_pm, None)
    if slots["visit_time"] is None:
        assert responses(dispatcher)[-1].startswith("utter_visit_")


def test_the_weekend_said_last_is_the_one_to_offer() -> None:
    saturday, sunday = date(2024, 12, 7), date(2024, 12, 8)
    assert weekend_said(["周末能上门安装空调吗", "HP20241406"], NOW) == (saturday, sunday)
    assert weekend_said(["周末能上门安装空调吗", "周六下午吧"], NOW) is None  # a day, later
    assert weekend_said(["明天上午"], NOW) is None


async def test_a_weekend_gets_its_free_slots_and_no_failed_answer(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    form = ValidateVisitForm()
    slots = {"order_id": "HP20241401", "visit_kind": "install"}
    tracker = zhang("周末", requested_slot="visit_time", **slots)
    tracker.events[-1:-1] = [
        {"event": "user", "text": "周末能上门安装空调吗"},
        {"event": "active_loop", "name": "visit_form"},
    ]
    tracker.active_loop = {"name": "visit_form"}
    asked = await form.validate_visit_time("周末", dispatcher, tracker, DOMAIN)
    assert asked == {"visit_time": None} and dispatcher.messages == []  # nothing counted
    await ActionAskVisitTime().run(dispatcher, tracker, DOMAIN)
    [question] = dispatcher.messages
    assert question["response"] == "utter_ask_visit_time_weekend"
    titles = [button["title"] for button in question["buttons"]]
    assert titles and all("周六" in t or "周日" in t for t in titles)
