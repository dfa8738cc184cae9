"""转人工 end to end: the customer is queued, an agent takes over, replies, and hands back.

The test plays the desk: it uses the handoff service on the stack's handoff database (as the
desk service does) and Rasa's HTTP API
(:class:`zhike.servers.desk.delivery.rasa_api.RasaConversations`) to take over the
conversation, reply and hand it back. The customer is 张伟 in the app, so the agent's reply
reaches him as a signed push to the app backend.
"""

from __future__ import annotations

import asyncio
from typing import TypeVar

from zhike.servers.desk.delivery.rasa_api import RasaConversations
from zhike.tools.stack import Stack

from .conftest import AppConversation, desk
from .push_receiver import PushReceiver

T = TypeVar("T")
SENDER = "app:C001"


def test_an_agent_takes_over_replies_through_the_channel_and_hands_back(
    fresh: Stack, zhang_app: AppConversation, push_receiver: PushReceiver
) -> None:
    rasa = RasaConversations(fresh.config.rasa_url, fresh.config.rasa_token)
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


def _queued_for(stack: Stack, sender: str) -> int:
    [waiting] = [w for w in desk(stack, lambda s: s.queue()) if w.sender_id == sender]
    return waiting.conversation_id


def _hand_back(stack: Stack, sender: str, conversation_id: int) -> None:
    """What the desk does on close, without the rating question."""
    desk(stack, lambda s: s.close(conversation_id, None, "resolved"))
    asyncio.run(
        RasaConversations(stack.config.rasa_url, stack.config.rasa_token).set_handoff_state(
            sender, None
        )
    )


def test_an_angry_customer_is_handed_over_without_asking(
    fresh: Stack, li_app: AppConversation
) -> None:
    desk(fresh, lambda s: s.save_agent("e2e-a2", "赵敏", ["orders", "general"], online=True))
    answer = li_app.say("我的快递到底在哪？？？等了一个星期了")  # query_logistics
    assert "非常抱歉让您不愉快了" in answer and "已为您转接人工客服" in answer
    conversation_id = _queued_for(fresh, "app:C002")
    info = desk(fresh, lambda s: s.conversation(conversation_id))
    assert info.summary["reason"] == "客户情绪激动" and info.customer_id == "C002"
    assert "已转给人工客服" in li_app.say("快点！")  # now the desk's: stored, acknowledged
    _hand_back(fresh, "app:C002", conversation_id)
    assert "7天内支持无理由退货" in li_app.say("你们的退货政策是什么")


def test_a_vip_asking_for_a_refund_gets_a_human_when_one_is_online(
    fresh: Stack, zhang_app: AppConversation, li_app: AppConversation
) -> None:
    # nobody online: the bot handles 张伟's (a VIP's) refund itself
    assert "退款的原因" in zhang_app.say("HP20240002申请退款")
    zhang_app.say("不用了")
    desk(fresh, lambda s: s.save_agent("e2e-a3", "孙丽", ["orders", "general"], online=True))
    answer = zhang_app.say("HP20240002申请退款")
    assert "尊敬的会员" in answer and "已为您转接人工客服" in answer
    conversation_id = _queued_for(fresh, SENDER)
    info = desk(fresh, lambda s: s.conversation(conversation_id))
    assert info.summary["reason"] == "VIP 客户咨询款项"
    _hand_back(fresh, SENDER, conversation_id)
    # 李娜 is not a VIP: the bot serves her refund even with an agent online
    assert "退款" in li_app.say("HP20240005申请退款")
    assert desk(fresh, lambda s: s.queue()) == []


def test_asking_for_a_person_inside_a_form_says_only_the_handoff(
    fresh: Stack, li_app: AppConversation
) -> None:
    desk(fresh, lambda s: s.save_agent("e2e-a4", "周杰", ["orders", "general"], online=True))
    assert "退款的原因" in li_app.say("HP20240005申请退款")  # the refund form asks
    replies = [r.get("text", "") for r in li_app.send("转人工")]
    assert replies and replies[0].startswith("已为您转接人工客服"), replies
    assert not any("取消" in text for text in replies)  # the form was left silently
    _hand_back(fresh, "app:C002", _queued_for(fresh, "app:C002"))


def test_a_question_that_crosses_the_agents_goodbye_is_answered_by_the_bot(
    fresh: Stack, li_app: AppConversation
) -> None:
    rasa = RasaConversations(fresh.config.rasa_url, fresh.config.rasa_token)
    desk(fresh, lambda s: s.save_agent("e2e-a5", "吴倩", ["orders", "general"], online=True))
    assert "已为您转接人工客服" in li_app.say("转人工")
    conversation_id = _queued_for(fresh, "app:C002")
    desk(fresh, lambda s: s.accept("e2e-a5", conversation_id))
    asyncio.run(rasa.set_handoff_state("app:C002", "agent"))
    # the agent closes; the bot hears of it only when the desk's outbox delivers, and the
    # customer's next question is already on its way
    desk(fresh, lambda s: s.close(conversation_id, "e2e-a5", "resolved"))
    answer = li_app.say("对了，你们的退货政策是什么")
    assert "7天内支持无理由退货" in answer
    assert "请问还有什么可以帮您" not in answer  # not a second goodbye instead
    assert "已转给人工客服" not in answer
    stored = desk(fresh, lambda s: s.messages(conversation_id))
    assert "对了，你们的退货政策是什么" not in [m.text for m in stored]  # the bot's, not the desk's
