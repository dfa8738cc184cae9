"""Agent assist: NLU and FAQ suggestions, local fallback, visibility, canned answers."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from tests.unit.servers.desk.conftest import Desk, build_desk, desk_settings, queued
from zhike.lib.backend_client.fake import InMemoryBackendClient
from zhike.servers.desk import DeskSettings
from zhike.servers.desk.assist import AssistServices
from zhike.servers.desk.knowledge import FaqKnowledgeBase, bigrams, parse_faq

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


SELECTOR = {
    "intent": {"name": "faq", "confidence": 0.97},
    "entities": [
        {"entity": "phone", "value": "13800138001", "start": 0, "end": 11},
        {"entity": "order_id", "value": "HP20240001", "confidence_entity": 0.9},
    ],
    "response_selector": {
        "all_retrieval_intents": ["faq"],
        "default": {
            "response": {"intent_response_key": "faq/shipping_time"},
            "ranking": [
                {"id": 1, "confidence": 0.91, "intent_response_key": "faq/shipping_time"},
                {"id": 2, "confidence": 0.05, "intent_response_key": "faq/no_such_answer"},
                {"id": 3, "confidence": 0.02, "intent_response_key": "faq/delivery_area"},
                {"id": 4, "confidence": 0.01, "intent_response_key": "faq/return_policy"},
                {"id": 5, "confidence": 0.01, "intent_response_key": "faq/membership"},
            ],
        },
    },
}


async def test_suggestions_come_from_the_response_selector(rasa: FakeRasa) -> None:
    rasa.parse_result = SELECTOR
    desk = await assist_desk(rasa.url)
    conversation = await queued(desk)
    await desk.handoff.route_user_message("demo", "rest", "多久能发货", "demo-m2")
    user = await desk.login("wangfang")

    response = await desk.call("GET", f"/conversations/{conversation}/assist", user)

    assert response.status == 200, response.text
    body = response.json
    assert rasa.parsed == ["多久能发货"]  # the customer's last message
    assert body["message"] == {"seq": 2, "text": "多久能发货"}
    assert body["source"] == "rasa" and body["errors"] == []
    assert body["nlu"]["intent"] == {"name": "faq", "confidence": 0.97}
    assert [e["value"] for e in body["nlu"]["entities"]] == ["138****8001", "HP20240001"]
    suggestions = body["suggestions"]
    assert [s["key"] for s in suggestions] == ["shipping_time", "delivery_area", "return_policy"]
    assert suggestions[0]["answer"].startswith(SHIPPING)
    assert suggestions[0]["score"] == 0.91
    assert suggestions[0]["question"]
    await desk.context.close()


async def test_no_faq_ranking_falls_back_to_the_local_ranking(rasa: FakeRasa) -> None:
    rasa.parse_result = {"intent": {"name": "query_order", "confidence": 0.8}, "entities": []}
    desk = await assist_desk(rasa.url)
    conversation = await queued(desk)
    await desk.handoff.route_user_message("demo", "rest", "一般多久发货呀", "demo-m2")
    user = await desk.login("wangfang")

    body = (await desk.call("GET", f"/conversations/{conversation}/assist", user)).json

    assert body["source"] == "local"
    assert body["nlu"]["intent"]["name"] == "query_order"
    assert body["suggestions"][0]["key"] == "shipping_time"
    await desk.context.close()


@pytest.mark.parametrize("down", ["closed_port", "not_configured"])
async def test_rasa_down_still_gives_local_suggestions(down: str) -> None:
    desk = await assist_desk(closed_port_url() if down == "closed_port" else None)
    conversation = await queued(desk)
    await desk.handoff.route_user_message("demo", "rest", "能开增值税发票吗", "demo-m2")
    user = await desk.login("wangfang")

    response = await desk.call("GET", f"/conversations/{conversation}/assist", user)

    assert response.status == 200, response.text
    body = response.json
    assert body["source"] == "local" and body["nlu"] is None
    code = "rasa_unavailable" if down == "closed_port" else "rasa_not_configured"
    assert [e["error"] for e in body["errors"]] == [code]
    assert body["suggestions"][0]["key"] == "invoice_rules"
    assert 1 <= len(body["suggestions"]) <= 3
    assert all(0 < s["score"] <= 1 for s in body["suggestions"])
    await desk.context.close()


async def test_a_slow_rasa_times_out_into_the_fallback(rasa: FakeRasa) -> None:
    rasa.parse_result, rasa.delay = SELECTOR, 1.0
    desk = await assist_desk(rasa.url, assist_timeout=0.2)
    conversation = await queued(desk)
    user = await desk.login("wangfang")

    body = (await desk.call("GET", f"/conversations/{conversation}/assist", user)).json

    assert body["source"] == "local"
    assert body["errors"][0]["error"] == "rasa_unavailable"
    await desk.context.close()


async def test_no_user_message_answers_no_suggestions(rasa: FakeRasa) -> None:
    desk = await assist_desk(rasa.url)
    outcome = await desk.handoff.request_handoff("quiet", "rest", "C001", "orders", {})
    user = await desk.login("wangfang")

    body = (await desk.call("GET", f"/conversations/{outcome.conversation_id}/assist", user)).json

    assert body["message"] is None and body["suggestions"] == [] and body["source"] is None
    assert rasa.parsed == []
    await desk.context.close()


async def test_assist_follows_the_transcript_visibility(rasa: FakeRasa) -> None:
    rasa.parse_result = SELECTOR
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


async def test_the_faq_file_is_parsed_into_answers_once(tmp_path: Any) -> None:
    path = tmp_path / "faq.yml"
    path.write_text(
        "nlu:\n  - intent: faq/a\n    examples: |\n      - 怎么退货\n      - 退货流程\n"
        "  - intent: greet\n    examples: |\n      - 你好\n"
        'responses:\n  utter_faq/a:\n    - text: "七天无理由退货"\n'
        '  utter_faq/b:\n    - text: "没有例句也能用"\n  utter_greet:\n    - text: "你好"\n',
        encoding="utf-8",
    )
    kb = FaqKnowledgeBase(path)

    entries = await kb.entries()
    path.unlink()  # read once: later calls do not touch the file

    assert set(entries) == {"a", "b"}
    assert (await kb.answer("faq/a")).answer == "七天无理由退货"  # type: ignore[union-attr]
    assert [e.key for e, _ in await kb.rank_local("我想退货")] == ["a"]
    assert await kb.rank_local("你好") == []
    assert parse_faq(None) == {} and bigrams("退") == frozenset({"退"})


async def test_a_missing_faq_file_is_an_empty_knowledge_base(tmp_path: Any) -> None:
    kb = FaqKnowledgeBase(tmp_path / "missing.yml")
    assert await kb.entries() == {}
    assert await kb.rank_local("发货") == []


def test_assist_settings_come_from_the_environment(tmp_path: Any) -> None:
    env = {"ZHIKE_DESK_FAQ_PATH": str(tmp_path / "faq.yml"), "ZHIKE_DESK_ASSIST_TIMEOUT": "1.5"}

    settings = DeskSettings.from_env(env)

    assert settings.faq_path == tmp_path / "faq.yml"
    assert settings.assist_timeout == 1.5
    assert DeskSettings.from_env({}).faq_path.parts[-3:] == ("data", "nlu", "faq.yml")
    assert DeskSettings.from_env({}).faq_path.exists()
    with pytest.raises(ValueError):
        DeskSettings.from_env({"ZHIKE_DESK_ASSIST_TIMEOUT": "soon"})
    with pytest.raises(ValueError):
        DeskSettings.from_env({"ZHIKE_DESK_ASSIST_TIMEOUT": "0"})
