"""A message the knowledge base answers is a question; requests to act stay requests."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.message import Message

from zhike.lib.kb.background import BackgroundKnowledge
from zhike.lib.kb.db import KbDatabase
from zhike.lib.kb.seed import ensure_seeded
from zhike.lib.kb.service import KnowledgeBase
from zhike.nlu.frames import FrameMatcher, Frames
from zhike.nlu.knowledge_gate import DEFAULT_QUESTIONS_FROM, KnowledgeGate

ROOT = Path(__file__).resolve().parents[3]


async def _seed(url: str) -> None:
    db = KbDatabase(url)
    await db.create_tables()
    await ensure_seeded(KnowledgeBase(db), ROOT / "data" / "kb" / "faq.yml")
    await db.dispose()


@pytest.fixture
def knowledge(tmp_path: Path) -> Iterator[BackgroundKnowledge]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'kb.db'}"
    asyncio.run(_seed(url))
    background = BackgroundKnowledge(url, refresh_seconds=0.2)
    background.start()
    assert background.ready.wait(30), "the index was never built"
    yield background
    background.stop()


def _message(text: str, intent: str, confidence: float) -> Message:
    ranking = [{"name": intent, "confidence": confidence}, {"name": "faq", "confidence": 0.1}]
    return Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": ranking,
        }
    )


def _unsure(text: str, request: str, confidence: float, opinion: str | None = None) -> Message:
    """A message the NLU declined, ``request`` the likeliest intent (DIET's confidence)."""
    ranking = [
        {"name": "nlu_fallback", "confidence": confidence},
        {"name": request, "confidence": confidence},
        {"name": "faq", "confidence": 0.0},
    ]
    data: dict = {"text": text, "intent": dict(ranking[0]), "intent_ranking": ranking}
    if opinion is not None:
        data["second_opinion"] = {"name": opinion, "confidence": 0.5}
    return Message(data=data)


def test_an_answerable_question_nlu_was_unsure_of_becomes_a_question(
    knowledge: BackgroundKnowledge,
) -> None:
    gate = KnowledgeGate({"questions_from": DEFAULT_QUESTIONS_FROM}, knowledge)
    unsure = _message("优惠券要怎么用啊", "nlu_fallback", 0.4)
    gate.process([unsure])
    assert unsure.data["intent"]["name"] == "faq"
    assert [r["name"] for r in unsure.data["intent_ranking"]][:2] == ["faq", "nlu_fallback"]


def test_requests_and_unknown_questions_are_left_alone(knowledge: BackgroundKnowledge) -> None:
    gate = KnowledgeGate({"questions_from": DEFAULT_QUESTIONS_FROM}, knowledge)
    request = _message("优惠券要怎么用啊", "request_refund", 0.9)
    weather = _message("明天上海下不下雨", "out_of_scope", 0.8)
    button = _message('/faq{"kb_entry": "none"}', "nlu_fallback", 0.3)
    gate.process([request, weather, button])
    assert request.data["intent"]["name"] == "request_refund"
    assert weather.data["intent"]["name"] == "out_of_scope"
    assert button.data["intent"]["name"] == "nlu_fallback"


def test_a_question_no_entry_answers_is_marked_unanswered(knowledge: BackgroundKnowledge) -> None:
    gate = KnowledgeGate({"questions_from": DEFAULT_QUESTIONS_FROM}, knowledge)
    teacher = _message("老师是谁啊", "faq", 0.99)
    answered = _message("优惠券要怎么用啊", "faq", 0.99)
    gate.process([teacher, answered])
    assert teacher.data["intent"]["name"] == "faq" and teacher.data["unanswered"] is True
    assert "unanswered" not in answered.data


def test_without_a_knowledge_base_nothing_changes() -> None:
    gate = KnowledgeGate({}, None)
    message = _message("优惠券要怎么用啊", "nlu_fallback", 0.4)
    gate.process([message])
    assert message.data["intent"]["name"] == "nlu_fallback"


def test_the_index_is_built_when_the_model_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'kb.db'}"
    asyncio.run(_seed(url))
    monkeypatch.setenv("ZHIKE_KB_DB_URL", url)
    gate = KnowledgeGate.create({}, None, None, None)  # type: ignore[arg-type]
    assert gate.knowledge is not None
    try:
        assert gate.knowledge.ready.wait(30), "nothing was built before the first message"
        unsure = _message("优惠券要怎么用啊", "nlu_fallback", 0.4)
        gate.process([unsure])
        assert unsure.data["intent"]["name"] == "faq"
    finally:
        gate.knowledge.stop()


def _demoted_request(text: str, entities: list[dict[str, str]]) -> Message:
    """A request the intent floor turned into nlu_fallback, as the gate receives it."""
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.51},
        {"name": "request_price_protection", "confidence": 0.51},
        {"name": "query_price_protection", "confidence": 0.41},
    ]
    return Message(
        data={
            "text": text,
            "intent": dict(ranking[0]),
            "intent_ranking": ranking,
            "entities": entities,
        }
    )


def test_an_unsure_request_naming_an_order_is_not_answered_with_the_policy(
    knowledge: BackgroundKnowledge,
) -> None:
    gate = KnowledgeGate({"questions_from": DEFAULT_QUESTIONS_FROM}, knowledge)
    order = [{"entity": "order_id", "value": "HP20240005", "start": 5, "end": 15}]
    request = _demoted_request("申请价保 HP20240005", order)
    question = _demoted_request("价保多少天", [])
    gate.process([request, question])
    # the request is offered as a button by the two-stage fallback ...
    assert request.data["intent"]["name"] == "nlu_fallback"
    # ... while the same doubt without an order number is the policy question it is
    assert question.data["intent"]["name"] == "faq"


def test_a_request_asked_as_a_question_about_the_rules_gets_the_policy(
    knowledge: BackgroundKnowledge,
) -> None:
    gate = KnowledgeGate({}, knowledge)
    rules = _message("退款一般多久到账", "request_refund", 0.9)
    act = _message("帮我退款，钱退到原来的卡上", "request_refund", 0.9)
    order = _message("HP20240005 退款多久到账", "request_refund", 0.9)
    order.data["entities"] = [{"entity": "order_id", "value": "HP20240005"}]
    gate.process([rules, act, order])
    assert rules.data["intent"]["name"] == "faq"
    # asking to act, or about one's own order, keeps the request
    assert act.data["intent"]["name"] == "request_refund"
    assert order.data["intent"]["name"] == "request_refund"


def test_a_rules_question_the_knowledge_base_only_half_matches_offers_both(
    knowledge: BackgroundKnowledge,
) -> None:
    gate = KnowledgeGate({}, knowledge)
    message = _message("想了解下价保从哪天开始算", "request_price_protection", 0.95)
    gate.process([message])
    # "您是想问：" with the entry's question and the request as buttons
    assert message.data["intent"]["name"] == "nlu_fallback"
    ranked = [r["name"] for r in message.data["intent_ranking"]]
    assert ranked[:2] == ["faq", "request_price_protection"]


def test_a_rules_question_no_entry_answers_is_asked_about_not_started(
    knowledge: BackgroundKnowledge,
) -> None:
    gate = KnowledgeGate({}, knowledge)
    message = _message("上门取件的标准写着不需要寄回是什么意思", "reschedule_pickup", 0.9)
    gate.process([message])
    # "您是想咨询：" with the request as a button, not the pickup-rescheduling form
    assert message.data["intent"]["name"] == "nlu_fallback"
    ranked = [r["name"] for r in message.data["intent_ranking"]]
    assert ranked[:2] == ["nlu_fallback", "reschedule_pickup"]


def test_policy_questions_can_be_switched_off(knowledge: BackgroundKnowledge) -> None:
    gate = KnowledgeGate({"policy_questions": False}, knowledge)
    message = _message("退款一般多久到账", "request_refund", 0.9)
    gate.process([message])
    assert message.data["intent"]["name"] == "request_refund"


def test_a_question_about_one_entry_only_is_answered_below_the_threshold(
    knowledge: BackgroundKnowledge,
) -> None:
    gate = KnowledgeGate({}, knowledge)
    warranty = _message("如何保修", "faq", 0.9)
    rules = _message("我想了解下保价问题", "request_price_protection", 0.95)
    gate.process([warranty, rules])
    # well below the answer threshold, but far closer to one entry than to any other
    assert warranty.data["intent"]["name"] == "faq"
    assert rules.data["intent"]["name"] == "faq"


def test_an_unsure_request_keeps_its_buttons_when_an_entry_is_only_clearly_best(
    knowledge: BackgroundKnowledge,
) -> None:
    gate = KnowledgeGate({"questions_from": DEFAULT_QUESTIONS_FROM}, knowledge)
    change = _unsure("修改发票", "change_invoice", 0.77)
    question = _message("如何保修", "nlu_fallback", 0.45)
    gate.process([change, question])
    # the invoice rules are the only entry near "修改发票", yet the customer asked to act
    assert change.data["intent"]["name"] == "nlu_fallback"
    assert [r["name"] for r in change.data["intent_ranking"]][:2] == [
        "nlu_fallback",
        "change_invoice",
    ]
    assert question.data["intent"]["name"] == "faq"


def test_a_greeting_in_an_entrys_own_words_is_that_question(
    knowledge: BackgroundKnowledge,
) -> None:
    gate = KnowledgeGate({}, knowledge)
    hours = _message("周末有人吗", "greet", 0.9)
    hello = _message("你好，在吗", "greet", 0.99)
    near = _message("晚上有人吗", "greet", 0.9)
    gate.process([hours, hello, near])
    # "周末有人吗" is one of the service hours' similar questions
    assert hours.data["intent"]["name"] == "faq"
    # a greeting, or one only close to an entry, stays what it is
    assert hello.data["intent"]["name"] == "greet"
    assert near.data["intent"]["name"] == "greet"


def test_an_unsure_request_both_models_read_keeps_its_buttons_over_any_answer(
    knowledge: BackgroundKnowledge,
) -> None:
    gate = KnowledgeGate({"questions_from": DEFAULT_QUESTIONS_FROM}, knowledge)
    agreed = _unsure("您好 申请价保", "request_price_protection", 0.63, "request_price_protection")
    doubted = _unsure("您好 申请价保", "request_price_protection", 0.63, "faq")
    gate.process([agreed, doubted])
    # both models read a request: 「申请价保」 stays the first button, not the policy
    assert agreed.data["intent"]["name"] == "nlu_fallback"
    assert agreed.data["intent_ranking"][1]["name"] == "request_price_protection"
    # the linear model doubts it: the policy entry, which matches well, answers
    assert doubted.data["intent"]["name"] == "faq"


def test_an_unsure_request_in_an_entrys_own_words_gets_that_answer(
    knowledge: BackgroundKnowledge,
) -> None:
    gate = KnowledgeGate({"questions_from": DEFAULT_QUESTIONS_FROM}, knowledge)
    # staff wrote 「價保怎麼申請」 as a similar question of the price-protection entry, whose
    # answer has the 「申请价保」 button: both models' unsure status query does not win
    how = _unsure("价保怎么申请", "query_price_protection", 0.52, "query_price_protection")
    apply = _unsure("您好 申请价保", "request_price_protection", 0.63, "request_price_protection")
    gate.process([how, apply])
    assert how.data["intent"]["name"] == "faq"
    assert apply.data["intent"]["name"] == "nlu_fallback"  # only close to the entry


def test_an_unsure_request_asked_about_its_price_gets_the_answer(
    knowledge: BackgroundKnowledge,
) -> None:
    """ "我想给孩子报个英语课 怎么收费": both models' unsure lesson change, no words of one."""
    gate = KnowledgeGate({"questions_from": DEFAULT_QUESTIONS_FROM}, knowledge)
    price = _unsure("我想给孩子报个英语课 怎么收费", "reschedule_course", 0.45, "reschedule_course")
    act = _unsure("帮我给孩子报个英语课 怎么收费", "reschedule_course", 0.45, "reschedule_course")
    gate.process([price, act])
    assert price.data["intent"]["name"] == "faq"
    assert act.data["intent"]["name"] == "nlu_fallback"  # 帮我: asked to act, buttons stay


def test_a_rules_question_is_answered_by_an_entry_clearly_ahead_of_the_others(
    knowledge: BackgroundKnowledge,
) -> None:
    """ "有没有适合初二的数学班 学费多少": DIET unsure (a withdrawal at 0.45), no sure faq."""
    gate = KnowledgeGate({"questions_from": DEFAULT_QUESTIONS_FROM}, knowledge)
    fees = _unsure("有没有适合初二的数学班 学费多少", "cancel_course", 0.45)
    act = _unsure("帮我报个初二的数学班 学费多少", "cancel_course", 0.45)
    pickup = _message("上门取件的标准写着不需要寄回是什么意思", "reschedule_pickup", 0.9)
    gate.process([fees, act, pickup])
    # the enrolment-and-fees entry, well ahead of the withdrawal's refund, answers it
    assert fees.data["intent"]["name"] == "faq"
    assert fees.data["asks_the_rules"] is True
    # asked to act ("帮我"): the buttons, and no mark
    assert act.data["intent"]["name"] == "nlu_fallback"
    assert "asks_the_rules" not in act.data
    # the return policy, only half a match, is not its answer
    assert pickup.data["intent"]["name"] == "nlu_fallback"


def test_a_question_in_words_one_entry_answers_gets_that_entry_from_a_low_score(
    knowledge: BackgroundKnowledge,
) -> None:
    """ "刚买的热水器可以退吗": the return policy scores 0.44, below every other rule."""
    gate = KnowledgeGate({"questions_from": DEFAULT_QUESTIONS_FROM}, knowledge)
    sure = _message("你好，刚买的热水器可以退吗", "faq", 1.0)
    unsure = _unsure("这个还可以退货吗? 买了没赶上装修用", "request_refund", 0.45)
    own = _unsure("HP20240002可以退吗", "request_refund", 0.45)
    own.set("entities", [{"entity": "order_id", "value": "HP20240002"}])
    gate.process([sure, unsure, own])
    for asked in (sure, unsure):
        assert asked.data["intent"]["name"] == "faq"
        assert asked.data["names_the_entry"] == "退货政策是怎样的？"
    # the customer's own order: whether *it* can be returned, the request's buttons
    assert own.data["intent"]["name"] == "nlu_fallback"
    assert "names_the_entry" not in own.data


def test_the_knowledge_base_is_asked_the_new_matter_after_a_lead_in(
    knowledge: BackgroundKnowledge,
) -> None:
    gate = KnowledgeGate({"questions_from": DEFAULT_QUESTIONS_FROM}, knowledge)
    plain = _message("运费险怎么理赔", "nlu_fallback", 0.4)
    led = _message("好的谢谢 还有个问题 运费险怎么理赔", "nlu_fallback", 0.4)
    gate.process([plain, led])
    assert plain.data["intent"]["name"] == led.data["intent"]["name"]
    assert plain.data["intent"]["confidence"] == pytest.approx(led.data["intent"]["confidence"])


def test_a_request_diet_was_sure_of_is_not_answered_with_a_policy_it_shares_a_word_with(
    knowledge: BackgroundKnowledge,
) -> None:
    gate = KnowledgeGate({"questions_from": DEFAULT_QUESTIONS_FROM}, knowledge)
    # the linear model took it for a question: asked about, not answered
    exchange = _unsure("能换吗", "request_exchange", 0.91, "faq")
    gate.process([exchange])
    # "可以更换老师吗？" matches 换 well, but the customer asked to exchange something
    assert exchange.data["intent"]["name"] == "nlu_fallback"
    assert exchange.data["intent_ranking"][1]["name"] == "request_exchange"


def test_a_product_question_no_entry_answers_is_a_product_question(
    knowledge: BackgroundKnowledge,
) -> None:
    frames = FrameMatcher(FrameMatcher.get_default_config(), Frames.load())
    gate = KnowledgeGate({}, knowledge)
    product = _message("你好请问带电子狗吗?", "faq", 1.0)  # DIET: a question to the KB
    frames.process([product])
    assert product.data["alone_frame"] == "ask_product"
    coupon = _message("优惠券要怎么用啊", "faq", 1.0)
    coupon.set("alone_frame", "ask_product")  # were it in a product's words too
    gate.process([product, coupon])
    # no entry answers it: the catalogue is looked up, not "没有找到答案"
    assert product.data["intent"]["name"] == "ask_product"
    # an entry answers this one: the knowledge base has its say first
    assert coupon.data["intent"]["name"] == "faq"


def test_what_a_service_costs_gets_its_entry_whatever_request_the_models_were_sure_of(
    knowledge: BackgroundKnowledge,
) -> None:
    """ "师傅来装热水器收不收钱": DIET is sure of a booking (0.98); the fee entry answers."""
    gate = KnowledgeGate({"questions_from": DEFAULT_QUESTIONS_FROM}, knowledge)
    install = _message("师傅来装热水器收不收钱", "book_visit", 0.98)
    address = _message("换个收货地址要另外付钱不", "modify_address", 0.9)
    booking = _message("帮我约师傅来装热水器", "book_visit", 0.98)
    gate.process([install, address, booking])
    assert install.data["intent"]["name"] == "faq"
    assert install.data["names_the_entry"] == "安装收费吗？"
    assert address.data["names_the_entry"] == "修改收货地址要收费吗？"
    assert booking.data["intent"]["name"] == "book_visit"  # a booking asked for stays one
