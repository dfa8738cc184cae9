"""Starts the real stack (backend, action server, Rasa server) once for the e2e tests.

The backend runs with its test-only endpoints (``ZHIKE_BACKEND_FAULTS=1``: fault
injection, ``/__reset``, ``/__sent_codes`` for one-time codes); the app channel and the action
server share test secrets, so an app user is identified by a real signed JWT.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import httpx
import jwt
import pytest

from zhike.lib.handoff import HandoffDatabase, HandoffService
from zhike.lib.handoff.runtime import settings_from_env
from zhike.tools.stack import PROJECT_ROOT, Stack, StackConfig, free_port

from .push_receiver import PushReceiver
from .wechat_users import FakeApiProcess, channel_env

T = TypeVar("T")
MODEL = PROJECT_ROOT / "models" / "zhike.tar.gz"
APP_JWT_SECRET = "e2e-app-jwt-secret-0123456789abcdef0123"
IDENTITY_SECRET = "e2e-identity-secret-0123456789abcdef01"
WEB_LOGIN_SECRET = "e2e-web-login-secret-0123456789abcdef01"  # the web widget's login tokens
PUSH_SECRET = "e2e-push-secret-0123456789abcdef0123456"
RASA_TOKEN = "e2e-rasa-api-token-0123456789abcdef0123"  # Rasa's --auth-token
API = {"token": RASA_TOKEN}  # query parameters of every call to Rasa's HTTP API
PUSH_PORT = free_port()
WECHAT_API_PORT = free_port()  # the fake WeChat/WeCom API server
STACK_ENV = {
    "ZHIKE_BACKEND_FAULTS": "1",
    "ZHIKE_APP_JWT_SECRET": APP_JWT_SECRET,
    "ZHIKE_IDENTITY_SECRET": IDENTITY_SECRET,
    "ZHIKE_WEB_LOGIN_SECRET": WEB_LOGIN_SECRET,
    "ZHIKE_BACKEND_COOLDOWN": "1",
    "ZHIKE_APP_PUSH_URL": f"http://127.0.0.1:{PUSH_PORT}/push",
    "ZHIKE_APP_PUSH_SECRET": PUSH_SECRET,
    **channel_env(f"http://127.0.0.1:{WECHAT_API_PORT}"),
}


class Conversation:
    """One user talking to the bot through the REST channel (anonymous until bound)."""

    def __init__(self, rasa_url: str, sender: str | None = None) -> None:
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.sender = sender or f"e2e-{uuid.uuid4().hex[:12]}"

    def post(self, message: str) -> httpx.Response:
        return httpx.post(self.url, json={"sender": self.sender, "message": message}, timeout=30)

    def send(self, message: str) -> list[dict]:
        """Sends ``message`` and returns the bot's replies (asserting HTTP 200)."""
        response = self.post(message)
        assert response.status_code == 200, response.text
        replies = response.json()
        assert isinstance(replies, list)
        return replies

    def say(self, message: str) -> str:
        """Sends ``message`` and returns all reply texts joined by newlines."""
        return "\n".join(r.get("text", "") for r in self.send(message))

    def buttons(self, message: str) -> list[dict]:
        """Sends ``message`` and returns the buttons of all replies."""
        return [button for reply in self.send(message) for button in reply.get("buttons", [])]


class AppConversation(Conversation):
    """A customer in the company app: a signed JWT names them, whatever the body says."""

    def __init__(self, rasa_url: str, customer_id: str) -> None:
        super().__init__(rasa_url, sender="ignored-by-the-app-channel")
        self.url = f"{rasa_url}/webhooks/app/webhook"
        claims = {"sub": customer_id, "exp": int(time.time()) + 3600}
        self.token = jwt.encode(claims, APP_JWT_SECRET, algorithm="HS256")
        # The app channel keeps one conversation per customer (app:<id>): start it afresh
        # so a form left open by an earlier test does not take this test's first message.
        restart = httpx.post(
            f"{rasa_url}/conversations/app:{customer_id}/tracker/events",
            params=API,
            json={"event": "restart"},
            timeout=30,
        )
        restart.raise_for_status()

    def post(self, message: str) -> httpx.Response:
        return httpx.post(
            self.url,
            json={"sender": "C001", "message": message},  # a forged sender: ignored
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.skip(f"no trained model at {MODEL}: run `make train` (make test trains it)")
    state: Path = tmp_path_factory.mktemp("stack")
    env = {
        **STACK_ENV,
        # The handoff tables, shared with the tests that play the desk; agents work all day.
        "ZHIKE_HANDOFF_DB_URL": f"sqlite+aiosqlite:///{state / 'handoff.db'}",
        "ZHIKE_HANDOFF_HOURS": "00:00-23:59",
        # The knowledge base the desk edits (and the robot answers from), in this run only.
        "ZHIKE_KB_DB_URL": f"sqlite+aiosqlite:///{state / 'kb.db'}",
    }
    running = Stack(StackConfig.on_free_ports(MODEL, state, extra_env=env, rasa_token=RASA_TOKEN))
    running.start(timeout=float(os.environ.get("ZHIKE_E2E_START_TIMEOUT", "240")))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def push_receiver() -> Iterator[PushReceiver]:
    """The app backend's push callback the stack's app channel is configured with."""
    receiver = PushReceiver(PUSH_PORT, PUSH_SECRET)
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()


@pytest.fixture(scope="session")
def wechat_api() -> Iterator[FakeApiProcess]:
    """The fake WeChat/WeCom API the stack's 公众号 and WeCom channels send through."""
    api = FakeApiProcess(WECHAT_API_PORT)
    api.start()
    try:
        yield api
    finally:
        api.stop()


@pytest.fixture
def chat(stack: Stack) -> Conversation:
    return Conversation(stack.config.rasa_url)


def desk(stack: Stack, work: Callable[[HandoffService], Awaitable[T]]) -> T:
    """Runs ``work`` with a handoff service on the stack's handoff database (as the desk)."""

    async def run() -> T:
        db = HandoffDatabase(stack.config.extra_env["ZHIKE_HANDOFF_DB_URL"])
        await db.create_tables()
        try:
            return await work(HandoffService(db, settings_from_env(stack.config.extra_env)))
        finally:
            await db.dispose()

    # In a thread of its own: Playwright's sync API keeps an event loop in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()


async def _desk_quiet(service: HandoffService) -> None:
    """No agent online and nobody waiting: an earlier test's customer is not ahead in line."""
    for agent in await service.agent_load():
        if agent.online:
            await service.set_online(agent.agent_id, False)
    for entry in await service.queue():
        await service.close(entry.conversation_id, None, "test_reset")


@pytest.fixture
def fresh(stack: Stack) -> Stack:
    """The demo data as seeded: no fault, no code kept as sent, no agent online, nobody waiting.

    With nobody online, a handoff (asked for or triggered) ends as a ticket and the bot
    keeps answering; tests that need an agent put one online themselves.
    """
    base = stack.config.backend_url
    httpx.delete(f"{base}/__faults/", timeout=10).raise_for_status()
    httpx.post(f"{base}/__reset/", json={}, timeout=30).raise_for_status()
    httpx.delete(f"{base}/__sent_codes/", timeout=10).raise_for_status()
    desk(stack, _desk_quiet)
    time.sleep(1.1)  # let the action server's circuit breaker close after a fault test
    return stack


@pytest.fixture
def zhang_app(fresh: Stack) -> AppConversation:
    """张伟 (C001) in the app."""
    return AppConversation(fresh.config.rasa_url, "C001")


@pytest.fixture
def li_app(fresh: Stack) -> AppConversation:
    """李娜 (C002) in the app."""
    return AppConversation(fresh.config.rasa_url, "C002")


# The clarification's opening and the out-of-scope answer, as the customer reads them.
ASKED = "您是想咨询"
TURNED_AWAY = "超出了我的服务范围"


def texts(replies: list[dict]) -> str:
    """The texts of the bot's replies, joined by newlines."""
    return "\n".join(reply.get("text", "") for reply in replies)


def titles(replies: list[dict]) -> list[str]:
    """The titles of the buttons of the bot's replies, in order."""
    return [button["title"] for reply in replies for button in reply.get("buttons", [])]


def first_unsure(stack: Stack, candidates: tuple[str, ...]) -> str:
    """The first of ``candidates`` this model sends to the fallback (skips when none is).

    Which messages a trained model is unsure of varies with the training run: tests of
    what happens to an unclear message take one /model/parse shows unclear.
    """
    for text in candidates:
        parse = httpx.post(
            f"{stack.config.rasa_url}/model/parse", params=API, json={"text": text}, timeout=30
        ).json()
        if parse["intent"]["name"] == "nlu_fallback":
            return text
    pytest.skip(f"the model was confident about every one of {candidates}")


def last_code(stack: Stack, phone: str) -> str:
    """The latest one-time code the backend "sent" to ``phone``."""
    response = httpx.get(f"{stack.config.backend_url}/__sent_codes/", params={"phone": phone})
    response.raise_for_status()
    messages = response.json()["messages"]
    assert messages, f"no code was sent to {phone}"
    return str(messages[-1]["code"])


def inject_fault(stack: Stack, **fault: object) -> None:
    """Makes the backend slow or failing (see zhike.servers.backend.faults)."""
    httpx.post(f"{stack.config.backend_url}/__faults/", json=fault, timeout=10).raise_for_status()


def clear_faults(stack: Stack) -> None:
    """The backend answers normally again."""
    httpx.delete(f"{stack.config.backend_url}/__faults/", timeout=10).raise_for_status()
