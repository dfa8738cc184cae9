"""Small talk answers only when the selector is sure; a question needs a sure intent."""

from __future__ import annotations

from typing import Any

from rasa.shared.nlu.training_data.message import Message

from zhike.nlu.intent_floor import DEFAULT_FLOORS, IntentFloor


def _message(intent: str, confidence: float, selected: float) -> Message:
    data: dict[str, Any] = {
        "text": "这个怎么弄啊",
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence}],
        "response_selector": {
            "default": {"response": {"intent_response_key": f"{intent}/x", "confidence": selected}}
        },
    }
    return Message(data=data)


def test_an_unsure_answer_becomes_a_clarification_with_the_guess_kept_below() -> None:
    message = _message("chitchat", 0.97, 0.12)
    IntentFloor({"floors": DEFAULT_FLOORS}).process([message])
    assert message.data["intent"]["name"] == "nlu_fallback"
    assert [r["name"] for r in message.data["intent_ranking"]] == ["nlu_fallback", "chitchat"]


def test_a_sure_answer_and_other_intents_are_left_alone() -> None:
    sure = _message("faq", 0.99, 0.93)
    other = _message("query_order", 0.55, 0.0)
    unsure_intent = _message("faq", 0.4, 0.99)
    IntentFloor({"floors": DEFAULT_FLOORS}).process([sure, other, unsure_intent])
    assert sure.data["intent"]["name"] == "faq"
    assert other.data["intent"]["name"] == "query_order"
    assert unsure_intent.data["intent"]["name"] == "nlu_fallback"


def test_a_sure_question_reaches_the_knowledge_base_whatever_the_selector_says() -> None:
    question = _message("faq", 0.9, 0.01)
    IntentFloor({"floors": DEFAULT_FLOORS}).process([question])
    assert question.data["intent"]["name"] == "faq"


def test_an_unsure_request_is_asked_about_and_a_sure_one_starts() -> None:
    floor = IntentFloor({"floors": DEFAULT_FLOORS, "requests": 0.7})
    unsure = _message("modify_address", 0.67, 0.0)  # "你好，APP下载地址?"
    sure = _message("request_refund", 0.93, 0.0)
    floor.process([unsure, sure])
    assert unsure.data["intent"]["name"] == "nlu_fallback"
    assert [r["name"] for r in unsure.data["intent_ranking"]][:2] == [
        "nlu_fallback",
        "modify_address",
    ]
    assert sure.data["intent"]["name"] == "request_refund"


def test_without_a_requests_floor_requests_pass() -> None:
    message = _message("modify_address", 0.67, 0.0)
    IntentFloor({"floors": DEFAULT_FLOORS}).process([message])
    assert message.data["intent"]["name"] == "modify_address"


def _said(text: str, intent: str) -> Message:
    message = _message(intent, 0.9, 0.0)
    message.data["text"] = text
    return message


def test_yes_and_no_must_be_said_in_words_of_yes_or_no() -> None:
    song, yes, no, misread = (
        _said("催眠曲", "affirm"),
        _said("嗯嗯好的", "affirm"),
        _said("不用了谢谢", "deny"),
        _said("不行", "affirm"),
    )
    IntentFloor({"floors": DEFAULT_FLOORS, "yes_no": True}).process([song, yes, no, misread])
    assert [m.data["intent"]["name"] for m in (song, yes, no, misread)] == [
        "nlu_fallback",
        "affirm",
        "deny",
        "deny",
    ]


def test_saying_one_understood_is_a_plain_yes_not_a_fallback() -> None:
    understood, thanks, doubted, question = (
        _said("好的明白了", "nlu_fallback"),
        _said("知道了谢谢", "thank"),
        _said("懂了", "affirm"),
        _said("明白了但是还是想退", "request_refund"),
    )
    floor = IntentFloor({"floors": DEFAULT_FLOORS, "yes_no": True})
    floor.process([understood, thanks, doubted, question])
    assert [m.data["intent"]["name"] for m in (understood, thanks, doubted, question)] == [
        "affirm",  # "还有其他可以帮您的吗？", not "您是想咨询…" (two of those call a person)
        "thank",
        "affirm",  # no word of yes, but no song title either
        "request_refund",  # more than understanding
    ]


def test_dropping_the_matter_is_a_no_not_a_fallback() -> None:
    dropped, leaving, asked = (
        _said("算了 先不退了 我再想想", "nlu_fallback"),
        _said("算了", "goodbye"),
        _said("算了 帮我退了吧", "request_refund"),
    )
    IntentFloor({"floors": DEFAULT_FLOORS, "yes_no": True}).process([dropped, leaving, asked])
    assert [m.data["intent"]["name"] for m in (dropped, leaving, asked)] == [
        "deny",  # a polite close (or the form stops), not "您是想咨询…" and then a person
        "goodbye",
        "request_refund",
    ]


def test_another_domains_words_without_business_are_out_of_scope() -> None:
    fund, drive, delivery, tail = (
        _said("基金最近能买吗", "chitchat"),  # the selector's weather small talk
        _said("北京到天津开车要多久", "ask_shipping"),
        _said("下雨天能正常送货吗", "faq"),  # the delivery, in the rain
        _said("手机尾号0002", "inform"),  # an identity check's answer
    )
    IntentFloor({"floors": DEFAULT_FLOORS, "yes_no": True}).process([fund, drive, delivery, tail])
    assert [m.data["intent"]["name"] for m in (fund, drive, delivery, tail)] == [
        "out_of_scope",
        "out_of_scope",
        "faq",
        "inform",
    ]


def test_a_hello_in_any_order_is_a_greeting() -> None:
    hello, asked = _said("客服 在线么", "faq"), _said("客服在吗 我要退款", "request_refund")
    IntentFloor({"floors": DEFAULT_FLOORS, "yes_no": True}).process([hello, asked])
    assert hello.data["intent"]["name"] == "greet"  # hello, not a question to look up
    assert asked.data["intent"]["name"] == "request_refund"


def test_thanks_to_whoever_helped_is_thanks_and_calls_no_person() -> None:
    addressed, unneeded, asked = (
        _said("谢谢客服小姐姐", "human_handoff"),
        _said("用不着", "greet"),
        _said("谢谢 帮我转人工客服", "human_handoff"),
    )
    IntentFloor({"floors": DEFAULT_FLOORS, "yes_no": True}).process([addressed, unneeded, asked])
    assert [m.data["intent"]["name"] for m in (addressed, unneeded, asked)] == [
        "thank",
        "deny",
        "human_handoff",  # thanks and a wish for a person: the person
    ]


def _with_order(intent: str, confidence: float, runner_up: float) -> Message:
    message = _message(intent, confidence, 0.0)
    message.data["intent_ranking"].append(
        {"name": "query_price_protection", "confidence": runner_up}
    )
    message.data["entities"] = [{"entity": "order_id", "value": "HP20240001"}]
    return message


def test_a_request_naming_an_order_starts_when_diet_clearly_prefers_it() -> None:
    floor = IntentFloor(
        {"floors": DEFAULT_FLOORS, "requests": 0.7, "anchored": {"floor": 0.5, "margin": 0.3}}
    )
    clear = _with_order("query_order", 0.61, 0.12)  # 帮我查一下订单HP20240001
    close_call = _with_order("request_price_protection", 0.51, 0.41)  # apply or progress?
    too_weak = _with_order("query_order", 0.48, 0.02)
    no_number = _message("query_order", 0.61, 0.0)
    floor.process([clear, close_call, too_weak, no_number])
    assert clear.data["intent"]["name"] == "query_order"
    assert close_call.data["intent"]["name"] == "nlu_fallback"
    assert too_weak.data["intent"]["name"] == "nlu_fallback"
    assert no_number.data["intent"]["name"] == "nlu_fallback"


def test_without_the_anchored_setting_an_order_number_changes_nothing() -> None:
    floor = IntentFloor({"floors": DEFAULT_FLOORS, "requests": 0.7, "anchored": None})
    clear = _with_order("query_order", 0.61, 0.12)
    floor.process([clear])
    assert clear.data["intent"]["name"] == "nlu_fallback"


def _small_talk(text: str, topic: str) -> Message:
    message = _message("chitchat", 0.98, 0.99)
    message.data["text"] = text
    message.data["response_selector"]["default"]["response"]["intent_response_key"] = topic
    return message


def test_small_talk_about_something_the_message_never_says_is_asked_about() -> None:
    song = _small_talk("稻香这首歌", "chitchat/insult")
    sing = _small_talk("你会唱青花瓷吗", "chitchat/how_are_you")
    joke = _small_talk("讲个段子乐呵乐呵", "chitchat/tell_joke")
    name = _small_talk("该怎么称呼你", "chitchat/ask_name")
    IntentFloor({"floors": DEFAULT_FLOORS}).process([song, sing, joke, name])
    assert song.data["intent"]["name"] == "nlu_fallback"
    assert sing.data["intent"]["name"] == "nlu_fallback"
    assert joke.data["intent"]["name"] == "chitchat"
    assert name.data["intent"]["name"] == "chitchat"


def test_the_small_talk_check_can_be_switched_off() -> None:
    song = _small_talk("稻香这首歌", "chitchat/insult")
    IntentFloor({"floors": DEFAULT_FLOORS, "small_talk": False}).process([song])
    assert song.data["intent"]["name"] == "chitchat"


def test_a_bare_urge_read_as_another_domain_is_asked_about_in_context() -> None:
    slow = _message("out_of_scope", 1.0, 0.0)
    slow.data["text"] = "都一个星期了"  # right after a refund's progress
    weather = _message("out_of_scope", 1.0, 0.0)
    weather.data["text"] = "明天天气怎么样"
    IntentFloor({"floors": DEFAULT_FLOORS}).process([slow, weather])
    assert slow.data["intent"]["name"] == "nlu_fallback"
    assert weather.data["intent"]["name"] == "out_of_scope"


def test_a_call_for_a_person_must_name_one() -> None:
    dating, person, machine, payload = (
        _said("我想找个对象", "human_handoff"),
        _said("帮我转一下人工", "human_handoff"),
        _said("我不想跟机器聊了", "human_handoff"),
        _said("/human_handoff", "human_handoff"),
    )
    IntentFloor({"floors": DEFAULT_FLOORS}).process([dating, person, machine, payload])
    assert [m.data["intent"]["name"] for m in (dating, person, machine, payload)] == [
        "nlu_fallback",  # asked about, no agent called
        "human_handoff",
        "human_handoff",
        "human_handoff",
    ]
    alone = _said("我想找个对象", "human_handoff")
    IntentFloor({"floors": DEFAULT_FLOORS, "persons": False}).process([alone])
    assert alone.data["intent"]["name"] == "human_handoff"


def test_asking_whether_it_is_a_person_or_a_machine_calls_no_person() -> None:
    which, machine, person = (
        _said("你这是人工还是机器人啊", "human_handoff"),
        _said("是不是自动回复", "human_handoff"),
        _said("别用机器人了 转人工", "human_handoff"),
    )
    IntentFloor({"floors": DEFAULT_FLOORS}).process([which, machine, person])
    assert [m.data["intent"]["name"] for m in (which, machine, person)] == [
        "bot_challenge",  # "我是智客的智能客服机器人…回复「转人工」即可"
        "bot_challenge",
        "human_handoff",
    ]
