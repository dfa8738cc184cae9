"""A desk app on SQLite with a movable clock, three agents, a supervisor and a knowledge base."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from sanic import Sanic
from sqlalchemy import event

from zhike.common.database import AsyncDatabase
from zhike.lib.handoff import ConversationInfo, HandoffDatabase, HandoffService, StoredMessage
from zhike.lib.kb.db import KbDatabase
from zhike.lib.kb.service import KnowledgeBase
from zhike.servers.desk import DeskAuth, DeskContext, DeskDatabase, DeskSettings, create_app
from zhike.servers.desk.api_session import SESSION_COOKIE
from zhike.servers.desk.delivery.sink import Delivery

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


class RunningClock(Clock):
    """A clock that starts at T0 and runs in real time (for retries and leases)."""

    def __init__(self) -> None:
        super().__init__()
        self.started = time.monotonic()

    def __call__(self) -> datetime:
        return self.now + timedelta(seconds=time.monotonic() - self.started)


class RecordingSink:
    """A ReplySink that remembers what it was given (and can fail)."""

    def __init__(self) -> None:
        self.delivered: list[tuple[ConversationInfo, StoredMessage]] = []
        self.taken_over_ids: list[int] = []
        self.handed_back_ids: list[int] = []
        self.fail = False

    async def deliver(
        self, conversation: ConversationInfo, message: StoredMessage, delivery: Delivery
    ) -> None:
        if self.fail:
            raise ConnectionError("rasa down")
        self.delivered.append((conversation, message))

    async def taken_over(self, conversation: ConversationInfo, delivery: Delivery) -> None:
        if self.fail:
            raise ConnectionError("rasa down")
        self.taken_over_ids.append(conversation.id)

    async def handed_back(self, conversation: ConversationInfo, delivery: Delivery) -> None:
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

    def __init__(self, app: Sanic, context: DeskContext, clock: Clock, sink: Any):
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


DB = TypeVar("DB", bound=AsyncDatabase)


def no_fsync(db: DB) -> DB:
    """The test database's SQLite file without fsync (a test's data need not survive)."""

    def connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()

    event.listen(db.engine.sync_engine, "connect", connect)
    return db


async def build_desk(settings: DeskSettings, sink: Any = None, clock: Clock | None = None) -> Desk:
    """The desk on ``settings.db_url`` with its outbox dispatcher running."""
    clock = clock or Clock()
    sink = sink if sink is not None else RecordingSink()
    handoff_db = no_fsync(HandoffDatabase(settings.db_url))
    desk_db = no_fsync(DeskDatabase(settings.db_url))
    kb_db = no_fsync(KbDatabase(settings.kb_db_url or settings.db_url))
    await handoff_db.create_tables()
    await desk_db.create_tables()
    await kb_db.create_tables()
    context = DeskContext(
        settings=settings,
        auth=DeskAuth(desk_db, settings, clock=clock, scrypt_n=FAST_SCRYPT),
        handoff=HandoffService(handoff_db, clock=clock),
        sink=sink,
        kb=KnowledgeBase(kb_db, clock=clock),
        databases=[handoff_db, desk_db, kb_db],
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
    context.start()
    return Desk(create_app(settings, context=context), context, clock, sink)


_DB_DIR: list[Path] = []  # this test's tmp_path (set by the autouse fixture below)


@pytest.fixture(autouse=True)
def _db_dir(tmp_path: Path) -> Iterator[None]:
    _DB_DIR.append(tmp_path)
    yield
    _DB_DIR.remove(tmp_path)


def desk_settings(tmp_path: Path | None = None, **overrides: Any) -> DeskSettings:
    """Settings on a fresh SQLite file (the outbox dispatcher writes concurrently).

    The file is in ``tmp_path``, by default the running test's.
    """
    folder = tmp_path or _DB_DIR[-1]
    values: dict[str, Any] = {
        "db_url": f"sqlite+aiosqlite:///{folder / f'desk-{uuid.uuid4().hex[:8]}.db'}",
        "cookie_secure": False,
        "app_name": f"zhike_desk_test_{uuid.uuid4().hex}",
        # off: these tests count every delivery; test_notices_reassign turns them on
        "customer_notices": False,
    }
    values.update(overrides)
    return DeskSettings(**values)


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    built = await build_desk(desk_settings(tmp_path))
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


KB = "/api/kb/v1"
TOKEN = "kb-service-token-0123456789abcdef-0123"


async def kb_call(
    desk: Desk,
    method: str,
    path: str,
    user: User | None = None,
    body: Any = None,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
    csrf: bool = True,
) -> Any:
    """One request to the knowledge-base API as ``user`` (cookie and CSRF) or anonymous."""
    client = desk.app.asgi_client
    client.cookies.clear()
    sent: dict[str, str] = {}
    if body is not None:
        sent["content-type"] = "application/json"
        content = json.dumps(body).encode()
    if user is not None:
        sent["cookie"] = f"{SESSION_COOKIE}={user.token}"
        if csrf and method != "GET":
            sent["x-csrf-token"] = user.csrf
    sent.update(headers or {})
    _, response = await client.request(method, KB + path, content=content, headers=sent)
    return response


@pytest.fixture
async def kb_desk(tmp_path: Path) -> AsyncIterator[Desk]:
    """The test desk with a service token, plus an editor ``bianji`` and a reviewer ``shenhe``."""
    built = await build_desk(desk_settings(tmp_path, kb_service_token=TOKEN))
    await built.handoff.save_agent("e1", "编辑小李", ["general"])
    await built.handoff.save_agent("r1", "审核老张", ["general"])
    await built.context.auth.create_account("bianji", PASSWORD, "e1", role="editor")
    await built.context.auth.create_account("shenhe", PASSWORD, "r1", role="reviewer")
    yield built
    await built.context.close()
