"""Plain words customers type, read for what they say, through the app.

"刚买的热水器可以退吗" was 「您是想咨询…」 with 申请退款 and 换货 (the return policy scored too
low to answer); "谢谢客服小姐姐" and "我想找个对象" called a person; "说个笑话给我听" was
「超出了我的服务范围」; "最近有啥热搜" was offered the order list; "别让师傅来了" and
"空调安装推到下周三" were not understood; "这个礼拜孩子有哪几堂课" offered the order list;
"用不着" was a greeting. Whichever way this training run reads these messages, the
conversation must end the same.
"""

from __future__ import annotations

from .conftest import ASKED, TURNED_AWAY, AppConversation, texts, titles


def test_whether_something_just_bought_may_be_returned_gets_the_return_policy(
    zhang_app: AppConversation,
) -> None:
    replies = zhang_app.send("你好，刚买的热水器可以退吗")
    assert "7天内支持无理由退货" in texts(replies)
    assert "申请退货/退款" in titles(replies)  # and the way to do it
    assert ASKED not in texts(replies)


def test_thanks_to_the_service_girl_is_thanks_not_a_call_for_a_person(
    zhang_app: AppConversation,
) -> None:
    replies = zhang_app.send("谢谢客服小姐姐")
    assert "不客气" in texts(replies)
    assert "人工" not in texts(replies)


def test_a_call_for_a_person_that_names_none_calls_no_agent(zhang_app: AppConversation) -> None:
    replies = zhang_app.send("我想找个对象")
    assert "已为您转接" not in texts(replies) and "登记工单" not in texts(replies)


def test_a_joke_asked_for_is_told_and_another_domain_is_turned_away(
    zhang_app: AppConversation,
) -> None:
    joke = zhang_app.send("说个笑话给我听")
    assert TURNED_AWAY not in texts(joke) and ASKED not in texts(joke)
    assert any(word in texts(joke) for word in ("笑话", "哈哈"))
    for other in ("最近有啥热搜", "怎么养多肉植物"):
        replies = zhang_app.send(other)
        assert TURNED_AWAY in texts(replies), other
        assert not titles(replies)  # no order list offered


def test_a_visit_called_off_or_moved_in_plain_words(zhang_app: AppConversation) -> None:
    called_off = zhang_app.send("别让师傅来了")
    assert "哪一个上门预约" in texts(called_off)
    assert any(title.startswith("SV20240003") for title in titles(called_off))
    kept = zhang_app.send("算了 不取消了")
    assert "已为您取消本次办理" in texts(kept)  # the request dropped, the visit kept
    assert "SV20240003 已为您取消" not in texts(kept)
    replies = zhang_app.send("空调安装推到下周三")
    assert "（周三）" in texts(replies)
    assert any(title.endswith("上午") for title in titles(replies))


def test_the_weeks_lessons_asked_in_plain_words(zhang_app: AppConversation) -> None:
    replies = zhang_app.send("这个礼拜孩子有哪几堂课")
    assert "初二数学（秋季班）" in texts(replies)
    assert ASKED not in texts(replies)


def test_a_plain_no_is_a_no(zhang_app: AppConversation) -> None:
    replies = zhang_app.send("用不着")
    assert ASKED not in texts(replies)
    assert "随时告诉我" in texts(replies)
