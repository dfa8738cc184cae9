"""The tracker database never holds a full phone or ID-card number; actions still get slots.

Every test writes a real SQLite file through Rasa's own loading path (the endpoint
configuration) and reads its raw bytes.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config

from zhike.common.deployment import ConfigurationError
from zhike.lib.identity import assertion
from zhike.tracker_store import MaskingSQLTrackerStore

PROJECT_ROOT = Path(__file__).resolve().parents[3]
PHONE = "13800138000"
OTHER_PHONE = "13912345678"
ID_CARD = "110101199003071234"
SECRET = "tracker-secret-" + "t" * 32
IDENTITY_SECRET = "identity-secret-" + "i" * 32
SENDER = "wechat:oyORnuP8q7ou2gfYjqLzSIWZf0rs"
DOMAIN = Domain.from_dict(
    {
        "intents": ["inform"],
        "entities": ["phone"],
        "slots": {
            "bind_phone": {"type": "text", "mappings": [{"type": "custom"}]},
            "order_id": {"type": "text", "mappings": [{"type": "custom"}]},
            "phones": {"type": "list", "mappings": [{"type": "custom"}]},
        },
    }
)


@pytest.fixture(autouse=True)
def production_with_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHIKE_ENV", "production")
    monkeypatch.setenv("ZHIKE_TRACKER_SECRET", SECRET)
    monkeypatch.delenv("ZHIKE_IDENTITY_SECRET", raising=False)


def open_store(db: Path) -> TrackerStore:
    """The store as ``rasa run`` makes it from endpoints.yml's ``tracker_store``."""
    config = EndpointConfig(
        type="zhike.tracker_store.MaskingSQLTrackerStore", dialect="sqlite", db=str(db)
    )
    store = TrackerStore.create(config, DOMAIN)
    assert isinstance(store, MaskingSQLTrackerStore)
    return store


def conversation() -> list[Event]:
    signed = assertion.sign(None, "wechat", SENDER, 1_718_000_000, IDENTITY_SECRET)
    text = f"我的手机号{PHONE}，身份证{ID_CARD}"
    parse_data: dict[str, Any] = {
        "text": text,
        "intent": {"name": "inform", "confidence": 0.98},
        "entities": [
            {"entity": "phone", "value": PHONE, "start": 5, "end": 16},
            {"entity": "id_card", "value": ID_CARD, "start": 20, "end": 38},
        ],
    }
    return [
        ActionExecuted("action_session_start"),
        SessionStarted(metadata={"contact": {"mobile": f"+86 {PHONE}"}}),
        ActionExecuted("action_listen"),
        UserUttered(text, parse_data=parse_data, metadata={assertion.METADATA_KEY: signed}),
        SlotSet("bind_phone", PHONE),
        SlotSet("order_id", "HP20240001"),
        SlotSet("phones", [PHONE]),
        BotUttered(
            f"好的，验证码已发送到{PHONE}。",
            data={"buttons": [{"title": "改号", "payload": f'/inform{{"phone":"{PHONE}"}}'}]},
            metadata={"zhike_outbox_key": "outbox-7f3a9c"},
        ),
        ActionExecuted("action_listen"),
    ]


def raw_bytes(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))


async def test_the_database_file_holds_no_full_number_and_slots_come_back(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    store = open_store(db)
    await store.save(DialogueStateTracker.from_events(SENDER, conversation(), DOMAIN.slots))

    raw = raw_bytes(db)
    assert PHONE.encode() not in raw and ID_CARD.encode() not in raw
    assert b"138****8000" in raw and b"110101********1234" in raw

    tracker = await open_store(db).retrieve(SENDER)
    assert tracker is not None
    assert tracker.get_slot("bind_phone") == PHONE  # what an action reads
    assert tracker.current_state()["slots"]["bind_phone"] == PHONE  # what Rasa sends it
    assert tracker.get_slot("order_id") == "HP20240001"
    assert tracker.get_slot("phones") == ["138****8000"]  # not a string: masked, not kept
    user = tracker.latest_message
    assert user is not None
    assert user.text == "我的手机号138****8000，身份证110101********1234"
    assert [e["value"] for e in user.entities] == ["138****8000", "110101********1234"]
    assert user.intent["name"] == "inform"
    bot = [e for e in tracker.events if isinstance(e, BotUttered)][0]
    assert bot.text == "好的，验证码已发送到138****8000。"
    assert bot.metadata == {"zhike_outbox_key": "outbox-7f3a9c"}  # a machine key, kept
    [started] = [e for e in tracker.events if isinstance(e, SessionStarted)]
    assert started.metadata == {"contact": {"mobile": "138****8000"}}


async def test_the_identity_assertion_still_verifies(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    await open_store(db).save(
        DialogueStateTracker.from_events(SENDER, conversation(), DOMAIN.slots)
    )
    tracker = await open_store(db).retrieve(SENDER)
    assert tracker is not None and tracker.latest_message is not None
    verified = assertion.verify(
        tracker.latest_message.metadata, IDENTITY_SECRET, SENDER, 1_718_000_100, channel="wechat"
    )
    assert verified.customer_id is None


async def test_later_turns_are_appended_masked_and_slots_survive(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    store = open_store(db)
    await store.save(DialogueStateTracker.from_events(SENDER, conversation(), DOMAIN.slots))
    tracker = await store.retrieve(SENDER)
    assert tracker is not None
    tracker.update(UserUttered(f"换成{OTHER_PHONE}吧"))
    tracker.update(SlotSet("bind_phone", OTHER_PHONE))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)

    raw = raw_bytes(db)
    assert OTHER_PHONE.encode() not in raw and PHONE.encode() not in raw
    again = await open_store(db).retrieve_full_tracker(SENDER)
    assert again is not None
    assert len(again.events) == len(conversation()) + 3  # appended once, not rewritten
    assert again.get_slot("bind_phone") == OTHER_PHONE
    assert again.latest_message is not None and again.latest_message.text == "换成139****5678吧"


async def test_another_secret_reads_the_slot_as_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "tracker.db"
    await open_store(db).save(
        DialogueStateTracker.from_events(SENDER, conversation(), DOMAIN.slots)
    )
    monkeypatch.setenv("ZHIKE_TRACKER_SECRET", "another-secret-" + "a" * 32)
    with caplog.at_level(logging.WARNING):
        tracker = await open_store(db).retrieve(SENDER)
    assert tracker is not None and tracker.get_slot("bind_phone") is None
    assert "'bind_phone'" in caplog.text and "does not decrypt" in caplog.text
    assert SENDER not in caplog.text


def test_an_encrypted_value_is_bound_to_its_conversation() -> None:
    from zhike.tracker_store import slot_cipher

    cipher = slot_cipher()
    sealed = cipher.encrypt(PHONE, SENDER, "bind_phone")
    assert cipher.decrypt(sealed, SENDER, "bind_phone") == PHONE
    assert cipher.decrypt(sealed, "wechat:someone-else", "bind_phone") is None
    assert cipher.decrypt(sealed, SENDER, "other_slot") is None


@pytest.mark.parametrize(
    ("tracker_secret", "identity_secret"),
    [(None, None), ("change-me", None), (None, "short"), ("short", IDENTITY_SECRET)],
    ids=["none", "placeholder", "weak-identity", "weak-tracker"],
)
def test_production_without_a_secret_refuses_to_start(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tracker_secret: str | None,
    identity_secret: str | None,
) -> None:
    for name, value in (
        ("ZHIKE_TRACKER_SECRET", tracker_secret),
        ("ZHIKE_IDENTITY_SECRET", identity_secret),
    ):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as refused:
        open_store(tmp_path / "tracker.db")
    assert "ZHIKE_TRACKER_SECRET" in str(refused.value)
    assert not (tmp_path / "tracker.db").exists()  # refused before touching the database


async def test_the_identity_secret_is_used_when_there_is_no_tracker_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ZHIKE_TRACKER_SECRET")
    monkeypatch.setenv("ZHIKE_IDENTITY_SECRET", IDENTITY_SECRET)
    db = tmp_path / "tracker.db"
    await open_store(db).save(
        DialogueStateTracker.from_events(SENDER, conversation(), DOMAIN.slots)
    )
    tracker = await open_store(db).retrieve(SENDER)
    assert tracker is not None and tracker.get_slot("bind_phone") == PHONE


async def test_development_without_a_secret_warns_and_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ZHIKE_ENV", "development")
    monkeypatch.delenv("ZHIKE_TRACKER_SECRET")
    db = tmp_path / "tracker.db"
    with caplog.at_level(logging.WARNING):
        store = open_store(db)
    assert "fixed, public development key" in caplog.text
    await store.save(DialogueStateTracker.from_events(SENDER, conversation(), DOMAIN.slots))
    assert PHONE.encode() not in raw_bytes(db)
    tracker = await open_store(db).retrieve(SENDER)
    assert tracker is not None and tracker.get_slot("bind_phone") == PHONE


@pytest.mark.parametrize("path", ["endpoints.yml", "deploy/endpoints.production.yml"])
def test_the_project_endpoints_use_the_masking_store(
    path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (PROJECT_ROOT / path).read_text(encoding="utf-8")
    for name in re.findall(r"\$\{([A-Z0-9_]+)\}", text):
        monkeypatch.setenv(name, "x" * 32)  # production's ${VAR}s are expanded when read
    config = read_endpoint_config(str(PROJECT_ROOT / path), "tracker_store")
    assert config is not None
    assert config.type == "zhike.tracker_store.MaskingSQLTrackerStore"


def test_a_missing_database_driver_stops_rasa_instead_of_falling_back_to_memory(
    tmp_path: Path,
) -> None:
    config = EndpointConfig(
        type="zhike.tracker_store.MaskingSQLTrackerStore", dialect="mysql", db="zhike"
    )
    with pytest.raises(ConfigurationError, match="MySQLdb"):
        TrackerStore.create(config, DOMAIN)
