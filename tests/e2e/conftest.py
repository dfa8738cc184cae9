"""Starts the real stack (backend, action server, Rasa server) once for the e2e tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from zhike.stack import PROJECT_ROOT, Stack, StackConfig

MODEL = PROJECT_ROOT / "models" / "zhike.tar.gz"


class Conversation:
    """One user talking to the bot through the REST channel."""

    def __init__(self, rasa_url: str, sender: str | None = None) -> None:
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.sender = sender or f"e2e-{uuid.uuid4().hex[:12]}"

    def send(self, message: str) -> list[dict]:
        """Sends ``message`` and returns the bot's replies (asserting HTTP 200)."""
        response = httpx.post(
            self.url, json={"sender": self.sender, "message": message}, timeout=30
        )
        assert response.status_code == 200, response.text
        replies = response.json()
        assert isinstance(replies, list)
        return replies

    def say(self, message: str) -> str:
        """Sends ``message`` and returns all reply texts joined by newlines."""
        return "\n".join(r.get("text", "") for r in self.send(message))


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.skip(f"no trained model at {MODEL}: run `make train` (make test trains it)")
    state: Path = tmp_path_factory.mktemp("stack")
    running = Stack(StackConfig.on_free_ports(MODEL, state))
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def chat(stack: Stack) -> Conversation:
    return Conversation(stack.config.rasa_url)
