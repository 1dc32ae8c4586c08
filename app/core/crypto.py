"""Identity fields at rest: AES-256-GCM with a random nonce per value and associated data
that binds the value to its table, column, row and key version.

A ciphertext copied to another row (or column) fails to decrypt, and keys can be rotated:
the highest key version encrypts, every listed version decrypts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import uuid
from dataclasses import dataclass
from functools import cached_property

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class DecryptionError(Exception):
    """The ciphertext is not this row's, was tampered with, or its key is gone."""


def generate_key_text() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def generate_keyring_text() -> str:
    return f"1:{generate_key_text()}"


def parse_keyring(text: str) -> dict[int, bytes]:
    keys: dict[int, bytes] = {}
    for part in text.replace("\n", ",").split(","):
        part = part.strip()
        if not part:
            continue
        version_text, _, key_text = part.partition(":")
        key = base64.b64decode(key_text.strip(), validate=True)
        if len(key) != 32:
            raise ValueError("identity keys must be 32 bytes (AES-256)")
        keys[int(version_text)] = key
    if not keys:
        raise ValueError("no identity key configured")
    return keys


def _associated_data(table: str, column: str, row_id: uuid.UUID, version: int) -> bytes:
    return f"{table}\x1f{column}\x1f{row_id}\x1fv{version}".encode()


@dataclass(frozen=True)
class Keyring:
    keys: dict[int, bytes]

    @cached_property
    def _ciphers(self) -> dict[int, AESGCM]:
        # One AESGCM per key (thread-safe, stateless per call): a list decrypts 50 values.
        return {version: AESGCM(key) for version, key in self.keys.items()}

    @classmethod
    def from_text(cls, text: str) -> Keyring:
        return cls(parse_keyring(text))

    @property
    def current_version(self) -> int:
        return max(self.keys)

    def encrypt(self, plaintext: bytes, *, table: str, column: str, row_id: uuid.UUID) -> bytes:
        """``version (2 bytes) || nonce || ciphertext+tag``."""
        version = self.current_version
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.keys[version]).encrypt(
            nonce, plaintext, _associated_data(table, column, row_id, version)
        )
        return version.to_bytes(2, "big") + nonce + sealed

    def decrypt(self, blob: bytes, *, table: str, column: str, row_id: uuid.UUID) -> bytes:
        if len(blob) < 2 + NONCE_BYTES + 16:
            raise DecryptionError
        version = int.from_bytes(blob[:2], "big")
        cipher = self._ciphers.get(version)
        if cipher is None:
            raise DecryptionError
        nonce, sealed = blob[2 : 2 + NONCE_BYTES], blob[2 + NONCE_BYTES :]
        try:
            return cipher.decrypt(nonce, sealed, _associated_data(table, column, row_id, version))
        except InvalidTag as exc:
            raise DecryptionError from exc

    @staticmethod
    def version_of(blob: bytes) -> int:
        return int.from_bytes(blob[:2], "big")


def keyed_fingerprint(key: bytes, *parts: bytes) -> str:
    """HMAC-SHA256 over length-prefixed parts: never a plain hash of personal data."""
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for part in parts:
        mac.update(len(part).to_bytes(8, "big"))
        mac.update(part)
    return mac.hexdigest()
