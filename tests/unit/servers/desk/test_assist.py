"""Agent assist: NLU from Rasa, suggestions from the live knowledge base, visibility, canned."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import pytest
from aiohttp import web

from tests.unit.servers.desk.conftest import Desk, build_desk, desk_settings, kb_call, queued
from zhike.lib.backend_client.fake import InMemoryBackendClient
from zhike.lib.kb.domain import SERVICE, Actor, EntryDraft
from zhike.lib.kb.seed import ensure_seeded
from zhike.lib.kb.service import KnowledgeBase
from zhike.servers.desk import DeskSettings
from zhike.servers.desk.assist import AssistServices
from zhike.tools.stack import PROJECT_ROOT

SHIPPING = "亲，现货订单付款后48小时内发货哦"


class FakeRasa:
    """A real HTTP server on 127.0.0.1 playing Rasa's /model/parse and tracker routes."""

    def __init__(self) -> None:
        self.parse_result: dict[str, Any] = {}
        self.trackers: dict[str, dict[str, Any]] = {}
        self.parsed: list[str] = []
        self.raw_paths: list[str] = []
        self.delay = 0.0
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/model/parse", self._parse)
        app.router.add_get("/conversations/{sender}/tracker", self._tracker)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _parse(self, request: web.Request) -> web.Response:
        text = (await request.json())["text"]
        self.parsed.append(text)
        await asyncio.sleep(self.delay)
        return web.json_response({"text": text, **self.parse_result})

    async def _tracker(self, request: web.Request) -> web.Response:
        self.raw_paths.append(request.raw_path)
        sender = request.match_info["sender"]
        if sender not in self.trackers:
            return web.json_response({"error": "unknown"}, status=404)
        return web.json_response(self.trackers[sender])


def closed_port_url() -> str:
    """The URL of a port on 127.0.0.1 nothing listens on (Rasa down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
async def rasa() -> AsyncIterator[FakeRasa]:
    server = FakeRasa()
    await server.start()
    yield server
    await server.stop()


async def assist_desk(
    rasa_url: str | None, backend: InMemoryBackendClient | None = None, **settings: Any
) -> Desk:
    """A desk whose assist routes use ``rasa_url`` and the in-process fake backend."""
    built = await build_desk(desk_settings(rasa_url=rasa_url, **settings))
    built.app.ctx.desk_assist = AssistServices.from_settings(
        built.context.settings, backend=backend or InMemoryBackendClient()
    )
    return built


SEED = PROJECT_ROOT / "data" / "kb" / "faq.yml"
ADMIN = Actor("admin", SERVICE)
NLU = {
    "intent": {"name": "faq", "confidence": 0.97},
    "entities": [
        {"entity": "phone", "value": "13800138001", "start": 0, "end": 11},
        {"entity": "order_id", "value": "HP20240001", "confidence_entity": 0.9},
    ],
    # Rasa's own FAQ ranking is not where suggestions come from any more.
    "response_selector": {
        "default": {"ranking": [{"confidence": 0.99, "intent_response_key": "faq/membership"}]}
    },
}


async def seeded(desk: Desk) -> KnowledgeBase:
    """The desk's knowledge base with the project's FAQ seed published."""
    kb = desk.context.kb
    assert kb is not None
    await ensure_seeded(kb, SEED)
    return kb


async def published_id(kb: KnowledgeBase, question: str) -> int:
    page = await kb.list(query=question, status="published")
    return next(entry.id for entry in page.items if entry.question == question)


async def test_suggestions_are_the_published_entries_the_robot_would_find(rasa: FakeRasa) -> None:
    rasa.parse_result = NLU
    desk = await assist_desk(rasa.url)
    kb = await seeded(desk)
    conversation = await queued(desk)
    await desk.handoff.route_user_message("demo", "rest", "我付了钱大概几天能寄出来", "demo-m2")
    user = await desk.login("wangfang")

    response = await desk.call("GET", f"/conversations/{conversation}/assist", user)

    assert response.status == 200, response.text
    body = response.json
    assert rasa.parsed == ["我付了钱大概几天能寄出来"]  # the customer's last message
    assert body["message"] == {"seq": 2, "text": "我付了钱大概几天能寄出来"}
    assert body["errors"] == []
    assert body["nlu"]["intent"] == {"name": "faq", "confidence": 0.97}
    assert [e["value"] for e in body["nlu"]["entities"]] == ["138****8001", "HP20240001"]
    suggestions = body["suggestions"]
    assert 1 <= len(suggestions) <= 3
    assert suggestions[0]["id"] == await published_id(kb, "下单后多久发货？")
    assert suggestions[0]["question"] == "下单后多久发货？"
    assert suggestions[0]["answer"].startswith(SHIPPING)
    scores = [s["score"] for s in suggestions]
    assert scores == sorted(scores, reverse=True) and all(0 < x <= 1 for x in scores)
    # The same retrieval and thresholds as the robot: what the staff search says.
    searched = await kb_search(desk, user, "我付了钱大概几天能寄出来", k=3)
    assert body["decision"] == searched["decision"]
    assert [s["id"] for s in suggestions] == [h["id"] for h in searched["hits"]]
    await desk.context.close()


async def kb_search(desk: Desk, user: Any, text: str, k: int) -> dict[str, Any]:
    response = await kb_call(desk, "GET", f"/search?q={quote(text)}&k={k}", user)
    assert response.status == 200, response.text
    found: dict[str, Any] = response.json
    return found


async def test_a_published_entry_is_suggested_at_once_and_a_draft_never(
    rasa: FakeRasa,
) -> None:
    rasa.parse_result = NLU
    desk = await assist_desk(rasa.url)
    kb = await seeded(desk)
    conversation = await queued(desk)
    await desk.handoff.route_user_message("demo", "rest", "你们线下门店能自提吗", "demo-m2")
    user = await desk.login("wangfang")
    path = f"/conversations/{conversation}/assist"
    draft = EntryDraft(
        question="可以到门店自提吗？",
        answer="您好，下单时选择“门店自提”，到货后凭取件码到店领取即可。",
        similar=("线下门店能自提吗", "能去实体店取货吗"),
        category="配送",
    )
    entry = await kb.create(draft, ADMIN)

    before = (await desk.call("GET", path, user)).json
    await kb.publish(entry.id, ADMIN)
    after = (await desk.call("GET", path, user)).json

    assert entry.id not in [s["id"] for s in before["suggestions"]]  # a draft is not live
    assert after["suggestions"][0]["id"] == entry.id  # no restart, no waiting
    assert after["suggestions"][0]["answer"] == draft.answer
    await desk.context.close()


@pytest.mark.parametrize("down", ["closed_port", "not_configured"])
async def test_rasa_down_still_gives_suggestions(down: str) -> None:
    desk = await assist_desk(closed_port_url() if down == "closed_port" else None)
    await seeded(desk)
    conversation = await queued(desk)
    await desk.handoff.route_user_message("demo", "rest", "能开增值税发票吗", "demo-m2")
    user = await desk.login("wangfang")

    response = await desk.call("GET", f"/conversations/{conversation}/assist", user)

    assert response.status == 200, response.text
    body = response.json
    assert body["nlu"] is None
    code = "rasa_unavailable" if down == "closed_port" else "rasa_not_configured"
    assert [e["error"] for e in body["errors"]] == [code]
    assert body["suggestions"][0]["question"] == "怎么开发票？"
    assert 1 <= len(body["suggestions"]) <= 3
    await desk.context.close()


async def test_a_slow_rasa_times_out_and_suggestions_still_come(rasa: FakeRasa) -> None:
    rasa.parse_result, rasa.delay = NLU, 1.0
    desk = await assist_desk(rasa.url, assist_timeout=0.2)
    await seeded(desk)
    conversation = await queued(desk)
    user = await desk.login("wangfang")

    body = (await desk.call("GET", f"/conversations/{conversation}/assist", user)).json

    assert body["nlu"] is None
    assert body["errors"][0]["error"] == "rasa_unavailable"
    assert body["suggestions"]  # 我的快递怎么还没到？ finds the delivery entries
    await desk.context.close()


async def test_an_empty_knowledge_base_suggests_nothing_and_says_so(rasa: FakeRasa) -> None:
    rasa.parse_result = NLU
    desk = await assist_desk(rasa.url)
    conversation = await queued(desk)
    user = await desk.login("wangfang")

    body = (await desk.call("GET", f"/conversations/{conversation}/assist", user)).json

    assert body["suggestions"] == [] and body["decision"] == "none"
    assert body["errors"] == [] and body["nlu"]["intent"]["name"] == "faq"
    await desk.context.close()


async def test_no_user_message_answers_no_suggestions(rasa: FakeRasa) -> None:
    desk = await assist_desk(rasa.url)
    outcome = await desk.handoff.request_handoff("quiet", "rest", "C001", "orders", {})
    user = await desk.login("wangfang")

    body = (await desk.call("GET", f"/conversations/{outcome.conversation_id}/assist", user)).json

    assert body["message"] is None and body["suggestions"] == [] and body["decision"] is None
    assert rasa.parsed == []
    await desk.context.close()


async def test_assist_follows_the_transcript_visibility(rasa: FakeRasa) -> None:
    rasa.parse_result = NLU
    desk = await assist_desk(rasa.url)
    conversation = await queued(desk, group="orders")
    other_group = await desk.login("liuyang")
    boss = await desk.login("boss")

    denied = await desk.call("GET", f"/conversations/{conversation}/assist", other_group)
    anonymous = await desk.call("GET", f"/conversations/{conversation}/assist")
    missing = await desk.call("GET", "/conversations/999/assist", boss)
    allowed = await desk.call("GET", f"/conversations/{conversation}/assist", boss)

    assert (denied.status, denied.json["error"]) == (403, "forbidden_group")
    assert (anonymous.status, anonymous.json["error"]) == (401, "unauthenticated")
    assert missing.status == 404
    assert allowed.status == 200
    assert rasa.parsed == ["我的快递怎么还没到？"]  # only the allowed call reached Rasa
    await desk.context.close()


async def test_canned_answers_are_grouped_and_need_a_login() -> None:
    desk = await assist_desk(None)
    user = await desk.login("chenjing")

    response = await desk.call("GET", "/canned", user)
    anonymous = await desk.call("GET", "/canned")

    assert response.status == 200
    groups = response.json["groups"]
    assert [g["id"] for g in groups][:2] == ["greeting", "checking"]
    assert groups[0]["title"] == "问候"
    assert groups[0]["answers"][0]["id"] == "greeting.1"
    texts = [a["text"] for g in groups for a in g["answers"]]
    assert texts and all(t.strip() and "<" not in t for t in texts)
    assert anonymous.status == 401
    await desk.context.close()


def test_assist_settings_come_from_the_environment() -> None:
    settings = DeskSettings.from_env({"ZHIKE_DESK_ASSIST_TIMEOUT": "1.5"})

    assert settings.assist_timeout == 1.5
    assert DeskSettings.from_env({}).assist_timeout == 3.0
    with pytest.raises(ValueError):
        DeskSettings.from_env({"ZHIKE_DESK_ASSIST_TIMEOUT": "soon"})
    with pytest.raises(ValueError):
        DeskSettings.from_env({"ZHIKE_DESK_ASSIST_TIMEOUT": "0"})
