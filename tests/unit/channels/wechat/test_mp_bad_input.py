"""The 公众号 channel refuses bad input, keeps personal data out of logs, starts unconfigured."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from tests.unit.channels.wechat.conftest import FakeAgent
from tests.unit.channels.wechat.helpers import (
    AES_KEY,
    APPID,
    IDENTITY_SECRET,
    NOW,
    OPENID,
    TOKEN,
    make_app,
    message_xml,
    plain_args,
    url,
)
from tests.unit.channels.wechat.test_mp_channel import WEBHOOK, channel, post
from zhike.channels.wechat.mp import WeChatInput

PROJECT_ROOT = Path(__file__).resolve().parents[4]

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&lol3;</Content><MsgId>1</MsgId></xml>"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>1</MsgId></xml>"""
EXTERNAL_DTD = '<!DOCTYPE xml SYSTEM "http://127.0.0.1:9/evil.dtd">' + message_xml(Content="hi")


@pytest.mark.parametrize(
    ("body", "args", "status"),
    [
        (message_xml(Content="你好"), {**plain_args(), "signature": "a" * 40}, 403),
        (message_xml(Content="你好"), plain_args(token="guessed"), 403),
        (message_xml(Content="你好"), {}, 403),
        (message_xml(Content="你好"), plain_args(timestamp=NOW - 600), 403),
        (message_xml(Content="你好"), plain_args(timestamp=NOW + 600), 403),
        (BILLION_LAUGHS, plain_args(), 400),
        (XXE, plain_args(), 400),
        (EXTERNAL_DTD, plain_args(), 400),
        ("<xml><ToUserName>", plain_args(), 400),
        ("not xml at all", plain_args(), 400),
        ("", plain_args(), 400),
        (b"\xff\xfe\x00\x01", plain_args(), 400),
        (message_xml(Content="你好", user=""), plain_args(), 400),
        ("<xml></xml>", plain_args(), 400),
        ("x" * (64 * 1024 + 1), plain_args(), 413),
        ("x" * (64 * 1024 + 1), {}, 413),
        (message_xml(Content="长" * 30_000), plain_args(), 413),
    ],
    ids=[
        "forged-signature",
        "wrong-token",
        "no-signature",
        "stale-timestamp",
        "future-timestamp",
        "billion-laughs",
        "xxe",
        "external-dtd",
        "truncated",
        "not-xml",
        "empty",
        "not-utf8",
        "no-sender",
        "empty-document",
        "oversize",
        "oversize-unsigned",
        "oversize-xml",
    ],
)
async def test_bad_input_is_refused_and_nothing_is_processed(
    body: str | bytes, args: dict[str, str], status: int
) -> None:
    agent = FakeAgent()
    response = await post(channel(), agent, body, args)
    assert response.status == status
    assert agent.messages == []
    assert "root:" not in response.text  # nothing of /etc/passwd


async def test_a_body_of_exactly_64_kib_is_parsed() -> None:
    xml = message_xml(Content="好")
    padded = xml.replace("<xml>", "<xml>" + " " * (64 * 1024 - len(xml.encode())), 1)
    assert len(padded.encode()) == 64 * 1024
    response = await post(channel(), FakeAgent(), padded)
    assert response.status == 200


async def test_personal_data_stays_out_of_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    ch = channel(reply_budget=0.05)
    with caplog.at_level(logging.DEBUG):
        await post(ch, FakeAgent(), message_xml(Content="我的手机号13800138001"))
        await post(ch, FakeAgent(delay=0.2), message_xml(Content="地址是北京市朝阳区", msg_id="2"))
        await post(ch, FakeAgent(), message_xml(Content="我的手机号13800138001"))  # a retry
        await post(ch, FakeAgent(), message_xml("image", PicUrl="http://x/p.jpg", msg_id="3"))
        await post(ch, FakeAgent(fail=True), message_xml(Content="身份证", msg_id="4"))
        await ch.drain()  # the slow one: no API server, so its delivery fails and is logged
    assert OPENID not in caplog.text
    assert "oyOR***" in caplog.text
    for secret in ("13800138001", "北京市朝阳区", "身份证", TOKEN, IDENTITY_SECRET, "app-secret"):
        assert secret not in caplog.text


@pytest.mark.parametrize(
    "settings",
    [
        {"token": None},
        {"appid": ""},
        {"identity_secret": None},
        {"identity_secret": "short"},
        {"encoding_aes_key": None, "mode": "safe"},
        {"encoding_aes_key": "too-short"},
        {"mode": "weird"},
    ],
)
async def test_unconfigured_channel_answers_503(
    settings: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        ch = channel(**settings)
        app = make_app(ch, agent := FakeAgent())
        _, health = await app.asgi_client.get("/webhooks/wechat/health")
        _, verification = await app.asgi_client.get(url(WEBHOOK, {**plain_args(), "echostr": "e"}))
        _, message = await app.asgi_client.post(
            url(WEBHOOK, plain_args()), content=message_xml(Content="你好").encode()
        )
    assert not ch.configured
    assert ch.get_output_channel() is None
    assert [health.status, verification.status, message.status] == [503, 503, 503]
    assert agent.messages == []
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "wechat channel not configured" in warnings[0].getMessage()
    assert TOKEN not in caplog.text and IDENTITY_SECRET not in caplog.text


def test_plaintext_mode_needs_no_aes_key() -> None:
    assert channel(encoding_aes_key=None, mode=None).configured
    assert channel(encoding_aes_key=None, mode="plaintext").configured


async def test_plaintext_mode_refuses_encrypted_callbacks_it_cannot_read() -> None:
    args = {**plain_args(), "encrypt_type": "aes", "msg_signature": "a" * 40}
    ch = channel(encoding_aes_key=None, mode="plaintext")
    response = await post(ch, FakeAgent(), "<xml/>", args)
    assert response.status == 400


def _env(monkeypatch: pytest.MonkeyPatch, **values: str | None) -> None:
    for name, value in values.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)


def test_from_credentials_reads_the_named_environment_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _env(monkeypatch, MY_TOKEN=TOKEN, MY_APPID=APPID, MY_ID=IDENTITY_SECRET, MY_KEY=AES_KEY)
    credentials = {
        "token_env": "MY_TOKEN",
        "appid_env": "MY_APPID",
        "identity_secret_env": "MY_ID",
        "encoding_aes_key_env": "MY_KEY",
        "reply_budget": 3.5,
        "menu": {"ORDER_STATUS": "/query_order"},
    }
    ch = WeChatInput.from_credentials(credentials)
    assert isinstance(ch, WeChatInput) and ch.configured
    assert ch._budget == 3.5 and ch._mode == "safe"
    assert ch.get_output_channel() is None  # no AppSecret


def test_project_credentials_start_without_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """`make run` must start with no WeChat settings: the channel exists but answers 503."""
    from rasa.core.run import create_http_input_channels

    names = ["TOKEN", "APPID", "APPSECRET", "ENCODING_AES_KEY", "API_BASE_URL", "MODE"]
    _env(monkeypatch, ZHIKE_IDENTITY_SECRET=None, **{f"ZHIKE_WECHAT_{n}": None for n in names})
    channels = create_http_input_channels(None, str(PROJECT_ROOT / "credentials.yml"))
    [wechat] = [c for c in channels if isinstance(c, WeChatInput)]
    assert not wechat.configured

    _env(
        monkeypatch,
        ZHIKE_IDENTITY_SECRET=IDENTITY_SECRET,
        ZHIKE_WECHAT_TOKEN=TOKEN,
        ZHIKE_WECHAT_APPID=APPID,
        ZHIKE_WECHAT_APPSECRET="app-secret",
        ZHIKE_WECHAT_ENCODING_AES_KEY=AES_KEY,
        ZHIKE_WECHAT_API_BASE_URL="http://127.0.0.1:9",
    )
    channels = create_http_input_channels(None, str(PROJECT_ROOT / "credentials.yml"))
    [wechat] = [c for c in channels if isinstance(c, WeChatInput)]
    assert wechat.configured
    output = wechat.get_output_channel()
    assert output is not None and output._api.base_url == "http://127.0.0.1:9"  # type: ignore[attr-defined]
