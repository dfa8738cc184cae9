"""A request picked from "您是想咨询…" keeps what the customer said in the message asked about."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import said_in_form
from actions.named_orders import goods_words
from actions.visits import ValidateVisitForm

ASKED = "空调啥时候到 还有能不能开个发票"
CLARIFICATION = {
    "event": "bot",
    "text": "不好意思，我不太确定您的意思，您是想咨询下面哪个问题呢？",
    "data": {
        "buttons": [
            {"title": "查询物流进度", "payload": "/query_logistics"},
            {"title": "申请开发票", "payload": "/request_invoice"},
            {"title": "都不是", "payload": "/out_of_scope"},
        ]
    },
    "metadata": {"utter_action": "utter_ask_affirmation_intro"},
}


def _user(text: str, intent: str, **parse: Any) -> dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}, **parse}}


def _tracker(pick: dict[str, Any]) -> Tracker:
    events = [
        {"event": "session_started"},
        _user(ASKED, "nlu_fallback"),
        {"event": "action", "name": "action_two_stage_fallback"},
        {"event": "active_loop", "name": "action_two_stage_fallback"},
        CLARIFICATION,
        {"event": "action", "name": "action_listen"},
        pick,
        {"event": "action", "name": "action_two_stage_fallback"},
        {"event": "active_loop", "name": None},
        {"event": "rewind"},
        pick,  # the fallback sends the pick again
        {"event": "action", "name": "order_id_form"},
        {"event": "active_loop", "name": "order_id_form"},
    ]
    active = {"name": "order_id_form"}
    return Tracker("app:C001", {}, pick["parse_data"], events, False, None, active, None)


def test_a_clicked_pick_keeps_the_goods_named_in_the_message_asked_about() -> None:
    said = said_in_form(_tracker(_user("/query_logistics", "query_logistics")), "order_id_form")
    assert said[0] == ASKED and "空调" in goods_words(" ".join(said))


def test_a_typed_pick_keeps_them_too() -> None:
    typed = _user("查询物流进度", "query_logistics")  # the title typed, as a click
    assert said_in_form(_tracker(typed), "order_id_form")[0] == ASKED
    words = _user("第一个", "query_logistics", typed_choice={"payload": "/query_logistics"})
    assert said_in_form(_tracker(words), "order_id_form")[0] == ASKED


def test_an_offered_request_asked_in_other_words_is_a_pick_another_one_is_not() -> None:
    # "能换个新的吗" to 「申请换货」 for the kettle that "用了两次就不加热了": the defect counts
    asked = _user("我要查物流", "query_logistics")
    assert said_in_form(_tracker(asked), "order_id_form")[0] == ASKED
    new = _user("我要退款", "request_refund")
    assert said_in_form(_tracker(new), "order_id_form") == ["我要退款"]


def _visit_tracker(answer: dict[str, Any]) -> Tracker:
    """ "空调什么时候上门安装", 「您是想咨询…」, ``answer``, the order's services, a typed pick."""
    visits = [
        {"title": "查询师傅上门时间", "payload": "/query_visit"},
        {"title": "预约上门安装/维修", "payload": "/book_visit"},
    ]
    booking = '/book_visit{"order_id": "HP20241401"}'
    offer = {"title": "预约上门安装/维修", "payload": booking}
    pick = _user(booking, "book_visit", typed_choice={"typed": "明天下午可以吗"})
    events = [
        {"event": "session_started"},
        _user("空调什么时候上门安装", "nlu_fallback"),
        {**CLARIFICATION, "data": {"buttons": visits}},
        {"event": "action", "name": "action_listen"},
        answer,
        {"event": "action", "name": "action_order_status"},
        {"event": "bot", "text": "…", "metadata": {"utter_action": "utter_order_status"}},
        {
            "event": "bot",
            "text": "请问您是想为这个订单办理以下业务吗？",
            "data": {"buttons": [offer]},
            "metadata": {"utter_action": "utter_order_services_offer"},
        },
        {"event": "action", "name": "action_listen"},
        pick,
        {"event": "action", "name": "visit_form"},
        {"event": "active_loop", "name": "visit_form"},
    ]
    active = {"name": "visit_form"}
    return Tracker("app:C001", {}, pick["parse_data"], events, False, None, active, None)


async def test_an_order_number_typed_to_a_clarification_keeps_the_message_asked_about() -> None:
    tracker = _visit_tracker(_user("HP20241401", "inform"))
    assert said_in_form(tracker, "visit_form")[0] == "空调什么时候上门安装"
    kind = await ValidateVisitForm().extract_visit_kind(CollectingDispatcher(), tracker, {})
    assert kind == {"visit_kind": "install"}
    # words of their own are no bare order number: the visit starts from them
    own = _visit_tracker(_user("HP20241401这个订单", "inform"))
    assert said_in_form(own, "visit_form")[0] == "HP20241401这个订单"
