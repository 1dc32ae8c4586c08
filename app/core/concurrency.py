"""Optimistic concurrency: strong ETags from ``version`` and required ``If-Match``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Response

from app.core.errors import PreconditionFailed, PreconditionRequired

IfMatchHeader = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=200,
        description='The ETag you last read, e.g. `"3"`. Required; stale → 412.',
    ),
]


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def _strong_versions(if_match: str) -> set[int]:
    # Strong comparison only (RFC 9110 §13.1.1): weak tags and "*" never match, since
    # "*" would let a client overwrite a change it never saw.
    versions: set[int] = set()
    for part in if_match.split(","):
        candidate = part.strip()
        if len(candidate) > 2 and candidate[0] == candidate[-1] == '"':
            inner = candidate[1:-1]
            if inner.isdigit() and len(inner) < 12:
                versions.add(int(inner))
    return versions


def check_version(if_match: str | None, current: int) -> None:
    """428 when the client sent no If-Match; 412 unless it names the current version."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired()
    if current not in _strong_versions(if_match):
        raise PreconditionFailed()
