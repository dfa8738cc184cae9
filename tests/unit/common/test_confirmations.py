"""Yes and no typed in words, as the actions and the NLU floor read them."""

from __future__ import annotations

import pytest

from zhike.common.confirmations import (
    is_acknowledgement,
    is_greeting,
    is_never_mind,
    is_thanks,
    parse_confirmation,
    says_only_go_on,
    sounds_like_yes_or_no,
)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("好滴～", True),
        ("不行不行", False),
        ("不是不是", False),
        ("好不好", None),
        ("行不行？", None),
    ],
)
def test_a_repeated_no_is_a_no_and_a_not_a_is_a_question(text: str, said: bool | None) -> None:
    assert parse_confirmation(text) is said


@pytest.mark.parametrize("text", ["嗯，我看就这样吧", "不不不，我说的是另一单", "ok", "不用啦"])
def test_short_replies_opening_with_yes_or_no_sound_like_one(text: str) -> None:
    assert sounds_like_yes_or_no(text)


@pytest.mark.parametrize(
    "text", ["催眠曲", "一无所有", "播放一首小苹果", "嗯我想听周杰伦的稻香那首歌吧"]
)
def test_titles_and_long_requests_do_not(text: str) -> None:
    assert not sounds_like_yes_or_no(text)


@pytest.mark.parametrize(
    "text", ["是正品不?", "是不是确定没有货", "对吗", "不是说今天到吗", "是有没有货"]
)
def test_a_question_is_no_yes_or_no(text: str) -> None:
    assert not sounds_like_yes_or_no(text)


@pytest.mark.parametrize(
    ("text", "understood"),
    [
        ("好的明白了", True),
        ("嗯嗯知道了", True),
        ("明白了，谢谢！", True),
        ("OK 收到", True),
        ("我不知道", False),  # the opposite
        ("知道怎么退吗", False),  # a question
        ("了解一下价保", False),  # a request
        ("明白了但是还是想退", False),  # more than that
    ],
)
def test_an_acknowledgement_says_only_that_the_customer_understood(
    text: str, understood: bool
) -> None:
    assert is_acknowledgement(text) is understood
    assert parse_confirmation(text) is None or not understood  # never a yes to a question


@pytest.mark.parametrize(
    ("text", "dropped"),
    [
        ("算了 先不退了 我再想想", True),
        ("那还是不退了吧", True),
        ("没事了", True),
        ("我再考虑一下", True),
        ("那算了 到了再说吧 谢谢", True),  # while asked which parcel to chase
        ("以后再说", True),
        ("那个就免了哈", True),  # offered something the customer does not want
        ("算了 不需要了", True),
        ("算啦，不必了", True),
        ("等会儿 先不用了 我再想想", False),  # 等会儿 is not among the words
        ("等等 先不用了 我再想想", True),
        ("那好吧 我再等等看", True),  # told how long a refund takes
        ("好吧 那就不用转人工了", True),  # a person no longer wanted
        ("没有了", True),  # to "还有其他可以帮您的吗"
        ("没别的了 谢谢", True),
        ("货没了", False),  # out of stock: a complaint or a question
        ("人工呢", False),
        ("不需要了 想问下退款到哪了", False),  # a question after it
        ("免运费吗", False),  # a question about the fee
        ("谢谢", False),  # thanks alone drop nothing
        ("我再说一遍", False),
        ("不想要了", False),  # a reason to return, not a no
        ("算了 帮我退了吧", False),  # a request after all
        ("我再想想要不要换", False),  # more than that
        ("算了吧这个服务太差了我要投诉你们", False),  # too long: a complaint
    ],
)
def test_dropping_the_matter_is_read_only_in_its_own_words(text: str, dropped: bool) -> None:
    assert is_never_mind(text) is dropped


@pytest.mark.parametrize(
    ("text", "greets"),
    [
        ("亲 在不在", True),
        ("您好，有人在吗？", True),
        ("hello 客服", True),
        ("客服", False),  # a call for a person
        ("在吗 带数据线么", False),  # a question after the hello
        ("早点发货", False),
    ],
)
def test_a_greeting_is_read_only_in_its_own_words(text: str, greets: bool) -> None:
    assert is_greeting(text) is greets


@pytest.mark.parametrize(
    ("text", "thanks"),
    [
        ("谢谢啦", True),
        ("好的 谢谢", True),
        ("感谢您！", True),
        ("好的", False),
        ("谢谢 我要退款", False),
    ],
)
def test_thanks_alone_are_told_from_thanks_with_a_request(text: str, thanks: bool) -> None:
    assert is_thanks(text) is thanks


@pytest.mark.parametrize(
    ("text", "go_on"),
    [
        ("哦好的 那继续吧", True),
        ("继续改地址", True),  # was read as an address, 「地址好像不太完整哦」
        ("好的 接着办退款吧", True),
        ("继续使用不了", False),  # a reason
        ("改地址", False),
        ("上海市浦东新区张江路88号", False),
    ],
)
def test_going_on_with_the_form_may_name_its_matter(text: str, go_on: bool) -> None:
    assert says_only_go_on(text) is go_on
