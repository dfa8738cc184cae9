"""The REST channel against hostile bodies, long texts, streaming and overload.

Driven through a Sanic app wired the way ``rasa run`` wires channels, with a stand-in
agent; overload and streaming through a real server on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic

from zhike.channels import admission
from zhike.channels.limits import MAX_USER_TEXT, TRUNCATED_NOTICE
from zhike.channels.rest import RestInput
from zhike.lib.identity.assertion import METADATA_KEY
from zhike.tools.stack import free_port

URL = "/webhooks/rest/webhook"
PROJECT_ROOT = Path(__file__).resolve().parents[3]


class FakeAgent:
    """Stands in for rasa's Agent: records messages and answers through their channel."""

    def __init__(self, fail: bool = False, hold: asyncio.Event | None = None) -> None:
        self.messages: list[UserMessage] = []
        self.fail = fail
        self.hold = hold

    async def handle_message(self, message: UserMessage) -> None:
        self.messages.append(message)
        if self.hold is not None:
            await self.hold.wait()
        if self.fail:
            raise RuntimeError("boom")
        assert message.output_channel is not None
        await message.output_channel.send_text_message(message.sender_id, f"收到：{message.text}")
        await message.output_channel.send_text_message(message.sender_id, "还有什么可以帮您？")


def _app(agent: FakeAgent, gate: admission.Gate | None = None) -> Sanic:
    app = Sanic(f"zhike_rest_test_{uuid.uuid4().hex}")
    register([RestInput(gate=gate or admission.Gate())], app, route="/webhooks/")
    app.ctx.agent = agent
    return app


async def _post(
    content: bytes, agent: FakeAgent | None = None, query: str = ""
) -> tuple[Any, FakeAgent]:
    agent = agent or FakeAgent()
    _, response = await _app(agent).asgi_client.post(URL + query, content=content)
    return response, agent


async def test_a_valid_message_is_answered_as_rasa_does() -> None:
    response, agent = await _post(json.dumps({"sender": "demo-1", "message": " 你好 "}).encode())
    assert response.status == 200
    assert response.json == [
        {"recipient_id": "demo-1", "text": "收到：你好"},
        {"recipient_id": "demo-1", "text": "还有什么可以帮您？"},
    ]
    [message] = agent.messages
    assert (message.sender_id, message.input_channel, message.text) == ("demo-1", "rest", "你好")


async def test_the_sender_defaults_to_rasas_default() -> None:
    response, agent = await _post(b'{"message": "hi"}')
    assert response.status == 200 and agent.messages[0].sender_id == "default"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "malformed_json"),
        (b"[]", "malformed_json"),
        (b'["hi"]', "malformed_json"),
        (b'"hello"', "malformed_json"),
        (b"null", "malformed_json"),
        (b"42", "malformed_json"),
        (b"{not json", "malformed_json"),
        (b'{"message": "hi"', "malformed_json"),
        (b"[" * 60_000, "malformed_json"),
        (b'{"message": "hi", "metadata": ' + b"[" * 40 + b"]" * 40 + b"}", "malformed_json"),
        (b"\xff\xfe{\x00}", "invalid_encoding"),
        (b'{"message": "caf\xe9"}', "invalid_encoding"),
        (b'{"message": "hi\x00"}', "invalid_encoding"),
        (b'{"message": "hi\\u0000there"}', "invalid_encoding"),
        (b'{"message": "\\ud800"}', "invalid_encoding"),
        (b'{"message": "hi", "metadata": {"k": "\\udfff"}}', "invalid_encoding"),
        (b"{}", "invalid_message"),
        (b'{"message": null}', "invalid_message"),
        (b'{"message": 123}', "invalid_message"),
        (b'{"message": ["hi"]}', "invalid_message"),
        (b'{"message": {"text": "hi"}}', "invalid_message"),
        (b'{"message": true}', "invalid_message"),
        (b'{"message": ""}', "empty_message"),
        (b'{"message": " \\n\\t "}', "empty_message"),
        (b'{"sender": 5, "message": "hi"}', "invalid_sender"),
        (b'{"sender": ["a"], "message": "hi"}', "invalid_sender"),
        (b'{"sender": "", "message": "hi"}', "invalid_sender"),
        (b'{"sender": "a\\nb", "message": "hi"}', "invalid_sender"),
        (json.dumps({"sender": "x" * 129, "message": "hi"}).encode(), "invalid_sender"),
        (b'{"sender": "app:C001", "message": "hi"}', "reserved_sender"),
        (b'{"sender": "wechat:oABC", "message": "/restart"}', "reserved_sender"),
        (b'{"sender": "wecom:zhangsan", "message": "hi"}', "reserved_sender"),
        (b'{"message": "hi", "metadata": [1]}', "invalid_metadata"),
        (b'{"message": "hi", "metadata": "x"}', "invalid_metadata"),
    ],
)
async def test_a_bad_body_is_a_400_json_error_never_a_500(content: bytes, code: str) -> None:
    response, agent = await _post(content)
    assert response.status == 400, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json["error"] == code and response.json["message"]
    assert "Traceback" not in response.text
    assert agent.messages == []


async def test_a_huge_body_is_refused_with_413() -> None:
    response, agent = await _post(json.dumps({"message": "订" * 40_000}).encode())
    assert response.status == 413 and response.json["error"] == "body_too_large"
    assert agent.messages == []


async def test_a_long_message_is_cut_and_the_customer_is_told() -> None:
    text = "我想咨询一下" + "很长" * 3000
    response, agent = await _post(json.dumps({"sender": "long-1", "message": text}).encode())
    assert response.status == 200
    assert len(agent.messages[0].text) == MAX_USER_TEXT
    assert agent.messages[0].text == text[:MAX_USER_TEXT]
    replies = response.json
    assert replies[0] == {"recipient_id": "long-1", "text": TRUNCATED_NOTICE}
    assert replies[1]["text"].startswith("收到：我想咨询一下")


async def test_a_message_of_exactly_the_limit_has_no_notice() -> None:
    response, agent = await _post(json.dumps({"message": "订" * MAX_USER_TEXT}).encode())
    assert [r["text"] for r in response.json] == [
        "收到：" + "订" * MAX_USER_TEXT,
        "还有什么可以帮您？",
    ]


async def test_the_client_cannot_choose_the_channel_or_an_identity() -> None:
    body = {
        "sender": "demo-2",
        "message": "我的订单",
        "input_channel": "wechat",
        "metadata": {METADATA_KEY: {"customer_id": "C001"}, "page": "/cart"},
    }
    response, agent = await _post(json.dumps(body).encode())
    assert response.status == 200
    [message] = agent.messages
    assert message.input_channel == "rest"
    assert message.metadata == {"page": "/cart"}


async def test_a_failure_while_handling_is_a_json_500_without_a_trace() -> None:
    response, _ = await _post(b'{"message": "hi"}', agent=FakeAgent(fail=True))
    assert response.status == 500
    assert response.json == {
        "error": "internal_error",
        "message": "the message could not be handled",
    }


@pytest.mark.parametrize(("env", "warned"), [("production", True), ("development", False)])
def test_a_production_server_with_the_rest_channel_warns(
    env: str, warned: bool, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ZHIKE_ENV", env)
    with caplog.at_level(logging.WARNING, logger="zhike.channels.rest"):
        _app(FakeAgent())
    assert ("credentials.production.yml" in caplog.text) is warned


def test_project_credentials_use_this_channel_under_rasas_url() -> None:
    from rasa.core.run import _create_single_channel
    from rasa.shared.utils.io import read_config_file

    credentials = read_config_file(str(PROJECT_ROOT / "credentials.yml"))
    assert "rest" not in credentials  # Rasa's unhardened channel
    rest = _create_single_channel(
        "zhike.channels.rest.RestInput", credentials["zhike.channels.rest.RestInput"]
    )
    assert isinstance(rest, RestInput) and rest.url_prefix() == "rest"


# --- a real server: streaming and load shedding ----------------------------------------


@pytest.fixture
async def server() -> AsyncIterator[Any]:
    started: list[Any] = []

    async def start(agent: FakeAgent, gate: admission.Gate) -> str:
        port = free_port()
        srv = await _app(agent, gate).create_server(
            host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
        )
        assert srv is not None
        await srv.startup()
        await srv.start_serving()
        started.append(srv)
        return f"http://127.0.0.1:{port}"

    yield start
    for srv in started:
        srv.close()
        await srv.wait_closed()


async def test_streaming_sends_each_reply_as_a_json_line(server: Any) -> None:
    base = await server(FakeAgent(), admission.Gate())
    text = "长" * (MAX_USER_TEXT + 5)
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(
            base + URL + "?stream=true", json={"sender": "s-1", "message": text}
        )
    assert response.status_code == 200
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert lines[0] == {"recipient_id": "s-1", "text": TRUNCATED_NOTICE}
    assert [line["text"] for line in lines[2:]] == ["还有什么可以帮您？"]
    assert lines[1]["text"].startswith("收到：长")


async def test_past_the_bound_messages_are_refused_with_503_and_retry_after(
    server: Any,
) -> None:
    hold = asyncio.Event()
    agent = FakeAgent(hold=hold)
    gate = admission.Gate(admission.Limits(max_inflight=2, max_queued=1, max_wait=10))
    base = await server(agent, gate)
    async with httpx.AsyncClient(timeout=10) as client:

        async def say(i: int, query: str = "") -> httpx.Response:
            return await client.post(base + URL + query, json={"sender": f"u{i}", "message": "hi"})

        held = [asyncio.create_task(say(i)) for i in range(3)]  # 2 in flight, 1 waiting
        for _ in range(500):  # at most 5 s
            if gate.inflight == 2 and gate.queued == 1:
                break
            await asyncio.sleep(0.01)
        refused = await say(9)
        refused_stream = await say(10, "?stream=true")
        hold.set()
        answered = await asyncio.gather(*held)

    for response in (refused, refused_stream):
        assert response.status_code == 503
        assert response.headers["retry-after"] == str(admission.RETRY_AFTER_SECONDS)
        assert response.json()["error"] == "overloaded"
        assert response.json()["text"] == admission.BUSY_NOTICE
    assert [r.status_code for r in answered] == [200, 200, 200]
    assert all(r.json()[0]["text"] == "收到：hi" for r in answered)
    assert sorted(m.sender_id for m in agent.messages) == ["u0", "u1", "u2"]
    assert (gate.inflight, gate.queued) == (0, 0)
