from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.services import set_orders_client
from zhike.backend_client.fake import InMemoryBackendClient

FIXTURES = Path(__file__).with_name("fixtures")


@pytest.fixture
def load_tracker() -> Callable[..., Tracker]:
    """Builds a Tracker from a JSON fixture, with slots overridden by keyword."""

    def load(name: str, **slots: Any) -> Tracker:
        state = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
        state["slots"].update(slots)
        return Tracker.from_dict(state)

    return load


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture
def backend() -> Iterator[InMemoryBackendClient]:
    client = InMemoryBackendClient()
    set_orders_client(client)
    yield client
    set_orders_client(None)
