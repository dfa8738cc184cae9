"""The WeCom channel through a real Sanic app, including Tencent's published sample vectors."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from tests.unit.channels.wechat.conftest import FakeAgent
from tests.unit.channels.wechat.fake_wechat_api import FakeWeChatApi
from tests.unit.channels.wechat.helpers import (
    AES_KEY,
    AGENTID,
    CORPID,
    IDENTITY_SECRET,
    NOW,
    TOKEN,
    USERID,
    decrypt_reply,
    encrypted_body,
    fresh_nonce,
    make_app,
    message_xml,
    url,
)
from tests.unit.channels.wechat.test_crypto import (
    WECOM_AES_KEY,
    WECOM_CORPID,
    WECOM_MSG_ENCRYPT,
    WECOM_MSG_NONCE,
    WECOM_MSG_SIG,
    WECOM_MSG_TS,
    WECOM_TOKEN,
    WECOM_VERIFY_ECHOSTR,
    WECOM_VERIFY_NONCE,
    WECOM_VERIFY_SIG,
    WECOM_VERIFY_TS,
)
from tests.unit.channels.wechat.test_mp_bad_input import BILLION_LAUGHS, XXE
from zhike.channels.wechat.crypto import MessageCrypt
from zhike.channels.wechat.policy import UNSUPPORTED_TEXT
from zhike.channels.wechat.wecom import WeComCollector, WeComInput, WeComOutput
from zhike.lib.identity.assertion import verify

WEBHOOK = "/webhooks/wecom/webhook"
PROJECT_ROOT = Path(__file__).resolve().parents[4]
CRYPT = MessageCrypt(TOKEN, AES_KEY, CORPID)


def channel(base_url: str = "http://127.0.0.1:9", **kwargs: Any) -> WeComInput:
    args: dict[str, Any] = {
        "token": TOKEN,
        "encoding_aes_key": AES_KEY,
        "corpid": CORPID,
        "corpsecret": "corp-secret",
        "agentid": AGENTID,
        "identity_secret": IDENTITY_SECRET,
        "api_base_url": base_url,
        "reply_budget": 2.0,
        "menu": {"ORDERS": "/list_orders"},
        "clock": lambda: NOW,
    }
    args.update(kwargs)
    return WeComInput(**args)


def inner(msg_type: str = "text", **fields: Any) -> str:
    fields.setdefault("AgentID", AGENTID)
    return message_xml(msg_type, user=USERID, to=CORPID, **fields)


async def post(
    ch: WeComInput,
    agent: FakeAgent,
    xml: str,
    timestamp: int = NOW,
    crypt: MessageCrypt = CRYPT,
    nonce: str | None = None,
) -> Any:
    nonce = nonce or fresh_nonce()
    body, msg_signature = encrypted_body(xml, crypt, CORPID, timestamp=timestamp, nonce=nonce)
    args = {"msg_signature": msg_signature, "timestamp": str(timestamp), "nonce": nonce}
    _, response = await make_app(ch, agent).asgi_client.post(url(WEBHOOK, args), content=body)
    return response


async def test_official_url_verification_vector() -> None:
    ch = channel(
        token=WECOM_TOKEN,
        encoding_aes_key=WECOM_AES_KEY,
        corpid=WECOM_CORPID,
        clock=lambda: int(WECOM_VERIFY_TS),
    )
    args = {
        "msg_signature": WECOM_VERIFY_SIG,
        "timestamp": WECOM_VERIFY_TS,
        "nonce": WECOM_VERIFY_NONCE,
        "echostr": WECOM_VERIFY_ECHOSTR,
    }
    app = make_app(ch, FakeAgent())
    _, response = await app.asgi_client.get(url(WEBHOOK, args))
    assert response.status == 200 and response.text == "1616140317555161061"
    # the same, with the "+" of the echostr left unescaped in the URL
    raw = f"{WEBHOOK}?msg_signature={WECOM_VERIFY_SIG}&timestamp={WECOM_VERIFY_TS}"
    raw += f"&nonce={WECOM_VERIFY_NONCE}&echostr={WECOM_VERIFY_ECHOSTR.replace('=', '%3D')}"
    _, response = await app.asgi_client.get(raw)
    assert response.text == "1616140317555161061"

    _, forged = await app.asgi_client.get(url(WEBHOOK, {**args, "msg_signature": "0" * 40}))
    assert forged.status == 403 and "1616140317555161061" not in forged.text
    stale = channel(token=WECOM_TOKEN, encoding_aes_key=WECOM_AES_KEY, corpid=WECOM_CORPID)
    _, response = await make_app(stale, FakeAgent()).asgi_client.get(url(WEBHOOK, args))
    assert response.status == 403  # 2014 is long ago


async def test_official_message_vector_reaches_the_bot() -> None:
    ch = channel(
        token=WECOM_TOKEN,
        encoding_aes_key=WECOM_AES_KEY,
        corpid=WECOM_CORPID,
        agentid=218,
        clock=lambda: int(WECOM_MSG_TS),
    )
    body = f"<xml><ToUserName><![CDATA[{WECOM_CORPID}]]></ToUserName><Encrypt><![CDATA["
    body += f"{WECOM_MSG_ENCRYPT}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>"
    args = {"msg_signature": WECOM_MSG_SIG, "timestamp": WECOM_MSG_TS, "nonce": WECOM_MSG_NONCE}
    agent = FakeAgent()
    _, response = await make_app(ch, agent).asgi_client.post(url(WEBHOOK, args), content=body)
    assert response.status == 200
    crypt = MessageCrypt(WECOM_TOKEN, WECOM_AES_KEY, WECOM_CORPID)
    reply = decrypt_reply(response.text, crypt)
    assert reply["Content"] == "收到：hello"
    assert reply["ToUserName"] == "mycreate" and reply["FromUserName"] == WECOM_CORPID
    [message] = agent.messages
    assert (message.text, message.sender_id, message.input_channel) == (
        "hello",
        "wecom:mycreate",
        "wecom",
    )
    assert isinstance(message.output_channel, WeComCollector)
    vouched = verify(
        message.metadata, IDENTITY_SECRET, "wecom:mycreate", int(WECOM_MSG_TS), channel="wecom"
    )
    assert vouched.customer_id is None


async def test_text_events_and_unsupported_types() -> None:
    ch, agent = channel(), FakeAgent(texts=["您好"])
    reply = decrypt_reply((await post(ch, agent, inner(Content="查订单"))).text, CRYPT)
    assert reply["Content"] == "您好" and reply["ToUserName"] == USERID
    click = inner("event", msg_id=None, Event="click", EventKey="ORDERS")
    await post(ch, agent, click)
    enter = inner("event", msg_id=None, create_time=NOW + 1, Event="enter_agent")
    assert (await post(ch, agent, enter)).text == "success"
    image = decrypt_reply((await post(ch, agent, inner("image", msg_id="9"))).text, CRYPT)
    assert image["Content"] == UNSUPPORTED_TEXT
    assert agent.texts_received == ["查订单", "/list_orders"]


async def test_retry_is_not_processed_and_the_slow_answer_uses_the_api(
    fake_api: FakeWeChatApi,
) -> None:
    ch, agent = channel(fake_api.base_url, reply_budget=0.1), FakeAgent(delay=0.4)
    first = await post(ch, agent, inner(Content="退款进度"))
    retry = await post(ch, agent, inner(Content="退款进度"))
    assert first.text == retry.text == "success"
    await ch.drain()
    assert len(agent.messages) == 1
    [sent] = fake_api.sent
    assert sent == {
        "path": "/cgi-bin/message/send",
        "touser": USERID,
        "agentid": AGENTID,
        "msgtype": "text",
        "text": {"content": "收到：退款进度"},
    }
    assert fake_api.token_calls[0]["corpid"] == CORPID


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("forged", 403),
        ("stale", 403),
        ("other-corp", 403),
        ("other-agent", 403),
        ("xxe", 400),
        ("billion-laughs", 400),
        ("malformed", 400),
        ("oversize", 413),
        ("no-sender", 400),
    ],
)
async def test_bad_input(case: str, status: int) -> None:
    agent, ch = FakeAgent(), channel()
    args = {"msg_signature": "0" * 40, "timestamp": str(NOW), "nonce": "n"}
    body: str | None = None
    if case == "forged":
        body, _ = encrypted_body(inner(Content="hi"), CRYPT, CORPID)
    elif case == "stale":
        response = await post(ch, agent, inner(Content="hi"), timestamp=NOW - 301)
    elif case == "other-corp":
        other = MessageCrypt(TOKEN, AES_KEY, "ww_other_corp")
        response = await post(ch, agent, inner(Content="hi"), crypt=other)
    elif case == "other-agent":
        response = await post(ch, agent, inner(Content="hi", AgentID=AGENTID + 1))
    elif case == "no-sender":
        response = await post(ch, agent, message_xml(user="", to=CORPID, Content="hi"))
    else:
        body = {
            "xxe": XXE,
            "billion-laughs": BILLION_LAUGHS,
            "malformed": "<xml><Encrypt>",
            "oversize": "x" * (64 * 1024 + 1),
        }[case]
    if body is not None:
        app = make_app(ch, agent)
        _, response = await app.asgi_client.post(url(WEBHOOK, args), content=body.encode())
    assert response.status == status
    assert agent.messages == []


async def test_unconfigured_answers_503_and_project_credentials_start(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from rasa.core.run import create_http_input_channels

    for name in ("TOKEN", "ENCODING_AES_KEY", "CORPID", "SECRET", "AGENTID", "API_BASE_URL"):
        monkeypatch.delenv(f"ZHIKE_WECOM_{name}", raising=False)
    monkeypatch.delenv("ZHIKE_IDENTITY_SECRET", raising=False)
    with caplog.at_level(logging.WARNING):
        channels = create_http_input_channels(None, str(PROJECT_ROOT / "credentials.yml"))
    [wecom] = [c for c in channels if isinstance(c, WeComInput)]
    assert not wecom.configured and "wecom channel not configured" in caplog.text
    app = make_app(wecom, FakeAgent())
    _, health = await app.asgi_client.get("/webhooks/wecom/health")
    _, message = await app.asgi_client.post(WEBHOOK, content=b"<xml/>")
    assert health.status == message.status == 503

    env = {"TOKEN": TOKEN, "ENCODING_AES_KEY": AES_KEY, "CORPID": CORPID, "SECRET": "s"}
    for name, value in {**env, "AGENTID": str(AGENTID)}.items():
        monkeypatch.setenv(f"ZHIKE_WECOM_{name}", value)
    monkeypatch.setenv("ZHIKE_IDENTITY_SECRET", IDENTITY_SECRET)
    channels = create_http_input_channels(None, str(PROJECT_ROOT / "credentials.yml"))
    [wecom] = [c for c in channels if isinstance(c, WeComInput)]
    assert wecom.configured and isinstance(wecom.get_output_channel(), WeComOutput)


def test_bad_agentid_is_a_configuration_problem() -> None:
    assert not channel(agentid="abc").configured
    assert channel(corpsecret=None).get_output_channel() is None
