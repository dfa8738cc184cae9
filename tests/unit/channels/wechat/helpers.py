"""Building signed 公众号 / WeCom callbacks and Sanic apps for the channel tests."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from rasa.core.channels.channel import InputChannel, register
from sanic import Sanic

from tests.unit.channels.wechat.conftest import FakeAgent
from zhike.channels.wechat.crypto import MessageCrypt, signature
from zhike.channels.wechat.xmlcodec import build_xml, parse_message

NOW = 1_718_000_000
TOKEN = "zhikeTestToken01"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APPID = "wx1234567890abcdef"
ACCOUNT = "gh_0123456789ab"
OPENID = "oyORnuP8q7ou2gfYjqLzSIWZf0rs"
IDENTITY_SECRET = "identity-secret-" + "i" * 32
CORPID = "ww0123456789abcdef"
USERID = "ZhangWei"
AGENTID = 1000002


def make_app(channel: InputChannel, agent: FakeAgent) -> Sanic:
    """A Sanic app with the channel registered the way ``rasa run`` does it."""
    app = Sanic(f"zhike_wechat_test_{uuid.uuid4().hex}")
    register([channel], app, route="/webhooks/")
    app.ctx.agent = agent
    return app


def plain_args(timestamp: int = NOW, nonce: str = "nonce1", token: str = TOKEN) -> dict[str, str]:
    """The query WeChat puts on every 公众号 callback (plain ``signature``)."""
    ts = str(timestamp)
    return {"signature": signature(token, ts, nonce), "timestamp": ts, "nonce": nonce}


def fresh_nonce() -> str:
    """A nonce of its own: WeChat signs every callback with a new one."""
    return uuid.uuid4().hex[:10]


def url(path: str, args: dict[str, Any]) -> str:
    return f"{path}?{urlencode(args)}"


def message_xml(
    msg_type: str = "text",
    user: str = OPENID,
    to: str = ACCOUNT,
    create_time: int = NOW,
    msg_id: str | None = "6054768590064713728",
    **fields: str | int,
) -> str:
    """A callback message; ``Content``, ``Event``, ``EventKey`` … as keyword arguments."""
    items: list[tuple[str, str | int]] = [
        ("ToUserName", to),
        ("FromUserName", user),
        ("CreateTime", create_time),
        ("MsgType", msg_type),
    ]
    items += list(fields.items())
    if msg_id is not None:
        items.append(("MsgId", msg_id))
    return build_xml(items)


def encrypted_body(
    inner: str,
    crypt: MessageCrypt,
    to: str,
    timestamp: int = NOW,
    nonce: str = "nonce1",
) -> tuple[str, str]:
    """The outer XML of an encrypted callback and its ``msg_signature``."""
    encrypted = crypt.encrypt(inner)
    outer = build_xml([("ToUserName", to), ("Encrypt", encrypted)])
    return outer, crypt.signature(str(timestamp), nonce, encrypted)


def decrypt_reply(body: str, crypt: MessageCrypt) -> dict[str, str]:
    """Checks an encrypted passive reply's signature and returns its inner fields."""
    outer = parse_message(body)
    assert crypt.verify(outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"], outer["Encrypt"])
    return parse_message(crypt.decrypt(outer["Encrypt"]))
