"""What customers type instead of clicking: yes/no, ratings, pasted order cards, "第二个"."""

from __future__ import annotations

import pytest

from actions.parsing import parse_order_id
from actions.typed_answers import parse_ordinal
from actions.typed_parsing import (
    asks_instead_of_order,
    asks_progress,
    looks_like_order_card,
    looks_like_request,
    parse_confirmation,
    parse_rating,
    parse_rating_reply,
)

CANCEL_ORDER = ("取消",)  # the cancel order form's confirm_words
CANCEL_COURSE = ("退", "退课", "退掉", "取消")
REFUND = ("退", "退款", "退货", "退钱")

CARD = "订单编号：HP20240003\n订单金额：¥299.00\n下单时间：2024-11-20 10:31:05\n商品：智能音箱 x1"
CARDS = [
    CARD,
    "订单编号:HP20240003 订单金额:¥299.00 下单时间:2024-11-20 10:31:05 商品:智能音箱 x1",
    "订单号：HP20240003 实付：￥59.90 下单时间：2024/11/20 09:05",
    "订单号码：ＨＰ２０２４０００３\n商品：蓝牙耳机 ×2",
    "【订单详情】\n订单编号 HP20240003\n2024-11-20 10:31:05",
    "订单编号：HP2024003\n订单金额：¥1299.00",  # a mistyped number is still a card
]


@pytest.mark.parametrize(
    "typed",
    [
        "确定",
        "确认",
        "好的",
        "好",
        "好滴",
        "好嘞～",
        "是的",
        "是",
        "嗯",
        "嗯嗯",
        "嗯嗯嗯。",
        "恩",
        "对",
        "对的",
        "对对对",
        "可以",
        "可以的",
        "行",
        "行吧",
        "没问题",
        "没问题！",
        "提交吧",
        "确认提交",
        "ok",
        "OK",
        "ＯＫ！",
        "okk",
        "好的👌",
        "👍",
        "好的，谢谢~",
        "嗯，确定",
        "确定！！",
        "是的没错",
        "那好吧",
        "那就这样吧",
        "嗯呢",
        "好的亲",
        "  好的  ",
    ],
)
def test_a_typed_yes_is_yes(typed: str) -> None:
    assert parse_confirmation(typed) is True
    assert parse_confirmation(typed, CANCEL_ORDER) is True


@pytest.mark.parametrize(
    "typed",
    [
        "不",
        "不要",
        "不用",
        "不用了",
        "不用了，谢谢",
        "不了不了",
        "不不不",
        "算了",
        "算了吧。",
        "先不了",
        "先不用",
        "暂时不用",
        "不需要了",
        "那算了",
        "我再想想",
        "再想想吧",
        "我考虑一下",
        "no",
        "NO!",
        # Negations of a yes word: never a yes.
        "不确定",
        "不是",
        "不好",
        "不可以",
        "不行",
        "不对",
        "还是算了吧～",
        "没有",
    ],
)
def test_a_typed_no_is_no(typed: str) -> None:
    assert parse_confirmation(typed) is False
    assert parse_confirmation(typed, CANCEL_ORDER) is False


@pytest.mark.parametrize(
    ("typed", "action_words", "expected"),
    [
        # Cancelling an order: naming the cancellation confirms it.
        ("确定取消", CANCEL_ORDER, True),
        ("确认取消", CANCEL_ORDER, True),
        ("取消吧", CANCEL_ORDER, True),
        ("取消", CANCEL_ORDER, True),
        ("嗯嗯，那就取消吧", CANCEL_ORDER, True),
        ("好的，帮我取消订单", CANCEL_ORDER, True),
        ("不取消了", CANCEL_ORDER, False),
        ("先不取消", CANCEL_ORDER, False),
        ("别取消", CANCEL_ORDER, False),
        ("好的，不取消了", CANCEL_ORDER, False),
        ("确定不取消", CANCEL_ORDER, False),
        ("不用帮我取消了", CANCEL_ORDER, False),
        ("算了，取消吧", CANCEL_ORDER, None),  # "forget it" or "cancel it"? not sure
        # Cancelling a course.
        ("确认退课", CANCEL_COURSE, True),
        ("退掉吧", CANCEL_COURSE, True),
        ("还是不退了吧", CANCEL_COURSE, False),
        ("不退了", CANCEL_COURSE, False),
        # Elsewhere "取消" cancels the request itself.
        ("取消吧", REFUND, False),
        ("确定取消", REFUND, False),
        ("取消", (), False),
        ("不取消", REFUND, None),  # "don't cancel" = go on? not sure
        ("退吧", REFUND, True),
        ("确认退款", REFUND, True),
        ("还是不退了吧", REFUND, False),
    ],
)
def test_the_change_being_confirmed_decides_what_its_name_means(
    typed: str, action_words: tuple[str, ...], expected: bool | None
) -> None:
    assert parse_confirmation(typed, action_words) is expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "确定吗",
        "确定吗？",
        "确定?",
        "取消吧??",
        "好不好",
        "可以不可以",
        "要不要",
        "我确认一下",  # "let me check"
        "取消后多久退款",
        "我想问一下什么时候发货",
        "不错",
        "对不起",
        "好像不对",
        "可是",
        "1",
        "转人工",
        CARD,
        "好的" * 20,
    ],
)
def test_anything_else_is_not_a_confirmation(typed: str) -> None:
    assert parse_confirmation(typed, CANCEL_ORDER) is None


@pytest.mark.parametrize("card", CARDS)
def test_an_order_card_is_recognised_and_carries_its_number(card: str) -> None:
    assert looks_like_order_card(card)
    assert parse_rating(card) is None
    assert parse_rating_reply(card) is None
    if "HP2024003" not in card:
        assert parse_order_id(card) == "HP20240003"


@pytest.mark.parametrize(
    "text",
    [
        "HP20240003",
        "订单号：HP20240003",
        "我的订单HP20240003，3天了还没发货",
        "下单时间：2024-11-20 10:31:05",  # no order
        "¥299.00",
        "",
    ],
)
def test_other_texts_are_not_order_cards(text: str) -> None:
    assert not looks_like_order_card(text)


@pytest.mark.parametrize(
    ("typed", "score"),
    [
        ("5", 5),
        ("５", 5),
        ("⑤", 5),
        ("5分", 5),
        ("５分！", 5),
        ("五星", 5),
        ("5星好评", 5),
        ("五星好评！", 5),
        ("满分", 5),
        ("满分～", 5),
        ("100分", 5),
        ("给5星吧", 5),
        ("给你们打5分", 5),
        ("非常满意", 5),
        ("非常满意，谢谢😊", 5),
        ("⭐⭐⭐⭐⭐", 5),
        ("5⭐", 5),
        ("4分吧", 4),
        ("满意", 4),
        ("三颗星", 3),
        ("一般般吧", 3),
        ("还行", 3),
        ("打两分", 2),
        ("不太满意", 2),
        ("1分，太差了", 1),
        ("很差", 1),
    ],
)
def test_a_reply_that_is_a_rating_gives_the_score(typed: str, score: int) -> None:
    assert parse_rating_reply(typed) == score
    assert parse_rating(typed) == score


@pytest.mark.parametrize(
    "typed",
    [
        "等了3天了还没发货",
        "今天天气不错吗",
        "5分钟前下的单",
        "4或5分",
        "我的三星手机",
        "2024-11-20",
        "12345",
        "13800138001",
        "HP20240005",
        "5分?",
        "嗯嗯",
        "",
    ],
)
def test_a_message_that_only_contains_a_number_is_not_a_rating_reply(typed: str) -> None:
    assert parse_rating_reply(typed) is None


@pytest.mark.parametrize("typed", ["15分钟", "等了3天了", "一分钱都没退", "2024-11-20", "x1"])
def test_numbers_that_are_not_scores_are_not_read_as_scores(typed: str) -> None:
    assert parse_rating(typed) is None


@pytest.mark.parametrize(
    ("typed", "index"),
    [
        ("1", 0),
        ("２", 1),
        ("②", 1),
        ("❷", 1),
        ("2️⃣", 1),
        ("2.", 1),
        ("第二个", 1),
        ("第2个", 1),
        ("第二项吧", 1),
        ("选2", 1),
        ("我选第三个", 2),
        ("就第一个吧", 0),
        ("最后一个", 3),
        ("第四个", 3),
    ],
)
def test_a_typed_number_picks_an_option(typed: str, index: int) -> None:
    assert parse_ordinal(typed, 4) == index


@pytest.mark.parametrize("typed", ["5", "第五个", "0", "二", "两个", "12", "2分", "第二天", ""])
def test_other_numbers_pick_no_option(typed: str) -> None:
    assert parse_ordinal(typed, 4) is None


@pytest.mark.parametrize(
    "text",
    [
        "我之前那个退款处理得怎么样了",
        "稍等，先帮我看看HP20240003发货没",
        "运费谁出？",
        "我要开发票",
        "等一下 我先问下你们发货用什么快递",
    ],
)
def test_questions_and_new_requests_are_not_free_text_answers(text: str) -> None:
    assert looks_like_request(text)


@pytest.mark.parametrize(
    "text",
    ["收到的东西坏了", "搬家了，换到朝阳区", "尺码不合适", "张三", "上海市浦东新区张江路88号 张伟"],
)
def test_reasons_addresses_and_titles_are_answers(text: str) -> None:
    assert not looks_like_request(text)


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("我之前那个退款处理得怎么样了", True),
        ("上次的退款进度查一下", True),
        ("钱什么时候能到账", True),
        ("收到的东西坏了", False),
        ("尺码不合适，想退", False),
        ("不想要了", False),
    ],
)
def test_a_progress_question_is_told_from_a_reason(text: str, asks: bool) -> None:
    assert asks_progress(text) is asks


@pytest.mark.parametrize("text", ["能开发票吗", "为啥不能取消", "退款要多久到账？", "运费谁出呢"])
def test_a_question_asked_instead_of_naming_the_order(text: str) -> None:
    assert asks_instead_of_order(text)


@pytest.mark.parametrize(
    "text",
    ["我不知道订单号", "订单号在哪看啊", "不知道是哪一个", "就那个跑鞋", "第二个", "HP2024001是吗"],
)
def test_a_reply_about_which_order_it_is_is_an_answer(text: str) -> None:
    assert not asks_instead_of_order(text)
