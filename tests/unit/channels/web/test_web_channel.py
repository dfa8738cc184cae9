"""The web chat channel: the widget's files, and identity from the site's login token only.

Served through a Sanic app wired the way ``rasa run`` wires channels; the socket.io part
through a python-socketio client against a real Sanic server on 127.0.0.1.
"""

from __future__ import annotations

import logging
import re
import uuid
from pathlib import Path
from typing import Any

import jwt
import pytest
from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic

from zhike.channels.web import assets
from zhike.channels.web.channel import WebChatInput
from zhike.lib.identity.assertion import METADATA_KEY, InvalidAssertion, sign, verify

from .web_helpers import Client, serve

LOGIN_SECRET = "web-login-secret-" + "w" * 32
IDENTITY_SECRET = "identity-secret-" + "i" * 32
NOW = 1_718_000_000
PREFIX = "/webhooks/socketio"
PROJECT_ROOT = Path(__file__).resolve().parents[4]


class FakeAgent:
    """Stands in for rasa's Agent: records messages and answers through their channel."""

    def __init__(self) -> None:
        self.messages: list[UserMessage] = []

    async def handle_message(self, message: UserMessage) -> None:
        self.messages.append(message)
        await message.output_channel.send_text_with_buttons(
            message.sender_id, f"收到：{message.text}", [{"title": "好的", "payload": "/affirm"}]
        )


def _channel(**kwargs: Any) -> WebChatInput:
    args: dict[str, Any] = {
        "login_secret": LOGIN_SECRET,
        "identity_secret": IDENTITY_SECRET,
        "clock": lambda: NOW,
    }
    args.update(kwargs)
    return WebChatInput(**args)


def _app(channel: WebChatInput, agent: FakeAgent | None = None) -> Sanic:
    app = Sanic(f"zhike_web_test_{uuid.uuid4().hex}")
    register([channel], app, route="/webhooks/")  # what rasa.core.run.configure_app does
    app.ctx.agent = agent or FakeAgent()
    return app


def _token(key: str = LOGIN_SECRET, algorithm: str = "HS256", **claims: Any) -> str:
    payload = {"sub": "C001", "exp": NOW + 3600, "iat": NOW - 10, **claims}
    return jwt.encode(payload, key, algorithm)


def _message(metadata: Any, sender: str = "web-session-1") -> UserMessage:
    return UserMessage("我的订单列表", None, sender, input_channel="socketio", metadata=metadata)


def _verified(message: UserMessage, sender: str = "web-session-1") -> str | None:
    return verify(message.metadata, IDENTITY_SECRET, sender, NOW, channel="socketio").customer_id


# --- the widget's files ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "content_type", "marker"),
    [
        ("/chat", "text/html; charset=utf-8", "智客在线客服"),
        ("/widget.js", "application/javascript; charset=utf-8", "window.ZhikeChat"),
        ("/widget.css", "text/css; charset=utf-8", ".launcher"),
    ],
)
async def test_the_widget_files_are_served_with_their_content_types(
    path: str, content_type: str, marker: str
) -> None:
    _, response = await _app(_channel()).asgi_client.get(PREFIX + path)
    assert response.status == 200
    assert response.headers["content-type"] == content_type
    assert response.headers["x-content-type-options"] == "nosniff"
    assert marker in response.body.decode("utf-8")


async def test_the_page_loads_the_widget_script_under_a_strict_policy() -> None:
    _, response = await _app(_channel()).asgi_client.get(PREFIX + "/chat")
    assert 'src="widget.js"' in response.text
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy


async def test_widget_js_bundles_the_socket_io_client_and_the_servers_settings() -> None:
    channel = _channel(socketio_path="/chat-io", bot_message_evt="bot_says")
    _, response = await _app(channel).asgi_client.get(PREFIX + "/widget.js")
    body = response.text
    assert "Socket.IO v4." in body and "var io = module.exports;" in body
    assert '"socketPath": "/chat-io"' in body and '"botEvent": "bot_says"' in body
    assert '"metadataKey": "customData"' in body
    assert "sourceMappingURL" not in body  # no request for a map we do not ship
    assert body.index("var zhikeUi") < body.index("window.ZhikeChat = {")
    assert body.rstrip().endswith("})();")


def test_the_files_are_read_when_requested_from_the_package() -> None:
    assert assets.STATIC_DIR == PROJECT_ROOT / "zhike" / "channels" / "web" / "static"
    assert (assets.STATIC_DIR / "vendor" / "socket.io-client.LICENSE").is_file()
    assert assets.page().body.startswith(b"<!doctype html>")


@pytest.mark.parametrize("name", ["widget.js", "widget-ui.js", "widget-store.js"])
def test_the_widget_never_puts_text_into_html(name: str) -> None:
    code = (assets.STATIC_DIR / name).read_text("utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in code
    if name != "widget-store.js":  # the store renders nothing
        assert "textContent" in code


def test_static_files_are_package_data() -> None:
    pyproject = (PROJECT_ROOT / "pyproject.toml").read_text("utf-8")
    assert re.search(r'"zhike\.channels\.web"\s*=\s*\[[^\]]*"static/\*"', pyproject)
    assert re.search(r'"zhike\.channels\.web"\s*=\s*\[[^\]]*"static/vendor/\*"', pyproject)


def test_make_run_prints_the_widget_urls() -> None:
    from zhike.tools.run import banner
    from zhike.tools.stack import StackConfig

    text = banner(StackConfig(model=Path("model.tar.gz"), rasa_port=5005))
    assert "http://127.0.0.1:5005/webhooks/socketio/chat" in text
    assert "http://127.0.0.1:5005/webhooks/socketio/widget.js" in text


async def test_health_says_whether_login_is_configured() -> None:
    _, response = await _app(_channel()).asgi_client.get(PREFIX + "/health")
    assert response.json == {"status": "ok", "login": "configured"}
    _, response = await _app(_channel(login_secret=None)).asgi_client.get(PREFIX + "/health")
    assert response.json == {"status": "ok", "login": "not_configured"}
    _, response = await _app(_channel()).asgi_client.get(PREFIX + "/")
    assert response.json == {"status": "ok"}  # Rasa's own health route is kept


# --- identity -------------------------------------------------------------------------


def test_a_valid_login_token_binds_the_message_to_its_customer() -> None:
    message = _channel().bind_identity(_message({"login_token": _token(sub="c002")}))
    assert _verified(message) == "C002"
    assert "login_token" not in message.metadata  # a bearer token is never stored


def test_the_assertion_is_for_this_conversation_only() -> None:
    message = _channel().bind_identity(_message({"login_token": _token()}))
    with pytest.raises(InvalidAssertion) as caught:
        _verified(message, sender="another-session")
    assert caught.value.reason == "wrong_sender"


def test_a_forged_identity_from_the_client_is_dropped(caplog: pytest.LogCaptureFixture) -> None:
    forged = sign("C001", "socketio", "web-session-1", NOW, IDENTITY_SECRET)  # even valid
    with caplog.at_level(logging.WARNING):
        message = _channel().bind_identity(_message({METADATA_KEY: forged, "page": "/cart"}))
    assert message.metadata == {"page": "/cart"}
    assert "dropped an identity assertion" in caplog.text


def test_a_forged_identity_next_to_a_valid_token_gives_the_tokens_customer() -> None:
    forged = sign("C001", "socketio", "web-session-1", NOW, IDENTITY_SECRET)
    metadata = {METADATA_KEY: forged, "login_token": _token(sub="C002")}
    assert _verified(_channel().bind_identity(_message(metadata))) == "C002"


@pytest.mark.parametrize(
    ("token", "code"),
    [
        (_token(exp=NOW - 60), "token_expired"),
        (_token(key="another-secret-" + "x" * 32), "invalid_token"),
        (_token(algorithm="HS512", key=LOGIN_SECRET + "x" * 32), "invalid_token"),
        (_token(sub="13800138001"), "invalid_token"),
        ("not-a-jwt", "invalid_token"),
        (12345, "not a string"),
    ],
)
def test_a_bad_login_token_leaves_the_message_anonymous(
    token: Any, code: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        message = _channel().bind_identity(_message({"login_token": token}))
    assert message.metadata == {}
    assert message.text == "我的订单列表"  # still handled
    assert f"login token refused ({code})" in caplog.text
    assert "13800138001" not in caplog.text and "C001" not in caplog.text


def test_without_secrets_every_token_is_anonymous(caplog: pytest.LogCaptureFixture) -> None:
    channel = _channel(identity_secret="too-short")
    with caplog.at_level(logging.WARNING):
        message = channel.bind_identity(_message({"login_token": _token()}))
        channel.bind_identity(_message({"login_token": _token()}))
    assert message.metadata == {}
    assert caplog.text.count("login is not configured") == 1  # warned once, not per message


def test_metadata_that_is_not_an_object_is_dropped() -> None:
    assert _channel().bind_identity(_message(["login_token"])).metadata == {}
    assert _channel().bind_identity(_message(None)).metadata == {}


def test_credentials_name_the_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_WEB_SECRET", LOGIN_SECRET)
    monkeypatch.setenv("ZHIKE_IDENTITY_SECRET", IDENTITY_SECRET)
    channel = WebChatInput.from_credentials(
        {"login_secret_env": "MY_WEB_SECRET", "user_message_evt": "user_uttered"}
    )
    assert isinstance(channel, WebChatInput) and channel.login_configured
    assert channel.name() == "socketio" and channel.metadata_key == "customData"
    assert channel.session_persistence
    monkeypatch.delenv("MY_WEB_SECRET")
    assert not WebChatInput.from_credentials({"login_secret_env": "MY_WEB_SECRET"}).login_configured


def test_project_credentials_start_the_widget_channel(monkeypatch: pytest.MonkeyPatch) -> None:
    """`make run` starts it with no secrets (anonymous chats); with them, logins work."""
    from rasa.core.run import create_http_input_channels

    credentials = str(PROJECT_ROOT / "credentials.yml")
    monkeypatch.delenv("ZHIKE_WEB_LOGIN_SECRET", raising=False)
    channels = create_http_input_channels(None, credentials)
    [web] = [c for c in channels if c.name() == "socketio"]  # the plain one is replaced
    assert isinstance(web, WebChatInput) and not web.login_configured
    assert web.session_persistence and web.metadata_key == "customData"

    monkeypatch.setenv("ZHIKE_WEB_LOGIN_SECRET", LOGIN_SECRET)
    monkeypatch.setenv("ZHIKE_IDENTITY_SECRET", IDENTITY_SECRET)
    [web] = [c for c in create_http_input_channels(None, credentials) if c.name() == "socketio"]
    assert isinstance(web, WebChatInput) and web.login_configured


# --- through socket.io, against a real server ----------------------------------------


async def test_over_socket_io_a_token_binds_and_a_forgery_is_dropped() -> None:
    channel = _channel()
    forged = sign("C001", "socketio", "x", NOW, IDENTITY_SECRET)
    token = _token(sub="C002")
    async with serve(channel) as (url, agent):
        async with Client(url, channel) as client:
            session_id = await client.session(login_token=token)
            await client.say("我的订单列表", login_token=token)
        async with Client(url, channel) as other:
            other_session = await other.session()
            await other.say("我的订单列表", metadata={METADATA_KEY: forged})

    assert [{k: v for k, v in r.items() if not k.startswith("zhike_")} for r in client.replies] == [
        {
            "text": "收到：我的订单列表",
            "quick_replies": [{"content_type": "text", "title": "好的", "payload": "/affirm"}],
        }
    ]
    bound, anonymous = agent.messages
    assert bound.sender_id == session_id and bound.input_channel == "socketio"
    assert _verified(bound, sender=session_id) == "C002"
    assert anonymous.sender_id == other_session != session_id
    assert anonymous.metadata == {}


async def test_a_reconnecting_widget_continues_its_session_with_its_token() -> None:
    channel = _channel()
    async with serve(channel) as (url, agent):
        async with Client(url, channel) as client:
            session_id = await client.session()
            token = client.token
            await client.say("你好")
        async with Client(url, channel) as again:
            assert await again.session(session_id, token) == session_id
            await again.say("在吗")
        async with Client(url, channel) as junk:
            new = await junk.session("../../etc<script>", token)
    assert again.replies[0]["text"] == "收到：在吗"
    assert [m.sender_id for m in agent.messages] == [session_id, session_id]
    assert new != "../../etc<script>" and len(new) == 32  # a new session instead
