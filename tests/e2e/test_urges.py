"""Impatient customers: "能不能快点 我急用" is about the matter at hand, whatever it names.

Alone, such words read as a parcel query. Asked which order, the customer is impatient,
not asking something else: asked kindly to pick, no failed answer, no "先帮您处理…吗".
Right after a refund's progress, the refund is chased (with a button to a person), not
the parcel shown again. The openings are plain requests, so the conversations do not
depend on one trained model's quirks.
"""

from __future__ import annotations

from zhike.tools.stack import Stack

from .conftest import AppConversation, Conversation, first_unsure


def test_an_impatient_customer_asked_which_order_is_asked_kindly_then_the_refund_chased(
    zhang_app: AppConversation,
) -> None:
    assert "哪一笔订单" in zhang_app.say("我的退款到哪一步了")
    replies = zhang_app.send("怎么这么慢啊 都一个礼拜了")
    said = "\n".join(r.get("text", "") for r in replies)
    assert "理解您着急的心情" in said and "点选" in said
    assert "不用输入订单号" not in said
    assert "HP20240004" in [b["payload"] for r in replies for b in r.get("buttons", [])]
    assert "RF20240001" in zhang_app.say("HP20240004")  # the blender's refund
    chased = zhang_app.send("能不能快点 我急用")
    said = "\n".join(r.get("text", "") for r in chased)
    assert "RF20240001" in said and "催一催" in said
    assert "运单号" not in said  # not the parcel, long delivered
    assert any("人工" in b["title"] for r in chased for b in r.get("buttons", []))


def test_finding_a_refund_slow_right_after_its_progress_chases_it(
    zhang_app: AppConversation,
) -> None:
    assert "RF20240001" in zhang_app.say("HP20240004退款怎么还没到账")
    chased = zhang_app.send("都一个星期了")  # was: 「超出了我的服务范围」
    said = "\n".join(r.get("text", "") for r in chased)
    assert "RF20240001" in said and "服务范围" not in said
    assert any("人工" in b["title"] for r in chased for b in r.get("buttons", []))


def test_an_urge_inside_a_form_is_no_change_of_topic(zhang_app: AppConversation) -> None:
    assert "哪一笔订单" in zhang_app.say("我要退款")
    said = zhang_app.say("能不能快点 我急用")
    assert "理解您着急的心情" in said and "先帮您处理" not in said
    assert "退款的原因" in zhang_app.say("HP20240002")  # the form goes on


def test_an_urge_asked_the_reason_is_asked_to_pick_and_the_refund_goes_on(
    zhang_app: AppConversation,
) -> None:
    zhang_app.say("我要退款")
    assert "退款的原因" in zhang_app.say("HP20240002")
    said = zhang_app.say("能不能快点 我急用")
    assert "理解您着急的心情" in said and "运单号" not in said  # not the parcel
    assert "确认为订单 HP20240002 申请退款" in zhang_app.say("不想要了（七天无理由）")


def test_a_complaint_chased_gets_its_tickets_promise(zhang_app: AppConversation) -> None:
    opened = zhang_app.say("我要投诉 快递员态度太差了")
    ticket = next(word for word in opened.replace("，", " ").split() if word.startswith("TK"))
    chased = zhang_app.say("能不能快点")
    assert ticket[:10] in chased and "前联系您" in chased


def test_a_parcel_shown_as_delivered_and_still_awaited_is_offered_help(
    zhang_app: AppConversation,
) -> None:
    zhang_app.say("帮我查下订单")
    assert "已签收" in zhang_app.say("HP20241306")
    assert "没有收到" in zhang_app.say("怎么还没到啊")


def test_an_urge_right_after_the_visits_moves_a_visit_earlier(zhang_app: AppConversation) -> None:
    assert "SV20240003" in zhang_app.say("我约的师傅啥时候来")
    which = zhang_app.say("能不能早点来 我着急用")  # read alone: a parcel query
    assert "哪一个上门预约" in which and "运单号" not in which
    assert "哪天上门" in zhang_app.say("空调那个")  # a new time for the air conditioner


def test_a_complaint_found_slow_gets_its_tickets_promise(zhang_app: AppConversation) -> None:
    opened = zhang_app.say("我要投诉 快递员态度太差了")
    ticket = next(word for word in opened.replace("，", " ").split() if word.startswith("TK"))
    chased = zhang_app.say("怎么这么慢")  # before: 「确认是不是机器人 / 结束咨询」
    assert ticket[:10] in chased and "前联系您" in chased


def test_a_bare_urge_with_nothing_to_chase_is_asked_what_it_chases(fresh: Stack) -> None:
    urge = first_unsure(fresh, ("怎么这么慢", "怎么这么慢啊", "这也太慢了吧"))
    replies = Conversation(fresh.config.rasa_url).send(urge)
    said = "\n".join(reply.get("text", "") for reply in replies)
    assert "催哪件事" in said
    titles = [button["title"] for reply in replies for button in reply.get("buttons", [])]
    assert titles == ["查看我的订单", "转人工客服"]  # not small talk
