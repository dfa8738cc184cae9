"""A desk app on in-memory SQLite with a movable clock, three agents and a supervisor."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sanic import Sanic

from zhike.desk import DeskAuth, DeskContext, DeskDatabase, DeskSettings, create_app
from zhike.desk.api_session import SESSION_COOKIE
from zhike.handoff import ConversationInfo, HandoffDatabase, HandoffService, StoredMessage

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Tuesday 4 June 2024, 10:00 in Shanghai: the desk is open.
T0 = datetime(2024, 6, 4, 10, 0, tzinfo=SHANGHAI)
API = "/api/desk/v1"
PASSWORD = "correct horse 马"
FAST_SCRYPT = 2**10


class Clock:
    """A clock the test moves forward."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class RecordingSink:
    """A ReplySink that remembers what it was given (and can fail)."""

    def __init__(self) -> None:
        self.delivered: list[tuple[ConversationInfo, StoredMessage]] = []
        self.taken_over_ids: list[int] = []
        self.handed_back_ids: list[int] = []
        self.fail = False

    async def deliver(self, conversation: ConversationInfo, message: StoredMessage) -> None:
        if self.fail:
            raise ConnectionError("rasa down")
        self.delivered.append((conversation, message))

    async def taken_over(self, conversation: ConversationInfo) -> None:
        if self.fail:
            raise ConnectionError("rasa down")
        self.taken_over_ids.append(conversation.id)

    async def handed_back(self, conversation: ConversationInfo) -> None:
        if self.fail:
            raise ConnectionError("rasa down")
        self.handed_back_ids.append(conversation.id)


@dataclass
class User:
    """A logged-in desk user: the cookie value and the CSRF token."""

    token: str
    csrf: str


class Desk:
    """The app under test plus its context, clock and sink, with request helpers."""

    def __init__(self, app: Sanic, context: DeskContext, clock: Clock, sink: RecordingSink):
        self.app = app
        self.context = context
        self.clock = clock
        self.sink = sink

    @property
    def handoff(self) -> HandoffService:
        return self.context.handoff

    async def call(
        self,
        method: str,
        path: str,
        user: User | None = None,
        body: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        csrf: bool = True,
    ) -> Any:
        """One request; the session cookie and CSRF header come from ``user`` only."""
        client = self.app.asgi_client
        client.cookies.clear()
        sent = {"content-type": "application/json"} if method != "GET" else {}
        if user is not None:
            sent["cookie"] = f"{SESSION_COOKIE}={user.token}"
            if csrf and method != "GET":
                sent["x-csrf-token"] = user.csrf
        sent.update(headers or {})
        if content is None and body is not None:
            content = json.dumps(body).encode()
        _, response = await client.request(method, API + path, content=content, headers=sent)
        return response

    async def login(self, username: str, password: str = PASSWORD) -> User:
        response = await self.call(
            "POST", "/login", body={"username": username, "password": password}
        )
        assert response.status == 200, response.text
        return User(session_cookie(response), response.json["csrf_token"])


def session_cookie(response: Any) -> str:
    """The session token set by a response's Set-Cookie header."""
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        if name == SESSION_COOKIE:
            return rest.split(";")[0].strip('"')
    raise AssertionError("no session cookie set")


async def build_desk(settings: DeskSettings) -> Desk:
    clock = Clock()
    sink = RecordingSink()
    handoff_db = HandoffDatabase("sqlite+aiosqlite://")
    desk_db = DeskDatabase("sqlite+aiosqlite://")
    await handoff_db.create_tables()
    await desk_db.create_tables()
    context = DeskContext(
        settings=settings,
        auth=DeskAuth(desk_db, settings, clock=clock, scrypt_n=FAST_SCRYPT),
        handoff=HandoffService(handoff_db, clock=clock),
        sink=sink,
        databases=[handoff_db, desk_db],
    )
    handoff, auth = context.handoff, context.auth
    await handoff.save_agent("a1", "王芳", ["orders"], max_concurrent=2, online=True)
    await handoff.save_agent("a2", "刘洋", ["courses"], online=True)
    await handoff.save_agent("a3", "陈静", ["orders"], online=True)
    await handoff.save_agent("s1", "主管", [], supervisor=True, online=False)
    await auth.create_account("wangfang", PASSWORD, "a1")
    await auth.create_account("liuyang", PASSWORD, "a2")
    await auth.create_account("chenjing", PASSWORD, "a3")
    await auth.create_account("boss", PASSWORD, "s1", role="supervisor")
    return Desk(create_app(settings, context=context), context, clock, sink)


def desk_settings(**overrides: Any) -> DeskSettings:
    values: dict[str, Any] = {
        "db_url": "sqlite+aiosqlite://",
        "cookie_secure": False,
        "app_name": f"zhike_desk_test_{uuid.uuid4().hex}",
    }
    values.update(overrides)
    return DeskSettings(**values)


@pytest.fixture
async def desk() -> AsyncIterator[Desk]:
    built = await build_desk(desk_settings())
    yield built
    await built.context.close()


async def queued(desk: Desk, sender: str = "demo", group: str = "orders", **summary: Any) -> int:
    """A conversation the bot handed over (queued in ``group``) with one user message."""
    outcome = await desk.handoff.request_handoff(
        sender, "rest", "C001", group, summary or {"intent": "query_order"}
    )
    assert outcome.status == "queued"
    await desk.handoff.route_user_message(sender, "rest", "我的快递怎么还没到？", f"{sender}-m1")
    return outcome.conversation_id
