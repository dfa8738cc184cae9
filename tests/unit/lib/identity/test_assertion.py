"""Signed identity assertions: what verifies, and every way a forgery is refused."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json

import pytest

from zhike.lib.identity import assertion
from zhike.lib.identity.assertion import METADATA_KEY, InvalidAssertion, sign, verify

SECRET = "s" * 32
NOW = 1_718_000_000


def _metadata(**overrides: object) -> dict:
    fields = {
        "customer_id": "C001",
        "channel": "app",
        "sender_id": "app:C001",
        "issued_at": NOW,
        "secret": SECRET,
    }
    fields.update(overrides)
    return {METADATA_KEY: sign(**fields)}  # type: ignore[arg-type]


def _reason(metadata: object, **kwargs: object) -> str:
    args = {"secret": SECRET, "sender_id": "app:C001", "now": NOW}
    args.update(kwargs)
    with pytest.raises(InvalidAssertion) as info:
        verify(metadata, **args)  # type: ignore[arg-type]
    return info.value.reason


def test_signed_assertion_verifies() -> None:
    verified = verify(_metadata(), SECRET, "app:C001", NOW)
    assert verified == assertion.IdentityAssertion("C001", "app", "app:C001", NOW)


def test_assertion_format_is_plain_json() -> None:
    value = _metadata()[METADATA_KEY]
    assert set(value) == {"customer_id", "channel", "sender_id", "issued_at", "sig"}
    assert len(value["sig"]) == 64 and int(value["sig"], 16) >= 0
    # Survives the JSON round trip through the tracker store and the action server.
    assert verify(json.loads(json.dumps(_metadata())), SECRET, "app:C001", NOW).customer_id


def test_signature_is_hmac_sha256_over_the_canonical_payload() -> None:
    value = _metadata()[METADATA_KEY]
    payload = (
        b"zhike-identity/v1\n"
        b'{"channel":"app","customer_id":"C001","issued_at":1718000000,"sender_id":"app:C001"}'
    )
    assert assertion.canonical_payload("C001", "app", "app:C001", NOW) == payload
    assert value["sig"] == hmac.new(SECRET.encode(), payload, hashlib.sha256).hexdigest()


def test_anonymous_assertion_has_null_customer() -> None:
    verified = verify(_metadata(customer_id=None), SECRET, "app:C001", NOW)
    assert verified.customer_id is None


def test_other_metadata_keys_are_left_alone() -> None:
    metadata = {**_metadata(), "customer_id": "C002", "anything": 1}
    assert verify(metadata, SECRET, "app:C001", NOW).customer_id == "C001"


def test_wrong_secret_is_refused() -> None:
    assert _reason(_metadata(secret="t" * 32)) == "bad_signature"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("customer_id", "C002"),
        ("customer_id", None),
        ("channel", "socketio"),
        ("sender_id", "app:C002"),
        ("issued_at", NOW + 1),
        ("sig", "0" * 64),
        ("sig", "é" * 64),
        ("sig", ""),
    ],
)
def test_any_tampered_field_breaks_the_signature(field: str, value: object) -> None:
    metadata = _metadata()
    metadata[METADATA_KEY][field] = value
    # A changed sender_id is caught by the signature before the sender comparison.
    assert _reason(metadata, sender_id=metadata[METADATA_KEY]["sender_id"]) == "bad_signature"


def test_bare_customer_id_in_metadata_is_not_an_assertion() -> None:
    assert _reason({"customer_id": "C001"}) == "missing"
    assert _reason({METADATA_KEY: {"customer_id": "C001", "channel": "app"}}) == "malformed"


@pytest.mark.parametrize("metadata", [None, {}, {"other": 1}, "text", ["x"]])
def test_no_assertion_is_missing(metadata: object) -> None:
    assert _reason(metadata) == "missing"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda a: a.update(extra="x"),
        lambda a: a.pop("sig"),
        lambda a: a.update(issued_at=str(NOW)),
        lambda a: a.update(issued_at=float(NOW)),
        lambda a: a.update(issued_at=True),
        lambda a: a.update(customer_id=1),
        lambda a: a.update(customer_id=""),
        lambda a: a.update(channel=""),
        lambda a: a.update(sender_id=None),
        lambda a: a.update(sig=123),
    ],
)
def test_malformed_assertions_are_refused(mutate) -> None:  # noqa: ANN001
    metadata = _metadata()
    mutate(metadata[METADATA_KEY])
    assert _reason(metadata) == "malformed"


def test_non_dict_assertion_is_malformed() -> None:
    assert _reason({METADATA_KEY: "signed by me"}) == "malformed"


def test_assertion_of_another_conversation_is_refused() -> None:
    # C002's genuine assertion replayed in C001's conversation (or the other way round).
    stolen = _metadata(customer_id="C002", sender_id="app:C002")
    assert _reason(stolen, sender_id="app:C001") == "wrong_sender"
    assert _reason(_metadata(sender_id="web-123"), sender_id="web-456") == "wrong_sender"


def test_assertion_replayed_through_another_channel_is_refused() -> None:
    assert _reason(_metadata(), channel="socketio") == "wrong_channel"
    assert verify(_metadata(), SECRET, "app:C001", NOW, channel="app").channel == "app"


@pytest.mark.parametrize("secret", [None, "", b""])
def test_missing_secret_refuses_everything(secret: object) -> None:
    assert _reason(_metadata(), secret=secret) == "no_secret"


def test_bytes_secret_matches_str_secret() -> None:
    assert verify(_metadata(), SECRET.encode(), "app:C001", NOW).customer_id == "C001"


def test_age_window() -> None:
    day = assertion.DEFAULT_MAX_AGE
    assert day == 24 * 3600
    assert verify(_metadata(), SECRET, "app:C001", NOW + day).customer_id == "C001"
    assert _reason(_metadata(), now=NOW + day + 1) == "stale"
    assert _reason(_metadata(), now=NOW + 301, max_age=300) == "stale"


def test_future_window() -> None:
    skew = assertion.DEFAULT_MAX_SKEW
    assert verify(_metadata(), SECRET, "app:C001", NOW - skew).customer_id == "C001"
    assert _reason(_metadata(), now=NOW - skew - 1) == "future"


def test_verify_does_not_modify_the_metadata() -> None:
    metadata = _metadata()
    before = copy.deepcopy(metadata)
    verify(metadata, SECRET, "app:C001", NOW)
    assert metadata == before


@pytest.mark.parametrize(
    "overrides",
    [
        {"secret": ""},
        {"customer_id": "c001"},
        {"customer_id": "X1"},
        {"channel": ""},
        {"sender_id": ""},
        {"issued_at": 1.5},
        {"issued_at": True},
    ],
)
def test_sign_refuses_bad_input(overrides: dict) -> None:
    with pytest.raises(ValueError):
        _metadata(**overrides)


@pytest.mark.parametrize("secret", ["change-me", "s" * 31, b"s" * 31])
def test_short_secret_counts_as_missing(secret: object) -> None:
    # A placeholder copied from .env.example must never make a forgery verify.
    forged = {METADATA_KEY: {**_metadata()[METADATA_KEY]}}
    forged[METADATA_KEY]["sig"] = hmac.new(
        b"change-me",
        assertion.canonical_payload("C001", "app", "app:C001", NOW),
        hashlib.sha256,
    ).hexdigest()
    assert _reason(forged, secret=secret) == "no_secret"
    with pytest.raises(ValueError):
        _metadata(secret=secret)
