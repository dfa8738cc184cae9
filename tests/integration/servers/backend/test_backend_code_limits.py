"""One-time code limits: per phone, overall, and wrong codes per phone across requesters.

Nobody can bomb a phone with codes or spread code guesses over many channel users; over
a limit the API answers 429 with ``Retry-After``. The counts live in the database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from zhike.servers.backend.db import Database
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.seed import seed_if_empty
from zhike.servers.backend.services import identity

from .rest import Api, error_of

pytestmark = pytest.mark.integration

NOW = datetime(2024, 11, 25, 6, 0, tzinfo=timezone.utc)
ZHANG = "13800138001"


def test_a_phone_gets_one_code_a_minute_whoever_asks(api: Api) -> None:
    first = {"phone": ZHANG, "channel": "wechat", "channel_user_id": "o-first"}
    assert api.post("/bindings/codes", first).status_code == 202
    for user in ("o-second", "o-third"):
        response = api.post("/bindings/codes", {**first, "channel_user_id": user})
        assert error_of(response) == (429, "too_many_codes")
        assert 0 < int(response.headers["Retry-After"]) <= 60
    assert len(api.codes(ZHANG)) == 1  # the phone got one text message
    other = {**first, "phone": "13900139002", "channel_user_id": "o-second"}
    assert api.post("/bindings/codes", other).status_code == 202


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/codes.db")
    await database.create_tables()
    await seed_if_empty(database, now=NOW)
    yield database
    await database.dispose()


async def _request(
    db: Database, phone: str, user: str, at: datetime, per_minute: int = 30
) -> identity.IssuedCode:
    return await db.run(
        lambda s: identity.request_binding_code(
            s, phone, "wechat", user, now=at, codes_per_minute=per_minute
        )
    )


async def _refusal(awaitable: object) -> tuple[int, str, int | None]:
    with pytest.raises(ApiError) as caught:
        await awaitable  # type: ignore[misc]
    return caught.value.status_code, caught.value.code, caught.value.retry_after


async def test_five_codes_an_hour_per_phone(db: Database) -> None:
    for n in range(5):
        await _request(db, ZHANG, f"u{n}", NOW + timedelta(minutes=2 * n))
    sixth = _request(db, ZHANG, "u5", NOW + timedelta(minutes=30))
    assert await _refusal(sixth) == (429, "too_many_codes", 30 * 60)
    await _request(db, ZHANG, "u5", NOW + timedelta(hours=1, seconds=1))


async def test_codes_overall_per_minute(db: Database) -> None:
    phones = [f"137{n:08d}" for n in range(31)]
    for n, phone in enumerate(phones[:30]):
        await _request(db, phone, f"bot-{n}", NOW + timedelta(seconds=n))
    over = _request(db, phones[30], "bot-30", NOW + timedelta(seconds=40))
    assert await _refusal(over) == (429, "too_many_codes", 20)
    await _request(db, phones[30], "bot-30", NOW + timedelta(seconds=61))
    quiet = NOW + timedelta(minutes=5)  # a deployment allowing 1 code a minute
    await _request(db, ZHANG, "small", quiet, per_minute=1)
    refused = _request(db, "13900139002", "other", quiet + timedelta(seconds=1), per_minute=1)
    assert await _refusal(refused) == (429, "too_many_codes", 59)


async def test_wrong_codes_count_per_phone_across_channel_users(db: Database) -> None:
    async def confirm(code: str, user: str, at: datetime) -> str:
        binding = await db.run(
            lambda s: identity.confirm_binding(s, None, code, "wechat", user, now=at)
        )
        return str(binding.customer_id)

    for n in range(2):  # two channel users spend all 5 tries of a code each
        at = NOW + timedelta(minutes=2 * n)
        issued = await _request(db, ZHANG, f"guesser-{n}", at)
        wrong = "000000" if issued.code != "000000" else "111111"
        for _ in range(5):
            assert (await _refusal(confirm(wrong, f"guesser-{n}", at)))[:2] == (422, "invalid_code")
    later = NOW + timedelta(minutes=10)
    issued = await _request(db, ZHANG, "owner", later)
    status, code, wait = await _refusal(confirm(issued.code, "owner", later))
    assert (status, code, wait) == (429, "too_many_attempts", 50 * 60)
    much_later = NOW + timedelta(hours=1, minutes=1)
    issued = await _request(db, ZHANG, "owner", much_later)
    assert await confirm(issued.code, "owner", much_later) == "C001"
