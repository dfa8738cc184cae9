"""Fixtures of the backend client unit tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from .backend_stub_server import StubServer, start_stub_server


@pytest.fixture
async def stub_server() -> AsyncIterator[StubServer]:
    state, runner = await start_stub_server()
    try:
        yield state
    finally:
        state.release.set()
        await runner.cleanup()
