"""A second request in the same message is found in its own clause, by its frame."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from zhike.nlu.also_asked import (
    also_asked,
    clause_requests,
    clauses,
    every_clause_a_request,
    first_of_several,
    lookup_first,
    requests_by_clause,
)
from zhike.nlu.frames import FrameMatcher, Frames

FRAMES = Frames.load()


def test_a_message_is_cut_where_customers_join_requests() -> None:
    assert clauses("帮我查下HP20240001到哪了 另外HP20240002的发票开了没") == [
        "帮我查下HP20240001到哪了",
        "HP20240002的发票开了没",
    ]
    assert clauses("发票抬头开错了，顺便帮我催一下物流！") == ["发票抬头开错了", "帮我催一下物流"]
    assert clauses("我的快递到哪了") == ["我的快递到哪了"]


@pytest.mark.parametrize(
    ("text", "intent", "other"),
    [
        ("帮我查下HP20240001到哪了 另外HP20240002的发票开了没", "query_invoice", "query_logistics"),
        ("发票抬头写错了要改成公司的。还有快递到哪了", "change_invoice", "query_logistics"),
        ("我要改个地址 还有发票抬头开错了帮我改下", "modify_address", "change_invoice"),
    ],
)
def test_the_other_request_is_found(text: str, intent: str, other: str) -> None:
    found = also_asked(FRAMES.fitting, text, intent)
    assert found is not None and found["intent"] == other and found["text"] in text


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("HP20240003还没发货吧 我不想要了", "query_logistics"),  # one clause
        ("快递到哪了 另外再帮我催一下", "query_logistics"),  # the same request twice
        ("帮我查下快递到哪了 另外你们几点下班", "query_logistics"),  # a question, no frame
        ("帮我查下快递到哪了 另外发票抬头开错了", "nlu_fallback"),  # the first not understood
        ("/query_invoice", "query_invoice"),
        ("不用取消订单了，帮我查下快递到哪了", "query_logistics"),  # called off
    ],
)
def test_no_other_request_is_made_up(text: str, intent: str) -> None:
    assert also_asked(FRAMES.fitting, text, intent) is None


def test_the_frame_matcher_records_it_in_the_parse_result() -> None:
    text = "帮我查下HP20240001到哪了 另外HP20240002的发票开了没"
    intent = {"name": "query_invoice", "confidence": 0.97}
    message = Message(data={"text": text, "intent": intent, "intent_ranking": [intent]})
    FrameMatcher(FrameMatcher.get_default_config(), FRAMES).process([message])
    assert message.get("also") == {"intent": "query_logistics", "text": "帮我查下HP20240001到哪了"}
    assert "also" in message.as_dict(only_output_properties=True)


@pytest.mark.parametrize(
    "text", ["HP20240001到哪了 顺便帮我开个发票", "帮我开个发票 还有HP20240001到哪了"]
)
def test_a_lookup_of_an_order_named_is_answered_before_a_change(text: str) -> None:
    """The invoice's form came first; the parcel was offered only once it was done."""
    intent = {"name": "request_invoice", "confidence": 0.95}
    ranking = [intent, {"name": "query_logistics", "confidence": 0.03}]
    message = Message(data={"text": text, "intent": intent, "intent_ranking": ranking})
    FrameMatcher(FrameMatcher.get_default_config(), FRAMES).process([message])
    assert message.get("intent")["name"] == "query_logistics"
    assert message.get("also") == {"intent": "request_invoice", "text": "帮我开个发票"}


@pytest.mark.parametrize(
    "text",
    [
        "帮我改个收货地址 另外我那个快递到哪了",  # the lookup would ask which order too
        "取消订单HP20240003 顺便看下HP20240001到哪了",  # the change names its own order
        "HP20240001到哪了",  # one request
    ],
)
def test_a_change_said_first_stays_first_otherwise(text: str) -> None:
    said = requests_by_clause(FRAMES.fitting, text)
    assert lookup_first(said, "modify_address") is None
    assert lookup_first(said, "cancel_order") is None


def test_two_requests_the_models_could_not_choose_between_are_taken_in_order() -> None:
    text = "帮我改个收货地址 另外我那个快递到哪了"
    assert len(FRAMES.fitting(text)) == 2
    assert first_of_several(FRAMES.fitting, text) == ["modify_address"]
    unsure = {"name": "nlu_fallback", "confidence": 0.5}
    ranking = [unsure, {"name": "modify_address", "confidence": 0.5}]
    message = Message(data={"text": text, "intent": unsure, "intent_ranking": ranking})
    FrameMatcher(FrameMatcher.get_default_config(), FRAMES).process([message])
    assert message.get("intent")["name"] == "modify_address"
    assert message.get("also")["intent"] == "query_logistics"
    # both in one clause: no order to follow, the customer is asked
    assert first_of_several(FRAMES.fitting, "帮我改下地址和申请价保") == []


def test_a_declined_message_offers_first_the_request_a_clause_is_in_the_words_of() -> None:
    text = "空调啥时候到 还有能不能开个发票"
    assert clause_requests(FRAMES.fitting, text) == ["query_logistics"]
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.52},
        {"name": "request_invoice", "confidence": 0.52},
        {"name": "query_invoice", "confidence": 0.2},
    ]
    message = Message(data={"text": text, "intent": ranking[0], "intent_ranking": ranking})
    FrameMatcher(FrameMatcher.get_default_config(), FRAMES).process([message])
    offered = [entry["name"] for entry in message.get("intent_ranking")]
    # was: 申请开发票 / 查询发票进度, the parcel lost
    assert offered[:3] == ["nlu_fallback", "query_logistics", "request_invoice"]
    # whichever the customer picks, the parcel's clause is on record for afterwards
    said = [{"intent": "query_logistics", "text": "空调啥时候到"}]
    assert message.get("clause_requests") == said
    assert "clause_requests" in message.as_dict(only_output_properties=True)


@pytest.mark.parametrize(
    "text", ["我要退款 HP20240002 还有发票也要开", "取消订单HP20240003 另外帮我改下地址"]
)
def test_a_declined_message_each_clause_a_request_starts_the_first(text: str) -> None:
    """Both were offered as buttons; the customer had said in order what they wanted."""
    said = every_clause_a_request(FRAMES.fitting, text)
    assert len(said) == 2
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": said[1]["intent"], "confidence": 0.41},  # a model considered the second
        {"name": "change_invoice", "confidence": 0.24},
    ]
    message = Message(data={"text": text, "intent": ranking[0], "intent_ranking": ranking})
    FrameMatcher(FrameMatcher.get_default_config(), FRAMES).process([message])
    assert message.get("intent")["name"] == said[0]["intent"]
    assert message.get("also") == said[1]


def test_clauses_the_words_do_not_all_explain_are_still_asked_about() -> None:
    # the second clause is a question, not a request: no order of requests to follow
    assert every_clause_a_request(FRAMES.fitting, "空调啥时候到 还有能不能开个发票") == []
    assert every_clause_a_request(FRAMES.fitting, "我要退款 HP20240002") == []  # one clause
    text = "我要退款 HP20240002 还有发票也要开"
    ranking = [  # neither request considered by a model: the words alone decide nothing
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "cancel_course", "confidence": 0.3},
    ]
    message = Message(data={"text": text, "intent": ranking[0], "intent_ranking": ranking})
    FrameMatcher(FrameMatcher.get_default_config(), FRAMES).process([message])
    assert message.get("intent")["name"] == "nlu_fallback"


def test_a_message_understood_or_of_one_clause_records_no_clauses() -> None:
    for text, intent in (
        ("空调啥时候到 还有能不能开个发票", "request_invoice"),
        ("空调啥时候到", "nlu_fallback"),
    ):
        top = {"name": intent, "confidence": 0.9}
        message = Message(data={"text": text, "intent": top, "intent_ranking": [top]})
        FrameMatcher(FrameMatcher.get_default_config(), FRAMES).process([message])
        assert message.get("clause_requests") is None


def test_only_requests_said_in_clauses_of_their_own_and_not_called_off_count() -> None:
    assert clause_requests(FRAMES.fitting, "空调啥时候到") == []  # one clause: the models decide
    called_off = "空调啥时候到 另外不用取消订单了"
    assert clause_requests(FRAMES.fitting, called_off) == ["query_logistics"]
