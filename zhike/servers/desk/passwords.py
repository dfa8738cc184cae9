"""Password hashing with scrypt: a random salt per password, parameters kept in the hash.

A stored hash reads ``scrypt$<n>$<r>$<p>$<salt b64>$<key b64>``; nothing else about the
password is stored. Verification recomputes the key and compares in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SCHEME = "scrypt"
DEFAULT_N = 2**14
DEFAULT_R = 8
DEFAULT_P = 1
SALT_BYTES = 16
KEY_BYTES = 32
MIN_LENGTH = 8
MAX_LENGTH = 256


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r, dklen=KEY_BYTES
    )


def password_problem(password: object) -> str | None:
    """Why ``password`` is not acceptable as a new password, or None."""
    if not isinstance(password, str):
        return "password must be a string"
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        return f"password must be {MIN_LENGTH}-{MAX_LENGTH} characters"
    return None


def hash_password(password: str, n: int = DEFAULT_N) -> str:
    """The storable scrypt hash of ``password`` with a fresh random salt."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(password, salt, n, DEFAULT_R, DEFAULT_P)
    return f"{SCHEME}${n}${DEFAULT_R}${DEFAULT_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches the stored hash (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != SCHEME:
            return False
        expected = base64.b64decode(key)
        actual = _derive(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# Verified against when the username is unknown, so both cases take the same time.
_DUMMY_HASH: list[str] = []


def dummy_verify(password: str) -> None:
    """Spends the time of one verification (for unknown usernames)."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password(secrets.token_hex(16)))
    verify_password(password, _DUMMY_HASH[0])


def check_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches ``stored``; with no hash, False after the same time."""
    if stored is None:
        dummy_verify(password)
        return False
    return verify_password(password, stored)
