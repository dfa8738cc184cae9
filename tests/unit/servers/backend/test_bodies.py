"""The strict JSON reader of request bodies (no server): what passes, and the refusals."""

from __future__ import annotations

import pytest

from zhike.servers.backend.bodies import MAX_DEPTH, check_content_type, parse_json
from zhike.servers.backend.errors import ApiError


def refusal(body: bytes) -> tuple[int, str]:
    with pytest.raises(ApiError) as caught:
        parse_json(body)
    return caught.value.status_code, caught.value.code


def test_ordinary_bodies_pass() -> None:
    assert parse_json('{"summary": "快递太慢 😀", "n": 1.5, "ok": true}'.encode()) == {
        "summary": "快递太慢 😀",
        "n": 1.5,
        "ok": True,
    }
    nested: object = "x"
    for _ in range(MAX_DEPTH - 1):
        nested = [nested]
    assert parse_json(str(nested).replace("'", '"').encode()) == nested


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"{", (400, "invalid_json")),
        (b"\xc3\x28", (400, "invalid_encoding")),
        (b'"\\u0000"', (400, "invalid_text")),
        (b'["ok", {"deep": ["\\udc00"]}]', (400, "invalid_text")),
        (b"Infinity", (400, "invalid_json")),
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), (400, "invalid_json")),
        (b"[" * 50_000 + b"]" * 50_000, (400, "invalid_json")),
    ],
)
def test_poisonous_bodies_are_400(body: bytes, expected: tuple[int, str]) -> None:
    assert refusal(body) == expected


@pytest.mark.parametrize(
    "value",
    ["application/json", "application/json; charset=utf-8", 'application/json;charset="UTF8"'],
)
def test_json_content_types(value: str) -> None:
    check_content_type(value)


@pytest.mark.parametrize(
    "value", [None, "", "text/plain", "application/jsonp", "application/json; charset=gbk"]
)
def test_other_content_types_are_415(value: str | None) -> None:
    with pytest.raises(ApiError) as caught:
        check_content_type(value)
    assert (caught.value.status_code, caught.value.code) == (415, "unsupported_media_type")
