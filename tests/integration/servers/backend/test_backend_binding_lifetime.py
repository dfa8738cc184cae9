"""Bindings expire and can be ended; a code is confirmed by request id (phone server-side)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from zhike.common.deployment import ConfigurationError
from zhike.servers.backend.config import Settings
from zhike.servers.backend.db import Database
from zhike.servers.backend.seed import seed_if_empty
from zhike.servers.backend.services import identity
from zhike.servers.backend.services.identity import BindingLifetimes

from .backend_process import start_backend
from .rest import Api, error_of

pytestmark = pytest.mark.integration

NOW = datetime(2024, 11, 25, 6, 0, tzinfo=timezone.utc)
ZHANG = "13800138001"
LI = "13900139002"


def send_code(api: Api, phone: str, user: str, channel: str = "socketio") -> str:
    body = {"phone": phone, "channel": channel, "channel_user_id": user}
    answer = api.ok("POST", "/bindings/codes", body, status=202)
    assert set(answer) == {"request_id", "expires_at"} and phone not in str(answer)
    return str(answer["request_id"])


def test_a_code_is_confirmed_by_request_id_without_the_phone(api: Api) -> None:
    request_id = send_code(api, ZHANG, "web-1")
    code = api.codes(ZHANG)[-1]
    body = {
        "request_id": request_id,
        "code": code,
        "channel": "socketio",
        "channel_user_id": "web-1",
    }
    # another sender cannot use the request id
    stolen = api.post("/bindings", {**body, "channel_user_id": "web-mallory"})
    assert error_of(stolen) == (422, "invalid_code")
    assert error_of(api.post("/bindings", {**body, "request_id": "x" * 32})) == (
        422,
        "invalid_code",
    )
    assert api.ok("POST", "/bindings", body, status=201) == {"customer_id": "C001"}
    assert api.ok("GET", "/bindings/socketio/web-1")["customer_id"] == "C001"


def test_without_request_id_the_senders_newest_code_counts(api: Api) -> None:
    send_code(api, LI, "web-2")
    body = {"code": api.codes(LI)[-1], "channel": "socketio", "channel_user_id": "web-2"}
    assert api.ok("POST", "/bindings", body, status=201) == {"customer_id": "C002"}


def test_unbinding_ends_the_binding_and_voids_pending_codes(api: Api) -> None:
    send_code(api, ZHANG, "web-3")
    body = {"code": api.codes(ZHANG)[-1], "channel": "socketio", "channel_user_id": "web-3"}
    api.ok("POST", "/bindings", body, status=201)
    assert api.ok("DELETE", "/bindings/socketio/web-3") == {"unbound": True}
    assert error_of(api.get("/bindings/socketio/web-3")) == (404, "not_found")
    assert api.ok("DELETE", "/bindings/socketio/web-3") == {"unbound": False}
    send_code(api, LI, "web-3")
    pending = {"code": api.codes(LI)[-1], "channel": "socketio", "channel_user_id": "web-3"}
    assert api.ok("DELETE", "/bindings/socketio/web-3") == {"unbound": False}
    assert error_of(api.post("/bindings", pending)) == (422, "invalid_code")
    assert error_of(api.http.delete("/api/v1/bindings/we chat/x")) == (400, "invalid_channel")


def test_the_lifetime_comes_from_the_environment(tmp_path: Path) -> None:
    process = start_backend(
        tmp_path, faults=True, extra_env={"ZHIKE_BACKEND_WEB_BINDING_DAYS": "0.00002"}
    )  # 1.7 seconds on the web, 30 days elsewhere
    try:
        with Api(process.base_url, None) as api:
            for channel in ("socketio", "wechat"):
                send_code(api, ZHANG if channel == "socketio" else LI, "u", channel)
                phone = ZHANG if channel == "socketio" else LI
                body = {"code": api.codes(phone)[-1], "channel": channel, "channel_user_id": "u"}
                api.ok("POST", "/bindings", body, status=201)
            assert api.ok("GET", "/bindings/socketio/u")["customer_id"] == "C001"
            time.sleep(2.0)
            assert error_of(api.get("/bindings/socketio/u")) == (404, "not_found")
            assert api.ok("GET", "/bindings/wechat/u")["customer_id"] == "C002"
    finally:
        process.stop()


def test_settings_read_the_lifetimes_and_refuse_nonsense() -> None:
    settings = Settings.from_env(
        {"ZHIKE_BACKEND_BINDING_DAYS": "14", "ZHIKE_BACKEND_WEB_BINDING_DAYS": "1.5"}
    )
    assert settings.binding_lifetime == timedelta(days=14)
    assert settings.web_binding_lifetime == timedelta(days=1.5)
    assert Settings.from_env({}).web_binding_lifetime == timedelta(days=7)
    assert Settings.from_env({}).codes_per_minute == 30
    for name in ("ZHIKE_BACKEND_BINDING_DAYS", "ZHIKE_BACKEND_CODES_PER_MINUTE"):
        for value in ("0", "-1", "nan", "inf", "soon"):
            with pytest.raises(ConfigurationError, match=name):
                Settings.from_env({name: value})


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/bindings.db")
    await database.create_tables()
    await seed_if_empty(database, now=NOW)
    yield database
    await database.dispose()


@pytest.mark.parametrize(("channel", "days"), [("socketio", 7), ("rest", 7), ("wechat", 30)])
async def test_bindings_expire_by_channel(db: Database, channel: str, days: int) -> None:
    issued = await db.run(lambda s: identity.request_binding_code(s, ZHANG, channel, "u", now=NOW))
    await db.run(
        lambda s: identity.confirm_binding(
            s, None, issued.code, channel, "u", request_id=issued.request_id, now=NOW
        )
    )

    async def lookup(at: datetime) -> str | None:
        async with db.session() as session:
            found = await identity.get_binding(session, channel, "u", now=at)
        return None if found is None else found.customer_id

    assert await lookup(NOW + timedelta(days=days, seconds=-1)) == "C001"
    assert await lookup(NOW + timedelta(days=days)) is None
    short = BindingLifetimes(web=timedelta(hours=1), other=timedelta(hours=2))
    async with db.session() as session:
        found = await identity.get_binding(
            session, channel, "u", lifetimes=short, now=NOW + timedelta(minutes=59)
        )
    assert found is not None and found.expires_at == NOW + short.of(channel)
