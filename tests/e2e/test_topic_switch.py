"""Customers change topic in the middle of a task, refer back, and call things off.

Through the real stack (Rasa server, action server, backend). Questions asked in the
middle of a form are answered and the form goes on; another request is offered first
(先处理X吗？); a follow-up means the order just talked about; a change the order no
longer allows is explained before anything is asked.
"""

from __future__ import annotations

from zhike.tools.stack import Stack

from .conftest import AppConversation, Conversation, last_code

HONEST = ("超出了我的服务范围", "不太确定", "没能理解", "换个说法", "哪个问题")


def test_a_question_about_another_order_is_answered_and_the_cancellation_goes_on(
    zhang_app: AppConversation,
) -> None:
    assert "确认要取消订单 HP20240003" in zhang_app.say("我要取消订单HP20240003")
    answer = zhang_app.say("等下，HP20240001发货了吗")
    assert "HP20240001" in answer and "已发货" in answer
    assert "确认要取消订单 HP20240003" in answer  # the cancellation is still about 0003
    done = zhang_app.say("确定")
    assert "HP20240003 已为您取消" in done and "HP20240001" not in done


def test_thanks_for_an_answer_in_between_cancels_nothing(zhang_app: AppConversation) -> None:
    assert "确认要取消订单 HP20240003" in zhang_app.say("我要取消订单HP20240003")
    answer = zhang_app.say("等等 先别取消 HP20240001到哪了")
    assert "SF1234567890" in answer and "确认要取消订单 HP20240003" in answer
    # "that order" is the one just shown: when it comes, then the cancellation again
    arrival = zhang_app.say("那个订单明天能到吗")
    assert "HP20240001" in arrival and "预计" in arrival and "HP20240003（" not in arrival
    kept = zhang_app.say("好的 谢谢")
    assert "已为您取消" not in kept and "确认要取消订单 HP20240003" in kept
    assert "已为您取消" not in zhang_app.say("我再想想")


def test_another_request_during_a_refund_is_offered_first_and_taken_on_yes(
    zhang_app: AppConversation,
) -> None:
    assert "退款的原因" in zhang_app.say("订单HP20240002我要退款")
    offer = zhang_app.say("我要取消订单HP20240003")
    assert "申请退款" in offer and "先帮您处理「取消订单」" in offer
    assert "确认要取消订单 HP20240003" in zhang_app.say("好的")
    assert "HP20240003 已为您取消" in zhang_app.say("确定取消")


def test_keeping_on_with_the_refund_after_the_offer(zhang_app: AppConversation) -> None:
    zhang_app.say("订单HP20240002我要退款")
    assert "取消订单" in zhang_app.say("我要取消订单HP20240003")
    kept = zhang_app.say("继续")
    assert "继续办理「申请退款/退货」" in kept and "退款的原因" in kept
    confirm = zhang_app.say("2")
    assert "HP20240002" in confirm and "发错货或少件" in confirm
    assert "退款申请已提交" in zhang_app.say("好的")
    assert "等待发货" in zhang_app.say("查下订单HP20240003的状态")  # not cancelled


def test_keeping_on_in_the_words_of_the_change_itself(zhang_app: AppConversation) -> None:
    assert "哪一笔订单" in zhang_app.say("我要改地址")
    offer = zhang_app.say("我要开发票")
    assert "先帮您处理「申请开发票」" in offer
    kept = zhang_app.say("那改吧")  # was: "您是想咨询…", and the address change lost
    assert "继续办理「修改收货地址」" in kept and "哪一笔订单" in kept


def test_asking_about_an_earlier_refund_is_not_taken_as_the_refund_reason(
    zhang_app: AppConversation,
) -> None:
    zhang_app.say("订单HP20240002我要退款")
    answer = zhang_app.say("我之前那个退款处理得怎么样了")
    assert "退款申请已提交" not in answer and "我之前那个退款" not in answer
    assert "查询退款进度" in answer or "退款进度" in answer


def test_calling_the_refund_off_while_its_reason_is_asked(zhang_app: AppConversation) -> None:
    assert "退款的原因" in zhang_app.say("订单HP20240002我要退款")
    stopped = zhang_app.say("那还是不退了吧")
    assert "取消本次办理" in stopped and "退款的原因" not in stopped
    assert "已签收" in zhang_app.say("查下订单HP20240002的状态")


def test_dropping_the_matter_twice_is_no_handoff(zhang_app: AppConversation) -> None:
    assert "退款的原因" in zhang_app.say("订单HP20240002我要退款")
    stopped = zhang_app.say("算了 先不退了 我再想想")
    assert "取消本次办理" in stopped and "退款的原因" not in stopped
    again = zhang_app.say("算了 我再考虑一下")  # outside the form now: a polite close
    assert "人工" not in again and "TK" not in again and "您是想咨询" not in again


def test_a_follow_up_means_the_order_just_looked_up(zhang_app: AppConversation) -> None:
    assert "HP20240001" in zhang_app.say("查下订单HP20240001的状态")
    eta = zhang_app.say("明天能到吗")
    assert "HP20240001" in eta and "预计送达" in eta
    assert "订单号" not in eta  # not asked again

    # ... but "what if it arrives broken" is about the rules, not the parcel's whereabouts
    assert "当前状态" not in zhang_app.say("那个签收了要是坏的怎么办")


def test_a_question_from_another_domain_while_asked_for_the_order_is_declined(
    zhang_app: AppConversation,
) -> None:
    assert "哪一笔订单" in zhang_app.say("我要改收货地址")
    aside = zhang_app.say("今天天气咋样")
    assert "超出了我的服务范围" in aside and "格式" not in aside  # no malformed order number
    assert "哪一笔订单" in aside  # the question again
    assert "收货地址" in zhang_app.say("HP20240003")


def test_a_question_after_thanks_while_asked_which_order_is_answered_and_the_refund_goes_on(
    zhang_app: AppConversation,
) -> None:
    assert "哪一笔订单" in zhang_app.say("我要退款")
    replies = zhang_app.send("好的谢谢 对了 能开发票吗")
    reply = "\n".join(r.get("text", "") for r in replies)
    assert "不用输入订单号" not in reply  # a question, not a failed try at naming the order
    if "电子普通发票" not in reply:  # unsure of question or request: it asks which
        titles = [b["title"] for r in replies for b in r.get("buttons", [])]
        assert "怎么开发票？" in titles
        reply = zhang_app.say("怎么开发票？")
    assert "电子普通发票" in reply and "哪一笔订单" in reply  # answered, then the refund
    assert "退款的原因" in zhang_app.say("HP20241301")


def test_a_shipped_order_is_told_why_it_cannot_be_cancelled_before_any_question(
    zhang_app: AppConversation,
) -> None:
    answer = zhang_app.say("我要取消订单HP20240001")
    assert "无法直接取消" in answer and "拒收" in answer
    assert "确认要取消" not in answer


def test_why_has_nobody_answered_after_a_ticket_gets_the_ticket(
    zhang_app: AppConversation,
) -> None:
    ticket = zhang_app.say("转人工")
    assert "工单" in ticket  # nobody is online in these tests
    status = zhang_app.say("怎么还没人理我")
    assert "工单 TK" in status and "处理" in status


def test_a_question_from_another_domain_is_declined_honestly(fresh: Stack) -> None:
    visitor = Conversation(fresh.config.rasa_url)
    answer = visitor.say("基金最近能买吗")
    assert any(phrase in answer for phrase in HONEST), answer


def test_the_full_phone_number_proves_an_order(fresh: Stack) -> None:
    visitor = Conversation(fresh.config.rasa_url)
    assert "后 4 位" in visitor.say("查下订单HP20240005的状态")
    status = visitor.say("13900139002")
    assert "HP20240005" in status and "已发货" in status


def _english_lesson_day() -> str:
    """ "周X" of the 英语阅读提高班 lessons (Fridays in the demo data, whatever the day)."""
    return "周五"


def test_lesson_and_new_time_in_one_message_are_both_taken(zhang_app: AppConversation) -> None:
    summary = zhang_app.say(f"{_english_lesson_day()}的英语课改到下周三晚上7点")
    assert "英语阅读提高班" in summary and "周三）19:00" in summary and "确认提交" in summary
    assert "已为您提交调课申请" in zhang_app.say("确认")


def test_lesson_details_said_before_the_identity_check_are_not_asked_again(
    fresh: Stack,
) -> None:
    visitor = Conversation(fresh.config.rasa_url)
    assert "手机号" in visitor.say(f"{_english_lesson_day()}的英语课改到下周三晚上7点")
    visitor.say("13800138001")
    summary = visitor.say(last_code(fresh, "13800138001"))
    assert "验证成功" in summary
    assert "英语阅读提高班" in summary and "周三）19:00" in summary
