"""The desk's calls to Rasa's HTTP API, against a loopback server playing Rasa."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from zhike.servers.desk.delivery.rasa_api import RasaApiError, RasaConversations


@pytest.fixture
async def rasa() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    calls: list[dict[str, Any]] = []

    async def events(request: web.Request) -> web.Response:
        calls.append(
            {
                "path": request.raw_path.split("?")[0],
                "query": dict(request.query),
                "body": json.loads(await request.read()),
            }
        )
        return web.json_response({}, status=500 if "broken" in request.raw_path else 200)

    app = web.Application()
    app.router.add_post("/conversations/{sender:.+}/tracker/events", events)
    app.router.add_post("/conversations/{sender:.+}/execute", events)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}", calls
    await runner.cleanup()


async def test_an_agent_reply_is_a_bot_event_sent_through_the_latest_channel(
    rasa: tuple[str, list[dict[str, Any]]],
) -> None:
    url, calls = rasa
    await RasaConversations(url, token="t0k").send_agent_message("app:C001", "您好", "a1")
    [call] = calls
    assert call["path"] == "/conversations/app:C001/tracker/events"  # ':' kept: Rasa won't unquote
    assert call["query"] == {
        "output_channel": "latest",
        "execute_side_effects": "true",
        "token": "t0k",
    }
    assert call["body"] == [{"event": "bot", "text": "您好", "metadata": {"agent_id": "a1"}}]


async def test_take_over_and_hand_back_set_the_slot_without_sending_anything(
    rasa: tuple[str, list[dict[str, Any]]],
) -> None:
    url, calls = rasa
    api = RasaConversations(url)
    await api.set_handoff_state("wechat:oE2E_ab-1", "agent")
    await api.set_handoff_state("wechat:oE2E_ab-1", None)
    assert [c["body"][0]["value"] for c in calls] == ["agent", None]
    assert all(c["query"] == {} for c in calls)


async def test_errors_are_reported(rasa: tuple[str, list[dict[str, Any]]]) -> None:
    url, _ = rasa
    with pytest.raises(RasaApiError, match="HTTP 500"):
        await RasaConversations(url).set_handoff_state("broken", None)
    with pytest.raises(RasaApiError, match="unreachable"):
        await RasaConversations("http://127.0.0.1:9", timeout=1).set_handoff_state("x", None)


async def test_asking_for_a_rating_runs_the_action_on_the_latest_channel(
    rasa: tuple[str, list[dict[str, Any]]],
) -> None:
    url, calls = rasa
    await RasaConversations(url).ask_rating("socket-session-1")
    execute, listen = calls
    assert execute["path"] == "/conversations/socket-session-1/execute"
    assert execute["query"] == {"output_channel": "latest"}
    assert execute["body"] == {"name": "action_ask_rating"}
    assert listen["body"] == [{"event": "action", "name": "action_listen"}]


async def test_outbox_keys_travel_in_the_event_metadata(
    rasa: tuple[str, list[dict[str, Any]]],
) -> None:
    url, calls = rasa
    api = RasaConversations(url)
    await api.send_agent_message("u1", "您好", "a1", key="zo-1")
    await api.set_handoff_state("u1", "agent", key="zo-2")
    await api.ask_rating("u1", key="zo-3")
    reply, slot, execute, listen = calls
    assert reply["body"][0]["metadata"] == {"agent_id": "a1", "zhike_outbox_key": "zo-1"}
    assert slot["body"][0]["metadata"] == {"zhike_outbox_key": "zo-2"}
    assert execute["body"] == {"name": "action_ask_rating"}
    assert listen["body"] == [
        {"event": "action", "name": "action_listen", "metadata": {"zhike_outbox_key": "zo-3"}}
    ]
