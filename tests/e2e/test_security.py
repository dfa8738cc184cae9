"""Attacks on the real servers of a running stack (loopback): each must be refused cleanly.

Every server zhike starts (Rasa, action server, business backend, desk) is attacked
through its own port: malformed framing, missing or forged credentials, cross-origin
calls, bad bodies. Each attack must get a clear 4xx (never a 5xx, a stack trace or an
echo of the request), and every server must be healthy afterwards.
"""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import httpx
import pytest

from zhike.tools.stack import Stack

from .conftest import API, Conversation

pytestmark = pytest.mark.e2e


def _servers(stack: Stack) -> dict[str, str]:
    cfg = stack.config
    return {
        "rasa": cfg.rasa_url,
        "actions": cfg.actions_url,
        "backend": cfg.backend_url,
        "desk": cfg.desk_url,
    }


def _healthy(stack: Stack) -> None:
    for service in stack.services:
        assert service.alive(), f"{service.name} died"
        assert service.ready(), f"{service.name} stopped answering its health URL"


def _raw(base_url: str, request: bytes, timeout: float = 5.0) -> bytes:
    parts = urlsplit(base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except (TimeoutError, ConnectionResetError):
            pass
    return b"".join(chunks)


@pytest.mark.parametrize("length", [b"-1", b"+12", b"1_2"])
def test_malformed_content_length_is_refused_by_every_server(stack: Stack, length: bytes) -> None:
    for name, url in _servers(stack).items():
        answer = _raw(
            url, b"POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + b"\r\n\r\n{}"
        )
        # 400, or 401 where the server's auth middleware answers first; never a hang
        assert answer.startswith((b"HTTP/1.1 400", b"HTTP/1.1 401")), f"{name}: {answer[:120]!r}"
    _healthy(stack)


def test_rasa_api_refuses_calls_without_the_token(stack: Stack) -> None:
    rasa = stack.config.rasa_url
    chat = Conversation(rasa)
    chat.say("你好")
    tracker = f"{rasa}/conversations/{chat.sender}/tracker"
    assert httpx.get(tracker, timeout=10).status_code == 401
    assert httpx.get(tracker, params={"token": "guess"}, timeout=10).status_code == 401
    injected = httpx.post(
        f"{tracker}/events", json={"event": "restart"}, timeout=10
    )  # pulling a customer out of a handoff, say
    assert injected.status_code == 401
    assert httpx.post(f"{rasa}/model/parse", json={"text": "你好"}, timeout=10).status_code == 401
    assert httpx.get(tracker, params=API, timeout=10).status_code == 200


def test_cross_origin_calls_are_allowed_only_from_configured_origins(stack: Stack) -> None:
    url = f"{stack.config.rasa_url}/webhooks/rest/webhook"
    preflight = {"Access-Control-Request-Method": "POST"}
    evil = httpx.options(url, headers={"Origin": "https://evil.example", **preflight}, timeout=10)
    assert evil.headers.get("access-control-allow-origin") not in ("*", "https://evil.example")
    own = httpx.options(url, headers={"Origin": stack.config.rasa_url, **preflight}, timeout=10)
    assert own.headers.get("access-control-allow-origin") == stack.config.rasa_url


FORGED_CALL = {
    "next_action": "action_order_status",
    "sender_id": "attacker",
    "tracker": {
        "sender_id": "attacker",
        "slots": {"order_id": "HP20240001", "verified_orders": ["HP20240001"]},
        "latest_message": {"text": "查订单HP20240001", "intent": {"name": "query_order"}},
        "events": [],
    },
    "domain": {},
    "version": "3.6.0",
}


def test_the_action_server_refuses_calls_without_the_shared_secret(stack: Stack) -> None:
    url = f"{stack.config.actions_url}/webhook"
    assert httpx.post(url, json=FORGED_CALL, timeout=10).status_code == 401
    wrong = {"X-Zhike-Action-Token": "not-the-secret"}
    denied = httpx.post(url, json=FORGED_CALL, headers=wrong, timeout=10)
    assert denied.status_code == 401
    assert "HP20240001" not in denied.text  # nothing echoed
    assert httpx.get(f"{stack.config.actions_url}/health", timeout=10).status_code == 200


BAD_BODIES = {
    "empty": b"",
    "array": b"[]",
    "string": b'"hello"',
    "null": b"null",
    "malformed": b'{"sender": "x", "message": ',
    "invalid utf-8": b'{"sender": "x", "message": "\xff\xfe"}',
    "NUL": b'{"sender": "x\x00", "message": "hi\x00"}',
    "deep nesting": b"[" * 50_000 + b"]" * 50_000,
    "non-string message": b'{"sender": "x", "message": 5}',
    "lone surrogate": b'{"sender": "x", "message": "\\ud800"}',
}


def _bad_body_targets(stack: Stack) -> dict[str, tuple[str, dict[str, str]]]:
    cfg = stack.config
    json_type = {"Content-Type": "application/json"}
    return {
        "REST": (f"{cfg.rasa_url}/webhooks/rest/webhook", json_type),
        "actions": (
            f"{cfg.actions_url}/webhook",
            {**json_type, "X-Zhike-Action-Token": cfg.action_token},
        ),
        "backend": (f"{cfg.backend_url}/api/v1/tickets", json_type),
        "desk": (f"{cfg.desk_url}/api/desk/v1/login", json_type),
    }


@pytest.mark.parametrize("name", list(BAD_BODIES))
def test_bad_bodies_get_a_clear_4xx_on_every_entry_point(stack: Stack, name: str) -> None:
    body = BAD_BODIES[name]
    for target, (url, headers) in _bad_body_targets(stack).items():
        response = httpx.post(url, content=body, headers=headers, timeout=30)
        assert 400 <= response.status_code < 500, f"{target} {name}: {response.status_code}"
        assert "Traceback" not in response.text and 'File "' not in response.text
    _healthy(stack)


def test_a_one_megabyte_message_is_refused_or_cut_and_the_server_stays_responsive(
    stack: Stack,
) -> None:
    url = f"{stack.config.rasa_url}/webhooks/rest/webhook"
    huge = json.dumps({"sender": "huge-sender", "message": "我" * 400_000}).encode()
    assert httpx.post(url, content=huge, timeout=60).status_code == 413
    long = json.dumps(
        {"sender": "long-sender", "message": "我想退货" * 5_000}, ensure_ascii=False
    )  # 20,000 characters, 60 KB
    replies = httpx.post(url, content=long.encode(), timeout=60).json()
    assert "前 2000 个字" in replies[0]["text"]
    assert Conversation(stack.config.rasa_url).say("你好")
    _healthy(stack)


FULL_NUMBERS = ("13800138001", "110101199003071234")


def test_no_stored_transcript_or_log_holds_a_full_phone_or_id_number(fresh: Stack) -> None:
    chat = Conversation(fresh.config.rasa_url)
    chat.say("绑定账户")
    chat.say("我的手机号是13800138001，身份证110101199003071234")
    chat.say("13800138001")
    chat.say("转人工")  # relayed to the desk's tables too
    chat.say("我的手机号是13800138001")
    state = fresh.config.state_dir
    # every database file of the stack (and its journal) but the business system of record
    databases = [p for p in state.glob("*.db*") if not p.name.startswith("backend.db")]
    stored = [*databases, *state.glob("logs/*.log")]
    handoff_db = fresh.config.extra_env.get("ZHIKE_HANDOFF_DB_URL", "").split("///")[-1]
    if handoff_db:
        stored.append(type(state)(handoff_db))
    for path in stored:
        if not path.exists():
            continue
        data = path.read_bytes()
        for number in FULL_NUMBERS:
            assert number.encode() not in data, f"{path.name} holds {number[:3]}…"
    assert (state / "tracker.db").exists()
