"""The follow-ups file: loaded, validated, and read in context."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhike.common.follow_ups import (
    continued_request,
    earlier_intents,
    kept_intent,
    load_follow_ups,
)


def test_the_shipped_file_loads() -> None:
    assert set().union(*(f.after for f in load_follow_ups())) >= {"query_course", "query_visit"}


def test_a_follow_up_is_read_only_after_its_request() -> None:
    assert continued_request(["query_course"], "老师是谁啊") == "query_course"
    assert continued_request(["query_course"], "老師是誰") == "query_course"
    assert continued_request([], "老师是谁啊") is None
    assert continued_request(["ask_product", "query_course"], "老师是谁啊") is None  # not just now
    assert continued_request(["query_visit"], "后天上午行不行") == "change_visit"
    assert continued_request(["query_visit"], "后天上午不用来了 取消吧") is None
    assert continued_request(["query_visit"], "那就约周六吧") == "change_visit"
    assert continued_request(["query_visit"], "定在明天下午") == "change_visit"
    assert continued_request(["query_visit"], "约周六的取消吧") is None


def test_a_complaints_details_and_its_progress_come_over_several_messages() -> None:
    after = ["complain", "complain"]  # the complaint, then a detail already noted
    assert continued_request(after, "多久能处理好") == "query_ticket"
    assert continued_request(after, "就是那个顺丰的 骂人") == "complain"
    assert continued_request(after, "能不能快点") == "query_ticket"  # chased: its status
    assert continued_request(["greet", "thank", "deny", "complain"], "多久能处理好") is None
    assert continued_request(after, "为什么顺丰这么慢") is None  # a question of its own


def _parsed(text: str, intent: str, **more: object) -> dict[str, object]:
    return {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": [], **more}


def test_only_a_message_the_robot_would_not_act_on_is_read_as_a_follow_up() -> None:
    after = ["query_course"]
    assert kept_intent(_parsed("老师是谁啊", "nlu_fallback"), after) == "query_course"
    assert kept_intent(_parsed("老师是谁啊", "faq", unanswered=True), after) == "query_course"
    assert kept_intent(_parsed("老师是谁啊", "faq"), after) is None  # an entry answers it
    assert kept_intent(_parsed("王老师", "inform"), after) == "query_course"
    courier = _parsed("顺丰的老师傅", "inform", entities=[{"entity": "courier"}])
    assert kept_intent(courier, after) == "query_course"  # a word, not a number
    numbered = _parsed("老师 TK20240001", "inform", entities=[{"entity": "ticket_id"}])
    assert kept_intent(numbered, after) is None  # a number starts its own lookup
    assert kept_intent(_parsed("老师怎么请假", "reschedule_course"), after) is None
    beyond = _parsed("老师是谁啊", "nlu_fallback", beyond={"topic": "x", "name": "y"})
    assert kept_intent(beyond, after) is None


def test_a_request_the_second_opinion_doubted_is_restored_only_right_after_itself() -> None:
    doubted = _parsed(
        "那iphone15能贴吗",
        "nlu_fallback",
        second_opinion={"name": "faq", "overruled": "ask_product"},
    )
    assert kept_intent(doubted, ["ask_product"]) == "ask_product"
    assert kept_intent(doubted, ["query_refund", "ask_product"]) is None


def test_earlier_intents_are_this_sessions_latest_first() -> None:
    def user(intent: str) -> dict[str, object]:
        return {"event": "user", "parse_data": {"intent": {"name": intent}}}

    events = [user("greet"), {"event": "session_started"}, user("query_course"), user("faq")]
    assert earlier_intents(events) == ["query_course"]
    assert earlier_intents([user(str(n)) for n in range(9)], most=3) == ["7", "6", "5"]
    # "帮我查下HP20240005", declined, still looked that order up: it counts as the lookup
    number = {"entity": "order_id", "value": "HP20240005"}
    looked_up = {"event": "user", "parse_data": {"intent": {"name": "nlu_fallback"}}}
    looked_up["parse_data"]["entities"] = [number]  # type: ignore[index]
    assert earlier_intents([looked_up, user("nlu_fallback")]) == ["query_order"]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            "follow_ups:\n  - after: query_course\n    says: [老师]\n",
            "needs after, becomes and says",
        ),
        ("follow_ups:\n  - after: a\n    becomes: b\n    says: ['(']\n", "follow-up 1"),
    ],
)
def test_a_broken_file_is_named(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "follow_ups.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=error):
        load_follow_ups(path)


def test_where_the_money_goes_right_after_the_refund_is_that_refund() -> None:
    after = ["inform", "query_refund"]  # "我的退款到哪一步了", then "九阳那个"
    assert continued_request(after, "谢谢 那钱退到哪里") == "query_refund"
    assert continued_request(after, "多久能到账") == "query_refund"
    assert continued_request(after, "好的 那什么时候能到") == "query_refund"
    assert continued_request(after, "运费退到哪里") is None  # the shipping fee's rules
    assert continued_request(["greet", "inform", "query_refund"], "钱退到哪里") is None
    # an order shown "退款处理中": money comes back to an account, a parcel does not 到账
    assert continued_request(["query_order"], "那大概多久到账") == "query_refund"
    assert continued_request(["query_order"], "退的钱原路返回吗") == "query_refund"
    assert continued_request(["query_order"], "那运费多久到账") is None


def test_a_bare_urge_is_about_the_answer_just_given_whatever_the_nlu_read() -> None:
    urge = _parsed("能不能早点来 我着急用", "query_logistics")  # sure: a parcel query
    assert kept_intent(urge, ["query_visit"]) == "change_visit"  # the visit just listed
    assert kept_intent(_parsed("能不能快点", "query_logistics"), ["complain"]) == "query_ticket"
    assert kept_intent(_parsed("怎么这么慢", "nlu_fallback"), ["complain"]) == "query_ticket"
    assert kept_intent(urge, ["query_order"]) is None  # the order's own urged line
    named = _parsed("能不能早点送货", "query_logistics")  # names the parcel
    assert kept_intent(named, ["query_visit"]) is None


def test_my_own_right_after_an_order_lookup_is_my_orders() -> None:
    """ "帮我查下HP20240005" (not hers), then "那我自己的呢": her orders, not "您是想咨询…"."""
    for said in ("那我自己的呢", "我的呢？", "那我的订单呢"):
        assert continued_request(["query_order"], said) == "query_order"
        assert continued_request(["query_logistics"], said) == "query_order"
    assert continued_request(["query_order"], "我的东西什么时候到") is None  # a request of its own


def test_a_courier_who_does_not_answer_is_a_matter_for_a_person() -> None:
    """ "打不通啊" right after the courier's number: a clarification of unrelated topics."""
    assert continued_request(["query_courier_contact"], "打不通啊") == "human_handoff"
    assert continued_request(["query_courier_contact"], "打了好几次都没人接") == "human_handoff"
    assert kept_intent(_parsed("打不通啊", "nlu_fallback"), ["query_courier_contact"]) == (
        "human_handoff"
    )
    assert continued_request(["query_order"], "打不通啊") is None  # no number was given


def test_what_now_right_after_a_request_is_a_matter_for_a_person() -> None:
    """ "那怎么办" after 「已无法直接取消」 got 「这个问题超出了我的服务范围」."""
    # "我要取消订单", "HP20240001" (its lookup), then the refusal
    earlier = ["query_order", "cancel_order"]
    for said in ("那怎么办", "那咋办啊", "那我该怎么办？", "那现在怎么弄"):
        assert kept_intent(_parsed(said, "out_of_scope"), earlier) == "human_handoff", said
    assert kept_intent(_parsed("那怎么办", "out_of_scope"), ["greet"]) is None  # no request
    assert kept_intent(_parsed("那怎么办", "out_of_scope"), []) is None
    # other entries never take a message out of scope: a complaint's details
    assert kept_intent(_parsed("放首周杰伦的歌", "out_of_scope"), ["complain"]) is None
    # a question of its own after a request is no "what now"
    assert kept_intent(_parsed("狗狗拉肚子怎么办", "out_of_scope"), earlier) is None


def test_an_address_right_after_the_address_change_is_a_matter_for_a_person() -> None:
    """The change refused (shipped), the new address got 「修改发票」/「修改收货地址」."""
    said = "上海市徐汇区漕河泾开发区宜山路700号"
    assert kept_intent(_parsed(said, "nlu_fallback"), ["modify_address"]) == "human_handoff"
    assert kept_intent(_parsed(said, "nlu_fallback"), ["query_order"]) is None


def test_where_to_leave_the_parcel_right_after_it_was_shown_is_for_the_courier() -> None:
    """ "那能不能放驿站" after the parcel's status got 「超出了我的服务范围」."""
    for said in ("那能不能放驿站", "让他放快递柜吧"):
        assert kept_intent(_parsed(said, "out_of_scope"), ["query_logistics"]) == (
            "query_courier_contact"
        )
    assert kept_intent(_parsed("那能不能放驿站", "nlu_fallback"), ["query_order"]) == (
        "query_courier_contact"
    )
    assert kept_intent(_parsed("快递员乱放驿站 我要投诉", "nlu_fallback"), ["query_order"]) is None
    assert kept_intent(_parsed("那能不能放驿站", "out_of_scope"), ["greet"]) is None


def test_the_customers_own_refund_comes_before_the_general_rule() -> None:
    """ "那钱几天能到账啊" right after a refunding order's status: the knowledge base's
    「退款多久能到账？」 was only suggested; the refund of that order says when."""
    asked = _parsed("那钱几天能到账啊", "faq")  # an entry answers it, in general
    assert kept_intent(asked, ["query_order"]) == "query_refund"
    assert kept_intent(asked, ["query_course"]) is None  # nothing of a refund shown
    general = _parsed("退款一般多久到账", "faq")  # the rule, asked as such
    assert kept_intent(general, ["query_logistics"]) is None
    assert kept_intent(general, ["cancel_order"]) is None
    # right after the cancellation of a paid order: its refund
    back = _parsed("钱大概几天回来", "nlu_fallback")
    assert kept_intent(back, ["affirm", "cancel_order"]) == "query_refund"
    assert kept_intent(_parsed("老师是谁啊", "faq"), ["query_course"]) is None  # as before


def test_the_same_for_another_order_is_the_request_just_made() -> None:
    """ "那HP20240001是不是也能这么弄" right after intercepting HP20241207."""
    said = _parsed("那HP20240001是不是也能这么弄", "nlu_fallback")
    assert kept_intent(said, ["faq", "intercept_parcel"]) == "intercept_parcel"
    assert kept_intent(said, ["cancel_order"]) == "cancel_order"
    assert kept_intent(said, ["query_course"]) is None  # nothing done to an order
    dropped = _parsed("HP20240001就不用这么弄了", "nlu_fallback")
    assert kept_intent(dropped, ["intercept_parcel"]) is None
