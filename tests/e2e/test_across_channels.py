"""One robot on every channel: the same answers, one customer id, and each message's channel.

The real stack serves REST, the web widget's socket.io, the app, the 公众号 and WeCom at
once (the WeChat API is a fake server on loopback). The same question through each gets
the same answer; 张伟 (C001) reached through the app (login JWT), the web widget (the
shop's login token) and the 公众号 (openid bound by phone + code) is one customer, and
the tracker store records the channel of every message for analytics.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx
import jwt
import socketio

from zhike.tools.stack import Stack

from .conftest import API, WEB_LOGIN_SECRET, AppConversation, Conversation, last_code
from .wechat_users import FakeApiProcess, WeChatFollower, WeComEmployee

RETURN_POLICY = "亲，商品签收后7天内支持无理由退货哦"
C001_ORDERS = ("HP20240001", "HP20240002", "HP20240003", "HP20240004")


def web_say(rasa_url: str, text: str, login_token: str | None = None) -> tuple[str, str]:
    """One message through the widget's socket.io protocol in a new web session.

    Returns:
        The bot's texts joined, and the session id the server assigned to the socket.
    """

    async def talk() -> tuple[list[dict[str, Any]], str]:
        client = socketio.AsyncClient()
        replies: list[dict[str, Any]] = []
        sessions: list[str] = []
        confirmed = asyncio.Event()

        def on_confirm(*args: Any) -> None:
            if args and isinstance(args[0], str):
                sessions.append(args[0])
            elif args and isinstance(args[0], dict) and "session_id" in args[0]:
                sessions.append(str(args[0]["session_id"]))
            confirmed.set()

        client.on("session_confirm", on_confirm)
        client.on("bot_uttered", replies.append)
        await client.connect(
            rasa_url, socketio_path="/socket.io", transports=["polling"], wait_timeout=15
        )
        custom = {"login_token": login_token} if login_token else {}
        try:
            await client.emit("session_request", {"customData": custom})
            await asyncio.wait_for(confirmed.wait(), 10)
            await client.emit("user_uttered", {"message": text, "customData": custom})
            deadline = time.monotonic() + 30
            while not replies and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.0)  # the rest of the turn
        finally:
            # Close the engine.io session without waiting ~30 s for the pending long poll.
            await client.eio.disconnect(abort=True)
        return replies, sessions[-1] if sessions else ""

    replies, session_id = asyncio.run(talk())
    return _readable(replies), session_id


def _readable(replies: list[dict[str, Any]]) -> str:
    """Reply texts and button titles (REST/app ``buttons``, socket.io ``quick_replies``)."""
    lines = []
    for reply in replies:
        lines.append(reply.get("text", ""))
        buttons = reply.get("buttons") or reply.get("quick_replies") or []
        lines += [button.get("title", "") for button in buttons]
    return "\n".join(lines)


def _login_token(customer_id: str) -> str:
    claims = {"sub": customer_id, "exp": int(time.time()) + 3600}
    return jwt.encode(claims, WEB_LOGIN_SECRET, algorithm="HS256")


def _user_channels(stack: Stack, sender_id: str) -> set[str | None]:
    tracker = httpx.get(
        f"{stack.config.rasa_url}/conversations/{sender_id}/tracker", params=API, timeout=30
    ).json()
    return {e.get("input_channel") for e in tracker["events"] if e["event"] == "user"}


def test_the_same_question_gets_the_same_answer_on_every_channel(
    fresh: Stack, wechat_api: FakeApiProcess
) -> None:
    question = "你们的退货政策是什么"
    rasa = fresh.config.rasa_url
    answers = {
        "rest": Conversation(rasa).say(question),
        "socketio": web_say(rasa, question)[0],
        "app": AppConversation(rasa, "C002").say(question),
        "wechat": WeChatFollower(rasa, wechat_api, f"oE2E{uuid.uuid4().hex[:20]}").say(question),
        "wecom": WeComEmployee(rasa, wechat_api, f"staff{uuid.uuid4().hex[:8]}").say(question),
    }
    for channel, answer in answers.items():
        assert RETURN_POLICY in answer, (channel, answer)


def test_one_customer_on_three_channels_is_one_customer_and_every_message_has_its_channel(
    fresh: Stack, wechat_api: FakeApiProcess
) -> None:
    rasa = fresh.config.rasa_url

    app_answer = _readable(AppConversation(rasa, "C001").send("我的订单列表"))

    web_answer, web_session = web_say(rasa, "我的订单列表", login_token=_login_token("C001"))
    assert web_session

    openid = f"oE2E{uuid.uuid4().hex[:20]}"
    follower = WeChatFollower(rasa, wechat_api, openid)
    assert "手机号" in follower.say("我的订单列表")  # not bound yet: the check starts
    assert "138****8001" in follower.say("13800138001")
    assert "验证成功" in follower.say(last_code(fresh, "13800138001"))
    wechat_answer = follower.say("我的订单列表")

    for channel, answer in {"app": app_answer, "web": web_answer, "wechat": wechat_answer}.items():
        for order in C001_ORDERS:
            assert order in answer, (channel, order, answer)
        assert "HP20240005" not in answer  # 李娜's

    assert _user_channels(fresh, "app:C001") == {"app"}
    assert _user_channels(fresh, web_session) == {"socketio"}
    assert _user_channels(fresh, f"wechat:{openid}") == {"wechat"}


def test_a_forged_web_login_token_leaves_the_chat_anonymous(fresh: Stack) -> None:
    forged = jwt.encode(
        {"sub": "C001", "exp": int(time.time()) + 3600}, "x" * 40, algorithm="HS256"
    )
    answer, _ = web_say(fresh.config.rasa_url, "我的订单列表", login_token=forged)
    assert "手机号" in answer  # anonymous: the identity check starts
    assert "HP20240001" not in answer
