"""Repeated failed token requests for one client id answer 429 (API.md, Authentication).

Counted per client id (known or not, so guessing secrets of made-up ids is limited too) in
fixed windows stored in the database, so every API process shares the count. While a
client id is over the limit even a correct secret is refused until the window ends.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from app.core.db import utcnow
from app.models import TokenFailureWindow


def _key(client_id: str) -> str:
    return hashlib.sha256(client_id.encode("utf-8", "surrogatepass")).hexdigest()


def _window(now: datetime, seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, UTC)


def retry_after(session: Session, client_id: str, *, limit: int, seconds: int) -> int | None:
    """Seconds until this client id may try again, or None if it may try now."""
    now = utcnow()
    start = _window(now, seconds)
    failures = session.execute(
        select(col(TokenFailureWindow.failures)).where(
            col(TokenFailureWindow.client_key) == _key(client_id),
            col(TokenFailureWindow.window_start) == start,
        )
    ).scalar_one_or_none()
    if failures is None or failures < limit:
        return None
    return max(1, int((start + timedelta(seconds=seconds) - now).total_seconds()) + 1)


def count_failure(session: Session, client_id: str, *, seconds: int) -> None:
    values = {
        "client_key": _key(client_id),
        "window_start": _window(utcnow(), seconds),
        "failures": 1,
    }
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(TokenFailureWindow).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["client_key", "window_start"],
        set_={"failures": TokenFailureWindow.__table__.c.failures + 1},  # type: ignore[attr-defined]
    )
    session.execute(stmt)
