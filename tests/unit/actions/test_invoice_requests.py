"""The invoice request form: the title (个人 or a company) and the company's tax number,
said when asked, before, or at the wrong question; one invoice per order."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.invoices import ActionRequestInvoice, ValidateInvoiceForm

from .conftest import Turn

DOMAIN: dict = {}


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [message["response"] for message in dispatcher.messages]


async def test_a_personal_invoice_skips_the_tax_number(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    form = ValidateInvoiceForm()
    slots = ["order_id", "invoice_title", "invoice_tax_number", "confirmed"]
    personal = zhang(invoice_title="个人")
    assert await form.required_slots(slots, dispatcher, personal, DOMAIN) == [
        "order_id",
        "invoice_title",
        "confirmed",
    ]
    company = zhang(invoice_title="杭州智客科技有限公司")
    assert await form.required_slots(slots, dispatcher, company, DOMAIN) == slots


async def test_a_title_and_tax_number_said_when_asked_which_order_are_noted_for_later(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    form = ValidateInvoiceForm()
    said = ["公司的 上海智客科技有限公司", "税号91350100M000100Y43"]
    for text in said:  # was: "不用输入订单号哦", "这个订单号格式好像不太对哦"
        tracker = zhang(text, "inform", requested_slot="order_id")
        assert await form.validate_order_id(text, dispatcher, tracker, DOMAIN) == {"order_id": None}
    assert responses(dispatcher) == ["utter_detail_noted", "utter_detail_noted"]
    assert dispatcher.messages[0]["detail"] == "发票抬头「上海智客科技有限公司」"
    # once the order is picked, the form takes both instead of asking
    tracker = zhang("HP20240001", "inform", order_id="HP20240001")
    tracker.events[-1:-1] = [
        {"event": "user", "text": "我想开个发票", "parse_data": {}},
        {"event": "active_loop", "name": "invoice_form"},
        *({"event": "user", "text": text, "parse_data": {}} for text in said),
    ]
    tracker.active_loop = {"name": "invoice_form"}
    title = await form.extract_invoice_title(dispatcher, tracker, DOMAIN)
    assert title == {"invoice_title": "上海智客科技有限公司"}
    tax = await form.extract_invoice_tax_number(dispatcher, tracker, DOMAIN)
    assert tax == {"invoice_tax_number": "税号91350100M000100Y43"}


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("帮我开个电子发票 个人的就行 HP20240003", "个人"),  # was: 「个人还是公司名称呢」
        ("开个人发票 HP20240003", "个人"),
        ("我个人觉得发票还是要开一下 HP20240003", None),
        ("能开个人的吗 HP20240003", None),  # a question: the title is still asked
    ],
)
async def test_a_personal_title_said_with_the_request_is_taken(
    text: str, title: str | None, zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = zhang(text, "request_invoice", order_id="HP20240003")
    tracker.active_loop = {"name": "invoice_form"}
    tracker.events[-1:-1] = [{"event": "active_loop", "name": "invoice_form"}]
    said = await ValidateInvoiceForm().extract_invoice_title(dispatcher, tracker, DOMAIN)
    assert said.get("invoice_title") == title


async def test_a_wrong_tax_number_is_asked_again_and_a_right_one_is_kept(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    form = ValidateInvoiceForm()
    wrong = await form.validate_invoice_tax_number(
        "91350100M000100Y44", dispatcher, zhang(), DOMAIN
    )
    assert wrong["invoice_tax_number"] is None
    right = await form.validate_invoice_tax_number(
        "税号91350100m000100y43", dispatcher, zhang(), DOMAIN
    )
    assert right == {"invoice_tax_number": "91350100M000100Y43"}


async def test_looking_for_the_tax_number_is_no_wrong_number(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    form = ValidateInvoiceForm()
    tracker = zhang("税号是多少来着 我找找", "inform", requested_slot="invoice_tax_number")
    slots = await form.validate_invoice_tax_number(
        "税号是多少来着 我找找", dispatcher, tracker, DOMAIN
    )
    assert slots == {"invoice_tax_number": None}  # asked again, no failure counted
    assert [m["response"] for m in dispatcher.messages] == ["utter_binding_wait"]


@pytest.mark.parametrize(
    ("text", "response", "title"),
    [
        # the name again: the question was taken for the name's, no wrong number
        ("上海智客信息科技有限公司", "utter_invoice_tax_number_not_title", None),
        # another name: the title corrected, the tax number still asked
        (
            "不对 是上海智客网络科技有限公司",
            "utter_invoice_title_corrected",
            "上海智客网络科技有限公司",
        ),
    ],
)
async def test_a_company_name_at_the_tax_number_is_no_failed_check(
    text: str, response: str, title: str | None, zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    """Both were 「这个税号校验没有通过」."""
    tracker = zhang(
        text,
        "inform",
        requested_slot="invoice_tax_number",
        invoice_title="上海智客信息科技有限公司",
    )
    slots = await ValidateInvoiceForm().validate_invoice_tax_number(text, dispatcher, tracker, {})
    assert slots["invoice_tax_number"] is None
    assert slots.get("invoice_title") == title
    assert [m["response"] for m in dispatcher.messages] == [response]


async def test_a_tax_number_not_at_hand_ends_the_request_politely(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    text = "税号还没拿到 晚点发你可以吗"
    tracker = zhang(
        text,
        "nlu_fallback",
        requested_slot="invoice_tax_number",
        invoice_title="杭州智客科技有限公司",
    )
    slots = await ValidateInvoiceForm().validate_invoice_tax_number(text, dispatcher, tracker, {})
    assert slots["form_gave_up"] is True and slots["invoice_tax_number"] is None
    assert slots["invoice_title_kept"] == "杭州智客科技有限公司"
    assert [m["response"] for m in dispatcher.messages] == ["utter_invoice_tax_number_later_kept"]
    assert dispatcher.messages[0]["title"] == "杭州智客科技有限公司"


async def test_the_title_kept_for_a_put_off_tax_number_is_not_asked_again(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    text = "开发票 HP20240002 税号91350100M000100Y43"
    tracker = zhang(
        text,
        "request_invoice",
        requested_slot="order_id",
        invoice_title_kept="杭州智客科技有限公司",
    )
    slots = await ValidateInvoiceForm().extract_invoice_title(dispatcher, tracker, DOMAIN)
    assert slots == {"invoice_title": "杭州智客科技有限公司", "invoice_title_kept": None}


async def test_the_kind_of_title_asks_for_the_companys_name(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    form = ValidateInvoiceForm()
    # "改成公司的" to the new title was the title 「改成公司的」 itself
    for kind in ("公司的", "开公司的吧", "单位", "改成公司的"):
        slots = await form.validate_invoice_title(kind, dispatcher, zhang(kind), DOMAIN)
        assert slots == {"invoice_title": None, "invoice_title_kind": "company"}, kind
    # the form asks again, as a company's name (a variant of utter_ask_invoice_title)
    assert not dispatcher.messages
    named = await form.validate_invoice_title("杭州智客科技有限公司", dispatcher, zhang(), DOMAIN)
    assert named == {"invoice_title": "杭州智客科技有限公司"}


async def test_the_title_named_in_the_opening_message_is_taken_and_a_yes_is_no_title(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    """ "开发票 抬头上海智客科技有限公司 税号…": the title was asked again, and "对的" became it."""
    form = ValidateInvoiceForm()
    text = "开发票 抬头上海智客科技有限公司 税号91350100M000100Y43"
    tracker = zhang(text, "request_invoice", requested_slot="order_id")
    tracker.events.append({"event": "active_loop", "name": "invoice_form"})
    assert await form.extract_invoice_title(dispatcher, tracker, DOMAIN) == {
        "invoice_title": "上海智客科技有限公司"
    }
    slots = await form.validate_invoice_title("对的", dispatcher, zhang("对的"), DOMAIN)
    assert slots["invoice_title"] is None  # asked again: a yes names no company


async def test_invoices_are_requested_once(zhang: Turn, dispatcher: CollectingDispatcher) -> None:
    tracker = zhang(
        order_id="HP20240001",
        invoice_title="杭州智客科技有限公司",
        invoice_tax_number="91350100M000100Y43",
        confirmed=True,
    )
    await ActionRequestInvoice().run(dispatcher, tracker, DOMAIN)
    assert dispatcher.messages[-1]["invoice_id"].startswith("IV")
    again = zhang(order_id="HP20240001", invoice_title="个人", confirmed=True)
    await ActionRequestInvoice().run(dispatcher, again, DOMAIN)
    assert responses(dispatcher)[-1] == "utter_invoice_exists"
