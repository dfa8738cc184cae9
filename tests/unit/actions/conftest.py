from __future__ import annotations

import copy
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import identity
from actions.services import set_backend
from zhike.lib.backend_client.fake import InMemoryBackendClient
from zhike.lib.handoff import HandoffDatabase, HandoffService
from zhike.lib.handoff.runtime import set_handoff_service
from zhike.lib.identity.assertion import METADATA_KEY, sign
from zhike.lib.kb.live import close_shared_knowledge

FIXTURES = Path(__file__).with_name("fixtures")
ROOT = Path(__file__).resolve().parents[3]
IDENTITY_SECRET = "unit-test-identity-secret-0123456789abcdef"
Turn = Callable[..., Tracker]


@pytest.fixture
def load_tracker() -> Callable[..., Tracker]:
    """Builds a Tracker from a JSON fixture, with slots overridden by keyword."""

    def load(name: str, **slots: Any) -> Tracker:
        state = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
        state["slots"].update(slots)
        return Tracker.from_dict(state)

    return load


@pytest.fixture(scope="session")
def real_domain() -> dict[str, Any]:
    """The project's domain as the action server receives it (with the responses)."""
    from rasa.shared.core.domain import Domain

    return Domain.load(str(Path(__file__).parents[3] / "domain")).as_dict()


@pytest.fixture(autouse=True)
def knowledge_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Each test's own knowledge base: a fresh SQLite file seeded with the shop's FAQ."""
    path = tmp_path / "kb.db"
    monkeypatch.setenv("ZHIKE_KB_DB_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.setenv("ZHIKE_KB_SEED", str(ROOT / "data" / "kb" / "faq.yml"))
    yield path


@pytest.fixture
async def knowledge() -> AsyncIterator[None]:
    """Closes the action server's knowledge base after an async test that used it."""
    yield
    await close_shared_knowledge()


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture(autouse=True)
def identity_secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The action server's identity secret, as the channels sign with it."""
    monkeypatch.setenv("ZHIKE_IDENTITY_SECRET", IDENTITY_SECRET)
    identity.identity_secret.cache_clear()
    identity._cache.clear()
    yield IDENTITY_SECRET
    identity.identity_secret.cache_clear()
    identity._cache.clear()


@pytest.fixture
async def backend() -> AsyncIterator[InMemoryBackendClient]:
    client = InMemoryBackendClient()
    set_backend(client)
    yield client
    set_backend(None)
    await client.aclose()


def _message_counter() -> Iterator[int]:
    number = 0
    while True:
        number += 1
        yield number


_messages = _message_counter()


def make_turn(sender: str, channel: str, metadata: dict[str, Any] | None = None) -> Turn:
    """A function building the tracker of one user turn of ``sender`` on ``channel``."""

    def turn(
        text: str = "",
        intent: str = "inform",
        *,
        requested_slot: str | None = None,
        entities: list[dict[str, Any]] | None = None,
        **slots: Any,
    ) -> Tracker:
        state = json.loads((FIXTURES / "turn.json").read_text(encoding="utf-8"))
        message_id = f"m-{next(_messages)}"
        state["sender_id"] = sender
        state["slots"].update(slots, requested_slot=requested_slot)
        latest = state["latest_message"]
        latest.update(text=text, message_id=message_id, metadata=copy.deepcopy(metadata or {}))
        latest["intent"] = {"name": intent, "confidence": 0.95}
        latest["entities"] = entities or []
        user = state["events"][-1]
        user.update(text=text, input_channel=channel, message_id=message_id)
        user["parse_data"]["intent"] = latest["intent"]
        return Tracker.from_dict(state)

    return turn


@pytest.fixture
def anonymous(backend: InMemoryBackendClient) -> Turn:
    """A web visitor nobody knows (socket.io session)."""
    return make_turn("web-session-anon", "socketio")


@pytest.fixture
async def zhang(backend: InMemoryBackendClient) -> Turn:
    """张伟 (C001) on the web chat, bound to his account by phone + one-time code."""
    sender = "web-session-zhang"
    await backend.request_binding_code("13800138001", "socketio", sender)
    code = backend.last_code("13800138001")
    assert code is not None
    await backend.confirm_binding("13800138001", code, "socketio", sender)
    return make_turn(sender, "socketio")


@pytest.fixture
def li_app(identity_secret: str, backend: InMemoryBackendClient) -> Turn:
    """李娜 (C002) in the company app: the app channel signed her identity."""
    sender = "app:C002"
    assertion = sign("C002", "app", sender, int(time.time()), identity_secret)
    return make_turn(sender, "app", {METADATA_KEY: assertion})


def earlier_turn(tracker: Tracker, text: str, action: str, response: str | None = None) -> Tracker:
    """``tracker`` with a turn before its latest message: ``text``, answered by ``action``.

    ``response`` names what the answer said (the bot event's ``utter_action``).
    """
    metadata = {"utter_action": response} if response else {}
    tracker.events[-1:-1] = [
        {"event": "user", "text": text, "parse_data": {}},
        {"event": "action", "name": action},
        {"event": "bot", "text": "…", "metadata": metadata},
        {"event": "action", "name": "action_listen"},
    ]
    return tracker


# The handoff desk of the 转人工 tests: a real handoff service on in-memory SQLite, a fixed
# clock (OPEN: the desk works; NIGHT: it does not) and agent 王芳 online.
SHANGHAI = ZoneInfo("Asia/Shanghai")
OPEN = datetime(2024, 6, 4, 10, 0, tzinfo=SHANGHAI)  # a Tuesday morning: the desk works
NIGHT = datetime(2024, 6, 4, 23, 30, tzinfo=SHANGHAI)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(OPEN)


@pytest.fixture
async def desk(clock: Clock) -> AsyncIterator[HandoffService]:
    db = HandoffDatabase("sqlite+aiosqlite://")
    await db.create_tables()
    service = HandoffService(db, clock=clock)
    await service.save_agent("a1", "王芳", ["orders", "general"], online=True)
    set_handoff_service(service)
    yield service
    set_handoff_service(None)
    await db.dispose()
