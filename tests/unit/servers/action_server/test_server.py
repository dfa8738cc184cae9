"""The action server, attacked over loopback: authentication, hostile bodies, errors."""

from __future__ import annotations

import json
import socket
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from zhike.servers.action_server import MAX_BODY_BYTES, TOKEN_HEADER

from .server import PRODUCTION_ENV, TOKEN, RunningServer, action_server, run_server

MARKER = "hostile-marker-13800138001"
AUTH = {TOKEN_HEADER: TOKEN}


def call(action: str = "action_order_status", **tracker: object) -> dict:
    """A minimal action call as Rasa posts it."""
    return {
        "next_action": action,
        "sender_id": "s-1",
        "tracker": {"sender_id": "s-1", "slots": {}, "events": [], **tracker},
        "domain": {},
        "version": "3.6.21",
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with action_server(tmp_path_factory.mktemp("actions")) as running:
        yield running


@pytest.fixture
def client(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        yield http


def test_health_needs_no_token(client: httpx.Client) -> None:
    response = client.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.parametrize(
    "headers",
    [{}, {TOKEN_HEADER: "wrong"}, {TOKEN_HEADER: TOKEN[:-1] + "x"}, {"Authorization": TOKEN}],
    ids=["missing", "wrong", "same-length", "other-header"],
)
def test_every_other_request_needs_the_token(client: httpx.Client, headers: dict) -> None:
    for method, path, body in (
        ("POST", "/webhook", call()),
        ("GET", "/actions", None),
        ("OPTIONS", "/webhook", None),
    ):
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (method, path)
        assert response.json() == {"error": "unauthorized"}


def test_the_token_runs_the_action(client: httpx.Client) -> None:
    response = client.post("/webhook", json=call(), headers=AUTH)
    assert response.status_code == 200
    assert [r["response"] for r in response.json()["responses"]] == ["utter_ask_order_id"]
    assert {"name": "action_order_status"} in client.get("/actions", headers=AUTH).json()


@pytest.mark.parametrize(
    ("content", "status"),
    [
        (f"not json {MARKER}".encode(), 400),
        (json.dumps([MARKER]).encode(), 400),
        (json.dumps({"next_action": "action_order_status", "note": MARKER}).encode(), 400),
        (json.dumps({"tracker": {"sender_id": MARKER}}).encode(), 400),
        (json.dumps({"next_action": MARKER, "tracker": {"slots": {}}}).encode(), 400),
        (json.dumps({**call(), "tracker": {"sender_id": "s", "events": MARKER}}).encode(), 400),
        (json.dumps(call(action=MARKER)).encode(), 404),
        (b"\xff\xfe" + MARKER.encode(), 400),
    ],
    ids=[
        "not-json",
        "not-object",
        "no-tracker",
        "no-next-action",
        "no-sender",
        "events-not-list",
        "unknown-action",
        "bad-utf8",
    ],
)
def test_a_hostile_body_gets_its_status_and_no_echo(
    client: httpx.Client, server: RunningServer, content: bytes, status: int
) -> None:
    response = client.post("/webhook", content=content, headers=AUTH)
    assert response.status_code == status
    assert set(response.json()) == {"error"}
    assert MARKER not in response.text and "138" not in response.text


def test_routing_errors_keep_their_status(client: httpx.Client) -> None:
    assert client.get("/webhook", headers=AUTH).status_code == 405
    assert client.get("/webhook", headers=AUTH).json() == {"error": "method not allowed"}
    assert client.get(f"/{MARKER}", headers=AUTH).status_code == 404
    assert MARKER not in client.get(f"/{MARKER}", headers=AUTH).text


def test_a_body_over_the_limit_is_refused_with_413(
    server: RunningServer, client: httpx.Client
) -> None:
    head = (
        "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"{TOKEN_HEADER}: {TOKEN}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {MAX_BODY_BYTES + 1}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head.encode() + b'{"next_action": "action_order_status", ')
        answer = sock.recv(65536).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413")
    assert answer.endswith('{"error":"payload too large"}')
    assert client.get("/health").status_code == 200  # and the server is still there


def test_deflate_bodies_are_inflated_within_the_limit(client: httpx.Client) -> None:
    headers = {**AUTH, "Content-Encoding": "deflate", "Content-Type": "application/json"}
    good = zlib.compress(json.dumps(call()).encode())
    assert client.post("/webhook", content=good, headers=headers).status_code == 200
    # 64 MiB of spaces inside valid JSON compress to ~64 KiB: a "zip bomb"
    bomb = zlib.compress(
        b'{"next_action": "x", "tracker": {"sender_id": "s"}' + b" " * 2**26 + b"}"
    )
    assert len(bomb) < 200_000
    response = client.post("/webhook", content=bomb, headers=headers)
    assert response.status_code == 413
    broken = client.post("/webhook", content=good[:-5], headers=headers)
    assert broken.status_code == 400
    assert client.get("/health").status_code == 200


def test_no_browser_origin_is_allowed(client: httpx.Client) -> None:
    response = client.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers
    preflight = client.options(
        "/webhook",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 401
    assert "access-control-allow-origin" not in preflight.headers


def test_an_unexpected_error_is_a_generic_500_logged_masked_and_rejections_stay(
    tmp_path: Path,
) -> None:
    with action_server(
        tmp_path, actions="tests.unit.servers.action_server.exploding_actions"
    ) as running:
        with httpx.Client(base_url=running.url, timeout=10) as http:
            response = http.post("/webhook", json=call("action_explode"), headers=AUTH)
            rejected = http.post("/webhook", json=call("action_reject"), headers=AUTH)
        assert response.status_code == 500
        assert response.json() == {"error": "internal error"}
        # a rejection keeps rasa_sdk's protocol: Rasa reads action_name from the 400
        assert rejected.status_code == 400
        assert rejected.json() == {"error": "not now", "action_name": "action_reject"}
        log = running.log_text()
    assert "internal detail" in log and "138****8001" in log
    assert "13800138001" not in log


def _listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as in /proc/net/tcp) listening on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":  # LISTEN
                found.add(address)
    return found


def test_it_listens_on_loopback_by_default(tmp_path: Path) -> None:
    if not Path("/proc/net/tcp").exists():
        pytest.skip("needs Linux /proc/net/tcp")
    with action_server(tmp_path, host=None) as running:
        assert _listening_addresses(running.port) == {"0100007F"}  # 127.0.0.1


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"ZHIKE_ACTION_TOKEN": ""}, "ZHIKE_ACTION_TOKEN"),
        ({"ZHIKE_ACTION_TOKEN": "short-token"}, "ZHIKE_ACTION_TOKEN"),
        ({"ZHIKE_ACTION_TOKEN": "change-me"}, "ZHIKE_ACTION_TOKEN"),
        ({"ZHIKE_IDENTITY_SECRET": ""}, "ZHIKE_IDENTITY_SECRET"),
        ({"ZHIKE_ENV": ""}, None),  # production is the default
    ],
    ids=["no-token", "short-token", "placeholder", "no-identity-secret", "default-env"],
)
def test_production_refuses_to_start_without_its_secrets(
    tmp_path: Path, env: dict[str, str], named: str | None
) -> None:
    settings = {**PRODUCTION_ENV, **env}
    if named is None:
        settings["ZHIKE_ACTION_TOKEN"] = ""
        named = "ZHIKE_ACTION_TOKEN"
    log = tmp_path / "refused.log"
    result = run_server(settings, ["--port", "1"], log)
    assert result.returncode == 2
    assert named in log.read_text()


def test_development_without_a_token_accepts_requests_and_warns(tmp_path: Path) -> None:
    env = {"ZHIKE_ENV": "development", "ZHIKE_BACKEND": "fake"}
    with action_server(tmp_path, env=env) as running:
        with httpx.Client(base_url=running.url, timeout=10) as http:
            assert http.post("/webhook", json=call()).status_code == 200
            assert http.post("/webhook", json=call()).status_code == 200
        assert running.log_text().count("ZHIKE_ACTION_TOKEN is not set") == 1
