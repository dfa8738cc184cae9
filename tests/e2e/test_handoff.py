"""转人工 end to end: the customer is queued, an agent takes over, replies, and hands back.

The test plays the desk: it uses the handoff service on the stack's handoff database (as
the desk service does) and Rasa's HTTP API (:class:`zhike.handoff.rasa_api.RasaConversations`)
to take over the conversation, reply and hand it back. The customer is 张伟 in the app,
so the agent's reply reaches him as a signed push to the app backend.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from zhike.handoff import HandoffDatabase, HandoffService
from zhike.handoff.rasa_api import RasaConversations
from zhike.handoff.runtime import settings_from_env
from zhike.stack import Stack

from .conftest import AppConversation
from .push_receiver import PushReceiver

T = TypeVar("T")
SENDER = "app:C001"


def desk(stack: Stack, work: Callable[[HandoffService], Awaitable[T]]) -> T:
    """Runs ``work`` with a handoff service on the stack's handoff database."""

    async def run() -> T:
        db = HandoffDatabase(stack.config.extra_env["ZHIKE_HANDOFF_DB_URL"])
        await db.create_tables()
        try:
            return await work(HandoffService(db, settings_from_env(stack.config.extra_env)))
        finally:
            await db.dispose()

    return asyncio.run(run())


def test_an_agent_takes_over_replies_through_the_channel_and_hands_back(
    fresh: Stack, zhang_app: AppConversation, push_receiver: PushReceiver
) -> None:
    rasa = RasaConversations(fresh.config.rasa_url)
    desk(
        fresh,
        lambda s: s.save_agent("e2e-a1", "王芳", ["orders", "courses", "general"], online=True),
    )
    push_receiver.reset()

    assert "HP20240001" in zhang_app.say("查一下订单HP20240001")
    assert "已为您转接人工客服" in zhang_app.say("转人工")
    assert "已转给人工客服" in zhang_app.say("快递三天没动了")  # waiting: stored, acknowledged

    [waiting] = desk(fresh, lambda s: s.queue())
    assert waiting.sender_id == SENDER
    info = desk(fresh, lambda s: s.conversation(waiting.conversation_id))
    assert info.customer_id == "C001" and info.skill_group == "orders"
    assert info.summary["intent"] == "query_order"

    desk(fresh, lambda s: s.accept("e2e-a1", waiting.conversation_id))
    asyncio.run(rasa.set_handoff_state(SENDER, "agent"))
    assert zhang_app.send("在吗？我还在等") == []  # the bot stays silent for the agent

    asyncio.run(rasa.send_agent_message(SENDER, "您好，我是客服王芳，正在帮您查询快递。", "e2e-a1"))
    pushed = push_receiver.wait_for(1)
    assert [p["message"]["text"] for p in pushed] == ["您好，我是客服王芳，正在帮您查询快递。"]

    stored = desk(fresh, lambda s: s.messages(waiting.conversation_id))
    assert [m.text for m in stored if m.direction == "user"] == ["快递三天没动了", "在吗？我还在等"]

    desk(fresh, lambda s: s.close(waiting.conversation_id, "e2e-a1", "resolved"))
    asyncio.run(rasa.set_handoff_state(SENDER, None))
    asyncio.run(rasa.ask_rating(SENDER))  # what the desk does on close
    pushed = push_receiver.wait_for(2)
    assert len(pushed) == 2 and "打个分" in pushed[1]["message"]["text"]
    payloads = [b["payload"] for b in pushed[1]["message"]["buttons"]]
    assert '/rate_service{"csat_score": "5"}' in payloads

    assert "感谢您的评价" in zhang_app.say('/rate_service{"csat_score": "5"}')
    rated = desk(fresh, lambda s: s.conversation(waiting.conversation_id))
    assert rated.rating == 5 and rated.mttr is not None and rated.mtta is not None

    assert "7天内支持无理由退货" in zhang_app.say("你们的退货政策是什么")  # the bot is back
