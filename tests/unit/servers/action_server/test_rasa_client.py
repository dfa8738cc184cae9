"""Rasa's action call is retried once when the action server closed its connection."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import struct
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from zhike.servers.action_server import TOKEN_HEADER, rasa_client
from zhike.servers.action_server.rasa_client import (
    ActionClientPatchError,
    install_action_call_retry,
)
from zhike.tools.stack import free_port

from .server import TOKEN, action_server

ANSWER = json.dumps({"events": [{"event": "slot", "name": "order_id", "value": "HP1"}]})


class FlakyActionServer:
    """A loopback HTTP server that handles its connections as ``modes`` says, in turn.

    ``close`` reads the whole request and closes the connection without an answer (the
    client sees ``ServerDisconnectedError``); ``reset`` aborts the connection with a TCP
    reset as soon as it is accepted (``ClientOSError``); ``error`` answers 500; ``answer`` answers
    :data:`ANSWER`. Connections beyond the list are answered.
    """

    def __init__(self, modes: list[str]) -> None:
        self.modes = modes
        self.connections = 0
        self.server: asyncio.AbstractServer | None = None
        self.url = ""

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/webhook"

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        mode = self.modes[self.connections] if self.connections < len(self.modes) else "answer"
        self.connections += 1
        try:
            if mode == "reset":
                sock = writer.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                writer.transport.abort()
                return
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.decode("latin-1").split("\r\n"):
                if line.lower().startswith("content-length:"):
                    length = int(line.split(":", 1)[1])
            await reader.readexactly(length)
            if mode == "close":
                writer.close()
                return
            status, body = (
                ("500 Internal Server Error", "{}") if mode == "error" else ("200 OK", ANSWER)
            )
            writer.write(
                f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}".encode()
            )
            await writer.drain()
            writer.close()
        except (ConnectionError, asyncio.IncompleteReadError):
            writer.close()


@pytest.fixture(autouse=True)
def original_rasa(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with Rasa's own RemoteAction.run; the patch is undone afterwards."""
    original = getattr(RemoteAction.run, "__wrapped__", RemoteAction.run)
    monkeypatch.setattr(RemoteAction, "run", original)


@pytest.fixture
async def flaky(request: pytest.FixtureRequest) -> AsyncIterator[FlakyActionServer]:
    server = FlakyActionServer(request.param)
    await server.start()
    yield server
    await server.stop()


async def run_action(url: str, headers: dict[str, str] | None = None) -> list:
    """What Rasa does to run the custom action ``action_order_status``."""
    action = RemoteAction("action_order_status", EndpointConfig(url, headers=headers))
    tracker = DialogueStateTracker("s-1", slots=[])
    return await action.run(
        CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, Domain.empty()
    )


@pytest.mark.parametrize("flaky", [["close"], ["reset"]], indirect=True, ids=["close", "reset"])
async def test_without_the_retry_a_closed_connection_loses_the_action(
    flaky: FlakyActionServer,
) -> None:
    with pytest.raises(RasaException):
        await run_action(flaky.url)
    assert flaky.connections == 1


@pytest.mark.parametrize("flaky", [["close"], ["reset"]], indirect=True, ids=["close", "reset"])
async def test_a_closed_connection_is_retried_once_on_a_new_one(
    flaky: FlakyActionServer, caplog: pytest.LogCaptureFixture
) -> None:
    install_action_call_retry()
    install_action_call_retry()  # idempotent
    with caplog.at_level(logging.WARNING, logger=rasa_client.__name__):
        events = await run_action(flaky.url)
    assert events == [SlotSet("order_id", "HP1")]
    assert flaky.connections == 2
    [warning] = [r for r in caplog.records if r.name == rasa_client.__name__]
    assert "action_order_status" in warning.getMessage()


@pytest.mark.parametrize("flaky", [["close", "close"]], indirect=True)
async def test_only_one_retry(flaky: FlakyActionServer) -> None:
    install_action_call_retry()
    with pytest.raises(RasaException):
        await run_action(flaky.url)
    assert flaky.connections == 2


@pytest.mark.parametrize("flaky", [["error"]], indirect=True)
async def test_an_error_answer_is_not_retried(flaky: FlakyActionServer) -> None:
    install_action_call_retry()
    with pytest.raises(RasaException):
        await run_action(flaky.url)
    assert flaky.connections == 1


async def test_a_server_that_is_down_is_not_retried(caplog: pytest.LogCaptureFixture) -> None:
    install_action_call_retry()
    with caplog.at_level(logging.WARNING, logger=rasa_client.__name__):
        with pytest.raises(RasaException):
            await run_action(f"http://127.0.0.1:{free_port()}/webhook")
    assert not [r for r in caplog.records if r.name == rasa_client.__name__]


def test_another_rasa_version_is_refused_with_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import rasa

    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    with pytest.raises(ActionClientPatchError, match="3.7.0"):
        install_action_call_retry()


def test_a_changed_signature_is_refused_with_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def run(self: RemoteAction, tracker: object, domain: object) -> list:
        return []

    monkeypatch.setattr(RemoteAction, "run", run)
    with pytest.raises(ActionClientPatchError, match="run"):
        install_action_call_retry()
    assert RemoteAction.run is run  # left alone


@pytest.fixture(scope="module")
def real_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with action_server(tmp_path_factory.mktemp("rasa-client")) as server:
        yield f"{server.url}/webhook"


async def test_rasa_with_the_token_header_runs_actions_on_the_real_server(
    real_server: str, tmp_path: Path
) -> None:
    install_action_call_retry()
    events = await run_action(real_server, headers={TOKEN_HEADER: TOKEN})
    assert SlotSet("order_id", None) in events
    with pytest.raises(RasaException):  # without the header: 401
        await run_action(real_server)
