"""Conversation-wide helpers: proofs of ownership, the fallback's button titles.

Proofs of ownership
-------------------
Some slots remember what the sender proved in this conversation: ``verified_orders``
(orders an anonymous user unlocked with the last 4 digits of the order's phone) and
``my_tickets`` (tickets opened in this chat). Rasa posts the whole tracker to the action
server, so a slot is only as trustworthy as whoever can post a tracker; the values are
therefore *proofs*, not bare ids::

    HP20240001.1718086400.<64 hex chars>

the id, the unix time the proof expires (:data:`PROOF_TTL` after it was issued) and an
HMAC-SHA256 over the line ``zhike-proof/v1``, the kind of proof (``order``,
``ticket``), the conversation's sender id, the id and the expiry. Actions accept a proof
only when its MAC is right, it has not expired and it was issued for the same sender:
a forged, stale or copied proof is ignored, as if the slot did not name the id.

The key is derived from ``ZHIKE_IDENTITY_SECRET`` (the secret identity assertions are
signed with, see :mod:`zhike.lib.identity.assertion`; at least 32 bytes), so every action
server replica accepts the proofs of the others. In development (``ZHIKE_ENV=development``)
without that secret a fixed development-only key is used, with a warning; in production
issuing a proof without the secret raises, and every proof is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from zhike.common.deployment import ConfigurationError, is_development
from zhike.lib.identity.assertion import MIN_SECRET_BYTES

logger = logging.getLogger(__name__)

TITLES_FILE = Path(__file__).with_name("intent_titles.yml")

SECRET_ENV = "ZHIKE_IDENTITY_SECRET"
ORDER_PROOF = "order"
TICKET_PROOF = "ticket"
# How long a proof is good for: like an identity assertion (zhike.lib.identity.assertion),
# a conversation rarely outlives a day, and this bounds the replay of a leaked proof.
PROOF_TTL = 24 * 60 * 60
_PROOF_DOMAIN = b"zhike-proof/v1\n"
_PROOF_RE = re.compile(r"^([A-Za-z0-9_-]{1,64})\.(\d{1,12})\.([0-9a-f]{64})$")
# Used only with ZHIKE_ENV=development and no ZHIKE_IDENTITY_SECRET: anyone can read it.
_DEVELOPMENT_SECRET = b"zhike-development-only-proof-key--never-use-in-production"
_warned_development_key = False


def proof_key() -> bytes | None:
    """The HMAC key of proofs; ``None`` in production without a usable identity secret."""
    global _warned_development_key
    secret = os.environ.get(SECRET_ENV, "").encode("utf-8")
    if len(secret) < MIN_SECRET_BYTES:
        if not is_development():
            return None
        if not _warned_development_key:
            _warned_development_key = True
            logger.warning(
                "%s is not set: proofs of ownership are signed with a public "
                "development-only key (ZHIKE_ENV=development).",
                SECRET_ENV,
            )
        secret = _DEVELOPMENT_SECRET
    # A key of its own, so a proof can never be mistaken for any other MAC of the secret.
    return hmac.new(secret, b"zhike-proof-key/v1", hashlib.sha256).digest()


def _proof_mac(key: bytes, kind: str, sender_id: str, value: str, expires: int) -> str:
    body = json.dumps([kind, sender_id, value, expires], ensure_ascii=True, separators=(",", ":"))
    return hmac.new(key, _PROOF_DOMAIN + body.encode("ascii"), hashlib.sha256).hexdigest()


def issue_proof(kind: str, value: str, sender_id: str, now: float | None = None) -> str:
    """A proof that ``sender_id`` may see ``value`` (an order or ticket id) for a day.

    Raises:
        ConfigurationError: production without ``ZHIKE_IDENTITY_SECRET``.
        ValueError: ``value`` is not an id (letters, digits, ``-``, ``_``).
    """
    key = proof_key()
    if key is None:
        raise ConfigurationError(f"{SECRET_ENV} is needed to sign proofs of ownership")
    expires = int(time.time() if now is None else now) + PROOF_TTL
    proof = f"{value}.{expires}.{_proof_mac(key, kind, sender_id, value, expires)}"
    if _PROOF_RE.match(proof) is None:
        raise ValueError(f"not an id that can be proved: {value!r}")
    return proof


def _proven_value(key: bytes, kind: str, proof: Any, sender_id: str, now: float) -> str | None:
    """The id of a valid proof, else ``None`` (forged, expired, another sender, junk)."""
    match = _PROOF_RE.match(proof) if isinstance(proof, str) else None
    if match is None:
        return None
    value, expires = match.group(1), int(match.group(2))
    expected = _proof_mac(key, kind, sender_id, value, expires)
    if not hmac.compare_digest(expected, match.group(3)) or expires <= now:
        return None
    return value


def proven(kind: str, proofs: Any, sender_id: str, now: float | None = None) -> list[str]:
    """The ids that the proofs of a slot (``verified_orders``, ``my_tickets``) prove.

    Anything else in the slot (a bare id, a forged, expired or another sender's proof,
    a value of the wrong type) is ignored.
    """
    key = proof_key()
    if key is None or not isinstance(proofs, list):
        return []
    moment = time.time() if now is None else now
    values: list[str] = []
    for proof in proofs:
        value = _proven_value(key, kind, proof, sender_id, moment)
        if value is not None and value not in values:
            values.append(value)
    return values


def with_proof(
    kind: str,
    proofs: Any,
    value: str,
    sender_id: str,
    limit: int = 20,
    now: float | None = None,
) -> list[str]:
    """The slot's valid proofs plus a fresh one for ``value`` (the newest ``limit``)."""
    moment = time.time() if now is None else now
    key = proof_key()
    kept: list[str] = []
    if key is not None and isinstance(proofs, list):
        kept = [
            proof
            for proof in proofs
            if _proven_value(key, kind, proof, sender_id, moment) not in (None, value)
        ]
    return [*kept, issue_proof(kind, value, sender_id, moment)][-limit:]


@lru_cache(maxsize=1)
def intent_titles() -> dict[str, dict[str, str]]:
    """The ``intents`` and ``retrieval`` title maps of ``intent_titles.yml``."""
    data = yaml.safe_load(TITLES_FILE.read_text(encoding="utf-8")) or {}
    return {"intents": data.get("intents") or {}, "retrieval": data.get("retrieval") or {}}
