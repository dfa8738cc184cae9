"""Frames that decide without a model: ``alone`` (a declined message) and ``sure`` words."""

from __future__ import annotations

from .test_frames import FRAMES, _matcher, _parsed


def test_a_product_question_both_models_declined_is_still_a_product_question() -> None:
    colour = _parsed(  # neither model ranks ask_product among its likeliest
        "是什么颜色的?",
        "nlu_fallback",
        [("nlu_fallback", 0.49), ("request_exchange", 0.49), ("faq", 0.0), ("greet", 0.0)],
        second="request_exchange",
    )
    hello = _parsed("在么 带数据线么?", "greet", [("greet", 0.45), ("chitchat", 0.2)])
    _matcher().process([colour, hello])
    assert colour.get("intent")["name"] == "ask_product"
    assert hello.get("intent")["name"] == "ask_product"


def test_looking_up_the_courier_is_not_looking_up_the_parcel() -> None:
    assert "query_logistics" not in FRAMES.fitting("帮我查一下快递员电话")


def test_a_pasted_product_page_taken_for_an_empty_answer_is_a_product_question() -> None:
    link = "https://shop.example.com/item/965130.html"
    ranking = [("inform", 0.55), ("request_refund", 0.16)]
    asked = _parsed(f"味道酸吗 {link}", "inform", ranking, second="inform")
    answer = _parsed(  # an order number given: an answer, whatever the link
        f"HP20240001 {link}", "inform", [("inform", 0.9), ("query_order", 0.05)]
    )
    answer.set("entities", [{"entity": "order_id", "value": "HP20240001"}])
    _matcher().process([asked, answer])
    assert asked.get("intent")["name"] == "ask_product"
    assert answer.get("intent")["name"] == "inform"


def test_only_a_frame_marked_alone_takes_a_declined_message() -> None:
    hurry = _parsed(  # the parcel's words, but a request on the customer's orders needs a model
        "请尽快安排配送",
        "nlu_fallback",
        [("nlu_fallback", 0.5), ("greet", 0.5), ("goodbye", 0.1), ("deny", 0.05)],
    )
    _matcher().process([hurry])
    assert hurry.get("intent")["name"] == "nlu_fallback"
    assert FRAMES.alone("ask_product") and not FRAMES.alone("query_logistics")


def test_words_that_leave_no_doubt_take_a_declined_message_alone() -> None:
    urged = _parsed(  # "催单" was a yes to DIET: only ever about the parcel
        "催单",
        "nlu_fallback",
        [("nlu_fallback", 0.76), ("affirm", 0.76), ("inform", 0.05), ("out_of_scope", 0.0)],
        second="out_of_scope",
    )
    _matcher().process([urged])
    assert urged.get("intent")["name"] == "query_logistics"
    assert FRAMES.sure("query_logistics", "那你们帮忙催一下")
    assert not FRAMES.sure("query_logistics", "请尽快安排配送")


def test_words_that_leave_no_doubt_overrule_two_sure_models() -> None:
    installer = _parsed(  # both models: the parcel, which has arrived
        "东西到了，可以派师傅来装吗",
        "query_logistics",
        [("query_logistics", 0.93), ("change_visit", 0.01), ("schedule_delivery", 0.01)],
    )
    installer.set("second_opinion", {"name": "query_logistics", "confidence": 0.44})
    _matcher().process([installer])
    assert installer.get("intent")["name"] == "book_visit"


def test_stopping_a_parcel_on_its_way_is_an_interception_whatever_else_is_said() -> None:
    stop = _parsed(  # both models: a new address, which the parcel on its way cannot get
        "地址填错了 货已经寄出 帮我截回来",
        "modify_address",
        [("modify_address", 0.86), ("intercept_parcel", 0.03), ("query_logistics", 0.02)],
    )
    stop.set("second_opinion", {"name": "modify_address", "confidence": 0.85})
    _matcher().process([stop])
    assert stop.get("intent")["name"] == "intercept_parcel"
    assert FRAMES.fitting("快递能拦下来吗") == ["intercept_parcel"]
    # what an interception or a new address costs is a question for the knowledge base
    assert FRAMES.fitting("拦截快递要手续费吗") == []
    assert FRAMES.fitting("改收货地址要另外付费吗") == []
