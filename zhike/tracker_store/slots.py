"""Encryption of slot values that hold personal data, so actions can read them back.

A slot such as ``bind_phone`` must survive from one turn to the next in full, but must
not lie in the tracker database in clear. Its value is stored as
``zhike-enc:v1:<base64url(nonce + AES-256-GCM ciphertext)>``, bound (as associated data)
to the conversation and the slot name, so a value copied into another conversation or
slot does not decrypt.

The key is derived (HKDF-SHA256) from ``ZHIKE_TRACKER_SECRET``, else
``ZHIKE_IDENTITY_SECRET``. Without either, development uses a fixed, public key (with a
warning) and production refuses to start. Changing the secret makes stored values
unreadable: those slots come back empty (logged), the conversation goes on.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from zhike.common.deployment import ENV_VAR, ConfigurationError, is_development, secret_problem

logger = logging.getLogger(__name__)

TRACKER_SECRET_ENV = "ZHIKE_TRACKER_SECRET"
IDENTITY_SECRET_ENV = "ZHIKE_IDENTITY_SECRET"
PREFIX = "zhike-enc:v1:"
_INFO = b"zhike-tracker-slots/v1"
_AAD = b"zhike-tracker-slot/v1\n"
_NONCE_BYTES = 12
_DEVELOPMENT_SECRET = "zhike-development-only-tracker-key-not-secret"


class SlotCipher:
    """Encrypts and decrypts slot values of one deployment (AES-256-GCM).

    Args:
        secret: the secret the key is derived from.
    """

    def __init__(self, secret: str) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
            secret.encode("utf-8")
        )
        self._aead = AESGCM(key)

    @staticmethod
    def is_encrypted(value: object) -> bool:
        """Whether ``value`` is a value this module encrypted."""
        return isinstance(value, str) and value.startswith(PREFIX)

    def encrypt(self, value: str, sender_id: str, slot: str) -> str:
        """``value`` encrypted for slot ``slot`` of conversation ``sender_id``."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, value.encode("utf-8"), _aad(sender_id, slot))
        return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def decrypt(self, value: str, sender_id: str, slot: str) -> str | None:
        """The clear value, or ``None`` when it does not decrypt (another key, tampered)."""
        try:
            raw = base64.urlsafe_b64decode(value[len(PREFIX) :].encode("ascii"))
            clear = self._aead.decrypt(
                raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _aad(sender_id, slot)
            )
            return clear.decode("utf-8")
        except (InvalidTag, ValueError, binascii.Error, UnicodeError):
            return None


def slot_cipher(env: Mapping[str, str] | None = None) -> SlotCipher:
    """The cipher of this deployment (see the module docstring).

    Raises:
        ConfigurationError: production, and neither secret is set and strong enough.
    """
    source = env if env is not None else os.environ
    development = is_development(source)
    problems = []
    for name in (TRACKER_SECRET_ENV, IDENTITY_SECRET_ENV):
        value = source.get(name)
        problem = secret_problem(name, value)
        if problem is None and value:
            return SlotCipher(value)
        if value and development:
            logger.warning("%s; using it for the tracker store anyway (development).", problem)
            return SlotCipher(value)
        if value:  # set but weak: production must not fall back to another secret
            problems.append(problem)
            break
    if development:
        logger.warning(
            "%s is not set: slot values in the tracker store are encrypted with a fixed, "
            "public development key. Set it (or %s) outside development.",
            TRACKER_SECRET_ENV,
            IDENTITY_SECRET_ENV,
        )
        return SlotCipher(_DEVELOPMENT_SECRET)
    raise ConfigurationError(
        "refusing to start the tracker store: personal data in slots (bind_phone ...) is "
        f"encrypted with a key from {TRACKER_SECRET_ENV} (or {IDENTITY_SECRET_ENV}), and "
        + ("; ".join(p for p in problems if p) or "neither is set")
        + ". Generate one with: python -c 'import secrets; print(secrets.token_hex(32))' "
        f"(or set {ENV_VAR}=development on a developer machine)."
    )


def _aad(sender_id: str, slot: str) -> bytes:
    return _AAD + sender_id.encode("utf-8") + b"\n" + slot.encode("utf-8")
