"""A typed pick of a button the bot just showed is read as a click on it."""

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

from zhike.nlu.typed_choice import TYPED_CHOICE, TypedChoice, latest_buttons

ORDERS = [
    {"title": "HP20240003 纸尿裤（已付款，等待发货）", "payload": "HP20240003"},
    {"title": "HP20240001 手机（已发货，正在运输中）", "payload": "HP20240001"},
    {"title": "HP20240002 复印纸（已签收）", "payload": "HP20240002"},
]
RATING = [
    {"title": f"{score}分", "payload": f'/rate_service{{"csat_score": "{score}"}}'}
    for score in (5, 4, 3, 2, 1)
]
TOPICS = [
    {"title": "查询物流进度", "payload": "/query_logistics"},
    {"title": "查看我的订单", "payload": "/list_orders"},
    {"title": "都不是", "payload": "/out_of_scope"},
]


def _component(tmp_path: Any) -> TypedChoice:
    return TypedChoice.create(
        {"except_intents": ["rate_service"]},
        LocalModelStorage(tmp_path),
        Resource("typed_choice"),
        ExecutionContext(GraphSchema({}), "test"),
    )


def _tracker(*events: Event) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("c1", list(events))


def _read(component: TypedChoice, text: str, tracker: DialogueStateTracker) -> Message:
    [message] = component.process([Message(data={"text": text})], tracker)
    return message


def _shown(buttons: list[dict[str, Any]], text: str = "您最近的订单如下") -> list[Event]:
    return [UserUttered("我最近的订单"), BotUttered(text, data={"buttons": buttons})]


def _offered_for(said: str, buttons: list[dict[str, Any]]) -> DialogueStateTracker:
    """``said``, then the services offered for its order as ``buttons``."""
    return _tracker(
        UserUttered(said),
        BotUttered(
            "请问您是想为这个订单办理以下业务吗？",
            data={"buttons": buttons},
            metadata={"utter_action": "utter_order_services_offer"},
        ),
    )


def test_the_third_order_of_a_list_is_read_as_its_number(tmp_path: Any) -> None:
    message = _read(_component(tmp_path), "第三个", _tracker(*_shown(ORDERS)))
    assert message.get("text") == "HP20240002"
    assert message.get(TYPED_CHOICE) == {
        "typed": "第三个",
        "title": ORDERS[2]["title"],
        "payload": "HP20240002",
    }
    assert TYPED_CHOICE in message.as_dict(only_output_properties=True)


def test_a_number_picks_from_the_list_shown_before_a_one_button_offer(tmp_path: Any) -> None:
    """ "我有几个单子在路上": the orders, then 「您刚才还提到了…」 with one button; "第二个"."""
    also = BotUttered(
        "您刚才还提到了「查询物流进度」",
        data={"buttons": [{"title": "查询物流进度", "payload": "/query_logistics"}]},
        metadata={"utter_action": "utter_also_asked"},
    )
    message = _read(_component(tmp_path), "第二个", _tracker(*_shown(ORDERS), also))
    assert message.get("text") == "HP20240001"


def test_a_topic_offered_by_the_fallback_is_picked_by_number_or_title(tmp_path: Any) -> None:
    component = _component(tmp_path)
    in_fallback = _tracker(
        *_shown(TOPICS, "您是想咨询下面哪个问题呢？"), ActiveLoop("action_two_stage_fallback")
    )
    assert _read(component, "1", in_fallback).get("text") == "/query_logistics"
    assert _read(component, "查看我的订单", in_fallback).get("text") == "/list_orders"


def test_a_plain_yes_to_the_fallbacks_question_picks_its_first_topic(tmp_path: Any) -> None:
    component = _component(tmp_path)
    in_fallback = _tracker(
        *_shown(TOPICS, "您是想咨询下面哪个问题呢？"), ActiveLoop("action_two_stage_fallback")
    )
    for yes in ("确定", "是的", "嗯嗯", "对的"):
        assert _read(component, yes, in_fallback).get("text") == "/query_logistics", yes
    for other in ("不是", "都不对", "确定吗？", "我要退款"):
        assert _read(component, other, in_fallback).get("text") == other
    # "好的谢谢" closes the matter: no topic started; "是的谢谢" says the first is right
    assert _read(component, "好的谢谢", in_fallback).get("text") == "好的谢谢"
    assert _read(component, "是的 谢谢", in_fallback).get("text") == "/query_logistics"
    # asked again after the loop ended (the message before was understood after all)
    asked_again = _tracker(
        UserUttered("嗯 取消吧"),
        BotUttered(
            "您是想咨询下面哪个问题呢？",
            data={"buttons": TOPICS},
            metadata={"utter_action": "utter_ask_affirmation_intro"},
        ),
    )
    assert _read(component, "确定", asked_again).get("text") == "/query_logistics"
    # a yes never picks 「结束咨询」: "确定" meant the form the fallback interrupted
    leaving = [{"title": "结束咨询", "payload": "/goodbye"}, *TOPICS]
    in_form = _tracker(
        *_shown(leaving, "您是想咨询下面哪个问题呢？"), ActiveLoop("action_two_stage_fallback")
    )
    assert _read(component, "确定", in_form).get("text") == "确定"
    offered = _offered_for(
        "HP20240003还没发货吧 我不想要了", [{"title": "取消订单", "payload": "/cancel_order"}]
    )
    assert _read(component, "好的", offered).get("text") == "/cancel_order"
    # a yes to a list of orders picks none of them: only the fallback asks "which topic"
    assert _read(component, "是的", _tracker(*_shown(ORDERS))).get("text") == "是的"


CONFIRM_CANCEL = [
    {"title": "确认取消", "payload": "/affirm"},
    {"title": "我再想想", "payload": "/deny"},
]
REFUND_TOPICS = [
    {"title": "查询退款进度", "payload": "/query_refund"},
    {"title": "退款多久能到账？", "payload": "/faq/refund_time"},
    {"title": "都不是", "payload": "/out_of_scope"},
]


def _form_interrupted(question: str, buttons: list[dict[str, Any]]) -> DialogueStateTracker:
    """A form asked ``question``; the next message was given up to the fallback's question."""
    return _tracker(
        UserUttered("取消订单 HP20240003"),
        ActiveLoop("cancel_order_form"),
        BotUttered(question, data={"buttons": buttons}),
        UserUttered("额 能不能先告诉我取消了钱多久退回来"),
        ActionExecutionRejected("cancel_order_form"),
        ActiveLoop("action_two_stage_fallback"),
        BotUttered("您是想咨询下面哪个问题呢？", data={"buttons": REFUND_TOPICS}),
    )


def test_a_reply_to_the_form_a_clarification_interrupted_answers_the_form(
    tmp_path: Any,
) -> None:
    component = _component(tmp_path)
    asked = _form_interrupted("确认要取消订单 HP20240003 吗？", CONFIRM_CANCEL)
    for typed in ("好吧 确定取消", "确认取消", "嗯 我再想想"):
        picked = _read(component, typed, asked)
        assert picked.get(TYPED_CHOICE)["title"] in ("确认取消", "我再想想"), typed
    assert _read(component, "好吧 确定取消", asked).get("text") == "/affirm"
    # the clarification's own topics still come first, by place or title
    assert _read(component, "2", asked).get("text") == "/faq/refund_time"
    assert _read(component, "查询退款进度", asked).get("text") == "/query_refund"
    # the same reply without a form underneath picks nothing of the form's
    plain = _tracker(
        UserUttered("额 能不能先告诉我取消了钱多久退回来"),
        ActiveLoop("action_two_stage_fallback"),
        BotUttered("您是想咨询下面哪个问题呢？", data={"buttons": REFUND_TOPICS}),
    )
    assert _read(component, "好吧 确定取消", plain).get("text") == "好吧 确定取消"


def test_asking_to_chase_takes_the_agent_offered_for_it(tmp_path: Any) -> None:
    component = _component(tmp_path)
    agent = {"title": "转人工客服", "payload": '/human_handoff{"order_id": "HP20240003"}'}
    urged = _tracker(
        UserUttered("等了一周了还没发货 HP20240003"),
        BotUttered("理解您着急的心情🙏 …可以转人工客服帮您催一催～", data={"buttons": [agent]}),
    )
    for typed in ("那能催一下吗", "帮我催催", "你们催一下仓库"):
        assert _read(component, typed, urged).get("text") == agent["payload"], typed
    for other in ("什么时候发货", "那我再等等吧", "我都催了好几次了你们到底什么时候能发货啊"):
        assert _read(component, other, urged).get("text") == other
    # no agent offered: a request to chase is read as typed
    listed = _tracker(*_shown(ORDERS))
    assert _read(component, "帮我催一下", listed).get("text") == "帮我催一下"


def test_a_short_reply_in_the_words_of_one_offered_topic_picks_it(tmp_path: Any) -> None:
    component = _component(tmp_path)
    services = [
        {"title": "取消订单", "payload": "/cancel_order"},
        {"title": "修改收货地址", "payload": "/modify_address"},
    ]
    offered = _offered_for("HP20240003还没发货吧 我不想要了", services)
    picked = _read(component, "嗯 取消吧", offered)
    assert picked.get("text") == "/cancel_order"
    assert picked.get(TYPED_CHOICE)["title"] == "取消订单"
    assert _read(component, "好的 帮我改收货地址", offered).get("text") == "/modify_address"
    # a question, or words of no single title, are read as typed
    for other in ("可以取消吗", "取消订单和地址都要改", "我要退款"):
        assert _read(component, other, offered).get("text") == other
    in_fallback = _tracker(
        *_shown(TOPICS, "您是想咨询下面哪个问题呢？"), ActiveLoop("action_two_stage_fallback")
    )
    assert _read(component, "物流", in_fallback).get("text") == "/query_logistics"
    # a list of orders is no question about topics: its titles are matched whole only
    assert _read(component, "手机", _tracker(*_shown(ORDERS))).get("text") == "手机"
    # one word of one title will do: "约" of 「预约上门安装/维修」 (was 「您是想咨询…」)
    visits = [
        {"title": "预约上门安装/维修", "payload": "/book_visit"},
        {"title": "查询师傅上门时间", "payload": "/query_visit"},
    ]
    offered = _offered_for("HP20241401 空调什么时候来装", visits)
    assert _read(component, "好的 那帮我约一下", offered).get("text") == "/book_visit"
    assert _read(component, "那帮我查一下", offered).get("text") == "/query_visit"
    assert _read(component, "上门", offered).get("text") == "上门"  # in both titles


def test_a_time_named_to_topics_of_which_one_takes_a_time_picks_it(tmp_path: Any) -> None:
    component = _component(tmp_path)
    visits = [
        {"title": "查询师傅上门时间", "payload": '/query_visit{"order_id": "HP20241401"}'},
        {"title": "预约上门安装/维修", "payload": '/book_visit{"order_id": "HP20241401"}'},
    ]
    offered = _offered_for("HP20241401", visits)
    picked = _read(component, "明天下午可以吗", offered)  # was: "您是想咨询…" about delivery
    assert picked.get("text") == '/book_visit{"order_id": "HP20241401"}'
    assert picked.get(TYPED_CHOICE)["typed"] == "明天下午可以吗"
    assert _read(component, "改到周六上午吧", offered).get("text").startswith("/book_visit")
    # no time proposed, or two requests that take one: read as typed
    for asked in ("师傅什么时候来", "明天能到吗", "明天来吗"):
        assert _read(component, asked, offered).get("text") == asked
    both = [*visits, {"title": "修改上门时间", "payload": "/change_visit"}]
    assert _read(component, "明天下午", _offered_for("HP20241401", both)).get("text") == "明天下午"


def test_a_new_request_is_read_as_itself(tmp_path: Any) -> None:
    message = _read(_component(tmp_path), "我要退款", _tracker(*_shown(ORDERS)))
    assert message.get("text") == "我要退款" and message.get(TYPED_CHOICE) is None


def test_a_number_to_the_rating_question_is_a_score_not_a_button(tmp_path: Any) -> None:
    tracker = _tracker(*_shown(RATING, "请您为本次服务打个分吧"))
    assert _read(_component(tmp_path), "5", tracker).get("text") == "5"


def test_inside_a_form_the_form_reads_its_own_options(tmp_path: Any) -> None:
    tracker = _tracker(ActiveLoop("cancel_order_form"), *_shown(ORDERS, "请问是哪一笔订单呢？"))
    assert _read(_component(tmp_path), "2", tracker).get("text") == "2"


def test_only_the_bots_latest_turn_counts(tmp_path: Any) -> None:
    earlier = _tracker(*_shown(ORDERS), UserUttered("HP20240001"), BotUttered("已发货"))
    assert latest_buttons(earlier) == []
    assert _read(_component(tmp_path), "2", earlier).get("text") == "2"
    assert _read(_component(tmp_path), "2", None).get("text") == "2"  # no conversation


def test_a_customer_an_agent_serves_is_read_as_typed(tmp_path: Any) -> None:
    tracker = _tracker(*_shown(ORDERS), SlotSet("handoff_state", "agent"))
    assert _read(_component(tmp_path), "2", tracker).get("text") == "2"


def test_an_order_named_by_its_place_with_a_question_is_that_order_asked(tmp_path: Any) -> None:
    component = _component(tmp_path)
    listed = _tracker(*_shown(ORDERS))
    asked = _read(component, "第二个到哪了", listed)
    assert asked.get("text") == f"{ORDERS[1]['payload']} 到哪了"
    assert asked.get("typed_choice")["typed"] == "第二个到哪了"
    # beyond the list, or topics rather than orders: read as typed
    assert _read(component, "第九个到哪了", listed).get("text") == "第九个到哪了"
    topics = _tracker(*_shown(TOPICS, "您是想咨询下面哪个问题呢？"))
    assert _read(component, "第一个怎么弄", topics).get("text") == "第一个怎么弄"


def test_go_ahead_after_an_answer_offering_one_request_picks_that_request(tmp_path: Any) -> None:
    component = _component(tmp_path)
    refund = {"title": "申请退货/退款", "payload": "/request_refund"}
    handoff = {"title": "转人工客服", "payload": "/human_handoff"}
    policy = "亲，商品签收后7天内支持无理由退货哦……"
    answered = _tracker(UserUttered("退货运费谁出"), BotUttered(policy, data={"buttons": [refund]}))
    for said in ("那帮我申请一下", "好的 帮我办一下吧", "退货"):
        picked = _read(component, said, answered)
        assert picked.get("text") == "/request_refund", said
        assert picked.get(TYPED_CHOICE)["typed"] == said
    # one word of the title will do: "约" after 「还没有预约上门服务哦」 (was 「您是想咨询…」)
    book = {"title": "预约上门安装/维修", "payload": '/book_visit{"order_id": "HP20241401"}'}
    no_visit = _tracker(
        UserUttered("HP20241401 空调什么时候来装"),
        BotUttered("订单 HP20241401 还没有预约上门服务哦。", data={"buttons": [book]}),
    )
    assert _read(component, "好的 那帮我约一下", no_visit).get("text") == book["payload"]
    assert _read(component, "那算了", no_visit).get("text") == "那算了"
    # a person offered beside it changes nothing: going ahead means the request
    both = _tracker(
        UserUttered("退货运费谁出"), BotUttered(policy, data={"buttons": [refund, handoff]})
    )
    assert _read(component, "那就申请吧", both).get("text") == "/request_refund"
    # a question about it, another matter, or a plain thanks are read as typed
    for other in ("可以申请吗", "质量问题呢", "好的谢谢", "那我要投诉"):
        assert _read(component, other, answered).get("text") == other
    # two requests offered: going ahead says not which
    two = [refund, {"title": "申请价保", "payload": "/request_price_protection"}]
    offered = _tracker(UserUttered("降价了能退吗"), BotUttered(policy, data={"buttons": two}))
    assert _read(component, "那帮我申请一下", offered).get("text") == "那帮我申请一下"


def test_a_go_ahead_said_first_with_the_details_after_picks_the_request_it_names(
    tmp_path: Any,
) -> None:
    """ "那开吧 公司是… 税号…" after the invoice rules got "需要为您转接人工客服吗？"."""
    component = _component(tmp_path)
    rules = "亲，下单后即可在「订单详情」申请电子普通发票……"
    invoice = [
        {"title": "申请开发票", "payload": "/request_invoice"},
        {"title": "修改发票", "payload": "/change_invoice"},
    ]
    answered = _tracker(UserUttered("发票怎么开"), BotUttered(rules, data={"buttons": invoice}))
    said = "那开吧 公司是上海智客信息科技有限公司 税号91350100M000100Y43"
    picked = _read(component, said, answered)
    assert picked.get("text") == "/request_invoice"
    assert picked.get(TYPED_CHOICE)["typed"] == said  # the form reads the details from it
    assert _read(component, "那改吧，抬头写错了", answered).get("text") == "/change_invoice"
    # a question after the go-ahead, or first words naming both, are read as typed
    for other in ("那开吧 多久能开好", "发票 公司是上海某某有限公司", "好的 我考虑一下"):
        assert _read(component, other, answered).get("text") == other


def test_a_yes_to_the_offer_of_a_person_is_a_handoff(tmp_path: Any) -> None:
    """ "确定" to 「需要为您转接人工客服吗？」 got 「还有其他可以帮您的吗？」."""
    component = _component(tmp_path)
    offer = [
        {"title": "转人工客服", "payload": "/human_handoff"},
        {"title": "不用了，我再问问", "payload": "/deny"},
    ]
    asked = _tracker(
        UserUttered("这周六的"),
        BotUttered(
            "抱歉，我暂时没能理解您的问题。需要为您转接人工客服吗？",
            data={"buttons": offer},
            metadata={"utter_action": "utter_default"},
        ),
    )
    for yes in ("确定", "好的", "嗯嗯"):
        assert _read(component, yes, asked).get("text") == "/human_handoff", yes
    assert _read(component, "不用了", asked).get("text") == "/deny"
    assert _read(component, "好的谢谢", asked).get("text") == "好的谢谢"  # closes the matter
