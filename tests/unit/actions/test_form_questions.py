"""Questions inside a form read as questions about the form's matter (form_questions.yml).

"这个要多少钱运费" while a refund is filed asks who pays the return's postage (was: "需要先
帮您处理「咨询送达时间和运费」吗？"); "取消了优惠券还退吗" while an order is cancelled asks
about the coupon (was: 「订单可以申请退款哦」).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import ActionAnswerKnowledge
from actions.topic_switch import ActionAnswerInterruption
from tests.unit.actions.conftest import Turn
from tests.unit.actions.switching import in_form, responses
from zhike.common.form_questions import asked_in_form, load_form_questions

pytestmark = pytest.mark.usefixtures("knowledge")


def test_the_shipped_file_loads_and_reads_questions_by_form() -> None:
    assert load_form_questions()
    assert asked_in_form("refund_form", "这个要多少钱运费") == "退货运费谁出"
    assert asked_in_form("exchange_form", "寄回去的邮费谁出啊") == "退货运费谁出"
    assert asked_in_form("cancel_order_form", "取消了优惠券还退吗") is not None
    assert asked_in_form("course_cancel_form", "钱退到哪里") is not None
    assert asked_in_form("address_form", "这个要多少钱运费") is None  # not about a return
    assert asked_in_form("price_protection_form", "价保的钱退到哪里") == "退款多久能到账？"
    assert asked_in_form("intercept_form", "拦截要钱吗") == "拦截快递要收费吗？"
    assert asked_in_form(None, "这个要多少钱运费") is None
    assert asked_in_form("refund_form", "优惠券运费券还退吗") != "退货运费谁出"
    assert asked_in_form("price_protection_form", "价保的钱多久到") == "退款多久能到账？"
    assert asked_in_form("address_form", "改地址要钱吗") == "修改收货地址要收费吗？"
    assert asked_in_form("invoice_form", "等下 电子发票多久能开好") == "电子发票多久能开出来"
    assert asked_in_form("refund_form", "改地址要钱吗") is None
    assert asked_in_form("refund_form", "等会 退款是退到微信吗") == "退款多久能到账？"
    assert asked_in_form("cancel_order_form", "取消了钱什么时候退") == "退款多久能到账？"
    assert asked_in_form("intercept_form", "拦截了以后钱怎么退") == "退款多久能到账？"
    assert asked_in_form("exchange_form", "换货要多久能到") == "换货多久能收到新商品？"


def test_a_fee_asked_while_a_visit_is_booked_is_the_fee_of_that_kind_of_visit() -> None:
    """ "师傅上门收费吗" was 「您是想咨询…」; an installation and a repair cost differently."""
    install, repair = {"visit_kind": "install"}, {"visit_kind": "repair"}
    assert asked_in_form("visit_form", "师傅上门收费吗", install) == "安装收费吗？"
    assert asked_in_form("visit_form", "师傅上门收费吗", repair) == "保修期多久，过保了怎么修？"
    assert asked_in_form("visit_form", "师傅上门收费吗") is None  # the kind not known yet


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("form_questions:\n  - forms: [refund_form]\n    says: [运费]\n", "needs"),
        ("form_questions:\n  - forms: [refund_form]\n    says: ['(']\n    asks: x\n", "entry 1"),
        (
            "form_questions:\n  - forms: [visit_form]\n    when: [x]\n    says: [a]\n    asks: b\n",
            "'when' maps slots",
        ),
    ],
)
def test_a_broken_file_is_named(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "form_questions.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=error):
        load_form_questions(path)


async def test_the_postage_asked_in_the_refund_form_is_the_returns(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    tracker = in_form(
        zhang("这个要多少钱运费", "ask_shipping", requested_slot="refund_reason"), "refund_form"
    )
    events = await ActionAnswerInterruption().run(dispatcher, tracker, real_domain)
    answer = dispatcher.messages[0]
    assert "退货运费" in answer["text"]
    # already filing a refund: no button to start one
    assert not [b for b in answer.get("buttons") or [] if "退" in b["title"]]
    assert responses(dispatcher)[-1] == "utter_form_resume"
    assert events == []  # no switch offered: the form asks its question again


async def test_a_coupon_asked_about_while_cancelling_is_no_refund_question(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = in_form(
        zhang(
            "等等 我先问下 取消了优惠券还退吗",
            "faq",
            requested_slot="confirmed",
            order_id="HP20240003",
            focus_order="HP20240003",
        ),
        "cancel_order_form",
    )
    await ActionAnswerKnowledge().run(dispatcher, tracker, {})
    said = " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert "优惠券" in said
    assert "utter_order_services_offer" not in responses(dispatcher)  # was: 可以申请退款


async def test_the_fee_asked_while_changing_the_address_is_answered_and_the_form_goes_on(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    # the NLU reads it as the form's own request (modify_address at 0.97)
    tracker = in_form(
        zhang(
            "改地址要钱吗",
            "modify_address",
            requested_slot="new_address",
            order_id="HP20240003",
            focus_order="HP20240003",
        ),
        "address_form",
    )
    events = await ActionAnswerInterruption().run(dispatcher, tracker, real_domain)
    said = " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert "免费" in said  # was: the address asked for again, the question unanswered
    assert responses(dispatcher)[-1] == "utter_form_resume"
    assert events == []
