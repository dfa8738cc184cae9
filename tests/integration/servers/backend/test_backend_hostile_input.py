"""Hostile request bodies against every write route of the real backend process.

Whatever arrives, the answer is the JSON error contract with a 4xx status: 415 for a body
that is not ``application/json``, 400 for malformed or poisonous JSON (NUL characters,
invalid UTF-8, lone surrogates, deep nesting, NaN), 413 over 1 MiB. Never a 500, never a
traceback, never the body echoed back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from zhike.servers.backend.openapi import OPERATIONS

from .backend_process import BackendProcess
from .rest import error_of

pytestmark = pytest.mark.integration

SAMPLE_IDS = {
    "order_id": "HP20240003",
    "customer_id": "C001",
    "lesson_id": "L0001",
    "student_id": "S001",
    "course_id": "CS002",
    "channel": "wechat",
    "channel_user_id": "o-hostile",
    "visit_id": "SV20240001",
    "exchange_id": "EX20241301",
    "ticket_id": "TK20240002",
}
MARKER = "ECHO-MARKER-7f3a"


def _filled(path: str) -> str:
    return re.sub(r"{(\w+)}", lambda match: SAMPLE_IDS[match.group(1)], path)


WRITE_ROUTES = sorted(
    {
        (op.method, _filled(op.path))
        for op in OPERATIONS
        if op.method in ("POST", "PUT", "PATCH", "DELETE") and op.path.startswith("/api/")
    }
    | {("POST", "/__faults"), ("POST", "/__reset")}
)
JSON = "application/json"
POISON: list[tuple[str, bytes, str, tuple[int, str]]] = [
    ("text/plain", b'{"summary": "x"}', "plain text", (415, "unsupported_media_type")),
    ("", b'{"summary": "x"}', "no content type", (415, "unsupported_media_type")),
    ("application/x-www-form-urlencoded", b"summary=x", "a form", (415, "unsupported_media_type")),
    (f"{JSON}; charset=latin-1", b'{"a": "x"}', "another charset", (415, "unsupported_media_type")),
    (JSON, b'{"summary": "' + MARKER.encode() + b'"', "truncated JSON", (400, "invalid_json")),
    (JSON, b"\xff\xfe{}", "invalid UTF-8", (400, "invalid_encoding")),
    (JSON, b'{"summary": "\xed\xa0\x80"}', "UTF-8 encoded surrogate", (400, "invalid_encoding")),
    (JSON, b'{"summary": "a\\u0000b"}', "an escaped NUL", (400, "invalid_text")),
    (JSON, b'{"summary": "a\x00b"}', "a raw NUL", (400, "invalid_json")),
    (JSON, b'{"summary": "\\ud800"}', "a lone surrogate", (400, "invalid_text")),
    (JSON, b'{"\\udfff": 1}', "a lone surrogate key", (400, "invalid_text")),
    (JSON, b'{"a": NaN}', "NaN", (400, "invalid_json")),
    (JSON, b'{"a": ' + b"9" * 5000 + b"}", "a 5000-digit number", (400, "invalid_json")),
    (JSON, b"[" * 100_000 + b"]" * 100_000, "100,000 levels", (400, "invalid_json")),
    (JSON, b'{"a": ' + b"[" * 40 + b"]" * 40 + b"}", "40 levels", (400, "invalid_json")),
]


@pytest.fixture(scope="module")
def http(backend: BackendProcess) -> Iterator[httpx.Client]:
    headers = {"X-Api-Key": backend.api_key or ""}
    with httpx.Client(base_url=backend.base_url, headers=headers, timeout=10.0) as client:
        yield client


@pytest.mark.parametrize(("method", "path"), WRITE_ROUTES)
def test_every_write_route_refuses_hostile_bodies(
    http: httpx.Client, backend: BackendProcess, method: str, path: str
) -> None:
    before = len(backend.log())
    for content_type, body, what, expected in POISON:
        headers = {"Content-Type": content_type} if content_type else {}
        response = http.request(method, path, content=body, headers=headers)
        if not content_type:
            assert response.request.headers.get("content-type") is None
        assert error_of(response) == expected, (method, path, what, response.text)
        assert MARKER not in response.text and "Traceback" not in response.text
    assert "Unhandled error" not in backend.log()[before:]


@pytest.mark.parametrize(("method", "path"), WRITE_ROUTES)
def test_bodies_that_are_no_object_are_refused(http: httpx.Client, method: str, path: str) -> None:
    for body in (b"[1]", b'"text"', b"null", b"42"):
        response = http.request(method, path, content=body, headers={"Content-Type": JSON})
        assert response.status_code == 400, (method, path, body, response.text)
        assert response.json()["error"]["code"] in ("invalid_json", "invalid_fault")


def test_json_with_a_charset_is_accepted(http: httpx.Client) -> None:
    body = '{"category": "other", "summary": "字符集", "channel": "web"}'.encode()
    for content_type in (f"{JSON}; charset=utf-8", f"{JSON};charset=UTF-8", "Application/JSON"):
        response = http.post(
            "/api/v1/tickets", content=body, headers={"Content-Type": content_type}
        )
        assert response.status_code == 201, (content_type, response.text)


def test_a_lone_surrogate_in_a_ticket_summary_is_a_clear_400(
    http: httpx.Client, backend: BackendProcess
) -> None:
    before = len(backend.log())
    body = b'{"category": "complaint", "summary": "\\ud83d broken emoji", "customer_id": "C001"}'
    response = http.post("/api/v1/tickets", content=body, headers={"Content-Type": JSON})
    assert error_of(response) == (400, "invalid_text")
    fine = '{"category": "complaint", "summary": "\\ud83d\\ude00 ok", "customer_id": "C001"}'
    response = http.post("/api/v1/tickets", content=fine, headers={"Content-Type": JSON})
    assert response.status_code == 201 and response.json()["summary"] == "\U0001f600 ok"
    assert "Unhandled error" not in backend.log()[before:]


def test_a_body_over_one_mebibyte_is_413(http: httpx.Client) -> None:
    filler = "x" * (1024 * 1024)
    body = f'{{"category": "other", "summary": "{filler}"}}'.encode()
    response = http.post("/api/v1/tickets", content=body, headers={"Content-Type": JSON})
    assert error_of(response) == (413, "payload_too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while streaming
        yield b'{"category": "other", "summary": "'
        for _ in range(17):
            yield b"y" * 65536
        yield b'"}'

    response = http.post("/api/v1/tickets", content=chunks(), headers={"Content-Type": JSON})
    assert response.status_code == 413


def test_unauthenticated_bodies_are_not_even_read(backend: BackendProcess) -> None:
    response = httpx.post(
        f"{backend.base_url}/api/v1/tickets", content=b"\xff", headers={"Content-Type": "x/y"}
    )
    assert error_of(response) == (401, "unauthorized")


def test_a_body_on_a_read_route_must_be_json_too(http: httpx.Client) -> None:
    plain = {"Content-Type": "text/plain"}
    response = http.request("GET", "/api/v1/orders/HP20240001", content=b"x=1", headers=plain)
    assert error_of(response) == (415, "unsupported_media_type")
    assert http.get("/api/v1/orders/HP20240001").status_code == 200
    assert http.post("/api/v1/orders/HP20240001").status_code == 405  # empty: no content type
