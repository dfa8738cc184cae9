"""resolve_identity: signed assertion, else channel binding, else anonymous."""

from __future__ import annotations

import dataclasses
import logging
import time

import pytest

from zhike.lib.backend_client.base import BackendUnavailable
from zhike.lib.identity.assertion import METADATA_KEY, sign
from zhike.lib.identity.resolver import Identity, resolve_identity

SECRET = "i" * 32
NOW = 1_718_000_000.0


class FakeBindings:
    """Implements only IdentityClient.get_binding, recording the lookups."""

    def __init__(self, bindings: dict[tuple[str, str], str] | None = None, down: bool = False):
        self.bindings = bindings or {}
        self.down = down
        self.calls: list[tuple[str, str]] = []

    async def get_binding(self, channel: str, channel_user_id: str) -> str | None:
        self.calls.append((channel, channel_user_id))
        if self.down:
            raise BackendUnavailable("backend down")
        return self.bindings.get((channel, channel_user_id))


def _signed(customer_id: str | None = "C001", sender_id: str = "app:C001", **kw) -> dict:
    args = {"channel": "app", "issued_at": int(NOW), "secret": SECRET, **kw}
    return {METADATA_KEY: sign(customer_id, sender_id=sender_id, **args)}


async def _resolve(
    metadata: object,
    client: FakeBindings | None = None,
    sender_id: str = "app:C001",
    channel: str | None = "app",
    secret: str | None = SECRET,
    now: float = NOW,
) -> Identity:
    return await resolve_identity(
        sender_id,
        channel,
        metadata,
        client or FakeBindings(),
        secret,
        now,  # type: ignore[arg-type]
    )


async def test_valid_assertion_identifies_without_a_backend_call() -> None:
    client = FakeBindings({("app", "app:C001"): "C002"})
    identity = await _resolve(_signed(), client)
    assert identity == Identity("C001", "app", "app:C001", "assertion")
    assert client.calls == []


async def test_web_session_binding_needs_no_assertion() -> None:
    client = FakeBindings({("socketio", "web-session-7f3a"): "C002"})
    identity = await _resolve(None, client, sender_id="web-session-7f3a", channel="socketio")
    assert identity == Identity("C002", "socketio", "web-session-7f3a", "binding")
    assert client.calls == [("socketio", "web-session-7f3a")]


async def test_a_wechat_openid_alone_does_not_unlock_its_binding() -> None:
    # Rasa's rest channel lets a caller claim input_channel "wechat" and any openid.
    client = FakeBindings({("wechat", "oAbC123"): "C002"})
    identity = await _resolve(None, client, sender_id="oAbC123", channel="wechat")
    assert identity == Identity(None, "wechat", "oAbC123", "anonymous")
    assert client.calls == []


async def test_a_vouched_wechat_user_gets_their_binding() -> None:
    client = FakeBindings({("wechat", "oAbC123"): "C002"})
    vouched = _signed(None, sender_id="oAbC123", channel="wechat")
    identity = await _resolve(vouched, client, sender_id="oAbC123", channel="wechat")
    assert identity == Identity("C002", "wechat", "oAbC123", "binding")


async def test_anonymous_when_nothing_known() -> None:
    identity = await _resolve({}, sender_id="web-1", channel="socketio")
    assert identity == Identity(None, "socketio", "web-1", "anonymous")
    assert identity.is_anonymous


async def test_bare_customer_id_in_metadata_is_ignored() -> None:
    metadata = {"customer_id": "C001", "zhike_customer_id": "C001"}
    identity = await _resolve(metadata, sender_id="web-1", channel="socketio")
    assert identity.customer_id is None and identity.source == "anonymous"


async def test_assertion_without_customer_falls_back_to_binding() -> None:
    client = FakeBindings({("app", "app:C001"): "C003"})
    identity = await _resolve(_signed(None), client)
    assert identity == Identity("C003", "app", "app:C001", "binding")


async def test_forged_assertion_is_ignored_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    client = FakeBindings({("socketio", "web-1"): "C002"})
    forged = _signed("C001", sender_id="web-1", channel="socketio", secret="f" * 32)
    with caplog.at_level(logging.WARNING, logger="zhike.lib.identity.resolver"):
        identity = await _resolve(forged, client, sender_id="web-1", channel="socketio")
    assert identity == Identity("C002", "socketio", "web-1", "binding")
    assert "bad_signature" in caplog.text
    assert forged[METADATA_KEY]["sig"] not in caplog.text


async def test_assertion_of_another_conversation_is_ignored() -> None:
    stolen = _signed("C002", sender_id="app:C002")
    identity = await _resolve(stolen, sender_id="app:C001")
    assert identity.customer_id is None


async def test_assertion_replayed_through_another_channel_is_ignored() -> None:
    identity = await _resolve(_signed(), channel="rest")
    assert identity == Identity(None, "rest", "app:C001", "anonymous")


async def test_stale_assertion_is_ignored() -> None:
    identity = await _resolve(_signed(), now=NOW + 24 * 3600 + 1)
    assert identity.source == "anonymous"


async def test_no_secret_trusts_no_assertion() -> None:
    assert (await _resolve(_signed(), secret=None)).source == "anonymous"
    assert (await _resolve(_signed(), secret="")).source == "anonymous"


async def test_backend_unavailable_propagates() -> None:
    with pytest.raises(BackendUnavailable):
        await _resolve(None, FakeBindings(down=True), channel="socketio")


async def test_valid_assertion_needs_no_backend() -> None:
    identity = await _resolve(_signed(), FakeBindings(down=True))
    assert identity.customer_id == "C001"


async def test_unknown_channel() -> None:
    identity = await _resolve(None, sender_id="x", channel=None)
    assert identity.channel == "unknown" and identity.requester == "unknown:x"


def test_requester_and_frozen() -> None:
    identity = Identity("C001", "app", "app:C001", "assertion")
    assert identity.requester == "app:app:C001"
    with pytest.raises(dataclasses.FrozenInstanceError):
        identity.customer_id = "C002"  # type: ignore[misc]


async def test_now_defaults_to_the_clock() -> None:
    fresh = {METADATA_KEY: sign("C001", "app", "app:C001", int(time.time()), SECRET)}
    identity = await resolve_identity("app:C001", "app", fresh, FakeBindings(), SECRET)
    assert identity.source == "assertion"


async def test_placeholder_secret_trusts_no_assertion() -> None:
    forged = _signed(secret="change-me" * 4)  # 36 bytes: signing works
    assert (await _resolve(forged, secret="change-me")).source == "anonymous"
