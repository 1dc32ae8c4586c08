"""The audit trail: one row per access to or change of victim data, hash-chained."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, Integer
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, new_id, utcnow

Seq = BigInteger().with_variant(Integer(), "sqlite")


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_resource", "resource_type", "resource_id", "seq"),
        Index("ix_audit_events_agency", "agency_id", "seq"),
    )

    seq: int | None = Field(
        default=None, sa_column=Column(Seq, primary_key=True, autoincrement=True)
    )
    id: uuid.UUID = Field(default_factory=new_id, unique=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    agency_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None
    action: str = Field(max_length=48)
    resource_type: str = Field(max_length=32)
    resource_id: uuid.UUID | None = None
    request_id: str | None = Field(default=None, max_length=64)
    outcome: str = Field(max_length=16)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditChainHead(SQLModel, table=True):
    """One row: the newest entry's hash. Locking it orders concurrent writers (PostgreSQL)."""

    __tablename__ = "audit_chain_head"

    id: int = Field(default=1, primary_key=True)
    seq: int = Field(default=0, sa_type=BigInteger)
    hash: str = Field(default="0" * 64, max_length=64)
