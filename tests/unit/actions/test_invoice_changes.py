"""Invoice changes, re-sending and status: the forms' checks and the submit actions."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.invoice_changes import (
    ActionChangeInvoice,
    ValidateInvoiceChangeForm,
    change_fields,
    change_summary,
)
from actions.invoice_parsing import (
    parse_bank,
    parse_change_kind,
    parse_company_address,
    parse_email,
    parse_mail_address,
    parse_mail_contact,
)
from actions.invoice_status import (
    ActionInvoiceStatus,
    ActionResendInvoice,
    ValidateInvoiceResendForm,
    mask_email,
)
from zhike.lib.backend_client.fake import InMemoryBackendClient

from .conftest import Turn

DOMAIN: dict[str, Any] = {}
CHANGE_SLOTS = [
    "order_id",
    "invoice_change",
    "invoice_title",
    "invoice_tax_number",
    "invoice_company_address",
    "invoice_bank",
    "invoice_mail_address",
    "invoice_mail_contact",
    "confirmed",
]


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [message["response"] for message in dispatcher.messages]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("发票抬头开错了，要改成公司的", "title"),
        ("帮我把普票换成专票", "vat_special"),
        ("专票改成普票吧", "electronic_normal"),
        ("我要纸质发票，寄到上海市浦东新区张江路88号", "paper"),
        ("纸质的不要了，换成电子发票", "electronic"),
        ("换开专票", "vat_special"),
        ("帮我看看", None),
    ],
)
def test_what_to_change_is_read_from_the_request(text: str, kind: str | None) -> None:
    assert parse_change_kind(text) == kind


def test_answers_are_parsed() -> None:
    assert parse_email("发票发我邮箱 zhangwei@qq.com 谢谢") == "zhangwei@qq.com"
    assert parse_email("zhangwei@qq") is None
    assert parse_company_address("上海市浦东新区张江路88号 021-58888888") == (
        "上海市浦东新区张江路88号",
        "021-58888888",
    )
    assert parse_company_address("上海市浦东新区张江路88号") is None
    assert parse_bank("招商银行上海张江支行 6214 8312 3456 7890") == (
        "招商银行上海张江支行",
        "6214831234567890",
    )
    assert parse_bank("6214 8312 3456 7890") is None
    assert parse_mail_address("寄到北京市朝阳区建国路93号1505室") == "北京市朝阳区建国路93号1505室"
    assert parse_mail_contact("张伟 138-0013-8001") == ("张伟", "13800138001")
    assert parse_mail_contact("张伟") is None
    assert mask_email("zhangwei@qq.com") == "zh****@qq.com"


async def test_only_the_chosen_changes_slots_are_asked(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    form = ValidateInvoiceChangeForm()
    title = await form.required_slots(
        CHANGE_SLOTS, dispatcher, zhang(invoice_change="title"), DOMAIN
    )
    assert title == [
        "order_id",
        "invoice_change",
        "invoice_title",
        "invoice_tax_number",
        "confirmed",
    ]
    personal = zhang(invoice_change="title", invoice_title="个人")
    assert "invoice_tax_number" not in await form.required_slots(
        CHANGE_SLOTS, dispatcher, personal, DOMAIN
    )
    vat = await form.required_slots(CHANGE_SLOTS, dispatcher, zhang(invoice_change="专票"), DOMAIN)
    assert vat[2:4] == ["invoice_company_address", "invoice_bank"]
    plain = await form.required_slots(CHANGE_SLOTS, dispatcher, zhang(), DOMAIN)
    assert plain == ["order_id", "invoice_change", "confirmed"]


async def test_a_second_title_change_is_refused_before_any_question(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    form = ValidateInvoiceChangeForm()
    result = await form.validate_order_id(
        "HP20241102", dispatcher, zhang(invoice_change="title"), DOMAIN
    )
    assert result["form_gave_up"] is True
    [message] = dispatcher.messages
    assert message["response"] == "utter_invoice_change_refused"
    assert "只能修改一次" in message["reason"]


async def test_an_order_without_invoice_is_offered_a_request(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    result = await ValidateInvoiceChangeForm().validate_order_id(
        "HP20241106", dispatcher, zhang(invoice_change="title"), DOMAIN
    )
    assert result["form_gave_up"] is True and result["focus_order"] == "HP20241106"
    assert responses(dispatcher) == ["utter_invoice_none_yet"]


async def test_another_customers_order_is_not_found(
    li_app: Turn, dispatcher: CollectingDispatcher
) -> None:
    result = await ValidateInvoiceChangeForm().validate_order_id(
        "HP20241101", dispatcher, li_app(invoice_change="title"), DOMAIN
    )
    assert result["order_id"] is None
    assert responses(dispatcher) == ["utter_order_not_found"]


async def test_the_kind_chosen_later_is_checked_against_the_invoice(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = zhang("换开专票", requested_slot="invoice_change", order_id="HP20241101")
    result = await ValidateInvoiceChangeForm().validate_invoice_change(
        "换开专票", dispatcher, tracker, DOMAIN
    )
    assert result["form_gave_up"] is True and result["invoice_change"] == "vat_special"
    assert "个人" in dispatcher.messages[-1]["reason"]


async def test_a_title_change_is_made_and_summarised(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    slots = {
        "order_id": "HP20241101",
        "invoice_change": "title",
        "invoice_title": "杭州智客科技有限公司",
        "invoice_tax_number": "91350100M000100Y43",
        "confirmed": True,
    }
    assert "杭州智客科技有限公司" in change_summary("title", slots)
    await ActionChangeInvoice().run(dispatcher, zhang(**slots), DOMAIN)
    [message] = dispatcher.messages
    assert message["response"] == "utter_invoice_changed"
    assert message["change_id"].startswith("IC") and "只能修改一次" in message["once_note"]
    invoices = await backend.get_order_invoices("HP20241101", "C001")
    assert invoices is not None and invoices.current is not None
    assert invoices.current.status == "reissuing"


async def test_paper_details_are_masked_in_the_summary() -> None:
    slots = {
        "invoice_mail_address": "北京市朝阳区建国路93号1505室",
        "invoice_mail_contact": "张伟 13800138001",
    }
    summary = change_summary("paper", slots)
    assert "建国路" not in summary and "13800138001" not in summary and "138****8001" in summary
    assert change_fields("paper", slots)["mail_phone"] == "13800138001"


async def test_a_down_backend_means_an_apology_and_a_ticket(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    tracker = zhang(order_id="HP20241101", invoice_change="electronic_normal", confirmed=True)
    backend.unavailable = True
    await ActionChangeInvoice().run(dispatcher, tracker, DOMAIN)
    backend.unavailable = False
    assert responses(dispatcher)[0] in (
        "utter_backend_unavailable_ticket",
        "utter_backend_unavailable",
    )


async def test_resend_is_refused_before_the_invoice_is_issued(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    result = await ValidateInvoiceResendForm().validate_order_id(
        "HP20241104", dispatcher, zhang(), DOMAIN
    )
    assert result["form_gave_up"] is True
    assert "还没有开具" in dispatcher.messages[-1]["reason"]


async def test_an_email_in_the_request_is_taken(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = zhang("发票发我邮箱 zhangwei@qq.com", "resend_invoice")
    extracted = await ValidateInvoiceResendForm().extract_invoice_email(dispatcher, tracker, DOMAIN)
    assert extracted == {"invoice_email": "zhangwei@qq.com"}


async def test_resend_and_status(zhang: Turn, dispatcher: CollectingDispatcher) -> None:
    tracker = zhang(order_id="HP20241101", invoice_email="zhangwei@qq.com", confirmed=True)
    await ActionResendInvoice().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher) == ["utter_invoice_resent"]
    await ActionInvoiceStatus().run(dispatcher, zhang(order_id="HP20241101"), DOMAIN)
    status = dispatcher.messages[-1]
    assert status["response"] == "utter_invoice_status" and status["status_label"] == "已开具"
    assert "zh****@qq.com" in status["where"]
    said = f"{status['medium']}{status['invoice_type']}"
    assert said == "电子普通发票"  # was 「电子电子普通发票」
    await ActionInvoiceStatus().run(dispatcher, zhang(order_id="HP20241104"), DOMAIN)
    assert dispatcher.messages[-1]["status_label"] == "开具中"
    await ActionInvoiceStatus().run(dispatcher, zhang(order_id="HP20241106"), DOMAIN)
    assert responses(dispatcher)[-1] == "utter_invoice_none_yet"


async def test_the_mailing_address_in_the_request_itself_is_taken(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    form = ValidateInvoiceChangeForm()
    tracker = zhang("HP20241101我要纸质发票，寄到北京市朝阳区建国路93号1505室", "change_invoice")
    slots = await form.required_slots(CHANGE_SLOTS, dispatcher, tracker, DOMAIN)
    assert "invoice_mail_address" in slots
    extracted = await form.extract_invoice_mail_address(dispatcher, tracker, DOMAIN)
    assert extracted == {"invoice_mail_address": "北京市朝阳区建国路93号1505室"}


def _during_the_check(*said: str) -> Tracker:
    events: list[dict] = [{"event": "user", "text": said[0]}]
    events.append({"event": "active_loop", "name": "invoice_change_form"})
    events += [{"event": "user", "text": text} for text in said[1:]]
    return Tracker(
        "web-session-anon",
        {"requested_slot": "bind_phone"},
        {"text": said[-1], "intent": {"name": "inform", "confidence": 0.9}},
        events,
        False,
        None,
        {"name": "invoice_change_form"},
        "action_listen",
    )


async def test_a_company_title_given_during_the_identity_check_is_noted_and_kept() -> None:
    form = ValidateInvoiceChangeForm()
    tracker = _during_the_check("我的发票怎么开成个人了 我要公司的", "杭州某某科技有限公司")
    assert form.noted_detail("杭州某某科技有限公司", tracker) == "发票抬头「杭州某某科技有限公司」"
    assert form.noted_detail("我要公司的", tracker) is None  # no name
    found = await form.extract_invoice_title(CollectingDispatcher(), tracker, {})
    assert found == {"invoice_title": "杭州某某科技有限公司"}  # not asked again later
    # a message that only mentions a company is no title
    vague = _during_the_check("我的发票怎么开成个人了 我要公司的", "13800138001")
    assert await form.extract_invoice_title(CollectingDispatcher(), vague, {}) == {}


def test_wanting_a_companys_title_names_no_company() -> None:
    """ "发票抬头开错了 要改成公司" was taken as the title 「要改成公司」, the tax number asked."""
    form = ValidateInvoiceChangeForm()
    tracker = _during_the_check("发票抬头开错了 要改成公司", "13800138001")
    assert form.noted_detail("发票抬头开错了 要改成公司", tracker) is None
    named = form.noted_detail("要改成杭州某某科技有限公司", tracker)
    assert named == "发票抬头「杭州某某科技有限公司」"
