"""Supervisor routes, the HandoffError mapping, the app's own database lifecycle, the CLI."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from zhike.lib.handoff import (
    AgentAtCapacity,
    AlreadyAccepted,
    AlreadyRated,
    HandoffError,
    HandoffUnavailable,
    IdempotencyConflict,
    InvalidInput,
    InvalidState,
    NotAllowed,
    NotFound,
)
from zhike.servers.desk import HANDOFF_STATUS, DeskSettings, create_app, open_context
from zhike.servers.desk.__main__ import main, parse_args
from zhike.servers.desk.errors import handoff_status

from .conftest import PASSWORD, Desk, queued

SUPERVISOR_ROUTES = ["/supervisor/queues", "/supervisor/agents", "/supervisor/conversations"]


@pytest.mark.parametrize("path", SUPERVISOR_ROUTES)
async def test_agents_may_not_call_supervisor_routes(desk: Desk, path: str) -> None:
    agent = await desk.login("wangfang")
    response = await desk.call("GET", path, agent)
    assert (response.status, response.json["error"]) == (403, "supervisor_only")


async def test_supervisor_sees_all_queues_agents_and_live_conversations(desk: Desk) -> None:
    orders = await queued(desk, sender="o1")
    courses = await queued(desk, sender="k1", group="courses", intent="query_course")
    agent = await desk.login("wangfang")
    await desk.call("POST", f"/conversations/{orders}/accept", agent)
    desk.clock.advance(minutes=5)
    boss = await desk.login("boss")

    queues = (await desk.call("GET", "/supervisor/queues", boss)).json["groups"]
    assert set(queues) == {"orders", "courses", "general", "presales"}
    assert queues["courses"]["waiting"] == 1
    assert queues["courses"]["longest_wait_seconds"] == 300
    assert queues["orders"]["waiting"] == 0

    agents = {
        a["agent_id"]: a
        for a in (await desk.call("GET", "/supervisor/agents", boss)).json["agents"]
    }
    assert agents["a1"]["active"] == 1 and agents["a1"]["conversation_ids"] == [orders]
    assert agents["a1"]["free"] == 1
    assert agents["s1"]["supervisor"] is True

    live = (await desk.call("GET", "/supervisor/conversations", boss)).json["conversations"]
    assert [(c["id"], c["state"]) for c in live] == [(orders, "agent"), (courses, "queued")]

    # a supervisor reads any group's conversation and its queue
    assert (await desk.call("GET", f"/conversations/{courses}", boss)).status == 200
    queue = (await desk.call("GET", "/queue", boss)).json["groups"]
    assert [e["conversation_id"] for e in queue["courses"]] == [courses]
    # and may close an agent's conversation
    closed = await desk.call(
        "POST", f"/conversations/{orders}/close", boss, body={"disposition": "supervisor_closed"}
    )
    assert closed.status == 200
    live = (await desk.call("GET", "/supervisor/conversations", boss)).json["conversations"]
    assert [c["id"] for c in live] == [courses]


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InvalidInput("x", "text_too_long"), 400),
        (NotFound("x", "agent_not_found"), 404),
        (NotAllowed("x", "wrong_skill_group"), 403),
        (InvalidState("x", "not_queued"), 409),
        (AlreadyAccepted("x"), 409),
        (AlreadyRated("x"), 409),
        (AgentAtCapacity("x"), 409),
        (IdempotencyConflict("x"), 409),
        (HandoffUnavailable("x"), 503),
        (HandoffError("x"), 500),
    ],
)
def test_handoff_errors_map_to_http_statuses(error: HandoffError, status: int) -> None:
    assert handoff_status(error) == status
    # refusals are the client's to fix, except a storage outage (try again later)
    assert all(400 <= value < 500 or value == 503 for value in HANDOFF_STATUS.values())


@pytest.mark.filterwarnings("ignore:You have set a listener:UserWarning")
async def test_without_a_context_the_app_opens_its_database_on_start(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'desk.db'}"
    settings = DeskSettings(db_url=url, cookie_secure=False, app_name="zhike_desk_own_db")
    context = await open_context(settings)
    await context.handoff.save_agent("a1", "王芳", ["orders"], online=True)
    await context.auth.create_account("wangfang", PASSWORD, "a1")
    await context.close()

    app = create_app(settings)
    _, response = await app.asgi_client.post(
        "/api/desk/v1/login", json={"username": "wangfang", "password": PASSWORD}
    )
    assert response.status == 200
    assert response.json["agent"]["name"] == "王芳"


def test_cli_creates_an_agent_with_the_password_from_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    argv = [
        "create-agent",
        "--db-url",
        url,
        "--username",
        "Boss",
        "--agent-id",
        "s1",
        "--name",
        "主管",
        "--role",
        "supervisor",
    ]
    assert main(argv, stdin=io.StringIO(PASSWORD + "\n")) == 0
    assert "created supervisor boss (agent s1)" in capsys.readouterr().out
    assert main(argv, stdin=io.StringIO(PASSWORD + "\n")) == 1
    assert "account_exists" in capsys.readouterr().err
    short = [*argv[:4], "other", "--agent-id", "s2", "--name", "x"]
    assert main(short, stdin=io.StringIO("short\n")) == 1
    assert "invalid_password" in capsys.readouterr().err

    async def check() -> None:
        context = await open_context(DeskSettings(db_url=url))
        try:
            session = await context.auth.login("boss", PASSWORD)
            assert session.account.supervisor
            [agent] = [a for a in await context.handoff.agent_load() if a.agent_id == "s1"]
            assert agent.supervisor and agent.name == "主管"
            assert "s2" not in {a.agent_id for a in await context.handoff.agent_load()}
        finally:
            await context.close()

    asyncio.run(check())


def test_the_cli_takes_no_password_argument() -> None:
    with pytest.raises(SystemExit):
        parse_args(
            ["create-agent", "--username", "u", "--agent-id", "a", "--name", "n", "--password", "x"]
        )
    args = parse_args(["--db-url", "sqlite+aiosqlite://", "--port", "6000"])
    assert (args.command, args.port, args.db_url) == (None, 6000, "sqlite+aiosqlite://")
