"""What of a Rasa event may be written to the tracker database, and how it is read back.

:func:`protect_event` masks phone and ID-card numbers (:func:`zhike.common.privacy.mask_text`)
in every string of a serialised event -- user and bot texts, ``parse_data`` (entity
values, the text), button payloads, metadata at any depth -- except machine values that
must come back byte for byte (:data:`KEPT_KEYS`: the signed identity assertion, keys that
de-duplicate deliveries, message ids). A slot value that is a string with such a number
is encrypted instead (:class:`~zhike.tracker_store.slots.SlotCipher`), because actions
read it on a later turn; :func:`reveal_event` decrypts it.
"""

from __future__ import annotations

import logging
from typing import Any

from zhike.common.privacy import mask_text
from zhike.lib.identity.assertion import METADATA_KEY
from zhike.tracker_store.slots import SlotCipher

logger = logging.getLogger(__name__)

SLOT_EVENT = "slot"
# Values compared or verified later, never free text: kept as they are.
KEPT_KEYS = frozenset(
    {
        "event",
        "name",
        "timestamp",
        "message_id",
        "input_channel",
        METADATA_KEY,  # zhike_identity: its HMAC must verify on a later turn
        # the desk's delivery key (zhike.servers.desk.delivery.rasa_api.OUTBOX_KEY)
        "zhike_outbox_key",
        "zhike_key",  # the web widget's message key
    }
)


def mask_value(value: Any) -> Any:
    """``value`` with every phone and ID-card number in its strings masked (recursively)."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: v if k in KEPT_KEYS else mask_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_value(item) for item in value]
    return value


def protect_event(data: dict[str, Any], sender_id: str, cipher: SlotCipher) -> dict[str, Any]:
    """The serialised event as it may be stored (see the module docstring)."""
    if data.get("event") == SLOT_EVENT:
        value = data.get("value")
        if isinstance(value, str) and mask_text(value) != value:
            protected = mask_value({k: v for k, v in data.items() if k != "value"})
            protected["value"] = cipher.encrypt(value, sender_id, str(data.get("name")))
            return protected
    protected = mask_value(data)
    return protected if isinstance(protected, dict) else data


def reveal_event(data: dict[str, Any], sender_id: str, cipher: SlotCipher) -> dict[str, Any]:
    """A stored event with its encrypted slot value decrypted (``None`` if it cannot be)."""
    if data.get("event") != SLOT_EVENT or not SlotCipher.is_encrypted(data.get("value")):
        return data
    name = str(data.get("name"))
    clear = cipher.decrypt(data["value"], sender_id, name)
    if clear is None:
        logger.warning(
            "tracker store: slot %r of a conversation does not decrypt (the tracker secret "
            "changed?); it is read as empty.",
            name,
        )
    return {**data, "value": clear}
