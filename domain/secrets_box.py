"""Encryption at rest for sensitive fields: medical notes, emergency contacts, dates of birth.

Values are Fernet tokens (AES-128-CBC with a random IV, then HMAC-SHA256 over the lot), so a
token that was altered, or made with a key we no longer hold, is refused rather than misread.
Keys come newest first: the first encrypts, every one of them decrypts, which lets an operator
add a new key, re-encrypt stored values with `rotate`, and only then drop the old key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Sequence
from datetime import date, datetime

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

KEY_BYTES = 32
_INDEX_LABEL = b"sportscenter blind index v1"
_NEW_KEY_HINT = (
    "python -c 'import secrets,base64;"
    "print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())'"
)


class UndecryptableField(Exception):
    """A stored value no configured key can open: wrong key, altered, or not a token at all."""


def keys_from_setting(value: str) -> list[bytes]:
    """The raw keys in a comma-separated list of url-safe base64 keys, newest first."""
    parts = [part.strip() for part in value.split(",")]
    keys: list[bytes] = []
    for position, part in enumerate(parts, start=1):
        # The messages name the key by position only: they end up in logs and on terminals.
        where = f"key {position} of {len(parts)}"
        if not part:
            raise ValueError(f"must be comma-separated keys ({where} is empty)")
        try:
            raw = base64.b64decode(part, altchars=b"-_", validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"must be url-safe base64 ({where} is not)") from None
        if len(raw) != KEY_BYTES:
            hint = f"make one with {_NEW_KEY_HINT}"
            raise ValueError(f"must decode to {KEY_BYTES} bytes ({where} does not); {hint}")
        keys.append(raw)
    return keys


class SecretBox:
    """Encrypts text with the current key and decrypts with the current or any older one."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ValueError("a SecretBox needs at least one key")
        for position, key in enumerate(keys, start=1):
            if len(key) != KEY_BYTES:
                raise ValueError(f"key {position} must be {KEY_BYTES} bytes")
        self._fernet = MultiFernet([Fernet(base64.urlsafe_b64encode(key)) for key in keys])
        # A key of its own for blind indexes, derived from each data key: a hash made with the
        # data key itself could be checked against Fernet's own HMACs.
        self._index_keys = [hmac.new(key, _INDEX_LABEL, hashlib.sha256).digest() for key in keys]

    def encrypt(self, text: str) -> str:
        """A fresh token for `text` under the current key (random IV: never the same twice)."""
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The text inside `token`; raises UndecryptableField if no key opens it."""
        try:
            return self._fernet.decrypt(token).decode("utf-8")
        except (InvalidToken, ValueError):  # ValueError: non-ASCII input, or bytes not UTF-8
            raise UndecryptableField("stored value cannot be decrypted with any key") from None

    def rotate(self, token: str) -> str:
        """The same text re-encrypted under the current key; raises UndecryptableField."""
        try:
            return self._fernet.rotate(token).decode("ascii")
        except (InvalidToken, ValueError):
            raise UndecryptableField("stored value cannot be decrypted with any key") from None

    def blind_index(self, text: str) -> str:
        """A keyed hash of `text` under the newest key, to find a row by an encrypted value:
        equal texts give equal hashes, and without the key none can be guessed."""
        return self.blind_indexes(text)[0]

    def blind_indexes(self, text: str) -> list[str]:
        """`text`'s keyed hash under every key, newest first: rows indexed before a rotation
        finished are still found."""
        data = text.encode("utf-8")
        return [hmac.new(key, data, hashlib.sha256).hexdigest() for key in self._index_keys]

    def encrypt_date(self, day: date) -> str:
        """A token for a calendar date (a date of birth, say)."""
        if isinstance(day, datetime):
            raise TypeError("encrypt_date takes a date, not a datetime")
        return self.encrypt(day.isoformat())

    def decrypt_date(self, token: str) -> date:
        """The date inside a token made by encrypt_date; raises UndecryptableField."""
        try:
            return date.fromisoformat(self.decrypt(token))
        except ValueError:
            raise UndecryptableField("stored value is not an encrypted date") from None
