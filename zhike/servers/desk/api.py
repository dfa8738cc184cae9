"""Agent routes: the queue, a conversation's transcript, accept, reply, transfer and close.

An agent sees and acts on conversations of their own skill groups only (403
``forbidden_group``); a supervisor on all. Replying needs the conversation to be owned by
the caller. The handoff library decides everything else (states, capacity, races).

Accept, reply and close store the change and, in the same transaction, an outbox row for
the bot's side (and, with ``customer_notices``, the notice the customer sees: who took
over, a transfer, the end; :mod:`zhike.lib.handoff.notices`); the answer waits briefly
for the dispatcher's first attempt and reports it (``bot_notified`` / ``delivered``: false
means stored and retried in the background).
"""

from __future__ import annotations

import re
import uuid

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from zhike.lib.handoff import SKILL_GROUPS, ConversationInfo
from zhike.servers.desk.auth import DeskSession
from zhike.servers.desk.context import DeskContext
from zhike.servers.desk.errors import DeskError, json_response
from zhike.servers.desk.http import current_session, int_query, read_json, text_field
from zhike.servers.desk.qa_live import (
    check_reply,
    mask_customer_items,
    mask_summary,
    note_transfer,
)
from zhike.servers.desk.serializers import conversation_json, message_json, queue_entry_json

MAX_REPLY = 2000
MAX_DISPOSITION = 64
MAX_ID = 2**31 - 1
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _desk(request: Request) -> DeskContext:
    desk: DeskContext = request.app.ctx.desk
    return desk


def check_group_name(group: object) -> str:
    """A known skill group name; else 400 ``invalid_skill_group``."""
    if not isinstance(group, str) or group not in SKILL_GROUPS:
        raise DeskError(
            400, "invalid_skill_group", f"skill group must be one of {', '.join(SKILL_GROUPS)}"
        )
    return group


async def visible_conversation(
    desk: DeskContext, session: DeskSession, conversation_id: int
) -> ConversationInfo:
    """The conversation, if the caller may see it (its group, or a supervisor)."""
    if not 0 < conversation_id <= MAX_ID:  # no database integer holds it: none such
        raise DeskError(404, "conversation_not_found", "no such conversation")
    info = await desk.handoff.conversation(conversation_id)
    if session.account.supervisor or info.agent_id == session.account.agent_id:
        return info
    if info.skill_group not in await desk.groups(session.account):
        raise DeskError(403, "forbidden_group", "this conversation belongs to another group")
    return info


def _client_key(body: dict[str, object], conversation_id: int, agent_id: str) -> str:
    client_id = body.get("client_message_id")
    if client_id is None:
        return f"desk:{conversation_id}:{uuid.uuid4().hex}"
    if not isinstance(client_id, str) or not _CLIENT_ID.match(client_id):
        raise DeskError(
            400, "invalid_client_message_id", "client_message_id: 1-64 of A-Z a-z 0-9 _ -"
        )
    return f"desk:{conversation_id}:{agent_id}:{client_id}"


def conversations_blueprint() -> Blueprint:
    """The queue and conversation routes of agents (and supervisors)."""
    bp = Blueprint("desk_conversations")

    @bp.get("/queue")
    async def queue(request: Request) -> HTTPResponse:
        desk, session = _desk(request), current_session(request)
        groups = await desk.groups(session.account)
        wanted = request.args.get("group")
        if wanted is not None:
            check_group_name(wanted)
            if wanted not in groups:
                raise DeskError(403, "forbidden_group", "you are not in this skill group")
            groups = (wanted,)
        entries = await desk.handoff.queue()
        return json_response(
            {
                "groups": {
                    group: [queue_entry_json(e) for e in entries if e.skill_group == group]
                    for group in groups
                }
            }
        )

    @bp.get("/conversations/<conversation_id:int>")
    async def detail(request: Request, conversation_id: int) -> HTTPResponse:
        desk, session = _desk(request), current_session(request)
        info = await visible_conversation(desk, session, conversation_id)
        after = int_query(request, "after_seq", 0)
        messages = [message_json(m) for m in await desk.handoff.messages(conversation_id, after)]
        await mask_customer_items(request.app, messages, "direction")  # abuse as ***
        conversation = conversation_json(info)
        await mask_summary(request.app, conversation)
        return json_response({"conversation": conversation, "messages": messages})

    @bp.post("/conversations/<conversation_id:int>/accept")
    async def accept(request: Request, conversation_id: int) -> HTTPResponse:
        desk, session = _desk(request), current_session(request)
        await visible_conversation(desk, session, conversation_id)
        info = await desk.handoff.accept(
            session.account.agent_id,
            conversation_id,
            notify_bot=True,
            notify_customer=desk.settings.customer_notices,
        )
        notified = await desk.first_attempt(info.outbox_id)
        return json_response({"conversation": conversation_json(info), "bot_notified": notified})

    @bp.post("/conversations/<conversation_id:int>/messages")
    async def reply(request: Request, conversation_id: int) -> HTTPResponse:
        desk, session = _desk(request), current_session(request)
        body = read_json(request)
        text = body.get("text")
        if not isinstance(text, str):
            raise DeskError(400, "invalid_text", "text must be a string")
        if not text.strip():
            raise DeskError(400, "empty_message", "the reply is empty")
        if len(text) > MAX_REPLY:
            raise DeskError(400, "text_too_long", f"a reply has at most {MAX_REPLY} characters")
        me = session.account.agent_id
        key = _client_key(body, conversation_id, me)
        await visible_conversation(desk, session, conversation_id)
        await check_reply(request.app, text)  # 422 for a sensitive word: nothing is sent
        # the owner check (state agent, agent me) runs under the conversation's row lock
        message = await desk.handoff.append_message(
            conversation_id,
            "agent",
            text,
            key,
            {"agent_id": me},
            agent_id=me,
            notify_bot=True,
            notify_customer=desk.settings.customer_notices,
        )
        delivered = await desk.first_attempt(message.outbox_id)
        return json_response(
            {"message": message_json(message), "delivered": delivered},
            status=201 if message.created else 200,
        )

    @bp.post("/conversations/<conversation_id:int>/transfer")
    async def transfer(request: Request, conversation_id: int) -> HTTPResponse:
        desk, session = _desk(request), current_session(request)
        group = check_group_name(read_json(request).get("skill_group"))
        await visible_conversation(desk, session, conversation_id)
        info = await desk.handoff.transfer(
            conversation_id,
            group,
            session.account.agent_id,
            notify_customer=desk.settings.customer_notices,
        )
        await note_transfer(request.app, conversation_id)
        notified = await desk.first_attempt(info.outbox_id)  # the customer's notice
        return json_response({"conversation": conversation_json(info), "bot_notified": notified})

    @bp.post("/conversations/<conversation_id:int>/close")
    async def close(request: Request, conversation_id: int) -> HTTPResponse:
        desk, session = _desk(request), current_session(request)
        disposition = text_field(read_json(request), "disposition", MAX_DISPOSITION) or ""
        await visible_conversation(desk, session, conversation_id)
        info = await desk.handoff.close(
            conversation_id,
            session.account.agent_id,
            disposition.strip(),
            notify_bot=True,
            notify_customer=desk.settings.customer_notices,
        )
        # inspection (质检) and the customer's tags: the background job (desk.background)
        # the hand-back follows the closing notice: wait for it behind the notice
        notified = await desk.first_attempt(info.outbox_id, follow=True)
        return json_response({"conversation": conversation_json(info), "bot_notified": notified})

    return bp
