"""Push delivery to a real HTTP receiver on loopback that plays the company app backend."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from zhike.channels.app.channel import AppInput, AppPushOutputChannel
from zhike.channels.app.push import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Delivery,
    PushConfig,
    PushDelivery,
    signature,
    verify_signature,
)

SECRET = "push-secret-" + "p" * 32


@dataclass
class Receiver:
    """The app backend: answers with ``script`` in turn (then 200), records every request."""

    url: str = ""
    script: list[int] = field(default_factory=list)
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    verified: list[bool] = field(default_factory=list)

    @property
    def accepted(self) -> list[dict[str, Any]]:
        """Bodies of the requests answered 2xx."""
        return [
            json.loads(body) for (headers, body) in self.requests if headers["_status"] == "200"
        ]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    state = Receiver()

    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        status = state.script.pop(0) if state.script else 200
        headers = dict(request.headers)
        headers["_status"] = str(status)
        state.requests.append((headers, body))
        state.verified.append(verify_signature(SECRET, request.headers, body))
        return web.Response(status=status, headers={"Retry-After": "0"} if status == 429 else None)

    app = web.Application()
    app.router.add_post("/push", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    state.url = f"http://127.0.0.1:{port}/push"
    yield state
    await runner.cleanup()


class FakeSleep:
    """Records the backoff waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def _delivery(text: str, customer: str = "C001") -> Delivery:
    return Delivery(customer, f"app:{customer}", {"text": text})


async def test_a_delivery_is_signed_and_carries_the_message(receiver: Receiver) -> None:
    push = PushDelivery(PushConfig(receiver.url, SECRET))
    delivery_id = push.enqueue(_delivery("王老师回复：明天的课照常上。"))
    await push.drain(timeout=10)
    await push.aclose()

    assert receiver.verified == [True]
    headers, body = receiver.requests[0]
    assert headers[DELIVERY_HEADER] == delivery_id
    payload = json.loads(body)
    assert payload["customer_id"] == "C001"
    assert payload["sender_id"] == "app:C001"
    assert payload["message"] == {"text": "王老师回复：明天的课照常上。"}
    assert push.delivered == 1 and push.failed == 0


async def test_failures_are_retried_with_backoff_and_the_same_delivery_id(
    receiver: Receiver,
) -> None:
    receiver.script = [503, 500, 429]
    sleep = FakeSleep()
    push = PushDelivery(PushConfig(receiver.url, SECRET, jitter=0), sleep=sleep)
    push.enqueue(_delivery("您的退款已到账。"))
    await push.drain(timeout=10)
    await push.aclose()

    assert len(receiver.requests) == 4
    assert len({headers[DELIVERY_HEADER] for headers, _ in receiver.requests}) == 1
    assert len({body for _, body in receiver.requests}) == 1  # the receiver can deduplicate
    assert all(receiver.verified)
    assert sleep.waits == [1.0, 2.0, 4.0]
    assert push.delivered == 1


async def test_a_callback_that_is_down_is_retried_until_max_attempts(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sleep = FakeSleep()
    config = PushConfig("http://127.0.0.1:9/push", SECRET, max_attempts=4, jitter=0, timeout=1)
    push = PushDelivery(config, sleep=sleep)
    with caplog.at_level(logging.WARNING, logger="zhike.channels.app.push"):
        push.enqueue(_delivery("秘密内容 13800138001"))
        await push.drain(timeout=20)
    await push.aclose()

    assert sleep.waits == [1.0, 2.0, 4.0]
    assert push.failed == 1 and push.delivered == 0
    assert "gave up" in caplog.text
    assert "秘密内容" not in caplog.text and "13800138001" not in caplog.text


async def test_a_client_error_is_not_retried(receiver: Receiver) -> None:
    receiver.script = [401]
    sleep = FakeSleep()
    push = PushDelivery(PushConfig(receiver.url, SECRET), sleep=sleep)
    push.enqueue(_delivery("一条消息"))
    await push.drain(timeout=10)
    await push.aclose()

    assert len(receiver.requests) == 1 and sleep.waits == []
    assert push.failed == 1


async def test_messages_to_one_customer_arrive_in_order_despite_retries(
    receiver: Receiver,
) -> None:
    receiver.script = [500, 500]
    push = PushDelivery(PushConfig(receiver.url, SECRET), sleep=FakeSleep())
    for n in range(5):
        push.enqueue(_delivery(f"第{n}条"))
    push.enqueue(_delivery("给李娜", customer="C002"))
    await push.drain(timeout=10)
    await push.aclose()

    texts = [p["message"]["text"] for p in receiver.accepted if p["customer_id"] == "C001"]
    assert texts == [f"第{n}条" for n in range(5)]
    assert [p["message"]["text"] for p in receiver.accepted if p["customer_id"] == "C002"] == [
        "给李娜"
    ]


def test_signature_checks_reject_forgeries_and_replays() -> None:
    body = b'{"message":{"text":"hi"}}'
    now = 1_718_000_000
    good = {TIMESTAMP_HEADER: str(now), SIGNATURE_HEADER: signature(SECRET, now, body)}
    assert verify_signature(SECRET, good, body, now=now + 10)
    assert not verify_signature(SECRET, good, body + b" ", now=now)  # tampered body
    assert not verify_signature("another-secret-" + "x" * 32, good, body, now=now)
    assert not verify_signature(SECRET, good, body, now=now + 301)  # replayed later
    forged = {**good, SIGNATURE_HEADER: "v1=" + "0" * 64}
    assert not verify_signature(SECRET, forged, body, now=now)
    assert not verify_signature(SECRET, {SIGNATURE_HEADER: good[SIGNATURE_HEADER]}, body, now=now)


def test_backoff_grows_to_the_cap_and_honours_retry_after() -> None:
    config = PushConfig("http://x", SECRET, base_delay=1, max_delay=10, jitter=0)
    assert [config.delay(n) for n in range(1, 7)] == [1, 2, 4, 8, 10, 10]
    assert config.delay(1, retry_after=7) == 7
    assert config.delay(1, retry_after=600) == 10
    jittered = PushConfig("http://x", SECRET, jitter=0.2)
    assert all(0.8 <= jittered.delay(1) <= 1.2 for _ in range(50))


async def test_the_app_channel_pushes_what_rasa_sends_outside_a_request(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ZHIKE_APP_PUSH_URL", receiver.url)
    monkeypatch.setenv("ZHIKE_APP_PUSH_SECRET", SECRET)
    monkeypatch.setenv("ZHIKE_APP_PUSH_DB_URL", f"sqlite+aiosqlite:///{tmp_path / 'push.db'}")
    channel = AppInput.from_credentials({})
    output = channel.get_output_channel()
    assert isinstance(output, AppPushOutputChannel)

    buttons = [{"title": "是", "payload": "/affirm"}, {"title": "否", "payload": "/deny"}]
    await output.send_text_with_buttons("app:C002", "还有其他问题吗？", buttons)
    await output.send_text_message("wechat:o6_bmjrPTlm6_2sgVt7hMZOPfL2M", "不是 app 的会话")
    await output.delivery.drain(timeout=10)
    await output.delivery.aclose()

    assert [p["message"] for p in receiver.accepted] == [
        {"text": "还有其他问题吗？", "buttons": buttons}
    ]
    assert receiver.accepted[0]["customer_id"] == "C002"
    assert receiver.verified == [True]


@pytest.mark.parametrize(
    "env",
    [{}, {"ZHIKE_APP_PUSH_URL": "http://127.0.0.1:1/push", "ZHIKE_APP_PUSH_SECRET": "short"}],
)
def test_without_a_push_url_and_a_long_secret_nothing_is_pushed(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ZHIKE_APP_PUSH_URL", raising=False)
    monkeypatch.delenv("ZHIKE_APP_PUSH_SECRET", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert AppInput.from_credentials({}).get_output_channel() is None
