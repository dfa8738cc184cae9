"""The 公众号 channel through a real Sanic app: verification, messages, events, delivery."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.unit.channels.wechat.conftest import FakeAgent
from tests.unit.channels.wechat.fake_wechat_api import FakeWeChatApi
from tests.unit.channels.wechat.helpers import (
    ACCOUNT,
    AES_KEY,
    APPID,
    IDENTITY_SECRET,
    NOW,
    OPENID,
    TOKEN,
    decrypt_reply,
    encrypted_body,
    fresh_nonce,
    make_app,
    message_xml,
    plain_args,
    url,
)
from zhike.channels.limits import MAX_USER_TEXT, TRUNCATED_NOTICE
from zhike.channels.wechat.crypto import MessageCrypt
from zhike.channels.wechat.mp import WeChatCollector, WeChatInput
from zhike.channels.wechat.policy import (
    DEFAULT_WELCOME_HINT,
    EMPTY_TEXT,
    FAILURE_TEXT,
    UNKNOWN_MENU_TEXT,
    UNSUPPORTED_TEXT,
)
from zhike.channels.wechat.turns import render
from zhike.channels.wechat.xmlcodec import parse_message
from zhike.lib.identity.assertion import METADATA_KEY, verify

WEBHOOK = "/webhooks/wechat/webhook"
MENU = {"ORDER_STATUS": "/query_order", "HUMAN": "/human_handoff"}


def channel(base_url: str = "http://127.0.0.1:9", **kwargs: Any) -> WeChatInput:
    args: dict[str, Any] = {
        "token": TOKEN,
        "appid": APPID,
        "appsecret": "app-secret",
        "encoding_aes_key": AES_KEY,
        "identity_secret": IDENTITY_SECRET,
        "mode": "compatible",
        "api_base_url": base_url,
        "reply_budget": 2.0,
        "menu": MENU,
        "clock": lambda: NOW,
    }
    args.update(kwargs)
    return WeChatInput(**args)


async def post(
    ch: WeChatInput, agent: FakeAgent, body: str | bytes, args: dict[str, str] | None = None
) -> Any:
    app = make_app(ch, agent)
    content = body.encode() if isinstance(body, str) else body
    query = plain_args(nonce=fresh_nonce()) if args is None else args
    _, response = await app.asgi_client.post(url(WEBHOOK, query), content=content)
    return response


def reply_content(response: Any) -> str:
    assert response.status == 200
    fields = parse_message(response.body)
    assert fields["ToUserName"] == OPENID and fields["FromUserName"] == ACCOUNT
    assert fields["MsgType"] == "text"
    return fields["Content"]


# --- URL verification -----------------------------------------------------------------------


async def test_url_verification_echoes_echostr() -> None:
    app = make_app(channel(), FakeAgent())
    _, response = await app.asgi_client.get(url(WEBHOOK, {**plain_args(), "echostr": "e12345"}))
    assert response.status == 200
    assert response.text == "e12345"


@pytest.mark.parametrize(
    "args",
    [
        {**plain_args(), "signature": "0" * 40},
        {**plain_args(token="another-token")},
        {k: v for k, v in plain_args().items() if k != "signature"},
        {},
        plain_args(timestamp=NOW - 301),
        plain_args(timestamp=NOW + 301),
        {**plain_args(), "timestamp": "yesterday"},
    ],
    ids=["zeros", "other-token", "no-signature", "nothing", "stale", "future", "not-a-number"],
)
async def test_url_verification_refuses_forgeries(args: dict[str, str]) -> None:
    app = make_app(channel(), FakeAgent())
    _, response = await app.asgi_client.get(url(WEBHOOK, {**args, "echostr": "e12345"}))
    assert response.status == 403
    assert "e12345" not in response.text


# --- text messages ----------------------------------------------------------------------------


async def test_plaintext_message_is_answered_in_the_response() -> None:
    agent = FakeAgent()
    response = await post(channel(), agent, message_xml(Content="  查一下我的订单  "))
    assert reply_content(response) == "收到：查一下我的订单"
    [message] = agent.messages
    assert message.sender_id == f"wechat:{OPENID}"
    assert message.input_channel == "wechat"
    assert isinstance(message.output_channel, WeChatCollector)
    verified = verify(message.metadata, IDENTITY_SECRET, f"wechat:{OPENID}", NOW, channel="wechat")
    assert verified.customer_id is None and verified.issued_at == NOW
    assert set(message.metadata) == {METADATA_KEY}


async def test_aes_message_gets_an_encrypted_reply() -> None:
    crypt = MessageCrypt(TOKEN, AES_KEY, APPID)
    body, msg_signature = encrypted_body(message_xml(Content="退款多久到账"), crypt, ACCOUNT)
    args = {**plain_args(), "encrypt_type": "aes", "msg_signature": msg_signature}
    agent = FakeAgent()
    response = await post(channel(mode="safe"), agent, body, args)
    assert response.status == 200
    fields = decrypt_reply(response.text, crypt)
    assert fields["Content"] == "收到：退款多久到账"
    assert fields["ToUserName"] == OPENID and fields["FromUserName"] == ACCOUNT
    assert agent.texts_received == ["退款多久到账"]


async def test_compatible_mode_uses_only_the_encrypted_part() -> None:
    crypt = MessageCrypt(TOKEN, AES_KEY, APPID)
    encrypted = crypt.encrypt(message_xml(Content="真的内容"))
    body = message_xml(Content="伪造的明文", Encrypt=encrypted)
    msg_signature = crypt.signature(str(NOW), "nonce1", encrypted)
    args = {**plain_args(), "encrypt_type": "aes", "msg_signature": msg_signature}
    agent = FakeAgent()
    response = await post(channel(), agent, body, args)
    assert decrypt_reply(response.text, crypt)["Content"] == "收到：真的内容"


async def test_safe_mode_refuses_plaintext_callbacks() -> None:
    agent = FakeAgent()
    response = await post(channel(mode="safe"), agent, message_xml(Content="你好"))
    assert response.status == 403
    assert agent.messages == []


@pytest.mark.parametrize(
    ("change", "status"),
    [("msg_signature", 403), ("appid", 403), ("garbage", 400), ("no_encrypt", 400)],
)
async def test_bad_encrypted_callbacks(change: str, status: int) -> None:
    crypt = MessageCrypt(TOKEN, AES_KEY, "wx_another_app" if change == "appid" else APPID)
    body, msg_signature = encrypted_body(message_xml(Content="你好"), crypt, ACCOUNT)
    if change == "msg_signature":
        msg_signature = "f" * 40
    if change == "garbage":
        body = "<xml><Encrypt><![CDATA[bm90IGEgY2lwaGVydGV4dA==]]></Encrypt></xml>"
        msg_signature = crypt.signature(str(NOW), "nonce1", "bm90IGEgY2lwaGVydGV4dA==")
    if change == "no_encrypt":
        body = message_xml(Content="你好")
    args = {**plain_args(), "encrypt_type": "aes", "msg_signature": msg_signature}
    agent = FakeAgent()
    response = await post(channel(), agent, body, args)
    assert response.status == status
    assert agent.messages == []


async def test_empty_text_is_answered_politely() -> None:
    agent = FakeAgent()
    assert reply_content(await post(channel(), agent, message_xml(Content="  "))) == EMPTY_TEXT
    assert agent.messages == []


async def test_a_very_long_text_is_cut_and_the_customer_told() -> None:
    agent = FakeAgent(texts=["好的，我看一下。"])
    long = message_xml(Content="长" * MAX_USER_TEXT + "尾巴" * 5000, msg_id="2")
    content = reply_content(await post(channel(), agent, long))
    assert agent.texts_received == ["长" * MAX_USER_TEXT]
    assert content == f"好的，我看一下。\n\n{TRUNCATED_NOTICE}"
    exact = message_xml(Content="短" * MAX_USER_TEXT, msg_id="3")
    assert TRUNCATED_NOTICE not in reply_content(await post(channel(), agent, exact))
    assert agent.texts_received[-1] == "短" * MAX_USER_TEXT


async def test_bot_failure_gets_an_apology() -> None:
    response = await post(channel(), FakeAgent(fail=True), message_xml(Content="你好"))
    assert reply_content(response) == FAILURE_TEXT


async def test_bot_saying_nothing_answers_success() -> None:
    response = await post(channel(), FakeAgent(texts=[]), message_xml(Content="嗯"))
    assert response.text == "success"


# --- events and other message types ------------------------------------------------------------


async def test_subscribe_greets_through_the_bot_and_adds_the_menu_hint() -> None:
    agent = FakeAgent(texts=["您好，我是智客客服。"])
    xml = message_xml("event", msg_id=None, Event="subscribe", EventKey="")
    content = reply_content(await post(channel(), agent, xml))
    assert content == f"您好，我是智客客服。\n\n{DEFAULT_WELCOME_HINT}"
    assert agent.texts_received == ["/greet"]


async def test_unsubscribe_and_view_are_acknowledged_only() -> None:
    agent = FakeAgent()
    for event in ("unsubscribe", "VIEW", "LOCATION", "TEMPLATESENDJOBFINISH"):
        xml = message_xml("event", msg_id=None, Event=event, EventKey="https://x")
        response = await post(channel(), agent, xml)
        assert response.status == 200 and response.text == "success"
    assert agent.messages == []


async def test_menu_clicks_are_mapped_to_intents() -> None:
    agent = FakeAgent(texts=["请提供订单号。"])
    xml = message_xml("event", msg_id=None, Event="CLICK", EventKey="ORDER_STATUS")
    assert reply_content(await post(channel(), agent, xml)) == "请提供订单号。"
    assert agent.texts_received == ["/query_order"]
    unknown = message_xml("event", msg_id=None, create_time=NOW + 1, Event="CLICK", EventKey="X")
    assert reply_content(await post(channel(), agent, unknown)) == UNKNOWN_MENU_TEXT
    assert len(agent.messages) == 1


@pytest.mark.parametrize(
    ("msg_type", "fields"),
    [
        ("image", {"PicUrl": "http://x/y.jpg", "MediaId": "m1"}),
        ("voice", {"MediaId": "m1", "Format": "amr"}),
        ("video", {"MediaId": "m1", "ThumbMediaId": "t1"}),
        ("shortvideo", {"MediaId": "m1", "ThumbMediaId": "t1"}),
        ("location", {"Location_X": "23.1", "Location_Y": "113.3", "Label": "广州"}),
        ("link", {"Title": "t", "Description": "d", "Url": "http://x"}),
        ("something_new", {}),
    ],
)
async def test_unsupported_types_get_a_polite_text(msg_type: str, fields: dict[str, str]) -> None:
    agent = FakeAgent()
    response = await post(channel(), agent, message_xml(msg_type, **fields))
    assert reply_content(response) == UNSUPPORTED_TEXT
    assert agent.messages == []


async def test_recognised_voice_goes_to_the_bot() -> None:
    agent = FakeAgent()
    xml = message_xml("voice", MediaId="m1", Format="amr", Recognition="查一下物流")
    assert reply_content(await post(channel(), agent, xml)) == "收到：查一下物流"


# --- numbered buttons -----------------------------------------------------------------------


async def test_buttons_become_numbered_lines_and_a_number_goes_to_the_bot_as_typed() -> None:
    buttons = [{"title": "是的", "payload": "/affirm"}, {"title": "不用了", "payload": "/deny"}]
    ch, agent = channel(), FakeAgent(buttons=buttons, texts=["确认取消订单吗？"])
    first = reply_content(await post(ch, agent, message_xml(Content="取消订单", msg_id="1")))
    assert first == "确认取消订单吗？\n回复 1：是的\n回复 2：不用了"

    agent.buttons, agent.texts = None, ["好的"]
    await post(ch, agent, message_xml(Content="２", msg_id="2"))  # full-width digit
    # the NLU reads the number against the conversation, on whichever replica takes it
    assert agent.texts_received == ["取消订单", "２"]


RATING = [
    {"title": f"{name}（{score}分）", "payload": f'/rate_service{{"csat_score": "{score}"}}'}
    for score, name in [(5, "非常满意"), (4, "满意"), (3, "一般"), (2, "不满意"), (1, "非常不满意")]
]


async def test_a_ratings_lines_are_numbered_by_their_score() -> None:
    ch, agent = channel(), FakeAgent(buttons=RATING, texts=["请您为本次服务打个分吧"])
    text = reply_content(await post(ch, agent, message_xml(Content="再见", msg_id="1")))
    lines = text.splitlines()[1:]
    assert lines[0] == "回复 5：非常满意（5分）"  # "5" is five points, not the fifth line
    assert lines[-1] == "回复 1：非常不满意（1分）"


async def test_only_the_turns_last_buttons_are_numbered() -> None:
    rendered = render(
        [
            {
                "text": "已为您转接人工客服",
                "buttons": [{"title": "取消排队", "payload": "取消排队"}],
            },
            {
                "text": "您是想咨询：",
                "buttons": [{"title": "查物流", "payload": "/query_logistics"}],
            },
        ]
    )
    assert rendered.text == "已为您转接人工客服\n· 取消排队\n\n您是想咨询：\n回复 1：查物流"


# --- retries and the passive-reply budget --------------------------------------------------------


async def test_retry_while_the_first_is_handled_is_not_processed(fake_api: FakeWeChatApi) -> None:
    ch = channel(fake_api.base_url, reply_budget=0.2)
    agent = FakeAgent(delay=0.6)
    xml = message_xml(Content="查订单")
    first = await post(ch, agent, xml)
    retry = await post(ch, agent, xml)
    assert first.text == "success" and retry.text == "success"
    await ch.drain()
    assert len(agent.messages) == 1
    [sent] = await fake_api.wait_for_sent(1)
    assert sent["touser"] == OPENID
    assert sent == {**sent, "msgtype": "text", "text": {"content": "收到：查订单"}}
    assert len(fake_api.token_calls) == 1


async def test_retry_after_a_passive_reply_gets_the_same_reply() -> None:
    ch, agent = channel(), FakeAgent()
    xml = message_xml(Content="你好")
    first = reply_content(await post(ch, agent, xml))
    assert reply_content(await post(ch, agent, xml)) == first
    events = message_xml("event", msg_id=None, Event="CLICK", EventKey="HUMAN")
    await post(ch, agent, events)
    await post(ch, agent, events)  # events: de-duplicated by sender + CreateTime
    assert agent.texts_received == ["你好", "/human_handoff"]


async def test_slow_answer_arrives_through_the_customer_service_api(
    fake_api: FakeWeChatApi, caplog: pytest.LogCaptureFixture
) -> None:
    ch = channel(fake_api.base_url, reply_budget=0.1)
    buttons = [{"title": "查物流", "payload": "/query_logistics"}]
    agent = FakeAgent(delay=0.3, buttons=buttons, texts=["订单已发货。", "还需要什么？"])
    with caplog.at_level(logging.INFO):
        response = await post(ch, agent, message_xml(Content="订单到哪了"))
    assert response.text == "success"
    await ch.drain()
    [sent] = fake_api.sent
    assert sent["path"] == "/cgi-bin/message/custom/send"
    assert sent["text"]["content"] == "订单已发货。\n· 查物流\n\n还需要什么？\n回复 1：查物流"
    assert fake_api.token_calls[0]["appid"] == APPID
    assert fake_api.token_calls[0]["grant_type"] == "client_credential"
    assert "not ready" in caplog.text


async def test_long_answers_are_split_passive_first_then_the_api(fake_api: FakeWeChatApi) -> None:
    ch = channel(fake_api.base_url)
    agent = FakeAgent(texts=["甲" * 600, "乙" * 600])  # 3600 bytes in UTF-8
    first = reply_content(await post(ch, agent, message_xml(Content="说说")))
    assert first == "甲" * 600
    await ch.drain()
    [rest] = fake_api.sent
    assert rest["text"]["content"] == "乙" * 600


async def test_slow_answer_without_api_credentials_is_lost_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ch = channel(appsecret=None, reply_budget=0.05)
    assert ch.get_output_channel() is None
    with caplog.at_level(logging.WARNING):
        response = await post(ch, FakeAgent(delay=0.2), message_xml(Content="你好"))
        await ch.drain()
    assert response.text == "success"
    assert "no API credentials" in caplog.text


async def test_health() -> None:
    _, response = await make_app(channel(), FakeAgent()).asgi_client.get("/webhooks/wechat/health")
    assert response.status == 200 and response.json == {"status": "ok", "api": True}
