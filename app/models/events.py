"""The transactional outbox: events written in the same transaction as their change.

``position`` orders events written by one writer; ``xid`` is the writing transaction's id
on PostgreSQL (0 on SQLite, whose single writer already commits in position order). The
feed serves events ordered by (xid, position) and, on PostgreSQL, only those whose
transaction is older than every transaction still running, so nothing can later appear
behind a cursor (SECURITY.md §7).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, new_id, utcnow

# BIGINT on PostgreSQL; INTEGER PRIMARY KEY (the rowid, autoincrement) on SQLite.
Position = BigInteger().with_variant(Integer(), "sqlite")


class Event(SQLModel, table=True):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_xid_position", "xid", "position"),)

    position: int | None = Field(
        default=None, sa_column=Column(Position, primary_key=True, autoincrement=True)
    )
    id: uuid.UUID = Field(default_factory=new_id, unique=True)
    xid: int = Field(default=0, sa_type=BigInteger)
    type: str = Field(max_length=40)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    resource_type: str = Field(max_length=40)
    resource_id: uuid.UUID
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class EventAudience(SQLModel, table=True):
    """Who may see an event: an agency id, or ``role:decision_recipient``."""

    __tablename__ = "event_audiences"
    __table_args__ = (Index("ix_event_audiences_feed", "audience", "xid", "event_position"),)

    event_position: int = Field(
        sa_column=Column(
            Position, ForeignKey("events.position"), primary_key=True, autoincrement=False
        )
    )
    audience: str = Field(max_length=64, primary_key=True)
    xid: int = Field(default=0, sa_type=BigInteger)
