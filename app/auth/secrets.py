"""Client secrets: generated with the OS CSPRNG, stored only as a slow scrypt hash."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_SCHEME = "scrypt"
_R, _P, _DKLEN = 8, 1, 32


def new_client_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str, *, n: int) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=n, r=_R, p=_P, dklen=_DKLEN)
    return "$".join(
        [_SCHEME, str(n), base64.b64encode(salt).decode(), base64.b64encode(digest).decode()]
    )


def verify_secret(secret: str, stored: str) -> bool:
    try:
        scheme, n_text, salt_b64, digest_b64 = stored.split("$")
        if scheme != _SCHEME:
            return False
        salt = base64.b64decode(salt_b64)
        expected = base64.b64decode(digest_b64)
        digest = hashlib.scrypt(secret.encode(), salt=salt, n=int(n_text), r=_R, p=_P, dklen=_DKLEN)
    except (ValueError, UnicodeError):
        return False
    return hmac.compare_digest(digest, expected)


# Verified against when the client id is unknown, so both paths cost the same time.
def dummy_hash(n: int) -> str:
    return hash_secret("not-a-real-secret", n=n)
