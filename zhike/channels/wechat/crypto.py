"""WeChat / WeCom callback message encryption (Tencent's WXBizMsgCrypt algorithm).

Both the 公众号 (official account, "safe mode") and WeCom (企业微信) application callbacks
use the same scheme:

- signature: SHA1 hex digest of the lexicographically sorted, concatenated strings
  ``token``, ``timestamp``, ``nonce`` (and, for encrypted messages, the ``Encrypt``
  value -- then called ``msg_signature``);
- cipher: AES-256-CBC, key = ``base64decode(EncodingAESKey + "=")`` (43 characters give
  32 bytes), iv = the key's first 16 bytes, PKCS#7 padding to 32-byte blocks;
- plaintext: 16 random bytes, the message length as a 4-byte big-endian integer, the
  message (UTF-8), then the receive id: the 公众号's appid or the WeCom corpid. A message
  for another receive id is refused.

AES comes from the ``cryptography`` package; nothing here implements a cipher.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

AES_KEY_CHARS = 43
BLOCK_SIZE = 32  # WeChat pads to 32 bytes (PKCS#7 with k = 32), not to AES's 16
_RANDOM_BYTES = 16


class CryptoError(Exception):
    """A message that cannot be decrypted or is not for this receiver.

    Attributes:
        reason: machine-readable cause: ``bad_base64``, ``bad_length``, ``bad_padding``,
            ``bad_plaintext``, ``not_utf8`` or ``wrong_receive_id``.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def signature(token: str, timestamp: str, nonce: str, encrypted: str | None = None) -> str:
    """The SHA1 signature WeChat computes over the sorted parts (``encrypted`` optional)."""
    parts = [token, timestamp, nonce]
    if encrypted is not None:
        parts.append(encrypted)
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def signature_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison of a computed signature with one from a request."""
    if not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.strip().lower().encode("utf-8"))


def decode_aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key of a 43-character EncodingAESKey.

    Raises:
        ValueError: the EncodingAESKey is not 43 base64 characters.
    """
    if len(encoding_aes_key or "") != AES_KEY_CHARS:
        raise ValueError(f"EncodingAESKey must be {AES_KEY_CHARS} characters")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("EncodingAESKey is not base64") from exc
    if len(key) != 32:
        raise ValueError("EncodingAESKey does not decode to 32 bytes")
    return key


class MessageCrypt:
    """Encrypts and decrypts callback messages of one 公众号 or WeCom application.

    Args:
        token: the callback Token configured in the WeChat / WeCom admin console.
        encoding_aes_key: the 43-character EncodingAESKey.
        receive_id: the appid (公众号) or corpid (WeCom) that must end every plaintext.

    Raises:
        ValueError: the EncodingAESKey is malformed.
    """

    def __init__(self, token: str, encoding_aes_key: str, receive_id: str) -> None:
        self._token = token
        self._key = decode_aes_key(encoding_aes_key)
        self._receive_id = receive_id.encode("utf-8")

    def signature(self, timestamp: str, nonce: str, encrypted: str | None = None) -> str:
        """The signature of a request or reply with this application's token."""
        return signature(self._token, timestamp, nonce, encrypted)

    def verify(self, given: str | None, timestamp: str, nonce: str, encrypted: str) -> bool:
        """Whether ``given`` is the ``msg_signature`` of ``encrypted`` (constant time)."""
        return signature_matches(self.signature(timestamp, nonce, encrypted), given)

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16]))

    def encrypt(self, message: str, random_prefix: bytes | None = None) -> str:
        """The base64 ``Encrypt`` value of ``message`` (a fresh random prefix by default)."""
        prefix = os.urandom(_RANDOM_BYTES) if random_prefix is None else random_prefix
        if len(prefix) != _RANDOM_BYTES:
            raise ValueError(f"the random prefix must be {_RANDOM_BYTES} bytes")
        body = message.encode("utf-8")
        plain = prefix + struct.pack(">I", len(body)) + body + self._receive_id
        pad = BLOCK_SIZE - len(plain) % BLOCK_SIZE
        plain += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")

    def decrypt(self, encrypted: str) -> str:
        """The message inside an ``Encrypt`` value (or an encrypted WeCom ``echostr``).

        Raises:
            CryptoError: malformed ciphertext or padding, or a message for another
                receive id (appid / corpid).
        """
        try:
            data = base64.b64decode(encrypted.strip(), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise CryptoError("bad_base64", "the encrypted message is not base64") from exc
        if not data or len(data) % 16:
            raise CryptoError("bad_length", "the encrypted message has a wrong length")
        decryptor = self._cipher().decryptor()
        plain = decryptor.update(data) + decryptor.finalize()
        pad = plain[-1]
        if not 1 <= pad <= BLOCK_SIZE or plain[-pad:] != bytes([pad]) * pad:
            raise CryptoError("bad_padding", "the decrypted message has a wrong padding")
        content = plain[_RANDOM_BYTES:-pad]
        if len(content) < 4:
            raise CryptoError("bad_plaintext", "the decrypted message is too short")
        (length,) = struct.unpack(">I", content[:4])
        if 4 + length > len(content):
            raise CryptoError("bad_plaintext", "the decrypted message length is wrong")
        body, receive_id = content[4 : 4 + length], content[4 + length :]
        if not hmac.compare_digest(receive_id, self._receive_id):
            raise CryptoError("wrong_receive_id", "the message is for another appid / corpid")
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CryptoError("not_utf8", "the decrypted message is not UTF-8") from exc

    def encrypt_reply(self, message: str, timestamp: str, nonce: str) -> dict[str, str]:
        """The encrypted reply fields: Encrypt, MsgSignature, TimeStamp and Nonce."""
        encrypted = self.encrypt(message)
        return {
            "Encrypt": encrypted,
            "MsgSignature": self.signature(timestamp, nonce, encrypted),
            "TimeStamp": timestamp,
            "Nonce": nonce,
        }
