"""The app channel, driven through a Sanic app wired the way ``rasa run`` wires channels."""

from __future__ import annotations

import base64
import json
import logging
import uuid
from pathlib import Path
from typing import Any

import jwt
import pytest
from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic

from zhike.channels.admission import BUSY_NOTICE, Gate, Limits
from zhike.channels.app.channel import AppInput, AppOutputChannel
from zhike.channels.limits import MAX_USER_TEXT, TRUNCATED_NOTICE
from zhike.lib.identity.assertion import METADATA_KEY, InvalidAssertion, sign, verify

JWT_SECRET = "jwt-secret-" + "j" * 64  # long enough for the HS512 forgeries too
IDENTITY_SECRET = "identity-secret-" + "i" * 32
NOW = 1_718_000_000
URL = "/webhooks/app/webhook"
PROJECT_ROOT = Path(__file__).resolve().parents[4]


class FakeAgent:
    """Stands in for rasa's Agent: records messages and answers through their channel."""

    def __init__(self, fail: bool = False) -> None:
        self.messages: list[UserMessage] = []
        self.fail = fail

    async def handle_message(self, message: UserMessage) -> None:
        self.messages.append(message)
        if self.fail:
            raise RuntimeError("boom")
        await message.output_channel.send_text_message(message.sender_id, f"收到：{message.text}")


def _app(channel: AppInput, agent: FakeAgent) -> Sanic:
    app = Sanic(f"zhike_app_test_{uuid.uuid4().hex}")
    register([channel], app, route="/webhooks/")  # what rasa.core.run.configure_app does
    app.ctx.agent = agent
    return app


def _channel(**kwargs: Any) -> AppInput:
    args = {"jwt_secret": JWT_SECRET, "identity_secret": IDENTITY_SECRET, "clock": lambda: NOW}
    args.update(kwargs)
    return AppInput(**args)


def _token(key: str = JWT_SECRET, algorithm: str = "HS256", **claims: Any) -> str:
    payload = {"sub": "C001", "exp": NOW + 3600, "iat": NOW - 10, **claims}
    return jwt.encode(payload, key, algorithm)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _post(
    body: Any = None,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
    channel: AppInput | None = None,
    agent: FakeAgent | None = None,
) -> tuple[Any, FakeAgent]:
    agent = agent or FakeAgent()
    app = _app(channel or _channel(), agent)
    if content is None:
        content = json.dumps({"message": "查一下我的订单"} if body is None else body).encode()
    headers = _auth(_token()) if headers is None else headers
    _, response = await app.asgi_client.post(URL, content=content, headers=headers)
    return response, agent


async def test_valid_token_handles_the_message_as_the_tokens_customer() -> None:
    body = {
        "sender": "app:C002",  # ignored: identity comes from the token only
        "message": "  查一下我的订单  ",
        "metadata": {METADATA_KEY: {"customer_id": "C002"}, "customer_id": "C002"},
        "input_channel": "rest",
    }
    response, agent = await _post(body)

    assert response.status == 200
    assert response.json == [{"recipient_id": "app:C001", "text": "收到：查一下我的订单"}]
    [message] = agent.messages
    assert message.sender_id == "app:C001"
    assert message.input_channel == "app"
    assert message.text == "查一下我的订单"
    assert isinstance(message.output_channel, AppOutputChannel)
    assert set(message.metadata) == {METADATA_KEY}
    verified = verify(message.metadata, IDENTITY_SECRET, "app:C001", NOW, channel="app")
    assert (verified.customer_id, verified.issued_at) == ("C001", NOW)
    assert message.metadata[METADATA_KEY] == sign("C001", "app", "app:C001", NOW, IDENTITY_SECRET)


async def test_assertion_does_not_verify_with_another_secret_or_sender() -> None:
    _, agent = await _post()
    metadata = agent.messages[0].metadata
    with pytest.raises(InvalidAssertion, match="signature"):
        verify(metadata, "x" * 40, "app:C001", NOW)
    with pytest.raises(InvalidAssertion, match="another sender"):
        verify(metadata, IDENTITY_SECRET, "app:C002", NOW)


async def test_subject_is_normalised() -> None:
    _, agent = await _post(headers=_auth(_token(sub="c002")))
    assert agent.messages[0].sender_id == "app:C002"


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _unsigned(**claims: Any) -> str:
    payload = {"sub": "C001", "exp": NOW + 3600, **claims}
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(payload)}."


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "missing_token"),
        ({"Authorization": ""}, "missing_token"),
        ({"Authorization": "Bearer"}, "missing_token"),
        ({"Authorization": "Basic dXNlcjpwYXNzd29yZA=="}, "missing_token"),
        ({"Authorization": _token()}, "missing_token"),  # no "Bearer" scheme
        (_auth(_token(key="forged-secret-" + "f" * 32)), "invalid_token"),
        (_auth(_unsigned()), "invalid_token"),  # alg none
        (_auth(_unsigned()[:-1]), "invalid_token"),
        (_auth(_token(key="another-key-" + "k" * 64, algorithm="HS512")), "invalid_token"),
        (_auth(_token(key=JWT_SECRET, algorithm="HS512")), "invalid_token"),
        (_auth(_token(exp=NOW - 3600)), "token_expired"),
        (_auth(_token(sub="admin")), "invalid_token"),
        (_auth(_token(nbf=NOW + 3600)), "invalid_token"),
        (_auth("not.a.jwt"), "invalid_token"),
    ],
    ids=[
        "no-header",
        "empty-header",
        "bearer-without-token",
        "basic-auth",
        "no-scheme",
        "forged-signature",
        "alg-none",
        "alg-none-no-dot",
        "hs512-other-key",
        "hs512-same-key",
        "expired",
        "not-a-customer",
        "not-yet-valid",
        "garbage",
    ],
)
async def test_bad_tokens_are_refused_before_anything_is_processed(
    headers: dict[str, str], code: str
) -> None:
    response, agent = await _post(headers=headers)
    assert response.status == 401
    assert response.json["error"] == code
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert agent.messages == []


async def test_authentication_comes_before_body_validation() -> None:
    response, agent = await _post(headers={}, content=b"{not json")
    assert response.status == 401
    assert agent.messages == []


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"{not json", 400, "malformed_json"),
        (b"", 400, "malformed_json"),
        (b"\xff\xfe\x00", 400, "invalid_encoding"),
        (b'{"message": "hi\\u0000"}', 400, "invalid_encoding"),
        (b'{"message": "\\ud83d"}', 400, "invalid_encoding"),
        (b"null", 400, "malformed_json"),
        (b"[1, 2]", 400, "malformed_json"),
        (b'"hello"', 400, "malformed_json"),
        (b"[" * 100_000, 413, "body_too_large"),
        (b"[" * 60_000, 400, "malformed_json"),  # too deep for json.loads
        (b'{"message": "hi", "x": ' + b"[" * 40 + b"]" * 40 + b"}", 400, "malformed_json"),
        (b"{}", 400, "invalid_message"),
        (b'{"message": null}', 400, "invalid_message"),
        (b'{"message": 123}', 400, "invalid_message"),
        (b'{"message": ["hi"]}', 400, "invalid_message"),
        (b'{"message": ""}', 400, "empty_message"),
        (b'{"message": "  \\n\\t "}', 400, "empty_message"),
    ],
    ids=[
        "malformed",
        "empty-body",
        "not-utf8",
        "nul-escape",
        "lone-surrogate",
        "null",
        "array",
        "string",
        "huge-body",
        "deep-nesting",
        "deep-nesting-inside",
        "no-message",
        "null-message",
        "number-message",
        "list-message",
        "empty-message",
        "blank-message",
    ],
)
async def test_bad_bodies_are_refused(content: bytes, status: int, code: str) -> None:
    response, agent = await _post(content=content)
    assert response.status == status
    assert response.json["error"] == code
    assert response.json["message"]
    assert agent.messages == []


async def test_message_of_exactly_2000_characters_is_accepted() -> None:
    response, agent = await _post({"message": "订" * 2000})
    assert response.status == 200
    assert len(agent.messages[0].text) == 2000
    assert TRUNCATED_NOTICE not in str(response.json)


@pytest.mark.parametrize("text", ["a" * 2001, "我想问一下" + "订" * 5000])
async def test_a_longer_message_is_cut_and_the_customer_told_politely(text: str) -> None:
    response, agent = await _post({"message": text})
    assert response.status == 200
    assert agent.messages[0].text == text[:MAX_USER_TEXT]
    assert response.json[0] == {"recipient_id": "app:C001", "text": TRUNCATED_NOTICE}
    assert response.json[1]["text"] == "收到：" + text[:MAX_USER_TEXT]


async def test_past_the_admission_bound_the_app_gets_503_with_retry_after() -> None:
    gate = Gate(Limits(max_inflight=1, max_queued=0))
    await gate.acquire()  # the one slot is busy
    response, agent = await _post(channel=_channel(gate=gate))
    assert response.status == 503
    assert response.headers["retry-after"] == "5"
    assert response.json["error"] == "overloaded" and response.json["text"] == BUSY_NOTICE
    assert agent.messages == []
    gate.release()
    response, agent = await _post(channel=_channel(gate=gate))
    assert response.status == 200 and gate.inflight == 0


async def test_failure_while_handling_answers_500() -> None:
    response, agent = await _post(agent=FakeAgent(fail=True))
    assert response.status == 500
    assert response.json["error"] == "internal_error"
    assert len(agent.messages) == 1


@pytest.mark.parametrize(
    "secrets",
    [
        {"jwt_secret": None, "identity_secret": None},
        {"jwt_secret": None},
        {"identity_secret": ""},
        {"jwt_secret": "short"},
        {"identity_secret": "i" * 31},
    ],
)
async def test_unconfigured_channel_refuses_everything_with_503(
    secrets: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="zhike.channels.app.channel"):
        channel = _channel(**secrets)
        response, agent = await _post(channel=channel)
    assert not channel.configured
    assert response.status == 503
    assert response.json["error"] == "not_configured"
    assert agent.messages == []
    assert "app channel not configured" in caplog.text
    assert JWT_SECRET not in caplog.text and IDENTITY_SECRET not in caplog.text

    _, health = await _app(channel, agent).asgi_client.get("/webhooks/app/health")
    assert health.status == 503


async def test_health() -> None:
    _, response = await _app(_channel(), FakeAgent()).asgi_client.get("/webhooks/app/health")
    assert response.status == 200
    assert response.json == {"status": "ok"}


def test_name_and_push_seam() -> None:
    assert AppInput.name() == "app"
    assert _channel().url_prefix() == "app"
    assert _channel().get_output_channel() is None
    assert AppOutputChannel.name() == "app"


def test_from_credentials_reads_the_named_environment_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MY_JWT", JWT_SECRET)
    monkeypatch.setenv("MY_IDENTITY", IDENTITY_SECRET)
    credentials = {"jwt_secret_env": "MY_JWT", "identity_secret_env": "MY_IDENTITY"}
    channel = AppInput.from_credentials(credentials)
    assert isinstance(channel, AppInput) and channel.configured


def test_from_credentials_defaults_and_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZHIKE_APP_JWT_SECRET", raising=False)
    monkeypatch.delenv("ZHIKE_IDENTITY_SECRET", raising=False)
    assert not AppInput.from_credentials(None).configured  # type: ignore[attr-defined]
    values = {"jwt_secret": JWT_SECRET, "identity_secret": IDENTITY_SECRET}
    assert AppInput.from_credentials(values).configured  # type: ignore[attr-defined]
    monkeypatch.setenv("ZHIKE_APP_JWT_SECRET", JWT_SECRET)
    monkeypatch.setenv("ZHIKE_IDENTITY_SECRET", IDENTITY_SECRET)
    assert AppInput.from_credentials({}).configured  # type: ignore[attr-defined]


async def test_audience_from_credentials() -> None:
    values = {
        "jwt_secret": JWT_SECRET,
        "identity_secret": IDENTITY_SECRET,
        "jwt_audience": "zhike",
    }
    channel = AppInput.from_credentials(values)
    channel._clock = lambda: NOW  # type: ignore[attr-defined]
    response, _ = await _post(headers=_auth(_token(aud="zhike")), channel=channel)  # type: ignore[arg-type]
    assert response.status == 200
    response, _ = await _post(headers=_auth(_token(aud="shop")), channel=channel)  # type: ignore[arg-type]
    assert response.status == 401


def test_project_credentials_start_without_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """`make run` must start with no secrets set: the channel exists but refuses (503)."""
    from rasa.core.run import create_http_input_channels

    monkeypatch.delenv("ZHIKE_APP_JWT_SECRET", raising=False)
    monkeypatch.delenv("ZHIKE_IDENTITY_SECRET", raising=False)
    channels = create_http_input_channels(None, str(PROJECT_ROOT / "credentials.yml"))
    [app_channel] = [c for c in channels if isinstance(c, AppInput)]
    assert not app_channel.configured

    monkeypatch.setenv("ZHIKE_APP_JWT_SECRET", JWT_SECRET)
    monkeypatch.setenv("ZHIKE_IDENTITY_SECRET", IDENTITY_SECRET)
    channels = create_http_input_channels(None, str(PROJECT_ROOT / "credentials.yml"))
    [app_channel] = [c for c in channels if isinstance(c, AppInput)]
    assert app_channel.configured
