"""The one strict JSON reader every server puts in front of its routes."""

from __future__ import annotations

import pytest

from zhike.common.json_body import JsonBodyError, is_json_media_type, parse_json


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"\xff\xfe{}", "encoding"),
        (b'{"a": "x\x00y"}', "syntax"),  # a raw control character is not JSON
        (b'{"a": "\\u0000"}', "characters"),
        (b'{"a": "\\ud800"}', "characters"),
        (b'{"\\udfff": 1}', "characters"),
        (b'{"a": 1', "syntax"),
        (b'{"a": NaN}', "syntax"),
        (b"-Infinity", "syntax"),
        (b"", "syntax"),
        (b"[" * 17 + b"]" * 17, "depth"),
        (b"[" * 200_000, "depth"),  # never reaches the parser's recursion
    ],
)
def test_hostile_bodies_are_refused_with_what_is_wrong(body: bytes, kind: str) -> None:
    with pytest.raises(JsonBodyError) as refused:
        parse_json(body, 16)
    assert refused.value.kind == kind
    assert "\\ud800" not in refused.value.message and "x\x00y" not in refused.value.message


def test_the_depth_counts_levels_and_brackets_inside_strings_do_not_count() -> None:
    assert parse_json(b"[" * 16 + b"]" * 16, 16) == [[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]
    assert parse_json(b'{"text": "[[[[[[[[[[[[[[[[[[[[[[{{{{"}', 2) == {"text": "[" * 22 + "{" * 4}


def test_an_object_can_be_required_and_strings_left_to_the_caller() -> None:
    with pytest.raises(JsonBodyError) as refused:
        parse_json(b"[1, 2]", 16, require_object=True)
    assert refused.value.kind == "not_object"
    assert parse_json(b'{"a": "\\ud800"}', 16, check_strings=False) == {"a": "\ud800"}
    assert parse_json('{"问题": "我的订单到哪了"}'.encode(), 16) == {"问题": "我的订单到哪了"}


@pytest.mark.parametrize(
    ("content_type", "accepted"),
    [
        ("application/json", True),
        ("Application/JSON; charset=UTF-8", True),
        ('application/json; charset="utf8"', True),
        ("application/json; charset=gbk", False),
        ("text/plain", False),
        ("application/jsonp", False),
        (None, False),
    ],
)
def test_only_utf8_json_is_the_json_media_type(content_type: str | None, accepted: bool) -> None:
    assert is_json_media_type(content_type) is accepted
