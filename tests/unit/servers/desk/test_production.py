"""The desk's start in production: a strong Rasa token, sent on every call; masked logs."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from zhike.common.deployment import ConfigurationError
from zhike.servers.desk import __main__ as desk_main
from zhike.servers.desk.assist import AssistServices
from zhike.servers.desk.config import check_production
from zhike.servers.desk.context import open_context
from zhike.servers.desk.delivery.rasa_api import hide_token
from zhike.servers.desk.delivery.sink import RasaSink
from zhike.tools.stack import PROJECT_ROOT

from .conftest import desk_settings

STRONG = "f" * 64


@pytest.fixture
def entry(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """``main`` with serving and process-wide hardening stubbed; records what was served."""
    served: list[Any] = []
    monkeypatch.setattr(desk_main, "serve", lambda args, settings: served.append(settings) or 0)
    monkeypatch.setattr(desk_main, "harden_process", lambda: None)
    monkeypatch.setattr(logging, "_logRecordFactory", logging.getLogRecordFactory())
    for name in ("ZHIKE_ENV", "ZHIKE_DESK_RASA_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return served


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        (None, "ZHIKE_DESK_RASA_TOKEN is not set"),
        ("change-me", "placeholder"),
        ("short-token", "at least 32 bytes"),
    ],
)
def test_production_refuses_to_start_without_a_strong_rasa_token(
    entry: list[Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    token: str | None,
    problem: str,
) -> None:
    if token is not None:
        monkeypatch.setenv("ZHIKE_DESK_RASA_TOKEN", token)
    assert desk_main.main(["--port", "1"]) == 2
    assert entry == []
    error = capsys.readouterr().err
    assert problem in error and "ZHIKE_ENV=development" in error
    assert "Traceback" not in error


def test_production_starts_with_a_strong_token_and_development_without_one(
    entry: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZHIKE_DESK_RASA_TOKEN", STRONG)
    assert desk_main.main(["--port", "1"]) == 0
    assert entry[-1].rasa_token == STRONG
    monkeypatch.delenv("ZHIKE_DESK_RASA_TOKEN")
    monkeypatch.setenv("ZHIKE_ENV", "development")
    assert desk_main.main(["--port", "1"]) == 0
    assert len(entry) == 2
    check_production({"ZHIKE_ENV": "development"})
    with pytest.raises(ConfigurationError):
        check_production({"ZHIKE_DESK_RASA_TOKEN": "x"})


def test_the_entry_point_masks_logs_and_hides_tokens(
    entry: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZHIKE_ENV", "development")
    assert desk_main.main(["--port", "1"]) == 0
    record = logging.getLogger("zhike.servers.desk.test").makeRecord(
        "zhike.servers.desk.test", logging.INFO, __file__, 1, "customer %s", ("13800138000",), None
    )
    assert record.getMessage() == "customer 138****8000"
    url = logging.getLogger("httpx._client").makeRecord(
        "httpx._client",
        logging.DEBUG,
        __file__,
        1,
        "HTTP Request: %s",
        (f"/x?token={STRONG}",),
        None,
    )
    assert url.getMessage() == "HTTP Request: /x?token=***"
    assert hide_token(f"/a?b=1&token={STRONG}&c=2") == "/a?b=1&token=***&c=2"


def test_a_real_desk_process_says_why_it_does_not_start() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZHIKE_ENV", "ZHIKE_DESK"))}
    result = subprocess.run(
        [sys.executable, "-m", "zhike.servers.desk", "--port", "1"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "refusing to start a production configuration" in result.stderr
    assert "ZHIKE_DESK_RASA_TOKEN is not set" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
async def rasa() -> AsyncIterator[tuple[str, list[tuple[str, str | None]]]]:
    """A loopback server answering every Rasa route the desk calls; records each token."""
    calls: list[tuple[str, str | None]] = []

    async def anything(request: web.Request) -> web.Response:
        calls.append((f"{request.method} {request.path}", request.query.get("token")))
        return web.json_response({"events": [], "intent": {"name": "greet"}})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", anything)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}", calls
    await runner.cleanup()


async def test_every_rasa_call_of_the_desk_carries_the_token(
    rasa: tuple[str, list[tuple[str, str | None]]],
) -> None:
    url, calls = rasa
    settings = desk_settings(rasa_url=url, rasa_token=STRONG)
    context = await open_context(settings)
    try:
        assert isinstance(context.sink, RasaSink)  # what the outbox dispatcher delivers with
        writer = context.sink.rasa
        await writer.send_agent_message("u1", "您好", "a1", key="k1")
        await writer.set_handoff_state("u1", "agent", key="k2")
        await writer.ask_rating("u1", key="k3")
        reader = AssistServices.from_settings(context.settings, backend=object()).rasa  # type: ignore[arg-type]
        assert reader is not None
        await reader.parse("你好")
        await reader.tracker("u1")
    finally:
        await context.close()
    assert len(calls) == 6
    assert {token for _, token in calls} == {STRONG}
