"""More plain words customers type, read for what they say, through the app.

With stop 46's code (and this machine's model) "你们邮费咋收的", "麻烦帮我催一催" and
"你们这家店是我遇到过最差的" were 「您是想咨询…」; "下周三的航班会不会取消" cancelled an
order and "上海到杭州开车要几个小时" was a delivery time; "那个就免了哈" was a greeting.
"客服 在线么" and "东西到了，可以派师傅来装吗" were already read right here, as their
held-out and JD.com cousins ("在线吗客服", "东西收到了，能派人装吗") were not. Each is written
in other words than the JD.com turns and the held-out examples the rules were read from.
Whichever way this training run reads these messages, the conversation must end the same.
"""

from __future__ import annotations

from .conftest import ASKED, TURNED_AWAY, AppConversation, texts, titles


def test_what_delivery_costs_gets_the_shops_fee_rules(zhang_app: AppConversation) -> None:
    replies = zhang_app.send("你们邮费咋收的")
    assert "运费按店铺规则计算" in texts(replies)
    assert ASKED not in texts(replies)


def test_hurrying_the_parcel_looks_it_up(zhang_app: AppConversation) -> None:
    replies = zhang_app.send("麻烦帮我催一催")
    assert ASKED not in texts(replies)
    assert "HP20240001" in texts(replies) + " ".join(titles(replies))  # the parcel on its way


def test_a_hello_with_the_words_in_any_order_is_greeted(zhang_app: AppConversation) -> None:
    replies = zhang_app.send("客服 在线么")
    assert "小智" in texts(replies)
    assert "暂时还回答不了" not in texts(replies)


def test_another_domains_question_is_turned_away(zhang_app: AppConversation) -> None:
    for other in ("上海到杭州开车要几个小时", "下周三的航班会不会取消"):
        replies = zhang_app.send(other)
        assert TURNED_AWAY in texts(replies), other
        assert not titles(replies)  # no order list offered


def test_a_complaint_in_strong_words_goes_to_a_person(zhang_app: AppConversation) -> None:
    replies = zhang_app.send("你们这家店是我遇到过最差的")
    assert "再见" not in texts(replies)
    assert any(word in texts(replies) for word in ("转接", "工单", "人工"))


def test_asking_for_the_installer_after_the_goods_arrived_books_one(
    zhang_app: AppConversation,
) -> None:
    replies = zhang_app.send("东西到了，可以派师傅来装吗")
    assert ASKED not in texts(replies)
    assert "哪一笔订单" in texts(replies)  # the booking started: which order's goods
    assert "上门" in zhang_app.say("HP20241401")  # the air conditioner: when to come


def test_declining_an_offer_in_a_word_closes_politely(zhang_app: AppConversation) -> None:
    replies = zhang_app.send("那个就免了哈")
    assert ASKED not in texts(replies)
    assert "随时告诉我" in texts(replies)


def test_what_a_service_costs_is_answered_before_anything_starts(
    zhang_app: AppConversation,
) -> None:
    # stop 47's code started the address form for the first and asked 「您是想咨询…」
    # between booking and following a visit for the second
    replies = zhang_app.send("换个收货地址要另外付钱不")
    assert "修改收货地址是免费的" in texts(replies)
    assert "哪一笔订单" not in texts(replies) and ASKED not in texts(replies)
    replies = zhang_app.send("师傅来装热水器收不收钱")
    assert "免费上门安装" in texts(replies) and ASKED not in texts(replies)


def test_a_parcel_sent_to_a_wrong_address_is_stopped_on_its_way(
    zhang_app: AppConversation,
) -> None:
    # stop 47's code asked 「您是想咨询…」 between a new address and a price protection
    replies = zhang_app.send("地址填错了 货都寄出了 能给我截住吗")
    assert ASKED not in texts(replies)
    assert titles(replies) and all("已发货" in title for title in titles(replies))
    assert "申请拦截包裹" in zhang_app.say("HP20241201")
