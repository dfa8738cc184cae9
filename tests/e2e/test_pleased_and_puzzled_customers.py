"""Pleased customers, bare punctuation, several requests said in order, details at the wrong
question and a complaint's order with more of the story, as customers type them, through
the app.

"宝贝收到了 质量很好 谢谢" was offered 投诉 and 退款; "？" was offered 绑定账户; "我要退款
HP20240002 还有发票也要开" got both as buttons; the company's name again at the tax
number's question was 「税号校验没有通过」; "好的 那帮我约一下" after 「还没有预约上门服务」 was
asked about; "明天能到吗" about an unshipped order got the status all over again; "算了不改了
还是原来的吧" offered unrelated requests; "就是HP20240001那单 打电话骂人" right after a
complaint showed the parcel, and "多久给我答复" then its arrival.
Whichever way this training run reads these messages, the conversation must end the same.
"""

from __future__ import annotations

from .conftest import AppConversation, texts, titles

TITLE = "上海智客信息科技有限公司"
TAX = "91350100M000100Y43"
COMPLAINT_OR_REFUND = ("投诉建议", "申请退款/退货")


def test_a_pleased_customer_is_thanked_not_offered_a_complaint(
    zhang_app: AppConversation,
) -> None:
    for said in ("宝贝收到了 质量很好 谢谢", "鞋子到了 穿着很舒服 下次还来你家买"):
        replies = zhang_app.send(said)
        assert not set(COMPLAINT_OR_REFUND) & set(titles(replies))
        assert any(word in texts(replies) for word in ("认可", "肯定", "不客气", "谢谢"))


def test_a_lone_question_mark_is_asked_what_is_needed(zhang_app: AppConversation) -> None:
    replies = zhang_app.send("？")
    assert "有什么可以帮您" in texts(replies)
    assert not titles(replies)  # was: 绑定账户/验证身份, 申请退款/退货


def test_a_refund_and_an_invoice_said_in_order_are_taken_in_order(
    zhang_app: AppConversation,
) -> None:
    replies = zhang_app.send("我要退款 HP20240002 还有发票也要开")
    assert "退款的原因" in texts(replies)  # the refund starts: was both as buttons
    reason = zhang_app.send("不想要了")
    confirm = reason if "确认" in texts(reason) else zhang_app.send("七天无理由")
    done = zhang_app.send(next(t for t in titles(confirm) if "确认" in t))
    assert "申请开发票" in titles(done)  # and the invoice is offered after it


def test_the_company_name_again_at_the_tax_number_is_explained(
    zhang_app: AppConversation,
) -> None:
    zhang_app.say("我要开发票 HP20240003")
    assert "完整的公司名称" in zhang_app.say("公司")
    assert "纳税人识别号" in zhang_app.say(TITLE)
    again = zhang_app.say(TITLE)
    assert "校验没有通过" not in again and "纳税人识别号" in again
    assert f"抬头：{TITLE}。" in zhang_app.say(TAX)


def test_going_ahead_with_a_visit_not_booked_yet(zhang_app: AppConversation) -> None:
    replies = zhang_app.send("HP20241401 空调什么时候来装")
    if "还没有预约上门服务" not in texts(replies):  # this model asked what was meant
        replies = zhang_app.send("查询师傅上门时间")
    assert "还没有预约上门服务" in texts(replies)
    asked = zhang_app.say("好的 那帮我约一下")  # was: 「您是想咨询…」
    assert "安装" in asked and "您是想咨询" not in asked


def test_asking_when_an_unshipped_order_comes_after_urging_it(
    zhang_app: AppConversation,
) -> None:
    zhang_app.say("HP20240003 怎么还没发货 急用")
    reply = zhang_app.say("明天能到吗")
    assert "还没交给快递" in reply
    assert "当前状态" not in reply  # was: the status and the reassurance all over again


def test_keeping_the_old_address_ends_the_change_plainly(zhang_app: AppConversation) -> None:
    assert "新的收货地址" in zhang_app.say("我要改收货地址 HP20240003")
    replies = zhang_app.send("算了不改了 还是原来的吧")
    assert "取消本次办理" in texts(replies) or "不改" in texts(replies)
    assert not titles(replies)  # was: 查询物流进度 / 查询换货进度


def test_a_complaints_order_told_with_the_story_goes_to_the_complaint(
    zhang_app: AppConversation,
) -> None:
    assert "投诉" in zhang_app.say("投诉 你们快递员态度太差了")
    noted = zhang_app.say("就是HP20240001那单 打电话骂人")
    assert "当前状态" not in noted  # was: the order's status
    reply = zhang_app.say("多久给我答复")
    assert "预计送达" not in reply  # was: the parcel's arrival
    assert "TK" in reply
