"""Login, sessions, CSRF and the login rate limit of the desk API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from zhike.servers.desk import DeskSettings
from zhike.servers.desk.api_session import SESSION_COOKIE
from zhike.servers.desk.passwords import hash_password, verify_password

from .conftest import PASSWORD, Desk, User, build_desk, desk_settings, session_cookie


async def test_login_sets_an_httponly_strict_cookie_and_returns_a_csrf_token(desk: Desk) -> None:
    response = await desk.call(
        "POST", "/login", body={"username": "wangfang", "password": PASSWORD}
    )
    assert response.status == 200
    body = response.json
    assert body["account"] == {"username": "wangfang", "agent_id": "a1", "role": "agent"}
    assert body["agent"]["skill_groups"] == ["orders"]
    assert len(body["csrf_token"]) >= 32
    assert body["expires_at"] == "2024-06-04T10:00:00Z"  # T0 (02:00 UTC) + 8 h
    header = next(h for h in response.headers.get_list("set-cookie") if SESSION_COOKIE in h)
    assert "HttpOnly" in header
    assert "SameSite=Strict" in header
    assert "Path=/api;" in header  # the desk and the knowledge-base APIs
    assert "Max-Age=28800" in header
    assert "Secure" not in header  # test settings: cookie_secure=False
    assert "password" not in response.text and PASSWORD not in response.text

    me = await desk.call("GET", "/me", User(session_cookie(response), ""))
    assert me.status == 200
    assert me.json["account"]["username"] == "wangfang"
    assert me.json["csrf_token"] == body["csrf_token"]
    assert me.headers["cache-control"] == "no-store"


async def test_the_cookie_is_secure_by_default() -> None:
    desk = await build_desk(desk_settings(cookie_secure=True))
    try:
        response = await desk.call(
            "POST", "/login", body={"username": "wangfang", "password": PASSWORD}
        )
        header = next(h for h in response.headers.get_list("set-cookie") if SESSION_COOKIE in h)
        assert "Secure" in header.split("; ")
    finally:
        await desk.context.close()


async def test_usernames_are_case_insensitive(desk: Desk) -> None:
    user = await desk.login(" WangFang ")
    assert (await desk.call("GET", "/me", user)).status == 200


@pytest.mark.parametrize(
    ("username", "password"),
    [("wangfang", "wrong password"), ("nobody", PASSWORD), ("wangfang", PASSWORD.upper())],
)
async def test_wrong_credentials_are_refused_alike(
    desk: Desk, username: str, password: str
) -> None:
    response = await desk.call("POST", "/login", body={"username": username, "password": password})
    assert response.status == 401
    assert response.json == {
        "error": "invalid_credentials",
        "message": "wrong username or password",
    }
    assert not response.headers.get_list("set-cookie")


@pytest.mark.parametrize(
    "body", [{}, {"username": "wangfang"}, {"username": 1, "password": PASSWORD}, []]
)
async def test_login_needs_a_username_and_password(desk: Desk, body: object) -> None:
    response = await desk.call("POST", "/login", body=body)
    assert response.status == 400
    assert response.json["error"] in ("invalid_credentials_format", "invalid_body")


async def test_login_refuses_malformed_json_and_other_content_types(desk: Desk) -> None:
    response = await desk.call("POST", "/login", content=b'{"username": "wangfang",')
    assert response.status == 400
    assert response.json["error"] == "malformed_json"
    response = await desk.call(
        "POST",
        "/login",
        content=b"username=wangfang&password=x",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status == 415
    assert response.json["error"] == "unsupported_media_type"


async def test_five_failures_lock_the_account_for_fifteen_minutes(desk: Desk) -> None:
    for _ in range(5):
        response = await desk.call(
            "POST", "/login", body={"username": "wangfang", "password": "nope-nope"}
        )
        assert response.status == 401
    desk.clock.advance(minutes=1)
    locked = await desk.call("POST", "/login", body={"username": "wangfang", "password": PASSWORD})
    assert locked.status == 429
    assert locked.json["error"] == "too_many_attempts"
    assert int(locked.headers["retry-after"]) == 14 * 60 + 1
    # other accounts are not affected
    await desk.login("chenjing")
    desk.clock.advance(minutes=14, seconds=1)
    user = await desk.login("wangfang")
    assert (await desk.call("GET", "/me", user)).status == 200


async def test_unknown_usernames_are_rate_limited_too(desk: Desk) -> None:
    for _ in range(5):
        await desk.call("POST", "/login", body={"username": "ghost", "password": "nope-nope"})
    response = await desk.call("POST", "/login", body={"username": "ghost", "password": "x"})
    assert response.status == 429


async def test_a_successful_login_clears_the_failures(desk: Desk) -> None:
    for _ in range(4):
        await desk.call("POST", "/login", body={"username": "wangfang", "password": "nope-nope"})
    await desk.login("wangfang")
    for _ in range(4):
        await desk.call("POST", "/login", body={"username": "wangfang", "password": "nope-nope"})
    await desk.login("wangfang")


async def test_sessions_expire(desk: Desk) -> None:
    user = await desk.login("wangfang")
    desk.clock.advance(hours=8, seconds=-1)
    assert (await desk.call("GET", "/me", user)).status == 200
    desk.clock.advance(seconds=1)
    response = await desk.call("GET", "/me", user)
    assert response.status == 401
    assert response.json["error"] == "unauthenticated"


async def test_the_session_lifetime_is_a_setting() -> None:
    desk = await build_desk(desk_settings(session_lifetime=timedelta(minutes=5)))
    try:
        user = await desk.login("wangfang")
        desk.clock.advance(minutes=5)
        assert (await desk.call("GET", "/me", user)).status == 401
    finally:
        await desk.context.close()


async def test_logout_ends_the_session_and_clears_the_cookie(desk: Desk) -> None:
    user = await desk.login("wangfang")
    other = await desk.login("wangfang")
    response = await desk.call("POST", "/logout", user)
    assert response.status == 204
    header = next(h for h in response.headers.get_list("set-cookie") if SESSION_COOKIE in h)
    assert "Max-Age=0" in header
    assert (await desk.call("GET", "/me", user)).status == 401
    assert (await desk.call("GET", "/me", other)).status == 200  # only that session


async def test_logout_needs_the_csrf_token(desk: Desk) -> None:
    user = await desk.login("wangfang")
    assert (await desk.call("POST", "/logout", user, csrf=False)).status == 403
    assert (await desk.call("GET", "/me", user)).status == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/me"),
        ("POST", "/me/status"),
        ("POST", "/logout"),
        ("GET", "/queue"),
        ("GET", "/conversations/1"),
        ("POST", "/conversations/1/accept"),
        ("POST", "/conversations/1/messages"),
        ("POST", "/conversations/1/transfer"),
        ("POST", "/conversations/1/close"),
        ("GET", "/supervisor/queues"),
        ("GET", "/supervisor/agents"),
        ("GET", "/supervisor/conversations"),
    ],
)
async def test_every_route_but_login_needs_a_session(desk: Desk, method: str, path: str) -> None:
    response = await desk.call(method, path, body={})
    assert response.status == 401
    assert response.json["error"] == "unauthenticated"
    forged = await desk.call(method, path, User("forged-token", "x"), body={})
    assert forged.status == 401


@pytest.mark.parametrize("csrf", [None, "", "wrong", "other-session"])
async def test_state_changes_need_the_sessions_csrf_token(desk: Desk, csrf: str | None) -> None:
    user = await desk.login("wangfang")
    other = await desk.login("chenjing")
    headers = (
        {} if csrf is None else {"x-csrf-token": other.csrf if csrf == "other-session" else csrf}
    )
    response = await desk.call(
        "POST", "/me/status", user, body={"online": False}, headers=headers, csrf=False
    )
    assert response.status == 403
    assert response.json["error"] == "csrf_failed"
    loads = {load.agent_id: load for load in await desk.handoff.agent_load()}
    assert loads["a1"].online  # nothing changed
    ok = await desk.call("POST", "/me/status", user, body={"online": False})
    assert ok.status == 200


async def test_passwords_and_session_tokens_are_not_stored_in_clear(desk: Desk) -> None:
    user = await desk.login("wangfang")
    db = desk.context.auth.db
    async with db.session() as session:
        accounts = (await session.execute(text("SELECT * FROM desk_accounts"))).all()
        sessions = (await session.execute(text("SELECT * FROM desk_sessions"))).all()
    dump = repr(accounts) + repr(sessions)
    assert PASSWORD not in dump
    assert user.token not in dump
    hashes = [row._mapping["password_hash"] for row in accounts]
    assert all(h.startswith("scrypt$") for h in hashes)
    assert len(set(hashes)) == len(hashes)  # same password, different salts


def test_password_hashes_verify_in_constant_time_shape() -> None:
    stored = hash_password("s3cret-pass")
    assert verify_password("s3cret-pass", stored)
    assert not verify_password("s3cret-pasS", stored)
    assert not verify_password("s3cret-pass", "garbage")
    assert hash_password("s3cret-pass") != stored


def test_settings_from_env() -> None:
    settings = DeskSettings.from_env(
        {
            "ZHIKE_DESK_DB_URL": "sqlite+aiosqlite:///x.db",
            "ZHIKE_DESK_SESSION_MINUTES": "30",
            "ZHIKE_DESK_COOKIE_SECURE": "0",
        }
    )
    assert settings.db_url == "sqlite+aiosqlite:///x.db"
    assert settings.session_lifetime == timedelta(minutes=30)
    assert settings.cookie_secure is False
    defaults = DeskSettings.from_env({})
    assert defaults.cookie_secure is True
    assert defaults.db_url.endswith(".zhike/handoff.db")
    with pytest.raises(ValueError):
        DeskSettings.from_env({"ZHIKE_DESK_SESSION_MINUTES": "soon"})
