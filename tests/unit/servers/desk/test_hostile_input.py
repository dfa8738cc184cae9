"""Hostile input to every desk route, on a real loopback port: a clear 4xx, never a 500."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from zhike.lib.backend_client.fake import InMemoryBackendClient
from zhike.servers.desk.assist import AssistServices

from .conftest import Desk, build_desk, desk_settings, queued
from .served import Answer, Served, served

BODY_ROUTES = [
    "/login",
    "/logout",
    "/me/status",
    "/conversations/{cid}/accept",
    "/conversations/{cid}/messages",
    "/conversations/{cid}/transfer",
    "/conversations/{cid}/close",
    "/conversations/{cid}/ticket",
]
HOSTILE_BODIES = {
    "malformed": b'{"text": "hi",',
    "array": b"[]",
    "string": b'"text"',
    "number": b"1",
    "null": b"null",
    "nul": b'{"text": "a\\u0000b", "username": "a\\u0000", "online": true}',
    "raw nul": b'{"text": "a\x00b"}',
    "lone surrogate": b'{"text": "\\ud800", "summary": "\\udfff", "disposition": "\\ud800"}',
    "surrogate key": b'{"\\udc00": 1}',
    "not utf-8": b'{"text": "\xff\xfe"}',
    "utf-16": '{"online": true}'.encode("utf-16"),
    "deeply nested": b"[" * 50_000,
    "nested too deep": b'{"a":' * 40 + b"1" + b"}" * 40,
    "huge": b'{"text": "' + b"a" * 70_000 + b'"}',
    "huge number": b'{"online": ' + b"9" * 5000 + b"}",
}
WRONG_TYPES = [
    ("/login", {"username": 1, "password": "x"}),
    ("/login", {"username": "wangfang", "password": ["x"]}),
    ("/me/status", {"online": "yes"}),
    ("/me/status", {"online": 1}),
    ("/conversations/{cid}/messages", {"text": 5}),
    ("/conversations/{cid}/messages", {"text": ["a"]}),
    ("/conversations/{cid}/messages", {"text": "hi", "client_message_id": 5}),
    ("/conversations/{cid}/messages", {"text": "hi", "client_message_id": "a b"}),
    ("/conversations/{cid}/transfer", {"skill_group": ["orders"]}),
    ("/conversations/{cid}/transfer", {"skill_group": None}),
    ("/conversations/{cid}/close", {"disposition": 7}),
    ("/conversations/{cid}/ticket", {"category": 1}),
    ("/conversations/{cid}/ticket", {"category": "complaint", "summary": {"a": 1}}),
    ("/conversations/{cid}/ticket", {"category": "complaint", "summary": "x", "client_key": 1}),
]
HOSTILE_QUERIES = [
    ("wangfang", "/queue?group=%00"),
    ("wangfang", "/queue?group=%ED%A0%80"),
    ("wangfang", "/conversations/{cid}?after_seq=%C2%B2"),  # '²' is a digit to str.isdigit
    ("wangfang", "/conversations/{cid}?after_seq=-1"),
    ("wangfang", "/conversations/{cid}?after_seq=%00"),
    ("wangfang", "/conversations/99999999999999999999999"),
    ("wangfang", "/conversations/2147483648/assist"),
    ("wangfang", "/conversations/99999999999999999999/context"),
    ("wangfang", "/conversations/%00"),
    ("boss", "/supervisor/deliveries?limit=%C2%B3"),
    ("boss", "/supervisor/deliveries?state=%ED%A0%80"),
    ("boss", "/supervisor/deliveries?conversation_id=%00"),
]


class Setup:
    """A served desk: wangfang has conversation ``cid``; wangfang and boss logged in."""

    def __init__(self, desk: Desk, server: Served, cid: int) -> None:
        self.desk, self.server, self.cid = desk, server, cid


@pytest.fixture
async def setup() -> AsyncIterator[Setup]:
    desk = await build_desk(desk_settings())
    desk.app.ctx.desk_assist = AssistServices.from_settings(
        desk.context.settings, backend=InMemoryBackendClient()
    )
    cid = await queued(desk)
    await desk.handoff.accept("a1", cid)
    try:
        async with served(desk) as server:
            for user in ("wangfang", "boss"):
                assert (await server.login(user)).status == 200
            yield Setup(desk, server, cid)
    finally:
        await desk.context.close()


def assert_clear_refusal(answer: Answer, statuses: tuple[int, ...] = (400, 413)) -> None:
    """A 4xx with the desk's JSON error document and no trace of a stack."""
    assert answer.status in statuses, (answer.status, answer.text)
    assert answer.headers["content-type"].startswith("application/json")
    document = answer.json
    assert set(document) == {"error", "message"}
    assert isinstance(document["error"], str) and isinstance(document["message"], str)
    assert "Traceback" not in answer.text and "File " not in answer.text


@pytest.fixture
def errors(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.ERROR)
    return caplog


async def test_hostile_bodies_get_a_clear_4xx_on_every_route(
    setup: Setup, errors: pytest.LogCaptureFixture
) -> None:
    server, cid = setup.server, setup.cid
    for route in BODY_ROUTES:
        path = route.format(cid=cid)
        user = None if route == "/login" else "wangfang"
        for name, content in HOSTILE_BODIES.items():
            answer = await server.request("POST", path, user, content=content)
            assert_clear_refusal(answer)
            expected = 413 if name == "huge" else 400
            assert answer.status == expected, (path, name, answer.text)
    # nothing was changed by any of them, and the server is fine
    assert [m.seq for m in await setup.desk.handoff.messages(cid)] == [1]
    assert (await setup.desk.handoff.conversation(cid)).state == "agent"
    assert (await server.request("GET", "/me", "wangfang")).status == 200
    assert not errors.records, [r.getMessage() for r in errors.records]


async def test_wrong_field_types_and_content_types_get_a_clear_4xx(
    setup: Setup, errors: pytest.LogCaptureFixture
) -> None:
    server = setup.server
    for route, body in WRONG_TYPES:
        user = None if route == "/login" else "wangfang"
        answer = await server.request("POST", route.format(cid=setup.cid), user, body=body)
        assert_clear_refusal(answer, (400,))
        assert answer.json["error"].startswith("invalid_"), (route, body, answer.json)
    form = {"content-type": "application/x-www-form-urlencoded"}
    for route in BODY_ROUTES:
        user = None if route == "/login" else "wangfang"
        answer = await server.request(
            "POST", route.format(cid=setup.cid), user, content=b"a=1", headers=form
        )
        assert_clear_refusal(answer, (415,))
    assert not errors.records


async def test_hostile_paths_and_queries_get_a_clear_4xx(
    setup: Setup, errors: pytest.LogCaptureFixture
) -> None:
    for user, path in HOSTILE_QUERIES:
        answer = await setup.server.request("GET", path.format(cid=setup.cid), user)
        assert_clear_refusal(answer, (400, 404))
    assert not errors.records


async def test_a_streamed_body_over_the_limit_and_huge_headers_get_413(setup: Setup) -> None:
    server = setup.server
    token, csrf = server.cookies["wangfang"]
    chunk = b"%x\r\n%s\r\n" % (40_000, b" " * 40_000)
    chunked = (
        b"POST /api/desk/v1/me/status HTTP/1.1\r\nHost: desk\r\n"
        b"Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n"
        b"Cookie: zhike_desk_session=" + token.encode() + b"\r\n"
        b"X-CSRF-Token: " + csrf.encode() + b"\r\n\r\n" + chunk * 3 + b"0\r\n\r\n"
    )
    declared = (
        b"POST /api/desk/v1/login HTTP/1.1\r\nHost: desk\r\nContent-Type: application/json\r\n"
        b"Content-Length: 5000000\r\n\r\n{"
    )
    header = b"GET /api/desk/v1/me HTTP/1.1\r\nHost: desk\r\nX-Pad: " + b"a" * 100_000 + b"\r\n\r\n"
    for request in (chunked, declared, header):
        answer = await server.raw(request)
        assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
        assert b'"error":"payload_too_large"' in answer


async def test_odd_cookie_and_csrf_bytes_are_refused_or_ignored(setup: Setup) -> None:
    token, _ = setup.server.cookies["wangfang"]
    for head in (
        b"Cookie: zhike_desk_session=\xff\xfe\xed\xa0\x80",
        b"Cookie: zhike_desk_session=" + b"x" * 4000,
        b"Cookie: zhike_desk_session=" + token.encode() + b"\r\nX-CSRF-Token: \xff\xed\xa0\x80",
    ):
        answer = await setup.server.raw(
            b"POST /api/desk/v1/me/status HTTP/1.1\r\nHost: desk\r\nContent-Length: 0\r\n"
            + head
            + b"\r\n\r\n"
        )
        assert answer.split(b" ", 2)[1] in (b"401", b"403"), answer[:200]
