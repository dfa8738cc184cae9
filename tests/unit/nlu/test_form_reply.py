"""A reply to the form the fallback's question interrupted goes back to that form."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.events import (
    ActionExecutionRejected,
    ActiveLoop,
    BotUttered,
    Event,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from zhike.nlu.form_reply import FORM_REPLY_KEY, FormReply, interrupted_form

TOPICS = [
    {"title": "查询发票进度", "payload": "/query_invoice"},
    {"title": "申请开发票", "payload": "/request_invoice"},
    {"title": "都不是", "payload": "/out_of_scope"},
]


def _component(tmp_path: Any) -> FormReply:
    return FormReply.create(
        {}, LocalModelStorage(tmp_path), Resource("form_reply"), ExecutionContext(GraphSchema({}))
    )


def _address_asked_then(*after: Event) -> DialogueStateTracker:
    """The address form asked for the new address; then ``after``."""
    return DialogueStateTracker.from_events(
        "c1",
        [
            UserUttered("我要改收货地址"),
            ActiveLoop("address_form"),
            BotUttered("请发送新的收货地址（省市区 + 详细地址）。"),
            *after,
        ],
    )


def _fallback_over_the_form() -> DialogueStateTracker:
    return _address_asked_then(
        UserUttered("顺便问下发票怎么开"),
        ActionExecutionRejected("address_form"),
        ActiveLoop("action_two_stage_fallback"),
        BotUttered("您是想咨询下面哪个问题呢？", data={"buttons": TOPICS}),
    )


def _read(tmp_path: Any, text: str, intent: str, tracker: DialogueStateTracker) -> Message:
    message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.6}})
    [read] = _component(tmp_path).process([message], tracker)
    return read


def test_an_address_after_the_fallbacks_question_answers_the_form(tmp_path: Any) -> None:
    tracker = _fallback_over_the_form()
    assert interrupted_form(tracker) == ("address_form", [])
    read = _read(tmp_path, "上海市浦东新区张江路88号3栋502", "nlu_fallback", tracker)
    assert read.get("intent") == {"name": "inform", "confidence": 1.0}
    assert read.get(FORM_REPLY_KEY) == "address_form"
    assert FORM_REPLY_KEY in read.as_dict(only_output_properties=True)
    assert (
        _read(tmp_path, "放门卫室就行", "out_of_scope", tracker).get("intent")["name"] == "inform"
    )


def test_questions_picks_and_understood_messages_are_left_alone(tmp_path: Any) -> None:
    tracker = _fallback_over_the_form()
    for text, intent in (
        ("我是问发票怎么开", "nlu_fallback"),  # asks again: the fallback goes on
        ("/request_invoice", "request_invoice"),  # a topic clicked
        ("算了不改了", "deny"),
        ("电子发票几天能开好？", "out_of_scope"),
    ):
        assert _read(tmp_path, text, intent, tracker).get("intent")["name"] == intent, text


def test_without_a_form_under_the_fallback_nothing_changes(tmp_path: Any) -> None:
    plain = DialogueStateTracker.from_events(
        "c1",
        [
            UserUttered("顺便问下发票怎么开"),
            ActiveLoop("action_two_stage_fallback"),
            BotUttered("您是想咨询下面哪个问题呢？", data={"buttons": TOPICS}),
        ],
    )
    assert interrupted_form(plain) is None
    assert (
        _read(tmp_path, "上海市浦东新区张江路88号", "nlu_fallback", plain).get("intent")["name"]
        == "nlu_fallback"
    )
    # the form still asking (no fallback in between): the form reads its own answers
    asking = _address_asked_then()
    assert interrupted_form(asking) is None
    assert interrupted_form(None) is None


def _lesson_change_confirming() -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        "c1",
        [
            UserUttered("周三的数学课能不能换到周六"),
            ActiveLoop("lesson_change_form"),
            BotUttered("…申请调课到 12月12日（周六）19:00。确认提交吗？"),
        ],
    )


def test_a_bare_time_said_to_a_form_is_its_answer_however_the_nlu_read_it(
    tmp_path: Any,
) -> None:
    """ "上午十点" to a lesson change's confirmation: DIET's service-hours question at 1.0."""
    tracker = _lesson_change_confirming()
    for text, intent in (
        ("上午十点", "faq"),
        ("那就周六下午吧", "chitchat"),
        ("明天", "greet"),
        ("2点以后都行", "nlu_fallback"),  # a half-day, the day still to be chosen
        ("下午三点之后都可以", "faq"),
    ):
        read = _read(tmp_path, text, intent, tracker)
        assert read.get("intent") == {"name": "inform", "confidence": 1.0}, text
        assert read.get(FORM_REPLY_KEY) == "lesson_change_form"


def test_questions_and_requests_with_a_time_stay_what_they_are(tmp_path: Any) -> None:
    tracker = _lesson_change_confirming()
    for text, intent in (
        ("明天能到吗", "faq"),  # a question, not a time proposed
        ("你们周末几点上班", "faq"),
        ("几点以后能送到", "query_logistics"),
        ("明天的英语课也请个假", "reschedule_course"),  # a request of its own
        ("上午十点", "affirm"),  # only misreadings of a time are corrected
    ):
        assert _read(tmp_path, text, intent, tracker).get("intent")["name"] == intent, text
    plain = DialogueStateTracker.from_events("c1", [UserUttered("你好")])
    assert _read(tmp_path, "上午十点", "faq", plain).get("intent")["name"] == "faq"  # no form


def _visit_booking(kind: str) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        "c1",
        [
            UserUttered("我想预约安装 HP20241401"),
            ActiveLoop("visit_form"),
            SlotSet("visit_kind", kind),
            BotUttered("请问希望师傅哪天上门呢？"),
        ],
    )


def test_a_declined_question_about_the_forms_matter_is_a_question(tmp_path: Any) -> None:
    """ "师傅上门收费吗" while a visit is booked was 「您是想咨询…」 over the form."""
    read = _read(tmp_path, "师傅上门收费吗", "nlu_fallback", _visit_booking("install"))
    assert read.get("intent") == {"name": "faq", "confidence": 1.0}
    assert read.get(FORM_REPLY_KEY) == "visit_form"
    # no form question of that form in those words, or no form: left to the fallback
    other = _read(tmp_path, "你们老板是谁", "nlu_fallback", _visit_booking("install"))
    assert other.get("intent")["name"] == "nlu_fallback"
    plain = DialogueStateTracker.from_events("c1", [UserUttered("你好")])
    assert _read(tmp_path, "师傅上门收费吗", "nlu_fallback", plain).get("intent")["name"] == (
        "nlu_fallback"
    )


def _new_phone_asked() -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        "c1",
        [
            UserUttered("帮我改一下HP20240003的收货电话"),
            ActiveLoop("receiver_phone_form"),
            SlotSet("requested_slot", "receiver_phone"),
            BotUttered("请发送新的收货人手机号（11 位）。"),
        ],
    )


def test_a_question_about_the_value_asked_for_is_the_forms_to_answer(tmp_path: Any) -> None:
    """ "新号码是多少你们能看到吗": DIET's knowledge-base question at 0.97, no entry for it."""
    read = _read(tmp_path, "新的手机号你们那边看得到吗", "faq", _new_phone_asked())
    assert read.get("intent") == {"name": "inform", "confidence": 1.0}
    assert read.get(FORM_REPLY_KEY) == "receiver_phone_form"
    for text, intent in (
        ("电话是13912345678吗", "faq"),  # a number given: the form reads it as it is
        ("改手机号要多久生效", "faq"),  # no word of the value: a question of its own
        ("手机号改不了怎么办", "request_refund"),  # a request stays one
    ):
        assert _read(tmp_path, text, intent, _new_phone_asked()).get("intent")["name"] == intent


def test_a_form_reads_another_domains_words_as_the_nlu_had_them(tmp_path: Any) -> None:
    """ "孩子看病去了" to a leave's reason: out of scope alone (看病), a reason in a form."""
    diet = {"name": "inform", "confidence": 0.8}
    message = Message(
        data={
            "text": "孩子看病去了",
            "intent": {"name": "out_of_scope", "confidence": 0.8},
            "intent_ranking": [{"name": "out_of_scope", "confidence": 0.8}, diet],
            "elsewhere": {"domain": "health", "was": diet},
        }
    )
    [read] = _component(tmp_path).process([message], _lesson_change_confirming())
    assert read.get("intent") == diet
    assert read.get("intent_ranking") == [diet]
    alone = Message(data={**message.data, "intent": {"name": "out_of_scope", "confidence": 0.8}})
    plain = DialogueStateTracker.from_events("c1", [UserUttered("你好")])
    assert _component(tmp_path).process([alone], plain)[0].get("intent")["name"] == "out_of_scope"
