"""A real Sanic server with the web chat channel, and a widget-like python-socketio client.

The agent stands in for Rasa's: it records each message, stores it and the bot's answer in
an in-memory tracker store (so catch-up finds them) and answers through the channel.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import socketio
from rasa.core.channels.channel import UserMessage, register
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Sanic

from zhike.channels.web.channel import WebChatInput
from zhike.tools.stack import free_port

BUTTONS = [{"title": "好的", "payload": "/affirm"}]


class StoreAgent:
    """Stands in for rasa's Agent: a tracker store, and replies sent with Rasa's logic.

    Args:
        hold: when given, each message waits for it before it is answered.
    """

    def __init__(self, hold: asyncio.Event | None = None) -> None:
        self.tracker_store = InMemoryTrackerStore(Domain.empty())
        self.messages: list[UserMessage] = []
        self.hold = hold

    async def handle_message(self, message: UserMessage) -> None:
        self.messages.append(message)
        if self.hold is not None:
            await self.hold.wait()
        tracker = await self.tracker_store.get_or_create_tracker(message.sender_id)
        tracker.update(
            UserUttered(message.text, input_channel=message.input_channel, message_id="m")
        )
        reply = BotUttered(f"收到：{message.text}", data={"buttons": BUTTONS})
        tracker.update(reply)
        await self.tracker_store.save(tracker)
        assert message.output_channel is not None
        await message.output_channel.send_response(message.sender_id, reply.message())


@asynccontextmanager
async def serve(
    channel: WebChatInput, agent: StoreAgent | None = None
) -> AsyncIterator[tuple[str, StoreAgent]]:
    """Serves the channel on 127.0.0.1; yields the base URL and the agent."""
    agent = agent or StoreAgent()
    app = Sanic(f"zhike_web_test_{uuid.uuid4().hex}")
    register([channel], app, route="/webhooks/")  # what rasa.core.run.configure_app does
    app.ctx.agent = agent
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    await server.before_start()  # the channel's listener remembers the app
    await server.start_serving()
    try:
        yield f"http://127.0.0.1:{port}", agent
    finally:
        server.close()
        await server.wait_closed()


class Client:
    """A widget's socket: ``session_request``, ``user_uttered`` and ``zhike_sync``."""

    def __init__(self, url: str, channel: WebChatInput) -> None:
        self.url = url
        self.channel = channel
        self.sio = socketio.AsyncClient()
        self.replies: list[dict] = []
        self.confirms: list[str] = []
        self.proofs: list[dict] = []  # zhike_session: {"session_id", "session_token"}
        self._events = asyncio.Queue[str]()
        self.sio.on("bot_uttered", self.replies.append)
        self.sio.on("zhike_session", self.proofs.append)
        self.sio.on("session_confirm", self._confirmed)

    async def _confirmed(self, session_id: str) -> None:
        self.confirms.append(session_id)
        await self._events.put(session_id)

    async def __aenter__(self) -> Client:
        # long polling: python-engineio's websocket client needs a newer aiohttp than Rasa's;
        # the default 1 s wait for the namespace is too short on a busy CI machine
        await self.sio.connect(
            self.url, socketio_path="/socket.io", transports=["polling"], wait_timeout=15
        )
        return self

    async def __aexit__(self, *_: Any) -> None:
        assert self.channel.sio is not None  # the server ends the long poll at once
        await self.channel.sio.disconnect(self.sio.get_sid())
        await self.sio.disconnect()

    @property
    def token(self) -> str:
        """The newest session token the server gave this socket."""
        return str(self.proofs[-1]["session_token"])

    async def session(
        self,
        session_id: str | None = None,
        token: str | None = None,
        login_token: str | None = None,
    ) -> str:
        """Asks for a session (continuing ``session_id`` with ``token``); the one confirmed."""
        request: dict[str, Any] = {"session_id": session_id}
        if token is not None:
            request["session_token"] = token
        if login_token is not None:
            request["customData"] = {"login_token": login_token}
        await self.sio.emit("session_request", request)
        return await asyncio.wait_for(self._events.get(), 5)

    async def say(
        self,
        text: Any,
        session_id: str | None = None,
        login_token: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        """Sends a message; returns once the server acknowledged it (after the answer)."""
        done = asyncio.Event()
        data: dict[str, Any] = {"message": text, "session_id": session_id or self.confirms[-1]}
        data["customData"] = dict(metadata or {})
        if login_token is not None:
            data["customData"]["login_token"] = login_token
        await self.sio.emit("user_uttered", data, callback=lambda *_: done.set())
        await asyncio.wait_for(done.wait(), 5)

    async def sync(self, data: Any) -> list[dict]:
        """The catch-up answer for ``data``."""
        reply = await self.sio.call("zhike_sync", data, timeout=5)
        assert isinstance(reply, dict)
        return list(reply["messages"])
