"""Idempotency keys, stored in the same transaction as the effect they guard."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow


class IdempotencyKey(SQLModel, table=True):
    __tablename__ = "idempotency_keys"

    client_id: uuid.UUID = Field(primary_key=True)
    key: str = Field(max_length=255, primary_key=True)
    # Keyed HMAC of method, route and body: detects a reused key with another request
    # without keeping the body (which may hold personal data).
    fingerprint: str = Field(max_length=64)
    status_code: int
    # What to render on replay: the ids of the resources the request produced. The
    # response is rebuilt from them rather than stored, so no personal data is kept here.
    resource_ids: list[str] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
